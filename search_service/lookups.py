"""Searcher features that are still landing, reached through one guarded place.

The ranking work adds ``Searcher.suggest`` and ``Searcher.more_like_this`` and new
``SearchResults`` fields over time; the views call these helpers so each works with the
Searcher that is installed (an older one gives empty answers, never an AttributeError).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from index import suggest as index_suggest
from index.models import Hit, SearchError, SearchResults
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
    try:
        return list(method(doc_id, size))
    except SearchError:  # an extra under an article: its failure must not cost the article
        return []


def result_extras(results: SearchResults) -> dict[str, Any]:
    """``suggestion`` ("did you mean"), ``corrected`` and ``partial``, defaulted when absent."""
    return {
        "suggestion": getattr(results, "suggestion", None),
        "corrected": bool(getattr(results, "corrected", False)),
        "partial": bool(getattr(results, "partial", False)),
    }


def other_notices(results: SearchResults) -> str | None:
    """The index's notice without the sentence about a correction, which the page words
    itself (from the catalogue, with a link) when ``corrected`` is set."""
    notice = results.notice
    extras = result_extras(results)
    if notice and extras["corrected"] and extras["suggestion"]:
        notice = notice.replace(f"Showing results for {extras['suggestion']}.", "").strip()
    return notice or None


#: Length of each quick range, to judge from the month facet whether one can find anything.
RANGE_DAYS = {"day": 1, "week": 7, "month": 31, "year": 366}


def useful_ranges(
    results: SearchResults, periods: tuple[str, ...], today: date | None = None
) -> list[str]:
    """The quick ranges (``within``) that can find some of these results: an archive whose
    newest story is from 2020 offers no "past week" link that would only find nothing."""
    months = [value for value, _ in results.facets.get("month") or []]
    if not months:
        return []
    newest = max(months)  # "YYYY-MM"
    year, month = int(newest[:4]), int(newest[5:7])
    month_end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    today = today or datetime.now(UTC).date()
    return [p for p in periods if month_end >= today - timedelta(days=RANGE_DAYS.get(p, 0))]
