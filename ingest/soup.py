"""A pruned lxml ``<body>`` -> BeautifulSoup, without parsing any markup a second time.

Building the soup was the largest single cost of extraction (a fifth of the CPU per page).
``BeautifulSoup(lxml.html.tostring(body), "lxml")`` serialised the tree lxml had already
built, parsed it again, and went through bs4's generic per-event machinery: a builder
callback that re-dicts every attribute, then ``handle_starttag`` / ``endData`` /
``object_was_parsed`` / ``pushTag`` / ``_popToTag`` per node, each re-checking parse filters
and namespace stacks that an HTML body never uses.

:func:`soup_of` walks the lxml tree once and creates the same ``Tag`` and string objects
with the same links (parent, contents, previous/next element and sibling) that bs4's
``lxml`` builder gives, so every cleaning rule sees the soup it saw before. Two paths:

* the direct path fills each ``Tag`` from a per-soup template of the fields ``Tag.__init__``
  sets (about 3x faster than going through the handlers);
* the handler path calls ``handle_starttag``/``handle_data``/``handle_endtag`` like bs4's own
  lxml builder; it is used when bs4's ``Tag`` does not have the fields the template knows
  (another bs4 version), so an upgrade costs speed, never correctness.
``tests/test_ingest_parse.py`` checks both against the re-parse on real pages, node by node.
"""

from __future__ import annotations

import functools
from typing import Any

import lxml.etree
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.builder._lxml import LXMLTreeBuilder
from bs4.element import XMLAttributeDict

#: Fields of a bs4 ``Tag`` that the direct path sets; another set means another bs4 layout.
_TAG_FIELDS = frozenset(
    (
        "_namespaces",
        "attribute_value_list_class",
        "attrs",
        "can_be_empty_element",
        "cdata_list_attributes",
        "contents",
        "hidden",
        "interesting_string_types",
        "known_xml",
        "name",
        "namespace",
        "next_element",
        "next_sibling",
        "parent",
        "parser_class",
        "prefix",
        "preserve_whitespace_tags",
        "previous_element",
        "previous_sibling",
        "sourceline",
        "sourcepos",
    )
)
_STRING_FIELDS = frozenset(
    ("hidden", "next_element", "next_sibling", "parent", "previous_element", "previous_sibling")
)
#: What bs4's ``endData`` treats as blank (a blank string becomes "\n" or " ").
_ASCII_SPACES = frozenset("\x20\x0a\x09\x0c\x0d")


class _TreeFeeder(LXMLTreeBuilder):
    """bs4's lxml builder, fed an lxml tree instead of markup."""

    def __init__(self, body: Any, *, direct: bool = True) -> None:
        super().__init__()
        self._body = body
        self._direct = direct

    def feed(self, markup: Any) -> None:
        soup = self.soup
        assert soup is not None  # set by BeautifulSoup before feed()
        if self._direct and _has_known_layout():
            _build_direct(soup, self, self._body)
        else:
            _build_with_handlers(soup, self.active_namespace_prefixes[-1], self._body)


def soup_of(body: Any, *, direct: bool = True) -> BeautifulSoup:
    """The BeautifulSoup of a pruned lxml ``<body>`` (an empty soup for ``None``).

    Args:
        body: the ``<body>`` element; comments and processing instructions are expected to
            be gone (their tails are kept if not).
        direct: False forces the (slower) handler path; tests compare the two.

    Returns:
        The soup ``BeautifulSoup(lxml.html.tostring(body), "lxml")`` gives: ``html > body``,
        the same tags, attributes (``class`` split into lists), strings and string types.
    """
    if body is None:
        return BeautifulSoup("", "lxml")
    return BeautifulSoup("", builder=_TreeFeeder(body, direct=direct))


@functools.cache
def _has_known_layout() -> bool:
    """Whether the installed bs4 gives Tag and string objects the fields this module sets.

    Cached: a fact about the installed bs4, the same for every page of a process.
    """
    soup = BeautifulSoup("", "lxml")
    probe = Tag(soup, soup.builder, "p")
    text = NavigableString("x")
    return probe.__dict__.keys() == _TAG_FIELDS and text.__dict__.keys() == _STRING_FIELDS


def _build_with_handlers(soup: BeautifulSoup, namespaces: dict[str, str], body: Any) -> None:
    """The events bs4's lxml builder would send for ``tostring(body)``, from the tree."""
    start, end, data = soup.handle_starttag, soup.handle_endtag, soup.handle_data
    start("html", None, None, XMLAttributeDict(), namespaces=namespaces)
    for event, el in lxml.etree.iterwalk(body, events=("start", "end")):
        tag = el.tag
        if not isinstance(tag, str):  # a comment or PI that pruning left: keep its tail
            if event == "end" and el.tail:
                data(el.tail)
            continue
        if event == "start":
            start(tag, None, None, XMLAttributeDict(el.attrib), namespaces=namespaces)
            if el.text:
                data(el.text)
        else:
            end(tag)
            if el.tail:  # the body's own tail (text after </body>) goes into <html>
                data(el.tail)
    end("html")


def _build_direct(soup: BeautifulSoup, builder: LXMLTreeBuilder, body: Any) -> None:
    """Create the soup's nodes and links straight from the tree (see the module docstring)."""
    namespaces = builder.active_namespace_prefixes[-1]
    common = {
        "parser_class": type(soup),
        "namespace": None,
        "prefix": None,
        "sourceline": None,
        "sourcepos": None,
        "attribute_value_list_class": builder.attribute_value_list_class,
        "known_xml": builder.is_xml,
        "hidden": False,
        "cdata_list_attributes": builder.cdata_list_attributes,
        "preserve_whitespace_tags": builder.preserve_whitespace_tags,
    }
    containers = builder.string_containers
    empty_ok = builder.can_be_empty_element
    split_lists = builder._replace_cdata_list_attribute_values
    keep_blank = builder.preserve_whitespace_tags
    main_types = Tag.MAIN_CONTENT_STRING_TYPES
    new_tag = Tag.__new__
    string_class = NavigableString

    parent: Any = soup
    stack: list[Any] = []
    kinds: list[type] = []  # string classes of the open string containers (<rt>, <rp>)
    pre_depth = 0  # open <pre>/<textarea>: blank strings kept as they are
    last: Any = None  # the most recent node: previous_element of the next one
    pending: list[str] = []

    def link(node: Any) -> None:
        nonlocal last
        node.parent = parent
        node.previous_element = last
        if last is not None:
            last.next_element = node
        node.next_element = None
        siblings = parent.contents
        before = siblings[-1] if siblings else None
        node.previous_sibling = before
        if before is not None:
            before.next_sibling = node
        node.next_sibling = None
        siblings.append(node)
        last = node

    def flush() -> None:
        text = "".join(pending) if len(pending) > 1 else pending[0]
        pending.clear()
        if not pre_depth and all(ch in _ASCII_SPACES for ch in text):
            text = "\n" if "\n" in text else " "
        link((kinds[-1] if kinds else string_class)(text))

    def open_tag(name: str, attrib: Any) -> None:
        nonlocal parent, pre_depth
        if pending:
            flush()
        tag = new_tag(Tag)
        fields = tag.__dict__
        fields.update(common)
        fields["name"] = name
        fields["_namespaces"] = namespaces
        attrs = XMLAttributeDict(attrib) if attrib else XMLAttributeDict()
        fields["attrs"] = split_lists(name, attrs) if attrs else attrs
        fields["contents"] = []
        fields["can_be_empty_element"] = empty_ok(name)
        kind = containers.get(name)
        fields["interesting_string_types"] = {kind} if kind is not None else main_types
        link(tag)
        if name == "meta":
            builder.set_up_substitutions(tag)
        stack.append((parent, kind is not None, name in keep_blank))
        if kind is not None:
            kinds.append(kind)
        if name in keep_blank:
            pre_depth += 1
        parent = tag

    def close_tag() -> None:
        nonlocal parent, pre_depth
        if pending:
            flush()
        parent, was_container, was_pre = stack.pop()
        if was_container:
            kinds.pop()
        if was_pre:
            pre_depth -= 1

    open_tag("html", None)
    for event, el in lxml.etree.iterwalk(body, events=("start", "end")):
        tag = el.tag
        if not isinstance(tag, str):
            if event == "end" and el.tail:
                pending.append(el.tail)
            continue
        if event == "start":
            open_tag(tag, el.attrib)
            if el.text:
                pending.append(el.text)
        else:
            close_tag()
            if el.tail:
                pending.append(el.tail)
    close_tag()
    soup._most_recent_element = last
