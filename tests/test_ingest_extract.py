"""ingest.extract: one page file -> Document or Skipped, for every kind of input."""

from __future__ import annotations

import codecs
import gzip
import json
import time
from pathlib import Path

import pytest

from ingest.document import (
    ARTICLE,
    BINARY,
    BROKEN,
    EMPTY,
    ERROR,
    LISTING,
    NOT_FOUND,
    Document,
    Skipped,
    content_hash,
    make_doc_id,
)
from ingest.extract import extract_document, extract_path
from ingest.options import IngestOptions
from ingest.sources import RawPage

PAGES = Path(__file__).parent / "resources" / "pages"
OPTIONS = IngestOptions()
STORY = (
    "<html><head><title>Mill workers offered new jobs - Gazette</title></head><body>"
    "<h1>Mill workers offered new jobs</h1><p class='byline'>By Ann Lee</p>"
    "<p>Workers at the closing textile mill have been offered jobs at a new plant, the owners "
    "said on Tuesday. Caf\u00e9 owners nearby welcomed the \u201cgood news\u201d.</p>"
    "<p>About 120 of the 150 staff are expected to accept, according to the union.</p>"
    "</body></html>"
)


def extract(name: str) -> Document | Skipped:
    return extract_path(PAGES / name, OPTIONS, PAGES)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / "site.example" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_article_fields() -> None:
    """A full page gives a clean Document: chrome, headline echo and byline gone."""
    doc = extract("news.example/2021/03/harbour-bridge-reopens.html")
    assert isinstance(doc, Document)
    assert doc.kind == ARTICLE
    assert doc.title == "Harbour bridge reopens after repairs"
    assert doc.author == "Jane Marlow"
    assert doc.published == "2021-03-04T09:15:00+01:00"
    assert doc.url == "https://news.example/2021/03/harbour-bridge-reopens.html"
    assert doc.site == "news.example"
    assert doc.canonical_url is None
    assert doc.id == make_doc_id(doc.url, doc.source_path)
    raw = (PAGES / "news.example/2021/03/harbour-bridge-reopens.html").read_bytes()
    assert doc.content_hash == content_hash(raw)
    assert doc.story is None
    assert doc.duplicate_of is None
    assert doc.body[0].startswith("The harbour bridge reopened")
    assert doc.body[-1] == "Cyclists will get a separate lane from April."
    text = doc.body_text
    for chrome in (
        "Share on Facebook",
        "We use cookies",
        "Subscribe",
        "About the author",
        "Related Posts",
        "Leave a Reply",
        "Advertisement",
        "Read more",
        "Photo:",
        "Most Read",
        "All rights reserved",
        "Council approves budget",
        "Finally!",
        "HARBOUR BRIDGE REOPENS",
        "Skip to content",
    ):
        assert chrome not in text, chrome


def test_pull_quote_not_doubled() -> None:
    """A pull quote repeating a body sentence does not appear twice."""
    doc = extract("news.example/2021/03/harbour-bridge-reopens.html")
    assert isinstance(doc, Document)
    assert doc.body_text.count("It is a relief") == 1


def test_real_paragraphs_kept_even_when_they_look_like_chrome() -> None:
    """A body paragraph naming the headline, a one-line quote and cookie words all stay."""
    doc = extract("news.example/2021/03/cookie-makers-share-recipe.html")
    assert isinstance(doc, Document)
    assert doc.body[0].startswith(
        "Bakers share the secret of the town's famous cookie at a festival"
    )
    assert '"Share it."' in doc.body
    assert len(doc.body) == 5
    assert doc.author == "Tom Avery"
    assert doc.published == "2021-03-07"
    assert doc.canonical_url == "https://other.example/food/bakers-share-cookie-secret"


def test_old_table_layout() -> None:
    """A table layout with <br> paragraphs: visible byline date beats the crawl-time meta."""
    doc = extract("other.example/gazette-1999.html")
    assert isinstance(doc, Document)
    assert doc.title == "Mill workers offered new jobs"
    assert doc.author == "Ann Lee"
    assert doc.published == "1999-11-23"
    assert len(doc.body) == 2
    assert "READ MORE" not in doc.body_text
    assert "Printer-friendly" not in doc.body_text


def test_listing_page() -> None:
    """A tag page of linked headlines is a listing."""
    result = extract("news.example/tag/transport.html")
    assert isinstance(result, Skipped)
    assert result.kind == LISTING
    assert result.reason


def test_not_found_page() -> None:
    """A 404 page that lists other headlines is not-found."""
    result = extract("news.example/2021/03/old-story.html")
    assert isinstance(result, Skipped)
    assert result.kind == NOT_FOUND


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("zero.html", b"", EMPTY),
        ("space.html", b"  \n\t \n", EMPTY),
        ("zero.html.gz", gzip.compress(b""), EMPTY),
        ("empty-doc.html", b"<html><head></head><body>  </body></html>", EMPTY),
        ("comment-only.html", b"<!-- saved by a crawler -->", EMPTY),
        ("truncated.html.gz", gzip.compress(STORY.encode() * 20)[:200], BROKEN),
        ("image.html", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, BINARY),
        ("doc.html", b"%PDF-1.7\n" + bytes(range(256)) * 8, BINARY),
        ("random.html", bytes(range(256)) * 16, BINARY),
    ],
)
def test_bad_inputs_are_reported(tmp_path: Path, name: str, data: bytes, kind: str) -> None:
    """Every bad input becomes a Skipped of the right kind, with a reason and the file hash."""
    result = extract_path(write(tmp_path, name, data), OPTIONS, tmp_path)
    assert isinstance(result, Skipped)
    assert result.kind == kind
    assert result.reason
    assert result.content_hash == content_hash(data)


@pytest.mark.parametrize(
    "data",
    [
        STORY.encode("cp1252"),  # undeclared windows-1252
        codecs.BOM_UTF8 + STORY.encode("utf-8"),
        codecs.BOM_UTF16_LE + STORY.encode("utf-16-le"),
        STORY.encode("utf-16-le"),
        gzip.compress(STORY.encode()),
    ],
    ids=["cp1252-undeclared", "utf8-bom", "utf16-bom", "utf16-no-bom", "gzip"],
)
def test_encodings(tmp_path: Path, data: bytes) -> None:
    """Any of these encodings gives the same clean text."""
    doc = extract_path(write(tmp_path, "story.html", data), OPTIONS, tmp_path)
    assert isinstance(doc, Document)
    assert doc.title == "Mill workers offered new jobs"
    assert "Café owners nearby welcomed the “good news”." in doc.body_text
    assert doc.url == "https://site.example/story.html"


def test_huge_page_is_bounded(tmp_path: Path) -> None:
    """A several-MB page with thousands of comments extracts quickly."""
    comments = "".join(
        f"<li class='comment'><p>Comment number {i} says hello.</p></li>" for i in range(40_000)
    )
    page = STORY.replace("</body>", f"<ol class='comments'>{comments}</ol></body>")
    path = write(tmp_path, "huge.html", page.encode())
    assert path.stat().st_size > 2_000_000
    start = time.perf_counter()
    doc = extract_path(path, OPTIONS, tmp_path)
    assert time.perf_counter() - start < 10
    assert isinstance(doc, Document)
    assert "Comment number" not in doc.body_text


def test_page_over_max_bytes_is_an_error(tmp_path: Path) -> None:
    """max_bytes refuses a file before parsing it."""
    path = write(tmp_path, "big.html", STORY.encode() * 10)
    result = extract_path(path, IngestOptions(max_bytes=1024), tmp_path)
    assert isinstance(result, Skipped)
    assert result.kind == ERROR


@pytest.mark.parametrize("depth", [300, 5000])
def test_deep_nesting(tmp_path: Path, depth: int) -> None:
    """Thousands of nested elements neither crash nor lose the article."""
    body = STORY.split("<body>")[1].split("</body>")[0]
    page = "<html><body>" + "<div class='w'>" * depth + body + "</div>" * depth + "</body></html>"
    doc = extract_path(write(tmp_path, "deep.html", page.encode()), OPTIONS, tmp_path)
    assert isinstance(doc, Document)
    assert "About 120 of the 150 staff" in doc.body_text


def test_extract_path_never_raises(tmp_path: Path) -> None:
    """A missing file or a directory gives an error record, not an exception."""
    for path in (tmp_path / "missing.html", tmp_path):
        result = extract_path(path, OPTIONS)
        assert isinstance(result, Skipped)
        assert result.kind == ERROR
        assert result.source_path == str(path)


def test_extract_document_is_pure() -> None:
    """extract_document works on a RawPage made in memory, without any file."""
    page = RawPage(source_path="mem.html", text=STORY, content_hash="x", size=len(STORY))
    doc = extract_document(page, OPTIONS)
    assert isinstance(doc, Document)
    assert doc.id == make_doc_id(None, "mem.html")
    assert doc.author == "Ann Lee"


def test_problem_page_becomes_skipped() -> None:
    """A RawPage carrying a read problem becomes a Skipped of that kind."""
    page = RawPage(source_path="x.html", text="", problem=(BROKEN, "truncated gzip stream"))
    result = extract_document(page, OPTIONS)
    assert isinstance(result, Skipped)
    assert (result.kind, result.reason) == (BROKEN, "truncated gzip stream")


def test_listing_of_cards_without_headings() -> None:
    """A section front made of linked card titles and teasers (no headings) is a listing."""
    items = "".join(
        f"<li><a href='/s{i}.html'>Council story number {i} about the harbour</a>"
        f"<p>A short teaser sentence that sums up story number {i} in one line.</p></li>"
        for i in range(8)
    )
    text = f"<html><head><title>Local | Site</title></head><body><h1>Local</h1><ul>{items}</ul>"
    result = extract_document(RawPage(source_path="local.html", text=text, size=len(text)), OPTIONS)
    assert isinstance(result, Skipped)
    assert result.kind == LISTING


def test_headline_saying_not_found_is_still_an_article() -> None:
    """'Missing hiker not found' with a real body is news, not a 404 page."""
    para = "<p>Rescue teams searched the hills above the village for a third day on Sunday. </p>"
    text = (
        "<html><head><title>Missing hiker not found after three days</title></head><body>"
        f"<h1>Missing hiker not found after three days</h1>{para * 8}</body></html>"
    )
    result = extract_document(RawPage(source_path="h.html", text=text, size=len(text)), OPTIONS)
    assert isinstance(result, Document)


def test_monstrous_page_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_ELEMENTS the rest of a page is cut, so time stays bounded (limit lowered here)."""
    monkeypatch.setattr("ingest.parse.MAX_ELEMENTS", 2_000)
    paras = "".join(
        f"<p>Paragraph {i} has a few words in it for the test.</p>" for i in range(10_000)
    )
    text = (
        f"<html><head><title>Big</title></head><body><h1>Big</h1><div>{paras}</div></body></html>"
    )
    doc = extract_document(RawPage(source_path="big.html", text=text, size=len(text)), OPTIONS)
    assert isinstance(doc, Document)
    assert 1_000 < len(doc.body) < 2_000


def test_client_rendered_page_uses_embedded_state() -> None:
    """A page whose HTML is an empty app shell takes its text from the embedded JSON."""
    paras = [
        {"type": "paragraph", "text": f"Sentence number {i} of the story, told in the app state."}
        for i in range(8)
    ]
    state = json.dumps({"props": {"article": {"headline": "Shell page", "body": paras}}})
    text = (
        "<html><head><title>Shell page - Site</title>"
        f"<script id='__NEXT_DATA__' type='application/json'>{state}</script></head>"
        "<body><div id='root'><h1>Shell page</h1></div></body></html>"
    )
    doc = extract_document(RawPage(source_path="app.html", text=text, size=len(text)), OPTIONS)
    assert isinstance(doc, Document)
    assert len(doc.body) == 8
    assert doc.body[0].startswith("Sentence number 0")


def test_json_ld_article_body_fallback() -> None:
    """JSON-LD articleBody is used when the HTML shows no text."""
    body = "First paragraph of the story with enough words. " * 4
    body += "\\n\\nSecond paragraph of the story, also long enough. " * 3
    ld = json.dumps({"@type": "NewsArticle", "headline": "LD page", "articleBody": body})
    text = (
        "<html><head><title>LD page</title>"
        f"<script type='application/ld+json'>{ld}</script></head>"
        "<body><h1>LD page</h1></body></html>"
    )
    doc = extract_document(RawPage(source_path="ld.html", text=text, size=len(text)), OPTIONS)
    assert isinstance(doc, Document)
    assert doc.body[0].startswith("First paragraph")


def test_extraction_keeps_no_parsed_tree_alive() -> None:
    """A worker extracts thousands of pages: nothing may hold a page's tree afterwards.

    A NavigableString is a ``str`` that references its whole tree; one used as a cache key
    kept up to 4,096 parsed pages alive per worker (800 MB and half-second GC pauses on
    table-layout sites). Neither the caches nor the returned documents may hold one.
    """
    import gc

    from bs4.element import PageElement

    sample = Path(__file__).parent.parent / "search_service" / "sample" / "pages"
    paths = sorted(p for p in sample.rglob("*") if p.is_file())
    assert len(paths) >= 20

    def alive() -> int:  # other tests of the session may still hold trees of their own
        gc.collect()
        return sum(isinstance(o, PageElement) for o in gc.get_objects())

    before = alive()
    results = [extract_path(p, OPTIONS, sample) for p in paths]
    assert sum(isinstance(r, Document) for r in results) >= 20
    after = alive()
    assert after <= before, f"{after - before} parsed elements outlive extraction"
