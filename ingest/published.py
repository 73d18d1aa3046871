"""The publication date of a parsed page, at the precision the page gives.

A page states its date for machines (JSON-LD, ``article:published_time``, ``<time
datetime>``) and for readers (the byline). The machine value is sometimes the crawl time,
and the page header shows today's date; the visible byline from the headline on is the
reference, and a machine value is used when it names the same day (it is more precise) or
when the page shows no date at all.
"""

from __future__ import annotations

import logging
import re

from bs4 import BeautifulSoup, Tag

from ingest.boilerplate import has_ancestor, iter_tags
from ingest.dates import day_of, find_date, parse_iso, precision
from ingest.metadata import ARTICLE_TYPES, clean_text, headline_element, ld_objects
from ingest.parse import ParsedPage

log = logging.getLogger(__name__)

_TODAY = re.compile(r"^\W*(?:today(?:'s date)?|it is now|current date|now)\b", re.IGNORECASE)
_UPDATED = re.compile(r"\b(?:updated?|modified|edited|last\s+changed|revised)\b", re.IGNORECASE)
_CHROME_DATE = re.compile(
    r"(?:^|[\s_-])(?:today|todays|date-?bar|edition|current-date|top-?bar|weather|clock|"
    r"comment|reply|copyright|footer)",
    re.IGNORECASE,
)
_DATE_HINT = re.compile(
    r"date|time|posted|published|byline|meta|dateline|stamp|when|"
    r"(?:^|[\s_-])(?:by|on|info)(?:$|[\s_-])",
    re.IGNORECASE,
)
PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "cxenseparse:recs:publishtime",
    "og:published_time",
    "published_time",
)


def structured_dates(page: ParsedPage) -> list[str]:
    """Publication dates stated for machines: JSON-LD, meta, microdata, ``<time>``."""
    out: list[str] = []
    for obj in ld_objects(page, ARTICLE_TYPES):
        value = obj.get("datePublished") or obj.get("dateCreated")
        if isinstance(value, str | int) and (parsed := parse_iso(str(value))):
            out.append(parsed)
    for key in PUBLISHED_META:
        for value in page.meta.get(key, ()):
            if parsed := parse_iso(value):
                out.append(parsed)
    marked = [t for t in iter_tags(page.soup) if t.get("itemprop") == "datePublished"]
    for el in marked[:3]:
        value = el.get("datetime") or el.get("content") or el.get_text(" ")
        if isinstance(value, str) and (parsed := parse_iso(value)):
            out.append(parsed)
    return out


_A = frozenset(("a",))
_MACHINE_ATTRS = (
    "datetime",
    "content",
    "title",
    "data-timestamp",
    "data-time",
    "data-date",
    "data-published",
    "data-datetime",
)
_MACHINE_ATTR_NAMES = frozenset(_MACHINE_ATTRS)
_ISO_LIKE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}|^\s*\d{10,13}\s*$")
_TEXT_SCAN = 80  # text nodes after the headline searched for a shown date
_LONG_TEXT = 200  # a text node this long is body text: the header block is over


def _machine_date(el: Tag) -> str | None:
    if el.attrs.keys().isdisjoint(_MACHINE_ATTR_NAMES):
        return None  # the usual case, decided without eight lookups
    for attr in _MACHINE_ATTRS:
        value = el.get(attr)
        if isinstance(value, str) and _ISO_LIKE.match(value):
            parsed = parse_iso(value)
            if parsed:
                return parsed
    return None


def visible_dates(soup: BeautifulSoup, title: str | None = None) -> list[str]:
    """Dates shown from the headline on (bylines, ``<time>``, "Posted on" lines).

    Skips the page header above the headline (today's date), comments, footers and
    anything saying "Updated". A machine value (``datetime=``, ``title=``) is preferred to the
    shown text when both name the same day, as it is more precise.
    """
    out: list[str] = []
    start = headline_element(soup, title)
    nodes = start.next_elements if start is not None else soup.descendants
    texts = 0
    in_header = True
    for node in nodes:
        if isinstance(node, Tag):
            value = _date_of_element(node, in_header)
        elif isinstance(node, str) and in_header and type(node).__name__ == "NavigableString":
            text = clean_text(node)
            if not text:
                continue
            texts += 1
            if texts > _TEXT_SCAN or len(text) > _LONG_TEXT:
                in_header = False
                continue
            parent = node.parent
            text = before_update(text)
            if parent is None or not text or _chrome_date(parent):
                continue
            if (start is not None and parent is start) or has_ancestor(parent, _A):
                continue
            value = find_date(text)
        else:
            continue
        if value and value not in out:
            out.append(value)
        if len(out) >= 3:
            break
    return out


def before_update(text: str) -> str:
    """The part of a dateline before an "Updated ..." note ("" when it starts with one).

    A "Today is ..." header states the crawl day, not the article's: it gives "" too.
    """
    if _TODAY.match(text):
        return ""
    match = _UPDATED.search(text)
    return text[: match.start()] if match else text


def _date_of_element(el: Tag, in_header: bool) -> str | None:
    """A date an element states for machines or, in the header block, by its date-like class."""
    if el.name in ("html", "body", "main", "article"):
        return None
    if not el.attrs and el.name != "time":
        return None  # no machine value, no date-like class: most elements, decided cheaply
    attrs = " ".join(el.get("class") or []) + " " + str(el.get("id") or "")
    is_time = el.name == "time" or el.get("itemprop") in ("datePublished", "dateCreated")
    machine = _machine_date(el)
    if not is_time and machine is None and not (in_header and _DATE_HINT.search(attrs)):
        return None
    if _chrome_date(el) or _UPDATED.search(attrs) or el.get("itemprop") == "dateModified":
        return None
    full = clean_text(el.get_text(" "))
    text = before_update(full)
    if full and not text.strip(" |\u00b7-"):
        return None  # an "Updated ..." line
    shown = find_date(text) if text and len(text) < _LONG_TEXT else None
    if machine:
        if shown and day_of(shown) == day_of(machine) and precision(shown) > precision(machine):
            return shown
        return machine
    return shown


def _chrome_date(el: Tag) -> bool:
    for parent in [el, *el.parents]:
        if parent.name in ("body", "html", None):
            return False
        if parent.name in ("footer", "aside", "nav"):
            return True
        attrs = " ".join(parent.get("class") or []) + " " + str(parent.get("id") or "")
        if _CHROME_DATE.search(attrs):
            return True
    return False


def choose_published(page: ParsedPage, title: str | None = None) -> str | None:
    """The publication date at the page's precision; the visible byline beats a contrary meta."""
    structured = structured_dates(page)
    shown = visible_dates(page.soup, title)
    if not shown:
        return structured[0] if structured else None
    first = shown[0]
    # a machine value adds precision only when it agrees with what the page shows: the same
    # day, and the same clock time when the page shows one
    agreeing = [v for v in shown + structured if _agrees(v, first)]
    return max(agreeing, key=precision)  # the first of equals: the shown one


def _agrees(value: str, shown: str) -> bool:
    if day_of(value) != day_of(shown):
        return False
    shown_time = _clock(shown)
    return shown_time is None or _clock(value) in (None, shown_time)


def _clock(value: str) -> str | None:
    """The local hh:mm an ISO value states, or None for a date only."""
    return value[11:16] if len(value) >= 16 and value[10] == "T" else None
