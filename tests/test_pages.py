"""The HTML pages on the real sample index, through the Flask test client.

What a person sees: the query kept in the box, counts, cards, highlights, paging, friendly
messages; and what must never happen: scraped text interpreted as HTML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from xml.etree import ElementTree

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from index.models import SearchRequest
from search_service.formatting import format_date, linkable_url, page_window
from search_service.pages import search_url

COMMON_WORD = "according"  # used by more than ten sample stories: results span two pages
HOSTILE_QUERY = "frog skull spikes"


class PageOutline(HTMLParser):
    """Collects what the assertions need: tags seen, result links, attributes by id."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.result_links: list[str] = []
        self._in_result_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "h2" and "result-title" in (attributes.get("class") or ""):
            self._in_result_title = True
        elif tag == "a" and self._in_result_title:
            self.result_links.append(attributes.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_result_title = False

    def find(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        """Attributes of every ``tag`` whose attributes include ``wanted``."""
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in wanted.items())
        ]


def outline(html: str) -> PageOutline:
    parser = PageOutline()
    parser.feed(html)
    return parser


def get_page(client: FlaskClient, path: str, status: int = 200, **params: str) -> str:
    response = client.get(path, query_string=params)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


# -- home ----------------------------------------------------------------------------------


def test_home_has_a_labelled_search_box_and_landmarks(client: FlaskClient) -> None:
    """The box has a label; the page has lang, header, main and footer."""
    page = outline(get_page(client, "/"))
    assert page.find("html", lang="en")
    assert page.find("label", **{"for": "q"})
    box = page.find("input", id="q")
    assert box
    assert box[0]["name"] == "q"
    assert box[0]["type"] == "search"
    for landmark in ("header", "main", "footer"):
        assert page.find(landmark)
    assert page.find("nav", **{"aria-label": "Site"})
    assert page.find("form", role="search", action="/search", method="get")


def test_home_says_what_the_archive_holds(client: FlaskClient) -> None:
    """Document count, sites and the date span appear on the home page."""
    stats = client.get("/api/v1/stats").get_json()
    html = get_page(client, "/")
    assert f"{stats['documents']:,} documents" in html
    for entry in stats["sites"]:
        assert entry["site"] in html
    assert format_date(stats["first_published"]) in html


def test_pages_load_no_inline_script(client: FlaskClient) -> None:
    """Scripts come from /static only, so a strict CSP works (and is sent)."""
    response = client.get("/search", query_string={"q": "fire"})
    html = response.get_data(as_text=True)
    for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
        assert 'src="/static/' in match.group(1)
        assert match.group(2).strip() == ""
    assert not re.search(r"<[a-z][^>]*\son[a-z]+=", html)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# -- results -------------------------------------------------------------------------------


def test_results_keep_the_query_and_show_cards(client: FlaskClient) -> None:
    """The query stays in the box; each card's title links to the document page."""
    html = get_page(client, "/search", q="Notre Dame cathedral fire")
    page = outline(html)
    assert page.find("input", id="q", value="Notre Dame cathedral fire")
    assert page.result_links
    assert all(link.startswith("/doc/") for link in page.result_links)
    assert "<mark>Notre</mark>" in html or "<mark>Dame</mark>" in html
    assert "Notre Dame in Paris catches fire" in re.sub(r"</?mark>", "", html)


def test_results_count_matches_the_api(client: FlaskClient) -> None:
    """The page's count and the API's total agree (honest totals)."""
    total = client.get("/api/v1/search", query_string={"q": COMMON_WORD}).get_json()["total"]
    html = get_page(client, "/search", q=COMMON_WORD)
    assert f"{total:,} results for “{COMMON_WORD}”" in html
    assert "showing 1–10" in html  # noqa: RUF001 — the page prints an en dash
    assert re.search(r"in (&lt;1|\d+) ms|in \d+\.\d s", html)


def test_story_on_several_sites_lists_also_on(client: FlaskClient) -> None:
    """A collapsed story names the other sites that carried it."""
    html = get_page(client, "/search", q="Notre Dame cathedral fire")
    assert "Also on:" in html


def test_pagination_links_and_status(client: FlaskClient) -> None:
    """More than one page: a labelled nav, current page marked, next/previous links."""
    first = outline(get_page(client, "/search", q=COMMON_WORD))
    assert first.find("nav", **{"aria-label": "Result pages"})
    assert first.find("a", rel="next", href=f"/search?q={COMMON_WORD}&page=2")
    assert first.find("a", **{"aria-current": "page"})

    second_html = get_page(client, "/search", q=COMMON_WORD, page="2")
    second = outline(second_html)
    assert second.find("a", rel="prev")
    assert second.find("ol", start="11")
    assert re.search(r"Page 2 of \d+", second_html)
    assert set(first.result_links).isdisjoint(second.result_links)


def test_page_past_the_end_says_so(client: FlaskClient) -> None:
    """Beyond the last page: a plain message and a way back, not an error."""
    html = get_page(client, "/search", q=COMMON_WORD, page="40")
    assert "There is no page 40" in html
    assert "Go to the first page" in html


def test_no_results_message(client: FlaskClient) -> None:
    """A query nothing matches gets a friendly message with advice."""
    html = get_page(client, "/search", q="zzxqvw")
    assert "No documents match “zzxqvw”." in html
    assert "Check the spelling" in html


def test_empty_query_shows_a_hint(client: FlaskClient) -> None:
    """/search without words asks for some rather than failing."""
    assert "Type one or more words" in get_page(client, "/search")
    assert "Type one or more words" in get_page(client, "/search", q="   ")


def test_sort_links_keep_the_query(client: FlaskClient) -> None:
    """Sort options are plain links (work without JavaScript) and mark the current one."""
    page = outline(get_page(client, "/search", q=COMMON_WORD, sort="newest"))
    assert page.find("a", href=f"/search?q={COMMON_WORD}&sort=newest", **{"aria-current": "true"})
    assert page.find("a", href=f"/search?q={COMMON_WORD}")
    assert page.find("input", type="hidden", name="sort", value="newest")


def test_site_filter_narrows_and_can_be_removed(client: FlaskClient) -> None:
    """With ``site``, every card is from that site and a link shows all sites again."""
    site = "www.valleyledger.example"
    html = get_page(client, "/search", q=COMMON_WORD, site=site)
    sites = re.findall(r'<span class="site">([^<]+)</span>', html)
    assert sites
    assert set(sites) == {site}
    assert "Remove the filter on site www.valleyledger.example" in html
    assert outline(html).find("input", type="checkbox", name="site", value=site)


def test_too_long_query_is_a_friendly_400(client: FlaskClient) -> None:
    """A query over 500 characters: a message, the query back in the box, no 500."""
    html = get_page(client, "/search", 400, q="fire " * 120)
    assert "longer than 500 characters" in html
    assert outline(html).find("input", id="q")


# -- hostile text --------------------------------------------------------------------------


def test_hostile_title_is_text_in_results(client: FlaskClient) -> None:
    """A headline containing <script> is shown escaped, never as a tag."""
    html = get_page(client, "/search", q=HOSTILE_QUERY)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html


def hostile_doc_id(client: FlaskClient) -> str:
    hits = client.get("/api/v1/search", query_string={"q": HOSTILE_QUERY}).get_json()["hits"]
    return next(hit["id"] for hit in hits if "<script>" in hit["title"])


def test_hostile_document_page_is_text(client: FlaskClient) -> None:
    """On the document page the title and the <img onerror> body text stay text."""
    html = get_page(client, f"/doc/{hostile_doc_id(client)}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<img" not in html
    assert "<script>alert" not in html


# -- document ------------------------------------------------------------------------------


def test_document_page_shows_article_metadata_and_source(client: FlaskClient) -> None:
    """Title, site, body paragraphs and the source URL as a guarded link."""
    hit = client.get("/api/v1/search", query_string={"q": "Leonov first spacewalk"}).get_json()[
        "hits"
    ][0]
    document = client.get(f"/api/v1/documents/{hit['id']}").get_json()["document"]
    html = get_page(client, f"/doc/{hit['id']}", q="Leonov first spacewalk")
    page = outline(html)
    assert page.find("h1", id="doc-title")
    assert hit["site"] in html
    assert html.count("<p>") >= len(document["body"])
    source_links = page.find("a", href=document["url"])
    assert source_links
    assert source_links[0]["rel"] == "noopener noreferrer nofollow"
    assert page.find("a", href="/search?q=Leonov+first+spacewalk")  # back to the results


def test_unknown_document_is_a_friendly_404(client: FlaskClient) -> None:
    """An unknown id is a 404 page with the search box, not an exception."""
    html = get_page(client, "/doc/ffffffffffffffff", 404)
    assert "There is no document" in html
    assert outline(html).find("input", id="q")


# -- probes and assets ---------------------------------------------------------------------


def test_healthz_and_readyz(client: FlaskClient) -> None:
    """Liveness is plain "ok"; readiness reports the open generation as JSON."""
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_data(as_text=True).strip() == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    data = ready.get_json()
    assert data["ok"] is True
    assert data["generation"]
    assert data["documents"] > 0


@pytest.mark.parametrize("asset", ["style.css", "app.js"])
def test_static_assets_are_served(client: FlaskClient, asset: str) -> None:
    """The stylesheet and the script are plain files under /static."""
    assert client.get(f"/static/{asset}").status_code == 200


def test_stylesheet_supports_dark_mode(client: FlaskClient) -> None:
    """Light and dark schemes both come from the one stylesheet."""
    css = client.get("/static/style.css").get_data(as_text=True)
    assert "prefers-color-scheme: dark" in css


# -- helpers behind the templates ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a", "https://example.com/a"),
        ("http://example.com/a", "http://example.com/a"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("java\nscript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//example.com/a", None),
        ("", None),
        (None, None),
    ],
)
def test_only_web_addresses_become_links(url: str | None, expected: str | None) -> None:
    """A scraped URL is linked only when it is http(s)."""
    assert linkable_url(url) == expected


def test_page_window_shows_neighbours_and_ends() -> None:
    """Pagination shows the first, last and nearby pages, with gaps as None."""
    assert page_window(1, 1) == [1]
    assert page_window(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert page_window(5, 20) == [1, 2, 3, 4, 5, 6, 7, None, 20]  # no gap hiding one page


def test_document_page_lists_the_same_story_elsewhere(client: FlaskClient) -> None:
    """A story carried by several sites links to its other copies."""
    hits = client.get(
        "/api/v1/search", query_string={"q": "Notre Dame cathedral fire", "collapse": "false"}
    ).get_json()["hits"]
    copies = [hit for hit in hits if hit["title"] == "Notre Dame in Paris catches fire"]
    assert len(copies) > 1
    html = get_page(client, f"/doc/{copies[0]['id']}")
    assert "The same story elsewhere" in html
    links = outline(html).find("a", href=f"/doc/{copies[1]['id']}")
    assert links
    assert f'href="/doc/{copies[0]["id"]}"' not in html  # not a link to itself


def test_opensearch_description_is_linked_and_valid(client: FlaskClient) -> None:
    """Browsers find /opensearch.xml from any page; its template URL runs a search."""
    page = outline(get_page(client, "/"))
    assert page.find("link", rel="search", href="/opensearch.xml")
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ElementTree.fromstring(response.get_data())
    namespace = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    assert root.findtext("os:ShortName", namespaces=namespace)
    html_url = root.find("os:Url[@type='text/html']", namespace)
    assert html_url is not None
    template = html_url.attrib["template"]
    assert template.endswith("/search?q={searchTerms}")
    path = template.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path.replace("{searchTerms}", "fire")).status_code == 200


def test_active_filters_show_and_can_be_removed(client: FlaskClient) -> None:
    """Each filter in force is listed with a link that removes just that filter."""
    html = get_page(
        client, "/search", q=COMMON_WORD, site="www.valleyledger.example", date_from="2019-01-01"
    )
    page = outline(html)
    assert "site www.valleyledger.example" in html
    assert "published 2019-01-01 to …" in html
    assert page.find("a", href=f"/search?q={COMMON_WORD}&date_from=2019-01-01")
    assert page.find("a", href=f"/search?q={COMMON_WORD}&site=www.valleyledger.example")


def test_date_filter_form_works_without_javascript(client: FlaskClient) -> None:
    """The date form is a plain GET form with labelled date inputs keeping the query."""
    page = outline(get_page(client, "/search", q=COMMON_WORD, sort="newest"))
    assert page.find("label", **{"for": "date_from"})
    assert page.find("label", **{"for": "date_to"})
    assert page.find("input", id="date_from", type="date")
    assert page.find("input", type="hidden", name="q", value=COMMON_WORD)
    assert page.find("input", type="hidden", name="sort", value="newest")


def test_author_facet_links_filter_by_author(client: FlaskClient) -> None:
    """Authors of the results are offered as filters."""
    html = get_page(client, "/search", q=COMMON_WORD)
    assert "Narrow by author" in html
    link = re.search(r'href="(/search\?q=according&amp;author=[^"]+)"', html)
    assert link
    filtered = client.get(link.group(1).replace("&amp;", "&"))
    assert filtered.status_code == 200
    assert "Remove the filter on author" in filtered.get_data(as_text=True)


def test_query_text_is_escaped_everywhere_it_is_echoed(client: FlaskClient) -> None:
    """A query containing markup comes back as text in the box, title and summary."""
    html = get_page(client, "/search", q='"><script>alert(1)</script>')
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_non_ascii_query_round_trips(client: FlaskClient) -> None:
    """Accented words are searched, kept in the box and highlighted."""
    html = get_page(client, "/search", q="fiancée")
    assert outline(html).find("input", id="q", value="fiancée")
    assert "<mark>Fiancée</mark>" in html or "<mark>fiancée</mark>" in html


def test_results_pages_ask_robots_not_to_index_them(client: FlaskClient) -> None:
    """Result pages are not content: crawlers may follow them but not index them."""
    page = outline(get_page(client, "/search", q="fire"))
    assert page.find("meta", name="robots", content="noindex, follow")


# -- added with issue 6 --------------------------------------------------------------------


def follow(client: FlaskClient, href: str | None) -> str:
    """The HTML page at a link taken from a page (entities in the href undone)."""
    response = client.get((href or "").replace("&amp;", "&"))
    assert response.status_code == 200, href
    return response.get_data(as_text=True)


def test_every_search_tip_example_runs(client: FlaskClient) -> None:
    """Each example on the tips page is a link to results that find something."""
    from search_service.tips import TIPS

    html = get_page(client, "/tips")
    assert "<h1>Search tips</h1>" in html
    links = [a["href"] for a in outline(html).find("a", **{"class": "example"})]
    assert len(links) == sum(len(examples) for _, examples in TIPS)
    for href in links:
        assert href
        page = follow(client, href)
        assert "No documents match" not in page, href
        assert re.search(r"[1-9][\d,]* results? for", page), href


def test_result_cards_link_whole_card_and_offer_more_like_this(client: FlaskClient) -> None:
    """Each card is an article whose title link covers it, plus a "more like this" link."""
    html = get_page(client, "/search", q="Notre Dame cathedral fire")
    page = outline(html)
    cards = page.find("a", **{"class": "card-link"})
    assert cards
    more = page.find("a", **{"class": "more-like"})
    assert len(more) == len(cards)
    similar = follow(client, more[0]["href"])
    assert "Articles like" in similar


def test_document_page_shows_similar_articles(client: FlaskClient) -> None:
    """Under the article: similar stories (never the article itself)."""
    doc_id = client.get("/api/v1/search?q=notre+dame+fire").get_json()["hits"][0]["id"]
    html = get_page(client, f"/doc/{doc_id}")
    assert "Similar articles" in html
    page = outline(html)
    assert not page.find("a", **{"class": "card-link", "href": f"/doc/{doc_id}"})


def test_year_facet_filters_by_dates(client: FlaskClient) -> None:
    """Years of the results are offered as date filters with counts."""
    html = get_page(client, "/search", q=COMMON_WORD)
    assert "Narrow by year" in html
    link = re.search(
        r'href="(/search\?q=according&amp;date_from=(\d{4})-01-01&amp;date_to=\2-12-31)"', html
    )
    assert link
    filtered = follow(client, link.group(1))
    assert f"published {link.group(2)}-01-01 to {link.group(2)}-12-31" in filtered


def test_quick_range_filter_can_be_removed(client: FlaskClient) -> None:
    """``within`` shows as an active filter with a link removing it."""
    from search_service.params import WITHIN

    if not WITHIN:
        pytest.skip("this index has no quick ranges")
    html = get_page(client, "/search", q=COMMON_WORD, within="year")
    assert "published in the past year" in html
    assert outline(html).find("a", href=f"/search?q={COMMON_WORD}")


def test_misspelling_offers_did_you_mean(client: FlaskClient) -> None:
    """A misspelt query links to the corrected one (when the index offers corrections)."""
    data = client.get("/api/v1/search?q=cathedrl+notre").get_json()
    html = get_page(client, "/search", q="cathedrl notre")
    if data.get("suggestion") and not data.get("corrected"):
        assert "Did you mean" in html
        assert data["suggestion"] in html


@pytest.mark.parametrize(
    "path", ["/", "/search?q=fire", "/tips", "/embedding", "/embed?q=fire", "/doc/ffffffffffffffff"]
)
def test_opensearch_is_linked_from_every_page(client: FlaskClient, path: str) -> None:
    """Every HTML page, errors and the widget included, names the OpenSearch description."""
    html = client.get(path).get_data(as_text=True)
    assert outline(html).find("link", rel="search", href="/opensearch.xml")


def test_home_says_when_the_index_was_built(client: FlaskClient) -> None:
    """The home page names the last reindex time."""
    assert "Index last rebuilt" in get_page(client, "/")


def test_search_box_offers_suggestions_to_scripts(client: FlaskClient) -> None:
    """The box names its suggestion endpoint and list; without script nothing shows."""
    page = outline(get_page(client, "/"))
    box = page.find("input", id="q")[0]
    assert box["data-suggest"] == "/api/v1/suggest"
    assert box["role"] == "combobox"
    assert "hidden" in page.find("ul", id="q-suggestions")[0]


def test_embedding_page_has_live_examples(client: FlaskClient) -> None:
    """The embedding help page shows both the script tag and the iframe, live."""
    response = client.get("/embedding")
    html = response.get_data(as_text=True)
    page = outline(html)
    assert page.find("script", src="/static/embed.js")
    assert page.find("iframe")
    assert "frame-src 'self'" in response.headers["Content-Security-Policy"]


def test_corrected_query_says_so_once(client: FlaskClient) -> None:
    """When the index searched a correction instead, the page names it once, as a link."""
    data = client.get("/api/v1/search?q=cathedrl").get_json()
    if not data.get("corrected"):
        pytest.skip("this index does not correct queries")
    html = get_page(client, "/search", q="cathedrl")
    assert html.count("Showing results for") == 1
    assert f'<a href="/search?q={data["suggestion"]}">{data["suggestion"]}</a>' in html
    assert "nothing matched “cathedrl” as typed." in html


def test_quick_ranges_are_offered_only_when_they_can_find_something() -> None:
    """An archive ending in 2020 offers no "past week"; a fresh one offers what fits."""
    from datetime import date

    from index.models import SearchRequest, SearchResults
    from search_service.lookups import useful_ranges

    results = SearchResults(
        request=SearchRequest(q="x"),
        total=1,
        hits=(),
        took_ms=1.0,
        facets={"month": [("2020-09", 1), ("2019-04", 2)]},
    )
    periods = ("day", "week", "month", "year")
    assert useful_ranges(results, periods, today=date(2026, 11, 26)) == []
    assert useful_ranges(results, periods, today=date(2020, 10, 5)) == ["week", "month", "year"]
    assert useful_ranges(results, periods, today=date(2020, 9, 20)) == list(periods)


def test_pager_offers_no_page_past_the_limit(app: Any) -> None:
    """With more pages than may be asked for, the pager stops at MAX_PAGE (no link to a 400)."""
    from index.models import MAX_PAGE, SearchRequest, SearchResults

    req = SearchRequest(q="x", page=MAX_PAGE)
    results = SearchResults(request=req, total=(MAX_PAGE + 50) * req.size, hits=(), took_ms=1.0)
    with app.test_request_context("/search?q=x"):
        template = app.jinja_env.from_string(
            '{% from "_macros.html" import pager %}{{ pager(req, results) }}'
        )
        html = template.render(req=req, results=results)
    assert f"page={MAX_PAGE + 1}" not in html
    assert 'rel="next"' not in html
    assert f"Page {MAX_PAGE} of {MAX_PAGE + 50}" in html


@pytest.mark.parametrize(
    ("q", "changes"),
    [
        ('a b "c" d&e=f/é ü+z', {}),
        ("naïve 'quote' (x) * ; : #", {"sort": "oldest", "author": "Ann O'Lee"}),
        ("x", {"page": 4, "site": "bbc.co.uk"}),
    ],
)
def test_result_links_are_encoded_as_url_for_would(
    app: Flask, q: str, changes: dict[str, Any]
) -> None:
    """search_url builds the path once and encodes the query itself: same URLs as url_for."""
    with app.test_request_context("/search"):
        req = SearchRequest(q=q)
        got = search_url(req, **changes)
        kept = {"q": q, "page": changes.get("page", 1), **changes}
        kept = {k: v for k, v in kept.items() if not (k == "page" and v == 1)}
        assert got == url_for("pages.search", **kept)
