"""Title, author, URL and site of a parsed page (the date is in ``ingest.published``).

Each field has several witnesses (``<title>``, Open Graph, JSON-LD, the visible ``<h1>``
and byline) that disagree on real scrapes: a ``<title>`` carries the site name, a meta
author names the site, og:url names the original of a republished copy. The functions here
gather the witnesses and let them vote, preferring what the reader sees on the page.
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString

from ingest.boilerplate import first_tag, has_ancestor, iter_tags
from ingest.dates import find_date
from ingest.headlines import key as title_key  # one comparison key for titles and headings
from ingest.parse import ParsedPage

log = logging.getLogger(__name__)

_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\u2013\u2014:·•»«~/]|::|-|\\)\s+")
_SPACE = re.compile(r"\s+")
_BY_PREFIX = re.compile(
    r"^\s*(?:(?:posted|written|published|words|text|story|reporting)\s+)?by[:\s]+", re.IGNORECASE
)
_NAME_CUT = re.compile(
    r"\s*(?:[,|·•\u2013\u2014-]\s+|\s+(?:and\s+)?(?:on|at|in|for|updated|published|posted)\s+|\(|\bhttps?:)",
    re.IGNORECASE,
)
_NAME_OK = re.compile(r"^[^\W\d_][\w.'\u2019 -]*[\w.]$", re.UNICODE)
_AUTHOR_HINT = re.compile(
    r"(?:^|[\s_-])(?:by|byline|author|writer|posted|credit|reporter|"
    r"contributor)(?:$|[\s_-])|author|byline",
    re.IGNORECASE,
)
_NOT_AUTHOR_CONTEXT = re.compile(
    r"comment|reply|respon|author-?(?:card|box|bio)|about|bio|"
    r"related|footer|photo|image|caption|form|sort|filter|search|login|auth(?!or)|user",
    re.IGNORECASE,
)
_TEXT_BYLINE = re.compile(
    r"(?:^|[(|·•,;]\s*|(?:\d|(?i:[ap]\.?m\.?))\s+)"
    r"(?i:(?:(?:words|written|posted|reported|reporting|story|text|published)\s+)?"
    r"by:?)\s+(?P<name>[A-ZÀ-Þ][\w'\u2019.-]+(?:\s+(?:(?:van|von|de|der|den|da|di|del|la|le|bin|al)\s+)*"
    r"[A-ZÀ-Þ][\w'\u2019.-]+){1,3})"
)
_NAME_THEN_DATE = re.compile(
    r"^(?P<name>[A-Z\u00c0-\u00de][\w'\u2019.-]+(?:\s+[A-Z\u00c0-\u00de][\w'\u2019.-]+){1,3})"
    r"\s*(?:,|\u2014|\u2013|\||\u00b7|-\s)"
)
_NOT_PERSON_BY = re.compile(
    r"(?:photo(?:graph(?:y|s)?)?|pictures?|images?|illustrations?|video|"
    r"graphics?|edited|translated|additional reporting)\s+by\s*:?\s*$",
    re.IGNORECASE,
)
_ROLE_WORDS = frozenset(
    """columnist correspondent editor reporter writer contributor producer analyst critic
    commentator journalist photographer business political politics sports sport technology
    tech science health economics economy foreign national international senior chief deputy
    associate contributing managing special staff digital news investigative""".split()
)
#: Words that mark a byline as an organisation's or a desk's, not a person's.
_NOT_A_PERSON = frozenset(
    "staff editorial desk newsroom team reports report admin administrator guest anonymous "
    "unknown webmaster".split()
)
_BYLINE_SCAN = 60  # elements after the headline searched for a "By Name" text


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


def ld_objects(page: ParsedPage, types: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    for obj in page.json_ld:
        kind = obj.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and k.lower() in types for k in kinds):
            yield obj


ARTICLE_TYPES = (
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "blogposting",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "webpage",
    "liveblogposting",
    "backgroundnewsarticle",
    "socialmediaposting",
    "report",
    "scholarlyarticle",
)


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
    for obj in ld_objects(page, ARTICLE_TYPES):
        publisher = obj.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            return clean_text(publisher["name"])
    return None


def resolve_urls(
    page: ParsedPage, derived_url: str | None, site: str | None
) -> tuple[str | None, str | None, str]:
    """``(url, canonical_url, site)``: the copy's own URL, and canonical when it points elsewhere.

    og:url or rel=canonical count as the page's URL only on the page's own site: a republished
    copy names its original there.
    """
    own_host = _host(derived_url) if derived_url else site
    candidates = [u for u in (_meta(page, "og:url"), *(page.links.get("canonical") or [])[:1]) if u]
    url = None
    for candidate in candidates:
        host = _host(candidate)
        if host and (own_host is None or _same_site(host, own_host)):
            url = candidate
            break
    if url is None:
        url = derived_url or (candidates[0] if candidates and own_host is None else None)
    canonicals = page.links.get("canonical") or []
    canonical: str | None = canonicals[0] if canonicals else None
    if canonical and url and canonical.rstrip("/") == url.rstrip("/"):
        canonical = None
    if canonical and not canonical.startswith(("http://", "https://")):
        canonical = None
    host = site or (_host(url) if url else None) or ""
    return url, canonical, host.lower()


def _host(url: str) -> str | None:
    """The host of a URL, or None when the URL is malformed ("http://[broken")."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _same_site(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a == b or a.removeprefix("www.") == b.removeprefix("www.")


# ---------------------------------------------------------------------------------- title

_HEADLINE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:headline|hdl|title|heading|entry-title|post-title)"
    r"(?:$|[\s_-])|headline|title",
    re.IGNORECASE,
)
_NOT_HEADLINE_CLASS = re.compile(
    r"site|logo|brand|section|widget|sidebar|related|sub|kicker|"
    r"rubric|label|tag|card|teaser|item",
    re.IGNORECASE,
)
_TRUNCATED = re.compile(r"(?:…|\.\.\.)\s*$")
_TRAILING_NOTE = re.compile(r"\s*[(\[][^()\[\]]{2,30}[)\]]\s*$")


def name_keys(page: ParsedPage, site: str | None) -> set[str]:
    """Comparison keys of the site's own names (og:site_name, publisher, host labels)."""
    keys = {title_key(site_name(page) or "")}
    for obj in ld_objects(page, ARTICLE_TYPES):
        publisher = obj.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            keys.add(title_key(publisher["name"]))
    if site:
        labels = [x for x in site.lower().split(".") if x not in ("www", "m", "amp", "mobile")]
        if labels:
            keys.add(title_key(labels[0]))
    keys.discard("")
    return keys


def _is_site_piece(piece: str, names: set[str]) -> bool:
    key = title_key(piece)
    return bool(key) and (key in names or key.removeprefix("the") in names)


def title_alternatives(text: str, names: set[str]) -> list[str]:
    """Readings of a title-like string: as is, without site-name pieces, without a trailing note."""
    for sep in (": ", " - ", " | "):
        head, _, tail = text.partition(sep)
        if tail and _is_site_piece(head, names):
            text = tail
            break
    out = [text]
    pieces = [p.strip() for p in _TITLE_SEPARATORS.split(text) if p.strip()]
    if len(pieces) > 1:
        kept = [p for p in pieces if not _is_site_piece(p, names)]
        if len(kept) < len(pieces):
            out = [" - ".join(kept)] if kept else []
    for value in list(out):
        note = _TRAILING_NOTE.search(value)
        if note and note.start() > 0:
            out.append(value[: note.start()])
    return [o for o in out if title_key(o)]


def _visible_headline(soup: BeautifulSoup) -> list[tuple[str, str, float]]:
    out: list[tuple[str, str, float]] = []
    h1 = first_tag(soup, _H1)
    if isinstance(h1, Tag):
        text = _own_text(h1)
        if text and len(text) < 400:
            out.append(("h1", text, 2.5))
    tag = _first_headline_element(soup)
    if tag is not None:
        text = clean_text(tag.get_text(" "))
        if 3 < len(text) < 400:
            out.append(("headline", text, 1.5))
    return out


_A = frozenset(("a",))
_H1 = frozenset(("h1",))
_H1_H2 = frozenset(("h1", "h2"))
_LINK_OR_HEADING = frozenset(("a", "h1", "h2", "h3"))


def _own_text(heading: Tag) -> str:
    """A heading's text without links glued into it ("Own headline <a>Next story</a>").

    A heading that is one link (to the article itself) keeps that link's text.
    """
    full = clean_text(heading.get_text(" "))
    links = iter_tags(heading, _A)
    if not links:
        return full
    bare = clean_text(
        " ".join(s for s in heading.find_all(string=True) if not has_ancestor(s, _A))
    )
    return bare if len(title_key(bare)) >= 8 else full


def _first_headline_element(soup: BeautifulSoup) -> Tag | None:
    for node in iter_tags(soup):
        if _is_headline_element(node):
            return node
    return None


def _is_headline_element(tag: Tag) -> bool:
    if not tag.attrs:
        return False  # no itemprop, class or id: nothing names it a headline
    if tag.name in ("html", "body", "main", "article", "section", "a", "ul", "ol", "li", "h1"):
        return False
    attrs = " ".join(tag.get("class") or []) + " " + str(tag.get("id") or "")
    if tag.get("itemprop") == "headline":
        return True
    return bool(_HEADLINE_CLASS.search(attrs)) and not _NOT_HEADLINE_CLASS.search(attrs)


def title_candidates(page: ParsedPage, site: str | None = None) -> list[tuple[str, str, float]]:
    """``(source, text, weight)`` for each witness of the headline."""
    out: list[tuple[str, str, float]] = []
    for obj in ld_objects(page, ARTICLE_TYPES):
        for key in ("headline", "name"):
            value = obj.get(key)
            if isinstance(value, str) and clean_text(value):
                out.append(("jsonld", clean_text(value), 2.0))
                break
    for key, weight in (
        ("og:title", 2.0),
        ("twitter:title", 1.0),
        ("headline", 1.0),
        ("dc.title", 1.0),
        ("sailthru.title", 1.0),
    ):
        value = _meta(page, key)
        if value:
            out.append((key, value, weight))
    out.extend(_visible_headline(page.soup))
    if page.head_title and clean_text(page.head_title):
        out.append(("title", clean_text(page.head_title), 1.0))
    return out


_FORM_ORDER = {"h1": 0, "headline": 1, "og:title": 2, "jsonld": 3, "twitter:title": 4}


def choose_title(page: ParsedPage, site: str | None = None) -> str:
    """The headline as the page shows it: the most-witnessed text, in its visible form."""
    names = name_keys(page, site)
    votes: dict[str, float] = {}
    forms: dict[str, list[tuple[int, int, str]]] = {}
    truncated: list[tuple[str, float]] = []
    for n, (source, text, weight) in enumerate(title_candidates(page, site)):
        alternatives = title_alternatives(text, names)
        if source == "title" and len(alternatives) == 1:
            # An unknown suffix ("Headline | Section"): the longest piece may be the headline.
            pieces = [p.strip() for p in _TITLE_SEPARATORS.split(text) if p.strip()]
            if len(pieces) > 1:
                alternatives.append(max(pieces, key=len))
        seen: set[str] = set()
        for alt in alternatives:
            key = title_key(alt)
            if key in seen or key in names:
                continue
            seen.add(key)
            if _TRUNCATED.search(alt):
                truncated.append((key, weight))
            votes[key] = votes.get(key, 0.0) + weight
            forms.setdefault(key, []).append((_FORM_ORDER.get(source, 9), n, alt))
    for prefix, weight in truncated:
        for key in votes:
            if key.startswith(prefix) and key != prefix:
                votes[key] += weight
    if not votes:
        return clean_text(page.head_title) if page.head_title else ""
    best = max(votes, key=lambda k: (votes[k], min(f[0] for f in forms[k]) == 0, len(k)))
    return min(forms[best])[2]


# ---------------------------------------------------------------------------------- author


def _clean_name(value: str) -> str | None:
    text = clean_text(value)
    text = _BY_PREFIX.sub("", text)
    text = _NAME_CUT.split(text, maxsplit=1)[0].strip(" .,;:|")
    if not text or len(text) > 60 or len(text.split()) > 5:
        return None
    if not _NAME_OK.match(text) or any(ch.isdigit() for ch in text):
        return None
    words = text.split()
    while len(words) > 2 and words[-1].lower().strip(".,") in _ROLE_WORDS:
        words.pop()  # "Jane Doe Business Columnist": the job title is not the name
    if not words or any(w.lower().strip(".,") in _NOT_A_PERSON for w in words):
        return None
    if len(words) == 1 and (
        words[0].lower() in _ROLE_WORDS | {"by", "from", "and", "log", "admin"}
        or words[0].islower()  # a user name ("jdadmin"), not a byline
    ):
        return None
    return " ".join(words)


def _ld_author(page: ParsedPage) -> list[str]:
    names = []
    for obj in ld_objects(page, ARTICLE_TYPES):
        author = obj.get("author") or obj.get("creator")
        items = author if isinstance(author, list) else [author]
        for item in items:
            if (
                isinstance(item, dict)
                and str(item.get("@type", "Person")).lower() != "organization"
            ):
                name = item.get("name")
                if isinstance(name, str):
                    names.append(name)
            elif isinstance(item, str):
                names.append(item)
    return names


def _visible_bylines(soup: BeautifulSoup) -> Iterator[str]:
    # links and elements marked up as the author first, then class-named bylines
    tags = iter_tags(soup)
    for el in tags:
        if el.attrs and (el.get("rel") == ["author"] or el.get("itemprop") == "author"):
            if not _in_chrome_context(el):
                named = el.find(itemprop="name")
                yield (named if isinstance(named, Tag) else el).get_text(" ")
    found = 0
    for el in tags:
        if not _is_byline(el):
            continue
        found += 1
        if found > 12:
            return
        if _in_chrome_context(el):
            continue
        named = el.find(rel="author") or el.find(class_=re.compile("name|author"))
        yield (named if isinstance(named, Tag) else el).get_text(" ")


def _text_bylines(soup: BeautifulSoup, title: str | None = None) -> Iterator[str]:
    """Names in "By Name" texts just after the headline (bylines without a telling class)."""
    start = headline_element(soup, title)
    seen = 0
    for node in start.next_elements if start is not None else soup.descendants:
        if type(node) is not NavigableString:
            continue  # text only: not tags, comments or CDATA
        text = clean_text(node)
        if not text:
            continue
        seen += 1
        if seen > _BYLINE_SCAN or len(text) > 150:
            return  # past the header block: body text starts here
        if has_ancestor(node, _LINK_OR_HEADING):
            continue
        for match in _TEXT_BYLINE.finditer(text):
            if _NOT_PERSON_BY.search(text[: match.end() - len(match.group("name"))]):
                continue
            if node.parent is not None and _in_chrome_context(node.parent):
                continue
            yield match.group("name")
        # "Rafael Santos, Staff Writer — 17 November 2004": a name beside a date
        named = _NAME_THEN_DATE.match(text)
        parent = node.parent
        if named and find_date(text) and parent is not None and not _in_chrome_context(parent):
            yield named.group("name")
        # a byline split over elements: "By <span>Name</span>"
        if re.search(r"(?:^|\s)by:?$", text, re.IGNORECASE) and not _NOT_PERSON_BY.search(text):
            following = node.find_next(string=True)
            while following is not None and not clean_text(following):
                following = following.find_next(string=True)
            if following is not None:
                yield clean_text(following)


def _is_byline(tag: Tag) -> bool:
    if not tag.attrs or tag.name in ("html", "body", "main", "article", "section"):
        return False  # no rel, itemprop, class or id: nothing marks it a byline
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


def choose_author(
    page: ParsedPage, sitename: str | None, site: str, title: str | None = None
) -> str | None:
    """The byline's person, without "By" or job title; never the site's own name."""
    rejects = {
        title_key(x) for x in (sitename, site, site.split(".")[-2] if "." in site else "") if x
    }
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
    for raw in _text_bylines(page.soup, title):
        name = ok(_clean_name(raw))
        if name:
            return name
    for raw in _ld_author(page):
        name = ok(_clean_name(raw))
        if name:
            return name
    for key in (
        "author",
        "article:author",
        "dc.creator",
        "byl",
        "sailthru.author",
        "parsely-author",
    ):
        value = _meta(page, key)
        if value and not value.startswith("http"):
            name = ok(_clean_name(value))
            if name:
                return name
    return None


def _iter_named(root: Tag, names: frozenset[str]) -> Iterator[Tag]:
    """Descendant elements named ``names``, lazily: ``find_all(names, limit=n)`` without filters."""
    yield from iter_tags(root, names)


def headline_element(soup: BeautifulSoup, title: str | None = None) -> Tag | None:
    """The element showing the headline, where bylines and dates start.

    The first element whose text is the chosen title (old layouts set it in ``<font><b>``),
    else the first ``<h1>``, else one named like a headline.
    """
    tkey = title_key(title) if title else ""
    for heading in itertools.islice(_iter_named(soup, _H1_H2), 6):
        if len(tkey) >= 8 and tkey in title_key(heading.get_text(" ")):
            return heading  # the headline, maybe glued to a neighbour's link
    if len(tkey) >= 8:
        found = _element_with_key(soup, tkey)
        if found is not None:
            return _outermost_same_text(found)
    h1 = first_tag(soup, _H1)
    if isinstance(h1, Tag):
        return h1
    return _first_headline_element(soup)


def _element_with_key(soup: BeautifulSoup, tkey: str) -> Tag | None:
    """The first element whose text starts with the key ``tkey``, found from its first string.

    One pass over the text nodes (not over every element's whole text, which is quadratic on
    deep pages): a string that starts the key is climbed a few levels to the element holding
    the whole key.
    """
    for string in soup.find_all(string=True):
        if type(string) is not NavigableString:
            continue
        skey = title_key(string)
        if len(skey) < 4 or not tkey.startswith(skey[: len(tkey)]):
            continue
        node = string.parent
        for _ in range(4):
            if node is None or node.name in ("html", "body", "[document]", "title", "a"):
                break
            key = title_key(node.get_text(" "))
            if key.startswith(tkey):
                return node if len(key) < 2 * len(tkey) + 40 else None
            if not tkey.startswith(key):
                break
            node = node.parent
    return None


def _outermost_same_text(node: Tag) -> Tag:
    """The highest ancestor holding nothing but ``node``'s text (``<font><b>Title</b></font>``)."""
    key = title_key(node.get_text(" "))
    while node.parent is not None and node.parent.name not in ("body", "html", "[document]"):
        if title_key(node.parent.get_text(" ")) != key:
            break
        node = node.parent
    return node
