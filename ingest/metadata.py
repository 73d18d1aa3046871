"""Title, author, publication date, URL and site of a parsed page.

Each field has several witnesses (``<title>``, Open Graph, JSON-LD, the visible ``<h1>``
and byline) that disagree on real scrapes: a ``<title>`` carries the site name, a meta
author names the site, a meta date is the crawl time. The functions here gather the
witnesses and let them vote, preferring what the reader sees on the page.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from ingest.dates import day_of, find_date, parse_iso, precision
from ingest.parse import ParsedPage

log = logging.getLogger(__name__)

_TITLE_SEPARATORS = re.compile(r"\s+(?:[|–—:·•»«~/]|::|-|\\)\s+")
_SPACE = re.compile(r"\s+")
_BY_PREFIX = re.compile(r"^\s*(?:(?:posted|written|published|words|text|story|reporting)\s+)?by[:\s]+",
                        re.IGNORECASE)
_NAME_CUT = re.compile(
    r"\s*(?:[,|·•–—-]\s+|\s+(?:and\s+)?(?:on|at|in|for|updated|published|posted)\s+|\(|\bhttps?:)",
    re.IGNORECASE,
)
_NAME_OK = re.compile(r"^[^\W\d_][\w.'’ -]*[\w.]$", re.UNICODE)
_UPDATED = re.compile(r"\b(?:updated?|modified|edited|last\s+changed|revised)\b", re.IGNORECASE)
_CHROME_DATE = re.compile(
    r"(?:^|[\s_-])(?:today|todays|date-?bar|edition|current-date|top-?bar|weather|clock|"
    r"comment|reply|copyright|footer)", re.IGNORECASE,
)
_AUTHOR_HINT = re.compile(r"(?:^|[\s_-])(?:by|byline|author|writer|posted|credit|reporter|"
                          r"contributor|auth)(?:$|[\s_-])|author|byline", re.IGNORECASE)
_DATE_HINT = re.compile(r"date|time|posted|published|byline|meta|dateline|stamp|when|"
                        r"(?:^|[\s_-])(?:by|on|info)(?:$|[\s_-])", re.IGNORECASE)
_NOT_AUTHOR_CONTEXT = re.compile(r"comment|reply|respon|author-?(?:card|box|bio)|about|bio|"
                                 r"related|footer|credit", re.IGNORECASE)
PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "datepublished", "pubdate",
    "publishdate", "publish-date", "publish_date", "date", "dc.date", "dc.date.issued",
    "dcterms.created", "sailthru.date", "parsely-pub-date", "article.published",
    "cxenseparse:recs:publishtime", "og:published_time", "published_time",
)


@dataclass(frozen=True, slots=True)
class PageMeta:
    """The metadata fields of one page."""

    title: str
    author: str | None
    published: str | None
    url: str | None
    canonical_url: str | None
    site: str
    site_name: str | None


def clean_text(value: str | None) -> str:
    """Whitespace-collapsed, NFC-normalised text ("" for None)."""
    if not value:
        return ""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", value)).strip()


def title_key(value: str) -> str:
    """A comparison key: lower case, letters and digits only."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", value).lower() if ch.isalnum())


def _ld_objects(page: ParsedPage, types: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    for obj in page.json_ld:
        kind = obj.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and k.lower() in types for k in kinds):
            yield obj


_ARTICLE_TYPES = ("newsarticle", "article", "reportagenewsarticle", "blogposting",
                  "analysisnewsarticle", "opinionnewsarticle", "webpage", "liveblogposting",
                  "backgroundnewsarticle", "socialmediaposting", "report", "scholarlyarticle")


def _meta(page: ParsedPage, *keys: str) -> str | None:
    for key in keys:
        values = page.meta.get(key)
        if values:
            value = clean_text(values[0])
            if value:
                return value
    return None


# ---------------------------------------------------------------------------------- site


def site_name(page: ParsedPage) -> str | None:
    """The publisher's name (og:site_name, JSON-LD publisher), used to reject it as author."""
    name = _meta(page, "og:site_name", "application-name", "twitter:site")
    if name:
        return name.lstrip("@")
    for obj in _ld_objects(page, _ARTICLE_TYPES):
        publisher = obj.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            return clean_text(publisher["name"])
    return None


def resolve_urls(page: ParsedPage, derived_url: str | None, site: str | None
                 ) -> tuple[str | None, str | None, str]:
    """``(url, canonical_url, site)``: the copy's own URL, and canonical when it points elsewhere.

    og:url or rel=canonical count as the page's URL only on the page's own site: a republished
    copy names its original there.
    """
    own_host = urlsplit(derived_url).hostname if derived_url else site
    candidates = [u for u in (_meta(page, "og:url"), *(page.links.get("canonical") or [])[:1]) if u]
    url = None
    for candidate in candidates:
        host = urlsplit(candidate).hostname
        if host and (own_host is None or _same_site(host, own_host)):
            url = candidate
            break
    if url is None:
        url = derived_url or (candidates[0] if candidates and own_host is None else None)
    canonical = (page.links.get("canonical") or [None])[0]
    if canonical and url and canonical.rstrip("/") == url.rstrip("/"):
        canonical = None
    if canonical and not canonical.startswith(("http://", "https://")):
        canonical = None
    host = site or (urlsplit(url).hostname if url else None) or ""
    return url, canonical, host.lower()


def _same_site(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a == b or a.removeprefix("www.") == b.removeprefix("www.")


# ---------------------------------------------------------------------------------- title


def _split_title_tag(value: str, name: str | None) -> list[str]:
    """The ``<title>`` text and its pieces without a site name."""
    pieces = [p.strip() for p in _TITLE_SEPARATORS.split(value) if p.strip()]
    out = [value]
    if len(pieces) > 1:
        name_key = title_key(name) if name else ""
        kept = [p for p in pieces if not name_key or title_key(p) not in (name_key, "")
                and not name_key.startswith(title_key(p))]
        out.extend(kept)
        out.append(max(pieces, key=len))
    return out


def title_candidates(page: ParsedPage) -> list[tuple[str, str, float]]:
    """``(source, text, weight)`` for each witness of the headline."""
    out: list[tuple[str, str, float]] = []
    for obj in _ld_objects(page, _ARTICLE_TYPES):
        for key in ("headline", "name"):
            value = obj.get(key)
            if isinstance(value, str) and clean_text(value):
                out.append(("jsonld", clean_text(value), 2.0))
                break
    for key, weight in (("og:title", 2.0), ("twitter:title", 1.0), ("headline", 1.0),
                        ("dc.title", 1.0), ("sailthru.title", 1.0)):
        value = _meta(page, key)
        if value:
            out.append((key, value, weight))
    soup = page.soup
    for h1 in soup.find_all("h1", limit=3):
        text = clean_text(h1.get_text(" "))
        if text and len(text) < 400:
            out.append(("h1", text, 2.5))
            break
    if page.head_title:
        for piece in _split_title_tag(clean_text(page.head_title), site_name(page)):
            out.append(("title", piece, 1.0))
    return out


def choose_title(page: ParsedPage) -> str:
    """The headline as the page shows it: the most-witnessed text, in its visible form."""
    candidates = title_candidates(page)
    if not candidates:
        return ""
    votes: dict[str, float] = {}
    for _, text, weight in candidates:
        key = title_key(text)
        if key:
            votes[key] = votes.get(key, 0.0) + weight
    if not votes:
        return candidates[0][1]
    best_key = max(votes, key=lambda k: (votes[k], len(k)))
    order = {"h1": 0, "og:title": 1, "jsonld": 2, "twitter:title": 3}
    forms = [(order.get(src, 9), text) for src, text, _ in candidates if title_key(text) == best_key]
    forms.sort(key=lambda f: f[0])
    return forms[0][1]


# ---------------------------------------------------------------------------------- author


def _clean_name(value: str) -> str | None:
    text = clean_text(value)
    text = _BY_PREFIX.sub("", text)
    text = _NAME_CUT.split(text, maxsplit=1)[0].strip(" .,;:|")
    if not text or len(text) > 60 or len(text.split()) > 5:
        return None
    if not _NAME_OK.match(text) or any(ch.isdigit() for ch in text):
        return None
    if text.lower() in ("staff", "admin", "editor", "reporter", "guest", "anonymous", "unknown"):
        return None
    return text


def _ld_author(page: ParsedPage) -> list[str]:
    names = []
    for obj in _ld_objects(page, _ARTICLE_TYPES):
        author = obj.get("author") or obj.get("creator")
        items = author if isinstance(author, list) else [author]
        for item in items:
            if isinstance(item, dict) and str(item.get("@type", "Person")).lower() != "organization":
                name = item.get("name")
                if isinstance(name, str):
                    names.append(name)
            elif isinstance(item, str):
                names.append(item)
    return names


def _visible_bylines(soup: BeautifulSoup) -> Iterator[str]:
    for el in soup.find_all(_is_byline, limit=12):
        if _in_chrome_context(el):
            continue
        named = el.find(attrs={"rel": "author"}) or el.find(class_=re.compile("name|author"))
        yield (named if isinstance(named, Tag) else el).get_text(" ")


def _is_byline(tag: Tag) -> bool:
    if tag.name in ("html", "body", "main", "article", "section"):
        return False
    if tag.get("rel") == ["author"] or tag.get("itemprop") == "author":
        return True
    attrs = " ".join(tag.get("class") or []) + " " + str(tag.get("id") or "")
    return bool(_AUTHOR_HINT.search(attrs)) and len(tag.get_text()) < 200


def _in_chrome_context(el: Tag) -> bool:
    for parent in [el, *el.parents]:
        if parent.name in ("body", "html", None):
            break
        if parent.name in ("footer", "aside"):
            return True
        attrs = " ".join(parent.get("class") or []) + " " + str(parent.get("id") or "")
        if _NOT_AUTHOR_CONTEXT.search(attrs) and not _AUTHOR_HINT.fullmatch(attrs.strip()):
            return True
    return False


def choose_author(page: ParsedPage, sitename: str | None, site: str) -> str | None:
    """The byline's person, without "By" or job title; never the site's own name."""
    rejects = {title_key(x) for x in (sitename, site, site.split(".")[-2] if "." in site else "")
               if x}
    rejects.discard("")

    def ok(name: str | None) -> str | None:
        if not name:
            return None
        key = title_key(name)
        if key in rejects or any(key and (key in r or r in key) for r in rejects):
            return None
        return name

    for raw in _visible_bylines(page.soup):
        name = ok(_clean_name(raw))
        if name:
            return name
    for raw in _ld_author(page):
        name = ok(_clean_name(raw))
        if name:
            return name
    for key in ("author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author"):
        value = _meta(page, key)
        if value and not value.startswith("http"):
            name = ok(_clean_name(value))
            if name:
                return name
    return None


# ---------------------------------------------------------------------------------- date


def structured_dates(page: ParsedPage) -> list[str]:
    """Publication dates stated for machines: JSON-LD, meta, microdata, ``<time>``."""
    out: list[str] = []
    for obj in _ld_objects(page, _ARTICLE_TYPES):
        value = obj.get("datePublished") or obj.get("dateCreated")
        if isinstance(value, str | int) and (parsed := parse_iso(str(value))):
            out.append(parsed)
    for key in PUBLISHED_META:
        for value in page.meta.get(key, ()):
            if parsed := parse_iso(value):
                out.append(parsed)
    for el in page.soup.find_all(attrs={"itemprop": "datePublished"}, limit=3):
        value = el.get("datetime") or el.get("content") or el.get_text(" ")
        if isinstance(value, str) and (parsed := parse_iso(value)):
            out.append(parsed)
    return out


def visible_dates(soup: BeautifulSoup) -> list[str]:
    """Dates shown near the headline (bylines, ``<time>``), skipping headers, comments, updates."""
    out: list[str] = []
    h1 = soup.find("h1")
    start = h1 if isinstance(h1, Tag) else soup
    for el in _walk_after(start):
        if not isinstance(el, Tag):
            continue
        is_time = el.name == "time"
        attrs = " ".join(el.get("class") or []) + " " + str(el.get("id") or "")
        if not is_time and not _DATE_HINT.search(attrs):
            continue
        if _chrome_date(el):
            continue
        text = clean_text(el.get_text(" "))
        if _UPDATED.search(text) or _UPDATED.search(attrs):
            continue
        value = None
        machine = el.get("datetime")
        if isinstance(machine, str):
            value = parse_iso(machine)
            shown = find_date(text) if text else None
            if shown and value and day_of(shown) == day_of(value) and precision(shown) > precision(value):
                value = shown
        elif len(text) < 200:
            value = find_date(text)
        if value:
            out.append(value)
        if len(out) >= 3:
            break
    return out


def _walk_after(start: Tag | BeautifulSoup) -> Iterator[Any]:
    if isinstance(start, BeautifulSoup):
        yield from start.descendants
        return
    yield from start.descendants
    yield from start.next_elements


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


def choose_published(page: ParsedPage) -> str | None:
    """The publication date at the page's precision; the visible byline beats a contradicting meta."""
    structured = structured_dates(page)
    shown = visible_dates(page.soup)
    if shown:
        reference = day_of(shown[0])
        agreeing = [v for v in structured + shown if _same_day(v, shown[0])]
        if agreeing:
            return max(agreeing, key=precision)
        return shown[0] if reference else None
    return structured[0] if structured else None


def _same_day(a: str, b: str) -> bool:
    return day_of(a) == day_of(b)


def first_of(values: Iterable[str | None]) -> str | None:
    """The first non-empty value."""
    return next((v for v in values if v), None)
