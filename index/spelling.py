"""Spelling corrections of the words a user typed, against the indexed vocabulary.

Words are corrected raw, against the unstemmed ``words`` field (titles and bodies): Whoosh's
``correct_query`` corrects the *stemmed* query term against unstemmed words and gets
``diabtes`` -> ``diet`` (field guide §7.5). A word is only corrected when the index does not
know it; the candidate is the nearest known word (Damerau-Levenshtein distance 1, else 2
for words of 5 letters or more), the most frequent one among equals.

Candidates are found in a :class:`Vocabulary` read once per opened generation and grouped
by first letter and length, with rapidfuzz's C++ Levenshtein distance: Whoosh's
``terms_within`` walks the lexicon with a Levenshtein automaton in Python (p95 65 ms per
typo query at 10k documents, rising with the vocabulary). Same rule as Whoosh's (plain
Levenshtein, first letter fixed), checked against it by tests/test_index_spelling.py.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

#: Words shorter than this are never corrected (too many neighbours to choose from).
MIN_WORD = 4
#: Edit distance 2 only for words at least this long.
MIN_WORD_DIST2 = 6
#: Unknown words looked up per query: each lookup walks the part of the vocabulary that
#: starts with its first letter, so a query of 30 made-up words must not walk it 30 times.
MAX_LOOKUPS = 5


class Vocabulary:
    """The words of the ``words`` field with their document frequencies, by first letter
    and length (read lazily, once per generation)."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._lock = threading.Lock()
        self._groups: dict[tuple[str, int], tuple[list[str], list[int]]] | None = None

    def frequency(self, word: str) -> int:
        """Documents holding ``word`` (0 when unknown)."""
        return int(self._reader.doc_frequency("words", word))

    def _load(self) -> dict[tuple[str, int], tuple[list[str], list[int]]]:
        with self._lock:
            if self._groups is None:
                groups: dict[tuple[str, int], tuple[list[str], list[int]]] = {}
                for tbytes, info in self._reader.iter_field("words"):
                    term = tbytes.decode("utf-8") if isinstance(tbytes, bytes) else tbytes
                    if not term:
                        continue
                    words, freqs = groups.setdefault((term[0], len(term)), ([], []))
                    words.append(term)
                    freqs.append(info.doc_frequency())
                self._groups = groups
            return self._groups

    def within(self, word: str, maxdist: int) -> list[tuple[str, int]]:
        """Known words at Levenshtein distance 1..``maxdist`` of ``word`` with the same
        first letter, with their document frequencies."""
        groups = self._load()
        out: list[tuple[str, int]] = []
        for length in range(max(1, len(word) - maxdist), len(word) + maxdist + 1):
            found = groups.get((word[0], length))
            if found is None:
                continue
            words, freqs = found
            for cand, _dist, i in process.extract_iter(
                word, words, scorer=Levenshtein.distance, score_cutoff=maxdist
            ):
                if cand != word:
                    out.append((cand, freqs[i]))
        return out


def correct_word(vocab: Vocabulary, word: str) -> str | None:
    """The correction of one word, or None when it is known or nothing is near."""
    low = word.lower()
    if len(low) < MIN_WORD or not low.isalpha():
        return None
    if vocab.frequency(low) > 0:
        return None
    for maxdist in (1, 2):
        if maxdist == 2 and len(low) < MIN_WORD_DIST2:
            break
        # the most frequent candidate; ties alphabetically
        found = vocab.within(low, maxdist)
        if found:
            best = min(found, key=lambda cf: (-cf[1], cf[0]))
            return _same_case(word, best[0])
    return None


def _same_case(typed: str, fixed: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return fixed.upper()
    if typed[:1].isupper():
        return fixed[:1].upper() + fixed[1:]
    return fixed


def correct_text(vocab: Vocabulary, text: str, words: tuple[str, ...]) -> str | None:
    """``text`` with each unknown word of ``words`` replaced by its correction (None when
    nothing changed). Replaces whole words only, keeping operators and phrases as typed."""
    fixes = {}
    looked = 0
    for w in dict.fromkeys(words):
        low = w.lower()
        if len(low) < MIN_WORD or not low.isalpha() or vocab.frequency(low) > 0:
            continue
        looked += 1
        if looked > MAX_LOOKUPS:
            break
        fixed = correct_word(vocab, w)
        if fixed is not None:
            fixes[w] = fixed
    if not fixes:
        return None
    pattern = re.compile(
        r"(?<![\w:])("
        + "|".join(re.escape(w) for w in sorted(fixes, key=len, reverse=True))
        + r")(?!\w)"
    )
    return pattern.sub(lambda m: fixes[m.group(1)], text)
