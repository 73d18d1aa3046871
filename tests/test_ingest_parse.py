"""ingest.parse: the soup built from the pruned lxml tree is the soup a re-parse would give."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from bs4 import BeautifulSoup, NavigableString, Tag

from ingest.parse import _parse_lxml, _prune, parse_html, soup_of

PAGES = Path(__file__).parent / "resources" / "pages"

TRICKY = """<!DOCTYPE html><html lang="en"><head><title>T</title></head>
<body class="article  page"><header id="top"><a href="/">Home</a></header>
<main><article>
<h1 class="headline big">Council keeps the library open</h1>
<p>First &amp; <b>bold</b> tail text<br>after a break, caf\u00e9 &eacute; &#8212; done.</p>
<p rel="x">Ruby <ruby>\u6f22<rt>kan</rt></ruby> and
<a rel="nofollow noopener" href="/x">a link</a>.</p>
<pre>  kept
   whitespace  </pre>
<ul><li>one</li><li>two</ul>
<!-- a comment --><script>var x = 1;</script>trailing text
</article></main></body></html> after body"""


def reparsed(text: str) -> BeautifulSoup:
    """The soup the old path made: serialise the pruned body and let bs4 parse it again."""
    body = _parse_lxml(text).find("body")
    _prune(body)
    return BeautifulSoup(lxml.html.tostring(body, encoding="unicode"), "lxml")


def shape(soup: BeautifulSoup) -> list[tuple[str, object]]:
    """Every node in document order: tags with their attributes, strings with their type."""
    out: list[tuple[str, object]] = []
    for node in soup.descendants:
        if isinstance(node, Tag):
            out.append((node.name, dict(node.attrs)))
        elif isinstance(node, NavigableString):
            out.append((type(node).__name__, str(node)))
    return out


def test_tree_soup_equals_reparsed_soup() -> None:
    """Tags, multi-valued attributes, string types and tails match a re-parse exactly."""
    built = parse_html(TRICKY).soup
    assert shape(built) == shape(reparsed(TRICKY))
    assert str(built) == str(reparsed(TRICKY))
    assert built.find("h1")["class"] == ["headline", "big"]
    assert built.find("a", href="/x")["rel"] == ["nofollow", "noopener"]


@pytest.mark.parametrize("path", sorted(PAGES.rglob("*.html")), ids=lambda p: p.name)
def test_tree_soup_equals_reparsed_soup_on_pages(path: Path) -> None:
    """On the real-looking fixture pages the two soups serialise identically."""
    text = path.read_text(encoding="utf-8", errors="replace")
    assert str(parse_html(text).soup) == str(reparsed(text))


def test_no_body_gives_an_empty_soup() -> None:
    """A document without <body> still yields a (empty) soup the cleaners can walk."""
    assert soup_of(None).get_text() == ""
