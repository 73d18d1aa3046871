"""ingest.boilerplate: each chrome rule on a small page, and what must survive them."""

from __future__ import annotations

import pytest

from ingest.boilerplate import (
    CLEANERS,
    clean_chrome,
    clean_lines,
    drop_byline_lines,
    drop_captions,
    drop_chrome_lines,
    drop_chrome_tags,
    drop_hidden,
    drop_link_lists,
    drop_named_chrome,
    drop_pull_quotes,
    is_bulk_chrome,
    is_byline_or_date_line,
    iter_tags,
)
from ingest.parse import parse_html

ARTICLE = (
    "<p>The council voted on Tuesday to keep the library open for another five years, "
    "after a campaign by residents that gathered more than 4,000 signatures.</p>"
    "<p>Opening hours will be extended on Saturdays, and the reading room will be repainted "
    "in the summer, the library's manager said at the meeting.</p>"
    "<p>The building, which dates from 1904, needs a new roof within a decade, according "
    "to a survey that the council commissioned last year.</p>"
)


def soup_of(body: str):
    return parse_html(f"<html><body>{body}</body></html>").soup


def text_of(body: str, rule) -> str:
    soup = soup_of(body)
    rule(soup)
    return " ".join(soup.get_text(" ").split())


def test_cleaners_are_listed_in_order() -> None:
    """CLEANERS is one ordered tuple of named rules."""
    assert drop_chrome_tags in CLEANERS
    assert len(set(CLEANERS)) == len(CLEANERS)


def test_nav_aside_footer_dropped() -> None:
    """Navigation, sidebars and footers go."""
    text = text_of(
        f"<nav><a href='/'>Home</a></nav><div>{ARTICLE}</div>"
        "<aside>Most Read</aside><footer>All rights reserved</footer>",
        drop_chrome_tags,
    )
    assert "Home" not in text
    assert "Most Read" not in text
    assert "All rights" not in text
    assert "library open" in text


def test_footer_holding_the_article_kept() -> None:
    """A container tag is never removed when it holds the article paragraphs."""
    text = text_of(f"<footer class='x'>{ARTICLE}</footer>", drop_chrome_tags)
    assert "library open" in text


@pytest.mark.parametrize(
    ("markup", "gone"),
    [
        ("<div class='share-bar'><a href='#'>Share on Facebook</a></div>", "Share on Facebook"),
        ("<div id='cookie-consent'><p>We use cookies.</p></div>", "We use cookies"),
        ("<div class='newsletter-signup'><p>Subscribe to our newsletter</p></div>", "Subscribe"),
        ("<div class='related-posts'><h3>Related Posts</h3></div>", "Related Posts"),
        ("<section class='author-box'><p>About the author</p></section>", "About the author"),
        ("<div class='ad-slot'>Advertisement</div>", "Advertisement"),
        ("<div class='readMore'>Read more</div>", "Read more"),
    ],
)
def test_named_chrome_dropped(markup: str, gone: str) -> None:
    """Elements whose class or id names chrome are removed."""
    text = text_of(f"<div>{ARTICLE}</div>{markup}", drop_named_chrome)
    assert gone not in text
    assert "library open" in text


def test_named_chrome_does_not_match_inside_words() -> None:
    """'ad' inside 'header' or 'lead', 'share' inside 'shareholders' are not chrome words."""
    text = text_of(
        "<div class='lead'><p>Shareholders met.</p></div>"
        f"<div class='article-head'>{ARTICLE}</div>",
        drop_named_chrome,
    )
    assert "Shareholders met" in text
    assert "library open" in text


def test_container_named_like_chrome_kept_when_it_holds_the_article() -> None:
    """A wrapper with a chrome-like class but real paragraphs survives."""
    text = text_of(f"<div class='share-wrapper'>{ARTICLE}</div>", drop_named_chrome)
    assert "library open" in text


def test_hidden_dropped() -> None:
    """hidden, aria-hidden and display:none elements are not shown to readers."""
    text = text_of(
        "<p hidden>secret one</p><p aria-hidden='true'>secret two</p>"
        "<p style='display: none'>secret three</p><p>visible</p>",
        drop_hidden,
    )
    assert text == "visible"


def test_captions_dropped() -> None:
    """Figure captions describe pictures, not the story."""
    text = text_of(
        "<figure><figcaption>Photo: archive</figcaption></figure><p>Story.</p>", drop_captions
    )
    assert text == "Story."


def test_inline_read_more_dropped_but_sentence_kept() -> None:
    """'Read more: <link>' lines go; a sentence that starts 'Read more' without a link stays."""
    text = text_of(
        "<p><strong>Read more:</strong> <a href='/x'>Other story</a></p>"
        "<p>Read more books, the minister urged parents at the launch on Monday.</p>"
        "<p>Watch out for ice on the <a href='/roads'>hill roads</a>, police warned.</p>"
        "<p><b>WATCH:</b> <a href='/v'>The moment the bridge opened</a></p>",
        drop_chrome_lines,
    )
    assert "Other story" not in text
    assert "Read more books" in text
    assert "Watch out for ice" in text
    assert "The moment the bridge opened" not in text


def test_link_lists_dropped() -> None:
    """A block that is mostly links (prev/next headlines, tag lists) goes."""
    text = text_of(
        "<div><a href='/a'>Previous headline here</a> <a href='/b'>Next headline</a></div>"
        f"<div>{ARTICLE}</div>",
        drop_link_lists,
    )
    assert "Previous headline" not in text
    assert "library open" in text


def test_paragraph_with_one_link_kept() -> None:
    """A prose paragraph containing a link is not a link list."""
    text = text_of(
        "<p>The report, <a href='/r'>published on Monday</a>, found that rents rose "
        "by a fifth in two years across the region.</p>",
        drop_link_lists,
    )
    assert "published on Monday" in text


def test_article_about_cookies_survives_everything() -> None:
    """Words like 'cookie' and 'share' in the prose do not make it chrome."""
    body = (
        "<article><p>We use cookies from the bakery on Main Street in every recipe, "
        "the cafe owner said, and customers share them at the table.</p>"
        "<p>Accept all cookies, she joked, because the oat ones are the best in town.</p></article>"
    )
    soup = soup_of(body)
    clean_chrome(soup)
    text = soup.get_text(" ")
    assert "We use cookies from the bakery" in text
    assert "Accept all cookies, she joked" in text


def test_comment_sections_pruned_before_the_soup() -> None:
    """Comment sections are removed while parsing (they can be huge)."""
    assert is_bulk_chrome("comments-area", None)
    assert is_bulk_chrome(None, "respond")
    assert not is_bulk_chrome("commentary", None)
    soup = soup_of(f"<div>{ARTICLE}</div><ol class='comment-list'><li>First!</li></ol>")
    assert "First!" not in soup.get_text()


@pytest.mark.parametrize(
    "line",
    [
        "By Jane Marlow",
        "Posted on 2004-04-01",
        "Ingrid Kaur · 2004-11-04 01:54",
        "By Ann Lee on 1999-11-23",
        "Saturday, October 23, 2004",
        "4 March 2021, 09:15",
        "Updated 5 March 2021",
    ],
)
def test_byline_and_date_lines(line: str) -> None:
    """Bylines and bare dates are recognised."""
    assert is_byline_or_date_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "By Tuesday the river had risen by two metres and the road was closed.",
        "By noon, the crowd had gone.",
        "1,375",
        "2000 GMT",
        "Published in 1998, the novel sold a million copies.",
        '"Share it."',
        "It was 2004.",
        "Cyclists will get a separate lane from April.",
    ],
)
def test_prose_is_not_a_byline(line: str) -> None:
    """Sentences, even short ones or ones starting with 'By', are prose."""
    assert not is_byline_or_date_line(line)


def test_byline_lines_only_at_the_edges() -> None:
    """Bylines are dropped at the start or end of the body, not in the middle."""
    paras = ["By Jane Marlow", "One.", "Two.", "Three.", "By the way", "Four.", "Five.", "Six."]
    assert drop_byline_lines(paras) == paras[1:]


def test_clean_lines_drops_stock_chrome() -> None:
    """'Advertisement' and 'Share on Facebook' lines are stock chrome anywhere."""
    assert clean_lines(["One.", "Advertisement", "Two.", "Share on Facebook", "Three."]) == [
        "One.",
        "Two.",
        "Three.",
    ]


def test_pull_quote_repeating_the_body_dropped() -> None:
    """A blockquote repeating a body sentence (no telling class) is a pull quote."""
    text = text_of(
        "<p>\u201cWe will rebuild the pier this year,\u201d the mayor said on Monday.</p>"
        "<blockquote>We will rebuild the pier this year</blockquote>",
        drop_pull_quotes,
    )
    assert text.count("rebuild the pier") == 1


def test_real_block_quote_kept() -> None:
    """A blockquote that says something the body does not is kept."""
    text = text_of(
        "<p>The letter was read aloud at the meeting.</p>"
        "<blockquote>We ask the council to keep the library open on Sundays.</blockquote>",
        drop_pull_quotes,
    )
    assert "keep the library open" in text


def test_has_ancestor_is_find_parent_without_filters() -> None:
    """has_ancestor answers what find_parent(...) is not None answers: parents only, not self."""
    from ingest.boilerplate import has_ancestor

    soup = soup_of("<ul><li><p>one <a href='/'>two <b>three</b></a></p></li></ul><p>four</p>")
    for node in soup.descendants:
        for names in (frozenset({"li"}), frozenset({"a"}), frozenset({"p", "ul"})):
            assert has_ancestor(node, names) == (node.find_parent(list(names)) is not None)


def test_first_tag_and_text_len_answer_as_find_and_get_text() -> None:
    """first_tag is find() (first element, or first with a name); text_len is the length of
    get_text(" ") with whitespace collapsed, nested strings and tails included."""
    from ingest.boilerplate import first_tag, text_len

    soup = soup_of(
        "<div><p>  One <a href='/'>two</a>\n three</p><ul><li>four<br>five</li></ul>"
        "<h1>Six <b> seven </b></h1></div>"
    )
    for tag in soup.find_all(True):
        assert text_len(tag) == len(" ".join(tag.get_text(" ").split()))
        assert first_tag(tag) is tag.find(True)
        for names in (frozenset({"a"}), frozenset({"br", "h1"})):
            assert first_tag(tag, names) is tag.find(list(names))


def test_page_element_list_follows_every_rule() -> None:
    """iter_tags(soup) keeps one element list per page: after each rule has decomposed what
    it removes, it is exactly what a fresh walk of the page gives."""
    from bs4 import Tag

    soup = soup_of(
        "<header><a href='/'>Home</a></header><nav><a href='/a'>A</a><a href='/b'>B</a></nav>"
        "<div class='share-bar'><a href='/s'>Share</a></div><div hidden>gone</div>"
        f"<article><figure><figcaption>Photo</figcaption></figure>{ARTICLE}"
        "<p>Advertisement</p><ul><li><a href='/x'>One long related headline here</a></li>"
        "<li><a href='/y'>Another long related headline</a></li></ul></article>"
    )
    iter_tags(soup)  # the list is made here, before any rule runs
    for rule in CLEANERS:
        rule(soup)
        fresh = [t for t in soup.descendants if isinstance(t, Tag)]
        listed = iter_tags(soup)
        assert len(listed) == len(fresh)
        assert all(a is b for a, b in zip(listed, fresh, strict=True))
    assert iter_tags(soup, frozenset({"p"})) == soup.find_all("p")
