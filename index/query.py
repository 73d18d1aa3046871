"""User text -> Whoosh queries, repaired and bounded.

A public search box receives anything: unbalanced quotes, stray operators, ``*``, 10,000
characters, control bytes. This module has its own small parser (not Whoosh's ``qparser``):
its grammar is short enough to be total — every input either becomes a query or raises
:class:`InvalidQuery` with a message a person can act on — whereas Whoosh's parser raised
on 7 of 20,050 fuzzed inputs through its date plugin and silently accepted ``*`` as "every
document" (field guide §5).

The language (``docs``-style summary; the Searcher's docstring links here)::

    climate summit        every word (documents with most words follow: see Searcher.search)
    "climate summit"      the exact phrase
    climate OR weather    either word; OR binds tighter than the space: ``a OR b c`` is
                          ``(a OR b) c``, as in web search engines
    -opinion, NOT opinion without the word           +climate   the word is required
    (a OR b) c            grouping
    title:summit  site:bbc  author:"ann lee"  body:word
    summ*                 words starting with "summ" (at least 2 letters; the 50 most
                          frequent expansions are used)
    published:2019  published:2019-06  published:2019-06-30
    published:[2019-01-01 to 2019-06-30]  published:[2019 to *]  after:2019-01-01  before:2020
                          date terms restrict the whole query, wherever they are written

Repairs: control characters dropped; an unclosed quote ends at the end of the text;
unmatched parentheses are dropped or closed; operators without an operand are ignored;
``^boost`` and ``~fuzzy`` marks and unknown ``field:`` prefixes are dropped. Bounds: at most
``MAX_QUERY_TERMS`` words (the rest is ignored, with a notice), nesting depth
``MAX_DEPTH``, prefix expansion ``MAX_PREFIX_TERMS`` words.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from whoosh import query as wq
from whoosh.analysis import StandardAnalyzer

from index.models import MAX_QUERY_TERMS, InvalidQuery
from index.query_syntax import (
    _WORD,
    USER_FIELDS,
    DateTerm,
    Group,
    Not,
    Phrase,
    Required,
    Word,
    _parse_sequence,
    _render_top,
    _State,
    _tokens,
    clean,
    render,
    repair,
)
from index.ranking import DEFAULT_PARAMS, FUNCTION_WORDS, RankingParams
from index.schema import joined_forms, text_analyzer

__all__ = ["USER_FIELDS", "ParsedQuery", "clean", "parse_user_query", "render", "repair"]

#: A prefix (``summ*``) needs this many literal characters ...
MIN_WILDCARD_PREFIX = 2
#: ... and uses at most this many of its expansions, the most frequent ones (``can*`` with
#: 55 expansions costs 1 s of CPU on 50k documents, field guide §5).
MAX_PREFIX_TERMS = 50
#: Expansions looked at before keeping the most frequent (bounds the lexicon walk).
MAX_PREFIX_SCAN = 2000
#: Prefixes in one query: ten ``xx*`` of 50 expansions each took 0.5-0.8 s on 2,400 news
#: documents (and grow with the index), so a query may hold three.
MAX_PREFIXES = 3
#: Kept for callers of the old module (``MAX_WILDCARD_TERMS``).
MAX_WILDCARD_TERMS = MAX_PREFIX_TERMS

_STEM = text_analyzer()
_PLAIN = StandardAnalyzer(stoplist=None)

# -- compiling to Whoosh -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """One user query, ready for the Searcher.

    ``strict`` requires every top-level clause; ``loose`` requires only the ``+`` clauses
    (and excludes the ``-`` ones) and is None when it would equal ``strict``. ``boost`` is
    an optional query that only adds score (adjacent query words close together).
    """

    text: str  # the query as understood (repaired), shown as "searched for"
    strict: Any
    loose: Any | None
    boost: Any | None = None
    clauses: int = 1  # top-level positive clauses (for the strict-tier rule)
    highlight_terms: frozenset[str] = frozenset()  # stemmed terms that may be highlighted
    words: tuple[str, ...] = ()  # free words as typed (spelling candidates)
    date_from: datetime | None = None
    date_to: datetime | None = None
    notices: tuple[str, ...] = ()


class _Compiler:
    def __init__(self, reader: Any, params: RankingParams) -> None:
        self.reader = reader
        self.params = params
        self.highlight: set[str] = set()
        self.words: list[str] = []
        self.notices: list[str] = []
        self.prefixes = 0

    def compile(self, node: Any) -> Any:
        if isinstance(node, Word):
            return self.word(node)
        if isinstance(node, Phrase):
            return self.phrase(node)
        if isinstance(node, Required):
            return self.compile(node.item)
        if isinstance(node, Not):
            inner = self.compile_negative(node.item)
            return None if inner is None else wq.Not(inner)
        if isinstance(node, Group):
            return self.group(node)
        return None

    def compile_negative(self, node: Any) -> Any:
        saved = set(self.highlight), list(self.words)
        q = self.compile(node)
        self.highlight, self.words = saved[0], saved[1]  # excluded words are not highlighted
        return q

    def group(self, node: Group) -> Any:
        if node.op == "or":
            # A NOT inside an OR would mean "everything without the word": dropped.
            parts = [self.compile(i) for i in node.items if not isinstance(i, Not)]
            parts = [p for p in parts if p is not None]
            if not parts:
                return None
            return parts[0] if len(parts) == 1 else wq.Or(parts)
        pos = [self.compile(i) for i in node.items if not isinstance(i, Not)]
        pos = [p for p in pos if p is not None]
        neg = [self.compile(i) for i in node.items if isinstance(i, Not)]
        neg = [n.query for n in neg if n is not None]
        if not pos:
            return None  # a group of exclusions only matches nearly everything: dropped
        q = pos[0] if len(pos) == 1 else wq.And(pos)
        if neg:
            q = wq.AndNot(q, neg[0] if len(neg) == 1 else wq.Or(neg))
        return q

    def _stems(self, text: str, fieldname: str) -> list[str]:
        analyzer = _PLAIN if fieldname in ("site", "author") else _STEM
        return [t.text for t in analyzer(text)]

    def word(self, node: Word) -> Any:
        if node.field is None and not node.prefix:
            self.words.append(node.text)
        if node.prefix:
            return self.prefix(node)
        target = node.field or "text"
        stems = self._stems(node.text, target)
        if not stems:
            return None  # a stop word
        if len(stems) > 1:  # "covid-19", "e-mail": the parts in sequence
            return self.phrase(Phrase(" ".join(stems), node.field), analysed=stems)
        self.highlight.add(stems[0])
        if node.field is not None:
            return wq.Term(target, stems[0])
        return self.anywhere(stems[0], node.text.lower())

    def anywhere(self, stem: str, raw: str | None = None, signals: bool = True) -> Any:
        """A free word: the pooled text, plus the title, exact-form and URL-section signals."""
        p = self.params
        parts = [wq.Term("text", stem)]
        if p.title_weight > 0:
            parts.append(wq.Term("title", stem, boost=p.title_weight))
        if not signals:
            return wq.Or(parts)
        if p.exact_weight > 0 and raw:
            parts.append(wq.Term("words", raw, boost=p.exact_weight))
        if p.section_weight > 0:
            parts.append(wq.Term("section", stem, boost=p.section_weight))
        return wq.Or(parts)

    def phrase(self, node: Phrase, analysed: list[str] | None = None) -> Any:
        target = node.field or "text"
        stems = analysed if analysed is not None else self._stems(node.text, target)
        if not stems:
            return None
        self.highlight.update(stems)
        if len(stems) == 1:
            return wq.Term(target, stems[0]) if node.field else self.anywhere(stems[0])
        q: Any = wq.Phrase(target, stems)
        if node.field is None and self.params.title_weight > 0:
            q = wq.Or([q, wq.Phrase("title", stems, boost=self.params.title_weight)])
        return q

    def prefix(self, node: Word) -> Any:
        letters = node.text.lower()
        self.prefixes += 1
        if self.prefixes > MAX_PREFIXES:
            raise InvalidQuery(f"a query may hold at most {MAX_PREFIXES} words ending in *")
        if len(letters) < MIN_WILDCARD_PREFIX:
            raise InvalidQuery(
                f"'{node.text}*' is too broad: "
                f"a prefix needs at least {MIN_WILDCARD_PREFIX} letters before *"
            )
        source = "words" if node.field in (None, "title", "body") else node.field
        found: list[tuple[int, str]] = []
        scanned = 0
        for term in self.reader.expand_prefix(source, letters):
            scanned += 1
            if scanned > MAX_PREFIX_SCAN:
                break
            text = term.decode("utf-8") if isinstance(term, bytes) else term
            found.append((self.reader.doc_frequency(source, text), text))
        if not found:
            return wq.NullQuery
        found.sort(key=lambda x: (-x[0], x[1]))
        if len(found) > MAX_PREFIX_TERMS:
            self.notices.append(
                f"'{node.text}*' matches many words: "
                f"the {MAX_PREFIX_TERMS} most frequent were searched"
            )
        target = node.field or "text"
        stems: list[str] = []
        for _, text in found[:MAX_PREFIX_TERMS]:
            for s in self._stems(text, target) if source == "words" else [text]:
                if s not in stems:
                    stems.append(s)
        self.highlight.update(stems)
        # expansions match the text and the title only: four fields x 50 words is too many matchers
        parts = [
            wq.Term(target, s) if node.field else self.anywhere(s, None, signals=False)
            for s in stems
        ]
        if not parts:
            return wq.NullQuery
        return parts[0] if len(parts) == 1 else wq.Or(parts)


def parse_user_query(
    text: str, schema: Any, reader: Any, params: RankingParams = DEFAULT_PARAMS
) -> ParsedQuery:
    """Parse, repair and bound user text.

    Raises:
        InvalidQuery: nothing searchable is left, a date is malformed, or a prefix is too short.
    """
    del schema  # the field layout is this module's knowledge (index.schema)
    cleaned = clean(text)
    if not _WORD.search(cleaned):
        raise InvalidQuery("type at least one word to search for")
    st = _State(_tokens(cleaned))
    tree = _parse_sequence(st, closing=False)
    comp = _Compiler(reader, params)
    shown = _render_top(tree)
    if params.drop_function_words:
        free = [i for i in tree.items if isinstance(i, Word) and i.field is None and not i.prefix]
        if len(free) > params.strict_tier_max_words:
            kept = [i for i in tree.items if not (i in free and i.text.lower() in FUNCTION_WORDS)]
            if any(not isinstance(i, Not) for i in kept):
                tree = Group("and", kept)
    positives = []
    hyphenated: list[tuple[list[Any], list[str]]] = []
    for item in tree.items:
        if isinstance(item, Group) and item.raw is not None:
            positives.extend(item.items)  # "IL-6" ranks as the words IL and 6
            if all(isinstance(i, Word) and i.field is None for i in item.items):
                hyphenated.append((item.items, joined_forms(item.raw)))  # ... and as IL6
        elif not isinstance(item, Not | DateTerm):
            positives.append(item)
    negatives = [i for i in tree.items if isinstance(i, Not)]
    required_nodes = [i for i in positives if isinstance(i, Required)]
    compiled = [(comp.compile(i), i) for i in positives]
    compiled = [(q, i) for q, i in compiled if q is not None]
    negs = [comp.compile_negative(n.item) for n in negatives]
    negs = [n for n in negs if n is not None]
    notices = list(comp.notices)
    if st.truncated:
        notices.append(f"only the first {MAX_QUERY_TERMS} words were used")
    lo, hi = _intersect_dates(st.dates)
    if not compiled:
        if negatives:
            raise InvalidQuery("add a word to search for: a query cannot only exclude words")
        if st.dates:
            raise InvalidQuery("add a word to search for beside the date")
        raise InvalidQuery("the query only has very common words: add a more specific word")
    queries = [q for q, _ in compiled]
    every, joined = _with_joined(comp, compiled, hyphenated)
    strict: Any = every[0] if len(every) == 1 else wq.And(every)
    loose: Any = None
    if len(queries) > 1:
        req = [q for q, i in compiled if i in required_nodes]
        opt = wq.Or(queries + joined)
        loose = opt if not req else wq.AndMaybe(req[0] if len(req) == 1 else wq.And(req), opt)
        if len(req) == len(queries):
            loose = None
    if negs:
        exclude = negs[0] if len(negs) == 1 else wq.Or(negs)
        strict = wq.AndNot(strict, exclude)
        if loose is not None:
            loose = wq.AndNot(loose, exclude)
    return ParsedQuery(
        text=shown,
        strict=strict,
        loose=loose,
        boost=_proximity(positives, params),
        clauses=len(queries),
        highlight_terms=frozenset(comp.highlight),
        words=tuple(comp.words),
        date_from=lo,
        date_to=hi,
        notices=tuple(notices),
    )


def _with_joined(
    comp: _Compiler, compiled: list[tuple[Any, Any]], hyphenated: list[tuple[list[Any], list[str]]]
) -> tuple[list[Any], list[Any]]:
    """The clauses every matching document needs, and the joined-form clauses.

    A hyphenated query word also matches as its joined form ("IL6" for "IL-6", as the index
    holds both: index.schema.joined_forms): its parts are required together or the joined
    form instead, and both add score where they match (an ``Or`` sums its matching children)."""
    every: list[Any] = [q for q, _ in compiled]
    joined: list[Any] = []
    if comp.params.joined_weight <= 0:
        return every, joined
    for parts, forms in hyphenated:
        alts = [q for q in (_joined(comp, j) for j in forms) if q is not None]
        if not alts:
            continue
        joined.extend(alts)
        mine = [k for k, (_, node) in enumerate(compiled) if any(node is p for p in parts)]
        if not mine:  # every part a stop word or a single letter ("G-to-A"): the joined form
            every.extend(alts)
            continue
        together = [every[k] for k in mine]
        every[mine[0]] = wq.Or([together[0] if len(together) == 1 else wq.And(together), *alts])
        for k in mine[1:]:
            every[k] = None
    return [q for q in every if q is not None], joined


def _joined(comp: _Compiler, word: str) -> Any:
    """The joined form of a hyphenated query word ("IL6" for "IL-6"), scored like a word."""
    stems = [t.text for t in _STEM(word)]
    if len(stems) != 1:
        return None
    comp.highlight.add(stems[0])
    q = comp.anywhere(stems[0], word.lower())
    w = comp.params.joined_weight
    return q if w == 1.0 else wq.Or([c.with_boost(c.boost * w) for c in q.subqueries])


def _intersect_dates(
    ranges: Iterable[tuple[datetime | None, datetime | None]],
) -> tuple[datetime | None, datetime | None]:
    lo: datetime | None = None
    hi: datetime | None = None
    for a, b in ranges:
        if a is not None and (lo is None or a > lo):
            lo = a
        if b is not None and (hi is None or b < hi):
            hi = b
    return lo, hi


def _proximity(positives: list[Any], params: RankingParams) -> Any:
    """Adjacent free words of the query found close together in the text score more: the
    sequential-dependence idea (Metzler & Croft 2005) with ordered pairs only."""
    if params.proximity_weight <= 0:
        return None
    free = sum(1 for n in positives if isinstance(n.item if isinstance(n, Required) else n, Word))
    if free > params.proximity_max_words:
        return None
    stems: list[str | None] = []
    for node in positives:
        node = node.item if isinstance(node, Required) else node
        if isinstance(node, Word) and node.field is None and not node.prefix:
            s = [t.text for t in _STEM(node.text)]
            stems.extend(s if s else [])
            if not s:
                continue
        else:
            stems.append(None)  # a phrase or a field breaks the sequence
    pairs = []
    for a, b in itertools.pairwise(stems):
        if a and b and a != b and (a, b) not in pairs:
            pairs.append((a, b))
    if not pairs:
        return None
    clauses = [
        wq.Phrase("text", [a, b], slop=params.proximity_slop, boost=params.proximity_weight)
        for a, b in pairs
    ]
    return clauses[0] if len(clauses) == 1 else wq.Or(clauses)
