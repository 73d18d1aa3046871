"""HTML pages: home, results, document, similar documents, search tips, embedding help,
and the health probes.

Views only turn the query string into a SearchRequest, call the Searcher and render;
errors are raised and answered by ``errors.handle_error``.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask.sansio.blueprints import BlueprintSetupState

from index.models import MAX_PAGE, MAX_QUERY_CHARS, SORTS, NoIndexYet, SearchRequest
from ingest.document import Document
from search_service import embed, formatting, lookups
from search_service.extensions import get_searcher
from search_service.messages import msg, msg_n, msg_or
from search_service.params import WITHIN, day_text, find_document, query_text, search_request
from search_service.tips import TIPS

bp = Blueprint("pages", __name__)

#: Sent with every HTML page: no inline script or style anywhere, so this can be strict.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
#: The embedding help page frames its own widget as a live example.
EMBEDDING_PAGE_POLICY = CONTENT_SECURITY_POLICY + "; frame-src 'self'"
#: Similar documents shown under an article and on the "more like this" page.
SIMILAR_ON_DOCUMENT = 5
SIMILAR_PAGE_SIZE = 10


#: Values left out of result URLs, so links stay short and canonical.
URL_DEFAULTS: dict[str, Any] = {"page": 1, "sort": "relevance"}


@bp.get("/")
def home() -> str:
    """The search box and what the archive holds (or a note that it is empty)."""
    return render_template("home.html", stats=archive_stats())


@bp.get("/search")
def search() -> str:
    """Results for ``q``; an empty query shows the box and a hint instead."""
    search_req = search_request(
        request.args, default_size=current_app.config["PAGE_SIZE"], allow_size=False
    )
    results = get_searcher().search(search_req) if search_req.q else None
    return render_template("search.html", req=search_req, results=results)


@bp.get("/doc/<doc_id>")
def document(doc_id: str) -> str:
    """One cleaned article; ``q`` (when given) offers the way back to the results."""
    doc = find_document(doc_id)
    return render_template(
        "document.html",
        doc=doc,
        copies=other_copies(doc),
        similar=lookups.similar(get_searcher(), doc.id, SIMILAR_ON_DOCUMENT),
        q=query_text(request.args),
    )


@bp.get("/doc/<doc_id>/similar")
def similar(doc_id: str) -> str:
    """The "more like this" page: result cards of other stories about the same thing."""
    doc = find_document(doc_id)
    hits = lookups.similar(get_searcher(), doc.id, SIMILAR_PAGE_SIZE)
    return render_template("similar.html", doc=doc, hits=hits, q=query_text(request.args))


@bp.get("/tips")
def tips() -> str:
    """The query language, each example a link that runs it."""
    return render_template("tips.html", tips=TIPS)


@bp.get("/embedding")
def embedding() -> Response:
    """How to put the search on another site (script tag, iframe, feeds), with live examples."""
    response = Response(render_template("embedding.html"), mimetype="text/html")
    response.headers["Content-Security-Policy"] = EMBEDDING_PAGE_POLICY
    return response


@bp.get("/search.rss")
def search_rss() -> Response:
    """RSS of any search: the same feed as /embed/feed.xml, at an address people guess."""
    return embed.feed()


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """OpenSearch description, so browsers can add the archive as a search engine."""
    return Response(
        render_template("opensearch.xml"), mimetype="application/opensearchdescription+xml"
    )


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: the process answers. It does not touch the index."""
    return Response("ok\n", mimetype="text/plain")


@bp.get("/readyz")
def readyz() -> Response:
    """Readiness: an index is open and answers a lookup (timed in ``probe_ms``). Without one,
    the error handler answers a 503 envelope."""
    searcher = get_searcher()
    stats = searcher.stats()
    started = time.perf_counter()
    searcher.document("0" * 16)  # a real query through the open searcher, never a hit
    return jsonify(
        ok=True,
        status=msg("ready.ok"),
        documents=stats["documents"],
        generation=stats["generation"],
        probe_ms=round((time.perf_counter() - started) * 1000, 2),
    )


def other_copies(doc: Document) -> list[Document]:
    """The story's copies on other pages (same story id), for "the same story elsewhere"."""
    if not doc.story:
        return []
    return [copy for copy in get_searcher().story_copies(doc.story) if copy.id != doc.id]


def archive_stats() -> dict[str, Any] | None:
    """The index's stats, or None while no index has been built (the home page says so)."""
    try:
        return get_searcher().stats()
    except NoIndexYet:
        return None


@bp.after_app_request
def add_security_headers(response: Response) -> Response:
    """Defence in depth for pages showing scraped text; a view may set its own CSP."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response


@bp.app_template_global()
def search_url(req: SearchRequest, **changes: Any) -> str:
    """The results URL for ``req`` with ``changes`` (any change but ``page`` resets the page)."""
    params: dict[str, Any] = {
        "q": req.q,
        "page": req.page,
        "sort": req.sort,
        "site": req.site,
        "author": req.author,
        "date_from": day_text(req.date_from),
        "date_to": day_text(req.date_to),
        "within": getattr(req, "within", None),
    }
    if changes and "page" not in changes:
        params["page"] = 1  # a new filter or order starts again on page 1
    params.update(changes)
    kept = {
        key: value
        for key, value in params.items()
        if value not in (None, "") and URL_DEFAULTS.get(key) != value
    }
    # url_for builds the path once per request; the query string is encoded as werkzeug's
    # url_for does it (a results page builds ~85 of these links: facets, sorts, pages)
    base = g.get("search_base_url")
    if base is None:
        base = g.search_base_url = url_for("pages.search")
    if not kept:
        return str(base)
    query = urlencode([(k, str(v)) for k, v in kept.items()], safe="!$'()*,/:;?@")
    return f"{base}?{query}"


@bp.record_once
def register_template_helpers(state: BlueprintSetupState) -> None:
    """Names every template may use (macros included): messages, bounds and formatters."""
    state.app.jinja_env.globals.update(
        msg=msg,
        msg_n=msg_n,
        msg_or=msg_or,
        MAX_QUERY_CHARS=MAX_QUERY_CHARS,
        MAX_PAGE=MAX_PAGE,
        SORTS=SORTS,
        format_date=formatting.format_date,
        format_instant=formatting.format_instant,
        iso_value=formatting.iso_value,
        format_took=formatting.format_took,
        linkable_url=formatting.linkable_url,
        page_window=formatting.page_window,
        rfc822=formatting.rfc822,
        day_text=day_text,
        year_span=formatting.year_span,
        WITHIN=WITHIN,
        result_extras=lookups.result_extras,
        other_notices=lookups.other_notices,
        useful_ranges=lookups.useful_ranges,
    )
