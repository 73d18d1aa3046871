"""Highlighted snippets made with the query's own analysis.

The text is re-tokenised with the analyzer the query terms went through (stemming), and a
token is marked only when its analysed form is one of the query's positive terms, so a
highlight never shows a word that did not match (an excluded ``-word`` is never marked). The
snippet is the window of the body with the most distinct matched terms (ties: the earliest).
Output is (text, is_match) pieces: the renderer escapes text itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from index.schema import text_analyzer

SNIPPET_CHARS = 240
_ANALYZER = text_analyzer()
# The analyzer's own parts, applied in one loop: Whoosh's chain of token generators costs
# ~5 us per token (1.7 ms per result body at 100k documents), a regex scan with a cached
# stem ~0.5 us. tests/index/test_snippets.py checks both give the same tokens.
_TOKENIZER, _LOWER, _STOP, _STEMMER = _ANALYZER.items  # type: ignore[attr-defined]
_PATTERN = _TOKENIZER.expression
_STOPS: frozenset[str] = _STOP.stops
_MIN, _MAX = _STOP.min, _STOP.max
_STEM: Callable[[str], str] = _STEMMER._stem
_IGNORE: frozenset[str] = _STEMMER.ignore

Pieces = tuple[tuple[str, bool], ...]


#: Porter2 keeps every stem but its last letter at the start of the word (y -> i at the end),
#: except for three irregular forms (checked over a 30k-word news vocabulary).
_IRREGULAR = {"die": "dy", "lie": "ly", "tie": "ty"}
_TOKEN_CHAR = re.compile(r"[\w\*]")


def _stem_of(token: str) -> str | None:
    """The indexed form of one token (None for a stop word or a too short one)."""
    word = token.lower()
    if len(word) < _MIN or (_MAX is not None and len(word) > _MAX) or word in _STOPS:
        return None
    return word if word in _IGNORE else _STEM(word)


def _token_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """Every token of ``text`` whose stem is in ``terms``: the whole text tokenised."""
    out = []
    for m in _PATTERN.finditer(text):
        stem = _stem_of(m.group())
        if stem is not None and stem in terms:
            out.append((m.start(), m.end(), stem))
    return out


@functools.lru_cache(maxsize=1024)
def _prefix_pattern(terms: frozenset[str]) -> re.Pattern[str]:
    prefixes = {t[:-1] or t for t in terms} | {_IRREGULAR[t] for t in terms if t in _IRREGULAR}
    return re.compile("|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True)))


def _matches(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """Tokens of ``text`` whose stem is one of ``terms``, as (start, end, stem).

    Only the places where a term's stem (less its last letter) starts are tokenised, not
    the whole body: a results page tokenised ~1,000 words per hit for a handful of matches.
    Texts whose lower case changes length (a Turkish dotted I) take the whole-text path."""
    if not terms or not text:
        return []
    low = text.lower()
    if len(low) != len(text):
        return _token_spans(text, terms)
    out = []
    last_end = -1
    for hit in _prefix_pattern(terms).finditer(low):
        p = hit.start()
        if p < last_end:
            continue
        # a token starts here unless the text before joins it to a previous token
        if p > 0 and (
            _TOKEN_CHAR.match(text, p - 1)
            or (text[p - 1] == "." and p > 1 and _TOKEN_CHAR.match(text, p - 2))
        ):
            continue
        m = _PATTERN.match(text, p)
        if m is None:
            continue
        last_end = m.end()
        stem = _stem_of(m.group())
        if stem is not None and stem in terms:
            out.append((m.start(), m.end(), stem))
    return out


def analysed_spans(text: str) -> list[tuple[int, int, str]]:
    """Every indexed token of ``text`` as (start, end, stem), through Whoosh's analyzer
    (the reference the fast scan in _matches must agree with)."""
    return [(t.startchar, t.endchar, t.text) for t in _ANALYZER(text, chars=True, removestops=True)]


def _pieces(
    text: str, spans: list[tuple[int, int, str]], start: int, end: int
) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    pos = start
    for s, e, _ in spans:
        if s < start or e > end:
            continue
        if s > pos:
            out.append((text[pos:s], False))
        out.append((text[s:e], True))
        pos = e
    if pos < end:
        out.append((text[pos:end], False))
    return out


def title_parts(title: str, terms: frozenset[str]) -> Pieces:
    """The whole title, matching words marked."""
    spans = _matches(title, terms)
    if not spans:
        return ((title, False),)
    return tuple(p for p in _pieces(title, spans, 0, len(title)) if p[0])


def snippet(body: str, terms: frozenset[str], size: int = SNIPPET_CHARS) -> Pieces:
    """A window of about ``size`` characters around the densest matches; the body's start
    when nothing matches."""
    text = " ".join(body.split())
    spans = _matches(text, terms)
    if not spans:
        return plain(text, size)
    best = (0, 0)
    best_key = (-1, 0)
    j = 0
    for i in range(len(spans)):
        while j < len(spans) and spans[j][1] - spans[i][0] <= size - 40:
            j += 1
        distinct = len({s[2] for s in spans[i:j]})
        key = (distinct, j - i)
        if key > best_key:
            best_key, best = key, (i, j)
    first = spans[best[0]][0]
    start = max(0, first - 60)
    if start > 0:
        sp = text.find(" ", start)
        start = sp + 1 if 0 <= sp < first else start
    end = min(len(text), start + size)
    if end < len(text):
        sp = text.rfind(" ", start, end)
        end = sp if sp > spans[best[1] - 1][1] else end
    pieces = _pieces(text, spans, start, end)
    if start > 0:
        pieces.insert(0, ("… ", False))
    if end < len(text):
        pieces.append((" …", False))
    return tuple(p for p in pieces if p[0])


def plain(text: str, size: int = SNIPPET_CHARS) -> Pieces:
    """The start of the text, cut at a word."""
    text = " ".join(text.split())
    if len(text) > size:
        cut = text.rfind(" ", 0, size)
        text = text[: cut if cut > 0 else size] + " …"
    return ((text, False),) if text else ()
