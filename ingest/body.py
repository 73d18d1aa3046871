"""The article's paragraphs: find the main text container of a cleaned soup, read its blocks.

A *text block* is an element with inline content only (a ``<p>``, or a ``<div>``/``<td>``
holding text and ``<br>``). Each block's non-link text scores for its parent and, halved,
its grandparent, as in Readability; a ``<div>``-like block also scores for itself, because
old and client-rendered templates put a whole article in one ``<div>`` split by ``<br>``.
The deepest element scoring close to the best is the container; its blocks are read in
order, and lines that are mostly links (``Read more: <a>``, "Print | E-mail") are dropped.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString

from ingest.boilerplate import (
    first_tag,
    is_byline_or_date_line,
    iter_tags,
    link_text_len,
    text_len,
)

log = logging.getLogger(__name__)

#: Elements that are one paragraph of text.
LEAF_BLOCKS = frozenset(
    (
        "p",
        "pre",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "dd",
        "dt",
        "td",
        "th",
        "address",
        "figcaption",
        "summary",
        "caption",
    )
)
#: Elements that group other blocks.
GROUP_BLOCKS = frozenset(
    (
        "div",
        "section",
        "article",
        "main",
        "body",
        "ul",
        "ol",
        "dl",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "center",
        "header",
        "footer",
        "aside",
        "nav",
        "figure",
        "details",
        "fieldset",
        "form",
        "hgroup",
        "html",
    )
)
BLOCKS = LEAF_BLOCKS | GROUP_BLOCKS
#: Leaf blocks read as body paragraphs (headings are not: they repeat titles and teasers).
BODY_BLOCKS = frozenset(
    ("p", "pre", "blockquote", "li", "dd", "td", "address", "h2", "h3", "h4", "h5", "h6")
)
_PROSE_TAGS = frozenset(("p", "blockquote", "pre"))
_TRANSPARENT = frozenset(("ul", "ol", "dl"))
_SELF_SCORING = frozenset(
    ("div", "td", "section", "article", "main", "center", "font", "span", "body")
)
_MIN_BLOCK_CHARS = 25
_NEAR_BEST = 0.9
_MAX_LINK_SHARE = 0.8
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]?$")
_SENTENCE_BONUS = 30.0
_SIBLING_SHARE = 0.2
_SIBLING_PROSE = 200
_PROSE_MIN = 80
_WRAPPER_SLACK = 30
_SMALL_BLOCK = 50
_LEGAL = re.compile(
    r"©|\(c\)\s*\d{4}|all rights reserved|copyright|terms of (?:use|service)|"
    r"privacy policy|user agreement",
    re.IGNORECASE,
)
_SIBLING_MAX_LINKS = 0.3


@dataclass(slots=True)
class _Para:
    parts: list[str]
    link_chars: int = 0


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _is_leaf_block(tag: Tag) -> bool:
    return not any(isinstance(c, Tag) and c.name in BLOCKS for c in tag.children)


def _direct_text_len(tag: Tag) -> int:
    total = 0
    for child in tag.children:
        if type(child) is NavigableString:
            total += len(child.strip())
        elif isinstance(child, Tag) and child.name not in BLOCKS and child.name != "a":
            total += text_len(child)
    return total


def find_main(soup: BeautifulSoup) -> Tag | None:
    """The container of the article text, or None when the page has no text block."""
    found = _score_blocks(soup)
    return found[0] if found else None


def _score_blocks(soup: BeautifulSoup) -> tuple[Tag, dict[int, float]] | None:
    """The chosen container and every element's score (by ``id``)."""
    scores: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    depth: dict[int, int] = {}

    def add(tag: Tag | None, score: float) -> None:
        if not isinstance(tag, Tag) or tag.name in ("[document]", "html"):
            return
        key = id(tag)
        scores[key] = scores.get(key, 0.0) + score
        tags[key] = tag

    for tag in iter_tags(soup, BLOCKS):
        if tag.name in ("h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tbody", "tr"):
            continue
        leaf = _is_leaf_block(tag)
        n = text_len(tag) - link_text_len(tag) if leaf else _direct_text_len(tag)
        if n < _MIN_BLOCK_CHARS:
            continue
        text = tag.get_text(" ").strip() if leaf else ""
        if leaf and is_byline_or_date_line(" ".join(text.split())):
            continue
        score = float(n) + (_SENTENCE_BONUS if _SENTENCE_END.search(text) else 0.0)
        if tag.name in _SELF_SCORING or not leaf:
            add(tag, score)
        parent = tag.parent
        while parent is not None and parent.name in _TRANSPARENT:
            parent = parent.parent  # list items score for the block holding the list
        add(parent, score)
        add(parent.parent if parent is not None else None, score * 0.5)
    for marked in [t for t in iter_tags(soup) if t.get("itemprop") == "articleBody"][:2]:
        # schema.org's own word for the article text: worth its text again
        add(marked, float(text_len(marked) - link_text_len(marked)))
    if not scores:
        return None
    best = max(scores.values())
    for key, tag in tags.items():
        if scores[key] >= _NEAR_BEST * best:
            depth[key] = sum(1 for _ in tag.parents)
    chosen = max(depth, key=lambda k: (depth[k], scores[k]))
    return tags[chosen], scores


def prose_len(tag: Tag) -> int:
    """Characters in an element's prose paragraphs (80+ characters, few links)."""
    total = 0
    for block in iter_tags(tag, _PROSE_TAGS) if tag.name not in ("p", "pre") else [tag]:
        n = text_len(block)
        if n >= _PROSE_MIN and link_text_len(block) < _SIBLING_MAX_LINKS * n:
            total += n
    return total


def _starts_with_rule(tag: Tag) -> bool:
    node: Tag | None = tag
    for _ in range(3):
        first = first_tag(node) if node is not None else None
        if not isinstance(first, Tag):
            return False
        if first.name == "hr":
            return True
        node = first
    return False


def with_siblings(container: Tag, scores: dict[int, float]) -> list[Tag]:
    """The container and the siblings that continue the article around it.

    Long articles are often split into sibling sections (between figures or ads), possibly
    each inside its own wrappers: climb the wrappers that add no text, then take the
    siblings at that level that hold prose and are not mostly links.
    """
    node = container
    own = text_len(container)
    while node.parent is not None and node.parent.name not in ("[document]", "html", "body"):
        if node.name in ("article", "main") or text_len(node.parent) - own > _WRAPPER_SLACK:
            break
        node = node.parent
    parent = node.parent
    if parent is None or parent.name in ("[document]", "html"):
        return [container]
    threshold = max(_SIBLING_PROSE, 0.1 * prose_len(container))
    siblings = [c for c in parent.children if isinstance(c, Tag)]
    index = next(i for i, c in enumerate(siblings) if c is node)

    def joins(sibling: Tag) -> bool | None:
        """True to take, False to skip over (small), None to stop the run."""
        if sibling.name == "hr" or _starts_with_rule(sibling):
            return None  # a thematic break: what follows is a boilerplate note
        if sibling.name not in BLOCKS:
            return False
        total = text_len(sibling)
        if total < _SMALL_BLOCK:
            return False
        text = sibling.get_text(" ")
        if link_text_len(sibling) > _SIBLING_MAX_LINKS * total or _LEGAL.search(text):
            return None
        return True if prose_len(sibling) >= threshold else None

    before: list[Tag] = []
    for sibling in reversed(siblings[:index]):
        verdict = joins(sibling)
        if verdict is None:
            break
        if verdict:
            before.insert(0, sibling)
    after: list[Tag] = []
    for sibling in siblings[index + 1 :]:
        verdict = joins(sibling)
        if verdict is None:
            break
        if verdict:
            after.append(sibling)
    return [*before, container, *after]


def read_blocks(container: Tag) -> list[str]:
    """Paragraph texts of a container, in document order, block by block.

    ``<br>`` separates paragraphs; lines that are mostly link text are dropped.
    """
    out: list[str] = []
    para = _Para([])

    def flush() -> None:
        nonlocal para
        text = _clean("".join(para.parts))
        if text and para.link_chars <= _MAX_LINK_SHARE * len(text):
            out.append(text)
        para = _Para([])

    work: list[object] = list(reversed(list(container.children)))
    if _is_leaf_block(container) and container.name in BODY_BLOCKS:
        work = [container]
    while work:
        node = work.pop()
        if node is _FLUSH:
            flush()
            continue
        if isinstance(node, NavigableString):
            if type(node) is NavigableString:
                para.parts.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name == "br":
            flush()
            continue
        if name in LEAF_BLOCKS and _is_leaf_block(node) and first_tag(node, _BR) is None:
            flush()
            if name in BODY_BLOCKS:
                text = _clean(node.get_text())
                links = link_text_len(node)
                if text and links <= _MAX_LINK_SHARE * len(text):
                    out.append(text)
            continue
        if name in BLOCKS:
            flush()
            if name in LEAF_BLOCKS and name not in BODY_BLOCKS:
                continue
            work.append(_FLUSH)
            work.extend(reversed(list(node.children)))
            continue
        if name == "a":
            text = node.get_text()
            para.link_chars += len(_clean(text))
            para.parts.append(text)
            continue
        work.extend(reversed(list(node.children)))
    flush()
    return out


_FLUSH = object()
_BR = frozenset(("br",))


def body_paragraphs(soup: BeautifulSoup) -> tuple[Tag | None, list[str]]:
    """``(container, paragraphs)`` of the main text of a cleaned soup."""
    found = _score_blocks(soup)
    if found is None:
        return None, []
    main, scores = found
    paragraphs: list[str] = []
    for part in with_siblings(main, scores):
        paragraphs.extend(read_blocks(part))
    return main, paragraphs


#: JSON keys whose list value may hold an article's paragraphs in embedded app state.
_JSON_TEXT_KEYS = ("text", "content", "value", "html")
_JSON_MIN_CHARS = 300
_JSON_MAX_NODES = 50_000


def paragraphs_from_data(json_ld: list[dict[str, Any]], app_state: list[Any]) -> list[str]:
    """Paragraphs a client-rendered page keeps only in its data, for when the HTML has none.

    JSON-LD ``articleBody`` first; else the longest list of text items found in embedded
    application state (``[{"type": "paragraph", "text": ...}, ...]``). The walk is bounded.
    """
    for obj in json_ld:
        body = obj.get("articleBody")
        if isinstance(body, str) and len(body.strip()) >= _JSON_MIN_CHARS:
            return [p for p in (_clean(x) for x in re.split(r"\n\s*\n|\n", body)) if p]
    best: list[str] = []
    stack: list[Any] = list(app_state)
    seen = 0
    while stack and seen < _JSON_MAX_NODES:
        node = stack.pop()
        seen += 1
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            texts = [_item_text(item) for item in node]
            found = [t for t in texts if t]
            if len(found) >= 2 and sum(map(len, found)) > sum(map(len, best)):
                best = found
            stack.extend(node)
    return best if sum(map(len, best)) >= _JSON_MIN_CHARS else []


def _item_text(item: Any) -> str:
    if isinstance(item, str):
        text = item
    elif isinstance(item, dict):
        text = next((v for k in _JSON_TEXT_KEYS if isinstance(v := item.get(k), str)), "")
    else:
        return ""
    text = _clean(re.sub(r"<[^>]+>", " ", text))
    return text if len(text) >= 20 and " " in text else ""
