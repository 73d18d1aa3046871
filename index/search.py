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
import pickle
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from whoosh import collectors
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.query import Term
from whoosh.reading import CorruptIndexError

from index import snippets
from index.columns import Columns
from index.engine import Engine, OutOfTime, Unsupported, ranked
from index.generations import current_generation, pointer_stamp
from index.models import (
    Hit,
    IndexUnreadable,
    InvalidQuery,
    NoIndexYet,
    SearchError,
    SearchRequest,
    SearchResults,
)
from index.query import ParsedQuery, parse_user_query
from index.ranking import DEFAULT_PARAMS, RankingParams, weighting
from index.schema import SCHEMA_VERSION, text_analyzer
from index.spelling import Vocabulary, correct_text
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
    """Matches in final order (docnums shown and scores) and how they came about."""

    docs: np.ndarray
    scores: np.ndarray
    partial: bool = False
    strict_count: int = 0  # documents with every word (before collapsing)
    every: int = 0  # entries of ``docs`` that come from the every-word tier
    used_loose: bool = False
    exact: int = 0  # leading entries of ``docs`` in their final order (the rest: any order)
    total: int = 0  # entries in all (``docs`` may hold only the exact head of them)
    # Every matching copy, before collapse, held twice on purpose: as docnums for the
    # facet counts and as a mask by docnum for collapsing. Either is derivable from the
    # other, but only by a pass over the whole collection on every query.
    matched: np.ndarray | None = None
    matched_mask: np.ndarray | None = None

    @classmethod
    def empty(cls) -> _Ranked:
        return cls(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))


@dataclass(slots=True)
class _Matches:
    """What a query matched, before any ordering: the every-word tier (mask and scores)
    and the "most words" tier (None when the query has no such tier)."""

    first_mask: np.ndarray
    first_score: np.ndarray
    rest_mask: np.ndarray | None
    rest_score: np.ndarray | None
    partial: bool = False

    def ordered(self, top: int | None) -> _Ranked:
        """Both tiers in order, exactly for at least the best ``top`` (all when None)."""
        docs, scores, exact = _order(self.first_mask, self.first_score, top)
        out = _Ranked(
            docs, scores, partial=self.partial, strict_count=len(docs), every=len(docs), exact=exact
        )
        matched = self.first_mask
        if self.rest_mask is not None and self.rest_score is not None and self.rest_mask.any():
            # the second tier is ordered only when the first is wholly in order
            whole = exact == len(docs)
            ldocs, lscores, lexact = _order(self.rest_mask, self.rest_score, top if whole else 0)
            out.used_loose = True
            out.docs = np.concatenate([docs, ldocs])
            out.scores = np.concatenate([scores, lscores])
            out.exact = exact + (lexact if whole else 0)
            matched = matched | self.rest_mask
        out.matched = out.docs
        out.matched_mask = matched
        return out


@dataclass(eq=False, slots=True)
class _OpenGeneration:
    """One opened generation and how many calls are using it right now."""

    ix: Any
    searcher: Any
    columns: Columns
    engine: Engine
    vocabulary: Vocabulary
    name: str
    users: int = 0
    retired: bool = False
    stats: dict[str, Any] | None = None
    files: dict[str, tuple[int, int]] | None = None  # size and mtime of each file when opened

    def remember_files(self, gen_dir: Path) -> None:
        self.files = _file_stamps(gen_dir)

    def damaged(self) -> bool:
        """Whether the generation's files changed or vanished since it was opened (a
        published generation is never rewritten: ``reindex --changed`` re-publishes)."""
        if self.files is None:
            return False
        return _file_stamps(Path(self.ix.storage.folder)) != self.files

    def close(self) -> None:
        self.searcher.close()


_F = TypeVar("_F", bound=Callable[..., Any])

#: What reading a damaged or vanished generation raises (Whoosh's own check, the file
#: system, truncated pickles and zlib streams, short struct reads).
_UNREADABLE: tuple[type[BaseException], ...] = (
    CorruptIndexError,
    OSError,
    EOFError,
    pickle.UnpicklingError,
    zlib.error,
    struct.error,
)


def _leased(method: _F) -> _F:
    """Run a public Searcher method under a lease of the live generation."""

    @functools.wraps(method)
    def wrapper(self: Searcher, *args: Any, **kwargs: Any) -> Any:
        # One call at a time per Searcher: Whoosh's readers are not safe for concurrent use
        # by gthread threads (bench/faults.py shared-searcher saw "Damaged postings block"
        # with 4 threads and no reindex). Searching is CPU-bound under the GIL anyway, so
        # this costs no throughput; worker processes give the parallelism.
        with self._calls, self._use() as gen:
            try:
                return method(self, *args, **kwargs)
            except SearchError:
                raise
            except Exception as err:
                if not (isinstance(err, _UNREADABLE) or gen.damaged()):
                    raise
                # a generation damaged or removed under a running server (searchers read
                # their files as they go): not ready, until a reindex publishes a good one
                log.error("index generation %s cannot be read: %r", gen.name, err)
                raise IndexUnreadable(f"index generation {gen.name} cannot be read: {err}") from err

    return wrapper  # type: ignore[return-value]


class Searcher:
    """Searches the live generation of one data directory; safe to share between threads."""

    def __init__(
        self,
        data_dir: Path,
        ranking: RankingParams | None = None,
        time_budget_s: float = TIME_BUDGET_S,
        mmap: bool = False,
        postings_cache_mb: int = 0,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.mmap = mmap
        self.postings_cache_mb = postings_cache_mb
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
            # Without mmap by default: Whoosh copies every mmapped segment file into each
            # searcher (1.5 GB per worker at 93k documents, 98 MB without), and the engine's
            # decoded-postings cache makes the slower file reads cost nothing measurable
            # (p50 14.6 vs 14.7 ms on the same 200 queries; field guide §7.1).
            ix = FileStorage(str(gen_dir), supports_mmap=self.mmap).open_index()
            new = ix.searcher(weighting=weighting(self.params))
            old = self._open
            # A changed pointer means a new generation, or new commits to the live one
            # (`reindex --changed` re-publishes it): either way a fresh searcher.
            self._open = _OpenGeneration(
                ix,
                new,
                Columns(new.reader()),
                Engine(new, self.postings_cache_mb),
                Vocabulary(new.reader()),
                gen_dir.name,
            )
            self._stamp = stamp
            if old is not None:
                # Other threads may still be searching with it: it is closed by the last
                # of them (_release), never under their feet.
                old.retired = True
                if old.users == 0:
                    old.close()
            self._open.remember_files(gen_dir)
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
            allowed = self._filter(cols, request, parsed)
            ranked = self._rank(parsed, allowed, request, deadline)
            suggestion, corrected = None, False
            notices = list(parsed.notices)
            if parsed.words and ranked.strict_count < SUGGEST_BELOW:
                fixed_text = correct_text(self._local.gen.vocabulary, parsed.text, parsed.words)
                if fixed_text is not None:
                    fixed = parse_user_query(
                        fixed_text, searcher.schema, searcher.reader(), self.params
                    )
                    alt = self._rank(fixed, allowed, request, deadline)
                    if alt.strict_count > ranked.strict_count:
                        suggestion = fixed.text
                        if ranked.strict_count == 0:
                            parsed, ranked, corrected = fixed, alt, True
                            notices.append(f"Showing results for {fixed.text}.")
            if ranked.used_loose and ranked.strict_count == 0 and parsed.loose is not None:
                notices.append("No document has every word: showing those that match most of them.")
            docs, scores = ranked.docs, ranked.scores
            if request.recency and request.sort == "relevance":
                docs, scores = self._recency(cols, docs, scores)
            # Facets count stories (with collapse) over every matching copy, so that a
            # site's count is what filtering by that site returns.
            facets = cols.facets(
                ranked.matched if ranked.matched is not None else docs,
                by_story=request.collapse,
            )
            total = ranked.total
            start = (request.page - 1) * request.size
            page = zip(
                docs[start : start + request.size].tolist(),
                scores[start : start + request.size].tolist(),
                strict=True,
            )
            hits = tuple(self._to_hit(searcher, cols, d, s, parsed, request) for d, s in page)
        except InvalidQuery:
            raise
        except _UNREADABLE:
            raise  # the lease turns it into IndexUnreadable
        except Exception as err:
            if self._local.gen.damaged():
                raise  # ditto
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
    ) -> np.ndarray | None:
        """Mask of the documents the filters allow (None: no filter)."""
        lo = _naive_utc(request.date_from)
        hi = _naive_utc(request.date_to)
        if request.within:
            # to the minute, so that the filter mask is cached for a minute, not rebuilt per request
            now = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
            since = now - QUICK_RANGES[request.within]
            lo = since if lo is None else max(lo, since)
        if parsed.date_from is not None:
            lo = parsed.date_from if lo is None else max(lo, parsed.date_from)
        if parsed.date_to is not None:
            hi = parsed.date_to if hi is None else min(hi, parsed.date_to)
        return cols.filter_mask(request.site, request.author, lo, hi)

    def _rank(
        self,
        parsed: ParsedQuery,
        allowed: np.ndarray | None,
        request: SearchRequest,
        deadline: float,
    ) -> _Ranked:
        """Every match in final order: tiers, proximity bonus, collapse, date sort.

        The query is evaluated by index.engine (whole-array BM25 over decoded postings);
        a query it cannot evaluate falls back to Whoosh's collectors, scored the same way.
        """
        if allowed is not None and not allowed.any():
            return _Ranked.empty()
        gen = self._local.gen
        try:
            matches = self._match(gen.engine, parsed, allowed, deadline)
        except Unsupported:
            return self._finish(self._rank_whoosh(gen.searcher, parsed, allowed, deadline), request)
        # Only the entries up to the requested page need an exact order (the total, the
        # facets and the tier boundary come from whole masks): with a relevance sort the
        # best ``top`` are sorted and the rest is left as it is, unless collapsing stories
        # leaves fewer than the page needs, then more are sorted.
        need = request.page * request.size
        if request.recency:
            need = max(need, RECENCY_DEPTH)
        top: int | None = None
        if request.sort == "relevance":
            top = 4 * need + 10 if request.collapse else need + 10
        while True:
            out = self._finish(matches.ordered(top), request)
            if top is None or out.exact >= min(need, out.total):
                return out
            top *= 4

    def _match(
        self,
        engine: Engine,
        parsed: ParsedQuery,
        allowed: np.ndarray | None,
        deadline: float,
    ) -> _Matches:
        """Evaluate the tiers: documents with every word (with the proximity bonus), then
        those with most of the words, each a mask and scores over the whole index."""
        tiered = parsed.loose is None or parsed.clauses <= self.params.strict_tier_max_words
        head: Any = parsed.strict if tiered else parsed.loose
        if parsed.boost is not None:
            head = wq.AndMaybe(head, parsed.boost)
        empty = np.zeros(engine.n, dtype=bool)
        try:
            first = engine.evaluate(head, deadline)
        except OutOfTime:
            return _Matches(empty, np.zeros(engine.n), None, None, partial=True)
        first_mask = first.mask if allowed is None else first.mask & allowed
        out = _Matches(first_mask, first.score, None, None)
        if tiered and parsed.loose is not None:
            # The "most words" pass runs even when the first page is full of every-word
            # matches: the total must not depend on the page asked for.
            try:
                loose = engine.evaluate(parsed.loose, deadline)
            except OutOfTime:
                out.partial = True
            else:
                rest = loose.mask & ~first.mask
                if allowed is not None:
                    rest &= allowed
                out.rest_mask, out.rest_score = rest, loose.score
        return out

    def _rank_whoosh(
        self,
        searcher: Any,
        parsed: ParsedQuery,
        allowed: np.ndarray | None,
        deadline: float,
    ) -> _Ranked:
        """The same ranking through Whoosh's collectors (queries index.engine cannot run)."""
        filt = None if allowed is None else frozenset(np.flatnonzero(allowed).tolist())
        boost = parsed.boost
        strict_q = parsed.strict if boost is None else wq.AndMaybe(parsed.strict, boost)
        tiered = parsed.loose is None or parsed.clauses <= self.params.strict_tier_max_words
        if tiered:
            strict, partial = self._collect(searcher, strict_q, filt, deadline)
            ordered = [(d, s) for s, d in strict]
            every = len(ordered)
            used_loose = False
            if parsed.loose is not None:
                loose, more = self._collect(searcher, parsed.loose, filt, deadline)
                partial = partial or more
                seen = {d for d, _ in ordered}
                rest = [(d, s) for s, d in loose if d not in seen]
                if rest:
                    used_loose = True
                    ordered.extend(rest)
        else:
            assert parsed.loose is not None  # not tiered: there is a loose form
            loose_q = parsed.loose if boost is None else wq.AndMaybe(parsed.loose, boost)
            loose, partial = self._collect(searcher, loose_q, filt, deadline)
            ordered = [(d, s) for s, d in loose]
            every = len(ordered)
            used_loose = False
        docs = np.array([d for d, _ in ordered], dtype=np.int64)
        scores = np.array([s for _, s in ordered], dtype=np.float64)
        out = _Ranked(
            docs,
            scores,
            partial=partial,
            strict_count=every,
            every=every,
            used_loose=used_loose,
            exact=len(docs),
        )
        out.matched = docs
        mask = np.zeros(self._cols().size, dtype=bool)
        mask[docs] = True
        out.matched_mask = mask
        return out

    def _finish(self, out: _Ranked, request: SearchRequest) -> _Ranked:
        """Collapse stories and apply the date sort, tier by tier.

        With collapsing, the total and the tier boundary count distinct stories over every
        match (no sort); the entries themselves are collapsed over the exactly ordered
        head only, where each story's first entry is its best copy."""
        cols = self._cols()
        docs, scores, every, exact = out.docs, out.scores, out.every, out.exact
        total = len(docs)
        if request.collapse and len(docs):
            assert out.matched_mask is not None  # set wherever docs are
            keys = cols.story_keys()[docs]
            total = cols.distinct(keys)
            every = cols.distinct(keys[:every])
            docs, scores, _ = cols.collapse(docs[:exact], scores[:exact], out.matched_mask)
            exact = len(docs)
        if request.sort != "relevance" and len(docs):
            # Date order within each tier: documents with every word, by date, then the
            # "most words" ones, by date (otherwise the newest one-word match comes first).
            newest = request.sort == "newest"
            head = cols.by_date(docs[:every], newest)
            tail = cols.by_date(docs[every:], newest) + every
            order = np.concatenate([head, tail])
            docs, scores = docs[order], scores[order]
        out.docs, out.scores, out.every, out.exact, out.total = docs, scores, every, exact, total
        return out

    def _collect(
        self, searcher: Any, q: Any, filt: frozenset[int] | None, deadline: float
    ) -> tuple[list[tuple[float, int]], bool]:
        """Every match as (score, docnum), best first, through Whoosh's collectors; partial
        when the budget ran out."""
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

    def _recency(
        self, cols: Columns, docs: np.ndarray, scores: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        latest = cols.latest()
        if latest is None or not len(docs):
            return docs, scores
        now = datetime.now(UTC).replace(tzinfo=None)
        ref = min(now, latest).replace(tzinfo=UTC).timestamp()
        head = docs[:RECENCY_DEPTH]
        ts = cols.timestamps()[head]
        age = np.maximum(0.0, (ref - ts) / 86400)
        decay = RECENCY_FLOOR + (1 - RECENCY_FLOOR) * np.power(2.0, -age / RECENCY_HALF_LIFE_DAYS)
        decay = np.where(np.isnan(ts), RECENCY_FLOOR, decay)
        rescored = scores[: len(head)] * decay
        order = np.lexsort((np.arange(len(head)), -rescored))
        return (
            np.concatenate([head[order], docs[RECENCY_DEPTH:]]),
            np.concatenate([rescored[order], scores[RECENCY_DEPTH:]]),
        )

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
        """The other sites carrying this story (from the site column: no stored fields)."""
        if not story:
            return ()
        live = self._local.gen.engine.live
        sites_col = cols.column("site_key")
        sites: set[str] = set()
        for other in cols.story_docs(story):
            if other == docnum or not live[other]:
                continue
            s = sites_col[other]
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
        ev = self._local.gen.engine.evaluate(q)
        story = stored.get("story")
        ev.mask[found] = False
        if story is not None:
            ev.mask[cols.story_keys() == cols.story_keys()[found]] = False
        docs, scores = ranked(ev)
        docs, scores, _ = cols.collapse(docs, scores, ev.mask)
        ordered = zip(docs[:size].tolist(), scores[:size].tolist(), strict=True)
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
        """What the live generation holds: counts, sites, date span (cached per generation).

        Counted on the columns the searches use, over live documents only. Whoosh's
        collectors took minutes at a million documents (``Every("published")`` reads the
        posting list of every distinct date), and the home page waits for this."""
        searcher = self._current()
        gen = self._local.gen
        if gen.stats is not None:
            return gen.stats  # type: ignore[no-any-return]
        cols = self._cols()
        live = np.flatnonzero(gen.engine.live)
        site = cols.coded("site_key")
        codes = site.codes[live]
        counts = np.bincount(codes[codes >= 0], minlength=len(site.values))
        sites = sorted(
            ((str(site.values[c]), int(n)) for c, n in enumerate(counts.tolist()) if n),
            key=lambda kv: (-kv[1], kv[0]),
        )
        stamps = cols.timestamps()[live]
        has_date = ~np.isnan(stamps)
        first = last = None
        if has_date.any():
            dated, stamps = live[has_date], stamps[has_date]
            first = searcher.stored_fields(int(dated[np.argmin(stamps)]))
            last = searcher.stored_fields(int(dated[np.argmax(stamps)]))
        built = None
        gen_dir = current_generation(self.data_dir)
        try:
            built = datetime.fromtimestamp(gen_dir.stat().st_mtime, UTC).isoformat(
                timespec="seconds"
            )
        except OSError:
            pass
        gen.stats = {
            "documents": len(live),
            "stories": cols.distinct(cols.story_keys()[live]),
            "sites": sites,
            "first_published": first.get("published_text") if first else None,
            "last_published": last.get("published_text") if last else None,
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

        return suggest_from(self._current(), prefix, limit, self._local.gen.engine)


def _order(
    mask: np.ndarray, score: np.ndarray, top: int | None
) -> tuple[np.ndarray, np.ndarray, int]:
    """The documents of ``mask``, best score first (ties by docnum), and how many lead in
    exact order: all of them, or (``top`` given and far fewer than the matches) the best
    ``top`` and any documents tied with the last of them, the rest following unsorted."""
    docs = np.flatnonzero(mask)
    scores = score[docs]
    if top is None or len(docs) <= 2 * top + 1:
        order = np.lexsort((docs, -scores))
        return docs[order], scores[order], len(docs)
    if top <= 0:
        return docs, scores, 0
    kth = np.partition(scores, len(scores) - top)[len(scores) - top]
    head = np.flatnonzero(scores >= kth)
    head = head[np.lexsort((docs[head], -scores[head]))]
    rest = np.flatnonzero(scores < kth)
    perm = np.concatenate([head, rest])
    return docs[perm], scores[perm], len(head)


def _empty_arrays() -> tuple[np.ndarray, np.ndarray]:
    return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)


def _file_stamps(gen_dir: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of a generation's index files (segments, table of contents)."""
    stamps = {}
    try:
        for f in gen_dir.iterdir():
            if f.suffix in {".seg", ".toc"}:
                st = f.stat()
                stamps[f.name] = (st.st_size, st.st_mtime_ns)
    except OSError:
        return {}
    return stamps


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
