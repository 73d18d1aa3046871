"""Autocomplete over the real sample index (index/suggest.py through Searcher)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import suggest
from index.search import Searcher


@pytest.fixture(scope="module")
def searcher(indexed_data_dir: Path) -> Searcher:
    return Searcher(indexed_data_dir)


def test_split_input_separates_the_unfinished_word() -> None:
    """The last word is completed only while it is being typed."""
    assert suggest.split_input("Notre Da") == (["notre"], "da")
    assert suggest.split_input("notre ") == (["notre"], "")
    assert suggest.split_input("") == ([], "")


def test_titles_come_first_then_words(searcher: Searcher) -> None:
    """A prefix gives titles holding a completion, then completed words."""
    found = suggest.suggest(searcher, "notr", 8)
    assert "notre dame" in found[0].lower()
    assert "notre" in found


def test_one_letter_after_a_word_completes(searcher: Searcher) -> None:
    """After a finished word a single letter is enough: the word narrows it."""
    found = suggest.suggest(searcher, "notre d", 8)
    assert "notre dame" in found
    assert all("notre" in s.lower() for s in found)


def test_a_single_letter_alone_suggests_nothing(searcher: Searcher) -> None:
    """One letter alone matches too much to help."""
    assert suggest.suggest(searcher, "n", 8) == []
    assert suggest.suggest(searcher, "", 8) == []
    assert suggest.suggest(searcher, "zzqx", 8) == []


def test_limit_is_kept(searcher: Searcher) -> None:
    """Never more than asked for."""
    assert len(suggest.suggest(searcher, "th", 3)) <= 3


def test_searcher_method_agrees(searcher: Searcher) -> None:
    """``Searcher.suggest`` (when present) gives the same answer as the module."""
    if not hasattr(searcher, "suggest"):
        pytest.skip("Searcher.suggest is not there yet")
    assert searcher.suggest("notr", 5) == suggest.suggest(searcher, "notr", 5)
