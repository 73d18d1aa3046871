"""User text -> Whoosh queries, repaired and bounded.

A public search box receives anything: unbalanced quotes, stray operators, ``*``, 10,000
characters, control bytes. Everything here either repairs the text or raises
:class:`InvalidQuery` with a message a person can act on; nothing reaches Whoosh unbounded
(field guide §5: cap length and terms, refuse short wildcards, strip ``^`` boosts).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from whoosh import qparser, query

from index.models import MAX_QUERY_TERMS, InvalidQuery

#: Fields a user may name in the query, mapped to the indexed field.
USER_FIELDS = {"title": "title", "body": "body", "site": "site", "author": "author"}
#: Title matches count this much more than body matches (set at query time, so it can be
#: tuned without a reindex; never also in the schema: the two multiply, field guide §5).
TITLE_BOOST = 1.5
#: A wildcard must start with this many literal characters ...
MIN_WILDCARD_PREFIX = 2
#: ... and expand to at most this many terms (``a*`` alone expands to thousands).
MAX_WILDCARD_TERMS = 200

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BOOST = re.compile(r"\^[^\s()\"]*")
_FIELD = re.compile(r"(?<![\w\"])([A-Za-z_]+):")
_FUZZY = re.compile(r"~[\d./]*")
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """The strict (every word) and loose (most words) forms of one user query."""

    text: str  # the repaired text the queries were made from
    strict: Any  # whoosh.query.Query
    loose: Any | None  # OR form; None when the query has a single clause


def repair(text: str) -> str:
    """Make user text parseable: drop control bytes, boosts, fuzzy marks and unknown
    field prefixes, balance quotes and parentheses, collapse whitespace."""
    text = _CONTROL.sub(" ", text)
    text = _BOOST.sub("", text)
    text = _FUZZY.sub("", text)
    text = _FIELD.sub(lambda m: m.group(0) if m.group(1).lower() in USER_FIELDS else m.group(1) + " ", text)
    if text.count('"') % 2:
        last = text.rfind('"')
        text = text[:last] + text[last + 1 :]
    text = _balance_parentheses(text)
    return " ".join(text.split())


def _balance_parentheses(text: str) -> str:
    out: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                continue
            depth -= 1
        out.append(ch)
    result = "".join(out)
    while depth:  # drop the unmatched opening parentheses, rightmost first
        i = result.rfind("(")
        result = result[:i] + " " + result[i + 1 :]
        depth -= 1
    return result


def make_parser(schema: Any, group: Any) -> qparser.QueryParser:
    """The parser for user text: title and body, title boosted; no fuzzy, no ``^`` boosts."""
    parser = qparser.MultifieldParser(
        ["title", "body"], schema, fieldboosts={"title": TITLE_BOOST}, group=group
    )
    parser.remove_plugin_class(qparser.BoostPlugin)
    return parser


def parse_user_query(text: str, schema: Any, reader: Any) -> ParsedQuery:
    """Parse and bound user text.

    Raises:
        InvalidQuery: nothing searchable is left, or a wildcard is too broad.
    """
    repaired = repair(text)
    if not _WORD.search(repaired):
        raise InvalidQuery("type at least one word to search for")
    try:
        strict = make_parser(schema, qparser.AndGroup).parse(repaired)
        loose = make_parser(schema, qparser.OrGroup.factory(0.9)).parse(repaired)
    except Exception as err:  # noqa: BLE001 — Whoosh's parser raises many types on odd input
        raise InvalidQuery("could not understand the query: try plain words") from err
    if isinstance(strict, type(query.NullQuery)):
        raise InvalidQuery("the query only has very common words: add a more specific word")
    leaves = list(strict.leaves())
    if len(leaves) > MAX_QUERY_TERMS * 2:  # each word is a title and a body term
        raise InvalidQuery(f"the query has too many words: use at most {MAX_QUERY_TERMS}")
    for leaf in leaves:
        _check_expansion(leaf, reader)
    if isinstance(strict, query.Every) or any(isinstance(leaf, query.Every) for leaf in leaves):
        raise InvalidQuery("a query needs at least one word besides '*'")
    same = repr(strict) == repr(loose)
    return ParsedQuery(repaired, strict, None if same else loose)


def _check_expansion(leaf: Any, reader: Any) -> None:
    if not isinstance(leaf, query.Wildcard | query.Prefix):
        return
    text = leaf.text
    prefix = re.split(r"[*?]", text, maxsplit=1)[0]
    if len(prefix) < MIN_WILDCARD_PREFIX:
        raise InvalidQuery(
            f"'{text}' is too broad: a wildcard needs at least {MIN_WILDCARD_PREFIX} letters before * or ?"
        )
    expansion = sum(1 for _ in itertools.islice(leaf._btexts(reader), MAX_WILDCARD_TERMS + 1))
    if expansion > MAX_WILDCARD_TERMS:
        raise InvalidQuery(f"'{text}' matches too many words: add more letters before the *")
