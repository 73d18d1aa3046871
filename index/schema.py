"""The Whoosh schema: which fields exist, how they are analysed, what is stored.

Analyzers come from ``whoosh.analysis`` only: the schema is pickled into every index, so a
custom analyzer would have to stay importable at the same path forever
(../shared/docs/whoosh-field-guide.md §7.3).
"""

from __future__ import annotations

from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, NUMERIC, STORED, TEXT, Schema

#: Bump when the schema changes: a generation built with another version is rebuilt.
SCHEMA_VERSION = 1

#: Fields a query may name (``title:word``); ``author`` and ``site`` search their text.
SEARCHABLE_FIELDS = ("title", "body", "site", "author")


def build_schema() -> Schema:
    """A fresh schema object.

    - ``title``/``body``: stemmed; stored so highlights can re-tokenise them; spelling on the
      title only (on the body it costs 2.7x the index CPU, field guide §2).
    - ``site_key``/``author_key``/``story``: exact keys with columns, for filters, facets and
      collapsing one story into one hit.
    - ``published``: a sortable column for date sorts and date filters.
    """
    return Schema(
        id=ID(stored=True, unique=True),
        url=STORED(),
        source=STORED(),
        title=TEXT(analyzer=StemmingAnalyzer(), stored=True, spelling=True),
        body=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        site=TEXT(analyzer=StandardAnalyzer(stoplist=None), stored=True),
        site_key=ID(stored=False, sortable=True),
        author=TEXT(analyzer=StandardAnalyzer(stoplist=None), stored=True),
        author_key=ID(stored=False, sortable=True),
        published=DATETIME(sortable=True),
        published_text=STORED(),
        story=ID(stored=True, sortable=True),
        is_representative=NUMERIC(sortable=True),
    )
