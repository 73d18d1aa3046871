"""Documents -> a new, checked index generation, published atomically.

A full reindex never touches the live generation: it builds beside it, checks the result
(document count, a probe query), then swaps the CURRENT pointer. Searching goes on
throughout; a crash at any moment leaves the live generation as it was.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.query import Every, Term

from index.generations import (
    current_generation,
    new_generation_dir,
    prune_generations,
    publish,
    remove_unpublished,
    writer_lock,
)
from index.models import NoIndexYet
from index.schema import SCHEMA_VERSION, build_schema, joined_forms
from ingest.document import ARTICLE, Document

log = logging.getLogger(__name__)

#: RAM pool of the one writer; 128-256 MB is the sweet spot (field guide §2).
WRITER_LIMIT_MB = 192

#: Documents per writer commit in a full build. Whoosh's writers spill every posting to
#: temporary run files until they commit, about 85 kB per news document (pickled postings
#: with positions, 9x the finished index): a million documents in one commit needed 80 GB
#: of temporary disk. Committing every 200,000 documents bounds it at about 17 GB, and
#: leaves ``jobs`` segments per commit (10 segments for a million documents on 2 jobs),
#: which the engine reads side by side.
COMMIT_DOCS = 200_000


class BuildCheckFailed(Exception):
    """Raised when a freshly built generation fails its checks; the live one is kept."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a reindex did."""

    generation: str
    documents: int
    seconds: float
    removed_generations: int


_MARKERS = str.maketrans("", "", "\x00\x01\x02\x03")


def _clean(text: str | None) -> str:
    """Drop the control characters the highlighter uses as match markers."""
    return (text or "").translate(_MARKERS)


def url_section(url: str | None) -> str:
    """The words of a URL's directories: ``/news/business/1157/x.html`` -> ``news business``.

    The file name is left out (its slug repeats the headline, already in ``title``) and so are
    numbers (dates, ids): what is left is how the site files the story, a signal for
    "<name> business" queries that the text itself often lacks.
    """
    if not url:
        return ""
    path = urlsplit(url).path
    dirs = path.split("/")[:-1]
    words = [w for d in dirs for w in re.split(r"[^A-Za-z]+", d) if len(w) > 1]
    return " ".join(words)


def _fields(doc: Document) -> dict[str, Any]:
    published = doc.published_at
    title, body = _clean(doc.title), _clean(doc.body_text)
    # hyphenated words joined ("IL-6" -> "IL6") after the text: matched, not displayed; not
    # in ``pairs``, where the appended words would pair with each other and the last word
    pooled = f"{title}\n{body}"
    pooled_joined = "\n".join([pooled, " ".join(joined_forms(pooled))])
    fields: dict[str, Any] = {
        "id": doc.id,
        "url": doc.url or "",
        "source": doc.source_path,
        "title": title,
        "body": body,
        "text": pooled_joined,
        "words": pooled,
        "pairs": pooled,
        "section": url_section(doc.url),
        "site": doc.site or "",
        "site_key": doc.site or "",
        "author": doc.author or "",
        "author_key": doc.author or "",
        "published_text": doc.published or "",
        "story": doc.story or doc.id,
        "is_representative": 0 if doc.duplicate_of else 1,
    }
    if published is not None:
        # Whoosh stores naive datetimes: ours are converted to UTC first.
        fields["published"] = published.astimezone(UTC).replace(tzinfo=None)
    return fields


def build_generation(
    data_dir: Path,
    docs: Iterable[Document],
    on_progress: Callable[[int], None] | None = None,
    keep: int = 2,
    applied_seq: int = 0,
    jobs: int = 1,
    commit_docs: int = COMMIT_DOCS,
) -> BuildReport:
    """Build a new generation from ``docs``, check it and make it the live one.

    Only ``article`` documents are indexed. Holds the writer lock throughout.
    ``applied_seq`` is the store's last change already reflected in ``docs``: the next
    ``apply_changes`` starts after it. With ``jobs`` > 1, that many processes each build a
    segment of the generation (Whoosh's MpWriter, segments not merged): 9,411 documents in
    53 s instead of 98 s on 2 cores. Scores are the same (term statistics are the index's,
    not a segment's); only the order of exact ties follows the new document numbers.
    The writer commits every ``commit_docs`` documents (segments not merged), which bounds
    the temporary disk the build needs (see :data:`COMMIT_DOCS`).

    Raises:
        IndexLocked: another reindex is running.
        BuildCheckFailed: the new generation did not hold every document or did not answer a
            probe query; it is deleted and the live generation stays in place.
    """
    started = time.monotonic()
    with writer_lock(data_dir):
        remove_unpublished(data_dir)
        gen_dir = new_generation_dir(data_dir)
        try:
            ix = whoosh_index.create_in(str(gen_dir), build_schema())
            writer = _writer(ix, jobs)
            count = 0
            probe: str | None = None
            try:
                for doc in docs:
                    if doc.kind != ARTICLE:
                        continue
                    writer.add_document(**_fields(doc))
                    count += 1
                    if probe is None:
                        probe = doc.id
                    if on_progress is not None:
                        on_progress(1)
                    if count % commit_docs == 0:
                        writer.commit(merge=False)
                        writer = _writer(ix, jobs)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(merge=False)
            (gen_dir / "SCHEMA_VERSION").write_text(f"{SCHEMA_VERSION}\n", encoding="utf-8")
            write_applied_seq(gen_dir, applied_seq)
            _check(gen_dir, count, probe)
        except BaseException:
            shutil.rmtree(gen_dir, ignore_errors=True)
            raise
        publish(data_dir, gen_dir)
        removed = prune_generations(data_dir, keep=keep)
    seconds = time.monotonic() - started
    log.info("published %s: %d documents in %.1f s", gen_dir.name, count, seconds)
    return BuildReport(gen_dir.name, count, seconds, len(removed))


def _writer(ix: Any, jobs: int) -> Any:
    """One writer, or with ``jobs`` > 1 a writer whose documents are indexed by ``jobs``
    sub-processes into as many segments. Merging them at commit would cost more than the
    parallel build saves (field guide §2), and the engine reads segments side by side.
    ``forkserver``: the sub-writers do not inherit the parent's threads and open files."""
    if jobs <= 1:
        return ix.writer(limitmb=WRITER_LIMIT_MB)
    method = "forkserver" if os.name == "posix" else "spawn"
    return ix.writer(
        procs=jobs, multisegment=True, limitmb=WRITER_LIMIT_MB, start_method=method
    )


def _check(gen_dir: Path, expected: int, probe_id: str | None) -> None:
    """A generation is published only if it holds every document and answers a query.

    Opened as the Searcher opens it, without mmap: a mmapped Whoosh searcher copies the
    index's terms and postings into memory (field guide §7.1), gigabytes for a large index,
    only to count documents and run two probes.
    """
    ix = FileStorage(str(gen_dir), supports_mmap=False).open_index()
    with ix.searcher() as searcher:
        found = searcher.doc_count()
        if found != expected:
            raise BuildCheckFailed(f"new generation holds {found} documents, expected {expected}")
        if probe_id is not None and searcher.search(Term("id", probe_id), limit=1).is_empty():
            raise BuildCheckFailed(f"probe query for document {probe_id} found nothing")
        if expected and searcher.search(Every(), limit=1).is_empty():
            raise BuildCheckFailed("new generation answers no query")


APPLIED = "APPLIED_SEQ"


def generation_schema_version(gen_dir: Path) -> int | None:
    """The SCHEMA_VERSION a generation was built with (None when unreadable)."""
    try:
        return int((gen_dir / "SCHEMA_VERSION").read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def read_applied_seq(gen_dir: Path) -> int:
    """The store change sequence number a generation reflects (0 when unknown)."""
    try:
        return int((gen_dir / APPLIED).read_text(encoding="utf-8").strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def write_applied_seq(gen_dir: Path, seq: int) -> None:
    """Record ``seq`` atomically (temporary file, then rename)."""
    tmp = gen_dir / f".{APPLIED}.tmp"
    tmp.write_text(f"{seq}\n", encoding="utf-8")
    os.replace(tmp, gen_dir / APPLIED)


@dataclass(frozen=True, slots=True)
class ChangeReport:
    """What an incremental reindex did."""

    generation: str
    updated: int
    deleted: int
    applied_seq: int
    seconds: float


def live_applied_seq(data_dir: Path) -> int:
    """The change sequence number the live generation reflects.

    Raises:
        NoIndexYet: no generation has been published.
    """
    return read_applied_seq(current_generation(data_dir))


def apply_changes(
    data_dir: Path, changes: Iterable[tuple[int, str, Document | None]]
) -> ChangeReport:
    """Apply store changes to the live generation in place, in one atomic Whoosh commit.

    ``changes`` are (sequence number, document id, document or None when deleted). Readers
    see the old or the new state, never a mix (a Whoosh commit renames its table of
    contents); the generation is then re-published so that serving workers reopen. Applying
    the same change twice is harmless, so a crash between the commit and the sequence
    number's update costs only a repeat.

    Raises:
        IndexLocked: another reindex is running.
        NoIndexYet: there is no live generation to update.
    """
    started = time.monotonic()
    with writer_lock(data_dir):
        gen_dir = current_generation(data_dir)
        if generation_schema_version(gen_dir) != SCHEMA_VERSION:
            raise NoIndexYet(
                f"the live index generation {gen_dir.name} was built by another version of "
                "search-service: run a full `search-service reindex` (without --changed)"
            )
        ix = whoosh_index.open_dir(str(gen_dir))
        writer = ix.writer(limitmb=WRITER_LIMIT_MB)
        updated = deleted = 0
        last = read_applied_seq(gen_dir)
        try:
            for seq, doc_id, doc in changes:
                if doc is None or doc.kind != ARTICLE:
                    writer.delete_by_term("id", doc_id)
                    deleted += 1
                else:
                    writer.update_document(**_fields(doc))
                    updated += 1
                last = max(last, seq)
        except BaseException:
            writer.cancel()
            raise
        if updated or deleted:
            writer.commit()
        else:
            writer.cancel()
        write_applied_seq(gen_dir, last)
        if updated or deleted:
            publish(data_dir, gen_dir)
    return ChangeReport(gen_dir.name, updated, deleted, last, time.monotonic() - started)
