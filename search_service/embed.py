"""Endpoints for other sites and programs: an embeddable search widget and an RSS feed.

The widget is a compact page meant for an ``<iframe>`` (``/embed?q=`` and ``/embed/?q=``):
it is the only HTML allowed to be framed by other origins, its result links open in a new
tab, and its one static script tells the host page its height. The feed turns a search into
a subscription (newest first; also at ``/search.rss``). ``strings.json`` gives the script-tag
widget (static/embed.js) its wording from the one catalogue. All of them go through the same
``Searcher.search`` as the pages.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, jsonify, render_template, request

from search_service import http_cache
from search_service.extensions import get_searcher
from search_service.messages import MESSAGES
from search_service.params import require_query, search_request

bp = Blueprint("embed", __name__, url_prefix="/embed")

#: Hits in the widget (it is small) and items in a feed.
WIDGET_SIZE = 5
FEED_SIZE = 20

#: Like the pages' policy, but any site may frame the widget.
WIDGET_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors *"
)
#: Catalogue entries the script-tag widget shows (it fills ``{name}`` itself).
WIDGET_STRINGS = (
    "search.label",
    "search.placeholder",
    "search.button",
    "results.summary",
    "results.none",
    "results.untitled",
    "count.results.one",
    "count.results.other",
    "embed.more",
    "embed.error",
)


@bp.get("")
@bp.get("/")
def widget() -> Response:
    """A search box and the top hits, sized for an iframe; works without JavaScript."""
    search_req = search_request(request.args, default_size=WIDGET_SIZE, allow_size=False)
    results = get_searcher().search(search_req) if search_req.q else None
    response = Response(render_template("embed.html", req=search_req, results=results))
    response.headers["Content-Security-Policy"] = WIDGET_CSP
    return response


@bp.get("/feed.xml")
def feed() -> Response:
    """RSS 2.0: the newest documents matching ``q`` (``site``, ``author`` and dates apply)."""
    search_req = replace(
        search_request(request.args, default_size=FEED_SIZE, allow_size=False), sort="newest"
    )
    require_query(search_req)
    results = get_searcher().search(search_req)
    body = render_template("feed.xml", req=search_req, results=results)
    response = Response(body, mimetype="application/rss+xml")
    # Feed readers poll: an unchanged index answers their If-None-Match with a bare 304.
    tag = http_cache.answer_tag(results.generation, request)
    return http_cache.make_cacheable(response, request, http_cache.MAX_AGE_FEED, tag)


@bp.get("/strings.json")
def strings() -> Response:
    """The widget's wording, so a translation of messages.py reaches embedded boxes too."""
    response = jsonify({key: MESSAGES[key] for key in WIDGET_STRINGS})
    response.access_control_allow_origin = "*"  # static text: any page may read it
    return http_cache.make_cacheable(response, request, http_cache.MAX_AGE_STATIC_SPEC)
