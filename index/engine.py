"""Vectorised query evaluation over a Whoosh generation: the per-query path of the Searcher.

Why not Whoosh's collectors: a results page shows an exact total, facets over every match
and one hit per story, so every matching document must be visited. Whoosh visits them one
Python call per posting per matcher (BM25 scorer, union/intersection matchers, collector):
0.15-1.3 s of CPU per query at 93k documents (RELIABILITY.md, Nov 2026). Here each query
term's posting list is decoded once from Whoosh's own postings into numpy arrays (cached per
opened generation, least recently used out), and the query tree is evaluated as whole-array
operations: a mask of the documents that match and their scores.

The scores are Whoosh's own: the same BM25 formula as :class:`index.ranking.LuceneBM25`, with
idf and average field lengths asked of the Whoosh searcher and document lengths decoded from
the same one-byte length column, and the same combination rules as Whoosh's matchers (``Or``
and ``And`` add their children's scores, ``AndMaybe`` adds the optional part where it matches,
``AndNot`` keeps the positive part's score, a ``Phrase`` scores as the sum of its words).
tests/index/test_engine.py checks ranks and scores against Whoosh's collectors on a real
index. A query holding a node this module does not know raises :class:`Unsupported` and the
Searcher falls back to Whoosh's collectors.

Positions are read only where they decide something: a two-word phrase in the pooled text
(what the proximity bonus of short queries, index.query._proximity, is made of) is one
posting list of the ``pairs`` field; longer phrases are narrowed by their pairs and then
verified on positions; phrases in other fields are verified on the documents holding
every word.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.util.numeric import byte_to_length

from index.schema import PAIR_SEP

#: Postings kept decoded per opened generation and worker (8 bytes each: 8M ~ 64 MB), or
#: CACHED_POSTINGS_PER_DOC per document when that is more. A fixed bound thrashed at a
#: million documents: the common words of 20 two-word queries held 8.6M postings, the
#: LRU cycled, and every query decoded its posting lists again (p50 216 ms instead of 72).
MAX_CACHED_POSTINGS = 8_000_000
CACHED_POSTINGS_PER_DOC = 32
#: A decoded posting: a 32-bit docnum and a 32-bit weight.
POSTING_BYTES = 8
#: Encoded positions kept decoded per opened generation (bytes objects of ~40-60 bytes).
MAX_CACHED_VALUES = 500_000
#: Fields whose adjacent-stem pairs are indexed in another field (index.schema).
PAIR_FIELDS = {"text": "pairs"}

#: Decoded document length of each length byte (Whoosh stores field lengths in one byte).
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


class Unsupported(Exception):
    """The query holds a node the vectorised path does not evaluate (use Whoosh's)."""


class OutOfTime(Exception):
    """The wall-time budget ran out while verifying phrase positions."""


@dataclass(slots=True)
class Evaluated:
    """Which documents match (a boolean mask by docnum) and their scores."""

    mask: np.ndarray
    score: np.ndarray


@dataclass(frozen=True, slots=True)
class _Postings:
    ids: np.ndarray  # global docnums, ascending, int32 (8 bytes a posting with the weight)
    weights: np.ndarray  # term frequency x field boost, float32 as Whoosh stores them


class Engine:
    """Evaluates compiled queries against one opened Whoosh searcher; thread-safe caches.

    Args:
        searcher: the generation's Whoosh searcher (opened with index.ranking's weighting,
            whose ``k1``/``b``/per-field ``b`` are read from it).
        cache_mb: memory for decoded posting lists; 0 chooses from the collection's size.
    """

    def __init__(self, searcher: Any, cache_mb: int = 0) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.n = self.reader.doc_count_all()
        self.max_cached_postings = (
            cache_mb * 1024 * 1024 // POSTING_BYTES
            if cache_mb > 0
            else max(MAX_CACHED_POSTINGS, CACHED_POSTINGS_PER_DOC * self.n)
        )
        self.weighting = searcher.weighting
        self._lock = threading.Lock()
        self._postings: OrderedDict[tuple[str, str], _Postings] = OrderedDict()
        self._cached = 0
        self._lengths: dict[str, np.ndarray] = {}
        self._value_cache: OrderedDict[tuple[str, str], tuple[np.ndarray, list[bytes]]] = (
            OrderedDict()
        )
        self._cached_values = 0
        self.leaves: list[tuple[Any, int]] = list(self.reader.leaf_readers())
        live = np.zeros(self.n, dtype=bool)
        live[np.fromiter(self.reader.all_doc_ids(), dtype=np.int64)] = True
        self.live = live

    # -- postings and lengths ------------------------------------------------------------------

    def postings(self, field: str, text: str) -> _Postings:
        """The decoded posting list of one term across every segment (cached)."""
        key = (field, text)
        with self._lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        found = self._read_postings(field, text)
        with self._lock:
            if key not in self._postings:
                self._postings[key] = found
                self._cached += len(found.ids)
                while self._cached > self.max_cached_postings and len(self._postings) > 1:
                    _, old = self._postings.popitem(last=False)
                    self._cached -= len(old.ids)
        return found

    def _read_postings(self, field: str, text: str) -> _Postings:
        if field not in self.schema:
            return _Postings(np.empty(0, np.int32), np.empty(0, np.float32))
        fobj = self.schema[field]
        try:
            tbytes = fobj.to_bytes(text)
        except (ValueError, TypeError):
            return _Postings(np.empty(0, np.int32), np.empty(0, np.float32))
        id_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        for leaf, offset in self.leaves:
            if (field, tbytes) not in leaf:
                continue
            ids, weights = _leaf_postings(leaf, field, tbytes, fobj.format)
            if ids:
                id_parts.append(np.asarray(ids, dtype=np.int32) + np.int32(offset))
                # Whoosh keeps weights as 32-bit floats: nothing is lost
                weight_parts.append(np.asarray(weights, dtype=np.float32))
        if not id_parts:
            return _Postings(np.empty(0, np.int32), np.empty(0, np.float32))
        return _Postings(np.concatenate(id_parts), np.concatenate(weight_parts))

    def lengths(self, field: str) -> np.ndarray:
        """Decoded (one-byte, as Whoosh scores them) lengths of ``field`` by docnum."""
        found = self._lengths.get(field)
        if found is not None:
            return found
        out = np.zeros(self.n, dtype=np.float64)
        for leaf, offset in self.leaves:
            codes = _leaf_length_bytes(leaf, field)
            if codes is not None:
                out[offset : offset + len(codes)] = _BYTE_TO_LENGTH[codes]
        self._lengths[field] = out
        return out

    # -- scoring ----------------------------------------------------------------------------

    def term_scores(
        self, field: str, text: str, boost: float = 1.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, scores) of one term, scored like index.ranking's BM25 scorer."""
        p = self.postings(field, text)
        if not len(p.ids):
            return p.ids, p.weights
        fobj = self.schema[field]
        if not fobj.scorable:
            return p.ids, p.weights.astype(np.float64) * boost
        w = self.weighting
        idf = self.searcher.idf(field, text)
        avgfl = self.searcher.avg_field_length(field) or 1
        b = w.field_b.get(field, w.b)
        k1 = w.k1
        lengths = self.lengths(field)[p.ids]
        weights = p.weights.astype(np.float64)
        norm = k1 * (1 - b + b * lengths / avgfl)
        scores = idf * weights * (k1 + 1) / (weights + norm)
        if boost != 1.0:
            scores = scores * boost
        return p.ids, scores

    def evaluate(self, q: Any, deadline: float | None = None) -> Evaluated:
        """Mask and scores of every document ``q`` matches (live documents only).

        Raises:
            Unsupported: ``q`` holds a node type this module does not evaluate.
            OutOfTime: ``deadline`` (a ``time.perf_counter()`` value) passed while phrase
                positions were being checked.
        """
        ev = self._eval(q, deadline)
        ev.mask &= self.live
        return ev

    def _empty(self) -> Evaluated:
        return Evaluated(np.zeros(self.n, dtype=bool), np.zeros(self.n, dtype=np.float64))

    def _eval(self, q: Any, deadline: float | None) -> Evaluated:
        # No clock check here: whole-array evaluation is bounded by the query's bounds
        # (terms, prefix expansions) and cheap; on a starved machine the wall clock can pass
        # the budget before anything is scored, and an empty page for a query with hits
        # is worse than a late one (bench/faults.py reindex-under-load saw 9). The budget
        # bounds what can grow with the index: position checks (phrase_matches).
        if isinstance(q, wq.Term):
            ids, scores = self.term_scores(q.fieldname, q.text, q.boost)
            ev = self._empty()
            ev.mask[ids] = True
            ev.score[ids] = scores
            return ev
        if isinstance(q, wq.Phrase):
            return self._phrase(q, deadline)
        if isinstance(q, wq.Or):
            ev = self._empty()
            # Or of plain terms (the usual case: one word over several fields): scatter-add
            # straight into one array instead of one dense array per child
            for child in q.subqueries:
                if isinstance(child, wq.Term):
                    ids, scores = self.term_scores(child.fieldname, child.text, child.boost)
                    ev.mask[ids] = True
                    ev.score[ids] += scores
                else:
                    sub = self._eval(child, deadline)
                    ev.mask |= sub.mask
                    ev.score += np.where(sub.mask, sub.score, 0.0)
            return self._boosted(ev, q.boost)
        if isinstance(q, wq.And):
            if not q.subqueries:
                return self._empty()
            ev = self._eval(q.subqueries[0], deadline)
            for child in q.subqueries[1:]:
                sub = self._eval(child, deadline)
                ev.mask &= sub.mask
                ev.score += sub.score
            ev.score[~ev.mask] = 0.0
            return self._boosted(ev, q.boost)
        if isinstance(q, wq.AndNot):
            ev = self._eval(q.a, deadline)
            neg = self._eval(q.b, deadline)
            ev.mask &= ~neg.mask
            ev.score[~ev.mask] = 0.0
            return self._boosted(ev, q.boost)
        if isinstance(q, wq.AndMaybe):
            ev = self._eval(q.a, deadline)
            opt = self._eval(q.b, deadline)
            ev.score += np.where(ev.mask & opt.mask, opt.score, 0.0)
            ev.score[~ev.mask] = 0.0
            return self._boosted(ev, q.boost)
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return self._empty()
        if isinstance(q, wq.Every) and q.fieldname in (None, "*"):
            ev = self._empty()
            ev.mask[:] = True
            ev.score[:] = 1.0
            return ev
        raise Unsupported(type(q).__name__)

    @staticmethod
    def _boosted(ev: Evaluated, boost: float) -> Evaluated:
        if boost != 1.0:
            ev.score *= boost
        return ev

    # -- positions --------------------------------------------------------------------------

    def _phrase(self, q: wq.Phrase, deadline: float | None) -> Evaluated:
        """A phrase: documents with every word (whole-array), narrowed by the ``pairs``
        field where there is one, then positions checked where pairs cannot decide."""
        ev = self._empty()
        field = q.fieldname
        words = list(q.words)
        if field not in self.schema or not words:
            return ev
        if not self.schema[field].format.supports("positions"):
            raise Unsupported(f"phrase on {field} without positions")
        cand = np.ones(self.n, dtype=bool)
        total = np.zeros(self.n, dtype=np.float64)
        for word in words:
            ids, scores = self.term_scores(field, word)
            m = np.zeros(self.n, dtype=bool)
            m[ids] = True
            cand &= m
            part = np.zeros(self.n, dtype=np.float64)
            part[ids] = scores
            total += part
        exact = False
        pairs = PAIR_FIELDS.get(field, "")
        if pairs in self.schema and q.slop == 1 and len(words) > 1:
            # "a b c" needs the pairs "a b" and "b c"; for two words the pair is the phrase
            for a, b in pairwise(words):
                m = np.zeros(self.n, dtype=bool)
                m[self.postings(pairs, f"{a}{PAIR_SEP}{b}").ids] = True
                cand &= m
            exact = len(words) == 2
        cand &= self.live
        docs = np.flatnonzero(cand)
        if not len(docs):
            return ev
        hit = docs if exact else docs[self.phrase_matches(field, words, docs, q.slop, deadline)]
        ev.mask[hit] = True
        ev.score[hit] = total[hit] * q.boost
        return ev

    def phrase_matches(
        self,
        field: str,
        words: Sequence[str],
        docs: np.ndarray,
        slop: int,
        deadline: float | None,
    ) -> np.ndarray:
        """For each of ``docs`` (ascending docnums holding every word), whether the words
        occur in order, each within ``slop`` positions after the previous one (Whoosh's
        ``SpanNear2(ordered=True, mindist=1)``, which ``Phrase`` uses)."""
        positions = [self.positions(field, w, docs, deadline) for w in dict.fromkeys(words)]
        by_word = dict(zip(dict.fromkeys(words), positions, strict=True))
        ok = np.zeros(len(docs), dtype=bool)
        for i in range(len(docs)):
            current: Sequence[int] = by_word[words[0]][i]
            for word in words[1:]:
                nxt = by_word[word][i]
                if not current or not nxt:
                    current = ()
                    break
                cs = set(current)
                current = [p for p in nxt if any((p - d) in cs for d in range(1, slop + 1))]
            ok[i] = bool(current)
        return ok

    def positions(
        self, field: str, word: str, docs: np.ndarray, deadline: float | None
    ) -> list[tuple[int, ...]]:
        """Positions of ``word`` in each of ``docs`` (ascending), () where absent."""
        if deadline is not None and time.perf_counter() > deadline:
            raise OutOfTime
        ids, values = self._values(field, word)
        out: list[tuple[int, ...]] = [()] * len(docs)
        if not len(ids):
            return out
        at = np.minimum(np.searchsorted(ids, docs), len(ids) - 1)
        found = np.flatnonzero(ids[at] == docs)
        decode = self.schema[field].format.decode_positions
        for i, j in zip(found.tolist(), at[found].tolist(), strict=True):
            out[i] = tuple(decode(values[j]))
        return out

    def _values(self, field: str, word: str) -> tuple[np.ndarray, list[bytes]]:
        """Docnums and encoded posting values (positions) of one term (cached)."""
        key = (field, word)
        with self._lock:
            found = self._value_cache.get(key)
            if found is not None:
                self._value_cache.move_to_end(key)
                return found
        fobj = self.schema[field]
        tbytes = fobj.to_bytes(word)
        id_parts: list[np.ndarray] = []
        values: list[bytes] = []
        for leaf, offset in self.leaves:
            if (field, tbytes) not in leaf:
                continue
            ids, vals = _leaf_values(leaf, field, tbytes, fobj.format)
            id_parts.append(np.asarray(ids, dtype=np.int64) + offset)
            values.extend(vals)
        found = (np.concatenate(id_parts) if id_parts else np.empty(0, np.int64), values)
        with self._lock:
            if key not in self._value_cache:
                self._value_cache[key] = found
                self._cached_values += len(values)
                while self._cached_values > MAX_CACHED_VALUES and len(self._value_cache) > 1:
                    _, old = self._value_cache.popitem(last=False)
                    self._cached_values -= len(old[1])
        return found


def _leaf_postings(leaf: Any, field: str, tbytes: bytes, fmt: Any) -> tuple[list[int], list[float]]:
    """Docnums (within the segment) and weights of one term, deleted documents included.

    Whoosh 3.54's block layout is read directly (one pickled tuple per block of up to 128
    postings: delta-coded ids, weights as None / one float / a tuple): a Python call per
    block instead of several per posting. Any other layout raises :class:`Unsupported`.
    """
    ids: list[int] = []
    weights: list[float] = []
    blocks = _raw_blocks(leaf, field, tbytes, fmt)
    if blocks is not None:
        for deltas, ws, _ in blocks:
            count = len(deltas)
            ids.extend(accumulate(deltas))
            if ws is None:
                weights.extend([1.0] * count)
            elif isinstance(ws, float):
                weights.extend([ws] * count)
            else:
                weights.extend(ws)
        return ids, weights
    raise _other_layout(leaf, field)


def _leaf_values(leaf: Any, field: str, tbytes: bytes, fmt: Any) -> tuple[list[int], list[bytes]]:
    """Docnums (within the segment) and encoded values of one term (see _leaf_postings)."""
    ids: list[int] = []
    values: list[bytes] = []
    blocks = _raw_blocks(leaf, field, tbytes, fmt) if fmt.fixed_value_size() is None else None
    if blocks is not None:
        for deltas, _, vs in blocks:
            ids.extend(accumulate(deltas))
            values.extend(vs)
        return ids, values
    raise _other_layout(leaf, field)


def _other_layout(leaf: Any, field: str) -> Unsupported:
    """Postings not in Whoosh 3.54's block layout (another codec or version): the query is
    then ranked by Whoosh's own collectors (the Searcher's fallback), not guessed at here.
    Whoosh 3.54 cannot write another layout for these fields (its inlining of short posting
    lists fails with an AttributeError), so no test index can hold one."""
    return Unsupported(f"postings of {field!r} in {type(leaf).__name__} not in block layout")


def _raw_blocks(
    leaf: Any, field: str, tbytes: bytes, fmt: Any
) -> Iterator[tuple[Any, Any, Any]] | None:
    """Whoosh 3.54's posting blocks of one term as stored (delta-coded ids, weights,
    values), or None when the postings are not in that layout (inlined, byte ids)."""
    m = leaf._terms.matcher(field, tbytes, fmt)
    if not isinstance(m, W3LeafMatcher) or m._byteids:
        return None

    def walk() -> Iterator[tuple[Any, Any, Any]]:
        while True:
            m._read_data()
            yield m._data
            if m._lastblock:
                return
            m._goto(m._nextoffset)

    return walk()


def _leaf_length_bytes(leaf: Any, field: str) -> np.ndarray | None:
    """The one-byte length codes of ``field`` in one segment, by docnum (None if absent)."""
    perdoc = getattr(leaf, "_perdoc", None)
    if perdoc is None:
        return None
    reader = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if reader is None:
        return None
    count = leaf.doc_count_all()
    raw = reader._dbfile.get(reader._basepos, reader._count * reader._fixedlen)
    codes = np.zeros(count, dtype=np.uint8)
    got = np.frombuffer(bytes(raw), dtype=np.uint8)[:count]
    codes[: len(got)] = got
    return codes


def ranked(ev: Evaluated, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The matching docnums best first (ties by docnum) and their scores."""
    mask = ev.mask if allowed is None else ev.mask & allowed
    docs = np.flatnonzero(mask)
    scores = ev.score[docs]
    order = np.lexsort((docs, -scores))
    return docs[order], scores[order]
