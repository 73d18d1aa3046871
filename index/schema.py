"""The Whoosh schema: which fields exist, how they are analysed, what is stored.

Analyzers come from ``whoosh.analysis`` only: the schema is pickled into every index, so a
custom analyzer would have to stay importable at the same path forever
(../shared/docs/whoosh-field-guide.md §7.3).
"""

from __future__ import annotations

import re

from whoosh.analysis import (
    Analyzer,
    LowercaseFilter,
    RegexTokenizer,
    ShingleFilter,
    StandardAnalyzer,
    StemFilter,
    StopFilter,
)
from whoosh.fields import DATETIME, ID, NUMERIC, STORED, TEXT, Schema

#: Bump when the schema changes: a generation built with another version is rebuilt.
#: 2: ``text`` (title and body pooled), ``section`` (URL path words), ``words`` (spelling).
#: 3: Snowball English (Porter2) stemming instead of Porter.
#: 4: ``pairs`` (adjacent stems of title and body as one term each).
#: 5: hyphenated words also indexed joined in ``text`` and ``pairs`` ("IL-6" -> ``il6``).
SCHEMA_VERSION = 5

#: Fields a query may name (``title:word``); ``author`` and ``site`` search their text.
SEARCHABLE_FIELDS = ("title", "body", "site", "author")


def text_analyzer() -> Analyzer:
    """Title, body and query analysis: Whoosh's tokenizer, lower case, its stop list and the
    Snowball English (Porter2) stemmer. Porter2 over Porter: SciFact nDCG@10 0.682 vs 0.677
    on the pooled field, 0.696 vs 0.693 with the title signal (same queries, Nov 2026).
    Built only from ``whoosh.analysis`` classes, so the pickled schema stays readable."""
    return RegexTokenizer() | LowercaseFilter() | StopFilter() | StemFilter(lang="en")


#: Words joined by single hyphens, as the tokenizer splits them ("IL-6", "anti-inflammatory",
#: "phosphatidylinositol-3" in "phosphatidylinositol-3,4-biphosphate").
_HYPHENATED = re.compile(r"\w+(?:\.\w+)*(?:[-\u2010\u2011]\w+(?:\.\w+)*)+")
_HYPHEN = re.compile(r"[-\u2010\u2011]")
#: Longer joined forms are left out: "state-of-the-art" is a word, a 2,000-character chain of
#: hyphenated tokens in a scraped page is not, and would only bloat the term list.
MAX_JOINED = 48


def joined_forms(text: str) -> list[str]:
    """Every hyphenated word of ``text`` written without its hyphens, in order ("IL-6 and
    TNF-alpha" -> ``["IL6", "TNFalpha"]``): indexed after the text (index.build) and searched
    beside the parts (index.query), so "IL-6"/"IL6", "Bcl-2"/"Bcl2" and "N-terminal" (whose
    "N" the analysis drops) meet, as Lucene's word-delimiter filter does with catenated words.
    Appended to the pooled text rather than made by a custom filter: analyzers stay
    ``whoosh.analysis`` classes (module docstring), and positions of the words are unchanged.
    SciFact nDCG@10 0.6984 -> 0.7074 (index.ranking)."""
    forms = (_HYPHEN.sub("", m.group()) for m in _HYPHENATED.finditer(text))
    return [f for f in forms if len(f) <= MAX_JOINED]


#: Separator of the two stems in a ``pairs`` term.
PAIR_SEP = " "


def pair_analyzer() -> Analyzer:
    """The text analysis, then each stem joined to the next one: "city council" indexes
    the term ``citi council``. Stop words are removed before pairing, as the ``text`` field
    renumbers positions after removing them, so a pair here is exactly a two-word phrase
    match there (tests/test_index_engine.py checks both agree)."""
    return text_analyzer() | ShingleFilter(size=2, sep=PAIR_SEP)


def build_schema() -> Schema:
    """A fresh schema object.

    - ``text``: title and body pooled into one stemmed field, the main ranking field. One
      length normalisation and one saturation for both is textbook BM25 over the document
      (Whoosh scores each field on its own and sums, which counts a title word twice):
      SciFact nDCG@10 0.677 pooled vs 0.638 title^1.5 + body (bench/ir.py, Nov 2026).
    - ``title``: stemmed, stored; searched beside ``text`` with a small weight (a title match
      is a stronger signal) and for ``title:`` queries. No ``spelling=True``: the ``words``
      field below serves spelling for titles and bodies.
    - ``body``: stemmed, stored (snippets re-tokenise it); searched by ``body:`` only.
    - ``section``: the words of the page URL's directories (``/business/``, ``/amp/sport/``),
      stemmed: the section a site files a story under is rarely written in the story.
    - ``pairs``: every two adjacent stems of title and body as one term, without
      positions: two-word phrases and the proximity bonus of short queries become one
      posting-list read instead of a position check per document (index.engine).
    - ``words``: unstemmed title and body words without positions: the vocabulary that
      spelling corrections are drawn from (field guide §7.5: correct raw words, not stems).
    - ``site_key``/``author_key``/``story``: exact keys with columns, for filters, facets and
      collapsing one story into one hit.
    - ``published``: a sortable column for date sorts, date filters and facets.
    """
    return Schema(
        id=ID(stored=True, unique=True),
        url=STORED(),
        source=STORED(),
        title=TEXT(analyzer=text_analyzer(), stored=True),
        body=TEXT(analyzer=text_analyzer(), stored=True),
        text=TEXT(analyzer=text_analyzer()),
        section=TEXT(analyzer=text_analyzer()),
        pairs=TEXT(analyzer=pair_analyzer(), phrase=False),
        words=TEXT(analyzer=StandardAnalyzer(stoplist=None), phrase=False),
        site=TEXT(analyzer=StandardAnalyzer(stoplist=None), stored=True),
        site_key=ID(stored=False, sortable=True),
        author=TEXT(analyzer=StandardAnalyzer(stoplist=None), stored=True),
        author_key=ID(stored=False, sortable=True),
        published=DATETIME(sortable=True),
        published_text=STORED(),
        story=ID(stored=True, sortable=True),
        is_representative=NUMERIC(sortable=True),
    )
