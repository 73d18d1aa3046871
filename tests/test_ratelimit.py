"""Rate limiting per client: 429 with Retry-After, probes never limited."""

from __future__ import annotations

from pathlib import Path

from search_service import create_app


def test_api_answers_429_json_with_retry_after(indexed_data_dir: Path) -> None:
    client = create_app({"TESTING": True, "DATA_DIR": indexed_data_dir,
                         "RATE_LIMIT": "3 per minute"}).test_client()
    codes = [client.get("/api/v1/search?q=fire").status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    resp = client.get("/api/v1/search?q=fire")
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) > 0
    body = resp.get_json()
    assert body["ok"] is False and body["status"] == 429


def test_search_page_is_limited_with_a_friendly_page(indexed_data_dir: Path) -> None:
    client = create_app({"TESTING": True, "DATA_DIR": indexed_data_dir,
                         "RATE_LIMIT": "2 per minute"}).test_client()
    for _ in range(2):
        assert client.get("/search?q=fire").status_code == 200
    resp = client.get("/search?q=fire")
    assert resp.status_code == 429
    assert "text/html" in resp.headers["Content-Type"]
    assert "Retry-After" in resp.headers


def test_probes_are_never_limited(indexed_data_dir: Path) -> None:
    client = create_app({"TESTING": True, "DATA_DIR": indexed_data_dir,
                         "RATE_LIMIT": "1 per minute"}).test_client()
    assert all(client.get("/healthz").status_code == 200 for _ in range(5))
    assert all(client.get("/readyz").status_code == 200 for _ in range(5))


def test_clients_are_counted_apart(indexed_data_dir: Path) -> None:
    client = create_app({"TESTING": True, "DATA_DIR": indexed_data_dir,
                         "RATE_LIMIT": "1 per minute"}).test_client()
    assert client.get("/api/v1/stats", environ_base={"REMOTE_ADDR": "127.0.0.2"}).status_code == 200
    assert client.get("/api/v1/stats", environ_base={"REMOTE_ADDR": "127.0.0.2"}).status_code == 429
    assert client.get("/api/v1/stats", environ_base={"REMOTE_ADDR": "127.0.0.3"}).status_code == 200


def test_off_disables_the_limit(indexed_data_dir: Path) -> None:
    client = create_app({"TESTING": True, "DATA_DIR": indexed_data_dir,
                         "RATE_LIMIT": "off"}).test_client()
    assert all(client.get("/api/v1/stats").status_code == 200 for _ in range(5))


def test_autocomplete_has_its_own_larger_allowance(indexed_data_dir: Path) -> None:
    client = create_app({"TESTING": True, "DATA_DIR": indexed_data_dir,
                         "RATE_LIMIT": "2 per minute"}).test_client()
    codes = [client.get("/api/v1/suggest?q=no").status_code for _ in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429
    assert client.get("/api/v1/search?q=fire").status_code == 200  # searches still allowed
