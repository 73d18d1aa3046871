"""Rate limiting per client address (Flask-Limiter), answered with 429 and Retry-After.

Counters live in each worker process's memory: no extra service to run, at the price of a
limit that applies per worker (a client spread over N workers gets up to N times the rate).
Point Flask-Limiter at Redis (``storage_uri``) when one shared counter matters.
"""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

#: Paths that probes and scrapers of the service itself call: never limited.
EXEMPT_PATHS = ("/healthz", "/readyz", "/metrics", "/static/")
#: Autocomplete asks once per pause in typing: it gets its own, larger allowance
#: (SUGGEST_FACTOR times the setting) instead of eating into the searches'.
SUGGEST_ENDPOINT = "api.suggest"
SUGGEST_FACTOR = 10


def _exempt() -> bool:
    return request.path.startswith(EXEMPT_PATHS) or request.endpoint == SUGGEST_ENDPOINT


def _scaled(rate: str, factor: int) -> str:
    """``"120 per minute"`` -> ``"1200 per minute"`` (each ';'-separated limit scaled)."""
    out = []
    for part in rate.split(";"):
        count, _, rest = part.strip().partition(" ")
        out.append(f"{int(count) * factor} {rest}" if count.isdigit() else part.strip())
    return ";".join(out)


def init_app(app: Flask) -> Limiter | None:
    """Limit every route but the probes, at the ``RATE_LIMIT`` setting (``off`` disables).

    Call after the blueprints are registered (the suggestions endpoint is wrapped).
    """
    rate = str(app.config.get("RATE_LIMIT", "") or "").strip()
    if not rate or rate.lower() in {"off", "0", "none", "false"}:
        return None
    # application_limits: one allowance per client shared by every route (default_limits
    # would grant the full rate again on each endpoint).
    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        application_limits=[rate],
        application_limits_exempt_when=_exempt,
        storage_uri="memory://",
        headers_enabled=True,
        strategy="moving-window",
    )
    view = app.view_functions.get(SUGGEST_ENDPOINT)
    if view is not None:
        app.view_functions[SUGGEST_ENDPOINT] = limiter.limit(_scaled(rate, SUGGEST_FACTOR))(view)
    return limiter
