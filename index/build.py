"""Documents -> a new, checked index generation, published atomically.

A full reindex never touches the live generation: it builds beside it, checks the result
(document count, a probe query), then swaps the CURRENT pointer. Searching goes on
throughout; a crash at any moment leaves the live generation as it was.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.query import Every, Term

from index.generations import new_generation_dir, prune_generations, publish, writer_lock
from index.schema import SCHEMA_VERSION, build_schema
from ingest.document import ARTICLE, Document

log = logging.getLogger(__name__)

#: RAM pool of the one writer; 128-256 MB is the sweet spot (field guide §2).
WRITER_LIMIT_MB = 192


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


def _fields(doc: Document) -> dict[str, Any]:
    published = doc.published_at
    fields: dict[str, Any] = {
        "id": doc.id,
        "url": doc.url or "",
        "source": doc.source_path,
        "title": _clean(doc.title),
        "body": _clean(doc.body_text),
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
) -> BuildReport:
    """Build a new generation from ``docs``, check it and make it the live one.

    Only ``article`` documents are indexed. Holds the writer lock throughout.

    Raises:
        IndexLocked: another reindex is running.
        BuildCheckFailed: the new generation did not hold every document or did not answer a
            probe query; it is deleted and the live generation stays in place.
    """
    started = time.monotonic()
    with writer_lock(data_dir):
        gen_dir = new_generation_dir(data_dir)
        try:
            ix = whoosh_index.create_in(str(gen_dir), build_schema())
            writer = ix.writer(limitmb=WRITER_LIMIT_MB)
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
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            (gen_dir / "SCHEMA_VERSION").write_text(f"{SCHEMA_VERSION}\n", encoding="utf-8")
            _check(ix, count, probe)
        except BaseException:
            shutil.rmtree(gen_dir, ignore_errors=True)
            raise
        publish(data_dir, gen_dir)
        removed = prune_generations(data_dir, keep=keep)
    seconds = time.monotonic() - started
    log.info("published %s: %d documents in %.1f s", gen_dir.name, count, seconds)
    return BuildReport(gen_dir.name, count, seconds, len(removed))


def _check(ix: Any, expected: int, probe_id: str | None) -> None:
    """A generation is published only if it holds every document and answers a query."""
    with ix.searcher() as searcher:
        found = searcher.doc_count()
        if found != expected:
            raise BuildCheckFailed(f"new generation holds {found} documents, expected {expected}")
        if probe_id is not None and searcher.search(Term("id", probe_id), limit=1).is_empty():
            raise BuildCheckFailed(f"probe query for document {probe_id} found nothing")
        if expected and searcher.search(Every(), limit=1).is_empty():
            raise BuildCheckFailed("new generation answers no query")
