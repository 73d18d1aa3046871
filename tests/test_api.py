"""The JSON API on the real sample index: field names, paging, sorting, filters, documents.

The field names asserted here are a contract other programs rely on.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from ingest.document import parse_published

HIT_FIELDS = {
    "id",
    "url",
    "source",
    "title",
    "site",
    "author",
    "published",
    "snippet",
    "snippet_text",
}
SEARCH_FIELDS = {"ok", "total", "page", "size", "took_ms", "hits"}
SAMPLE_SITES = {
    "m.quickwire.example",
    "www.coastandcounty.example",
    "www.harbourgazette.example",
    "www.northlightdaily.example",
    "www.valleyledger.example",
}
#: A word used by more than ten of the sample's stories, so its results span pages.
COMMON_WORD = "according"


def search(client: FlaskClient, **params: Any) -> dict[str, Any]:
    """GET /api/v1/search and return the body of a 200 answer."""
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    data: dict[str, Any] = response.get_json()
    assert data["ok"] is True
    return data


def test_search_answers_the_contract_fields(client: FlaskClient) -> None:
    """Top-level and per-hit names and types are the documented ones."""
    data = search(client, q="Notre Dame cathedral fire")
    assert SEARCH_FIELDS <= set(data)
    assert data["page"] == 1
    assert data["size"] == 10
    assert isinstance(data["took_ms"], (int, float))
    assert data["took_ms"] >= 0
    assert data["total"] >= len(data["hits"]) >= 1
    for hit in data["hits"]:
        assert HIT_FIELDS <= set(hit)
        assert isinstance(hit["id"], str)
        assert hit["id"]
        assert isinstance(hit["title"], str)
        assert hit["site"] in SAMPLE_SITES
        assert isinstance(hit["snippet"], str)
        assert isinstance(hit["snippet_text"], str)


def test_known_item_comes_first(client: FlaskClient) -> None:
    """The sample's demo query finds its story at the top."""
    top = search(client, q="Notre Dame cathedral fire")["hits"][0]
    assert "Notre Dame" in top["title"]


def test_snippet_is_escaped_html_with_marks(client: FlaskClient) -> None:
    """``snippet`` marks matches and escapes everything else; ``snippet_text`` is plain."""
    data = search(client, q="frog skull", size=100)
    assert data["hits"]
    marked = [hit for hit in data["hits"] if "<mark>" in hit["snippet"]]
    assert marked, "no snippet highlights a matching word"
    for hit in data["hits"]:
        without_marks = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in without_marks
        assert ">" not in without_marks
        assert html.unescape(without_marks) == hit["snippet_text"]


def test_hostile_title_comes_back_as_data(client: FlaskClient) -> None:
    """The title with <script> in it is returned as the text it is (JSON is not HTML)."""
    hits = search(client, q="frog skull spikes")["hits"]
    titles = [hit["title"] for hit in hits]
    assert any("<script>alert(1)</script>" in title for title in titles)


def test_size_and_page_slice_the_results(client: FlaskClient) -> None:
    """Pages of ``size`` hits follow each other without overlap, with the same total."""
    first = search(client, q=COMMON_WORD, size=5, page=1)
    second = search(client, q=COMMON_WORD, size=5, page=2)
    assert first["total"] == second["total"] > 5
    assert len(first["hits"]) == 5
    assert first["size"] == second["size"] == 5
    assert second["page"] == 2
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


def test_size_up_to_100_is_allowed(client: FlaskClient) -> None:
    """The largest page returns every result of a small corpus at once."""
    data = search(client, q=COMMON_WORD, size=100)
    assert data["size"] == 100
    assert len(data["hits"]) == data["total"]


def test_page_past_the_end_is_empty_not_an_error(client: FlaskClient) -> None:
    """Asking beyond the last page gives no hits and the honest total."""
    data = search(client, q=COMMON_WORD, page=50)
    assert data["hits"] == []
    assert data["total"] > 0


@pytest.mark.parametrize(("sort", "newest_first"), [("newest", True), ("oldest", False)])
def test_sort_by_date(client: FlaskClient, sort: str, newest_first: bool) -> None:
    """Date sorts order the hits by publication instant."""
    hits = search(client, q=COMMON_WORD, sort=sort, size=100)["hits"]
    instants = [parse_published(hit["published"]) for hit in hits if hit["published"]]
    assert len(instants) > 5
    assert instants == sorted(instants, reverse=newest_first)  # type: ignore[type-var]


def test_site_filter_keeps_only_that_site(client: FlaskClient) -> None:
    """``site`` restricts every hit to that site."""
    site = "www.valleyledger.example"
    data = search(client, q=COMMON_WORD, site=site, size=100)
    assert data["hits"]
    assert {hit["site"] for hit in data["hits"]} == {site}


def test_collapse_shows_one_copy_per_story(client: FlaskClient) -> None:
    """A story on four sites is one hit (with "also on") unless collapse is off."""
    title = "Notre Dame in Paris catches fire"
    collapsed = search(client, q="Notre Dame Paris catches fire", size=100)
    expanded = search(client, q="Notre Dame Paris catches fire", size=100, collapse="false")
    notre_dame = [h for h in collapsed["hits"] if h["title"] == title]
    assert len(notre_dame) == 1
    assert len(notre_dame[0]["also_on"]) >= 1
    assert expanded["total"] > collapsed["total"]
    assert len([h for h in expanded["hits"] if h["title"] == title]) > 1


def test_no_match_is_an_empty_success(client: FlaskClient) -> None:
    """A query nothing matches is a 200 with zero hits."""
    data = search(client, q="zzxqvw")
    assert data["total"] == 0
    assert data["hits"] == []


def test_document_by_id(client: FlaskClient) -> None:
    """A hit's id fetches the full cleaned document."""
    hit = search(client, q="Leonov first spacewalk")["hits"][0]
    response = client.get(f"/api/v1/documents/{hit['id']}")
    assert response.status_code == 200
    data = response.get_json()
    assert data["ok"] is True
    document = data["document"]
    assert document["id"] == hit["id"]
    assert document["title"] == hit["title"]
    assert document["site"] == hit["site"]
    assert isinstance(document["body"], list)
    assert len(document["body"]) >= 2
    assert all(isinstance(paragraph, str) and paragraph for paragraph in document["body"])
    assert "Leonov" in " ".join(document["body"])


def test_stats_describe_the_archive(client: FlaskClient) -> None:
    """Counts add up, sites are the sample's, the date span is ISO text."""
    response = client.get("/api/v1/stats")
    assert response.status_code == 200
    data = response.get_json()
    assert data["ok"] is True
    assert data["documents"] >= 24
    assert {entry["site"] for entry in data["sites"]} <= SAMPLE_SITES
    assert sum(entry["count"] for entry in data["sites"]) == data["documents"]
    assert re.match(r"\d{4}-\d{2}-\d{2}", data["first_published"])
    first = parse_published(data["first_published"])
    last = parse_published(data["last_published"])
    assert first is not None
    assert last is not None
    assert first <= last
    assert data["generation"]


def test_date_range_filter_is_inclusive(client: FlaskClient) -> None:
    """``date_from``/``date_to`` keep hits published on those days and between them."""
    data = search(client, q=COMMON_WORD, size=100, date_from="2019-10-01", date_to="2019-12-31")
    assert data["date_from"] == "2019-10-01"
    assert data["date_to"] == "2019-12-31"
    assert data["hits"]
    everything = search(client, q=COMMON_WORD, size=100)
    assert data["total"] < everything["total"]
    for hit in data["hits"]:
        published = parse_published(hit["published"])
        assert published is not None
        # a page's local date may fall a day either side of the UTC day bounds
        assert "2019-09-30" <= published.date().isoformat() <= "2020-01-01"


def test_author_filter_keeps_only_that_author(client: FlaskClient) -> None:
    """``author`` is an exact byline."""
    author = search(client, q=COMMON_WORD, size=100)["facets"]["author"][0]["value"]
    data = search(client, q=COMMON_WORD, size=100, author=author)
    assert data["author"] == author
    assert data["hits"]
    assert {hit["author"] for hit in data["hits"]} == {author}


# -- parameters added with issue 6 ----------------------------------------------------------


def test_facets_parameter_picks_the_counts(client: FlaskClient) -> None:
    """``facets=site`` returns only site counts; an empty value returns none."""
    assert set(search(client, q=COMMON_WORD, facets="site")["facets"]) == {"site"}
    assert search(client, q=COMMON_WORD, facets="")["facets"] == {}
    assert "site" in search(client, q=COMMON_WORD)["facets"]


def test_highlight_off_gives_plain_snippets(client: FlaskClient) -> None:
    """``highlight=false``: no <mark> in the snippet, the echo says so."""
    data = search(client, q="notre dame fire", highlight="false")
    assert data["highlight"] is False
    assert all("<mark>" not in hit["snippet"] for hit in data["hits"])


def test_misspelt_query_offers_a_suggestion(client: FlaskClient) -> None:
    """A misspelling gives ``suggestion`` (when the index supports it) and never fails."""
    data = search(client, q="cathedrl fire")
    assert {"suggestion", "corrected", "partial"} <= set(data)
    if data["suggestion"] is not None:
        assert "cathedral" in data["suggestion"].lower()


def test_suggest_completes_titles_and_words(client: FlaskClient) -> None:
    """What is typed so far gives titles and completed words, bounded by ``limit``."""
    response = client.get("/api/v1/suggest", query_string={"q": "notr", "limit": 5})
    assert response.status_code == 200
    data = response.get_json()
    assert data["ok"] is True
    assert 1 <= len(data["suggestions"]) <= 5
    assert any("notre dame" in s.lower() for s in data["suggestions"])
    assert client.get("/api/v1/suggest?q=x").get_json()["suggestions"] == []


def test_similar_documents_leave_out_the_document(client: FlaskClient) -> None:
    """Similar documents are hits, never the document itself."""
    doc_id = search(client, q="notre dame fire")["hits"][0]["id"]
    response = client.get(f"/api/v1/documents/{doc_id}/similar?size=3")
    assert response.status_code == 200
    data = response.get_json()
    assert data["id"] == doc_id
    assert len(data["hits"]) <= 3
    assert doc_id not in {hit["id"] for hit in data["hits"]}


def test_etag_gives_a_304(client: FlaskClient) -> None:
    """Repeating a read with the ETag it returned gets a bodiless 304."""
    first = client.get("/api/v1/search?q=fire")
    etag = first.headers["ETag"]
    assert "max-age" in first.headers["Cache-Control"]
    again = client.get("/api/v1/search?q=fire", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert client.get("/api/v1/stats", headers={"If-None-Match": etag}).status_code == 200


def test_errors_are_not_cached(client: FlaskClient) -> None:
    """An error carries no ETag: it may be gone on the next try."""
    response = client.get("/api/v1/search?q=fire&page=0")
    assert response.status_code == 400
    assert "ETag" not in response.headers


def test_cors_allows_any_origin_by_default(client: FlaskClient) -> None:
    """The read-only API may be read by scripts on other sites (the embed.js widget)."""
    response = client.get("/api/v1/search?q=fire", headers={"Origin": "https://blog.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    error = client.get("/api/v1/search", headers={"Origin": "https://blog.example"})
    assert error.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/suggest?q=fi",
        headers={"Origin": "https://blog.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_cors_origins_setting_limits_who_may_read(indexed_data_dir: Any) -> None:
    """With a list of origins, only those get the header (and caches vary on Origin)."""
    from search_service import create_app

    app = create_app(
        {"TESTING": True, "DATA_DIR": indexed_data_dir, "CORS_ORIGINS": "https://a.example"}
    )
    client = app.test_client()
    allowed = client.get("/api/v1/stats", headers={"Origin": "https://a.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://a.example"
    assert "Origin" in allowed.headers["Vary"]
    other = client.get("/api/v1/stats", headers={"Origin": "https://b.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
