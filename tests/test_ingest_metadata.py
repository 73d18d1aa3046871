"""ingest.metadata and ingest.dates: title, author, date, URL and site witnesses."""

from __future__ import annotations

import pytest

from ingest.dates import find_date, parse_iso, precision
from ingest.metadata import (
    choose_author,
    choose_title,
    resolve_urls,
    site_name,
)
from ingest.parse import ParsedPage, parse_html
from ingest.published import choose_published


def page(head: str = "", body: str = "") -> ParsedPage:
    return parse_html(f"<html><head>{head}</head><body>{body}</body></html>")


# ------------------------------------------------------------------------------------ title


def test_title_without_site_suffix() -> None:
    """The <title> site suffix is not part of the headline."""
    p = page(
        "<title>Bridge reopens | The Example News</title>"
        "<meta property='og:site_name' content='The Example News'>"
    )
    assert choose_title(p, "news.example") == "Bridge reopens"


def test_title_prefers_visible_case() -> None:
    """The headline keeps the case the page shows, not the Title Case of <title>."""
    p = page(
        "<title>Bridge Reopens After Repairs - Example</title>",
        "<h1>Bridge reopens after repairs</h1>",
    )
    assert choose_title(p, "example.com") == "Bridge reopens after repairs"


def test_title_when_title_tag_names_only_site_and_section() -> None:
    """'Site | Section' in <title> loses to a headline-classed element."""
    p = page(
        "<title>Valley Times | Sport</title><meta property='og:site_name' content='Valley Times'>",
        "<font class='hdl'><b>Striker signs new contract</b></font><p>Text.</p>",
    )
    assert choose_title(p, "valleytimes.example") == "Striker signs new contract"


def test_title_og_with_site_name_and_print_note() -> None:
    """og:title with a site prefix and <title> with '(print version)' agree on the headline."""
    p = page(
        "<title>Bridge Reopens (print version) | Herald</title>"
        "<meta property='og:title' content='Herald: Bridge reopens'>"
        "<meta property='og:site_name' content='Herald'>",
        "<h2 class='p-title'>Bridge reopens</h2>",
    )
    assert choose_title(p, "herald.example") == "Bridge reopens"


def test_title_with_dash_kept_whole() -> None:
    """A headline containing ' - ' is not split when no piece is the site name."""
    p = page(
        "<title>Wood - Ireland can win Grand Slam | Sportsdesk</title>"
        "<meta property='og:site_name' content='Sportsdesk'>",
        "<h1>Wood - Ireland can win Grand Slam</h1>",
    )
    assert choose_title(p, "sportsdesk.example") == "Wood - Ireland can win Grand Slam"


def test_title_literal_markup_kept_as_text() -> None:
    """Escaped markup in a headline is text, not tags."""
    p = page(
        "<title>Hingis comeback &lt;script&gt;alert(1)&lt;/script&gt; - Site</title>",
        "<h1>Hingis comeback &lt;script&gt;alert(1)&lt;/script&gt;</h1>",
    )
    assert choose_title(p, "site.example") == "Hingis comeback <script>alert(1)</script>"


# ----------------------------------------------------------------------------------- author


def test_author_from_byline_without_by_and_job_title() -> None:
    """'By Jane Marlow, Transport Correspondent' gives the person only."""
    p = page(body="<h1>T</h1><span class='byline'>By Jane Marlow, Transport Correspondent</span>")
    assert choose_author(p, None, "news.example") == "Jane Marlow"


def test_author_never_the_site_name() -> None:
    """A meta author that names the site is not an author."""
    p = page(
        "<meta name='author' content='The Example News'>"
        "<meta property='og:site_name' content='The Example News'>"
    )
    assert choose_author(p, site_name(p), "news.example") is None


def test_author_from_json_ld() -> None:
    """JSON-LD author.name is used when the page shows no byline."""
    p = page(
        '<script type=\'application/ld+json\'>{"@type": "NewsArticle", '
        '"author": {"@type": "Person", "name": "Owen Delacroix"}}</script>'
    )
    assert choose_author(p, None, "site.example") == "Owen Delacroix"


def test_author_from_text_byline() -> None:
    """A 'By Name on date' line without a telling class gives the name."""
    p = page(
        body="<font class='hdl'>Mill workers offered jobs</font><br>"
        "<font>By Ann Lee on 1999-11-23</font><br><font>Workers at the mill...</font>"
    )
    assert choose_author(p, None, "other.example") == "Ann Lee"


def test_photo_credit_is_not_the_author() -> None:
    """'Photography by' names a photographer."""
    p = page(
        body="<h1>T</h1><p class='credits'>Words by <span class='writer'>Greta Albrecht</span>"
        " · Photography by Oliver Quigley</p>"
    )
    assert choose_author(p, None, "mag.example") == "Greta Albrecht"


def test_commenter_is_not_the_author() -> None:
    """Names in comment sections are not bylines."""
    p = page(
        body="<h1>T</h1><p>Long article text follows here and it is quite long indeed, "
        "certainly longer than a byline would ever be in practice.</p>"
        "<div class='comment-list'><span class='comment-author'>By Dave W</span></div>"
    )
    assert choose_author(p, None, "site.example") is None


# ------------------------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13 January, 2004, 13:02", "2004-01-13T13:02"),
        ("Published: 2004-07-31T19:20:00Z", "2004-07-31T19:20:00+00:00"),
        ("Sep 17, 2005, 6:58 PM", "2005-09-17T18:58"),
        ("2 Jan 2004 17:01 GMT", "2004-01-02T17:01:00+00:00"),
        ("Posted by Amara Barton - January 3, 2004", "2004-01-03"),
        ("2004-05-17 21:09", "2004-05-17T21:09"),
        ("17/05/2005", "2005-05-17"),
        ("no date here", None),
    ],
)
def test_find_date_keeps_precision(text: str, expected: str | None) -> None:
    """Human dates become ISO 8601 at the precision they state."""
    assert find_date(text) == expected


def test_parse_iso_and_epoch() -> None:
    """Machine values: ISO with zone, date only, epoch seconds."""
    assert parse_iso("2018-02-09T14:20:00+01:00") == "2018-02-09T14:20:00+01:00"
    assert parse_iso("2018-02-09") == "2018-02-09"
    assert parse_iso("1518182400") == "2018-02-09T13:20:00+00:00"
    assert (
        precision("2018-02-09") < precision("2018-02-09T14:20") < precision("2018-02-09T14:20:00Z")
    )


def test_date_ignores_todays_header_and_updated() -> None:
    """The site's date header and an 'Updated' line are not the publication date."""
    p = page(
        body="<div class='top-bar'><span class='today'>Friday, 12 March 2021</span></div>"
        "<h1>T</h1><div class='meta'><span class='posted-on'>4 March 2021, 09:15</span>"
        "<span class='updated'>Updated 5 March 2021</span></div><p>Text.</p>"
    )
    assert choose_published(p) == "2021-03-04T09:15"


def test_visible_byline_beats_contradicting_meta() -> None:
    """A meta published_time set to the crawl time loses to the visible byline date."""
    p = page(
        "<meta property='article:published_time' content='2007-09-06T18:21:00-05:00'>",
        "<font class='hdl'>Headline</font><font>By Ann Lee on 2005-12-26</font>",
    )
    assert choose_published(p) == "2005-12-26"


def test_agreeing_meta_adds_precision() -> None:
    """When meta and byline name the same day, the more precise value is kept."""
    p = page(
        "<meta property='article:published_time' content='2004-01-03T20:57:00+00:00'>",
        "<h1>T</h1><time datetime='2004-01-03'>Jan 3, 2004</time>",
    )
    assert choose_published(p) == "2004-01-03T20:57:00+00:00"


def test_relative_time_with_machine_title() -> None:
    """'13 hours ago' with an ISO title attribute gives the machine date."""
    p = page(body="<h1>T</h1><div title='2004-10-22T11:13:00-08:00'>13 hours ago</div>")
    assert choose_published(p) == "2004-10-22T11:13:00-08:00"


def test_comment_dates_ignored() -> None:
    """Comment dates are not publication dates."""
    p = page(
        body="<h1>T</h1><p>Article text that is long enough to count as the body of a story "
        "for the purpose of this test, well over the limit.</p>"
        "<div class='comment-date'>Mar 9, 2004</div>"
    )
    assert choose_published(p) is None


# -------------------------------------------------------------------------------------- url


def test_url_from_og_url_on_own_site() -> None:
    """og:url on the page's own site is its URL."""
    p = page("<meta property='og:url' content='https://news.example/a.html'>")
    assert (
        resolve_urls(p, "https://news.example/a.html", "news.example")[0]
        == "https://news.example/a.html"
    )


def test_canonical_elsewhere_is_kept_apart() -> None:
    """A rel=canonical on another site is the canonical_url, not the URL."""
    p = page("<link rel='canonical' href='https://origin.example/story.html'>")
    url, canonical, site = resolve_urls(p, "https://copy.example/s/1.html", "copy.example")
    assert url == "https://copy.example/s/1.html"
    assert canonical == "https://origin.example/story.html"
    assert site == "copy.example"


def test_canonical_same_as_url_is_none() -> None:
    """canonical_url stays None when it names the page itself."""
    p = page("<link rel='canonical' href='https://news.example/a.html'>")
    assert resolve_urls(p, "https://news.example/a.html", "news.example")[1] is None


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("By\u00a0 Michael Hiltzik Business Columnist\u00a0", "Michael Hiltzik"),
        ("By Staff Reports", None),
        ("By", None),
    ],
)
def test_author_job_titles_and_desks(byline: str, expected: str | None) -> None:
    """A trailing job title is cut; a desk or a bare 'By' is nobody."""
    p = page(body=f"<h1>T</h1><div class='article-authors'>{byline}</div>")
    assert choose_author(p, None, "site.example") == expected


def test_author_ignores_login_and_sort_widgets() -> None:
    """'Log in' (userauth) and 'Sort by' form widgets are not bylines."""
    p = page(
        body="<span class='userauth'>Log in Register</span>"
        "<div class='form-item-sort-by'>Sort by Relevance Title Date</div>"
        "<h1>T</h1><a rel='author' href='/a/x'>Finian Cunningham</a>"
    )
    assert choose_author(p, None, "site.example") == "Finian Cunningham"


def test_malformed_og_url_ignored() -> None:
    """An og:url that is not a URL ("http://[broken") is ignored, not an exception."""
    p = page("<meta property='og:url' content='http://[broken/a.html'>")
    assert resolve_urls(p, "https://news.example/a.html", "news.example")[0] == (
        "https://news.example/a.html"
    )


def test_same_day_meta_with_another_time_loses() -> None:
    """A meta time on the right day but at the crawl hour does not replace the shown time."""
    p = page(
        "<meta property='article:published_time' content='2004-09-12T14:24:00-08:00'>",
        "<h1>T</h1><div title='2004-09-12T11:39:00-08:00'>2 hours ago</div>",
    )
    assert choose_published(p) == "2004-09-12T11:39:00-08:00"
