"""Duplicated headline fragments in a body, and site names around a title.

Scraped bodies often start with the headline again (exactly, upper-cased, with other
punctuation, behind a kicker such as "Exclusive:", or as the lead-in of the first
paragraph), and templates glue the previous or next article's headline to the title.
The rules here share one signature, ``rule(paragraphs, title, context) -> paragraphs``, and
run in the order of :data:`CLEANERS`. A paragraph that merely *mentions* the headline inside
a sentence is kept.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HeadlineContext:
    """What the rules compare against: the title and other headlines linked from the page."""

    title: str
    other_headlines: tuple[str, ...] = ()
    site_names: tuple[str, ...] = field(default_factory=tuple)
    link_labels: tuple[str, ...] = ()  # short link texts: menu sections, tags


Rule = Callable[[list[str], HeadlineContext], list[str]]

_KICKER_MAX = 40
_EDGE = 3  # lines at each end of a body where glued headlines and kickers sit
_SENTENCE_END = re.compile(
    r"[.!?][\"'\u201d\u2019)]?$"
)  # characters of kicker ("Exclusive", "Analysis", "UPDATE 2") before a title


#: Not a letter or digit: ``\\w`` is ``str.isalnum()`` plus the underscore in CPython's re.
_NOT_ALNUM = re.compile(r"[\W_]+")


@lru_cache(maxsize=4096)
def _key_cached(text: str) -> str:
    """The key itself, memoised for short texts (see the public function below)."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).lower())


def key(value: str) -> str:
    """Lower-case letters and digits only: the comparison form of a headline.

    One regex substitution instead of a per-character filter (6x faster), cached because
    the same title, link texts and edge paragraphs are keyed by several rules of a page.
    """
    if len(value) > 400:  # long texts are keyed once; caching them would hold memory
        return _key_cached.__wrapped__(value)
    # str(): a NavigableString is a str that holds its whole tree (.parent); cached as a
    # key it kept up to 4,096 parsed pages alive per worker (800 MB on table layouts)
    return _key_cached(value if type(value) is str else str(value))


def _after_key_prefix(text: str, prefix_key: str) -> int | None:
    """Index in ``text`` just after the letters and digits that spell ``prefix_key``.

    None as soon as a letter or digit of ``text`` differs from the key: most paragraphs do
    not start with the headline, and this answers from their first characters instead of
    keying a whole head of the paragraph first (a fifth of the headline rules' time).
    Letters compare lower-cased, one character at a time, like :func:`key`.
    """
    matched = 0
    for i, ch in enumerate(text):
        low = ch.lower()
        if not low.isalnum():
            continue
        if not prefix_key.startswith(low, matched):
            return None
        matched += len(low)
        if matched == len(prefix_key):
            return i + 1
    return None


def strip_prefix_key(text: str, prefix_key: str) -> str | None:
    """``text`` without a leading run whose key is ``prefix_key`` (None if it does not start so)."""
    if not prefix_key:
        return None
    text_n = unicodedata.normalize("NFKC", text)
    cut = _after_key_prefix(text_n, prefix_key)
    if cut is None:
        return None
    rest = text_n[cut:]
    if not any(ch.lower().isalnum() for ch in rest):
        return ""  # the paragraph is the prefix and nothing else
    return rest.lstrip(" \t:.-\u2013\u2014|,;!?'\"\u201d\u2019)")


def drop_repeated_title(paragraphs: list[str], ctx: HeadlineContext) -> list[str]:
    """A leading paragraph that is the headline (any case or punctuation), maybe after a kicker."""
    tkey = key(ctx.title)
    if len(tkey) < 8:
        return paragraphs
    out = list(paragraphs)
    for _ in range(2):
        if not out:
            break
        pkey = key(out[0])
        if pkey == tkey or (pkey.endswith(tkey) and len(pkey) - len(tkey) <= _KICKER_MAX):
            log.debug("dropped repeated headline %r", out[0][:80])
            out.pop(0)
            continue
        break
    return out


def strip_title_lead_in(paragraphs: list[str], ctx: HeadlineContext) -> list[str]:
    """A first paragraph that opens with the headline as a lead-in ("HEADLINE Text starts...").

    The headline is cut only when what follows starts a new sentence (a capital, a digit, a
    quote or bracket) or is set off by punctuation, so "Title words continue the sentence" stays.
    """
    out = list(paragraphs)
    tkey = key(ctx.title)
    if len(tkey) < 8:
        return out
    for i in range(min(2, len(out))):
        rest = strip_prefix_key(out[i], tkey)
        if not rest:
            continue
        head = out[i][: len(out[i]) - len(rest)]
        separated = (
            bool(re.search(r"[:.!?|\u2013\u2014-]\s*$", head.rstrip())) or head.strip().isupper()
        )
        if separated or re.match(r"[\"'\u201c\u2018(\[A-Z0-9À-Þ]", rest):
            log.debug("cut headline lead-in from %r", out[i][:80])
            out[i] = rest
        break
    return out


def _is_headline_run(rest: str, others: set[str], prefixes: bool) -> bool:
    """Whether a key is one or two other headlines glued together (tight or spaced)."""
    if not rest:
        return True
    if rest in others:
        return True
    for other in others:
        if rest.startswith(other) and rest[len(other) :] in others:
            return True
        if prefixes and len(rest) >= 12 and other.startswith(rest):
            return True
    return False


def drop_glued_headlines(paragraphs: list[str], ctx: HeadlineContext) -> list[str]:
    """Leading or trailing lines made of other articles' headlines, alone or glued to the title.

    Templates put "previous / this / next" headline links above the body; read as text they
    become a line such as "Previous headline Own headline". Only lines consisting entirely of
    headlines linked from the page (and the page's own title) are dropped.
    """
    others = {key(h) for h in ctx.other_headlines if len(key(h)) >= 12}
    tkey = key(ctx.title)
    if not others:
        return paragraphs

    def glued(text: str) -> bool:
        k = key(text)
        if len(k) < 12:
            return False
        if _is_headline_run(k, others, prefixes=False):
            return True
        if tkey and tkey in k:
            head, _, tail = k.partition(tkey)
            return _is_headline_run(head, others, False) and _is_headline_run(tail, others, False)
        return False

    n = len(paragraphs)
    return [p for i, p in enumerate(paragraphs) if not ((i < _EDGE or i >= n - _EDGE) and glued(p))]


def drop_link_labels(paragraphs: list[str], ctx: HeadlineContext) -> list[str]:
    """Kicker lines at the edges of the body that repeat a menu or tag link ("World")."""
    labels = {key(label) for label in ctx.link_labels}
    labels.discard("")
    if not labels:
        return paragraphs
    n = len(paragraphs)
    return [
        p
        for i, p in enumerate(paragraphs)
        if not (
            (i < _EDGE or i >= n - _EDGE)
            and len(p.split()) <= 3
            and key(p) in labels
            and not _SENTENCE_END.search(p)
        )
    ]


#: The headline rules, in the order they run.
CLEANERS: tuple[Rule, ...] = (
    drop_link_labels,
    drop_glued_headlines,
    drop_repeated_title,
    strip_title_lead_in,
)


def clean_headlines(paragraphs: Sequence[str], ctx: HeadlineContext) -> list[str]:
    """Run every rule of :data:`CLEANERS` over the body paragraphs."""
    out = list(paragraphs)
    for _ in range(3):  # a removed line can expose another (title under a glued headline)
        before = len(out), out[:1]
        for rule in CLEANERS:
            out = rule(out, ctx)
        if (len(out), out[:1]) == before:
            break
    return out


def strip_site_name(title: str, site_names: Sequence[str]) -> str:
    """A title without a leading or trailing site name ("Headline | Site", "Site - Headline")."""
    for name in site_names:
        nkey = key(name)
        if not nkey:
            continue
        parts = re.split(r"\s+(?:[|\u2013\u2014:·•»~]|::|-)\s+", title)
        if len(parts) > 1:
            kept = [p for p in parts if key(p) != nkey]
            if kept and len(kept) < len(parts):
                return " - ".join(kept) if len(kept) > 1 else kept[0]
    return title
