"""The JSON API under /api/v1/: search, documents, similar documents, suggestions, stats.

The field names here are a contract other programs rely on (docs/api.md and the OpenAPI
description at /api/v1/openapi.json, which a test checks against these answers): add fields,
never rename or remove them. Errors use the envelope from ``errors.error_payload``. Every
endpoint is read-only, so browsers on the origins in the ``cors_origins`` setting may call it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from index.models import MAX_QUERY_CHARS, Hit, SearchResults
from ingest.document import Document
from search_service import http_cache, lookups
from search_service.errors import BadRequest
from search_service.extensions import get_searcher
from search_service.formatting import highlight_html, iso_value
from search_service.messages import msg
from search_service.openapi import openapi_document
from search_service.params import (
    day_text,
    find_document,
    parse_facets,
    parse_int,
    query_text,
    require_query,
    search_request,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

#: How long each endpoint's answer may be reused (see http_cache).
MAX_AGES = {
    "api.document": http_cache.MAX_AGE_DOCUMENT,
    "api.similar": http_cache.MAX_AGE_DOCUMENT,
    "api.openapi": http_cache.MAX_AGE_STATIC_SPEC,
}


@bp.get("/search")
def search() -> Response:
    """``?q=`` plus every SearchRequest parameter -> one page of hits and facet counts."""
    search_req = search_request(request.args, default_size=current_app.config["PAGE_SIZE"])
    require_query(search_req)
    facets = parse_facets(request.args)
    return jsonify(search_payload(get_searcher().search(search_req), facets))


@bp.get("/documents/<doc_id>")
def document(doc_id: str) -> Response:
    """The full cleaned document."""
    return jsonify({"ok": True, "document": document_payload(find_document(doc_id))})


@bp.get("/documents/<doc_id>/similar")
def similar(doc_id: str) -> Response:
    """Documents about the same thing (other stories; copies of this one are left out)."""
    doc = find_document(doc_id)
    size = bounded_int("size", 5, lookups.MAX_SIMILAR)
    hits = lookups.similar(get_searcher(), doc.id, size)
    return jsonify({"ok": True, "id": doc.id, "hits": [hit_payload(hit) for hit in hits]})


@bp.get("/suggest")
def suggest() -> Response:
    """Autocomplete: query texts completing ``q`` (empty for fewer than two letters)."""
    text = query_text(request.args)
    require_query_text(text)
    limit = bounded_int("limit", 8, lookups.MAX_SUGGESTIONS)
    return jsonify(
        {"ok": True, "q": text, "suggestions": lookups.suggestions(get_searcher(), text, limit)}
    )


@bp.get("/stats")
def stats() -> Response:
    """What the archive holds: counts, sites, date span, live generation."""
    return jsonify(stats_payload(get_searcher().stats()))


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document(request.host_url.rstrip("/")))


@bp.after_request
def cache_and_share(response: Response) -> Response:
    """ETag and Cache-Control on successful reads; CORS headers on every answer."""
    max_age = MAX_AGES.get(request.endpoint or "", http_cache.MAX_AGE_SEARCH)
    tag = None
    if request.endpoint != "api.openapi":
        tag = http_cache.answer_tag(getattr(get_searcher(), "generation", None), request)
    response = http_cache.make_cacheable(response, request, max_age, tag)
    return http_cache.add_cors_headers(response, request, current_app.config["CORS_ORIGINS"])


def bounded_int(name: str, default: int, maximum: int) -> int:
    """A whole-number parameter between 1 and ``maximum`` (a 400 naming it otherwise)."""
    value = parse_int(request.args, name, default)
    if not 1 <= value <= maximum:
        raise BadRequest(
            msg("error.out_of_range", param=name, low=1, high=maximum),
            code="invalid_parameter",
            param=name,
        )
    return value


def require_query_text(text: str) -> None:
    """``q`` must be given (and not longer than a query may be)."""
    if not text:
        raise BadRequest(msg("error.required", param="q"), code="invalid_parameter", param="q")
    if len(text) > MAX_QUERY_CHARS:
        raise BadRequest(
            msg("error.too_long", param="q", limit=MAX_QUERY_CHARS),
            code="invalid_parameter",
            param="q",
        )


def search_payload(results: SearchResults, facets: tuple[str, ...]) -> dict[str, Any]:
    """The search response body; ``facets`` names the counts to include."""
    req = results.request
    return {
        "ok": True,
        "q": req.q,
        "query_used": results.query_used,
        "notice": results.notice,
        **lookups.result_extras(results),
        "total": results.total,
        "page": req.page,
        "pages": results.pages,
        "size": req.size,
        "sort": req.sort,
        "site": req.site,
        "author": req.author,
        "date_from": day_text(req.date_from),
        "date_to": day_text(req.date_to),
        "within": getattr(req, "within", None),
        "collapse": req.collapse,
        "highlight": getattr(req, "highlight", True),
        "took_ms": round(results.took_ms, 2),
        "hits": [hit_payload(hit) for hit in results.hits],
        "facets": {
            name: [{"value": value, "count": count} for value, count in counts]
            for name, counts in results.facets.items()
            if name in facets
        },
    }


def hit_payload(hit: Hit) -> dict[str, Any]:
    """One hit; ``snippet`` is escaped HTML with <mark>, ``snippet_text`` plain text."""
    return {
        "id": hit.id,
        "url": hit.url,
        "source": hit.source,
        "title": hit.title,
        "site": hit.site,
        "author": hit.author,
        "published": iso_value(hit.published),
        "snippet": str(highlight_html(hit.snippet)),
        "snippet_text": hit.snippet_text,
        "also_on": list(hit.also_on),
        "story": hit.story,
        "score": hit.score,
    }


def document_payload(doc: Document) -> dict[str, Any]:
    """A document's public fields (internal bookkeeping such as hashes is left out)."""
    return {
        "id": doc.id,
        "url": doc.url,
        "source": doc.source_path,
        "site": doc.site,
        "title": doc.title,
        "author": doc.author,
        "published": iso_value(doc.published),
        "body": list(doc.body),
        "story": doc.story,
        "duplicate_of": doc.duplicate_of,
        "canonical_url": doc.canonical_url,
    }


def stats_payload(stats: dict[str, Any]) -> dict[str, Any]:
    """The Searcher's stats as JSON: sites as objects, instants as ISO text."""
    return {
        "ok": True,
        "documents": stats["documents"],
        "stories": stats.get("stories"),
        "sites": [{"site": site, "count": count} for site, count in stats["sites"]],
        "first_published": iso_value(stats.get("first_published")),
        "last_published": iso_value(stats.get("last_published")),
        "generation": stats.get("generation"),
        "built_at": iso_value(stats.get("built_at")),
    }
