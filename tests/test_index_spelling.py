"""index.spelling: corrections drawn from the indexed words, found as Whoosh would find them."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from index.models import SearchRequest
from index.search import Searcher
from index.spelling import Vocabulary, correct_text, correct_word


def _typos(words: list[str], n: int, seed: int = 3) -> list[str]:
    """Single and double edits of real words (never of the first letter)."""
    rng = random.Random(seed)
    out = []
    letters = "abcdefghijklmnopqrstuvwxyz"
    for _ in range(n):
        w = list(rng.choice(words))
        for _ in range(rng.choice([1, 1, 2])):
            i = rng.randrange(1, len(w))
            op = rng.choice(["sub", "del", "ins"])
            if op == "sub":
                w[i] = rng.choice(letters)
            elif op == "del" and len(w) > 2:
                del w[i]
            else:
                w.insert(i, rng.choice(letters))
        out.append("".join(w))
    return out


@pytest.fixture(scope="module")
def searcher(indexed_data_dir: Path) -> Searcher:
    return Searcher(indexed_data_dir)


def test_candidates_are_whooshs_levenshtein_matches(searcher: Searcher) -> None:
    with searcher._use() as gen:
        reader = gen.searcher.reader()
        vocab = Vocabulary(reader)
        words = [
            w for w in (t.decode() for t in reader.lexicon("words")) if w.isalpha() and len(w) > 4
        ]
        assert len(words) > 200
        checked = 0
        for typo in _typos(words, 150):
            for maxdist in (1, 2):
                expected = {
                    t for t in reader.terms_within("words", typo, maxdist, prefix=1) if t != typo
                }
                got = {w for w, _ in vocab.within(typo, maxdist)}
                assert got == expected, typo
                checked += len(expected)
        assert checked > 50  # the typos do have neighbours


def test_known_words_and_short_words_are_left_alone(searcher: Searcher) -> None:
    with searcher._use() as gen:
        vocab = gen.vocabulary
        known = next(
            w
            for w in (t.decode() for t in gen.searcher.reader().lexicon("words"))
            if len(w) > 5 and w.isalpha()
        )
        assert correct_word(vocab, known) is None
        assert correct_word(vocab, "xq") is None  # too short to guess
        assert correct_word(vocab, "zzzzzzzzqqq") is None  # nothing near


def test_a_typo_gets_the_most_frequent_neighbour(searcher: Searcher) -> None:
    with searcher._use() as gen:
        vocab = gen.vocabulary
        reader = gen.searcher.reader()
        word = max(
            (
                w
                for w in (t.decode() for t in reader.lexicon("words"))
                if w.isalpha() and len(w) > 6
            ),
            key=lambda w: reader.doc_frequency("words", w),
        )
        typo = word[:3] + word[4:]  # one letter dropped
        fixed = correct_word(vocab, typo)
        assert fixed is not None
        assert reader.doc_frequency("words", fixed) >= reader.doc_frequency("words", word)
        assert (
            correct_text(vocab, f'{typo} "{typo}" -{typo}', (typo,))
            == f'{fixed} "{fixed}" -{fixed}'
        )
        res = searcher.search(SearchRequest(q=typo.upper()))
        assert res.suggestion is not None or res.corrected
