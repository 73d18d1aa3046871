"""The UI string catalogue: every key the code asks for exists, and no entry is dead."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from search_service.messages import MESSAGES, msg, msg_n

PACKAGE = Path(__file__).resolve().parent.parent / "search_service"
LITERAL_KEY = re.compile(r"""msg(?:_n|_or)?\(\s*["']([a-z0-9_.]+)["']""")
#: Keys built at run time: "sort." ~ sort, f"error.{status}", "within." ~ period, msg_n's
#: ".one"/".other".
DYNAMIC_PREFIXES = ("sort.", "error.", "within.")


def data_keys() -> set[str]:
    """Keys held as data: the search tips' explanations and the embed.js widget's wording."""
    from search_service.embed import WIDGET_STRINGS
    from search_service.tips import TIPS

    keys = set(WIDGET_STRINGS)
    for section, examples in TIPS:
        keys.add(section)
        keys.update(meaning for _, meaning in examples)
    return keys


def used_keys() -> set[str]:
    """Every key passed literally to msg/msg_n/msg_or in templates and modules, or held as
    data for them."""
    sources = [*PACKAGE.glob("templates/*"), *PACKAGE.glob("*.py")]
    literal = {key for path in sources for key in LITERAL_KEY.findall(path.read_text())}
    return literal | data_keys()


def test_every_key_used_exists() -> None:
    """A typo in a key would only fail when that page renders; catch it here."""
    plural_stems = {key.rsplit(".", 1)[0] for key in MESSAGES if key.endswith((".one", ".other"))}
    missing = {
        key
        for key in used_keys()
        if key not in MESSAGES and key not in plural_stems and not key.endswith(".")
    }
    assert missing == set()


def test_no_entry_is_dead() -> None:
    """Each entry is used literally, through msg_n, or through a documented dynamic prefix."""
    used = used_keys()
    dead = {
        key
        for key in MESSAGES
        if key not in used
        and key.rsplit(".", 1)[0] not in used
        and not key.startswith(DYNAMIC_PREFIXES)
    }
    assert dead == set()


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "0 results"), (1, "1 result"), (1234, "1,234 results")]
)
def test_plural_forms(count: int, expected: str) -> None:
    """msg_n picks the singular only for exactly one, and groups thousands."""
    assert msg_n("count.results", count) == expected


def test_messages_are_plain_text() -> None:
    """Filled-in messages are str, not Markup, so Jinja escapes what they echo."""
    filled = msg("results.none", q="<b>x</b>")
    assert type(filled) is str
    assert "<b>x</b>" in filled  # escaping happens on output, in the template


def test_no_key_is_written_twice() -> None:
    """A repeated key in the dict literal silently replaces the first entry."""
    import ast
    from collections import Counter

    tree = ast.parse((PACKAGE / "messages.py").read_text())
    keys = [
        key.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for key in node.keys
        if isinstance(key, ast.Constant)
    ]
    assert [key for key, count in Counter(keys).items() if count > 1] == []
