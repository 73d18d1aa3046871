"""index.query: the query language, its repairs and its bounds (real Whoosh index, no mocks)."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from index.build import build_generation
from index.models import MAX_QUERY_TERMS, InvalidQuery, InvalidRequest, SearchRequest, SearchResults
from index.query import MAX_PREFIX_TERMS, repair
from index.search import Searcher
from ingest.document import Document


def doc(
    i: str,
    title: str,
    body: str,
    published: str | None = "2021-03-03",
    site: str = "a.example",
    author: str = "Ann Lee",
) -> Document:
    return Document(
        id=i,
        url=f"https://{site}/news/{i}.html",
        site=site,
        title=title,
        author=author,
        published=published,
        body=(body,),
        story=i,
    )


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    data = tmp_path_factory.mktemp("query")
    # 60 distinct words starting with "ab": more than MAX_PREFIX_TERMS expansions
    many = " ".join(f"ab{chr(97 + i // 26)}{chr(97 + i % 26)}x" for i in range(60))
    docs = [
        doc(
            "d1",
            "River floods the old town",
            "The river burst its banks near the bridge.",
            "2019-03-01",
        ),
        doc("d2", "Election results", "Voters went to the polls. Turnout rose.", "2019-08-15"),
        doc(
            "d3",
            "Summit on climate",
            "Leaders met at the climate summit in Paris.",
            "2020-01-05",
            site="b.example",
            author="Bo Chen",
        ),
        doc("d4", "Bridge reopens", "Traffic crosses the new bridge after repairs.", None),
        doc("d5", "Word list", many, "2021-06-30"),
    ]
    build_generation(data, docs)
    return Searcher(data)


def ids(s: Searcher, q: str, **kw: object) -> list[str]:
    return sorted(h.id for h in s.search(SearchRequest(q=q, collapse=False, **kw)).hits)  # type: ignore[arg-type]


# -- the language --------------------------------------------------------------------------


def test_words_phrases_or_not_plus(searcher: Searcher) -> None:
    assert ids(searcher, "river bridge") == ["d1", "d4"]  # d1 has both, d4 only bridge (most words)
    assert searcher.search(SearchRequest(q="river bridge")).hits[0].id == "d1"
    assert ids(searcher, '"new bridge"') == ["d4"]
    assert ids(searcher, '"bridge new"') == []
    assert ids(searcher, "summit OR election") == ["d2", "d3"]
    assert ids(searcher, "bridge -river") == ["d4"]
    assert ids(searcher, "bridge NOT river") == ["d4"]
    # +word stays required when the search falls back to "most words"
    assert ids(searcher, "+traffic river") == ["d4"]


def test_or_binds_tighter_than_the_space_and_parentheses_group(searcher: Searcher) -> None:
    res = searcher.search(SearchRequest(q="(summit OR election) voters"))
    assert [h.id for h in res.hits] == ["d2", "d3"]  # every clause first, then most clauses
    assert repair("summit OR election voters") == "(summit OR election) voters"


def test_fields(searcher: Searcher) -> None:
    assert ids(searcher, "title:bridge") == ["d4"]
    assert ids(searcher, "body:bridge") == ["d1", "d4"]
    assert ids(searcher, "site:b.example climate") == ["d3"]
    assert ids(searcher, 'author:"bo chen"') == ["d3"]


def test_prefix_expands_and_is_bounded(searcher: Searcher) -> None:
    assert ids(searcher, "summ*") == ["d3"]
    res = searcher.search(SearchRequest(q="ab*"))
    assert [h.id for h in res.hits] == ["d5"]
    assert res.notice
    assert str(MAX_PREFIX_TERMS) in res.notice
    with pytest.raises(InvalidQuery):
        searcher.search(SearchRequest(q="a*"))
    with pytest.raises(InvalidQuery, match="at most"):
        searcher.search(SearchRequest(q="ri* br* su* el*"))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("river published:2019", ["d1"]),
        ("bridge published:2019-03", ["d1"]),
        ("bridge published:2019-03-01", ["d1"]),
        ("voters OR river published:[2019-01-01 to 2019-06-30]", ["d1"]),
        ("voters OR river published:[2019-06 TO *]", ["d2"]),
        ("voters OR river after:2019-03-01", ["d2"]),
        ("voters OR river before:2019-04", ["d1"]),
    ],
)
def test_dates_in_the_query(searcher: Searcher, q: str, expected: list[str]) -> None:
    assert ids(searcher, q) == expected


def test_bad_dates_are_refused_clearly(searcher: Searcher) -> None:
    for q in ("river published:2019-13", "river published:yesterday", "river after:20x9"):
        with pytest.raises(InvalidQuery, match="date"):
            searcher.search(SearchRequest(q=q))


def test_parse_exposes_dates_and_highlight_terms(searcher: Searcher) -> None:
    p = searcher.parse('river -bridge "old town" published:2019')
    assert p.date_from == datetime(2019, 1, 1)  # noqa: DTZ001 — naive UTC, as stored
    assert p.date_to is not None
    assert p.date_to.year == 2019
    assert p.date_to.month == 12
    assert "river" in p.highlight_terms
    assert "bridg" not in p.highlight_terms


# -- repairs and refusals ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "repaired"),
    [
        ('"unclosed phrase', '"unclosed phrase"'),
        ("((river town", "river town"),
        ("river)) town", "river town"),
        ("river AND", "river"),
        ("OR river", "river"),
        ("river OR", "river"),
        ("river^3 town~2", "river town"),
        ("\x00river\x07 town\u200b", "river town"),
        ("story:s1", "story s1"),
        ("IL-6 levels", "IL-6 levels"),
    ],
)
def test_repairs(text: str, repaired: str) -> None:
    assert repair(text) == repaired


@pytest.mark.parametrize(
    "text", ["*", "?", "NOT", "-river", "AND OR", "the of and", ":::", '""', "()", "published:2019"]
)
def test_nothing_searchable_is_refused_with_a_message(searcher: Searcher, text: str) -> None:
    with pytest.raises(InvalidQuery) as err:
        searcher.search(SearchRequest(q=text))
    assert len(str(err.value)) > 10


def test_bounds(searcher: Searcher) -> None:
    with pytest.raises(InvalidRequest):
        searcher.search(SearchRequest(q="river " * 2000))  # 12,000 characters
    res = searcher.search(SearchRequest(q=" ".join(["river"] * (MAX_QUERY_TERMS + 10))))
    assert res.notice
    assert f"first {MAX_QUERY_TERMS} words" in res.notice
    deep = "(" * 50 + "river" + ")" * 50
    assert [h.id for h in searcher.search(SearchRequest(q=deep)).hits] == ["d1"]


def test_fuzz_only_results_or_clear_errors(searcher: Searcher) -> None:
    rng = random.Random(20261126)
    atoms = [
        '"',
        "(",
        ")",
        "-",
        "+",
        "*",
        "?",
        ":",
        "^",
        "~",
        "[",
        "]",
        " to ",
        " AND ",
        " OR ",
        " NOT ",
        "title:",
        "site:",
        "author:",
        "published:",
        "after:",
        "before:",
        "body:",
        "river",
        "bridge",
        "ab",
        "2019",
        "2019-13-40",
        "é",
        "日本",
        "\u202e",
        "\x00",
        "\x1b",
        "\ufeff",
        "🙂",
        "  ",
        "\\",
        "/",
        "&&",
        "||",
        "!",
        "{",
        "}",
        "'",
        "0",
        "-1",
    ]
    for _ in range(600):
        text = "".join(rng.choice(atoms) for _ in range(rng.randint(1, 14)))
        try:
            res = searcher.search(SearchRequest(q=text))
        except (InvalidQuery, InvalidRequest) as err:
            assert str(err)  # noqa: PT017 — a fuzz input may be refused, with a message
        else:
            assert isinstance(res, SearchResults)
            assert res.total >= 0


def test_joined_forms_of_hyphenated_words() -> None:
    from index.schema import joined_forms

    text = "TNF-alpha and IL-6; phosphatidylinositol-3,4-biphosphate; e--mail, U.S.-based"
    assert joined_forms(text) == ["TNFalpha", "IL6", "phosphatidylinositol3", "4biphosphate"]
    assert joined_forms("state-of-the-art " + "-".join(["ab"] * 1000)) == ["stateoftheart"]
