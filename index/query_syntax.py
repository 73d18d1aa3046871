"""The query language's syntax: tokens, a small recursive-descent parser, dates, rendering.

Total by construction: every input becomes a syntax tree (possibly empty) or raises
:class:`InvalidQuery` for a malformed date; index/query.py turns the tree into Whoosh queries
(the language itself is described there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from whoosh.analysis import RegexTokenizer

from index.models import MAX_QUERY_TERMS, InvalidQuery

#: Fields a user may name in the query, mapped to the indexed field.
USER_FIELDS = {"title": "title", "body": "body", "site": "site", "author": "author"}
DATE_FIELDS = ("published", "date", "after", "before")
#: Parentheses nested deeper than this are flattened.
MAX_DEPTH = 6

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
            out.append(
                ("phrase", " ".join(text[i + 1 : j].replace("(", " ").replace(")", " ").split()))
            )
            i = j + 1
        elif (
            ch in "+-"
            and i + 1 < n
            and not text[i + 1].isspace()
            and (not out or text[i - 1].isspace() or text[i - 1] in "(")
        ):
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
        nxt = st.peek()
        if nxt is None or nxt[0] == ")":
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
    try:  # naive datetimes in UTC, as Whoosh stores them (index.build)
        if month is None:
            start, span = datetime(year, 1, 1), "year"  # noqa: DTZ001
        elif day is None:
            start, span = datetime(year, int(month), 1), "month"  # noqa: DTZ001
        else:
            start, span = datetime(year, int(month), int(day)), "day"  # noqa: DTZ001
    except ValueError:
        raise InvalidQuery(f"'{text[:40]}' is not a valid date") from None
    if not end:
        return start
    if span == "year":
        nxt = start.replace(year=year + 1)
    elif span == "month":
        nxt = (
            start.replace(year=year + 1, month=1)
            if start.month == 12
            else start.replace(month=start.month + 1)
        )
    else:
        nxt = start + timedelta(days=1)
    return nxt - timedelta(microseconds=1)


def _date_term(name: str, text: str) -> tuple[datetime | None, datetime | None]:
    if name in ("after", "before"):
        # after:X starts after the period X covers; before:X ends before it starts
        instant = _parse_date(text, end=name == "after")
        if instant is None:
            return None, None
        if name == "after":
            return instant + timedelta(microseconds=1), None
        return None, instant - timedelta(microseconds=1)
    return _parse_date(text, end=False), _parse_date(text, end=True)


def _date_range(text: str) -> tuple[datetime | None, datetime | None]:
    parts = _RANGE_SPLIT.split(text.strip(), maxsplit=1)
    lo = parts[0]
    hi = parts[1] if len(parts) > 1 else lo
    return _parse_date(lo, end=False), _parse_date(hi, end=True)


# -- rendering -----------------------------------------------------------------------------


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
