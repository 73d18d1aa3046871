"""HTTP caching and cross-origin headers for the read-only JSON endpoints.

Why here and not in each view: every cacheable answer gets the same treatment (a strong ETag
from the body, so a client's ``If-None-Match`` gets a bodiless 304 after the same search,
and a short ``Cache-Control`` because a reindex may change any answer), and the CORS rule
(the ``cors_origins`` setting) must be identical on every endpoint the embed.js widget calls.
A few lines of our own are simpler than flask-cors here: only GET is allowed, no credentials.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from flask import Request, Response

#: Seconds a client or proxy may reuse an answer without asking again, by kind of answer.
MAX_AGE_SEARCH = 60
MAX_AGE_DOCUMENT = 300
MAX_AGE_STATIC_SPEC = 3600
MAX_AGE_FEED = 900


def allowed_origin(origin: str | None, setting: str) -> str | None:
    """The ``Access-Control-Allow-Origin`` value for ``origin``, or None to send none.

    ``setting`` is ``*`` (any origin: the API is public and read-only, no cookies are used),
    a comma-separated list of origins, or empty (no cross-origin reads).
    """
    allowed = {part.strip().rstrip("/") for part in setting.split(",") if part.strip()}
    if "*" in allowed:
        return "*"
    if origin and origin.rstrip("/") in allowed:
        return origin
    return None


def add_cors_headers(response: Response, request: Request, setting: str) -> Response:
    """Let pages on the allowed origins read this answer (errors included, so widgets can
    show the message)."""
    value = allowed_origin(request.headers.get("Origin"), setting)
    if value != "*":
        response.vary.add("Origin")  # the answer differs by origin: caches must key on it
    if value is None:
        return response
    response.headers["Access-Control-Allow-Origin"] = value
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    response.headers["Access-Control-Max-Age"] = "600"
    return response


def answer_tag(generation: str | None, request: Request) -> str | None:
    """A validator for an answer: the same request on the same index generation gets the same
    results (``took_ms`` aside, hence a weak ETag), and quick ranges (``within``) are counted
    from today, so the day is part of it. None when no generation is open yet."""
    if not generation:
        return None
    day = datetime.now(UTC).date().isoformat() if "within" in request.args else ""
    key = f"{generation}|{request.full_path}|{day}"
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def make_cacheable(
    response: Response, request: Request, max_age: int, tag: str | None = None
) -> Response:
    """ETag and ``Cache-Control``; answers 304 when the client has the answer already.

    ``tag`` (from :func:`answer_tag`) makes a weak ETag; without it the body is hashed.
    Only successful GET/HEAD answers are cached: an error may be gone on the next try.
    """
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if tag:
        response.set_etag(tag, weak=True)
    else:
        response.add_etag()
    response.make_conditional(request)  # turns it into a 304 in place when the tag matches
    return response
