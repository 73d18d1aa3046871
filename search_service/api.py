"""The JSON API under /api/v1/: search, one document, archive stats.

The field names here are a contract other programs rely on (see docs/api.md): add fields,
never rename or remove them. Errors use the envelope from ``errors.error_payload``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from index.models import Hit, SearchResults
from ingest.document import Document
from search_service.extensions import get_searcher
from search_service.formatting import highlight_html, iso_value
from search_service.params import day_text, find_document, require_query, search_request

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/search")
def search() -> Response:
    """``?q=&page=&size=&sort=&site=&collapse=`` -> one page of hits."""
    search_req = search_request(request.args, default_size=current_app.config["PAGE_SIZE"])
    require_query(search_req)
    return jsonify(search_payload(get_searcher().search(search_req)))


@bp.get("/documents/<doc_id>")
def document(doc_id: str) -> Response:
    """The full cleaned document."""
    return jsonify({"ok": True, "document": document_payload(find_document(doc_id))})


@bp.get("/stats")
def stats() -> Response:
    """What the archive holds: counts, sites, date span, live generation."""
    return jsonify(stats_payload(get_searcher().stats()))


def search_payload(results: SearchResults) -> dict[str, Any]:
    """The search response body."""
    req = results.request
    return {
        "ok": True,
        "q": req.q,
        "query_used": results.query_used,
        "notice": results.notice,
        "total": results.total,
        "page": req.page,
        "pages": results.pages,
        "size": req.size,
        "sort": req.sort,
        "site": req.site,
        "author": req.author,
        "date_from": day_text(req.date_from),
        "date_to": day_text(req.date_to),
        "collapse": req.collapse,
        "took_ms": round(results.took_ms, 2),
        "hits": [hit_payload(hit) for hit in results.hits],
        "facets": {
            name: [{"value": value, "count": count} for value, count in counts]
            for name, counts in results.facets.items()
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
        "published": doc.published,
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
        "sites": [{"site": site, "count": count} for site, count in stats["sites"]],
        "first_published": iso_value(stats.get("first_published")),
        "last_published": iso_value(stats.get("last_published")),
        "generation": stats.get("generation"),
        "built_at": iso_value(stats.get("built_at")),
    }
