"""Plain types of the search boundary: nothing above ``index`` sees a Whoosh object.

``SearchRequest -> SearchResults`` is the one search function that the pages, the JSON API,
the embed endpoints and the CLI all call (``index.search.Searcher.search``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

#: Hard bounds on what one request may ask for (the API answers 400 beyond them).
MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 32
MAX_PAGE_SIZE = 100
MAX_PAGE = 1000

SORTS = ("relevance", "newest", "oldest")
#: Quick date ranges, relative to the time of the request.
WITHIN = ("day", "week", "month", "year")


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchRequest:
    """What a user asked for. Validated by :meth:`validate`, never trusted."""

    q: str
    page: int = 1
    size: int = 10
    sort: str = "relevance"
    site: str | None = None
    author: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    collapse: bool = True
    highlight: bool = True
    #: Quick range: only documents published within the past day/week/month/year.
    within: str | None = None
    #: Blend relevance with age (newer first among similar scores); see Searcher.search.
    recency: bool = False

    def validate(self) -> None:
        """Raise :class:`InvalidRequest` naming the first parameter out of bounds."""
        if self.page < 1 or self.page > MAX_PAGE:
            raise InvalidRequest("page", f"page must be between 1 and {MAX_PAGE}")
        if self.size < 1 or self.size > MAX_PAGE_SIZE:
            raise InvalidRequest("size", f"size must be between 1 and {MAX_PAGE_SIZE}")
        if self.sort not in SORTS:
            raise InvalidRequest("sort", f"sort must be one of: {', '.join(SORTS)}")
        if self.within is not None and self.within not in WITHIN:
            raise InvalidRequest("within", f"within must be one of: {', '.join(WITHIN)}")
        if len(self.q) > MAX_QUERY_CHARS:
            raise InvalidRequest("q", f"the query is longer than {MAX_QUERY_CHARS} characters")


@dataclass(frozen=True, slots=True, kw_only=True)
class Hit:
    """One result: a story's representative copy (or one copy when collapse is off)."""

    id: str
    url: str | None
    source: str
    title: str
    site: str
    author: str | None
    published: str | None
    #: Snippet as a list of (text, is_match) pieces: the renderer escapes the text and
    #: wraps matches in <mark>, so no HTML made from scraped text is ever trusted.
    snippet: tuple[tuple[str, bool], ...]
    title_parts: tuple[tuple[str, bool], ...]
    score: float
    story: str | None = None
    also_on: tuple[str, ...] = ()  # other sites carrying the same story

    @property
    def snippet_text(self) -> str:
        """The snippet as plain text."""
        return "".join(text for text, _ in self.snippet)


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchResults:
    """What the one search function returns."""

    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    took_ms: float
    query_used: str = ""  # the query after repair (balanced quotes, bounded terms)
    notice: str | None = None  # a readable note: "showing documents matching most words", ...
    generation: str | None = None
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    #: A corrected query ("did you mean"); when ``corrected`` the hits are already its results.
    suggestion: str | None = None
    corrected: bool = False
    #: True when the time budget ran out: the hits are those found so far.
    partial: bool = False

    @property
    def pages(self) -> int:
        """Number of result pages (at least 1)."""
        return max(1, -(-self.total // self.request.size))


class SearchError(Exception):
    """Base of the errors ``index`` raises; they know nothing of HTTP."""


class InvalidRequest(SearchError):
    """Raised when a request parameter is out of bounds; ``param`` names it."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


class InvalidQuery(SearchError):
    """Raised when a query cannot be understood even after repair."""


class NoIndexYet(SearchError):
    """Raised when no index generation has been built in the data directory."""


class IndexUnreadable(NoIndexYet):
    """Raised when the live generation's files cannot be read (damaged or removed under a
    running server): the service is not ready until a reindex publishes a good one."""


class IndexLocked(SearchError):
    """Raised when another reindex holds the writer lock."""
