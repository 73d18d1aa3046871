"""Many files -> the store: skip unchanged files, extract the rest in workers, group stories.

``run_ingest`` is what ``search-service ingest`` calls; ``extract_paths`` is what
``search-service extract`` calls (the same extraction and story grouping, nothing stored).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from ingest.document import ARTICLE, Document, Skipped, make_doc_id
from ingest.duplicates import StoryEntry, StoryGrouper, entry_for, sketch_document
from ingest.extract import extract_document
from ingest.options import IngestOptions
from ingest.sources import iter_page_paths, read_page
from ingest.store import REMOVED, FileRecord, Store, body_words

log = logging.getLogger(__name__)

BATCH = 200
#: Tasks sent to a worker at a time (amortises the pickling round trip).
CHUNK = 16
#: Pages in flight (sent, or done but not yet stored) per worker: bounds the parent's
#: memory whatever the corpus size, with enough queued work that no worker idles.
IN_FLIGHT_PER_JOB = 128

Progress = Callable[[int], None]


class IngestInputError(Exception):
    """Raised when the paths given cannot be ingested at all (missing, no page files)."""


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did; the CLI prints it as a one-paragraph summary."""

    files: int = 0
    unchanged: int = 0
    new: int = 0
    changed: int = 0
    removed: int = 0
    documents: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (path, kind, reason)
    stories: int = 0
    story_changes: int = 0
    seconds: float = 0.0

    @property
    def has_skipped(self) -> bool:
        """Whether some page of this run did not become a document."""
        return bool(self.skipped)


@dataclass(frozen=True, slots=True)
class _Task:
    path: str
    root: str | None
    known_hash: str | None
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class _Outcome:
    task: _Task
    result: Document | Skipped | None  # None: content unchanged
    sketch: bytes | None = None
    words: int | None = None  # the body's word count, counted in the worker


def _pages_root(given: Path) -> Path | None:
    """The folder whose first level is the site domain, for URLs derived from paths."""
    return given if given.is_dir() else None


def collect_tasks(paths: Sequence[Path]) -> Iterator[tuple[Path, Path | None]]:
    """(file, pages root) for every page file under ``paths``.

    Raises:
        IngestInputError: a path does not exist.
    """
    for given in paths:
        if not given.exists():
            raise IngestInputError(f"no such file or folder: {given}")
    for given in paths:
        root = _pages_root(given.resolve())
        for path in iter_page_paths([given.resolve()]):
            yield path, root


def _process(task: _Task, options: IngestOptions) -> _Outcome:
    """Worker: read, compare the hash, extract and sketch one file. Never raises."""
    try:
        page = read_page(Path(task.path), options, Path(task.root) if task.root else None)
        if task.known_hash is not None and page.content_hash == task.known_hash:
            return _Outcome(task, None)
        result = extract_document(page, options)
        if isinstance(result, Document):
            return _Outcome(task, result, sketch_document(result), body_words(result.body))
        return _Outcome(task, result)
    except Exception as err:  # noqa: BLE001 — one bad page must not stop the run; the reason is stored
        log.warning("extraction failed for %s: %s", task.path, err)
        reason = f"extraction failed: {type(err).__name__}: {err}"[:500]
        return _Outcome(task, Skipped(source_path=task.path, kind="error", reason=reason))


def _pool_context() -> multiprocessing.context.BaseContext:
    ctx = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    if os.name == "posix":
        # Workers fork from a server that imported the extraction stack once: without this
        # each worker imported it anew (lxml, bs4, datasketch with scipy: 0.7 s CPU each).
        ctx.set_forkserver_preload(["__main__", "ingest.pipeline", "datasketch"])
    return ctx


def _start_fork_server(options: IngestOptions) -> None:
    """Start the workers' fork server now, without waiting for it.

    It imports the extraction stack (0.4 s) while the parent reads the store and stats the
    files, instead of after, when the parent would wait for it with nothing else to do.
    """
    if options.jobs > 1 and os.name == "posix":
        from multiprocessing import forkserver

        _pool_context()
        forkserver.ensure_running()


def in_flight_window(jobs: int) -> int:
    """Pages that may be in flight at once with ``jobs`` workers (see :func:`_run_tasks`)."""
    return max(IN_FLIGHT_PER_JOB * jobs, 2 * CHUNK)


def _run_tasks(
    tasks: Iterable[_Task], options: IngestOptions
) -> Iterator[_Outcome]:
    if options.jobs <= 1:
        for task in tasks:
            yield _process(task, options)
        return
    ctx = _pool_context()
    # Pool.imap takes every task at once and keeps every result the parent has not taken
    # yet: whenever the parent's store writes lag behind the workers (a slow disk), memory
    # would grow with the corpus. The feeder below waits for a free slot before handing the
    # pool another task, so at most ``window`` pages are in flight whatever the corpus size.
    window = in_flight_window(options.jobs)
    slots = threading.Semaphore(window)
    stop = threading.Event()

    def feed() -> Iterator[_Task]:
        # Runs in the pool's task-handler thread. It polls ``stop`` so that the pool can
        # be torn down (the handler thread is joined) when the consumer leaves early.
        for task in tasks:
            while not slots.acquire(timeout=0.1):
                if stop.is_set():
                    return
            if stop.is_set():
                return
            yield task

    with ctx.Pool(options.jobs) as pool:
        try:
            for outcome in pool.imap(partial(_process, options=options), feed(), CHUNK):
                slots.release()
                yield outcome
        finally:
            stop.set()  # before the pool's exit joins the task-handler thread


def run_ingest(
    paths: Sequence[Path],
    data_dir: Path,
    options: IngestOptions,
    on_progress: Progress | None = None,
    files: Sequence[tuple[Path, Path | None]] | None = None,
) -> IngestReport:
    """Ingest page files into the store of ``data_dir``.

    Unchanged files (same size and mtime, or same content hash) cost one ``stat()``;
    files that disappeared from the given folders are recorded as removed. ``files`` is
    ``collect_tasks(paths)`` when the caller already walked the folders (to size a progress
    bar), so that a million-file tree is walked once.

    Raises:
        IngestInputError: a path is missing or holds no page files.
    """
    started = time.monotonic()
    report = IngestReport()
    files = list(collect_tasks(paths)) if files is None else list(files)
    if not files:
        shown = ", ".join(str(p) for p in paths)
        raise IngestInputError(f"no page files (.html, .htm, .html.gz) found in {shown}")
    _start_fork_server(options)
    with Store(data_dir) as store:
        known = store.file_records()
        seen: set[str] = set()
        tasks: list[_Task] = []
        for path, root in files:
            key = str(path)
            seen.add(key)
            report.files += 1
            try:
                st = path.stat()
            except OSError as err:
                report.skipped.append((key, "error", f"cannot stat file: {err.strerror}"))
                continue
            rec = known.get(key)
            if (
                rec
                and rec.status != REMOVED
                and rec.size == st.st_size
                and rec.mtime_ns == st.st_mtime_ns
            ):
                report.unchanged += 1
                shown = _display_path(key, str(root) if root else None)
                _count_known(report, rec.kind, rec.status, shown, rec.reason)
                if on_progress:
                    on_progress(1)
                continue
            known_hash = rec.hash if rec and rec.status != REMOVED else None
            tasks.append(
                _Task(key, str(root) if root else None, known_hash, st.st_size, st.st_mtime_ns)
            )

        pending: list[_Outcome] = []
        written: set[str] = set()
        for outcome in _run_tasks(tasks, options):
            pending.append(outcome)
            if len(pending) >= BATCH:
                _write(store, pending, known, report, written)
                pending.clear()
            if on_progress:
                on_progress(1)
        _write(store, pending, known, report, written)

        roots = [str(p.resolve()) for p in paths]
        with store.transaction():
            for key, rec in known.items():
                if key not in seen and rec.status != REMOVED and _under(key, roots):
                    store.mark_removed(key)
                    report.removed += 1

        assignments = assign_stories(store)
        with store.transaction():
            report.story_changes = store.set_stories(assignments)
        report.stories = store.counts()["stories"]
    report.seconds = time.monotonic() - started
    return report


def _under(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _count_known(
    report: IngestReport, kind: str | None, status: str, path: str, reason: str | None
) -> None:
    report.kinds[kind or "error"] += 1
    if status == "ok":
        report.documents += 1
    else:
        report.skipped.append((path, kind or "error", reason or ""))


def _write(
    store: Store,
    outcomes: list[_Outcome],
    known: dict[str, FileRecord],
    report: IngestReport,
    written: set[str],
) -> None:
    """Store one batch of outcomes; ``written`` collects the paths stored by this run."""
    with store.transaction():
        for out in outcomes:
            task, result = out.task, out.result
            rec = known.get(task.path)
            # a file the store has never seen has no documents to replace (one query less)
            new_file = rec is None and task.path not in written
            written.add(task.path)
            if result is None and rec is not None:  # touched, same content
                store.touch_file(task.path, task.size, task.mtime_ns)
                report.unchanged += 1
                shown = _display_path(task.path, task.root)
                _count_known(report, rec.kind, rec.status, shown, rec.reason)
                continue
            if result is None:
                continue
            if rec is None or rec.status == REMOVED:
                report.new += 1
            else:
                report.changed += 1
            shown = _display_path(task.path, task.root)
            if isinstance(result, Document):
                result = replace(result, source_path=shown)
                owner = store.file_of(result.id)
                if owner is not None and owner != task.path:
                    # Another file already holds a document with this URL's id (pages that
                    # declare the same own URL): keep both, this one under an id from its path.
                    log.info("%s declares the URL of %s: kept under its own id", shown, owner)
                    result = replace(result, id=make_doc_id(None, shown))
                store.put_document(
                    result, task.path, task.size, task.mtime_ns, out.sketch, out.words,
                    new_file=new_file,
                )
                report.documents += 1
                report.kinds[result.kind] += 1
            else:
                store.put_skipped(
                    result, task.path, task.size, task.mtime_ns, new_file=new_file
                )
                report.kinds[result.kind] += 1
                report.skipped.append((shown, result.kind, result.reason))
                log.warning("skipped %s: %s (%s)", task.path, result.kind, result.reason)


def _display_path(path: str, root: str | None) -> str:
    """The path users see: relative to the folder given to ingest, so that the API never
    shows where the files live on the server."""
    if root:
        prefix = root.rstrip(os.sep) + os.sep
        if path.startswith(prefix) and os.path.normpath(path) == path:  # as the walk gives
            return path[len(prefix) :]
        try:
            return str(Path(path).relative_to(root))
        except ValueError:
            pass
    return Path(path).name


def assign_stories(store: Store) -> list[tuple[str, str, str | None]]:
    """Group every stored document into stories from the stored sketches (no bodies loaded)."""
    grouper = StoryGrouper()
    for row in store.iter_story_rows():
        if row["sketch"] is None:
            continue
        grouper.add(
            StoryEntry(
                id=row["id"], url=row["url"], canonical_url=row["canonical_url"],
                site=row["site"], title=row["title"], published=row["published"],
                length=row["length"], sketch=row["sketch"],
            )
        )
    return [(doc_id, a.story, a.duplicate_of) for doc_id, a in grouper.assign().items()]


def extract_paths(
    paths: Sequence[Path],
    options: IngestOptions,
    on_progress: Progress | None = None,
    files: Sequence[tuple[Path, Path | None]] | None = None,
) -> Iterator[Document | Skipped]:
    """Extract every page file under ``paths`` (nothing stored), stories assigned.

    Documents are held until the end, because a story's representative can only be chosen
    once every copy has been seen; skipped files are yielded as they come.
    """
    tasks = (
        _Task(str(path), str(root) if root else None, None, 0, 0)
        for path, root in (collect_tasks(paths) if files is None else files)
    )
    docs: list[Document] = []
    grouper = StoryGrouper()
    for outcome in _run_tasks(tasks, options):
        if on_progress:
            on_progress(1)
        if isinstance(outcome.result, Document):
            docs.append(outcome.result)
            if outcome.result.kind == ARTICLE:
                grouper.add(entry_for(outcome.result, outcome.sketch))
        elif outcome.result is not None:
            yield outcome.result
    assignments = grouper.assign()
    for doc in docs:
        a = assignments.get(doc.id)
        yield replace(doc, story=a.story, duplicate_of=a.duplicate_of) if a else doc
