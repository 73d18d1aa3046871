"""How documents are scored: BM25 over the pooled ``text`` field, a title and a section
signal, and a proximity bonus for adjacent query words.

Every parameter lives in :class:`RankingParams` so that the benchmark can cross-validate it
(``bench/ir.py scifact --cv``) and the Searcher can be opened with another set for tests.
The defaults below are what 5-fold cross-validation over the SciFact queries picked
(the protocol and figures are in bench/ir.py's docstring); the news-only knobs (section)
were checked on the scraped sample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from whoosh.scoring import WeightingModel, WeightLengthScorer, WeightScorer


@dataclass(frozen=True, slots=True)
class RankingParams:
    """Knobs of the ranking function (see the module docstring for how they were chosen)."""

    #: BM25 term-frequency saturation and length normalisation of the pooled ``text`` field.
    k1: float = 1.2
    b: float = 0.75
    #: Length normalisation of the title (short and of similar length: less normalisation).
    title_b: float = 0.3
    #: Weight of a title match added to the pooled-text score of the same word. 0.3 beat
    #: 0 (0.677) and 0.5 (0.682) on SciFact: 0.691 (title-heavy weights overcount titles).
    title_weight: float = 0.3
    #: Weight of a match of the word exactly as typed (unstemmed ``words`` field), on top of
    #: the stemmed match: "induction" ranks documents saying "induction" above "inductive".
    exact_weight: float = 0.0
    #: Weight of a URL-section match ("business" in /business/...): news only.
    section_weight: float = 0.5
    #: Weight of a pair of adjacent query words found within ``slop`` positions in the text.
    #: Off: on SciFact it added 0.0006 nDCG@10 (0.6905 -> 0.6911 at weight 0.2) for 5x the
    #: CPU per query (62 -> 310 ms: Whoosh phrase matchers read positions in Python).
    proximity_weight: float = 0.0
    proximity_slop: int = 1
    #: Proximity only for queries of at most this many words: on long ones it costs 5x the
    #: CPU for nothing measurable (SciFact, above); names in short news queries ("united
    #: nations") are where it counts.
    proximity_max_words: int = 4
    #: Queries with at most this many words rank documents with every word first (what a
    #: search-box user expects); longer ones are ranked by score alone, since BM25 already
    #: rewards matching more words and a strict tier put partial matches of long claims
    #: below weaker complete ones (SciFact: see bench/ir.py).
    strict_tier_max_words: int = 4
    #: Long queries (more words than ``strict_tier_max_words``) leave out function words
    #: (``FUNCTION_WORDS``): in a 12-word claim "has", "were", "than" only add noise, while
    #: in a short query ("the who") they may be the point.
    drop_function_words: bool = True

    def with_(self, **changes: Any) -> RankingParams:
        """A copy with some knobs changed (for cross-validation)."""
        return replace(self, **changes)


DEFAULT_PARAMS = RankingParams()

#: English function words (the NLTK list, 179 words): left out of long queries only.
FUNCTION_WORDS = frozenset("""
i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself
yourselves he him his himself she she's her hers herself it it's its itself they them their
theirs themselves what which who whom this that that'll these those am is are was were be been
being have has had having do does did doing a an the and but if or because as until while of
at by for with about against between into through during before after above below to from up
down in out on off over under again further then once here there when where why how all any
both each few more most other some such no nor not only own same so than too very s t can will
just don don't should should've now d ll m o re ve y ain aren aren't couldn couldn't didn
didn't doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't ma mightn mightn't mustn
mustn't needn needn't shan shan't shouldn shouldn't wasn wasn't weren weren't won won't wouldn
wouldn't
""".split())


class LuceneBM25(WeightingModel):
    """BM25 with Lucene's idf, ``log(1 + (N - df + 0.5) / (df + 0.5))``.

    Whoosh's own idf, ``log(N / (df + 1)) + 1``, keeps a floor of 1 for words in every
    document, so common words of long queries (``show``, ``effect``) still weigh a lot; the
    Lucene form drops them towards 0 (SciFact nDCG@10 with the pooled field: 0.677 Lucene idf;
    Anserini's BM25 on the same collection reports 0.679).
    """

    use_final = False

    def __init__(self, k1: float, b: float, field_b: dict[str, float] | None = None) -> None:
        self.k1 = k1
        self.b = b
        self.field_b = dict(field_b or {})

    def idf(self, searcher: Any, fieldname: str, text: str) -> float:
        parent = searcher.get_parent()
        df = parent.doc_frequency(fieldname, text)
        n = parent.doc_count_all()
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def scorer(self, searcher: Any, fieldname: str, text: str, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:  # e.g. ID fields (document lookups)
            return WeightScorer.for_(searcher, fieldname, text)
        return _BM25Scorer(searcher, fieldname, text, self.field_b.get(fieldname, self.b), self.k1)


class _BM25Scorer(WeightLengthScorer):
    def __init__(self, searcher: Any, fieldname: str, text: str, b: float, k1: float) -> None:
        parent = searcher.get_parent()
        self.idf = parent.idf(fieldname, text)
        self.avgfl = parent.avg_field_length(fieldname) or 1
        self.b, self.k1 = b, k1
        self.setup(searcher, fieldname, text)

    def _score(self, weight: float, length: int) -> float:
        norm = self.k1 * (1 - self.b + self.b * length / self.avgfl)
        return self.idf * weight * (self.k1 + 1) / (weight + norm)


def weighting(params: RankingParams) -> LuceneBM25:
    """The Whoosh weighting model for ``params``."""
    return LuceneBM25(params.k1, params.b, {"title": params.title_b})
