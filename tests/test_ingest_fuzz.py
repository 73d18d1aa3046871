"""A fast subset of bench/fuzz_ingest.py: mutated pages always get a verdict, in bounded time.

The full run (``python bench/fuzz_ingest.py --pages 2000 --seed 1``) takes minutes; this
fixed-seed subset of 150 pages meets every mutation (deep JSON-LD, impossible zone offsets,
control bytes, truncated, gzip-broken and huge pages) in about 10 s CPU, so a regression to
an exception or a runaway page fails CI rather than waiting for the next fuzz session.
"""

from __future__ import annotations

from bench.fuzz_ingest import MUTATIONS, run

PAGES = 150


def test_mutated_pages_get_a_verdict_within_the_bound() -> None:
    # 5 s per page is the bound of the full run too; it holds on a loaded 2-core machine
    figures = run(pages=PAGES, seed=3, max_seconds=5.0)
    assert figures["failures"] == []
    outcomes = figures["outcomes"]
    assert isinstance(outcomes, dict)
    assert sum(outcomes.values()) == PAGES
    # the subset only guards what it exercises: every mutation must be drawn at least once
    assert set(figures["mutations"]) == set(MUTATIONS)  # type: ignore[arg-type]
