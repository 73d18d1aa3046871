"""index.build and index.generations: checked builds, atomic publish, one writer."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from index.build import build_generation
from index.generations import (
    current_generation,
    index_root,
    list_generations,
    pointer_stamp,
    writer_lock,
)
from index.models import IndexLocked, NoIndexYet, SearchRequest
from index.search import Searcher
from ingest.document import Document


def make_docs(n: int, word: str = "harbour") -> list[Document]:
    return [
        Document(
            id=f"d{i:03d}", url=f"https://site{i % 3}.example/{i}", site=f"site{i % 3}.example",
            title=f"{word.title()} story number {i}", author="Ann Lee",
            published=f"2021-0{1 + i % 9}-1{i % 10}", body=(f"The {word} opened today.", f"Item {i}."),
            story=f"s{i}",
        )
        for i in range(n)
    ]


def test_build_publishes_a_generation_with_every_document(tmp_path: Path) -> None:
    report = build_generation(tmp_path, make_docs(12))
    assert report.documents == 12
    assert current_generation(tmp_path).name == report.generation
    assert Searcher(tmp_path).search(SearchRequest(q="harbour", size=100)).total == 12


def test_non_articles_are_not_indexed(tmp_path: Path) -> None:
    docs = make_docs(3)
    listing = Document(id="x", url=None, site="a.example", title="Harbour section", kind="listing")
    report = build_generation(tmp_path, [*docs, listing])
    assert report.documents == 3


def test_no_index_yet_names_the_command(tmp_path: Path) -> None:
    with pytest.raises(NoIndexYet, match="search-service reindex"):
        current_generation(tmp_path)


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    with writer_lock(tmp_path):
        with pytest.raises(IndexLocked, match="reindex already running"):
            build_generation(tmp_path, make_docs(2))
    # the lock is released: a build now succeeds
    assert build_generation(tmp_path, make_docs(2)).documents == 2


def test_a_failed_build_leaves_the_live_generation_in_place(tmp_path: Path) -> None:
    first = build_generation(tmp_path, make_docs(4)).generation

    def exploding() -> object:
        yield from make_docs(2, word="lighthouse")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        build_generation(tmp_path, exploding())  # type: ignore[arg-type]
    assert current_generation(tmp_path).name == first
    assert [p.name for p in list_generations(tmp_path)] == [first]
    assert Searcher(tmp_path).search(SearchRequest(q="harbour")).total == 4


def test_old_generations_are_pruned_but_the_previous_one_is_kept(tmp_path: Path) -> None:
    names = [build_generation(tmp_path, make_docs(2)).generation for _ in range(4)]
    assert [p.name for p in list_generations(tmp_path)] == names[-2:]


def test_a_searcher_reopens_when_a_new_generation_is_published(tmp_path: Path) -> None:
    build_generation(tmp_path, make_docs(3))
    searcher = Searcher(tmp_path)
    assert searcher.search(SearchRequest(q="harbour")).total == 3
    old = searcher.generation
    stamp = pointer_stamp(tmp_path)
    build_generation(tmp_path, make_docs(5, word="lighthouse"))
    assert pointer_stamp(tmp_path) != stamp
    assert searcher.search(SearchRequest(q="lighthouse")).total == 5
    assert searcher.generation != old
    assert searcher.search(SearchRequest(q="harbour")).total == 0


def test_searcher_keeps_serving_when_the_pointer_names_a_missing_generation(tmp_path: Path) -> None:
    build_generation(tmp_path, make_docs(3))
    searcher = Searcher(tmp_path)
    assert searcher.search(SearchRequest(q="harbour")).total == 3
    pointer = index_root(tmp_path) / "CURRENT"
    pointer.write_text("gen-does-not-exist\n")
    os.utime(pointer, ns=(1, 1))
    assert searcher.search(SearchRequest(q="harbour")).total == 3


def test_apply_changes_updates_the_live_generation_in_place(tmp_path: Path) -> None:
    from dataclasses import replace

    from index.build import apply_changes, live_applied_seq

    docs = make_docs(4)
    build_generation(tmp_path, docs, applied_seq=7)
    searcher = Searcher(tmp_path)
    assert searcher.search(SearchRequest(q="harbour")).total == 4
    gen = current_generation(tmp_path).name
    changed = replace(docs[0], title="Lighthouse story", body=("The lighthouse shone.",))
    report = apply_changes(tmp_path, [(8, changed.id, changed), (9, docs[1].id, None)])
    assert (report.updated, report.deleted, report.applied_seq) == (1, 1, 9)
    assert current_generation(tmp_path).name == gen  # same generation, new commit
    assert live_applied_seq(tmp_path) == 9
    assert searcher.search(SearchRequest(q="harbour")).total == 2
    assert [h.id for h in searcher.search(SearchRequest(q="lighthouse")).hits] == [docs[0].id]
    # applying the same changes again changes nothing
    apply_changes(tmp_path, [(8, changed.id, changed), (9, docs[1].id, None)])
    assert searcher.search(SearchRequest(q="harbour OR lighthouse")).total == 3


def test_a_killed_build_leaves_the_live_index_and_is_cleaned_up_next_time(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    first = build_generation(tmp_path, make_docs(3)).generation
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from index.build import build_generation\n"
        "from tests.test_index_build import make_docs\n"
        "def slow():\n"
        "    for d in make_docs(50):\n"
        "        time.sleep(0.05)\n"
        "        yield d\n"
        "build_generation(Path(sys.argv[1]), slow())\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], cwd=Path(__file__).parent.parent)
    deadline = time.monotonic() + 20
    while len(list_generations(tmp_path)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(list_generations(tmp_path)) == 2, "the child build never started"
    time.sleep(0.3)
    assert proc.poll() is None, "the child build ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert current_generation(tmp_path).name == first
    assert Searcher(tmp_path).search(SearchRequest(q="harbour")).total == 3
    second = build_generation(tmp_path, make_docs(4)).generation
    assert [p.name for p in list_generations(tmp_path)] == [first, second]


def test_apply_changes_refuses_a_generation_of_another_schema_version(tmp_path: Path) -> None:
    from index.build import apply_changes

    docs = make_docs(2)
    build_generation(tmp_path, docs)
    (current_generation(tmp_path) / "SCHEMA_VERSION").write_text("1\n")
    with pytest.raises(NoIndexYet, match="full `search-service reindex`"):
        apply_changes(tmp_path, [(1, docs[0].id, docs[0])])


@pytest.mark.parametrize(
    ("jobs", "commit_docs", "segments"),
    [
        (2, 100_000, 2),  # one segment per process
        (1, 300, 3),  # a commit every 300 documents: 300 + 300 + 100
        (2, 350, 4),  # two commits of two segments, and no empty one after the last
    ],
)
def test_segmented_builds_rank_like_one(
    tmp_path: Path, jobs: int, commit_docs: int, segments: int
) -> None:
    """Parallel builds (one segment per process) and builds that commit every
    ``commit_docs`` documents give the same hits and scores as one segment."""
    from .test_index_engine import _doc

    rng = random.Random(3)
    docs = [_doc(i, rng) for i in range(700)]
    one = build_generation(tmp_path / "one", docs)
    two = build_generation(tmp_path / "two", docs, jobs=jobs, commit_docs=commit_docs)
    assert one.documents == two.documents == 700
    serial, parallel = Searcher(tmp_path / "one"), Searcher(tmp_path / "two")
    with parallel._use() as gen:
        leaves = gen.searcher.reader().leaf_readers()
        assert len(leaves) == segments
        assert sum(r.doc_count() for r, _ in leaves) == 700
    queries = ["river", "council budget", '"city hall"', "mayor OR judge", "hosp*", "site:b.example"]
    for q in queries:
        a = serial.search(SearchRequest(q=q, size=100, collapse=False))
        b = parallel.search(SearchRequest(q=q, size=100, collapse=False))
        assert a.total == b.total > 0
        scores_a = [round(h.score, 9) for h in a.hits]
        assert scores_a == [round(h.score, 9) for h in b.hits]
        # the same documents, except which of those tied at the page's last score fill it
        last = scores_a[-1]
        assert {h.id for h in a.hits if round(h.score, 9) > last} == {
            h.id for h in b.hits if round(h.score, 9) > last
        }
