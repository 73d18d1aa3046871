"""Searcher features that are still landing, reached through one guarded place.

The ranking work adds ``Searcher.suggest`` and ``Searcher.more_like_this`` and new
``SearchResults`` fields over time; the views call these helpers so each works with the
Searcher that is installed (an older one gives empty answers, never an AttributeError).
"""

from __future__ import annotations

from typing import Any

from index import suggest as index_suggest
from index.models import Hit, SearchResults
from index.search import Searcher

#: Bounds of the suggestion and similar-documents endpoints.
MAX_SUGGESTIONS = 10
MAX_SIMILAR = 20


def suggestions(searcher: Searcher, text: str, limit: int) -> list[str]:
    """Autocomplete for what is typed so far (titles, then completed words)."""
    method = getattr(searcher, "suggest", None)
    if method is not None:
        return list(method(text, limit))
    return index_suggest.suggest(searcher, text, limit)


def similar(searcher: Searcher, doc_id: str, size: int) -> list[Hit]:
    """Documents about the same thing as ``doc_id`` (empty when the index cannot tell)."""
    method = getattr(searcher, "more_like_this", None)
    if method is None:
        return []
    return list(method(doc_id, size))


def result_extras(results: SearchResults) -> dict[str, Any]:
    """``suggestion`` ("did you mean"), ``corrected`` and ``partial``, defaulted when absent."""
    return {
        "suggestion": getattr(results, "suggestion", None),
        "corrected": bool(getattr(results, "corrected", False)),
        "partial": bool(getattr(results, "partial", False)),
    }
