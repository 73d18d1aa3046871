"""The OpenAPI description tells the truth: every endpoint's real answers match its schemas.

The description is checked as a valid OpenAPI 3.1 document, then each documented path is
called (successes and errors) and the body validated against the schema of the answer's
status code. Validation is strict here (no undocumented field), although clients must allow
fields to be added.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask.testing import FlaskClient

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")


@pytest.fixture(scope="module")
def spec(indexed_data_dir: Any) -> dict[str, Any]:
    """The served description (fetched once)."""
    from search_service import create_app

    app = create_app({"TESTING": True, "DATA_DIR": indexed_data_dir})
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    data: dict[str, Any] = response.get_json()
    return data


def strict(schema: Any) -> Any:
    """``schema`` with every object closed to undocumented properties."""
    schema = copy.deepcopy(schema)

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schema)
    return schema


def validate(spec: dict[str, Any], path: str, status: int, body: Any) -> None:
    """``body`` matches the schema the description gives ``path`` for ``status``."""
    responses = spec["paths"][path]["get"]["responses"]
    assert str(status) in responses, f"{path} answered an undocumented {status}"
    ref = responses[str(status)]["content"]["application/json"]["schema"]
    root = {"components": strict(spec["components"]), **ref}
    jsonschema.Draft202012Validator(
        root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(body)


def test_description_is_valid_openapi(spec: dict[str, Any]) -> None:
    """The document itself follows OpenAPI 3.1."""
    spec_validator = pytest.importorskip(
        "openapi_spec_validator", reason="openapi-spec-validator is not installed"
    )
    spec_validator.validate(spec)
    assert spec["openapi"].startswith("3.1")


def test_every_endpoint_is_described(client: FlaskClient, spec: dict[str, Any]) -> None:
    """Each /api/v1 route of the app has a path in the description, and no more."""
    app_paths = {
        rule.rule.removeprefix("/api/v1").replace("<doc_id>", "{doc_id}")
        for rule in client.application.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    assert app_paths == set(spec["paths"])


def some_doc_id(client: FlaskClient) -> str:
    return str(client.get("/api/v1/search?q=fire").get_json()["hits"][0]["id"])


#: (documented path, URL to call with {doc} for a real id, expected status)
CALLS = [
    ("/search", "/api/v1/search?q=notre+dame+fire", 200),
    ("/search", "/api/v1/search?q=according&page=2&size=3&sort=newest&facets=site,year", 200),
    ("/search", "/api/v1/search?q=fire&collapse=false&highlight=false&facets=", 200),
    ("/search", "/api/v1/search?q=fire&date_from=2019-01-01&date_to=2019-12-31&within=year", 200),
    ("/search", "/api/v1/search?q=fier", 200),
    ("/search", "/api/v1/search?q=zzzzqqqq", 200),
    ("/search", "/api/v1/search?q=fire&page=0", 400),
    ("/search", "/api/v1/search", 400),
    ("/documents/{doc_id}", "/api/v1/documents/{doc}", 200),
    ("/documents/{doc_id}", "/api/v1/documents/ffffffffffffffff", 404),
    ("/documents/{doc_id}/similar", "/api/v1/documents/{doc}/similar?size=3", 200),
    ("/documents/{doc_id}/similar", "/api/v1/documents/{doc}/similar?size=99", 400),
    ("/documents/{doc_id}/similar", "/api/v1/documents/ffffffffffffffff/similar", 404),
    ("/suggest", "/api/v1/suggest?q=notr", 200),
    ("/suggest", "/api/v1/suggest?q=x", 200),
    ("/suggest", "/api/v1/suggest", 400),
    ("/stats", "/api/v1/stats", 200),
    ("/openapi.json", "/api/v1/openapi.json", 200),
]


@pytest.mark.parametrize(("path", "url", "status"), CALLS)
def test_real_answers_match_the_description(
    client: FlaskClient, spec: dict[str, Any], path: str, url: str, status: int
) -> None:
    """The answer has the documented status and shape."""
    response = client.get(url.replace("{doc}", some_doc_id(client)))
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    validate(spec, path, status, response.get_json())


def test_no_index_answers_match_the_description(tmp_path: Any, spec: dict[str, Any]) -> None:
    """Without an index every endpoint that needs one answers the documented 503."""
    from search_service import create_app

    empty = create_app({"TESTING": True, "DATA_DIR": tmp_path}).test_client()
    for path, url in [
        ("/search", "/api/v1/search?q=fire"),
        ("/stats", "/api/v1/stats"),
        ("/suggest", "/api/v1/suggest?q=fi"),
    ]:
        response = empty.get(url)
        assert response.status_code == 503
        validate(spec, path, 503, response.get_json())


def test_rate_limited_answer_matches_the_description(
    indexed_data_dir: Any, spec: dict[str, Any]
) -> None:
    """Past the rate limit every endpoint answers the documented 429 envelope."""
    from search_service import create_app

    limited = create_app(
        {"TESTING": True, "DATA_DIR": indexed_data_dir, "RATE_LIMIT": "1 per minute"}
    ).test_client()
    limited.get("/api/v1/stats")
    response = limited.get("/api/v1/stats")
    if response.status_code != 429:
        pytest.skip("rate limiting is not installed in this app")
    validate(spec, "/stats", 429, response.get_json())
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
