"""HTTP errors: views only raise, and one handler answers in the caller's format.

``index`` raises errors that know nothing of HTTP; :data:`SEARCH_ERRORS` is the one table
that gives each a status and a stable machine-readable code. The handler answers
``{"ok": false, "status": ..., "error": {"code", "message"[, "param"]}}`` for JSON paths
and an escaped, friendly HTML page otherwise. A 500 never shows a traceback: it is logged.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response, current_app, jsonify, render_template, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from index.models import (
    IndexLocked,
    IndexUnreadable,
    InvalidQuery,
    InvalidRequest,
    NoIndexYet,
    SearchError,
)
from search_service.messages import MESSAGES, msg

#: Paths answered with the JSON error envelope rather than an HTML page.
JSON_PREFIXES = ("/api/", "/readyz")


class ServiceError(Exception):
    """An error a view raises; it carries its HTTP status and a stable ``code``."""

    status = 500
    code = "internal_error"
    default_message_key = "error.500"

    def __init__(
        self, message: str | None = None, *, code: str | None = None, param: str | None = None
    ) -> None:
        self.message = message or msg(self.default_message_key)
        super().__init__(self.message)
        if code:
            self.code = code
        self.param = param


class BadRequest(ServiceError):
    """Raised when a parameter or the query cannot be used as given."""

    status = 400
    code = "bad_request"
    default_message_key = "error.400"


class NotFound(ServiceError):
    """Raised when a document or page does not exist."""

    status = 404
    code = "not_found"
    default_message_key = "error.404"


class IndexUnavailable(ServiceError):
    """Raised when there is no index to search (not built yet, or being swapped)."""

    status = 503
    code = "index_unavailable"
    default_message_key = "error.503"


#: The one mapping from ``index`` errors to HTTP: (error class, code, message key or None).
#: ``None`` keeps the index's own message, which names the parameter or the query problem.
SEARCH_ERRORS: tuple[tuple[type[SearchError], type[ServiceError], str, str | None], ...] = (
    (InvalidRequest, BadRequest, "invalid_parameter", None),
    (InvalidQuery, BadRequest, "invalid_query", None),
    (IndexUnreadable, IndexUnavailable, "index_unreadable", "error.503.unreadable"),
    (NoIndexYet, IndexUnavailable, "no_index", "error.503.no_index"),
    (IndexLocked, IndexUnavailable, "index_locked", "error.503.locked"),
)


def from_search_error(err: SearchError) -> ServiceError:
    """The HTTP error for an ``index`` error (a 500 for one the table does not know)."""
    for error_class, service_class, code, message_key in SEARCH_ERRORS:
        if isinstance(err, error_class):
            message = msg(message_key) if message_key else _search_error_message(err)
            return service_class(message, code=code, param=getattr(err, "param", None))
    return ServiceError()


def _search_error_message(err: SearchError) -> str:
    detail = str(err)
    if isinstance(err, InvalidQuery):
        return msg("error.query", detail=detail)
    return detail


def from_http_exception(err: HTTPException) -> ServiceError:
    """Werkzeug's routing errors (404, 405, ...) in our shape, with our wording."""
    status = err.code or 500
    key = f"error.{status}"
    error = ServiceError(msg(key) if key in MESSAGES else err.description)
    error.status = status
    error.code = HTTP_CODES.get(status, "http_error")
    return error


#: Codes for the HTTP errors Werkzeug raises itself (unknown routes, wrong methods).
HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    429: "rate_limited",
    500: "internal_error",
}


def to_service_error(err: Exception) -> ServiceError:
    """Any exception as a :class:`ServiceError`; unknown ones become a bare 500."""
    if isinstance(err, ServiceError):
        return err
    if isinstance(err, SearchError):
        return from_search_error(err)
    if isinstance(err, HTTPException):
        return from_http_exception(err)
    return ServiceError()


def error_payload(error: ServiceError) -> dict[str, Any]:
    """The JSON error envelope that every API client can rely on."""
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.param:
        body["param"] = error.param
    return {"ok": False, "status": error.status, "error": body}


def json_error(error: ServiceError) -> Response:
    """The envelope as a response with the error's status."""
    response = jsonify(error_payload(error))
    response.status_code = error.status
    return response


def wants_json(req: Request) -> bool:
    """JSON for the API and the readiness probe, HTML for people."""
    return req.path.startswith(JSON_PREFIXES)


def handle_error(err: Exception) -> Response | HTTPException:
    """The one handler for everything a view lets escape."""
    if isinstance(err, HTTPException) and (err.code or 500) < 400:
        return err  # redirects and the like are not errors
    error = to_service_error(err)
    if error.status >= 500 and not isinstance(err, (ServiceError, SearchError, HTTPException)):
        # The traceback goes to the log only; the person sees a plain message.
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    response = json_error(error) if wants_json(request) else html_error(error)
    if isinstance(err, HTTPException):
        # keep what the protocol requires, such as Allow on a 405
        for name, value in err.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
    return response


def html_error(error: ServiceError) -> Response:
    """The friendly page as a response with the error's status."""
    return Response(render_error_page(error), status=error.status, mimetype="text/html")


def render_error_page(error: ServiceError) -> str:
    """The friendly page; if even that fails, a bare escaped one (never a traceback)."""
    try:
        return render_template("error.html", error=error)
    except Exception:  # the error page must not fail in turn; the log has the cause
        current_app.logger.exception("error page failed to render")
        return f"<!doctype html><title>{error.status}</title><p>{escape(error.message)}</p>"


def init_app(app: Flask) -> None:
    """Route every exception through :func:`handle_error`."""
    app.register_error_handler(Exception, handle_error)
