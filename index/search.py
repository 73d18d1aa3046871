"""The one search function: ``Searcher.search(SearchRequest) -> SearchResults``.

One Searcher per worker process, opened after gunicorn forks and kept: opening a Whoosh
searcher costs more than most queries (field guide §3). Before each request it ``stat()``s
the CURRENT pointer and reopens when a reindex has published a new generation, closing the
old searcher only after the new one is open. ``Searcher.refresh()`` is never called: it
double-counts documents in every Whoosh fork (field guide §1).

Pieces: index.query (the query language), index.ranking (the scoring function),
index.columns (filters, facets, story map), index.spelling, index.snippets.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from whoosh import collectors
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.query import Every, Term

from index import snippets
from index.columns import Columns
from index.generations import current_generation, pointer_stamp
from index.models import (
    Hit,
    InvalidQuery,
    NoIndexYet,
    SearchRequest,
    SearchResults,
)
from index.query import ParsedQuery, parse_user_query
from index.ranking import DEFAULT_PARAMS, RankingParams, weighting
from index.schema import SCHEMA_VERSION, text_analyzer
from index.spelling import correct_text
from ingest.document import Document

log = logging.getLogger(__name__)

SNIPPET_CHARS = snippets.SNIPPET_CHARS
MAX_ALSO_ON = 5
#: Wall-time budget of the scoring passes of one request. A query that would run longer
#: returns what was collected so far, flagged ``partial`` (Whoosh checks the clock between
#: collected documents, so term expansion itself is bounded by index.query, not by this).
TIME_BUDGET_S = 3.0
#: Look for a spelling correction when the query matches fewer documents with every word.
SUGGEST_BELOW = 3
#: Recency blend: score x (FLOOR + (1 - FLOOR) * 2^(-age / HALF_LIFE)), over the best hits.
RECENCY_FLOOR = 0.5
RECENCY_HALF_LIFE_DAYS = 30.0
RECENCY_DEPTH = 100
#: More-like-this: the most characteristic words of the document (tf x idf).
MLT_TERMS = 25
QUICK_RANGES = {
    "day": timedelta(days=1),
    "week": timedelta(days=7),
    "month": timedelta(days=31),
    "year": timedelta(days=366),
}


@dataclass(slots=True)
class _Ranked:
    """Matches in final order: (docnum shown, score) and, per shown doc, its story."""

    docs: list[tuple[int, float]]
    partial: bool = False
    strict_count: int = 0
    used_loose: bool = False
    matched: list[int] = field(default_factory=list)  # every matching copy, before collapse


@dataclass(eq=False, slots=True)
class _OpenGeneration:
    """One opened generation and how many calls are using it right now."""

    ix: Any
    searcher: Any
    columns: Columns
    name: str
    users: int = 0
    retired: bool = False
    stats: dict[str, Any] | None = None

    def close(self) -> None:
        self.searcher.close()


_F = TypeVar("_F", bound=Callable[..., Any])


def _leased(method: _F) -> _F:
    """Run a public Searcher method under a lease of the live generation."""

    @functools.wraps(method)
    def wrapper(self: Searcher, *args: Any, **kwargs: Any) -> Any:
        # One call at a time per Searcher: Whoosh's readers are not safe for concurrent use
        # by gthread threads (bench/faults.py shared-searcher saw "Damaged postings block"
        # with 4 threads and no reindex). Searching is CPU-bound under the GIL anyway, so
        # this costs no throughput; worker processes give the parallelism.
        with self._calls, self._use():
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class Searcher:
    """Searches the live generation of one data directory; safe to share between threads."""

    def __init__(
        self,
        data_dir: Path,
        ranking: RankingParams | None = None,
        time_budget_s: float = TIME_BUDGET_S,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.params = ranking or DEFAULT_PARAMS
        self.time_budget_s = time_budget_s
        self._lock = threading.Lock()
        self._calls = threading.RLock()
        self._stamp: tuple[int, int] | None = None
        self._open: _OpenGeneration | None = None
        self._local = threading.local()

    # -- opening ---------------------------------------------------------------------------

    def _acquire(self) -> _OpenGeneration:
        """The live generation, reopened when CURRENT changed, with one more user counted."""
        stamp = pointer_stamp(self.data_dir)
        with self._lock:
            if stamp is None or stamp != self._stamp or self._open is None:
                self._reopen(stamp)
            assert self._open is not None
            self._open.users += 1
            return self._open

    def _reopen(self, stamp: tuple[int, int] | None) -> None:
        """Open the generation CURRENT names (under the lock). A failure keeps the old one."""
        try:
            gen_dir = current_generation(self.data_dir)
            if _schema_version(gen_dir) != SCHEMA_VERSION:
                # queries are analysed as the current schema says: an index analysed
                # otherwise (another stemmer, missing fields) would silently miss
                raise NoIndexYet(
                    "the index was built by another version: run `search-service reindex`"
                )
            ix = FileStorage(str(gen_dir)).open_index()
            new = ix.searcher(weighting=weighting(self.params))
            old = self._open
            # A changed pointer means a new generation, or new commits to the live one
            # (`reindex --changed` re-publishes it): either way a fresh searcher.
            self._open = _OpenGeneration(ix, new, Columns(new.reader()), gen_dir.name)
            self._stamp = stamp
            if old is not None:
                # Other threads may still be searching with it: it is closed by the last
                # of them (_release), never under their feet.
                old.retired = True
                if old.users == 0:
                    old.close()
            log.info("opened index generation %s", gen_dir.name)
        except NoIndexYet:
            if self._open is None:
                raise
            log.warning("index pointer unreadable; still serving %s", self._open.name)
        except Exception as err:
            if self._open is None:
                raise NoIndexYet(f"the index cannot be opened: {err}") from err
            log.exception("could not open the new generation; still serving %s", self._open.name)

    def _release(self, gen: _OpenGeneration) -> None:
        with self._lock:
            gen.users -= 1
            if gen.retired and gen.users == 0:
                gen.close()

    @contextmanager
    def _use(self) -> Iterator[_OpenGeneration]:
        """Lease the live generation for one call; nested calls share the lease."""
        held = getattr(self._local, "gen", None)
        if held is not None:
            yield held
            return
        gen = self._acquire()
        self._local.gen = gen
        try:
            yield gen
        finally:
            self._local.gen = None
            self._release(gen)

    def _current(self) -> Any:
        """The Whoosh searcher of the generation leased by this call (see _use)."""
        return self._local.gen.searcher

    def _cols(self) -> Columns:
        return self._local.gen.columns  # type: ignore[no-any-return]

    def close(self) -> None:
        """Release the open generation's files (once its current users are done)."""
        with self._lock:
            if self._open is not None:
                self._open.retired = True
                if self._open.users == 0:
                    self._open.close()
            self._open = None
            self._stamp = None

    @property
    def generation(self) -> str | None:
        """Name of the generation answering queries (None before the first query)."""
        return self._open.name if self._open is not None else None

    # -- searching -------------------------------------------------------------------------

    @_leased
    def search(self, request: SearchRequest) -> SearchResults:
        """Run one search (the query language is described in index/query.py).

        Ranking: BM25 over title and body pooled, plus title, URL-section and word-proximity
        signals (index/ranking.py). For queries of a few words, documents matching every
        word come first and documents matching most of the words follow; longer queries are
        ranked by score alone. With ``collapse`` the copies of one story count and show as
        one hit: ranked by its best copy, shown as its representative copy when that one
        matches, with the other sites in ``also_on``.

        Sorts: ``relevance`` (ties by index order, so pages are stable), ``newest`` and
        ``oldest`` (undated documents last, ties by score). ``recency=True`` blends
        relevance with age: the best hits' scores are multiplied by
        ``0.5 + 0.5 * 2^(-age/30 days)``, age counted from now or, in an archive whose newest
        document is older than now, from that newest document.

        Filters (site, author, date range, quick ranges ``within`` relative to now, and date
        terms in the query) are docnum sets cached per searcher; facets (site, author, year,
        month) count the whole result set. When few documents match every word and a word is
        unknown to the index, a corrected query is proposed in ``suggestion``; when the
        original finds nothing with every word and the correction does, its results are shown
        (``corrected``). ``partial`` is set when the time budget ran out.

        Raises:
            InvalidRequest: a parameter is out of bounds.
            InvalidQuery: the text has nothing searchable or a too broad wildcard.
            NoIndexYet: no generation has been built.
        """
        started = time.perf_counter()
        request.validate()
        searcher = self._current()
        cols = self._cols()
        deadline = started + self.time_budget_s
        try:
            parsed = parse_user_query(request.q, searcher.schema, searcher.reader(), self.params)
            filt = self._filter(cols, request, parsed)
            ranked = self._rank(searcher, parsed, filt, request, deadline)
            suggestion, corrected = None, False
            notices = list(parsed.notices)
            if parsed.words and ranked.strict_count < SUGGEST_BELOW:
                fixed_text = correct_text(searcher.reader(), parsed.text, parsed.words)
                if fixed_text is not None:
                    fixed = parse_user_query(
                        fixed_text, searcher.schema, searcher.reader(), self.params
                    )
                    alt = self._rank(searcher, fixed, filt, request, deadline)
                    if alt.strict_count > ranked.strict_count:
                        suggestion = fixed.text
                        if ranked.strict_count == 0:
                            parsed, ranked, corrected = fixed, alt, True
                            notices.append(f"Showing results for {fixed.text}.")
            if ranked.used_loose and ranked.strict_count == 0 and parsed.loose is not None:
                notices.append("No document has every word: showing those that match most of them.")
            docs = ranked.docs
            if request.recency and request.sort == "relevance":
                docs = self._recency(cols, docs)
            # Facets count stories (with collapse) over every matching copy, so that a
            # site's count is what filtering by that site returns.
            facets = cols.facets(
                ranked.matched or [d for d, _ in docs],
                by_story=request.collapse,
            )
            total = len(docs)
            start = (request.page - 1) * request.size
            page = docs[start : start + request.size]
            hits = tuple(self._to_hit(searcher, cols, d, s, parsed, request) for d, s in page)
        except InvalidQuery:
            raise
        except Exception as err:
            log.warning("query %r failed in Whoosh: %s", request.q[:200], err)
            raise InvalidQuery("could not run this query: try plain words") from err
        return SearchResults(
            request=request,
            total=total,
            hits=hits,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
            query_used=parsed.text,
            notice=" ".join(notices) or None,
            generation=self._local.gen.name,
            facets=facets,
            suggestion=suggestion,
            corrected=corrected,
            partial=ranked.partial,
        )

    def _filter(
        self, cols: Columns, request: SearchRequest, parsed: ParsedQuery
    ) -> frozenset[int] | None:
        lo = _naive_utc(request.date_from)
        hi = _naive_utc(request.date_to)
        if request.within:
            # to the minute, so that the filter set is cached for a minute, not rebuilt per request
            now = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
            since = now - QUICK_RANGES[request.within]
            lo = since if lo is None else max(lo, since)
        if parsed.date_from is not None:
            lo = parsed.date_from if lo is None else max(lo, parsed.date_from)
        if parsed.date_to is not None:
            hi = parsed.date_to if hi is None else min(hi, parsed.date_to)
        return cols.filter_set(request.site, request.author, lo, hi)

    def _collect(
        self, searcher: Any, q: Any, filt: frozenset[int] | None, deadline: float
    ) -> tuple[list[tuple[float, int]], bool]:
        """Every match as (score, docnum), best first; partial when the budget ran out."""
        if filt is not None and not filt:
            return [], False
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return [], True
        child = collectors.UnlimitedCollector()
        # FilterCollector accepts a set, not a frozenset (isinstance check in Whoosh)
        coll: Any = child if filt is None else collectors.FilterCollector(child, set(filt))
        timed = collectors.TimeLimitCollector(coll, timelimit=remaining, use_alarm=False)
        partial = False
        try:
            searcher.search_with_collector(q, timed)
        except collectors.TimeLimit:
            partial = True
        items = sorted(child.items, key=lambda x: (-x[0], x[1]))
        return items, partial

    def _rank(
        self,
        searcher: Any,
        parsed: ParsedQuery,
        filt: frozenset[int] | None,
        request: SearchRequest,
        deadline: float,
    ) -> _Ranked:
        boost = parsed.boost
        strict_q = parsed.strict if boost is None else wq.AndMaybe(parsed.strict, boost)
        tiered = parsed.loose is None or parsed.clauses <= self.params.strict_tier_max_words
        out = _Ranked([])
        if tiered:
            strict, partial = self._collect(searcher, strict_q, filt, deadline)
            out.strict_count = len(strict)
            out.partial = partial
            ordered = [(d, s) for s, d in strict]
            # The "most words" pass runs even when the first page is full of every-word
            # matches: the total must not depend on the page asked for.
            if parsed.loose is not None:
                # No proximity boost here: this pass visits every document with any of the
                # words (tens of thousands at 100k documents), where span matching cost
                # ~2 s of CPU per query; documents missing a word rank after the strict tier
                # anyway, and a two-word query's loose matches cannot hold the pair at all.
                loose, partial = self._collect(searcher, parsed.loose, filt, deadline)
                out.partial = out.partial or partial
                seen = {d for d, _ in ordered}
                rest = [(d, s) for s, d in loose if d not in seen]
                if rest:
                    out.used_loose = True
                    ordered.extend(rest)
        else:
            # Long queries: one ranked pass (BM25 rewards documents matching more words).
            assert parsed.loose is not None  # not tiered: there is a loose form
            loose_q = parsed.loose if boost is None else wq.AndMaybe(parsed.loose, boost)
            loose, partial = self._collect(searcher, loose_q, filt, deadline)
            out.partial = partial
            ordered = [(d, s) for s, d in loose]
            # "every word" count without a second pass: a strict match is rare in long queries
            out.strict_count = len(ordered)
        every = out.strict_count if tiered else len(ordered)
        out.matched = [d for d, _ in ordered]
        if request.collapse:
            ordered, every = self._collapse(ordered, every)
        if request.sort != "relevance":
            # Date order within each tier: documents with every word, by date, then the
            # "most words" ones, by date (otherwise the newest one-word match comes first).
            newest = request.sort == "newest"
            ordered = self._sort_by_date(ordered[:every], newest) + self._sort_by_date(
                ordered[every:], newest
            )
        out.docs = ordered
        return out

    def _collapse(
        self, ordered: list[tuple[int, float]], first: int | None = None
    ) -> tuple[list[tuple[int, float]], int]:
        """One entry per story, at its best copy's rank, showing its representative copy
        when that copy matched (the original or most complete), else the best copy. Also
        returns how many entries come from the first ``first`` matches (a tier boundary)."""
        cols = self._cols()
        stories = cols.column("story")
        reps = cols.column("is_representative")
        matched = {d for d, _ in ordered}
        out: list[tuple[int, float]] = []
        seen: set[Any] = set()
        boundary = 0
        first = len(ordered) if first is None else first
        for i, (d, s) in enumerate(ordered):
            if i == first:
                boundary = len(out)
            key = stories[d] if stories[d] is not None else ("doc", d)
            if key in seen:
                continue
            seen.add(key)
            shown = d
            if not reps[d] and stories[d] is not None:
                for other in cols.story_docs(stories[d]):
                    if other in matched and reps[other]:
                        shown = other
                        break
            out.append((shown, s))
        if first >= len(ordered):
            boundary = len(out)
        return out, boundary

    def _sort_by_date(
        self, ordered: list[tuple[int, float]], newest: bool
    ) -> list[tuple[int, float]]:
        dates = self._cols().column("published")
        rank = {d: i for i, (d, _) in enumerate(ordered)}

        def key(item: tuple[int, float]) -> tuple[int, float, int]:
            d = dates[item[0]]
            if d is None:
                return (1, 0.0, rank[item[0]])  # undated documents last, by relevance
            ts = d.timestamp()
            return (0, -ts if newest else ts, rank[item[0]])

        return sorted(ordered, key=key)

    def _recency(self, cols: Columns, docs: list[tuple[int, float]]) -> list[tuple[int, float]]:
        dates = cols.column("published")
        known = [d for d in dates if d is not None]
        if not known or not docs:
            return docs
        now = datetime.now(UTC).replace(tzinfo=None)
        ref = min(now, max(known))
        head = docs[:RECENCY_DEPTH]

        def decay(d: datetime | None) -> float:
            if d is None:
                return RECENCY_FLOOR
            age = max(0.0, (ref - d).total_seconds() / 86400)
            return RECENCY_FLOOR + (1 - RECENCY_FLOOR) * math.pow(2, -age / RECENCY_HALF_LIFE_DAYS)

        rescored = [(d, s * decay(dates[d]), i) for i, (d, s) in enumerate(head)]
        rescored.sort(key=lambda x: (-x[1], x[2]))
        return [(d, s) for d, s, _ in rescored] + docs[RECENCY_DEPTH:]

    def _to_hit(
        self,
        searcher: Any,
        cols: Columns,
        docnum: int,
        score: float,
        parsed: ParsedQuery,
        request: SearchRequest,
    ) -> Hit:
        stored = searcher.stored_fields(docnum)
        title = stored.get("title", "")
        body = stored.get("body", "")
        terms = parsed.highlight_terms if request.highlight else frozenset()
        story = stored.get("story")
        site = stored.get("site", "")
        also_on = self._also_on(searcher, cols, story, site, docnum) if request.collapse else ()
        return Hit(
            id=stored["id"],
            url=stored.get("url") or None,
            source=stored.get("source", ""),
            title=title,
            site=site,
            author=stored.get("author") or None,
            published=stored.get("published_text") or None,
            snippet=snippets.snippet(body, terms),
            title_parts=snippets.title_parts(title, terms),
            score=round(float(score), 4),
            story=story,
            also_on=also_on,
        )

    def _also_on(
        self, searcher: Any, cols: Columns, story: str | None, site: str, docnum: int
    ) -> tuple[str, ...]:
        if not story:
            return ()
        reader = searcher.reader()
        sites: set[str] = set()
        for other in cols.story_docs(story):
            if other == docnum or reader.is_deleted(other):
                continue
            s = searcher.stored_fields(other).get("site", "")
            if s and s != site:
                sites.add(s)
        return tuple(sorted(sites)[:MAX_ALSO_ON])

    # -- more like this --------------------------------------------------------------------

    @_leased
    def more_like_this(self, doc_id: str, size: int = 10) -> list[Hit]:
        """Documents about the same thing as ``doc_id``: its most characteristic words
        (term frequency x idf over title and body) searched as one ranked OR query; copies
        of the same story are left out and the rest is one hit per story."""
        searcher = self._current()
        cols = self._cols()
        found = searcher.document_number(id=doc_id)
        if found is None:
            return []
        stored = searcher.stored_fields(found)
        counts: dict[str, int] = {}
        for tok in text_analyzer()(f"{stored.get('title', '')}\n{stored.get('body', '')}"):
            if len(tok.text) > 2 and not tok.text.isdigit():
                counts[tok.text] = counts.get(tok.text, 0) + 1
        n = searcher.doc_count_all()
        scored = []
        for term, tf in counts.items():
            df = searcher.doc_frequency("text", term)
            if df <= 1 or df > n * 0.5:  # only this document, or half the collection
                continue
            scored.append((tf * math.log(n / df), term))
        scored.sort(reverse=True)
        top = scored[:MLT_TERMS]
        if not top:
            return []
        q = wq.Or([Term("text", t, boost=w / top[0][0]) for w, t in top])
        items, _ = self._collect(searcher, q, None, time.perf_counter() + self.time_budget_s)
        story = stored.get("story")
        ordered = [
            (d, s)
            for s, d in items
            if d != found and (story is None or cols.column("story")[d] != story)
        ]
        ordered = self._collapse(ordered)[0][:size]
        request = SearchRequest(q=doc_id, highlight=False)
        parsed = ParsedQuery(text="", strict=None, loose=None)
        return [self._to_hit(searcher, cols, d, s, parsed, request) for d, s in ordered]

    # -- documents and stats ---------------------------------------------------------------

    @_leased
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

    @_leased
    def story_copies(self, story: str) -> list[Document]:
        """Every indexed copy of one story."""
        searcher = self._current()
        ids = [h["id"] for h in searcher.search(Term("story", story), limit=50)]
        return [d for d in (self.document(i) for i in ids) if d is not None]

    @_leased
    def stats(self) -> dict[str, Any]:
        """What the live generation holds: counts, sites, date span (cached per generation)."""
        from whoosh import sorting

        searcher = self._current()
        gen = self._local.gen
        if gen.stats is not None:
            return gen.stats  # type: ignore[no-any-return]
        res = searcher.search(
            Every(),
            limit=1,
            groupedby={"site": sorting.FieldFacet("site_key", maptype=sorting.Count)},
        )
        sites = sorted(
            ((str(k), int(v)) for k, v in res.groups("site").items() if k),
            key=lambda kv: (-kv[1], kv[0]),
        )
        dated = Every("published")  # documents without a date sort first in both directions
        first = searcher.search(dated, limit=1, sortedby="published")
        last = searcher.search(dated, limit=1, sortedby="published", reverse=True)
        stories = searcher.search(Every(), limit=None, collapse="story").scored_length()
        built = None
        gen_dir = current_generation(self.data_dir)
        try:
            built = datetime.fromtimestamp(gen_dir.stat().st_mtime, UTC).isoformat(
                timespec="seconds"
            )
        except OSError:
            pass
        gen.stats = {
            "documents": searcher.doc_count(),
            "stories": stories,
            "sites": sites,
            "first_published": first[0].get("published_text") if not first.is_empty() else None,
            "last_published": last[0].get("published_text") if not last.is_empty() else None,
            "generation": gen.name,
            "built_at": built,
        }
        return gen.stats  # type: ignore[no-any-return]

    @_leased
    def parse(self, text: str) -> ParsedQuery:
        """Parse user text as a search would (for the CLI's --explain and tests)."""
        searcher = self._current()
        return parse_user_query(text, searcher.schema, searcher.reader(), self.params)

    @_leased
    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Autocomplete for ``prefix``: matching titles, then completions of the last word
        (bounded; see index/suggest.py)."""
        from index.suggest import suggest_from

        return suggest_from(self._current(), prefix, limit)


def _schema_version(gen_dir: Path) -> int | None:
    """The schema version a generation was built with (None when unrecorded)."""
    try:
        return int((gen_dir / "SCHEMA_VERSION").read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)
