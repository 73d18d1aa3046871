"""How documents are scored: BM25 over the pooled ``text`` field, a title and a section
signal, and a proximity bonus for adjacent query words.

Every parameter lives in :class:`RankingParams` so that the benchmark can cross-validate it
(``bench/ir.py scifact --cv``) and the Searcher can be opened with another set for tests.
The defaults below are what 5-fold cross-validation picked (protocol in bench/ir.py's
docstring; ``python bench/ir.py scifact --cv`` then ``python bench/ir.py scraped --cv``):

- SciFact, 300 claims, 16 configurations (k1 0.9/1.2, title weight 0.2/0.3, exact-form weight
  0/0.2, function words dropped or kept): the same configuration won on all 5 folds, k1 1.2,
  title 0.3, exact 0.2, function words dropped; held-out nDCG@10 0.6984 (Nov 2026).
- Scraped news sample, 195 queries, with the SciFact choice in place, 16 configurations
  (proximity 0/0.3/1/2 x section 0.25/0.5/1/2): proximity 2 and section 1 won on 4 of 5
  folds; held-out nDCG@10 0.9563 (all-queries 0.9590; without proximity and section 0.5: 0.9467).
  Proximity is set to 1, not 2: 1 scores 0.9582 on the news queries (within noise of 0.9590)
  and costs less on SciFact's three short claims, the only ones it reaches there (SciFact
  nDCG@10 with proximity 0 / 0.3 / 1 / 2: 0.6984 / 0.6979 / 0.6960 / 0.6942).

Hyphenated words are also indexed and searched joined ("IL-6" -> ``il6``: index.schema
joined_forms; SCHEMA_VERSION 5), so "IL-6", "IL6" and "Bcl-2"/"Bcl2" meet and "N-terminal"
keeps its "N". SciFact nDCG@10 0.6984 -> 0.7074 (30 of 300 claims move, 17 up, 13 down;
+0.0091, standard error 0.0054), Recall@100 0.9220 -> 0.9209 (one relevant abstract of one
claim falls below rank 100); the 16 configurations above, cross-validated on the new index:
held-out 0.7054 (0.6984 before), the same defaults picked on 3 of 5 folds (exact weight 0 on
the others); cross-validated over both indexes x the 16 configurations, the joined index is
picked on every fold. Scraped news: nDCG@10 0.9572 -> 0.9571 (2 of 195 queries move),
cross-validated 0.9553 -> 0.9550.
Searching the joined form only (not the parts): 0.6901; the parts only, with the joined
forms in the index: 0.7028; the joined form instead of the parts in the index: 0.6768.
Measured beside it and not kept (Nov 2026, same queries): Whoosh's Porter stemmer 0.6956,
Whoosh's own Porter2 0.6985, a plural-only "S" stemmer 0.6772, Greek letters folded to their
names (CharsetFilter: "TNF-\u03b1" = "TNF-alpha") 0.6974 alone, +0.0012 over the joined forms
(3 claims, s.e. 0.0021), single letters and digits kept in the index (StopFilter minsize 1)
0.6993; query words typed in capitals ("DNA", "BRCA1") or gene-like ("miR", "IgA", "APOE4")
weighed x1.25 / 1.5 / 2: 0.6988 / 0.6937 / 0.6870 and 0.6977 / 0.6967 / 0.6887, or their
exact-form weight 0.5 / 1: 0.6986 / 0.6909 and 0.6975 / 0.6929.

Not kept, measured on SciFact with the same queries: RM3 pseudo-relevance feedback (10 docs,
10 terms, original weight 0.5: 0.639, weight 0.85 over 3 docs: 0.678, against 0.696 without),
BM25+ (delta 0.5: 0.691), a best-passage score added to the document's (0.695 -> 0.683..0.695),
title idf taken from the pooled field (0.693), the title repeated inside the pooled field,
weighing a long query's words by (idf / mean idf) ** p (p 0.5: 0.688, 1: 0.678, -0.3: 0.686:
Lucene's idf is already the right balance).

Also not kept (SciFact, all 300 claims, with the queries evaluated by index.engine; the
defaults above score 0.6984; Nov 2026). Every variant lands within 0.002 above or below the
defaults or clearly under them; none was worth a knob:

- A finer k1 x b grid for the pooled field (k1 0.6-2.0 x b 0.5-1.0, 63 points): a plateau of
  0.694-0.699 for k1 0.8-1.2 and b 0.7-1.0 (best 0.6986 at k1 0.8, b 1.0); k1 >= 1.6 or
  b <= 0.6 lose 0.005-0.014.
- Title weight 0.2-0.5 x title b 0-0.75 (30 points): 0.6886-0.6984, the default on top.
- Exact-form weight 0-0.5: 0.6953 (0) .. 0.6999 (0.15) .. 0.6961 (0.3-0.4): noise-level.
- Exact document lengths instead of Whoosh's one-byte quantised ones: 0.6983 (a schema change
  for nothing).
- A query word's frequency in the query: one clause per distinct word 0.6960 against the
  linear count (repeated words weigh more) 0.6984.
- idf: log(N/df) 0.6949, Whoosh's 0.6917, Robertson's clipped at 0 0.6921, Lucene's ** 0.8
  0.6914, ** 1.2 0.6915.
- Query-time textbook BM25F (title term frequency pooled into the text's before saturation,
  title weight 0.3 / 0.5 / 1 / 1.5 / 2, instead of an added title score): 0.6908 / 0.6927 /
  0.6955 / 0.6929 / 0.6908.
- Sequential dependence for long queries (adjacent query-word pairs within slop 1/2/4/8 of
  each other, weight 0.05-0.3 of the pair's word scores): 0.6888-0.6984 (weight 0.2, slop 1
  ties the defaults; others lose).
- A coordination factor (matched words / query words) ** p on long queries: p 0.1 0.6966,
  0.25 0.6890, 0.5 0.6819, 1 0.6676 (BM25's sum already rewards matching more words).
- Function words of long queries kept at weight 0.25 instead of dropped: 0.6984 (a tie), 0.5:
  0.6967, kept at full weight: 0.6950.
- Single letters and digits the stemmed analysis drops (vitamin "D", type "1", "IL-6"),
  searched in the exact-form field at weight 0.1-1: 0.6945-0.6977; numbers of long claims
  dropped: 0.6968, at weight 0.5: 0.6973.

Cross-validated the same way as the defaults (5 folds, query i -> fold i mod 5), none of these
grids beats the defaults' held-out 0.6984: k1 x b, 63 points: 0.6963 (16 points, k1 0.9-1.4 x
b 0.7-0.9: 0.6972; k1 1.2, b 0.75 picked on 4 folds); title weight x title b, 30 points:
0.6958; long-query proximity, 17 points: 0.6943; exact-form weight 0 / 0.1 / 0.15 / 0.2 / 0.25
/ 0.3 / 0.4 / 0.5: 0.69986, 0.15 picked on all 5 folds, but against 0.2 it moves 14 of 300
queries (9 up, 5 down), +0.0015 with a standard error of 0.0021: noise, and in steps of 0.1
(without 0.15) the held-out figure is 0.6965. A finer grid of one knob lowers the held-out
figure as often as it raises it: the ranking sits on a plateau. (These figures are from schema 4,
before the joined forms above; what moved the ranking off the plateau was the analysis, not a
parameter.)
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
    exact_weight: float = 0.2
    #: Weight of a URL-section match ("business" in /business/...): news only.
    section_weight: float = 1.0
    #: Weight of a pair of adjacent query words found within ``slop`` positions in the text,
    #: for queries of at most ``proximity_max_words`` words ("united nations", names).
    proximity_weight: float = 1.0
    proximity_slop: int = 1
    #: Proximity only for queries of at most this many words: on SciFact's long claims it
    #: added 0.0006 nDCG@10 (0.6905 -> 0.6911 at weight 0.2) for 5x the CPU per query (62 ->
    #: 310 ms: Whoosh phrase matchers read positions in Python); names in short news queries
    #: are where it counts.
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
    #: Title matches weighed by the word's rarity in whole documents (the pooled field)
    #: rather than among titles: BM25F's one idf per word, so a common word that happens to
    #: be rare in titles does not get a title-sized bonus.
    title_idf_from_text: bool = False
    #: Weight of the joined form of a hyphenated query word ("IL6" for "IL-6": index.schema
    #: joined_forms), added to the scores of its parts; 0 searches the parts only. SciFact
    #: nDCG@10 0 / 0.5 / 0.75 / 1 / 1.5 / 2 / 3: 0.7028 / 0.7058 / 0.7061 / 0.7074 / 0.7100 /
    #: 0.7058 / 0.7053. 1.5 is a peak within noise of 1 (cross-validated over 0-2 it is picked
    #: on every fold, 0.7100; with 3 in the grid one fold picks 3, 0.7040): 1, a word like any.
    joined_weight: float = 1.0

    def with_(self, **changes: Any) -> RankingParams:
        """A copy with some knobs changed (for cross-validation)."""
        return replace(self, **changes)


DEFAULT_PARAMS = RankingParams()

#: English function words (the NLTK list, 179 words): left out of long queries only.
FUNCTION_WORDS = frozenset(
    """
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
""".split()
)


class LuceneBM25(WeightingModel):
    """BM25 with Lucene's idf, ``log(1 + (N - df + 0.5) / (df + 0.5))``.

    Whoosh's own idf, ``log(N / (df + 1)) + 1``, keeps a floor of 1 for words in every
    document, so common words of long queries (``show``, ``effect``) still weigh a lot; the
    Lucene form drops them towards 0 (SciFact nDCG@10 with the pooled field: 0.677 Lucene idf;
    Anserini's BM25 on the same collection reports 0.679).
    """

    use_final = False

    def __init__(
        self,
        k1: float,
        b: float,
        field_b: dict[str, float] | None = None,
        idf_field: dict[str, str] | None = None,
    ) -> None:
        self.k1 = k1
        self.b = b
        self.field_b = dict(field_b or {})
        self.idf_field = dict(idf_field or {})

    def idf(self, searcher: Any, fieldname: str, text: str) -> float:
        parent = searcher.get_parent()
        df = parent.doc_frequency(self.idf_field.get(fieldname, fieldname), text)
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
    idf_field = {"title": "text"} if params.title_idf_from_text else {}
    return LuceneBM25(params.k1, params.b, {"title": params.title_b}, idf_field)
