"""The baseline peer for bench/load.py: SQLite FTS5 over the same documents, same kind of app.

    PEER_FTS5_DB=/tmp/.../peer-fts5.sqlite3 gunicorn -c python:search_service.gunicorn_conf bench.peer_fts5:app

Why a peer: a requests/s figure alone says nothing about whether Whoosh behind Flask is fast
enough; FTS5 is what a small self-hosted search would otherwise be built on. The peer reads
the store's ``documents`` table once into its own FTS5 file (porter stemming, BM25 with the
title weighted 2x, like ours favours titles) and answers the same paths as ours:
``/search?q=`` (an escaped HTML page) and ``/api/v1/search?q=&site=&sort=&page=&size=``
(JSON with an exact total and highlighted snippets). It does less than ours (no story
collapsing, facets, spelling or query repair), so the ratio is an upper bound on what
Whoosh costs us, not a like-for-like feature comparison. Bench-only: nothing in the service
imports it.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, render_template_string, request

_TOKEN = re.compile(r"\w+", re.UNICODE)
_PHRASE = re.compile(r'"([^"]*)"')
PAGE_SIZE = 10
MAX_SIZE = 100

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ q }} - peer</title>
</head><body><form action="/search"><input name="q" value="{{ q }}"></form>
<p>{{ total }} results</p><ol>{% for h in hits %}<li><a href="{{ h.url }}">{{ h.title }}</a>
<div>{{ h.site }} {{ h.published }}</div><p>{{ h.snippet }}</p></li>{% endfor %}</ol></body></html>"""


def build_fts(data_dir: Path, target: Path | None = None) -> Path:
    """Copy the store's articles into an FTS5 table (once; reused while the store is older)."""
    store = data_dir / "store.sqlite3"
    target = target or data_dir.parent / f"{data_dir.name}-peer-fts5.sqlite3"
    if target.exists() and target.stat().st_mtime > store.stat().st_mtime:
        return target
    tmp = target.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    db.executescript(
        "CREATE VIRTUAL TABLE docs USING fts5(title, body, id UNINDEXED, url UNINDEXED, "
        "site UNINDEXED, published UNINDEXED, tokenize='porter unicode61');"
    )
    src = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    rows = src.execute(
        "SELECT title, body, id, url, site, published FROM documents WHERE kind='article'"
    )
    with db:
        db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", rows)
    db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    db.commit()
    db.close()
    src.close()
    os.replace(tmp, target)
    return target


def fts_query(text: str) -> str:
    """User text -> an FTS5 MATCH expression: phrases kept, every other word quoted (AND)."""
    parts = []
    for phrase in _PHRASE.findall(text):
        words = _TOKEN.findall(phrase)
        if words:
            parts.append('"' + " ".join(words) + '"')
    for word in _TOKEN.findall(_PHRASE.sub(" ", text)):
        if word.upper() not in {"AND", "OR", "NOT"}:
            parts.append(f'"{word}"')
    return " ".join(parts[:32])


_local = threading.local()


def _db() -> sqlite3.Connection:
    """One read-only connection per gthread thread (sqlite3 objects are per thread)."""
    conn = getattr(_local, "db", None)
    if conn is None:
        path = os.environ["PEER_FTS5_DB"]
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        _local.db = conn
    return conn


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValueError(name)
    return int(raw)


def search(args: Any) -> dict[str, Any]:
    """Total and one page of hits, BM25-ranked (or newest first), optionally one site."""
    match = fts_query(args.get("q", ""))
    page = _int("page", 1, 1, 1000)
    size = _int("size", PAGE_SIZE, 1, MAX_SIZE)
    if not match:
        return {"total": 0, "hits": [], "page": page, "size": size}
    where = "docs MATCH ?"
    params: list[Any] = [match]
    if args.get("site"):
        where += " AND site = ?"
        params.append(args["site"])
    order = "published DESC" if args.get("sort") == "newest" else "bm25(docs, 2.0, 1.0)"
    db = _db()
    total = db.execute(f"SELECT count(*) FROM docs WHERE {where}", params).fetchone()[0]
    rows = db.execute(
        f"SELECT id, url, title, site, published, "
        f"snippet(docs, 1, '<mark>', '</mark>', '…', 24) AS snippet "
        f"FROM docs WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, size, (page - 1) * size],
    ).fetchall()
    return {"total": total, "page": page, "size": size, "hits": [dict(r) for r in rows]}


def create_app() -> Flask:
    """The peer's app: the same two search paths as ours, plus /healthz."""
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok\n", mimetype="text/plain")

    @app.get("/api/v1/search")
    def api_search() -> Response:
        try:
            return jsonify({"ok": True, **search(request.args)})
        except (ValueError, sqlite3.OperationalError) as err:
            return jsonify({"ok": False, "error": str(err)}), 400  # type: ignore[return-value]

    @app.get("/search")
    def page_search() -> str:
        try:
            found = search(request.args)
        except (ValueError, sqlite3.OperationalError):
            found = {"total": 0, "hits": []}
        return render_template_string(PAGE, q=request.args.get("q", ""), **found)

    return app


app = create_app()
