"""The article's paragraphs: find the main text container of a cleaned soup, read its blocks.

The container is the element whose paragraphs carry the most non-link text (each paragraph
scores for its parent and, halved, its grandparent), as in Readability. Its blocks are read
in order; text sitting directly in a container (``<div>text<br><br>text</div>``) becomes
paragraphs too.
"""

from __future__ import annotations

import logging
import re

from bs4 import BeautifulSoup, NavigableString, Tag

from ingest.boilerplate import link_text_len, text_len

log = logging.getLogger(__name__)

#: Elements that are one paragraph of text.
LEAF_BLOCKS = frozenset(("p", "pre", "blockquote", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt",
                         "td", "th", "address", "figcaption", "summary", "caption"))
#: Elements that only group other blocks.
GROUP_BLOCKS = frozenset(("div", "section", "article", "main", "body", "ul", "ol", "dl", "table",
                          "tbody", "thead", "tfoot", "tr", "center", "header", "footer", "aside",
                          "nav", "figure", "details", "fieldset", "form", "hgroup", "html"))
#: Leaf blocks kept as body paragraphs.
BODY_BLOCKS = frozenset(("p", "pre", "blockquote", "li", "dd", "td"))
_MIN_PARAGRAPH_SCORE = 25
_SPACE = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def find_main(soup: BeautifulSoup) -> Tag | None:
    """The element whose paragraphs carry the most non-link text, or None without paragraphs."""
    scores: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    for para in soup.find_all(["p", "pre", "blockquote", "td", "dd"]):
        n = text_len(para)
        if n < _MIN_PARAGRAPH_SCORE:
            continue
        links = link_text_len(para)
        score = (n - links) * 1.0 + 50
        if score <= 50:
            continue
        parent = para.parent
        for share in (1.0, 0.5):
            if not isinstance(parent, Tag) or parent.name in ("html", "[document]"):
                break
            scores[id(parent)] = scores.get(id(parent), 0.0) + score * share
            tags[id(parent)] = parent
            parent = parent.parent
    if not scores:
        divs = [d for d in soup.find_all(["div", "section", "article", "td"]) if text_len(d) >= 200]
        if not divs:
            return None
        return max(divs, key=lambda d: text_len(d) - 2 * link_text_len(d) - 0.001 * len(d.find_all()))
    best = max(scores, key=lambda k: scores[k])
    return tags[best]


def read_blocks(container: Tag) -> list[str]:
    """Paragraph texts of a container, in document order, block by block."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        text = _clean("".join(pending))
        pending.clear()
        if text:
            out.append(text)

    stack: list[object] = [container]
    # Iterative walk: markers flush the inline run that precedes and follows each block.
    work: list[object] = list(reversed(list(container.children)))
    while work:
        node = work.pop()
        if node is _FLUSH:
            flush()
            continue
        if isinstance(node, NavigableString):
            if type(node) is NavigableString:
                pending.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name == "br":
            if pending and pending[-1] == "\n":
                flush()
            else:
                pending.append("\n")
            continue
        if name in LEAF_BLOCKS and not _has_block_child(node):
            flush()
            if name in BODY_BLOCKS or name == "blockquote":
                text = _clean(node.get_text(" "))
                if text:
                    out.append(text)
            continue
        if name in LEAF_BLOCKS or name in GROUP_BLOCKS:
            flush()
            work.append(_FLUSH)
            work.extend(reversed(list(node.children)))
            continue
        pending.append(node.get_text(" ") if name not in ("sup", "sub") else node.get_text())
    flush()
    del stack
    return [p for p in out if p]


_FLUSH = object()


def _has_block_child(tag: Tag) -> bool:
    for child in tag.children:
        if isinstance(child, Tag) and (child.name in GROUP_BLOCKS or child.name in LEAF_BLOCKS):
            return True
    return False


def body_paragraphs(soup: BeautifulSoup) -> tuple[Tag | None, list[str]]:
    """``(container, paragraphs)`` of the main text of a cleaned soup."""
    main = find_main(soup)
    if main is None:
        return None, []
    return main, read_blocks(main)
