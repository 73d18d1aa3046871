"""ingest.pipeline and ingest.store: incremental runs, skipped files recorded, stories."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest

from ingest.options import IngestOptions
from ingest.pipeline import IngestInputError, extract_paths, run_ingest
from ingest.store import REMOVED, SKIPPED, Store

from .conftest import SAMPLE_PAGES


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    """A private copy of the bundled sample pages."""
    target = tmp_path / "pages"
    shutil.copytree(SAMPLE_PAGES, target)
    return target


def article_files(pages: Path) -> list[Path]:
    return sorted(p for p in pages.rglob("*.html") if p.stat().st_size > 2000)


def test_first_run_stores_documents_and_records_every_skipped_file(pages: Path, tmp_path: Path) -> None:
    report = run_ingest([pages], tmp_path / "data", IngestOptions())
    assert report.files == report.new == len(list(pages.rglob("*.htm*")))
    assert report.documents > 30
    kinds = {kind for _, kind, _ in report.skipped}
    assert {"broken", "empty", "binary"} <= kinds
    assert all(reason for _, _, reason in report.skipped)
    with Store(tmp_path / "data") as store:
        counts = store.counts()
        assert counts["documents"] == report.documents
        assert counts["files"][SKIPPED] == len(report.skipped)


def test_rerun_does_no_work_for_unchanged_files(pages: Path, tmp_path: Path) -> None:
    first = run_ingest([pages], tmp_path / "data", IngestOptions())
    second = run_ingest([pages], tmp_path / "data", IngestOptions())
    assert second.unchanged == first.files
    assert second.new == second.changed == second.removed == 0
    assert second.documents == first.documents
    assert len(second.skipped) == len(first.skipped)


def test_touched_but_identical_file_is_not_reextracted(pages: Path, tmp_path: Path) -> None:
    run_ingest([pages], tmp_path / "data", IngestOptions())
    target = article_files(pages)[0]
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    report = run_ingest([pages], tmp_path / "data", IngestOptions())
    assert report.changed == 0 and report.unchanged == report.files


def test_changed_file_is_reextracted(pages: Path, tmp_path: Path) -> None:
    run_ingest([pages], tmp_path / "data", IngestOptions())
    target = article_files(pages)[0]
    html = target.read_text(encoding="utf-8", errors="replace")
    marker = "Zyxwvutsrq marker paragraph added by the test."
    target.write_text(html.replace("</p>", f"</p><p>{marker}</p>", 1), encoding="utf-8")
    report = run_ingest([pages], tmp_path / "data", IngestOptions())
    assert report.changed == 1
    with Store(tmp_path / "data") as store:
        bodies = [" ".join(d.body) for d in store.iter_documents()]
    assert any(marker in b for b in bodies)


def test_removed_file_is_recorded_and_its_document_dropped(pages: Path, tmp_path: Path) -> None:
    first = run_ingest([pages], tmp_path / "data", IngestOptions())
    target = article_files(pages)[0]
    target.unlink()
    report = run_ingest([pages], tmp_path / "data", IngestOptions())
    assert report.removed == 1
    assert report.documents == first.documents - 1
    with Store(tmp_path / "data") as store:
        rec = store.file_records()[str(target.resolve())]
        assert rec.status == REMOVED
        shown = str(target.resolve().relative_to(pages.resolve()))
        assert all(d.source_path != shown for d in store.iter_documents())


def test_copies_of_one_story_share_a_story_id(pages: Path, tmp_path: Path) -> None:
    run_ingest([pages], tmp_path / "data", IngestOptions())
    with Store(tmp_path / "data") as store:
        docs = list(store.iter_documents())
    by_story: dict[str, list[str]] = {}
    for d in docs:
        assert d.story
        by_story.setdefault(d.story, []).append(d.id)
    multi = [ids for ids in by_story.values() if len(ids) > 1]
    assert len(multi) >= 5
    for ids in multi:
        reps = [d for d in docs if d.id in ids and d.duplicate_of is None]
        assert len(reps) == 1
        assert all(d.duplicate_of == reps[0].id for d in docs if d.id in ids and d is not reps[0])


def test_bad_files_are_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    site = tmp_path / "pages" / "bad.example"
    site.mkdir(parents=True)
    (site / "zero.html").write_bytes(b"")
    (site / "cut.html.gz").write_bytes(gzip.compress(b"<html><body><p>x</p>" * 500)[:60])
    (site / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(400))
    (site / "ok.html").write_text(
        "<html><head><title>Harbour reopens</title></head><body><article><h1>Harbour reopens</h1>"
        + "".join(f"<p>The harbour reopened today after repairs, sentence {i} of the report.</p>" for i in range(8))
        + "</article></body></html>",
        encoding="utf-8",
    )
    report = run_ingest([tmp_path / "pages"], tmp_path / "data", IngestOptions())
    assert report.documents == 1
    assert sorted(Path(p).name for p, _, _ in report.skipped) == ["cut.html.gz", "image.html", "zero.html"]


def test_missing_path_and_empty_folder_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(IngestInputError, match="no such file"):
        run_ingest([tmp_path / "missing"], tmp_path / "data", IngestOptions())
    (tmp_path / "empty").mkdir()
    with pytest.raises(IngestInputError, match="no page files"):
        run_ingest([tmp_path / "empty"], tmp_path / "data", IngestOptions())


def test_parallel_extraction_gives_the_same_documents(pages: Path) -> None:
    one = {d.id: d for d in extract_paths([pages], IngestOptions(jobs=1)) if hasattr(d, "id")}
    two = {d.id: d for d in extract_paths([pages], IngestOptions(jobs=2)) if hasattr(d, "id")}
    assert one == two and len(one) > 30


def test_display_path_is_relative_to_the_given_folder() -> None:
    """The shown path is the path under the folder given to ingest, with or without a
    trailing separator, and normalised paths only take the string shortcut."""
    from ingest.pipeline import _display_path

    assert _display_path("/data/pages/site.example/a.html", "/data/pages") == "site.example/a.html"
    assert _display_path("/data/pages/site.example/a.html", "/data/pages/") == "site.example/a.html"
    assert _display_path("/data/pages/x/../site.example/a.html", "/data/pages") == (
        "x/../site.example/a.html"  # as Path.relative_to gives it: no shortcut, no surprise
    )
    assert _display_path("/elsewhere/a.html", "/data/pages") == "a.html"
    assert _display_path("/data/pages/a.html", None) == "a.html"


def test_stored_length_is_the_body_word_count(tmp_path: Path) -> None:
    """Workers count words; the store keeps the same count as counting it itself."""
    from ingest.document import Document
    from ingest.store import Store, body_words

    body = ("One two three.", "Four  five\nsix seven")
    assert body_words(body) == 7
    doc = Document(
        id="d1", url=None, site="s", title="T", author=None, published=None, body=body,
        kind="article", canonical_url=None, source_path="a.html", content_hash="h",
    )
    with Store(tmp_path / "data") as store, store.transaction():
        store.put_document(doc, "/x/a.html", 1, 1)
        row = store.db.execute("SELECT length FROM documents WHERE id='d1'").fetchone()
    assert row[0] == 7


def test_a_folder_given_twice_stores_each_file_once(pages: Path, tmp_path: Path) -> None:
    """Paths seen twice in one run are written twice, the second replacing the first:
    the store ends as after one pass (one document per file)."""
    once = run_ingest([pages], tmp_path / "one", IngestOptions())
    twice = run_ingest([pages, pages], tmp_path / "two", IngestOptions())
    with Store(tmp_path / "one") as a, Store(tmp_path / "two") as b:
        assert a.counts() == b.counts()
        doubles = b.db.execute(
            "SELECT file_path FROM documents GROUP BY file_path HAVING COUNT(*) > 1"
        )
        assert doubles.fetchall() == []
    assert twice.documents == 2 * once.documents


def test_workers_hold_a_bounded_number_of_pages_in_flight(tmp_path: Path) -> None:
    """A parent that stores slowly must not let the pool queue every page's result."""
    import time

    from ingest.pipeline import _run_tasks, _Task, in_flight_window

    options = IngestOptions(jobs=2)
    window = in_flight_window(options.jobs)
    pulled = 0

    def tasks():  # missing files: each becomes an error outcome at once
        nonlocal pulled
        for i in range(window * 4):
            pulled += 1
            yield _Task(str(tmp_path / f"missing-{i}.html"), None, None, 0, 0)

    outcomes = _run_tasks(tasks(), options)
    first = next(outcomes)
    assert first.result is not None
    assert first.result.kind == "error"
    time.sleep(1.0)  # the workers would finish every page by now if nothing held them back
    assert pulled <= window + 2  # one slot freed by `first`, one task waiting for a slot
    rest = list(outcomes)
    assert len(rest) + 1 == window * 4 == pulled


def test_leaving_the_outcomes_early_shuts_the_pool_down(tmp_path: Path) -> None:
    import time

    from ingest.pipeline import _run_tasks, _Task

    tasks = (_Task(str(tmp_path / f"missing-{i}.html"), None, None, 0, 0) for i in range(5000))
    outcomes = _run_tasks(tasks, IngestOptions(jobs=2))
    next(outcomes)
    started = time.monotonic()
    outcomes.close()  # what an exception in the parent's store writes does
    assert time.monotonic() - started < 10
