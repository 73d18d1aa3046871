"""The Document record: the one contract between ingest and index.

Stdlib only, so that ``index`` can import it without BeautifulSoup or lxml.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

#: Kinds a source file can end up as. Only ``article`` becomes a searchable document;
#: the others are recorded in the store (with a reason) and counted in the summary.
ARTICLE = "article"
LISTING = "listing"  # section front, tag or author page
NOT_FOUND = "not-found"  # a 404 page saved as if it were an article
EMPTY = "empty"  # zero bytes, whitespace, an empty <html>
BINARY = "binary"  # an image, a PDF or random bytes saved as .html
BROKEN = "broken"  # truncated or corrupt gzip, undecodable bytes
ERROR = "error"  # anything else that stopped extraction (the reason says what)

NON_ARTICLE_KINDS = (LISTING, NOT_FOUND, EMPTY, BINARY, BROKEN, ERROR)


def make_doc_id(url: str | None, source_path: str) -> str:
    """A stable 16-hex-digit id: from the page's own URL when known, else its source path.

    The id is not taken from a rel=canonical that points to *another* page: a republished
    copy names its original there, and each copy keeps a record of its own.
    """
    key = url if url else f"file:{source_path}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def content_hash(data: bytes) -> str:
    """SHA-256 of a file's raw bytes: what incremental ingest compares."""
    return hashlib.sha256(data).hexdigest()


def parse_published(value: str | None) -> datetime | None:
    """The instant of an ISO 8601 ``published`` string, timezone-aware.

    A date without a time is taken as midnight UTC and a local time without a zone as UTC:
    good enough to sort and filter by day, and never naive.
    """
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """One cleaned article: the only thing ingest hands to index.

    ``published`` keeps the precision the page gives (``2018-02-09``,
    ``2018-02-09T14:20`` or ``2018-02-09T14:20:00+01:00``); ``published_at`` is the
    timezone-aware instant derived from it for sorting and filtering.
    """

    id: str
    url: str | None
    site: str
    title: str
    author: str | None = None
    published: str | None = None
    body: tuple[str, ...] = ()
    kind: str = ARTICLE
    story: str | None = None  # shared by every copy of one story (None until grouped)
    duplicate_of: str | None = None  # id of the story's representative; None on the representative
    canonical_url: str | None = None  # rel=canonical when it points elsewhere
    source_path: str = ""
    content_hash: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def published_at(self) -> datetime | None:
        """The publication instant (UTC assumed when the page gives no zone), or None."""
        return parse_published(self.published)

    @property
    def body_text(self) -> str:
        """Paragraphs joined by a blank line, as the extract command prints them."""
        return "\n\n".join(self.body)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (body as a list of paragraphs)."""
        data = asdict(self)
        data["body"] = list(self.body)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        """The inverse of :meth:`to_json`; unknown keys are ignored."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        known["body"] = tuple(known.get("body") or ())
        known["extra"] = dict(known.get("extra") or {})
        return cls(**known)


@dataclass(frozen=True, slots=True, kw_only=True)
class Skipped:
    """A source file that did not become a document, and why.

    ``kind`` is one of the non-article kinds above; ``reason`` is one readable line
    ("truncated gzip stream", "a section front: 24 headline links and no article text").
    """

    source_path: str
    kind: str
    reason: str
    url: str | None = None
    site: str | None = None
    title: str | None = None
    content_hash: str = ""
