"""Every bad input gets the one error envelope (API) or a friendly escaped page (HTML).

The envelope is a contract: ``{"ok": false, "status": N, "error": {"code", "message"[, "param"]}}``.
No input may produce a 500 or show a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from search_service import create_app

LONG_QUERY = "fire " * 101  # 505 characters


def assert_error_envelope(
    response: TestResponse, status: int, *, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    """The response is the canonical JSON error with ``status`` (and ``code``/``param``)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert set(data) == {"ok", "status", "error"}
    assert data["ok"] is False
    assert data["status"] == status
    error = data["error"]
    assert set(error) <= {"code", "message", "param"}
    assert isinstance(error["code"], str)
    assert error["code"]
    assert isinstance(error["message"], str)
    assert error["message"]
    assert "Traceback" not in error["message"]
    if code is not None:
        assert error["code"] == code
    if param is not None:
        assert error["param"] == param
        assert param in error["message"]
    return data


BAD_SEARCHES = [
    pytest.param("", "q", id="q-missing"),
    pytest.param("q=", "q", id="q-empty"),
    pytest.param("q=%20%20", "q", id="q-blank"),
    pytest.param(f"q={LONG_QUERY}", "q", id="q-too-long"),
    pytest.param("q=fire&page=0", "page", id="page-zero"),
    pytest.param("q=fire&page=-1", "page", id="page-negative"),
    pytest.param("q=fire&page=abc", "page", id="page-abc"),
    pytest.param("q=fire&page=1.5", "page", id="page-fraction"),
    pytest.param("q=fire&page=1001", "page", id="page-too-far"),
    pytest.param("q=fire&page=99999999999999999999", "page", id="page-huge"),
    pytest.param("q=fire&size=0", "size", id="size-zero"),
    pytest.param("q=fire&size=101", "size", id="size-101"),
    pytest.param("q=fire&size=1000", "size", id="size-1000"),
    pytest.param("q=fire&size=ten", "size", id="size-word"),
    pytest.param("q=fire&sort=bogus", "sort", id="sort-bogus"),
    pytest.param("q=fire&collapse=maybe", "collapse", id="collapse-maybe"),
    pytest.param("q=fire&date_from=2019-13-01", "date_from", id="date-from-month-13"),
    pytest.param("q=fire&date_from=yesterday", "date_from", id="date-from-word"),
    pytest.param("q=fire&date_to=20190101", "date_to", id="date-to-compact"),
    pytest.param("q=fire&date_from=2020-01-01&date_to=2019-01-01", "date_to", id="dates-reversed"),
    pytest.param("q=fire&site=" + "s" * 300, "site", id="site-too-long"),
    pytest.param("q=fire&author=" + "a" * 300, "author", id="author-too-long"),
    pytest.param("q=fire&highlight=perhaps", "highlight", id="highlight-perhaps"),
    pytest.param("q=fire&within=decade", "within", id="within-decade"),
    pytest.param("q=fire&facets=site,colour", "facets", id="facets-unknown"),
    pytest.param("q=fire&recency=2", "recency", id="recency-2"),
]

BAD_OTHER = [
    pytest.param("/api/v1/suggest", "q", id="suggest-q-missing"),
    pytest.param("/api/v1/suggest?q=", "q", id="suggest-q-empty"),
    pytest.param(f"/api/v1/suggest?q={LONG_QUERY}", "q", id="suggest-q-too-long"),
    pytest.param("/api/v1/suggest?q=fi&limit=0", "limit", id="suggest-limit-zero"),
    pytest.param("/api/v1/suggest?q=fi&limit=11", "limit", id="suggest-limit-11"),
    pytest.param("/api/v1/suggest?q=fi&limit=x", "limit", id="suggest-limit-word"),
]


@pytest.mark.parametrize(("query_string", "param"), BAD_SEARCHES)
def test_bad_search_parameter_is_a_400_naming_it(
    client: FlaskClient, query_string: str, param: str
) -> None:
    """Each malformed or out-of-bounds parameter is a 400 that names the parameter."""
    response = client.get(f"/api/v1/search?{query_string}")
    assert_error_envelope(response, 400, code="invalid_parameter", param=param)


@pytest.mark.parametrize(("path", "param"), BAD_OTHER)
def test_bad_parameter_elsewhere_is_a_400_naming_it(
    client: FlaskClient, path: str, param: str
) -> None:
    """The other endpoints reject bad parameters the same way."""
    assert_error_envelope(client.get(path), 400, code="invalid_parameter", param=param)


def test_bad_similar_size_is_a_400(client: FlaskClient) -> None:
    """``size`` of the similar-documents endpoint is bounded like the others."""
    doc_id = client.get("/api/v1/search?q=fire").get_json()["hits"][0]["id"]
    for size in ("0", "21", "many"):
        response = client.get(f"/api/v1/documents/{doc_id}/similar?size={size}")
        assert_error_envelope(response, 400, code="invalid_parameter", param="size")


def test_similar_of_unknown_document_is_a_404(client: FlaskClient) -> None:
    """Similar documents of a document that does not exist: 404, not an empty list."""
    response = client.get("/api/v1/documents/0000000000000000/similar")
    assert_error_envelope(response, 404, code="document_not_found")


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "((((",
        ")",
        "AND OR NOT",
        "*",
        "?",
        "title:",
        "fire~~~",
        "a:b:c",
        "[",
        "{x TO",
        "\x00",
        "fire^",
        "-",
        '"',
        "%",
        "\\",
        "NOT",
        "💥",
    ],
)
def test_odd_query_syntax_never_crashes(client: FlaskClient, query: str) -> None:
    """Odd syntax is repaired (200) or rejected with the envelope (400), never a 500."""
    response = client.get("/api/v1/search", query_string={"q": query})
    if response.status_code != 200:
        assert_error_envelope(response, 400)
    else:
        assert response.get_json()["ok"] is True


def test_unknown_document_is_a_404(client: FlaskClient) -> None:
    """An id that is not in the store is a JSON 404."""
    response = client.get("/api/v1/documents/0000000000000000")
    assert_error_envelope(response, 404, code="document_not_found")


def test_impossible_document_id_is_a_404_not_a_lookup(client: FlaskClient) -> None:
    """A string that cannot be an id (too long, odd characters) is also a plain 404."""
    assert_error_envelope(client.get("/api/v1/documents/" + "a" * 500), 404)
    assert_error_envelope(client.get("/api/v1/documents/%3Cscript%3E"), 404)


def test_unknown_api_route_is_a_json_404(client: FlaskClient) -> None:
    """Paths under /api/ answer JSON even when no route matches."""
    assert_error_envelope(client.get("/api/v1/nope"), 404, code="not_found")


def test_wrong_method_is_a_json_405(client: FlaskClient) -> None:
    """POST to a GET endpoint is a 405 in the same envelope."""
    assert_error_envelope(client.post("/api/v1/search?q=fire"), 405, code="method_not_allowed")


@pytest.fixture
def empty_client(tmp_path: Path) -> FlaskClient:
    """A client on a data directory where nothing has been ingested or indexed."""
    return create_app({"TESTING": True, "DATA_DIR": tmp_path / "empty"}).test_client()


@pytest.mark.parametrize("path", ["/api/v1/search?q=fire", "/api/v1/stats", "/readyz"])
def test_no_index_is_a_503(empty_client: FlaskClient, path: str) -> None:
    """Without an index, search, stats and readiness answer 503 in the envelope."""
    assert_error_envelope(empty_client.get(path), 503, code="no_index")


def test_no_index_search_page_is_a_friendly_503(empty_client: FlaskClient) -> None:
    """People get a page that says what is wrong, not a stack trace."""
    response = empty_client.get("/search?q=fire")
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert "No index has been built yet" in response.get_data(as_text=True)


def test_no_index_home_page_still_works(empty_client: FlaskClient) -> None:
    """The home page stays up and explains that the archive is empty."""
    response = empty_client.get("/")
    assert response.status_code == 200
    assert "The archive is empty" in response.get_data(as_text=True)


def test_liveness_does_not_need_an_index(empty_client: FlaskClient) -> None:
    """/healthz answers as long as the process does."""
    response = empty_client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True).strip() == "ok"


def crashing_app(data_dir: Path) -> Flask:
    """An app with one extra route that fails the way a bug would."""
    app = create_app({"TESTING": True, "DATA_DIR": data_dir})

    def boom() -> str:
        raise RuntimeError("secret internal detail /etc/passwd")

    app.add_url_rule("/api/v1/_boom", "api_boom", boom)
    app.add_url_rule("/_boom", "page_boom", boom)
    return app


def test_crash_in_api_is_a_bare_500(indexed_data_dir: Path) -> None:
    """A bug answers 500 in the envelope, without the exception's text or a traceback."""
    response = crashing_app(indexed_data_dir).test_client().get("/api/v1/_boom")
    data = assert_error_envelope(response, 500, code="internal_error")
    body = response.get_data(as_text=True)
    assert "secret internal detail" not in body
    assert "RuntimeError" not in body
    assert data["error"]["message"]


def test_crash_in_page_is_a_friendly_500(indexed_data_dir: Path) -> None:
    """The HTML 500 page is friendly and shows nothing of the exception."""
    response = crashing_app(indexed_data_dir).test_client().get("/_boom")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body
    assert "secret internal detail" not in body
    assert "Traceback" not in body


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/search?q=fire&page=abc", 400, "page must be a whole number"),
        ("/search?q=fire&page=0", 400, "page must be between"),
        ("/search?q=fire&sort=bogus", 400, "sort must be one of"),
        (f"/search?q={LONG_QUERY}", 400, "longer than 500 characters"),
        ("/doc/0000000000000000", 404, "There is no document"),
        ("/no/such/page", 404, "There is no such page"),
    ],
)
def test_bad_page_request_is_a_friendly_html_error(
    client: FlaskClient, path: str, status: int, text: str
) -> None:
    """People see the status, a plain-language message and the search box again."""
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert text in body
    assert 'id="q"' in body
    assert "Traceback" not in body


def test_error_page_keeps_the_query_in_the_box(client: FlaskClient) -> None:
    """A too-long query comes back in the box, so the person can shorten it."""
    body = client.get("/search", query_string={"q": LONG_QUERY}).get_data(as_text=True)
    assert f'value="{LONG_QUERY.strip()}"' in body


def test_error_page_escapes_what_it_echoes(client: FlaskClient) -> None:
    """Text from the URL is shown escaped on an error page."""
    response = client.get("/doc/%3Cscript%3Ealert(1)")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)" in body


def test_405_names_the_allowed_methods(client: FlaskClient) -> None:
    """A wrong method says which ones are allowed, in the Allow header."""
    response = client.delete("/api/v1/stats")
    assert_error_envelope(response, 405, code="method_not_allowed")
    assert "GET" in response.headers["Allow"]
