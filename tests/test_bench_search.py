"""bench/search.py: the fixed query mix and one tiny pass on the sample index.

Shape only: timings on a shared machine are not asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.search import (
    QUERY_TYPES,
    build_query_mix,
    copy_prepared,
    main,
    print_size,
    run_on,
)


def test_query_mix_has_each_type_and_is_fixed(indexed_data_dir: Path) -> None:
    """Two queries of every type, of the type's shape, the same on every call."""
    mix = build_query_mix(indexed_data_dir, per_type=2, seed=1)
    assert [q.kind for q in mix] == [kind for kind in QUERY_TYPES for _ in range(2)]
    assert mix == build_query_mix(indexed_data_dir, per_type=2, seed=1)
    assert mix != build_query_mix(indexed_data_dir, per_type=2, seed=2)
    by_kind = {q.kind: q for q in mix}
    assert 6 <= len(by_kind["long"].q.split()) <= 10
    assert by_kind["phrase"].q.startswith('"')
    assert by_kind["phrase"].q.endswith('"')
    assert by_kind["prefix"].q.endswith("*")
    assert len(by_kind["prefix"].q) >= 5
    assert by_kind["filter_site"].site
    date = by_kind["filter_date"]
    assert date.date_from is not None
    assert date.date_to is not None
    assert date.date_from < date.date_to
    assert by_kind["sort_newest"].sort == "newest"
    assert by_kind["page3"].page == 3
    assert all(q.q.strip() for q in mix)


def test_one_pass_reports_ours_and_naive_per_type(
    indexed_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One repeat of one query per type: percentiles for both set-ups, the ratio, a table."""
    result = run_on(indexed_data_dir, pages=0, per_type=1, repeats=1, seed=1)
    assert list(result["types"]) == list(QUERY_TYPES)
    assert result["documents"] > 0
    assert result["index_bytes"] > 0
    for kind, entry in result["types"].items():
        assert entry["queries"] == 1
        for side in ("ours", "naive"):
            stats = entry[side]
            assert 0 <= stats["wall_p50_ms"] <= stats["wall_p95_ms"], kind
            assert 0 <= stats["cpu_p50_ms"] <= stats["cpu_p95_ms"], kind
        assert entry["ours"]["errors"] == 0, entry["ours"].get("first_error")
        assert entry["ratio_p95"] > 0
    assert result["plain"]["types"] == ["one_word", "two_three_words"]
    print_size(result)
    out = capsys.readouterr().out
    for kind in QUERY_TYPES:
        assert f"\n{kind} " in out


def test_without_shared_it_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No ../shared: exit status 2 and one readable line, before anything is built."""
    monkeypatch.setenv("SEARCH_SERVICE_SHARED", str(tmp_path / "absent"))
    assert main(["--docs", "10"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "../shared" in err


def test_a_reused_data_dir_is_copied_with_its_live_generation(
    indexed_data_dir: Path, tmp_path: Path
) -> None:
    """The copy searches like the original and is marked prepared (others' reindexes of the
    original cannot touch it)."""
    from index.models import SearchRequest
    from index.search import Searcher

    copy = copy_prepared(indexed_data_dir, tmp_path / "data-copy")
    assert (copy / ".prepared").exists()
    totals = []
    for data in (indexed_data_dir, copy):
        searcher = Searcher(data)
        try:
            totals.append(searcher.search(SearchRequest(q="fire")).total)
        finally:
            searcher.close()
    assert totals[0] == totals[1] > 0
