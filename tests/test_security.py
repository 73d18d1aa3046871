"""Security checks against the real gunicorn: headers, rate limiting, loopback bind, and no
path from a request to the file system.

Why on the real server: headers, routing of odd paths (``..``, ``%2e%2e``, raw bytes) and
the bind address are decided by gunicorn + werkzeug + the app together; a test client
would skip the part an attacker talks to.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from .conftest import ROOT, LiveServer

HTML_PAGES = ("/", "/search?q=fire", "/tips", "/embedding", "/search?q=zzzzqqq")
#: Bytes that would prove a file's content reached the client.
FILE_SIGNATURES = (b"SQLite format 3", b"root:x:0:0", b"[project]", b"from search_service",
                   b"import ", b"PRIVATE KEY")


def _csp(resp: requests.Response) -> dict[str, str]:
    policy = resp.headers.get("Content-Security-Policy", "")
    out = {}
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            out[name] = value.strip()
    return out


def _doc_id(live_server: str) -> str:
    return requests.get(f"{live_server}/api/v1/search?q=fire", timeout=30).json()["hits"][0]["id"]


# -- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", HTML_PAGES)
def test_pages_send_a_strict_csp_and_the_other_security_headers(live_server: str, path: str) -> None:
    resp = requests.get(live_server + path, timeout=30)
    assert resp.status_code == 200
    csp = _csp(resp)
    assert csp, "no Content-Security-Policy"
    assert "'unsafe-inline'" not in resp.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in resp.headers["Content-Security-Policy"]
    assert csp.get("script-src") == "'self'"
    assert csp.get("default-src") == "'none'"
    assert csp.get("frame-ancestors") == "'none'"  # our pages are never framed
    assert csp.get("base-uri") == "'none'"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin",
                                               "strict-origin-when-cross-origin"}


def test_the_document_page_has_the_same_headers(live_server: str) -> None:
    resp = requests.get(f"{live_server}/doc/{_doc_id(live_server)}", timeout=30)
    assert resp.status_code == 200
    assert _csp(resp).get("frame-ancestors") == "'none'"
    assert "'unsafe-inline'" not in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", [*HTML_PAGES, "/embed?q=fire"])
def test_pages_hold_no_inline_script_the_csp_would_block(live_server: str, path: str) -> None:
    """The CSP forbids inline script: a page that had some would break, so none may."""
    html = requests.get(live_server + path, timeout=30).text
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
        assert re.search(r"\bsrc\s*=", tag, flags=re.I), f"inline script on {path}: {tag}"
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html, flags=re.I), f"inline handler on {path}"
    assert "javascript:" not in html.lower()


def test_the_embed_widget_may_be_framed_by_any_site_but_stays_strict(live_server: str) -> None:
    resp = requests.get(f"{live_server}/embed?q=fire", timeout=30)
    assert resp.status_code == 200
    csp = _csp(resp)
    assert csp.get("frame-ancestors") == "*"
    assert "X-Frame-Options" not in resp.headers  # it would override frame-ancestors in old browsers
    assert csp.get("script-src") == "'self'"
    assert "'unsafe-inline'" not in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_the_embedding_page_may_frame_its_own_widget(live_server: str) -> None:
    resp = requests.get(f"{live_server}/embedding", timeout=30)
    assert _csp(resp).get("frame-src") == "'self'"
    assert "/embed" in resp.text


def test_api_answers_are_not_sniffable(live_server: str) -> None:
    for path in ("/api/v1/search?q=fire", "/api/v1/search?q=", "/api/v1/documents/nope"):
        resp = requests.get(live_server + path, timeout=30)
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Content-Type"].startswith("application/json")


# -- rate limit -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited_server(indexed_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[str]:
    """A gunicorn of its own, one worker (the limit counts per worker), 5 requests a minute
    (the shared test server lifts the limit for every other test)."""
    server = LiveServer(
        indexed_data_dir, tmp_path_factory.mktemp("limited") / "g.log",
        env={"SEARCH_SERVICE_WORKERS": "1", "SEARCH_SERVICE_RATE_LIMIT": "5 per minute"},
    )
    yield server.url
    server.stop()


def test_a_burst_gets_429_with_retry_after(limited_server: str) -> None:
    codes = []
    last = None
    for _ in range(15):
        last = requests.get(f"{limited_server}/api/v1/search?q=fire", timeout=30)
        codes.append(last.status_code)
    assert codes[:5] == [200] * 5
    assert codes[5:] == [429] * 10
    assert last is not None
    assert int(last.headers["Retry-After"]) > 0
    assert last.json()["ok"] is False
    pages = [requests.get(f"{limited_server}/embed?q=fire", timeout=30) for _ in range(7)]
    assert pages[-1].status_code == 429 and int(pages[-1].headers["Retry-After"]) > 0
    assert pages[-1].headers["Content-Type"].startswith("text/html")
    # probes stay answerable: a limited client must not look like a dead server
    assert requests.get(f"{limited_server}/healthz", timeout=30).status_code == 200
    assert requests.get(f"{limited_server}/readyz", timeout=30).status_code == 200


def test_one_allowance_per_client_across_pages_and_api(limited_server: str) -> None:
    for _ in range(6):
        requests.get(f"{limited_server}/api/v1/search?q=council", timeout=30)
    assert requests.get(f"{limited_server}/search?q=council", timeout=30).status_code == 429


# -- bind -------------------------------------------------------------------------------------


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if not k.startswith("SEARCH_SERVICE_") or k == "SEARCH_SERVICE_RATE_LIMIT"}


def test_gunicorn_settings_bind_to_loopback_by_default(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import search_service.gunicorn_conf as c; print(c.bind)"],
        cwd=tmp_path, env={**_clean_env(), "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == "127.0.0.1:8000"


def test_serve_execs_gunicorn_on_loopback_unless_told(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    from click.testing import CliRunner

    from search_service import cli as cli_module

    for key in list(os.environ):
        if key.startswith("SEARCH_SERVICE_") and key != "SEARCH_SERVICE_RATE_LIMIT":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    seen: dict[str, str] = {}

    def fake_execve(path: str, args: list[str], env: dict[str, str]) -> None:
        seen.update(env)
        raise SystemExit(0)

    monkeypatch.setattr(cli_module.os, "execve", fake_execve)
    CliRunner().invoke(cli_module.cli, ["serve", "--data-dir", str(tmp_path)])
    assert seen["SEARCH_SERVICE_HOST"] == "127.0.0.1"


def test_the_running_server_listens_on_loopback_only(gunicorn_server: LiveServer) -> None:
    import psutil

    master = psutil.Process(gunicorn_server.proc.pid)
    listening = [c for p in [master, *master.children()] for c in p.net_connections("tcp")
                 if c.status == psutil.CONN_LISTEN]
    assert listening
    assert {c.laddr.ip for c in listening} == {"127.0.0.1"}


# -- no path to the file system ----------------------------------------------------------------

TRAVERSALS = (
    "/doc/../../etc/passwd",
    "/doc/..%2f..%2f..%2fetc%2fpasswd",
    "/doc/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/doc/%252e%252e%252fetc%252fpasswd",
    "/doc/a/b",
    "/doc/a%2fb",
    "/doc/%00",
    "/doc/..",
    "/doc/.",
    "/static/../store.sqlite3",
    "/static/..%2fstore.sqlite3",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/static/../../pyproject.toml",
    "/static/..\\..\\pyproject.toml",
    "/static/....//....//etc/passwd",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/%00",
    "/static/../__init__.py",
    "/static/../../wsgi.py",
    "/api/v1/documents/..%2f..%2fstore.sqlite3",
    "/api/v1/documents/../../store.sqlite3",
    "/api/v1/documents/a%2fb",
    "/api/v1/documents/%2e%2e",
    "/api/v1/documents/%00",
    "/embed/../../store.sqlite3",
    "/store.sqlite3",
    "/index/CURRENT",
    "/../pyproject.toml",
    "/%2e%2e/pyproject.toml",
)


def _raw_get(url: str, target: str) -> tuple[int, bytes]:
    """GET ``target`` exactly as written (no client-side normalisation of ``..``)."""
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                     .encode("latin-1"))
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_path_reaches_a_file(live_server: str, target: str) -> None:
    status, body = _raw_get(live_server, target)
    if status in {301, 308}:  # werkzeug merges slashes: the redirect must stay in /static
        location = re.search(rb'href="http://[^/"]+(/[^"]*)"', body)
        assert location and location.group(1).startswith(b"/static/"), body[:300]
        status, body = _raw_get(live_server, location.group(1).decode("latin-1"))
    assert status in {400, 404}, (status, body[:200])
    for signature in FILE_SIGNATURES:
        assert signature not in body


@pytest.mark.parametrize("param", ["q", "site", "author", "sort", "date_from"])
def test_no_parameter_reaches_a_file(live_server: str, param: str) -> None:
    for value in ("../../etc/passwd", "..%2f..%2fstore.sqlite3", "/etc/passwd",
                  "file:///etc/passwd", "%00"):
        for base in ("/search", "/api/v1/search", "/embed", "/search.rss"):
            status, body = _raw_get(live_server, f"{base}?q=fire&{param}={value}"
                                    if param != "q" else f"{base}?q={value}")
            assert status in {200, 400, 404}, (base, param, value, status)
            for signature in FILE_SIGNATURES:
                assert signature not in body, (base, param, value)


def test_a_static_file_is_still_served(live_server: str) -> None:
    """The checks above are meaningful only if /static/ serves its own files."""
    html = requests.get(live_server + "/", timeout=30).text
    css = re.search(r'href="(/static/[^"?]+\.css)', html)
    assert css, "no stylesheet link on the home page"
    assert requests.get(live_server + css.group(1), timeout=30).status_code == 200
