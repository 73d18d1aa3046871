"""The document store: SQLite (WAL) under the data directory, the source of truth.

One row per source file (path, size, mtime, hash, status, kind, reason) and one per
document. The index is derived from it and can always be rebuilt from it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.document import Document, Skipped

STORE_FILE = "store.sqlite3"
SCHEMA_VERSION = 1

#: File statuses.
OK = "ok"  # became a document
SKIPPED = "skipped"  # recorded with its kind and reason, no document
REMOVED = "removed"  # gone from disk since the last ingest

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash TEXT NOT NULL,
    status TEXT NOT NULL,
    kind TEXT,
    reason TEXT,
    doc_id TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    source_path TEXT NOT NULL,  -- shown to users: relative to the folder given to ingest
    file_path TEXT NOT NULL,    -- the file on disk (absolute): the key into files
    url TEXT,
    canonical_url TEXT,
    site TEXT NOT NULL,
    title TEXT NOT NULL,
    author TEXT,
    published TEXT,
    body TEXT NOT NULL,
    kind TEXT NOT NULL,
    story TEXT,
    duplicate_of TEXT,
    content_hash TEXT NOT NULL,
    sketch BLOB,
    length INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_file ON documents(file_path);
-- Every change to a document, in order: what `reindex --changed` applies to the live index.
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('put', 'delete'))
);
CREATE INDEX IF NOT EXISTS documents_story ON documents(story);
"""


class StoreError(Exception):
    """Raised when the store cannot be opened or is from an incompatible version."""


@dataclass(frozen=True, slots=True)
class FileRecord:
    """What the store remembers of one source file."""

    path: str
    size: int
    mtime_ns: int
    hash: str
    status: str
    kind: str | None
    reason: str | None
    doc_id: str | None


def body_words(body: tuple[str, ...]) -> int:
    """Words in a body (the ``length`` column story grouping compares)."""
    return sum(len(p.split()) for p in body)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """A connection to one data directory's store. Use as a context manager.

    Writes happen in explicit transactions (``with store.transaction():``) so that a killed
    ingest leaves either the old or the new state of each batch, never half of one.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.path = self.data_dir / STORE_FILE
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as err:
            raise StoreError(f"cannot open the store in {self.data_dir}: {err}") from None
        self.db.row_factory = sqlite3.Row
        version = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if version is None:
            self.db.execute(
                "INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        elif int(version[0]) != SCHEMA_VERSION:
            raise StoreError(
                f"the store in {self.data_dir} has schema version {version[0]}, this program "
                f"needs {SCHEMA_VERSION}: ingest into a new data directory"
            )

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def transaction(self) -> sqlite3.Connection:
        """A connection usable as ``with store.transaction():`` (BEGIN ... COMMIT/ROLLBACK)."""
        return _Transaction(self.db)  # type: ignore[return-value]

    # -- files -----------------------------------------------------------------------------

    def file_records(self) -> dict[str, FileRecord]:
        """Every known source file by path."""
        rows = self.db.execute(
            "SELECT path, size, mtime_ns, hash, status, kind, reason, doc_id FROM files"
        )
        return {r["path"]: FileRecord(*r) for r in rows}

    def touch_file(self, path: str, size: int, mtime_ns: int) -> None:
        """Record a new mtime for a file whose content did not change."""
        self.db.execute(
            "UPDATE files SET size=?, mtime_ns=?, updated_at=? WHERE path=?",
            (size, mtime_ns, _now(), path),
        )

    def put_document(
        self,
        doc: Document,
        file_path: str,
        size: int,
        mtime_ns: int,
        sketch: bytes | None = None,
        words: int | None = None,
        *,
        new_file: bool = False,
    ) -> None:
        """Store a document read from ``file_path`` and mark that file ``ok``.

        Replaces what the file gave before; ``doc.source_path`` is what users see, the
        absolute ``file_path`` is what incremental ingest keys on. ``words`` is the body's
        word count when the caller has it (ingest workers count it, off the writer's time).
        ``new_file``: the store has no row for ``file_path`` (so no document of it to drop).
        """
        if words is None:
            words = body_words(doc.body)
        if not new_file:
            self._drop_documents_of(file_path, keep=doc.id)
        self.db.execute(
            """INSERT OR REPLACE INTO documents (id, source_path, file_path, url, canonical_url,
               site, title, author, published, body, kind, story, duplicate_of, content_hash,
               sketch, length, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (
                doc.id, doc.source_path, file_path, doc.url, doc.canonical_url, doc.site,
                doc.title, doc.author, doc.published,
                json.dumps(list(doc.body), ensure_ascii=False), doc.kind, doc.story,
                doc.duplicate_of, doc.content_hash, sketch,
                words, _now(),
            ),
        )
        self._log_change(doc.id, "put")
        self._put_file(file_path, size, mtime_ns, doc.content_hash, OK, doc.kind, None, doc.id)

    def put_skipped(
        self, skipped: Skipped, file_path: str, size: int, mtime_ns: int, *, new_file: bool = False
    ) -> None:
        """Record a file that did not become a document, with its kind and reason.

        ``new_file``: the store has no row for ``file_path`` (so no document of it to drop).
        """
        if not new_file:
            self._drop_documents_of(file_path)
        self._put_file(
            file_path, size, mtime_ns, skipped.content_hash, SKIPPED,
            skipped.kind, skipped.reason, None,
        )

    def mark_removed(self, path: str) -> None:
        """A file gone from disk: keep its row (status ``removed``), drop its document."""
        self._drop_documents_of(path)
        self.db.execute(
            "UPDATE files SET status=?, doc_id=NULL, updated_at=? WHERE path=?",
            (REMOVED, _now(), path),
        )

    def _put_file(
        self, path: str, size: int, mtime_ns: int, hash_: str, status: str,
        kind: str | None, reason: str | None, doc_id: str | None,
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?,?)",
            (path, size, mtime_ns, hash_, status, kind, reason, doc_id, _now()),
        )

    def _drop_documents_of(self, file_path: str, keep: str | None = None) -> None:
        gone = [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM documents WHERE file_path=? AND id IS NOT ?", (file_path, keep)
            )
        ]
        for doc_id in gone:
            self.db.execute("DELETE FROM documents WHERE id=?", (doc_id,))
            self._log_change(doc_id, "delete")

    def _log_change(self, doc_id: str, op: str) -> None:
        self.db.execute("INSERT INTO changes (doc_id, op) VALUES (?, ?)", (doc_id, op))

    def last_change(self) -> int:
        """Sequence number of the newest change (0 when none)."""
        row = self.db.execute("SELECT MAX(seq) FROM changes").fetchone()
        return int(row[0] or 0)

    def changes_since(self, seq: int) -> Iterator[tuple[int, str, Document | None]]:
        """(seq, doc id, document or None when deleted) for every document changed after
        ``seq``, each id once, at its latest state."""
        rows = self.db.execute(
            "SELECT doc_id, MAX(seq) FROM changes WHERE seq > ? GROUP BY doc_id ORDER BY 2", (seq,)
        ).fetchall()
        for doc_id, last in rows:
            yield int(last), doc_id, self.get_document(doc_id)

    # -- documents -------------------------------------------------------------------------

    def iter_documents(self, batch: int = 500) -> Iterator[Document]:
        """Every stored document, in id order, streamed in batches (bounded memory)."""
        last = ""
        while True:
            rows = self.db.execute(
                "SELECT * FROM documents WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _row_to_document(row)
            last = rows[-1]["id"]

    def file_of(self, doc_id: str) -> str | None:
        """The file (absolute path) a stored document was read from, or None."""
        row = self.db.execute("SELECT file_path FROM documents WHERE id=?", (doc_id,)).fetchone()
        return str(row[0]) if row else None

    def get_document(self, doc_id: str) -> Document | None:
        """One document by id."""
        row = self.db.execute("SELECT * FROM documents WHERE id=?", (doc_id,)).fetchone()
        return _row_to_document(row) if row else None

    def iter_story_rows(self) -> Iterator[sqlite3.Row]:
        """id, url, canonical_url, site, title, published, length, sketch of every document."""
        yield from self.db.execute(
            "SELECT id, url, canonical_url, site, title, published, length, sketch FROM documents"
        )

    def set_stories(self, assignments: Iterable[tuple[str, str, str | None]]) -> int:
        """Write (id, story, duplicate_of) triples; returns how many rows changed."""
        changed = 0
        for doc_id, story, dup in assignments:
            cur = self.db.execute(
                "UPDATE documents SET story=?, duplicate_of=? WHERE id=? "
                "AND (story IS NOT ? OR duplicate_of IS NOT ?)",
                (story, dup, doc_id, story, dup),
            )
            if cur.rowcount:
                self._log_change(doc_id, "put")
            changed += cur.rowcount
        return changed

    # -- figures ---------------------------------------------------------------------------

    def counts(self) -> dict[str, Any]:
        """Documents, stories, files by status and by kind."""
        docs = self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        stories = self.db.execute(
            "SELECT COUNT(DISTINCT COALESCE(story, id)) FROM documents"
        ).fetchone()[0]
        by_status = dict(self.db.execute("SELECT status, COUNT(*) FROM files GROUP BY status"))
        by_kind = dict(
            self.db.execute(
                "SELECT kind, COUNT(*) FROM files WHERE status != ? GROUP BY kind", (REMOVED,)
            )
        )
        sites = self.db.execute("SELECT COUNT(DISTINCT site) FROM documents").fetchone()[0]
        return {
            "documents": docs,
            "stories": stories,
            "sites": sites,
            "files": by_status,
            "kinds": by_kind,
        }

    def skipped_files(self) -> list[tuple[str, str, str]]:
        """(path, kind, reason) of every file currently recorded as skipped."""
        return [
            (r[0], r[1], r[2])
            for r in self.db.execute(
                "SELECT path, kind, reason FROM files WHERE status=? ORDER BY path", (SKIPPED,)
            )
        ]


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _row_to_document(row: sqlite3.Row) -> Document:
    return Document(
        id=row["id"],
        url=row["url"],
        canonical_url=row["canonical_url"],
        site=row["site"],
        title=row["title"],
        author=row["author"],
        published=row["published"],
        body=tuple(json.loads(row["body"])),
        kind=row["kind"],
        story=row["story"],
        duplicate_of=row["duplicate_of"],
        source_path=row["source_path"],
        content_hash=row["content_hash"],
    )
