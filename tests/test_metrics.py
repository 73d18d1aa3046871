"""/metrics (Prometheus text format) and the JSON access log, in process and under gunicorn."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

pytest.importorskip("prometheus_client", reason="prometheus-client is not installed")


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in an exposition (0 when absent)."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_count_requests_by_endpoint(client: FlaskClient) -> None:
    """Requests and latencies are counted per endpoint; the index gauges are there."""
    for _ in range(3):
        assert client.get("/api/v1/search?q=fire").status_code == 200
    client.get("/api/v1/search?q=fire&page=0")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    ok = sample(text, "search_service_requests_total", endpoint="api.search", status="200")
    assert ok == 3
    assert sample(text, "search_service_requests_total", endpoint="api.search", status="400") == 1
    assert sample(text, "search_service_request_duration_seconds_count", endpoint="api.search") == 4
    assert sample(text, "search_service_index_documents") > 0
    assert re.search(r'search_service_index_generation_info\{generation="[^"]+"\} 1\.0', text)


def test_metrics_without_an_index_still_answer(tmp_path: Any) -> None:
    """No index: request metrics still answer, index gauges are left out."""
    from search_service import create_app

    client = create_app({"TESTING": True, "DATA_DIR": tmp_path}).test_client()
    text = client.get("/metrics").get_data(as_text=True)
    assert "search_service_index_documents" not in text


@pytest.mark.e2e
def test_metrics_sum_every_gunicorn_worker(gunicorn_server: Any) -> None:
    """Under gunicorn (2 workers) a scrape counts requests answered by any worker."""
    base = gunicorn_server.url
    before = sample(
        requests.get(base + "/metrics", timeout=10).text,
        "search_service_requests_total",
        endpoint="pages.healthz",
    )
    with requests.Session() as session:
        for _ in range(20):
            session.get(base + "/healthz", timeout=10)
    for _ in range(4):  # whichever worker answers, the total is the same
        text = requests.get(base + "/metrics", timeout=10).text
        now = sample(text, "search_service_requests_total", endpoint="pages.healthz")
        assert now - before >= 20


def json_lines(path: Path) -> list[dict[str, Any]]:
    """The JSON records among a log's lines."""
    text = path.read_text(errors="replace")
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.e2e
def test_access_log_lines_are_json(gunicorn_server: Any) -> None:
    """Each access line is one JSON object with the request's facts, quotes escaped."""
    url = gunicorn_server.url + '/search?q=%22quoted%22+"raw'
    requests.get(
        url, headers={"User-Agent": 'agent "with" quotes', "X-Request-ID": "abc123"}, timeout=10
    )
    mine: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while not mine and time.monotonic() < deadline:  # the line is written after the answer
        time.sleep(0.1)
        mine = [r for r in json_lines(gunicorn_server.log_path) if r.get("request_id") == "abc123"]
    assert mine
    record = mine[-1]
    assert record["method"] == "GET"
    assert record["path"] == "/search"
    assert record["status"] == 200
    assert record["agent"] == 'agent "with" quotes'
    assert isinstance(record["duration_ms"], float)
