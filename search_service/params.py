"""What a request asks for, shared by the pages and the JSON API: a SearchRequest, a document.

Parsing is strict (``page=abc`` or ``page=1.5`` is a 400 naming ``page``, never a 500 or a
silent default), and bounds are checked by :meth:`SearchRequest.validate`, so the pages and
the API reject exactly the same inputs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from typing import Any

from index import models
from index.models import InvalidRequest, SearchRequest
from ingest.document import Document
from search_service.errors import BadRequest, NotFound
from search_service.extensions import get_searcher
from search_service.messages import msg

_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})

#: A document id is 16 hex digits (``ingest.document.make_doc_id``); allow some slack, but
#: never hand an unbounded string to the store.
_DOC_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: Longest site or author name worth looking up (a DNS name is at most 253 characters).
MAX_KEY_CHARS = 253


def parse_int(args: Mapping[str, str], name: str, default: int) -> int:
    """A whole-number parameter, or ``default`` when absent or empty."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not _WHOLE_NUMBER.fullmatch(raw):
        raise BadRequest(msg("error.not_int", param=name), code="invalid_parameter", param=name)
    return int(raw)


def parse_bool(args: Mapping[str, str], name: str, default: bool) -> bool:
    """A true/false parameter (1/0, true/false, yes/no, on/off)."""
    raw = (args.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise BadRequest(msg("error.not_bool", param=name), code="invalid_parameter", param=name)


def parse_text(args: Mapping[str, str], name: str) -> str | None:
    """An optional text parameter, stripped; empty means absent."""
    value = (args.get(name) or "").strip()
    if len(value) > MAX_KEY_CHARS:
        raise BadRequest(
            msg("error.too_long", param=name, limit=MAX_KEY_CHARS),
            code="invalid_parameter",
            param=name,
        )
    return value or None


def parse_day(args: Mapping[str, str], name: str, *, end_of_day: bool = False) -> datetime | None:
    """A ``YYYY-MM-DD`` parameter as a UTC instant: the day's start, or its last microsecond."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        if not _DAY.fullmatch(raw):
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(
            msg("error.not_date", param=name), code="invalid_parameter", param=name
        ) from None
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start + timedelta(days=1, microseconds=-1) if end_of_day else start


def query_text(args: Mapping[str, str]) -> str:
    """The query as typed, trimmed of surrounding whitespace (may be empty)."""
    return (args.get("q") or "").strip()


#: Quick date ranges (``within=week``); the index defines them, older indexes have none.
WITHIN: tuple[str, ...] = tuple(getattr(models, "WITHIN", ()))
#: Facets a caller may ask for (``facets=site,author``); ``facets=`` (empty) asks for none.
FACET_NAMES = ("site", "author", "year", "month")


def parse_facets(args: Mapping[str, str], name: str = "facets") -> tuple[str, ...]:
    """Which facet counts to return: all when absent, none when empty, else the named ones."""
    if name not in args:
        return FACET_NAMES
    wanted = tuple(part.strip() for part in args[name].split(",") if part.strip())
    unknown = [part for part in wanted if part not in FACET_NAMES]
    if unknown:
        raise BadRequest(
            msg("error.not_one_of", param=name, choices=", ".join(FACET_NAMES)),
            code="invalid_parameter",
            param=name,
        )
    return wanted


def parse_choice(args: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str | None:
    """An optional parameter that must be one of ``choices``."""
    value = parse_text(args, name)
    if value is not None and value not in choices:
        raise BadRequest(
            msg("error.not_one_of", param=name, choices=", ".join(choices)),
            code="invalid_parameter",
            param=name,
        )
    return value


def request_fields() -> frozenset[str]:
    """Fields the installed SearchRequest has (the ranking work adds some over time)."""
    return frozenset(f.name for f in fields(SearchRequest))


def search_request(
    args: Mapping[str, str], *, default_size: int, allow_size: bool = True
) -> SearchRequest:
    """The SearchRequest the query string asks for, validated.

    Optional fields (``within``, ``highlight``, ``recency``) are passed only when the
    installed ``SearchRequest`` knows them, so this module works across index versions.

    Raises:
        BadRequest: a parameter is malformed or out of bounds; ``param`` names it.
    """
    values: dict[str, Any] = {
        "q": query_text(args),
        "page": parse_int(args, "page", 1),
        "size": parse_int(args, "size", default_size) if allow_size else default_size,
        "sort": parse_text(args, "sort") or "relevance",
        "site": parse_text(args, "site"),
        "author": parse_text(args, "author"),
        "date_from": parse_day(args, "date_from"),
        "date_to": parse_day(args, "date_to", end_of_day=True),
        "collapse": parse_bool(args, "collapse", True),
        "highlight": parse_bool(args, "highlight", True),
        "within": parse_choice(args, "within", WITHIN) if WITHIN else None,
        "recency": parse_bool(args, "recency", False),
    }
    known = request_fields()
    request = SearchRequest(**{k: v for k, v in values.items() if k in known})
    try:
        request.validate()
    except InvalidRequest as err:
        raise BadRequest(str(err), code="invalid_parameter", param=err.param) from None
    if request.date_from and request.date_to and request.date_from > request.date_to:
        raise BadRequest(msg("error.date_order"), code="invalid_parameter", param="date_to")
    return request


def day_text(instant: datetime | None) -> str | None:
    """The ``YYYY-MM-DD`` a date parameter was given as (for links and JSON echoes)."""
    return instant.date().isoformat() if instant else None


def require_query(request: SearchRequest) -> None:
    """The API needs a query; an empty one is a 400 naming ``q``."""
    if not request.q:
        raise BadRequest(msg("error.required", param="q"), code="invalid_parameter", param="q")


def find_document(doc_id: str) -> Document:
    """The stored document, or a 404 (also for strings that cannot be an id)."""
    document = get_searcher().document(doc_id) if _DOC_ID.fullmatch(doc_id) else None
    if document is None:
        raise NotFound(msg("error.doc_not_found", doc_id=doc_id[:64]), code="document_not_found")
    return document
