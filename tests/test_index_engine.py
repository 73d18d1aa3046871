"""index.engine: the vectorised evaluation must rank exactly as Whoosh's collectors do.

Whoosh's own matchers and collectors are the reference: for each query the engine must
find the same documents with the same scores (to float rounding), on an index with several
segments and deleted documents, and the proximity re-ranking must give the same head as
scoring every match with the bonus.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import numpy as np
import pytest
from whoosh import query as wq

from index import snippets
from index.build import apply_changes, build_generation
from index.engine import Unsupported, ranked
from index.models import SearchRequest
from index.query import ParsedQuery, parse_user_query
from index.search import Searcher
from ingest.document import Document

VOCAB = (
    "river flood town council budget vote mayor police storm water school board election "
    "city hall road bridge fire rescue court judge trial market price energy power plant "
    "health hospital doctor nurse union strike train station airport weather rain snow"
).split()

QUERIES = [
    "river",
    "council budget",
    "the city council",
    '"city hall"',
    '"river flood town"',
    "budget -police",
    "mayor OR judge",
    "(storm OR rain) road",
    "+bridge fire rescue",
    "title:budget",
    "site:b.example water",
    "school board election results in the county tonight again",
    "hosp*",
    "health NOT hospital",
    "power plant strike",
]


def _body(rng: random.Random) -> str:
    paras = []
    for _ in range(rng.randint(1, 4)):
        words = [rng.choice(VOCAB) for _ in range(rng.randint(5, 60))]
        paras.append(" ".join(words).capitalize() + ".")
    return "\n".join(paras)


def _doc(i: int, rng: random.Random) -> Document:
    site = rng.choice(["a.example", "b.example", "c.example"])
    title = " ".join(rng.choice(VOCAB) for _ in range(rng.randint(2, 7))).title()
    return Document(
        id=f"d{i}",
        url=f"https://{site}/news/{rng.choice(VOCAB)}/{i}",
        site=site,
        title=title,
        author=rng.choice(["Ann Lee", "Bo Chan", None]),
        published=f"2021-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        # a fixed sentence in some bodies, so that three-word phrases have matches
        body=tuple(_body(rng).split("\n"))
        + (("The river flood town hall met.",) if i % 9 == 0 else ()),
        story=f"s{i // 3}" if i % 5 == 0 else f"d{i}",
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 random documents, then an in-place update: a second segment and deletions."""
    rng = random.Random(7)
    data = tmp_path_factory.mktemp("engine")
    docs = [_doc(i, rng) for i in range(600)]
    build_generation(data, docs)
    changes: list[tuple[int, str, Document | None]] = []
    for seq, i in enumerate(range(0, 600, 7), start=1):
        changes.append((seq, f"d{i}", None if i % 2 else _doc(i, rng)))
    changes.extend((1000 + i, f"n{i}", _doc(600 + i, rng)) for i in range(40))
    apply_changes(data, changes)
    return data


def _whoosh_ranking(searcher: Searcher, q: object) -> list[tuple[int, float]]:
    items, _ = searcher._collect(searcher._current(), q, None, time.perf_counter() + 60)
    return [(d, s) for s, d in items]


def _assert_same(expected: list[tuple[int, float]], docs: np.ndarray, scores: np.ndarray) -> None:
    assert sorted(d for d, _ in expected) == sorted(docs.tolist())
    got = dict(zip(docs.tolist(), scores.tolist(), strict=True))
    for d, s in expected:
        assert got[d] == pytest.approx(s, rel=1e-9, abs=1e-12)
    # same order wherever scores are not tied
    ranks = [d for d, _ in expected]
    for a, b in zip(ranks, docs.tolist(), strict=True):
        if a != b:
            assert got[a] == pytest.approx(got[b], rel=1e-9)


def test_the_index_has_segments_and_deletions(data_dir: Path) -> None:
    s = Searcher(data_dir)
    with s._use() as gen:
        reader = gen.searcher.reader()
        assert len(reader.leaf_readers()) >= 2
        assert reader.doc_count_all() > reader.doc_count()


def test_the_postings_cache_stays_within_its_bound_and_scores_the_same(data_dir: Path) -> None:
    """Evicted posting lists are decoded again to the same scores; the cache never holds
    more than its bound (beyond a single list larger than the bound)."""
    s = Searcher(data_dir)
    with s._use() as gen:
        assert gen.engine.max_cached_postings >= 8_000_000  # the floor, whatever the size
        parsed = parse_user_query("river council budget", gen.searcher.schema,
                                  gen.searcher.reader(), s.params)
        before = ranked(gen.engine.evaluate(parsed.loose))
    small = Searcher(data_dir)  # a generation opened anew: an empty cache
    with small._use() as gen:
        engine = gen.engine
        engine.max_cached_postings = 50
        for text in QUERIES:
            q = parse_user_query(text, gen.searcher.schema, gen.searcher.reader(), s.params)
            engine.evaluate(q.loose if q.loose is not None else q.strict)
            assert engine._cached <= 50 or len(engine._postings) == 1
        after = ranked(engine.evaluate(parsed.loose))
        assert np.array_equal(before[0], after[0])
        assert np.allclose(before[1], after[1])


@pytest.mark.parametrize("text", QUERIES)
def test_engine_scores_every_query_part_like_whoosh(data_dir: Path, text: str) -> None:
    s = Searcher(data_dir)
    with s._use() as gen:
        parsed = parse_user_query(text, gen.searcher.schema, gen.searcher.reader(), s.params)
        parts = [parsed.strict, parsed.loose]
        if parsed.boost is not None:
            parts.append(wq.AndMaybe(parsed.strict, parsed.boost))
        checked = 0
        for q in parts:
            if q is None:
                continue
            expected = _whoosh_ranking(s, q)
            docs, scores = ranked(gen.engine.evaluate(q))
            _assert_same(expected, docs, scores)
            checked += len(expected)
        assert checked > 0, "the query should match something in this corpus"


@pytest.mark.parametrize(
    "words",
    [["council", "budget"], ["citi", "hall"], ["river", "flood", "town"], ["power", "plant"]],
)
def test_pairs_field_gives_the_same_phrase_matches_as_positions(
    data_dir: Path, words: list[str]
) -> None:
    """The ``pairs`` shortcut and the position check agree, and both agree with Whoosh."""
    s = Searcher(data_dir)
    with s._use() as gen:
        engine = gen.engine
        q = wq.Phrase("text", words)
        fast = engine.evaluate(q)
        expected = _whoosh_ranking(s, q)
        docs, scores = ranked(fast)
        assert expected, "the phrase should occur in this corpus"
        _assert_same(expected, docs, scores)
        every = np.ones(engine.n, dtype=bool)
        for w in words:
            m = np.zeros(engine.n, dtype=bool)
            m[engine.postings("text", w).ids] = True
            every &= m
        cand = np.flatnonzero(every & engine.live)
        by_positions = cand[engine.phrase_matches("text", words, cand, 1, None)]
        assert sorted(by_positions.tolist()) == sorted(docs.tolist())


def test_deleted_documents_never_match(data_dir: Path) -> None:
    s = Searcher(data_dir)
    with s._use() as gen:
        reader = gen.searcher.reader()
        dead = [n for n in range(reader.doc_count_all()) if reader.is_deleted(n)]
        assert dead
        ev = gen.engine.evaluate(wq.Every())
        assert not ev.mask[dead].any()
        assert ev.mask.sum() == reader.doc_count()


def test_unknown_query_nodes_fall_back_to_whoosh(data_dir: Path) -> None:
    s = Searcher(data_dir)
    with s._use() as gen:
        with pytest.raises(Unsupported):
            gen.engine.evaluate(wq.FuzzyTerm("text", "rivr"))
        # and a ranking holding one still answers, through Whoosh's collectors
        parsed = ParsedQuery(text="rivr~", strict=wq.FuzzyTerm("text", "rivr"), loose=None)
        request = SearchRequest(q="rivr", collapse=False)
        out = s._rank(parsed, None, request, time.perf_counter() + 60)
        expected = _whoosh_ranking(s, parsed.strict)
        assert expected
        assert out.docs.tolist() == [d for d, _ in expected]


def test_search_results_do_not_depend_on_the_page_asked(data_dir: Path) -> None:
    """Pages cut from one exact order: page 2 continues page 1 with no repeat."""
    s = Searcher(data_dir)
    first = s.search(SearchRequest(q="council budget", size=10, page=1))
    second = s.search(SearchRequest(q="council budget", size=10, page=2))
    both = s.search(SearchRequest(q="council budget", size=20, page=1))
    assert first.total == second.total == both.total
    assert [h.id for h in first.hits] + [h.id for h in second.hits] == [h.id for h in both.hits]


def test_snippet_scan_finds_the_analyzers_tokens(data_dir: Path) -> None:
    s = Searcher(data_dir)
    with s._use() as gen:
        bodies = [f["body"] for f in gen.searcher.all_stored_fields()][:200]
    bodies += ["Covid-19 e-mail U.S. 3.5% don't stop*star naïve café ÉCOLE", "a an I x  ", ""]
    bodies += ["Dying, lying and tying: U.S. u.s.a. x..y İstanbul's dying İ."]
    bodies += ["re-council recouncil"]
    rng = random.Random(5)
    for body in bodies:
        spans = snippets.analysed_spans(body)
        stems = frozenset(t for _, _, t in spans)
        assert snippets._matches(body, stems) == spans
        # the usual case: a few query terms, found without tokenising the whole text
        for _ in range(3):
            few = frozenset(rng.sample(sorted(stems), min(3, len(stems))))
            assert snippets._matches(body, few) == [sp for sp in spans if sp[2] in few]


@pytest.mark.parametrize("text", ["river", "council budget", "storm OR rain", "power plant strike"])
@pytest.mark.parametrize("collapse", [True, False])
def test_pages_follow_whooshs_full_order(data_dir: Path, text: str, collapse: bool) -> None:
    """Only the head up to the page asked for is sorted; each page must still be the slice
    of the full order that Whoosh's collectors give."""
    s = Searcher(data_dir)
    request = SearchRequest(q=text, collapse=collapse)
    with s._use() as gen:
        parsed = parse_user_query(text, gen.searcher.schema, gen.searcher.reader(), s.params)
        full = s._finish(
            s._rank_whoosh(gen.searcher, parsed, None, time.perf_counter() + 60), request
        )
        expected = [gen.searcher.stored_fields(d)["id"] for d in full.docs.tolist()]
    assert len(expected) > 60, "a broad query: more matches than the sorted head"
    shown: list[str] = []
    for page in range(1, 5):
        res = s.search(SearchRequest(q=text, collapse=collapse, page=page, size=10))
        assert res.total == len(expected)
        shown += [h.id for h in res.hits]
    assert shown == expected[:40]



def test_the_postings_cache_size_is_a_setting(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``postings_cache_mb`` reaches each worker's engine through the app's settings."""
    from search_service import create_app
    from search_service.extensions import get_searcher

    monkeypatch.setenv("SEARCH_SERVICE_POSTINGS_CACHE_MB", "3")
    app = create_app({"DATA_DIR": str(data_dir), "TESTING": True})
    searcher = get_searcher(app)
    searcher.search(SearchRequest(q="river"))
    with searcher._use() as gen:
        assert gen.engine.max_cached_postings == 3 * 1024 * 1024 // 8
    with Searcher(data_dir)._use() as gen:  # automatic: the 8M floor for a small index
        assert gen.engine.max_cached_postings == 8_000_000
