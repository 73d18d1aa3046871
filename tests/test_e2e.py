"""End to end: the bundled sample through ingest and reindex, served by a real gunicorn."""

from __future__ import annotations

import html
import re

import pytest
import requests

from .conftest import LiveServer

pytestmark = pytest.mark.e2e


def test_search_page_and_api_over_real_gunicorn(gunicorn_server: LiveServer) -> None:
    base = gunicorn_server.url
    page = requests.get(base + "/search", params={"q": "Notre Dame"}, timeout=10)
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    assert "<mark>" in page.text
    assert "Notre Dame in Paris catches fire" in html.unescape(re.sub(r"<[^>]+>", "", page.text))

    api = requests.get(base + "/api/v1/search", params={"q": "Notre Dame", "size": 5}, timeout=10)
    assert api.status_code == 200
    payload = api.json()
    assert payload["ok"] is True and payload["size"] == 5 and payload["page"] == 1
    assert payload["total"] >= 1 and payload["hits"]
    assert "Notre Dame" in payload["hits"][0]["title"]


def test_hostile_title_is_served_as_text(gunicorn_server: LiveServer) -> None:
    page = requests.get(gunicorn_server.url + "/search", params={"q": "frog skull"}, timeout=10)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_bad_requests_get_4xx_json(gunicorn_server: LiveServer) -> None:
    base = gunicorn_server.url
    for params in ({"q": "x", "size": "1000"}, {"q": "x", "page": "abc"}, {"q": "x" * 10_000}):
        resp = requests.get(base + "/api/v1/search", params=params, timeout=10)
        assert resp.status_code == 400
        assert resp.json()["ok"] is False


def test_healthz(gunicorn_server: LiveServer) -> None:
    assert requests.get(gunicorn_server.url + "/healthz", timeout=5).status_code == 200
