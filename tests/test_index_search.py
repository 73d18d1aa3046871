"""index.search: one search function, bounded and repaired queries, one hit per story."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.build import build_generation
from index.models import InvalidQuery, InvalidRequest, SearchRequest
from index.query import repair
from index.search import Searcher
from ingest.document import Document


def doc(
    i: str,
    site: str,
    title: str,
    body: str,
    story: str | None = None,
    dup: str | None = None,
    published: str | None = "2021-03-03",
) -> Document:
    return Document(
        id=i,
        url=f"https://{site}/{i}",
        site=site,
        title=title,
        author="Ann Lee",
        published=published,
        body=tuple(body.split("\n")),
        story=story or i,
        duplicate_of=dup,
    )


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    data = tmp_path_factory.mktemp("search")
    docs = [
        doc(
            "a1",
            "a.example",
            "River floods the old town",
            "The river burst its banks.\nResidents left.",
            "s1",
        ),
        doc(
            "b1", "b.example", "River floods old town", "The river burst its banks.", "s1", dup="a1"
        ),
        doc(
            "c1",
            "c.example",
            "Election results announced",
            "Voters went to the polls by the river.",
        ),
        doc(
            "d1",
            "a.example",
            "<script>alert(1)</script> Mayor speaks",
            "The mayor spoke about the flood.",
            published="2020-01-05T10:00:00+02:00",
        ),
        doc("e1", "c.example", "Bridge reopens", "Traffic crosses the new bridge.", published=None),
    ]
    build_generation(data, docs)
    return Searcher(data)


def test_copies_of_a_story_collapse_into_the_representative(searcher: Searcher) -> None:
    res = searcher.search(SearchRequest(q="river banks"))
    ids = [h.id for h in res.hits]
    assert ids[0] == "a1"  # the representative, not its copy b1
    assert "b1" not in ids
    assert res.hits[0].also_on == ("b.example",)
    assert res.total == len(ids)


def test_collapse_off_shows_every_copy(searcher: Searcher) -> None:
    res = searcher.search(SearchRequest(q="river banks", collapse=False))
    assert sorted(h.id for h in res.hits[:2]) == ["a1", "b1"]


def test_documents_matching_every_word_rank_before_partial_matches(searcher: Searcher) -> None:
    res = searcher.search(SearchRequest(q="river polls"))
    assert res.hits[0].id == "c1"
    assert {h.id for h in res.hits} >= {"c1", "a1"}
    assert res.notice is None


def test_no_document_with_every_word_falls_back_with_a_notice(searcher: Searcher) -> None:
    res = searcher.search(SearchRequest(q="bridge zanzibar"))
    assert [h.id for h in res.hits] == ["e1"]
    assert res.notice


def test_snippets_mark_only_matching_words(searcher: Searcher) -> None:
    hit = next(h for h in searcher.search(SearchRequest(q="flood")).hits if h.id == "d1")
    matched = [t.lower() for t, m in hit.snippet if m]
    assert matched
    assert all(t.startswith("flood") for t in matched)


def test_title_is_returned_raw_for_the_renderer_to_escape(searcher: Searcher) -> None:
    hit = searcher.search(SearchRequest(q="mayor")).hits[0]
    assert hit.title == "<script>alert(1)</script> Mayor speaks"
    assert ("Mayor", True) in hit.title_parts


def test_field_queries_and_phrases(searcher: Searcher) -> None:
    assert [h.id for h in searcher.search(SearchRequest(q="title:election")).hits] == ["c1"]
    assert [h.id for h in searcher.search(SearchRequest(q='"new bridge"')).hits] == ["e1"]
    assert searcher.search(SearchRequest(q='"bridge new"')).total == 0


def test_site_filter_and_sort_by_date(searcher: Searcher) -> None:
    res = searcher.search(SearchRequest(q="river", site="c.example"))
    assert [h.id for h in res.hits] == ["c1"]
    newest = searcher.search(
        SearchRequest(q="river OR bridge OR mayor", sort="newest", collapse=False)
    )
    dates = [h.published for h in newest.hits]
    assert None in dates
    assert dates[-1] is None
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)


def test_facets_count_sites(searcher: Searcher) -> None:
    facets = dict(searcher.search(SearchRequest(q="river", collapse=False)).facets["site"])
    assert facets == {"a.example": 1, "b.example": 1, "c.example": 1}


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced',
        "((river",
        "river))",
        "AND",
        "river AND OR",
        "river^0",
        "river~2",
        "story:s1 river",
        "published:[2020 to",
        "\x00river\x07",
        "river " * 40,
        "ri?er",
        "-river",
        "NOT",
        "title:",
        ":::",
    ],
)
def test_hostile_queries_are_repaired_or_refused_clearly(searcher: Searcher, text: str) -> None:
    try:
        res = searcher.search(SearchRequest(q=text))
    except InvalidQuery as err:
        assert str(err)  # noqa: PT017 — any clear message will do
    else:
        assert res.total >= 0


@pytest.mark.parametrize("text", ["*", "a*", "?", "r*", "the"])
def test_too_broad_or_empty_queries_are_refused(searcher: Searcher, text: str) -> None:
    with pytest.raises(InvalidQuery):
        searcher.search(SearchRequest(q=text))


def test_request_bounds(searcher: Searcher) -> None:
    with pytest.raises(InvalidRequest) as err:
        searcher.search(SearchRequest(q="x" * 10_000))
    assert err.value.param == "q"
    with pytest.raises(InvalidRequest):
        searcher.search(SearchRequest(q="river", size=1000))
    with pytest.raises(InvalidRequest):
        searcher.search(SearchRequest(q="river", page=0))


def test_repair_balances_quotes_and_parentheses() -> None:
    assert repair('"river (town') == '"river town"'
    assert repair("river) (town") == "river town"
    assert repair("(a OR b) c") == "(a OR b) c"
    assert repair("a OR (b c)") == "a OR (b c)"
    assert repair("river^3 town~2") == "river town"
    assert repair("story:s1") == "story s1"
    assert repair("title:river") == "title:river"


def test_pagination_is_stable_and_total_is_exact(searcher: Searcher) -> None:
    q = "river OR bridge OR mayor OR election"
    everything = searcher.search(SearchRequest(q=q, size=100, collapse=False))
    assert everything.total == 5
    pages = [
        searcher.search(SearchRequest(q=q, size=1, page=p, collapse=False))
        for p in range(1, everything.total + 1)
    ]
    assert [p.hits[0].id for p in pages] == [h.id for h in everything.hits]
    assert all(p.total == everything.total for p in pages)


def test_document_and_stats(searcher: Searcher) -> None:
    d = searcher.document("a1")
    assert d is not None
    assert d.body == ("The river burst its banks.", "Residents left.")
    assert searcher.document("nope") is None
    stats = searcher.stats()
    assert stats["documents"] == 5
    assert stats["stories"] == 4
    assert stats["first_published"] == "2020-01-05T10:00:00+02:00"


def test_stats_count_live_documents_over_segments(tmp_path: Path) -> None:
    """Counts, sites and the date span leave out deleted documents, in a generation of
    several segments changed in place."""
    from index.build import apply_changes

    docs = [
        doc(f"x{i}", f"{'abc'[i % 3]}.example", f"Title {i}", "Some body text.",
            story=f"s{i // 2}", published=f"20{10 + i:02d}-06-01")
        for i in range(9)
    ]
    docs.append(doc("undated", "c.example", "No date", "Body.", published=None))
    build_generation(tmp_path, docs, commit_docs=4)
    # delete the oldest and the newest documents and one whole story; add a document
    added = doc("y", "d.example", "Added", "Body.", story="s1", published="2015-01-01")
    apply_changes(
        tmp_path,
        [(1, "x0", None), (2, "x8", None), (3, "x6", None), (4, "x7", None), (5, "y", added)],
    )
    searcher = Searcher(tmp_path)
    with searcher._use() as gen:
        assert len(gen.searcher.reader().leaf_readers()) > 1
    stats = searcher.stats()
    assert stats["documents"] == 7  # x1-x5, undated, y
    assert stats["stories"] == 4  # s0 (x1), s1 (x2, x3, y), s2 (x4, x5), undated
    assert stats["sites"] == [
        ("c.example", 3), ("b.example", 2), ("a.example", 1), ("d.example", 1)
    ]
    assert stats["first_published"].startswith("2011-06-01")
    assert stats["last_published"].startswith("2015-06-01")
    searcher.close()


def test_no_index_yet(tmp_path: Path) -> None:
    from index.models import NoIndexYet

    with pytest.raises(NoIndexYet):
        Searcher(tmp_path).search(SearchRequest(q="river"))


# -- ranking, filters, facets, suggestions, more like this, time bound ----------------------


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    from datetime import UTC, datetime, timedelta

    today = datetime.now(UTC).strftime("%Y-%m-%d")
    recent = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%d")
    data = tmp_path_factory.mktemp("news")
    docs = [
        Document(
            id="n0",
            url="https://w.example/n0.html",
            site="w.example",
            title="Election of a new mayor",
            author="Di Eck",
            published="2004-05-05",
            body=("The mayor thanked the voters of the city.",),
            story="n0",
        ),
        Document(
            id="n1",
            url="https://x.example/business/n1.html",
            site="x.example",
            title="Airline profits climb",
            author="Ann Lee",
            published="2004-01-10",
            body=("The airline reported record profits.",),
            story="n1",
        ),
        Document(
            id="n2",
            url="https://y.example/sport/n2.html",
            site="y.example",
            title="Airline sponsors the league",
            author="Bo Chen",
            published="2004-02-11",
            body=("A football league has a new airline sponsor.",),
            story="n2",
        ),
        Document(
            id="n3",
            url="https://z.example/2004/n3.html",
            site="z.example",
            title="Profits at the airline",
            author="Bo Chen",
            published="2005-03-12",
            body=("Airline profits rose again this year.",),
            story="n3",
        ),
        Document(
            id="n4",
            url="https://z.example/2004/n4.html",
            site="z.example",
            title="Election of a new mayor",
            author="Cy Dam",
            published=recent,
            body=("The mayor thanked the voters of the city.",),
            story="n4",
        ),
        Document(
            id="n5",
            url="https://x.example/politics/n5.html",
            site="x.example",
            title="Mayor opens a park",
            author="Ann Lee",
            published=today,
            body=("The new park opened in the city centre.",),
            story="n5",
        ),
    ]
    build_generation(data, docs)
    return Searcher(data)


def test_section_in_the_url_ranks_a_story_filed_there(news: Searcher) -> None:
    res = news.search(SearchRequest(q="airline business"))
    assert res.hits[0].id == "n1"  # "business" is only in its URL
    assert res.notice is None


def test_title_matches_count_more(news: Searcher) -> None:
    hits = news.search(SearchRequest(q="profits")).hits
    assert {h.id for h in hits[:2]} == {"n1", "n3"}


def test_filters_site_author_dates_and_quick_ranges(news: Searcher) -> None:
    from datetime import UTC, datetime

    q = "airline OR mayor"
    assert {h.id for h in news.search(SearchRequest(q=q, site="z.example")).hits} == {"n3", "n4"}
    assert {h.id for h in news.search(SearchRequest(q=q, author="Bo Chen")).hits} == {"n2", "n3"}
    lo, hi = datetime(2004, 2, 1, tzinfo=UTC), datetime(2005, 12, 31, tzinfo=UTC)
    rng = SearchRequest(q=q, date_from=lo, date_to=hi)
    assert {h.id for h in news.search(rng).hits} == {"n0", "n2", "n3"}
    assert {h.id for h in news.search(SearchRequest(q=q, within="week")).hits} == {"n4", "n5"}
    assert {h.id for h in news.search(SearchRequest(q=q, within="day")).hits} == {"n5"}
    assert news.search(SearchRequest(q=q, site="nowhere.example")).total == 0
    with pytest.raises(InvalidRequest):
        news.search(SearchRequest(q=q, within="decade"))


def test_facets_site_author_year_month(news: Searcher) -> None:
    facets = news.search(SearchRequest(q="airline")).facets
    assert dict(facets["site"]) == {"x.example": 1, "y.example": 1, "z.example": 1}
    assert facets["author"][0] == ("Bo Chen", 2)
    assert facets["year"] == [("2005", 1), ("2004", 2)]
    assert [m for m, _ in facets["month"]] == ["2005-03", "2004-02", "2004-01"]


def test_sorts_and_recency(news: Searcher) -> None:
    q = "airline OR mayor"
    newest = [h.id for h in news.search(SearchRequest(q=q, sort="newest")).hits]
    assert newest == ["n5", "n4", "n3", "n0", "n2", "n1"]
    assert [h.id for h in news.search(SearchRequest(q=q, sort="oldest")).hits] == newest[::-1]
    plain = news.search(SearchRequest(q="mayor voters"))
    blended = news.search(SearchRequest(q="mayor voters", recency=True))
    assert {h.id for h in plain.hits} == {h.id for h in blended.hits}
    assert [h.id for h in plain.hits][:2] == ["n0", "n4"]  # same text: ties keep index order
    assert [h.id for h in blended.hits][:2] == ["n4", "n0"]  # the recent copy first


def test_spelling_correction_shows_results_and_suggests(news: Searcher) -> None:
    res = news.search(SearchRequest(q="airlnie profits"))
    assert res.corrected
    assert res.suggestion == "airline profits"
    assert {h.id for h in res.hits} >= {"n1", "n3"}
    assert res.notice
    assert "airline profits" in res.notice
    assert news.search(SearchRequest(q="airline profits")).suggestion is None


def test_more_like_this(news: Searcher) -> None:
    similar = news.more_like_this("n1", size=5)
    assert similar
    assert similar[0].id == "n3"
    assert all(h.id != "n1" for h in similar)
    assert news.more_like_this("missing") == []


def test_highlights_never_mark_excluded_or_unmatched_words(news: Searcher) -> None:
    hit = news.search(SearchRequest(q="airline -league profits")).hits[0]
    marked = {t.lower() for t, m in hit.snippet if m} | {t.lower() for t, m in hit.title_parts if m}
    assert marked
    assert marked <= {"airline", "profits"}


def test_time_budget_returns_partial_results(tmp_path: Path) -> None:
    """The budget bounds position checks (three-word phrases), the part that grows with
    the index; plain words are always scored (an empty page for them is worse)."""
    docs = [
        doc(f"t{i}", "x.example", f"Story {i}", "river bank flood " * 5 + f"word{i}")
        for i in range(300)
    ]
    build_generation(tmp_path, docs)
    slow = Searcher(tmp_path, time_budget_s=0.0)
    res = slow.search(SearchRequest(q='"river bank flood"'))
    assert res.partial
    assert res.total < 300
    assert slow.search(SearchRequest(q="river")).total == 300
    assert not Searcher(tmp_path).search(SearchRequest(q='"river bank flood"')).partial


def test_date_sorts_keep_every_word_matches_first(news: Searcher) -> None:
    ids = [h.id for h in news.search(SearchRequest(q="airline profits", sort="newest")).hits]
    assert ids == ["n3", "n1", "n2"]  # n2 (newer than n1) has only "airline"
    ids = [h.id for h in news.search(SearchRequest(q="airline profits", sort="oldest")).hits]
    assert ids == ["n1", "n3", "n2"]


def test_site_facet_counts_are_what_filtering_by_that_site_returns(indexed_data_dir: Path) -> None:
    """With one hit per story, a site's count is the number of stories with a matching copy
    on that site: exactly the total a filter on that site gives."""
    sample = Searcher(indexed_data_dir)
    for q in ("the", "fire", "according", "space OR water"):
        try:
            res = sample.search(SearchRequest(q=q))
        except InvalidQuery:
            continue
        assert res.facets["site"], q
        for site, count in res.facets["site"]:
            filtered = sample.search(SearchRequest(q=q, site=site))
            assert filtered.total == count, (q, site)


def test_hyphenated_words_meet_their_joined_spelling(tmp_path: Path) -> None:
    """A query "IL-6" finds "IL6", "Bcl2" finds "Bcl-2" (index.schema.joined_forms); the parts
    still match on their own."""
    build_generation(
        tmp_path,
        [
            doc("h1", "a.example", "Cytokines", "Serum IL6 was raised in the patients."),
            doc("h2", "a.example", "Apoptosis", "Bcl-2 silencing slowed the tumours."),
            doc("h3", "a.example", "Inflammation", "An anti-inflammatory drug was given."),
        ],
    )
    s = Searcher(tmp_path)
    assert [h.id for h in s.search(SearchRequest(q="IL-6")).hits] == ["h1"]
    assert [h.id for h in s.search(SearchRequest(q="IL-6 patients")).hits] == ["h1"]
    assert [h.id for h in s.search(SearchRequest(q="Bcl2")).hits] == ["h2"]
    assert [h.id for h in s.search(SearchRequest(q="antiinflammatory")).hits] == ["h3"]
    assert [h.id for h in s.search(SearchRequest(q="inflammatory")).hits] == ["h3"]
