"""Endpoints for other sites and programs: an embeddable search widget and an RSS feed.

The widget is a compact page meant for an ``<iframe>``: it is the only HTML allowed to be
framed by other origins, and its result links open in a new tab. The feed turns a search into
a subscription (newest first). Both go through the same ``Searcher.search`` as the pages.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, render_template, request

from search_service.extensions import get_searcher
from search_service.params import require_query, search_request

bp = Blueprint("embed", __name__, url_prefix="/embed")

#: Hits in the widget (it is small) and items in a feed.
WIDGET_SIZE = 5
FEED_SIZE = 20

#: Like the pages' policy, but any site may frame the widget.
WIDGET_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors *"
)


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
    return Response(body, mimetype="application/rss+xml")
