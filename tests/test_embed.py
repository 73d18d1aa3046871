"""The embed endpoints: the iframe widget and the RSS feed of a search, on the real sample."""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient

from search_service import create_app, embed

COMMON_WORD = "according"
HOSTILE_QUERY = "frog skull spikes"


@pytest.fixture
def embed_client(indexed_data_dir: Path) -> FlaskClient:
    """The real app, with the embed blueprint (registered here until create_app does it)."""
    app: Flask = create_app({"TESTING": True, "DATA_DIR": indexed_data_dir})
    if "embed" not in app.blueprints:
        app.register_blueprint(embed.bp)
    return app.test_client()


def test_widget_shows_a_box_and_top_hits(embed_client: FlaskClient) -> None:
    """A compact page: labelled box, a few hits, a link to all results."""
    response = embed_client.get("/embed/", query_string={"q": COMMON_WORD})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<label for="q"' in html
    assert html.count('class="result"') == embed.WIDGET_SIZE
    assert "See all" in html
    assert 'target="_blank" rel="noopener noreferrer"' in html
    assert "<mark>" in html


def test_widget_may_be_framed_but_pages_may_not(embed_client: FlaskClient) -> None:
    """Only the widget allows other sites to frame it; its only script is a static file."""
    widget = embed_client.get("/embed/?q=fire")
    widget_csp = widget.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in widget_csp
    assert "script-src 'self'" in widget_csp  # no inline script: the height script is a file
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", widget.get_data(as_text=True), re.S)
    assert scripts == [(' src="/static/frame.js" defer', "")]
    page_csp = embed_client.get("/search?q=fire").headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page_csp


def test_widget_without_query_is_just_the_box(embed_client: FlaskClient) -> None:
    """No query: the box, no results, no error."""
    response = embed_client.get("/embed/")
    assert response.status_code == 200
    assert 'id="q"' in response.get_data(as_text=True)


def test_widget_escapes_hostile_titles(embed_client: FlaskClient) -> None:
    """Scraped markup in a headline is text in the widget too."""
    html = embed_client.get("/embed/", query_string={"q": HOSTILE_QUERY}).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/frame.js" defer>']


def test_widget_bad_parameter_is_a_400(embed_client: FlaskClient) -> None:
    """The widget validates like the pages."""
    assert embed_client.get("/embed/?q=fire&page=abc").status_code == 400


def rss_items(embed_client: FlaskClient, **params: str) -> list[ElementTree.Element]:
    response = embed_client.get("/embed/feed.xml", query_string=params)
    assert response.status_code == 200
    assert response.mimetype == "application/rss+xml"
    root = ElementTree.fromstring(response.get_data())
    assert root.tag == "rss"
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("title")
    return channel.findall("item")


def test_feed_lists_newest_first_with_links(embed_client: FlaskClient) -> None:
    """Items carry a title, an absolute link to the document page and an RFC 822 date."""
    items = rss_items(embed_client, q=COMMON_WORD)
    assert len(items) > 5
    dates = [parsedate_to_datetime(d) for item in items if (d := item.findtext("pubDate"))]
    assert dates == sorted(dates, reverse=True)
    for item in items:
        assert item.findtext("title")
        link = item.findtext("link") or ""
        assert link.startswith("http://localhost/doc/")
        assert embed_client.get(link.removeprefix("http://localhost")).status_code == 200


def test_feed_keeps_hostile_text_as_text(embed_client: FlaskClient) -> None:
    """The XML parser sees the <script> headline as character data, not markup."""
    titles = [item.findtext("title") or "" for item in rss_items(embed_client, q=HOSTILE_QUERY)]
    assert any("<script>alert(1)</script>" in title for title in titles)


def test_feed_needs_a_query(embed_client: FlaskClient) -> None:
    """A feed of everything is not offered: q is required."""
    assert embed_client.get("/embed/feed.xml").status_code == 400


def test_iframe_mode_without_slash(embed_client: FlaskClient) -> None:
    """``/embed?q=`` is the widget itself (no redirect), like ``/embed/?q=``."""
    response = embed_client.get("/embed", query_string={"q": COMMON_WORD})
    assert response.status_code == 200
    assert 'class="result"' in response.get_data(as_text=True)


def test_search_rss_is_the_feed(embed_client: FlaskClient) -> None:
    """``/search.rss?q=`` answers the same feed as /embed/feed.xml."""
    alias = embed_client.get("/search.rss", query_string={"q": COMMON_WORD})
    feed = embed_client.get("/embed/feed.xml", query_string={"q": COMMON_WORD})
    assert alias.status_code == 200
    assert alias.mimetype == "application/rss+xml"
    assert alias.get_data().count(b"<item>") == feed.get_data().count(b"<item>") > 0


def test_widget_strings_come_from_the_catalogue(embed_client: FlaskClient) -> None:
    """The script-tag widget's wording is served from messages.py, readable cross-origin."""
    from search_service.messages import MESSAGES

    response = embed_client.get("/embed/strings.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    data = response.get_json()
    assert set(data) == set(embed.WIDGET_STRINGS)
    assert all(data[key] == MESSAGES[key] for key in data)


def test_feed_answers_a_conditional_get_with_304(embed_client: FlaskClient) -> None:
    """Feed readers poll: the same feed on the same index is a bodiless 304."""
    first = embed_client.get("/search.rss", query_string={"q": COMMON_WORD})
    etag = first.headers["ETag"]
    again = embed_client.get(
        "/search.rss", query_string={"q": COMMON_WORD}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
