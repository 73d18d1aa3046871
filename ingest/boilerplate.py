"""Page chrome: rules that remove menus, share bars, banners, related lists, comments, ads.

Every rule has the signature ``rule(soup) -> int`` (elements removed) and is listed, in the
order they run, in :data:`CLEANERS`. Rules look at what the element *is* (its tag, its
class/id words, its link density, its text pattern), not at any one site's template, and a
container holding long article paragraphs is never removed by a class-name rule.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable
from functools import lru_cache
from typing import cast

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PageElement

from ingest.dates import find_date

log = logging.getLogger(__name__)

Cleaner = Callable[[BeautifulSoup], int]

#: Structural tags that hold navigation and page furniture, never article text.
CHROME_TAGS = ("nav", "aside", "footer", "form", "amp-sidebar", "amp-ad", "menu")
#: Words (parts of class/id names split on "-", "_" and case) that name chrome.
CHROME_WORDS = frozenset(
    """share sharing sharedaddy social socials sociallinks cookie cookies consent gdpr newsletter
    subscribe subscription signup paywall related recommended recommend recirc readnext
    popular mostread trending comment comments respond disqus replies reply responses
    advert advertisement advertising ads ad adslot sponsor sponsored promo promoted
    outbrain taboola breadcrumb breadcrumbs sidebar widget widgets menu navbar navigation
    topbar skip skiplink masthead banner modal popup overlay login signin tags tagcloud
    caption figcaption pullquote pullout callout byline authorbox authorcard
    bio toolbar noprint footer copyright disclaimer legal""".split()
)
#: Compound names that are chrome only as a pair ("read-more", "more-stories").
CHROME_PAIRS = (
    ("read", "more"),
    ("more", "stories"),
    ("most", "read"),
    ("you", "may"),
    ("top", "stories"),
    ("author", "box"),
    ("author", "card"),
    ("author", "bio"),
    ("about", "author"),
    ("post", "nav"),
    ("nav", "links"),
    ("entry", "footer"),
    ("post", "tags"),
    ("pull", "quote"),
    ("also", "read"),
    ("see", "also"),
    ("further", "reading"),
    ("post", "share"),
    ("entry", "meta"),
    ("post", "meta"),
    ("article", "meta"),
    ("site", "header"),
    ("site", "footer"),
    ("related", "posts"),
    ("in", "brief"),
    ("date", "bar"),
)
_SPLIT_WORDS = re.compile(r"[-_\s:./]+|(?<=[a-z])(?=[A-Z])")
_LEAD_IN_CHROME = re.compile(
    r"^\s*(?:(?:read\s+more|read\s+also|also\s+read|see\s+also|click\s+here|tap\s+here|"
    r"follow\s+us|sign\s+up|subscribe|share\s+this|continue\s+reading|most\s+read|"
    r"editor'?s\s+picks?|advertisement|sponsored)\b"
    # words that start sentences too ("Watch out for ice") count only before a colon
    r"|(?:related|more|watch|listen|recommended|trending|video|photos?|gallery|source|via)"
    r"\s*[:>»|])",
    re.IGNORECASE,
)
#: A lead-in set off by a colon, as a line of text ("READ MORE: Other headline").
_LEAD_IN_WITH_COLON = re.compile(
    r"^\s*(?:read\s+more|read\s+also|also\s+read|see\s+also|related|more|watch|listen|"
    r"recommended|trending|most\s+read|continue\s+reading)\s*[:>\u00bb|]",
    re.IGNORECASE,
)
_LEAD_IN_MAX = 200
_ALWAYS_CHROME_TEXT = re.compile(
    r"^\s*(?:advert(?:isement|ising)?s?|sponsored(?: content)?|skip to (?:main )?content|"
    r"share (?:on|via) \w+|please enable javascript.*|this \w+ requires javascript\.?|"
    r"log in to comment|(?:\d+ )?comments?|all rights reserved\.?|tell us what you think\W*|"
    r"printed from .*|originally published (?:at|on|in) .*|\d+ min(?:ute)?s? read)\s*$",
    re.IGNORECASE,
)


#: Class/id words of page regions removed before the soup is built (on the lxml tree): reader
#: comments (thousands on busy pages), share bars, cookie and newsletter boxes, related and
#: most-read lists, ads and sidebars never hold article text, bylines or dates.
BULK_CHROME_WORDS = frozenset(
    """share sharing sharedaddy social cookie cookies consent gdpr newsletter subscribe signup
    paywall related recommended popular mostread trending outbrain taboola advert advertisement
    ads sponsor sponsored promo sidebar widget widgets breadcrumb breadcrumbs modal popup""".split()
)
#: Reader comments: removed even when long, as they are never the article.
COMMENT_WORDS = frozenset("comments comment disqus respond replies commentlist responses".split())
#: Embedded posts (tweets, Instagram) quoted by the article: social, but not chrome.
EMBED_WORDS = frozenset(("embed", "embedded", "tweet", "twitter-tweet", "instagram-media"))
#: Tags removed with them, unless they hold the article's paragraphs.
BULK_CHROME_TAGS = ("nav", "aside", "footer", "menu")


def _attr_words(class_attr: str | None, id_attr: str | None) -> frozenset[str]:
    raw = f"{class_attr or ''} {id_attr or ''}"
    if len(raw) > 400:  # not cached: hostile pages must not fill the cache
        return frozenset(w.lower() for w in _SPLIT_WORDS.split(raw) if w)
    # cached: the lxml prune asks this of every element with a class or id, and a site's
    # class names repeat on every page
    return _words_of(raw)


_BULK_OR_COMMENT_WORDS = BULK_CHROME_WORDS | COMMENT_WORDS


def is_bulk_chrome(class_attr: str | None, id_attr: str | None) -> bool:
    """Whether raw class/id attribute values name bulk chrome (checked on lxml trees)."""
    if not class_attr and not id_attr:
        return False
    words = _attr_words(class_attr, id_attr)
    return not words & EMBED_WORDS and bool(words & _BULK_OR_COMMENT_WORDS)


def is_comment_section(class_attr: str | None, id_attr: str | None) -> bool:
    """Whether raw class/id attribute values name reader comments."""
    if not class_attr and not id_attr:
        return False
    return bool(_attr_words(class_attr, id_attr) & COMMENT_WORDS)


def iter_tags(root: Tag, names: frozenset[str] | None = None) -> list[Tag]:
    """Descendant elements of ``root`` (named ``names`` when given), in document order.

    A plain walk over ``descendants``: several times faster than ``find_all`` with a list of
    names, whose filter machinery dominated the cleaners' time on large pages. The whole
    page (``root`` a BeautifulSoup) is walked once and its element list kept, see
    :func:`_page_tags`.
    """
    if isinstance(root, BeautifulSoup):
        tags = _page_tags(root)
        return tags[:] if names is None else [t for t in tags if t.name in names]
    if names is None:
        return [t for t in root.descendants if isinstance(t, Tag)]
    return [t for t in root.descendants if isinstance(t, Tag) and t.name in names]


#: Where a soup keeps its element list (in its own __dict__: bs4's __getattr__ would
#: otherwise search the tree for a tag of that name).
_PAGE_TAGS = "_ingest_page_tags"


def _page_tags(soup: BeautifulSoup) -> list[Tag]:
    """Every element of the page in document order, from one walk per soup.

    The rules and readers walk the whole page a dozen times, and the soup only ever loses
    elements, through ``decompose()``, which empties a tag's name along with the rest of it;
    so the first walk's list minus the nameless tags is what a new walk would give (checked
    by tests/test_ingest_boilerplate.py after each rule).
    """
    kept: list[Tag] | None = soup.__dict__.get(_PAGE_TAGS)
    if kept is None:
        kept = [t for t in soup.descendants if isinstance(t, Tag)]
    else:
        kept = [t for t in kept if t.name]
    soup.__dict__[_PAGE_TAGS] = kept
    return kept


def first_tag(root: Tag, names: frozenset[str] | None = None) -> Tag | None:
    """The first descendant element of ``root`` (named ``names`` when given), or None.

    ``root.find(name)`` without bs4's filter objects (a SoupStrainer and its rules built per
    call, then matched against every node): the rules ask this of many elements per page.
    """
    nodes = _page_tags(root) if isinstance(root, BeautifulSoup) else root.descendants
    for node in nodes:
        if isinstance(node, Tag) and (names is None or node.name in names):
            return node
    return None


def has_ancestor(node: PageElement, names: frozenset[str]) -> bool:
    """Whether an element above ``node`` (not ``node`` itself) is named one of ``names``.

    ``find_parent(name) is not None`` without bs4's filter objects, built anew on every call:
    the rules ask this of most paragraphs and strings of a page.
    """
    parent = node.parent
    while parent is not None:
        if parent.name in names:
            return True
        parent = parent.parent
    return False


def _names(tag: Tag) -> str:
    raw = " ".join(tag.get("class") or []) + " " + str(tag.get("id") or "")
    return raw if len(raw) <= 400 else raw[:400]  # bounds the caches below (hostile pages)


def class_words(tag: Tag) -> frozenset[str]:
    """The lower-cased words of an element's class and id attributes."""
    return _words_of(_names(tag))


@lru_cache(maxsize=8192)
def _words_of(raw: str) -> frozenset[str]:
    # cached: a site's class names repeat on every element and page (a worker sees a
    # few thousand distinct strings); splitting them was a tenth of the cleaning time
    return frozenset(w.lower() for w in _SPLIT_WORDS.split(raw) if w)


@lru_cache(maxsize=8192)
def _pairs_of(raw: str) -> frozenset[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for name in raw.split():
        words = [w.lower() for w in _SPLIT_WORDS.split(name) if w]
        out.update(itertools.pairwise(words))
        joined = "".join(words)
        for a, b in CHROME_PAIRS:
            if a + b == joined:
                out.add((a, b))
    return frozenset(out)


@lru_cache(maxsize=8192)
def _is_chrome_names(raw: str) -> bool:
    words = _words_of(raw)
    if words & EMBED_WORDS:
        return False
    if words & CHROME_WORDS:
        return True
    pairs = _pairs_of(raw)
    return any(pair in pairs for pair in CHROME_PAIRS)


def is_chrome_name(tag: Tag) -> bool:
    """Whether an element's class/id names page chrome (an embedded post is not chrome)."""
    return _is_chrome_names(_names(tag))


def text_len(tag: Tag) -> int:
    """Length of an element's visible text, whitespace collapsed.

    ``len(" ".join(tag.get_text(" ").split()))`` without building the joined text twice and
    without get_text's per-node generator checks: the most frequent question the rules ask.
    """
    types = tag.interesting_string_types
    if not isinstance(types, set | frozenset):  # a tag made outside a parse: ask bs4
        return len(" ".join(tag.get_text(" ").split()))
    strings = cast("list[str]", [s for s in tag.descendants if type(s) in types])  # strings
    words = " ".join(strings).split()
    return sum(map(len, words)) + len(words) - 1 if words else 0


def link_text_len(tag: Tag) -> int:
    """Length of the text inside an element's links."""
    return sum(text_len(a) for a in iter_tags(tag, _A))


def holds_article_text(tag: Tag) -> bool:
    """Whether an element holds real article paragraphs (so no class-name rule may drop it).

    Three prose paragraphs (80+ characters, few links, not list items such as teasers)
    make an article; a related-stories list of teasers does not count.
    """
    long_paras = 0
    total = 0
    for p in iter_tags(tag, _P):
        n = text_len(p)
        if n < _PROSE_CHARS or link_text_len(p) >= n * 0.3 or has_ancestor(p, _LI):
            continue
        long_paras += 1
        total += n
        if long_paras >= 3 and total >= 3 * _PROSE_CHARS + 60:
            return True
    # text straight in a <div>, split by <br>, as blog engines write it
    loose = 0
    for string in tag.descendants:
        if type(string) is not NavigableString:
            continue
        n = len(string.strip())
        parent = string.parent
        if (
            n >= _PROSE_CHARS
            and parent is not None
            and parent.name not in ("a", "li", "p")
            and not has_ancestor(string, _LI)
        ):
            loose += n
            if loose >= 3 * _PROSE_CHARS + 60:
                return True
    return False


_PROSE_CHARS = 80


_A = frozenset(("a",))
_LI = frozenset(("li",))
_QUOTE_TAGS = frozenset(("blockquote", "aside"))
_LINE_TAGS = frozenset(("p", "div", "span", "li", "h2", "h3", "h4", "h5", "h6", "strong", "em"))
_P = frozenset(("p",))
_LINK_LIST_TAGS = frozenset(("ul", "ol", "div", "p", "section", "dl", "table", "span"))


def _count_links(tag: Tag, limit: int) -> int:
    count = 0
    for node in tag.descendants:
        if isinstance(node, Tag) and node.name == "a":
            count += 1
            if count >= limit:
                break
    return count


def _remove(tags: list[Tag]) -> int:
    count = 0
    for tag in tags:
        if tag.parent is not None:
            tag.decompose()
            count += 1
    return count


# ------------------------------------------------------------------------------------ rules


def drop_chrome_tags(soup: BeautifulSoup) -> int:
    """Navigation, sidebars, footers and forms hold no article text."""
    found = [t for t in iter_tags(soup, frozenset(CHROME_TAGS)) if not holds_article_text(t)]
    return _remove(found)


def drop_hidden(soup: BeautifulSoup) -> int:
    """Elements hidden from readers (hidden, aria-hidden, display:none)."""
    found = []
    for tag in iter_tags(soup):
        if not tag.attrs:
            continue  # most elements: no hidden, aria-hidden or style to read
        style = str(tag.get("style") or "").replace(" ", "").lower()
        if tag.has_attr("hidden") or tag.get("aria-hidden") == "true" or "display:none" in style:
            found.append(tag)
    return _remove(found)


def drop_named_chrome(soup: BeautifulSoup) -> int:
    """Elements whose class or id names chrome (share, cookie, newsletter, related, comments...)."""
    found = []
    for tag in iter_tags(soup):
        if tag.name in ("html", "body") or tag.parent is None:
            continue
        if is_chrome_name(tag) and not holds_article_text(tag):
            found.append(tag)
    return _remove(found)


def drop_header_blocks(soup: BeautifulSoup) -> int:
    """Page and article headers (masthead, headline block); their metadata is read beforehand."""
    found = [t for t in iter_tags(soup, frozenset(("header",))) if not holds_article_text(t)]
    return _remove(found)


def drop_captions(soup: BeautifulSoup) -> int:
    """Figure captions and credits describe pictures, not the story."""
    return _remove(iter_tags(soup, frozenset(("figcaption", "figure"))))


def drop_pull_quotes(soup: BeautifulSoup) -> int:
    """Quotes set apart (blockquote, aside) that repeat a sentence of the body: pull quotes."""
    quotes = iter_tags(soup, _QUOTE_TAGS)
    if not quotes:
        return 0
    body = " ".join(
        _plain(p.get_text(" ")) for p in iter_tags(soup, _P) if not has_ancestor(p, _QUOTE_TAGS)
    )
    found = []
    for quote in quotes:
        text = _plain(quote.get_text(" "))
        if len(text) >= 30 and text in body:
            found.append(quote)
    return _remove(found)


def _plain(text: str) -> str:
    """Lower-case words only, for comparing a pull quote with the paragraph it repeats."""
    return " ".join(re.findall(r"\w+", text.lower()))


def drop_chrome_lines(soup: BeautifulSoup) -> int:
    """Short blocks that are lead-ins to other pages ("Read more: ...") or stock chrome lines."""
    found = []
    for tag in iter_tags(soup, _LINE_TAGS):
        if tag.parent is None:
            continue
        text = " ".join(tag.get_text(" ").split())
        if not text or len(text) > 300:
            continue
        if _ALWAYS_CHROME_TEXT.match(text):
            found.append(tag)
            continue
        if _LEAD_IN_CHROME.match(text) and (first_tag(tag, _A) is not None or len(text) < 40):
            found.append(tag)
    return _remove(found)


def drop_link_lists(soup: BeautifulSoup) -> int:
    """Blocks that are mostly links (prev/next headlines, tag lists, menus without <nav>).

    Innermost first, so a pop-up card of links inside a sentence goes while the sentence's
    own single link ("threatened to kill Rep. <a>Ilhan Omar</a>") stays.
    """
    removed = 0
    for tag in reversed(iter_tags(soup, _LINK_LIST_TAGS)):
        if tag.parent is None:
            continue
        n_links = _count_links(tag, 3)
        if n_links == 0 or (n_links == 1 and tag.name != "div"):
            continue
        total = text_len(tag)
        if total == 0:
            continue
        links = link_text_len(tag)
        if n_links >= 2 and links >= 0.8 * total and not holds_article_text(tag):
            tag.decompose()
            removed += 1
        elif n_links == 1 and links >= 0.9 * total and tag.name == "div" and total < 200:
            tag.decompose()
            removed += 1
    return removed


#: The chrome rules, in the order they run.
CLEANERS: tuple[Cleaner, ...] = (
    drop_hidden,
    drop_chrome_tags,
    drop_header_blocks,
    drop_named_chrome,
    drop_captions,
    drop_pull_quotes,
    drop_chrome_lines,
    drop_link_lists,
)


# ------------------------------------------------------------------- paragraph-level rules

_BYLINE_LINE = re.compile(
    r"^\s*(?:(?:posted|written|published|reported|words|text|story|updated|last\s+updated|"
    r"first\s+published)(?:\s+(?:by|on|at))?|by)\b[\s:]",
    re.IGNORECASE,
)
_RELATIVE_TIME = re.compile(
    r"^\W*(?:(?:updated\s+)?\d+\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|weeks?)"
    r"\s+ago|just now|yesterday|today)\W*$",
    re.IGNORECASE,
)
_BYLINE_FILLERS = frozenset(
    "and by in for of the de van von der la le da di staff writer reporter correspondent editor "
    "contributor photographer".split()
)
_DATE_WORDS = re.compile(
    r"\b(?:\d{1,4}|mon|tue|wed|thu|fri|sat|sun|[a-z]+day|jan|feb|mar|apr|may|jun|jul|aug|sep|"
    r"sept|oct|nov|dec|[a-z]+(?:uary|ch|il|ust|ber)|june|july|am|pm|gmt|utc|bst|[a-z]{2,4}t|"
    r"at|on|updated|published|posted|ago|hours?|minutes?|mins?|read)\b",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"\s[·•|\u2013\u2014-]\s")
_EDGE = 3  # paragraphs at each end of the body where bylines and date lines sit


def is_byline_or_date_line(text: str) -> bool:
    """A short line that is a byline ("By Ann Lee", "Posted on 3 May") or only a date/time."""
    if len(text) > 120:
        return False
    match = _BYLINE_LINE.match(text)
    if match:
        # "By Jane Marlow, Transport Correspondent" yes; "By noon the crowd had gone." no
        named = [w for w in re.split(r"[\W_]+", _DATE_WORDS.sub(" ", text[match.end() :])) if w]
        return len(named) <= 8 and all(
            w[:1].isupper() or w.lower() in _BYLINE_FILLERS for w in named
        )
    rest = _DATE_WORDS.sub(" ", text)
    if not re.sub(r"[\W_]+", "", rest):
        # only a date: but a score, an attendance or a kick-off time ("2000 GMT") is text
        return find_date(text) is not None or _RELATIVE_TIME.match(text) is not None
    # "Ann Lee · 2004-11-04 01:54": a name beside a date, set off by a separator
    words = [w for w in re.split(r"[\W_]+", rest) if w]
    return (
        find_date(text) is not None
        and _SEPARATOR.search(text) is not None
        and len(words) <= 4
        and all(w[:1].isupper() for w in words)
    )


def drop_byline_lines(paragraphs: list[str]) -> list[str]:
    """Byline and date-only lines at the start or end of the body (metadata is read elsewhere)."""
    n = len(paragraphs)
    return [
        p
        for i, p in enumerate(paragraphs)
        if not ((i < _EDGE or i >= n - _EDGE) and is_byline_or_date_line(p))
    ]


def drop_stock_lines(paragraphs: list[str]) -> list[str]:
    """Stock chrome lines ("Advertisement", "Share on Facebook", "READ MORE: <headline>")."""
    return [
        p
        for p in paragraphs
        if not _ALWAYS_CHROME_TEXT.match(p)
        and not (len(p) < _LEAD_IN_MAX and _LEAD_IN_WITH_COLON.match(p))
    ]


#: Rules over the body's paragraph texts, run after the container is read.
LINE_CLEANERS: tuple[Callable[[list[str]], list[str]], ...] = (drop_stock_lines, drop_byline_lines)


def clean_lines(paragraphs: list[str]) -> list[str]:
    """Run every rule of :data:`LINE_CLEANERS` over the paragraph texts."""
    for rule in LINE_CLEANERS:
        paragraphs = rule(paragraphs)
    return paragraphs


def clean_chrome(soup: BeautifulSoup) -> dict[str, int]:
    """Run every rule of :data:`CLEANERS` on ``soup`` in place.

    Returns:
        Elements removed per rule name (for debugging and tests).
    """
    removed = {}
    for rule in CLEANERS:
        removed[rule.__name__] = rule(soup)
        if removed[rule.__name__]:
            log.debug("%s removed %d elements", rule.__name__, removed[rule.__name__])
    return removed
