"""Spelling corrections of the words a user typed, against the indexed vocabulary.

Words are corrected raw, against the unstemmed ``words`` field (titles and bodies): Whoosh's
``correct_query`` corrects the *stemmed* query term against unstemmed words and gets
``diabtes`` -> ``diet`` (field guide §7.5). A word is only corrected when the index does not
know it; the candidate is the nearest known word (Damerau-Levenshtein distance 1, else 2
for words of 5 letters or more), the most frequent one among equals.
"""

from __future__ import annotations

import re
from typing import Any

#: Words shorter than this are never corrected (too many neighbours to choose from).
MIN_WORD = 4
#: Edit distance 2 only for words at least this long.
MIN_WORD_DIST2 = 6
#: Unknown words looked up per query: each lookup walks the part of the vocabulary that
#: starts with its first letter, so a query of 30 made-up words must not walk it 30 times.
MAX_LOOKUPS = 5


def correct_word(reader: Any, word: str) -> str | None:
    """The correction of one word, or None when it is known or nothing is near."""
    low = word.lower()
    if len(low) < MIN_WORD or not low.isalpha():
        return None
    if reader.doc_frequency("words", low) > 0:
        return None
    for maxdist in (1, 2):
        if maxdist == 2 and len(low) < MIN_WORD_DIST2:
            break
        best: tuple[int, str] | None = None
        # prefix=1: typos rarely hit the first letter, and it makes the lexicon walk ~20x shorter
        for cand in reader.terms_within("words", low, maxdist, prefix=1):
            if cand == low:
                continue
            df = reader.doc_frequency("words", cand)
            # the most frequent candidate; ties alphabetically (terms_within has no order)
            if best is None or df > best[0] or (df == best[0] and cand < best[1]):
                best = (df, cand)
        if best is not None:
            return _same_case(word, best[1])
    return None


def _same_case(typed: str, fixed: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return fixed.upper()
    if typed[:1].isupper():
        return fixed[:1].upper() + fixed[1:]
    return fixed


def correct_text(reader: Any, text: str, words: tuple[str, ...]) -> str | None:
    """``text`` with each unknown word of ``words`` replaced by its correction (None when
    nothing changed). Replaces whole words only, keeping operators and phrases as typed."""
    fixes = {}
    looked = 0
    for w in dict.fromkeys(words):
        low = w.lower()
        if len(low) < MIN_WORD or not low.isalpha() or reader.doc_frequency("words", low) > 0:
            continue
        looked += 1
        if looked > MAX_LOOKUPS:
            break
        fixed = correct_word(reader, w)
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
