"""HTML text -> ParsedPage: the only place a page is parsed (its soup: ingest.soup).

lxml parses the whole page first (fast, and it copes with tag soup); what the extractor
needs from ``<head>`` (title, meta, canonical link, JSON-LD, embedded app state) is read
there, scripts, styles, media and comments are dropped, over-deep nesting is flattened,
and only the pruned ``<body>`` goes to BeautifulSoup, which is the expensive step.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import lxml.etree
import lxml.html
from bs4 import BeautifulSoup

from ingest.boilerplate import BULK_CHROME_TAGS, is_bulk_chrome, is_comment_section
from ingest.soup import soup_of

log = logging.getLogger(__name__)

#: Elements whose content is never article text.
DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "source",
    "track",
    "img",
    "picture",
    "input",
    "button",
    "select",
    "option",
    "textarea",
    "link",
    "meta",
    "map",
    "dialog",
)
#: Deeper elements than this are flattened into their ancestor at this depth.
MAX_DEPTH = 120
#: Elements kept after pruning; the rest of a monstrous page is cut (see _truncate).
#: The largest of the 91 real pages has 1,000 after pruning (1,500 before); 10,000 leaves
#: room for long live blogs while bounding the BeautifulSoup and cleaning cost (~0.4 s CPU).
MAX_ELEMENTS = 10_000
#: Elements read at all: a page with more is cut before pruning, since every lxml pass
#: costs ~1 s CPU per 100,000 elements (a 400,000-tag page took 6 s CPU uncut).
MAX_RAW_ELEMENTS = 40_000
#: Markup read at all: the text is cut before its 100,000th "<" (the largest real page has
#: 3,200). libxml2 parses ~1 M tags per CPU second, so a 400,000-tag page cost 0.5 s CPU
#: in the parser alone, several seconds of wall time on a loaded machine.
MAX_RAW_TAGS = 100_000
_LT = re.compile("<")
#: Link texts kept for the headline rules.
MAX_LINK_TEXTS = 3_000
_JSON_SCRIPT_TYPES = ("application/ld+json", "application/json")


@dataclass(slots=True)
class ParsedPage:
    """A page split into what the extractor reads.

    Attributes:
        soup: the pruned ``<body>`` as BeautifulSoup (no scripts, styles, media, comments).
        head_title: text of ``<title>``.
        meta: lower-cased ``name``/``property``/``itemprop`` -> contents, in page order.
        links: lower-cased ``rel`` -> hrefs (``canonical``, ``amphtml``...).
        json_ld: JSON-LD objects, flattened out of ``@graph`` and lists.
        app_state: other JSON script blocks (embedded app state of client-rendered pages).
        lang: the ``<html lang>`` value.
        link_texts: texts of every link on the page, read before chrome is pruned (menus
            and related lists name other headlines and sections that a body must not repeat).
    """

    soup: BeautifulSoup
    head_title: str | None = None
    meta: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)
    json_ld: list[dict[str, Any]] = field(default_factory=list)
    app_state: list[Any] = field(default_factory=list)
    lang: str | None = None
    link_texts: list[str] = field(default_factory=list)


#: JSON-LD is read this deep at most; real graphs nest < 10 levels, hostile ones thousands.
MAX_LD_DEPTH = 20


def _flatten_ld(data: Any, out: list[dict[str, Any]]) -> None:
    """Objects out of lists and ``@graph``, iteratively: nesting depth cannot hit the stack."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_LD_DEPTH:
            continue
        if isinstance(node, list):
            stack.extend((item, depth + 1) for item in reversed(node))
        elif isinstance(node, dict):
            out.append(node)
            graph = node.get("@graph")
            if graph is not None:
                stack.append((graph, depth + 1))


def _load_json(text: str) -> Any:
    """JSON of a script block, forgiving what CMSs get wrong (raw newlines, trailing commas)."""
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip()
    text = text.removeprefix("<![CDATA[").removesuffix("]]>").strip().rstrip(";")
    if not text:
        return None
    for attempt in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            continue
        except RecursionError:  # thousands of nested brackets: junk, not data
            return None
    return None


_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def _collect_head(root: lxml.html.HtmlElement, page: ParsedPage) -> None:
    """Read title, meta, links and JSON blocks from anywhere in the document."""
    for el in root.iter("title", "meta", "link", "script"):
        tag = el.tag
        if tag == "title":
            if page.head_title is None:
                page.head_title = el.text_content()
        elif tag == "meta":
            key = el.get("property") or el.get("name") or el.get("itemprop")
            content = el.get("content")
            if key and content is not None:
                page.meta.setdefault(key.strip().lower(), []).append(content)
        elif tag == "link":
            rel, href = el.get("rel"), el.get("href")
            if rel and href:
                for name in rel.lower().split():
                    page.links.setdefault(name, []).append(href.strip())
        else:
            kind = (el.get("type") or "").strip().lower()
            if kind in _JSON_SCRIPT_TYPES and el.text:
                data = _load_json(el.text)
                if data is None:
                    continue
                if kind == "application/ld+json":
                    _flatten_ld(data, page.json_ld)
                else:
                    page.app_state.append(data)


def _prune(body: lxml.html.HtmlElement) -> None:
    """Drop non-text elements and comments; flatten nesting beyond MAX_DEPTH."""
    for el in list(body.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction)):
        _drop_keep_tail(el)
    for el in list(body.iter(*DROP_TAGS)):
        _drop_keep_tail(el)
    stack = list(body)
    while stack:  # a walk that does not descend into what it removes
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        cls, ident = el.get("class"), el.get("id")
        if is_comment_section(cls, ident) or (
            (el.tag in BULK_CHROME_TAGS or is_bulk_chrome(cls, ident)) and not _holds_prose(el)
        ):
            _drop_keep_tail(el)
        else:
            stack.extend(el)
    _flatten_deep(body)
    _truncate(body, MAX_ELEMENTS)


#: What ``body.iter()`` yields (the body, its elements, comments and PIs), counted by libxml2.
_COUNT_NODES = (
    "count(descendant-or-self::* | descendant::comment() | descendant::processing-instruction())"
)


def _truncate(body: Any, limit: int) -> None:
    """Cut the document after its ``limit``-th element, bounding time on monstrous pages.

    No article needs tens of thousands of elements once chrome is gone; what follows the
    cut (a runaway list, generated filler) is dropped, and the tree stays well formed.
    """
    if body.xpath(_COUNT_NODES) < limit:  # counted in C: normal pages skip the walk below
        return
    for count, el in enumerate(body.iter()):
        if count < limit:
            continue
        log.debug("page cut after %d elements", limit)
        node = el
        while node is not None and node is not body:
            parent = node.getparent()
            # a slice delete runs in C: removing 400,000 siblings one by one took 1 s CPU
            del parent[parent.index(node) + 1 :]
            node = parent
        el.getparent().remove(el)
        return


def _link_texts(body: Any) -> list[str]:
    out = []
    for a in body.iter("a"):
        text = " ".join(a.text_content().split())
        if text and len(text) < 300:
            out.append(text)
            if len(out) >= MAX_LINK_TEXTS:
                break
    return out


def _holds_prose(el: Any) -> bool:
    """Three paragraphs of 80+ characters: an article, whatever its container is called."""
    found = 0
    for p in el.iter("p"):
        if len(p.text_content()) >= 80:
            found += 1
            if found >= 3:
                return True
    # text straight in a <div>, split by <br>, as blog engines write it
    long_chunks = sum(n for n in map(len, el.itertext()) if n >= 80)
    return long_chunks >= 300


def _drop_keep_tail(el: Any) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


#: Generic wrappers that may be unwrapped (their children kept) where nesting is too deep.
_WRAPPERS = frozenset(
    (
        "div",
        "span",
        "section",
        "article",
        "font",
        "center",
        "main",
        "b",
        "i",
        "em",
        "strong",
        "small",
        "big",
        "u",
        "blockquote",
        "ins",
        "table",  # <table><table>... : libxml2 nests them and loses text past ~256 levels
        "del",
    )
)


def _deep_elements(body: Any, limit: int) -> list[Any]:
    """Elements at depth >= limit, parents before children (iterative walk)."""
    found = []
    stack: list[tuple[Any, int]] = [(body, 0)]
    while stack:
        el, depth = stack.pop()
        if depth >= limit:
            found.append(el)
        for child in el:
            if isinstance(child.tag, str):
                stack.append((child, depth + 1))
    return found


#: Whether an element sits MAX_DEPTH levels below the body (what _deep_elements looks for).
_AT_MAX_DEPTH = "boolean(" + "/".join(["*"] * MAX_DEPTH) + ")"


def _flatten_deep(body: Any) -> None:
    """Bound the nesting depth without losing text.

    Wrapper elements (div, span, font...) below MAX_DEPTH are unwrapped, keeping their text
    and children in place; whatever is still deeper than twice MAX_DEPTH becomes plain text.
    Both walks are iterative, so thousands of nested elements cannot exhaust the stack of
    lxml, BeautifulSoup or the cleaners that walk the tree afterwards.
    """
    if not body.xpath(_AT_MAX_DEPTH):  # asked of libxml2: no Python walk for normal pages
        return
    deep = _deep_elements(body, MAX_DEPTH)
    if not deep:
        return
    log.debug("unwrapping elements among %d nested deeper than %d", len(deep), MAX_DEPTH)
    for el in reversed(deep):
        parent = el.getparent()
        if (
            el.tag in _WRAPPERS
            and parent is not None
            and parent.tag == el.tag
            and dict(parent.attrib) == dict(el.attrib)
        ):
            el.drop_tag()
    for el in _deep_elements(body, 2 * MAX_DEPTH):
        if el.getparent() is None or not len(el):
            continue
        text = " ".join(el.itertext())
        for child in list(el):
            el.remove(child)
        el.text = text


def parse_html(text: str) -> ParsedPage:
    """Parse decoded HTML once with lxml, prune it, and build one soup of the body.

    Args:
        text: the decoded page.

    Returns:
        A ParsedPage; its soup is empty (but present) when the page has no body.

    Raises:
        ValueError: lxml finds no document at all in ``text``.
    """
    text = _cut_markup(text, MAX_RAW_TAGS)
    root = _parse_lxml(text)
    if _lost_text(text, root):
        log.debug("lxml lost text (nesting too deep?); reparsing with wrappers limited")
        root = _parse_lxml(limit_nesting(text))
    head = ParsedPage(soup=None)  # type: ignore[arg-type]  # filled below
    head.lang = root.get("lang")
    _collect_head(root, head)
    body = root.find("body")
    if body is not None:
        if text.count("<") > MAX_RAW_ELEMENTS:  # C-speed guard: normal pages skip the walk
            _truncate(body, MAX_RAW_ELEMENTS)
        head.link_texts = _link_texts(body)
        _prune(body)
    head.soup = soup_of(body)
    return head


def _cut_markup(text: str, limit: int) -> str:
    """``text`` up to its ``limit``-th "<" (the parser closes what the cut leaves open)."""
    if text.count("<") <= limit:  # C speed: ~0.1 ms on 200 kB, the only cost for real pages
        return text
    for count, match in enumerate(_LT.finditer(text), 1):
        if count == limit:
            log.debug("markup cut at %d tags", limit)
            return text[: match.start()]
    return text


def _parse_lxml(text: str) -> Any:
    try:
        return lxml.html.document_fromstring(text, parser=_parser())
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError) as err:
        raise ValueError(f"no HTML document ({err})") from None


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*>")
_ANY_TAG = re.compile(r"<[^>]*>")
_VOID = frozenset(
    (
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "option",
    )
)
#: Nesting beyond which the raw-markup pass drops wrapper tags (libxml2 gives up near 256).
RAW_DEPTH_LIMIT = 60
RAW_HARD_LIMIT = 220


_DEPTH_LIMIT_PROBE = "boolean(" + "/".join(["*"] * 256) + ")"


def _lost_text(text: str, root: Any) -> bool:
    """Whether lxml kept far less text than the markup holds (libxml2's depth limit)."""
    if len(text) < 4_000:
        return False
    if not root.xpath(_DEPTH_LIMIT_PROBE):
        # libxml2 drops text only below its depth limit (256 levels; 2,048 with huge_tree), so
        # a tree with nothing 256 levels down lost nothing: no regex over the whole markup
        return False
    parsed = len(root.text_content())
    raw = len(_ANY_TAG.sub("", text))
    return parsed < 0.5 * raw


def limit_nesting(text: str) -> str:
    """Drop excess wrapper tags (div, span...) of deeply nested markup, with their end tags.

    libxml2 silently discards content nested deeper than about 256 elements. Below
    RAW_DEPTH_LIMIT a wrapper identical to its parent (the usual shape of hostile nesting)
    is dropped; below RAW_HARD_LIMIT every wrapper is. Unmatched end tags are left to the parser.
    """
    out: list[str] = []
    stack: list[tuple[str, bool, str]] = []
    kept = 0
    pos = 0
    for match in _TAG.finditer(text):
        closing, name = match.group(1), match.group(2).lower()
        keep = True
        if name in _VOID:
            pass
        elif not closing:
            raw = match.group(0)
            dropped = False
            if name in _WRAPPERS and kept >= RAW_DEPTH_LIMIT:
                dropped = kept >= RAW_HARD_LIMIT or (bool(stack) and stack[-1][2] == raw)
            stack.append((name, dropped, raw))
            kept += not dropped
            keep = not dropped
        else:
            for i in range(len(stack) - 1, max(-1, len(stack) - 50), -1):
                if stack[i][0] == name:
                    keep = not stack[i][1]
                    kept -= sum(1 for entry in stack[i:] if not entry[1])
                    del stack[i:]
                    break
        if not keep:
            out.append(text[pos : match.start()])
            pos = match.end()
    out.append(text[pos:])
    return "".join(out)


def _parser() -> lxml.html.HTMLParser:
    # huge_tree lifts libxml2's depth and text-node limits; _flatten_deep bounds depth later.
    return lxml.html.HTMLParser(
        remove_comments=True, remove_pis=True, huge_tree=True, default_doctype=False
    )
