"""The one search function: ``Searcher.search(SearchRequest) -> SearchResults``.

One Searcher per worker process, opened after gunicorn forks and kept: opening a Whoosh
searcher costs more than most queries (field guide §3). Before each request it ``stat()``s
the CURRENT pointer and reopens when a reindex has published a new generation, closing the
old searcher only after the new one is open. ``Searcher.refresh()`` is never called: it
double-counts documents in every Whoosh fork (field guide §1).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import highlight, sorting
from whoosh.filedb.filestore import FileStorage
from whoosh.query import And, DateRange, Every, Term

from index.generations import current_generation, pointer_stamp
from index.models import (
    Hit,
    InvalidQuery,
    NoIndexYet,
    SearchRequest,
    SearchResults,
)
from index.query import ParsedQuery, parse_user_query
from ingest.document import Document

log = logging.getLogger(__name__)

_MATCH_START, _MATCH_END = "\x01", "\x02"
_PIECE = re.compile("\x01(.*?)\x02", re.S)
_WS = re.compile(r"\s+")
SNIPPET_CHARS = 240
MAX_ALSO_ON = 5


class _PieceFormatter(highlight.Formatter):
    """Marks matches with control characters (stripped from stored text at index time), so
    the caller gets (text, is_match) pieces and does its own escaping."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return _MATCH_START + highlight.get_text(text, token, replace) + _MATCH_END


def _pieces(marked: str) -> tuple[tuple[str, bool], ...]:
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in _PIECE.finditer(marked):
        if m.start() > pos:
            out.append((marked[pos : m.start()], False))
        out.append((m.group(1), True))
        pos = m.end()
    if pos < len(marked):
        out.append((marked[pos:], False))
    return tuple(
        (_WS.sub(" ", t.replace(_MATCH_START, "").replace(_MATCH_END, "")), b) for t, b in out
    )


def _plain_snippet(body: str) -> tuple[tuple[str, bool], ...]:
    text = " ".join(body.split())
    if len(text) > SNIPPET_CHARS:
        cut = text.rfind(" ", 0, SNIPPET_CHARS)
        text = text[: cut if cut > 0 else SNIPPET_CHARS] + " …"
    return ((text, False),) if text else ()


class Searcher:
    """Searches the live generation of one data directory; safe to share between threads."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._ix: Any = None
        self._searcher: Any = None
        self._generation: str | None = None
        self._stats: dict[str, Any] | None = None

    # -- opening ---------------------------------------------------------------------------

    def _current(self) -> Any:
        """The whoosh searcher of the live generation, reopened when CURRENT changed."""
        stamp = pointer_stamp(self.data_dir)
        if stamp is not None and stamp == self._stamp and self._searcher is not None:
            return self._searcher
        with self._lock:
            stamp = pointer_stamp(self.data_dir)
            if stamp is not None and stamp == self._stamp and self._searcher is not None:
                return self._searcher
            try:
                gen_dir = current_generation(self.data_dir)
                # A changed pointer means a new generation, or new commits to the live one
                # (`reindex --changed` re-publishes it): either way open a fresh searcher.
                if stamp != self._stamp or self._searcher is None:
                    ix = FileStorage(str(gen_dir)).open_index()
                    new = ix.searcher()
                    old = self._searcher
                    self._ix, self._searcher, self._generation = ix, new, gen_dir.name
                    self._stats = None
                    if old is not None:
                        old.close()
                    log.info("opened index generation %s", gen_dir.name)
                self._stamp = stamp
            except NoIndexYet:
                if self._searcher is None:
                    raise
                log.warning("index pointer unreadable; still serving %s", self._generation)
            except Exception as err:  # noqa: BLE001 — keep serving the old generation
                if self._searcher is None:
                    raise NoIndexYet(f"the index cannot be opened: {err}") from err
                log.exception("could not open the new generation; still serving %s", self._generation)
            return self._searcher

    def close(self) -> None:
        """Release the open generation's files."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = self._ix = None
            self._stamp = self._generation = None

    @property
    def generation(self) -> str | None:
        """Name of the generation answering queries (None before the first query)."""
        return self._generation

    # -- searching -------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResults:
        """Run one search.

        Documents matching every word come first; when fewer than the requested page match
        every word, documents matching most of the words follow (a strict AND fails long
        queries). With ``collapse``, the copies of one story count and show as one hit.

        Raises:
            InvalidRequest: a parameter is out of bounds.
            InvalidQuery: the text has nothing searchable or a too broad wildcard.
            NoIndexYet: no generation has been built.
        """
        started = time.perf_counter()
        request.validate()
        searcher = self._current()
        parsed = parse_user_query(request.q, searcher.schema, searcher.reader())
        kwargs = self._search_kwargs(request)
        need = request.page * request.size
        try:
            strict = searcher.search(parsed.strict, limit=None, **kwargs)
            hits = list(strict)
            notice = None
            used = strict
            if len(hits) < need and parsed.loose is not None:
                loose = searcher.search(parsed.loose, limit=None, **kwargs)
                if loose.scored_length() > len(hits):
                    seen = {h.docnum for h in hits} | {h.get("story") for h in hits}
                    for h in loose:
                        if h.docnum in seen or (request.collapse and h.get("story") in seen):
                            continue
                        hits.append(h)
                    if strict.scored_length() == 0:
                        notice = "No document has every word: showing those that match most of them."
                    used = loose
            facets = self._facets(searcher, used.q, kwargs.get("filter"))
        except InvalidQuery:
            raise
        except Exception as err:  # noqa: BLE001 — a hostile query must never become a 500
            log.warning("query %r failed in Whoosh: %s", request.q[:200], err)
            raise InvalidQuery("could not run this query: try plain words") from err
        if request.sort != "relevance":
            # Whoosh sorts documents without a date first when newest-first: put them last.
            hits = [h for h in hits if h.get("published_text")] + [
                h for h in hits if not h.get("published_text")
            ]
        total = len(hits)
        start = (request.page - 1) * request.size
        page_hits = tuple(
            self._to_hit(searcher, h, request) for h in hits[start : start + request.size]
        )
        return SearchResults(
            request=request,
            total=total,
            hits=page_hits,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
            query_used=parsed.text,
            notice=notice,
            generation=self._generation,
            facets=facets,
        )

    def _search_kwargs(self, request: SearchRequest) -> dict[str, Any]:
        filters = []
        if request.site:
            filters.append(Term("site_key", request.site))
        if request.author:
            filters.append(Term("author_key", request.author))
        if request.date_from or request.date_to:
            lo = request.date_from.astimezone(UTC).replace(tzinfo=None) if request.date_from else None
            hi = request.date_to.astimezone(UTC).replace(tzinfo=None) if request.date_to else None
            filters.append(DateRange("published", lo, hi))
        kwargs: dict[str, Any] = {}
        if filters:
            kwargs["filter"] = filters[0] if len(filters) == 1 else And(filters)
        if request.sort == "newest":
            kwargs["sortedby"] = [sorting.FieldFacet("published", reverse=True), sorting.ScoreFacet()]
        elif request.sort == "oldest":
            kwargs["sortedby"] = [sorting.FieldFacet("published"), sorting.ScoreFacet()]
        if request.collapse:
            kwargs["collapse"] = "story"
            kwargs["collapse_limit"] = 1
            # Show the story's representative (the original or most complete copy).
            kwargs["collapse_order"] = sorting.FieldFacet("is_representative", reverse=True)
        kwargs["terms"] = True
        return kwargs

    def _facets(self, searcher: Any, q: Any, filt: Any) -> dict[str, list[tuple[str, int]]]:
        facet_map = {
            "site": sorting.FieldFacet("site_key", maptype=sorting.Count),
            "author": sorting.FieldFacet("author_key", maptype=sorting.Count),
        }
        res = searcher.search(q, limit=1, filter=filt, groupedby=facet_map)
        out: dict[str, list[tuple[str, int]]] = {}
        for name in facet_map:
            groups = res.groups(name)
            counted = [(str(k), int(v)) for k, v in groups.items() if k]
            out[name] = sorted(counted, key=lambda kv: (-kv[1], kv[0]))[:20]
        return out

    def _to_hit(self, searcher: Any, hit: Any, request: SearchRequest) -> Hit:
        stored = hit.fields()
        title = stored.get("title", "")
        body = stored.get("body", "")
        snippet: tuple[tuple[str, bool], ...] = ()
        title_parts: tuple[tuple[str, bool], ...] = ((title, False),)
        if request.highlight:
            results = hit.results
            results.formatter = _PieceFormatter()
            results.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)
            marked = hit.highlights("body", text=body, top=2)
            snippet = _pieces(marked) if marked else ()
            results.fragmenter = highlight.WholeFragmenter()
            marked_title = hit.highlights("title", text=title, top=1)
            if marked_title:
                title_parts = _pieces(marked_title)
        if not snippet:
            snippet = _plain_snippet(body)
        story = stored.get("story")
        also_on = self._also_on(searcher, story, stored.get("site", "")) if request.collapse else ()
        return Hit(
            id=stored["id"],
            url=stored.get("url") or None,
            source=stored.get("source", ""),
            title=title,
            site=stored.get("site", ""),
            author=stored.get("author") or None,
            published=stored.get("published_text") or None,
            snippet=snippet,
            title_parts=title_parts,
            # with sortedby, Whoosh's score is the sort key: report no score then
            score=float(hit.score) if isinstance(hit.score, int | float) else 0.0,
            story=story,
            also_on=also_on,
        )

    def _also_on(self, searcher: Any, story: str | None, site: str) -> tuple[str, ...]:
        if not story:
            return ()
        sites: list[str] = []
        for other in searcher.search(Term("story", story), limit=20):
            s = other.get("site", "")
            if s and s != site and s not in sites:
                sites.append(s)
        return tuple(sorted(sites)[:MAX_ALSO_ON])

    # -- documents and stats ---------------------------------------------------------------

    def document(self, doc_id: str) -> Document | None:
        """The cleaned document with this id, from the live generation's stored fields."""
        searcher = self._current()
        found = searcher.search(Term("id", doc_id), limit=1)
        if found.is_empty():
            return None
        f = found[0].fields()
        return Document(
            id=f["id"],
            url=f.get("url") or None,
            site=f.get("site", ""),
            title=f.get("title", ""),
            author=f.get("author") or None,
            published=f.get("published_text") or None,
            body=tuple(p for p in f.get("body", "").split("\n\n") if p),
            story=f.get("story"),
            source_path=f.get("source", ""),
        )

    def story_copies(self, story: str) -> list[Document]:
        """Every indexed copy of one story."""
        searcher = self._current()
        ids = [h["id"] for h in searcher.search(Term("story", story), limit=50)]
        return [d for d in (self.document(i) for i in ids) if d is not None]

    def stats(self) -> dict[str, Any]:
        """What the live generation holds: counts, sites, date span (cached per generation)."""
        searcher = self._current()
        if self._stats is not None:
            return self._stats
        res = searcher.search(
            Every(), limit=1, groupedby={"site": sorting.FieldFacet("site_key", maptype=sorting.Count)}
        )
        sites = sorted(((str(k), int(v)) for k, v in res.groups("site").items() if k),
                       key=lambda kv: (-kv[1], kv[0]))
        dated = Every("published")  # documents without a date sort first in both directions
        first = searcher.search(dated, limit=1, sortedby="published")
        last = searcher.search(dated, limit=1, sortedby="published", reverse=True)
        stories = searcher.search(Every(), limit=None, collapse="story").scored_length()
        built = None
        gen_dir = current_generation(self.data_dir)
        try:
            built = datetime.fromtimestamp(gen_dir.stat().st_mtime, UTC).isoformat(timespec="seconds")
        except OSError:
            pass
        self._stats = {
            "documents": searcher.doc_count(),
            "stories": stories,
            "sites": sites,
            "first_published": first[0].get("published_text") if not first.is_empty() else None,
            "last_published": last[0].get("published_text") if not last.is_empty() else None,
            "generation": self._generation,
            "built_at": built,
        }
        return self._stats

    def parse(self, text: str) -> ParsedQuery:
        """Parse user text as a search would (for the CLI's --explain and tests)."""
        searcher = self._current()
        return parse_user_query(text, searcher.schema, searcher.reader())
