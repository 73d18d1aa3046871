"""Per-process state kept on the app: the lazily opened Searcher."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from index.search import Searcher

EXTENSION_KEY = "search_service"


def init_app(app: Flask) -> None:
    """Register an empty slot; the Searcher opens on first use, after gunicorn forks."""
    app.extensions[EXTENSION_KEY] = {"searcher": None}


def get_searcher(app: Flask | None = None) -> Searcher:
    """The app's Searcher, opened on first call. It reopens by itself when a reindex
    publishes a new generation, so it is kept for the life of the worker."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    slot = app.extensions[EXTENSION_KEY]
    if slot["searcher"] is None:
        slot["searcher"] = Searcher(
            Path(app.config["DATA_DIR"]),
            postings_cache_mb=int(app.config.get("POSTINGS_CACHE_MB", 0)),
        )
    searcher: Searcher = slot["searcher"]
    return searcher
