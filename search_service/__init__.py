"""search-service: the Flask app and CLI that wire ingest and index together."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from search_service.config import load_settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build a configured app: settings, then ``config`` (tests pass ``DATA_DIR`` here).

    Nothing opens the index here: gunicorn imports ``wsgi.py`` before it forks, so the
    Searcher is opened lazily, once per worker process (``extensions.get_searcher``).
    """
    app = Flask(__name__)
    # Static files (style.css, embed.js on other sites' pages) may be cached for an hour.
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600
    settings = load_settings()
    app.config.update(settings.as_flask_config())
    if config:
        app.config.update(config)

    from search_service import api, embed, errors, extensions, metrics, pages, ratelimit

    extensions.init_app(app)
    errors.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(embed.bp)
    ratelimit.init_app(app)
    return app
