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
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from whoosh import query as wq
from whoosh.analysis import RegexTokenizer, StandardAnalyzer

from index.models import MAX_QUERY_TERMS, InvalidQuery
from index.ranking import DEFAULT_PARAMS, FUNCTION_WORDS, RankingParams
from index.schema import text_analyzer

#: Fields a user may name in the query, mapped to the indexed field.
USER_FIELDS = {"title": "title", "body": "body", "site": "site", "author": "author"}
DATE_FIELDS = ("published", "date", "after", "before")
#: A prefix (``summ*``) needs this many literal characters ...
MIN_WILDCARD_PREFIX = 2
#: ... and uses at most this many of its expansions, the most frequent ones (``can*`` with
#: 55 expansions costs 1 s of CPU on 50k documents, field guide §5).
MAX_PREFIX_TERMS = 50
#: Expansions looked at before keeping the most frequent (bounds the lexicon walk).
MAX_PREFIX_SCAN = 2000
#: Parentheses nested deeper than this are flattened.
MAX_DEPTH = 6
#: Kept for callers of the old module (``MAX_WILDCARD_TERMS``).
MAX_WILDCARD_TERMS = MAX_PREFIX_TERMS

_STEM = text_analyzer()
_PLAIN = StandardAnalyzer(stoplist=None)
_SPLIT = RegexTokenizer()
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_WORD = re.compile(r"\w", re.UNICODE)
_FIELD_PREFIX = re.compile(r"^([A-Za-z_]+):(.*)$", re.S)
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_RANGE_SPLIT = re.compile(r"\s+(?:to|TO)\s+|\s*\.\.\s*")


# -- syntax tree ---------------------------------------------------------------------------


@dataclass(slots=True)
class Word:
    """A word (or ``word*`` prefix), optionally restricted to one field."""

    text: str
    field: str | None = None
    prefix: bool = False


@dataclass(slots=True)
class Phrase:
    """Words that must appear next to each other, in order."""

    text: str
    field: str | None = None


@dataclass(slots=True)
class Group:
    """Clauses that must all match (``op='and'``) or any of which may (``op='or'``)."""

    op: str
    items: list[Any] = field(default_factory=list)
    raw: str | None = None  # a word split by the tokenizer, shown as typed


@dataclass(slots=True)
class DateTerm:
    """A date restriction as typed (``published:2019``); applied as a filter."""

    text: str


@dataclass(slots=True)
class Not:
    """A clause that must not match."""

    item: Any


@dataclass(slots=True)
class Required:
    """A ``+clause``: must match even when the search falls back to "most words"."""

    item: Any


# -- tokenizing ----------------------------------------------------------------------------


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, value) tokens: ``(``, ``)``, ``phrase``, ``fphrase`` (field:"..."),
    ``range`` (field:[...]), ``mod`` (+ or -), ``op`` (AND/OR/NOT), ``word``."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append((ch, ch))
            i += 1
        elif ch == '"':
            j = text.find('"', i + 1)
            j = n if j < 0 else j  # an unclosed quote runs to the end
            out.append(("phrase", " ".join(text[i + 1 : j].replace("(", " ").replace(")", " ").split())))
            i = j + 1
        elif ch in "+-" and i + 1 < n and not text[i + 1].isspace() and (not out or text[i - 1].isspace() or text[i - 1] in "("):
            out.append(("mod", ch))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '()"':
                j += 1
            word = text[i:j]
            m = _FIELD_PREFIX.match(word)
            if m and j < n and text[j] == '"' and not m.group(2):
                k = text.find('"', j + 1)
                k = n if k < 0 else k
                inner = " ".join(text[j + 1 : k].replace("(", " ").replace(")", " ").split())
                out.append(("fphrase", f"{m.group(1)}:{inner}"))
                i = k + 1
                continue
            if m and m.group(2).startswith("["):
                k = text.find("]", i)
                k = n if k < 0 else k
                out.append(("range", f"{m.group(1)}:{text[i + len(m.group(1)) + 2 : k]}"))
                i = k + 1
                continue
            if word in ("AND", "OR", "NOT", "&&", "||"):
                out.append(("op", {"&&": "AND", "||": "OR"}.get(word, word)))
            else:
                out.append(("word", word))
            i = j
    return out


# -- parsing -------------------------------------------------------------------------------


@dataclass(slots=True)
class _State:
    tokens: list[tuple[str, str]]
    pos: int = 0
    depth: int = 0
    dates: list[tuple[datetime | None, datetime | None]] = field(default_factory=list)
    words: int = 0
    truncated: bool = False

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok


def _parse_sequence(st: _State, closing: bool) -> Group:
    """clause ( [AND] clause )* until ``)`` (when inside parentheses) or the end."""
    group = Group("and")
    while (tok := st.peek()) is not None:
        if tok[0] == ")":
            st.take()
            if closing:
                return group
            continue  # an unmatched ')' is dropped
        if tok == ("op", "AND") or tok == ("op", "OR"):
            st.take()  # AND is the default; an OR without a left operand is dropped
            continue
        item = _parse_or(st)
        if isinstance(item, Group) and item.op == "and" and item.raw is None:
            group.items.extend(item.items)  # (a b) inside a sequence is just a b
        elif item is not None:
            group.items.append(item)
    return group  # an unclosed '(' closes at the end


def _parse_or(st: _State) -> Any:
    """unary ( OR unary )*"""
    items = [_parse_unary(st)]
    while st.peek() == ("op", "OR"):
        st.take()
        if st.peek() is None or st.peek()[0] == ")":
            break
        items.append(_parse_unary(st))
    items = [i for i in items if i is not None]
    if not items:
        return None
    return items[0] if len(items) == 1 else Group("or", items)


def _parse_unary(st: _State) -> Any:
    tok = st.peek()
    if tok is None:
        return None
    if tok[0] == "mod" or tok == ("op", "NOT"):
        st.take()
        inner = _parse_unary(st)
        if inner is None:
            return None
        if tok == ("mod", "+"):
            return Required(inner)
        return Not(inner)
    return _parse_primary(st)


def _parse_primary(st: _State) -> Any:
    kind, value = st.take()
    if kind == "(":
        st.depth += 1
        group = _parse_sequence(st, closing=True)
        st.depth -= 1
        if not group.items:
            return None
        if st.depth >= MAX_DEPTH:  # flatten: too deep to be meant
            return group
        return group.items[0] if len(group.items) == 1 else group
    if kind == ")" or kind == "op" or kind == "mod":
        return None
    if kind == "phrase":
        return _count(st, Phrase(value)) if _WORD.search(value) else None
    if kind == "fphrase":
        name, _, text = value.partition(":")
        fieldname = USER_FIELDS.get(name.lower())
        if not _WORD.search(text):
            return None
        return _count(st, Phrase(text, fieldname))
    if kind == "range":
        name, _, text = value.partition(":")
        if name.lower() in DATE_FIELDS:
            st.dates.append(_date_range(text))
            return DateTerm(f"{name.lower()}:[{text.strip()}]")
        return _word(st, text.replace("[", " ").replace("]", " "))
    return _word(st, value)


def _word(st: _State, value: str) -> Any:
    fieldname = None
    m = _FIELD_PREFIX.match(value)
    if m:
        name, rest = m.group(1).lower(), m.group(2)
        if name in DATE_FIELDS:
            st.dates.append(_date_term(name, rest))
            return DateTerm(f"{name}:{rest}")
        if name in USER_FIELDS:
            fieldname, value = USER_FIELDS[name], rest
        else:
            value = f"{m.group(1)} {rest}"  # an unknown field: search its words
    value = re.sub(r"\^[\d.]*|~[\d./]*", "", value)  # boosts and fuzzy marks
    prefix = value.endswith("*") and not value.endswith("**")
    value = value.replace("*", " ").replace("?", " ").replace(":", " ").strip()
    if not _WORD.search(value):
        if prefix:
            raise InvalidQuery("a query needs at least one word besides '*'")
        return None
    # Split the way the index tokenizer does ("IL-6" -> IL, 6; "U.S." stays whole). A free
    # word's parts become words of the query: a phrase would make "1,000 genomes" require
    # "1 000" in sequence, and 85 of SciFact's 300 claims have such words.
    parts = [t.text for t in _SPLIT(value)] if fieldname is None else value.split()
    parts = [p for p in parts if _WORD.search(p)]
    if not parts:
        return None
    if len(parts) > 1:
        words = [_count(st, Word(p, fieldname)) for p in parts]
        return Group("and", [w for w in words if w is not None], raw=value)
    if prefix and fieldname is None and not value.isalnum():
        return _count(st, Word(parts[0], fieldname))
    return _count(st, Word(parts[0] if fieldname is None else value, fieldname, prefix))


def _count(st: _State, node: Any) -> Any:
    n = len(node.text.split()) if isinstance(node, Phrase) else 1
    if st.words + n > MAX_QUERY_TERMS:
        st.truncated = True
        st.pos = len(st.tokens)  # stop reading: the rest is ignored
        return None
    st.words += n
    return node


# -- dates ---------------------------------------------------------------------------------


def _parse_date(text: str, end: bool) -> datetime | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; ``end`` gives the last instant it covers."""
    text = text.strip()
    if text in ("", "*"):
        return None
    m = _DATE.match(text)
    if not m:
        raise InvalidQuery(f"'{text[:40]}' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if month is None:
            start, span = datetime(year, 1, 1), "year"
        elif day is None:
            start, span = datetime(year, int(month), 1), "month"
        else:
            start, span = datetime(year, int(month), int(day)), "day"
    except ValueError:
        raise InvalidQuery(f"'{text[:40]}' is not a valid date") from None
    if not end:
        return start
    if span == "year":
        nxt = start.replace(year=year + 1)
    elif span == "month":
        nxt = start.replace(year=year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    else:
        nxt = start + timedelta(days=1)
    return nxt - timedelta(microseconds=1)


def _date_term(name: str, text: str) -> tuple[datetime | None, datetime | None]:
    if name == "after":
        return _parse_date(text, end=True) + timedelta(microseconds=1) if text.strip() else None, None
    if name == "before":
        return None, _parse_date(text, end=False) - timedelta(microseconds=1) if text.strip() else None
    return _parse_date(text, end=False), _parse_date(text, end=True)


def _date_range(text: str) -> tuple[datetime | None, datetime | None]:
    parts = _RANGE_SPLIT.split(text.strip(), maxsplit=1)
    lo = parts[0]
    hi = parts[1] if len(parts) > 1 else lo
    return _parse_date(lo, end=False), _parse_date(hi, end=True)


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

    def anywhere(self, stem: str, raw: str | None = None) -> Any:
        """A free word: the pooled text, plus the title, exact-form and URL-section signals."""
        p = self.params
        parts = [wq.Term("text", stem)]
        if p.exact_weight > 0 and raw:
            parts.append(wq.Term("words", raw, boost=p.exact_weight))
        if p.title_weight > 0:
            parts.append(wq.Term("title", stem, boost=p.title_weight))
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
        q = wq.Phrase(target, stems)
        if node.field is None and self.params.title_weight > 0:
            q = wq.Or([q, wq.Phrase("title", stems, boost=self.params.title_weight)])
        return q

    def prefix(self, node: Word) -> Any:
        letters = node.text.lower()
        if len(letters) < MIN_WILDCARD_PREFIX:
            raise InvalidQuery(
                f"'{node.text}*' is too broad: a prefix needs at least {MIN_WILDCARD_PREFIX} letters before *"
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
                f"'{node.text}*' matches many words: the {MAX_PREFIX_TERMS} most frequent were searched"
            )
        target = node.field or "text"
        stems: list[str] = []
        for _, text in found[:MAX_PREFIX_TERMS]:
            for s in self._stems(text, target) if source == "words" else [text]:
                if s not in stems:
                    stems.append(s)
        self.highlight.update(stems)
        parts = [wq.Term(target, s) if node.field else self.anywhere(s) for s in stems]
        if not parts:
            return wq.NullQuery
        return parts[0] if len(parts) == 1 else wq.Or(parts)


def clean(text: str) -> str:
    """Control and invisible characters become spaces; whitespace collapses."""
    return " ".join(_CONTROL.sub(" ", text).split())


def repair(text: str) -> str:
    """The query as understood, as text: what :func:`parse_user_query` searched for."""
    st = _State(_tokens(clean(text)))
    tree = _parse_sequence(st, closing=False)
    return _render_top(tree)


def render(node: Any) -> str:
    """Text of a syntax tree, in the query language (for "searched for" and suggestions)."""
    if isinstance(node, Word):
        s = node.text + ("*" if node.prefix else "")
        return f"{node.field}:{s}" if node.field else s
    if isinstance(node, Phrase):
        return f'{node.field}:"{node.text}"' if node.field else f'"{node.text}"'
    if isinstance(node, Not):
        return "-" + render(node.item)
    if isinstance(node, Required):
        return "+" + render(node.item)
    if isinstance(node, DateTerm):
        return node.text
    if isinstance(node, Group):
        if node.raw is not None:
            return node.raw
        parts = []
        for item in node.items:
            s = render(item)
            if isinstance(item, Group) and len(item.items) > 1 and item.raw is None:
                s = f"({s})"
            parts.append(s)
        return (" OR " if node.op == "or" else " ").join(p for p in parts if p)
    return ""


def _render_top(tree: Group) -> str:
    if len(tree.items) == 1:
        return render(tree.items[0])  # no parentheses around the whole query
    return render(tree)


def parse_user_query(text: str, schema: Any, reader: Any,
                     params: RankingParams = DEFAULT_PARAMS) -> ParsedQuery:
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
    for item in tree.items:
        if isinstance(item, Group) and item.raw is not None:
            positives.extend(item.items)  # "IL-6" ranks as the words IL and 6
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
    strict: Any = queries[0] if len(queries) == 1 else wq.And(queries)
    loose: Any = None
    if len(queries) > 1:
        req = [q for q, i in compiled if i in required_nodes]
        opt = wq.Or(queries)
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


def _intersect_dates(ranges: Iterable[tuple[datetime | None, datetime | None]]) -> tuple[datetime | None, datetime | None]:
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
    clauses = [wq.Phrase("text", [a, b], slop=params.proximity_slop, boost=params.proximity_weight)
               for a, b in pairs]
    return clauses[0] if len(clauses) == 1 else wq.Or(clauses)
