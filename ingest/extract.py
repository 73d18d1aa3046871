"""RawPage -> Document | Skipped: the extraction stage for one page.

:func:`extract_document` is pure (no I/O): it parses the page once, reads the metadata
while the page is whole, removes chrome, finds the article paragraphs, removes duplicated
headline fragments and decides what kind of page this is. :func:`extract_path` reads a file
and extracts it, and never raises: one bad page must not stop a run.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from bs4 import Tag

from ingest.body import body_paragraphs, paragraphs_from_data
from ingest.boilerplate import clean_chrome, clean_lines, first_tag, has_ancestor, iter_tags
from ingest.document import (
    ARTICLE,
    EMPTY,
    ERROR,
    LISTING,
    NOT_FOUND,
    Document,
    Skipped,
    make_doc_id,
)
from ingest.headlines import HeadlineContext, clean_headlines
from ingest.metadata import (
    choose_author,
    choose_title,
    clean_text,
    resolve_urls,
    site_name,
)
from ingest.options import IngestOptions
from ingest.parse import ParsedPage, parse_html
from ingest.published import choose_published
from ingest.sources import RawPage, read_page

log = logging.getLogger(__name__)

_NOT_FOUND = re.compile(
    r"\b(?:404|page not found|not found|no longer (?:available|exists)|"
    r"(?:does not|doesn't|could not|couldn't|cannot|can't) (?:exist|be found)|"
    r"nothing (?:was )?found|page (?:is )?missing|error 404)\b",
    re.IGNORECASE,
)
_MIN_ARTICLE_CHARS = 80
_MAX_NOT_FOUND_CHARS = 600
_TEASER_HEADINGS = frozenset(("h2", "h3", "h4"))
_TEASER_TAGS = _TEASER_HEADINGS | {"a"}
_PROSE_PARENTS = frozenset(("p", "blockquote", "td"))
_CARD_BLOCKERS = _TEASER_HEADINGS | _PROSE_PARENTS
_A = frozenset(("a",))
_H1 = frozenset(("h1",))
_SENTENCE = re.compile(r"\w{2,}.*\w.*[.!?][\"'\u201d\u2019)]?$")


def _headline_links(parsed: ParsedPage) -> list[str]:
    """Texts of links that look like other articles' headlines (4+ words)."""
    return [t for t in parsed.link_texts if 4 <= len(t.split()) <= 30]


def _teaser_count(soup: Tag, *, cards: bool = True) -> int:
    """Linked headlines: the items of a section front or tag page.

    A heading holding a link counts, and with ``cards`` so does a link of four words or more
    that stands on its own (a card title) rather than inside a sentence of a paragraph.
    """
    count = 0
    for tag in iter_tags(soup, _TEASER_TAGS):
        if tag.name == "a":
            if (
                cards
                and not has_ancestor(tag, _CARD_BLOCKERS)
                and (len(tag.get_text(" ").split()) >= 4)
            ):
                count += 1
        elif first_tag(tag, _A) is not None:
            count += 1
    return count


def _first_sentence(text: str, limit: int = 150) -> str:
    """The first sentence of a paragraph, cut at a word boundary near ``limit`` characters."""
    match = re.match(r"(.+?[.!?])(?:\s|$)", text)
    sentence = match.group(1) if match else text
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0] + "\u2026"


def _has_article_markup(parsed: ParsedPage) -> bool:
    """Whether the page declares itself an article (og:type, JSON-LD type, published time)."""
    if any(v.strip().lower() == "article" for v in parsed.meta.get("og:type", ())):
        return True
    if "article:published_time" in parsed.meta:
        return True
    for obj in parsed.json_ld:
        kind = obj.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and ("Article" in k or k == "BlogPosting") for k in kinds):
            return True
    return False


def _looks_like_listing(parsed: ParsedPage, teasers_in_main: int, teasers: int, chars: int) -> bool:
    """A section front or tag page: linked headlines with little text between them.

    A page that declares itself an article needs more evidence, because gift guides and
    live pages also link their subheadings.
    """
    per_teaser = chars / max(1, teasers_in_main)
    if _has_article_markup(parsed):
        return teasers_in_main >= 5 and per_teaser < 200
    return (teasers_in_main >= 3 and per_teaser < 400) or (teasers >= 5 and chars < 600)


def _is_not_found(parsed: ParsedPage, title: str) -> bool:
    texts = [parsed.head_title or "", title]
    h1 = first_tag(parsed.soup, _H1)
    if isinstance(h1, Tag):
        texts.append(h1.get_text(" "))
    return any(_NOT_FOUND.search(t) for t in texts if t and len(t) < 120)


def _skip(
    page: RawPage,
    kind: str,
    reason: str,
    url: str | None = None,
    site: str | None = None,
    title: str | None = None,
) -> Skipped:
    return Skipped(
        source_path=page.source_path,
        kind=kind,
        reason=reason,
        url=url,
        site=site or page.site,
        title=title or None,
        content_hash=page.content_hash,
    )


def extract_document(page: RawPage, options: IngestOptions) -> Document | Skipped:
    """Turn one read page into a Document, or say why it is not an article.

    Args:
        page: the decoded page with what its path tells (see :func:`ingest.sources.read_page`).
        options: extraction settings (size limits).

    Returns:
        A Document of kind ``article``, or a Skipped whose ``kind`` is ``listing``,
        ``not-found``, ``empty``, ``binary``, ``broken`` or ``error`` with a one-line reason.
        Bad input never raises: it is a kind and a reason.
    """
    if page.problem is not None:
        return _skip(page, page.problem[0], page.problem[1])
    if page.size > options.max_bytes:
        return _skip(
            page, ERROR, f"page of {page.size} bytes exceeds max_bytes {options.max_bytes}"
        )
    if not page.text.strip():
        return _skip(page, EMPTY, "empty page: no text")
    try:
        parsed = parse_html(page.text)
    except ValueError as err:  # only comments or an XML declaration: nothing to parse
        return _skip(page, EMPTY, f"empty page: {err}")
    soup = parsed.soup
    if not parsed.head_title and next(soup.stripped_strings, None) is None:  # no text at all
        return _skip(page, EMPTY, "empty HTML document: no text in <body>")
    name = site_name(parsed)
    url, canonical, site = resolve_urls(parsed, page.url, page.site)
    title = choose_title(parsed, site)
    author = choose_author(parsed, name, site, title)
    published = choose_published(parsed, title)
    other_headlines = [h for h in _headline_links(parsed) if h != title]
    labels = tuple({t for t in parsed.link_texts if len(t.split()) <= 3})
    teasers_before = _teaser_count(soup, cards=False)  # page-wide: linked headings only

    says_not_found = _is_not_found(parsed, title)
    clean_chrome(soup)
    main, paragraphs = body_paragraphs(soup)
    if sum(map(len, paragraphs)) < _MIN_ARTICLE_CHARS:
        # a client-rendered page: the text is only in JSON-LD or the app's embedded state
        paragraphs = paragraphs_from_data(parsed.json_ld, parsed.app_state) or paragraphs
    teasers_in_main = _teaser_count(main) if main is not None else 0
    ctx = HeadlineContext(
        title=title,
        other_headlines=tuple(other_headlines),
        link_labels=labels,
        site_names=tuple(x for x in (name, site) if x),
    )
    paragraphs = clean_headlines(clean_lines(paragraphs), ctx)
    chars = sum(len(p) for p in paragraphs)
    if says_not_found and chars < _MAX_NOT_FOUND_CHARS:
        # "Missing hiker not found" is a headline; a 404 page has next to no text
        return _skip(
            page, NOT_FOUND, f"a 'not found' page: {clean_text(title)[:80]!r}", url, site, title
        )
    if not title and paragraphs:
        title = _first_sentence(paragraphs[0])  # a page with no headline anywhere
    if _looks_like_listing(parsed, teasers_in_main, teasers_before, chars):
        return _skip(
            page,
            LISTING,
            f"a section front or tag page: {teasers_before} headline links, "
            f"{chars} characters of text",
            url,
            site,
            title,
        )
    if (
        chars < _MIN_ARTICLE_CHARS
        and not any(_SENTENCE.search(p) for p in paragraphs)
        and not (paragraphs and _has_article_markup(parsed))
    ):
        if teasers_before >= 3 or len(other_headlines) >= 5:
            return _skip(
                page,
                LISTING,
                f"a listing: {len(other_headlines)} headline links and no article text",
                url,
                site,
                title,
            )
        return _skip(page, EMPTY, f"no article text ({chars} characters)", url, site, title)
    doc_url = url
    return Document(
        id=make_doc_id(doc_url, page.source_path),
        url=doc_url,
        site=site,
        title=title,
        author=author,
        published=published,
        body=tuple(paragraphs),
        kind=ARTICLE,
        canonical_url=canonical,
        source_path=page.source_path,
        content_hash=page.content_hash,
        extra={"encoding": page.encoding} if page.encoding else {},
    )


def extract_path(
    path: Path, options: IngestOptions, root: Path | None = None
) -> Document | Skipped:
    """Read and extract one file; never raises.

    Args:
        path: the page file (``.html``, ``.htm`` or gzipped); kept as given in source_path.
        options: size limits.
        root: the pages root whose first level names the site, to derive URL and site.

    Returns:
        The Document, or a Skipped with the reason (any unexpected failure is ``error``).
    """
    try:
        page = read_page(path, options, root)
        return extract_document(page, options)
    except Exception as err:
        log.warning(
            "extraction failed for %s: %s", path, err, exc_info=log.isEnabledFor(logging.DEBUG)
        )
        return Skipped(
            source_path=str(path),
            kind=ERROR,
            reason=f"extraction failed: {type(err).__name__}: {err}",
        )
