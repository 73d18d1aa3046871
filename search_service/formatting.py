"""Small pure helpers that turn search results into what a page or a JSON body shows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from ingest.document import parse_published

#: Schemes a scraped URL may have and still become a link; anything else (javascript:,
#: data:, ...) is shown as text only.
LINKABLE_SCHEMES = frozenset({"http", "https"})


def highlight_html(pieces: Iterable[tuple[str, bool]]) -> Markup:
    """Snippet pieces as HTML for the API: every piece escaped, matches wrapped in <mark>.

    The pages do the same in a Jinja macro; this is the one place Python builds HTML from
    scraped text, and it escapes before it marks anything safe.
    """
    parts = (
        Markup("<mark>%s</mark>") % text if is_match else escape(text) for text, is_match in pieces
    )
    return Markup("").join(parts)


def to_datetime(value: str | date | datetime | None) -> datetime | date | None:
    """A date or timestamp from what the index or the store holds (ISO text or a datetime)."""
    if value is None or isinstance(value, (date, datetime)):
        return value
    if len(value) == 10:  # a bare date keeps its precision: no invented midnight
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return parse_published(value)


def format_date(value: str | date | datetime | None) -> str:
    """A date as people read it ("9 Feb 2018"); unreadable values are shown unchanged."""
    parsed = to_datetime(value)
    if parsed is None:
        return str(value or "")
    return f"{parsed.day} {parsed:%b %Y}"


def format_instant(value: str | date | datetime | None) -> str:
    """A moment as people read it ("26 Nov 2026, 00:38 UTC"); a bare date as format_date."""
    parsed = to_datetime(value)
    if not isinstance(parsed, datetime):
        return format_date(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return f"{format_date(parsed)}, {parsed:%H:%M} UTC"


def iso_value(value: str | date | datetime | None) -> str | None:
    """ISO 8601 text for a <time datetime> attribute or a JSON field (None when unknown)."""
    if not value:
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def rfc822(value: str | date | datetime | None) -> str | None:
    """A publication date as RSS wants it ("Sun, 17 Nov 2004 00:00:00 +0000"), or None."""
    instant = parse_published(value) if isinstance(value, str) else value
    if isinstance(instant, datetime):
        return format_datetime(instant)
    if isinstance(instant, date):
        return format_datetime(datetime(instant.year, instant.month, instant.day, tzinfo=UTC))
    return None


def linkable_url(url: str | None) -> str | None:
    """The URL if it may become an href (http or https), else None."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in LINKABLE_SCHEMES else None


def format_took(took_ms: float) -> str:
    """Time taken as people read it: "<1 ms", "37 ms", "1.2 s"."""
    if took_ms < 1:
        return "<1 ms"
    if took_ms < 1000:
        return f"{took_ms:.0f} ms"
    return f"{took_ms / 1000:.1f} s"


def page_window(page: int, pages: int, radius: int = 2) -> list[int | None]:
    """Page numbers around ``page`` plus the first and last; None marks a gap."""
    wanted = {1, pages, *range(max(1, page - radius), min(pages, page + radius) + 1)}
    window: list[int | None] = []
    previous = 0
    for number in sorted(wanted):
        if number - previous == 2:
            window.append(previous + 1)  # an ellipsis would hide just one page
        elif number - previous > 2:
            window.append(None)
        window.append(number)
        previous = number
    return window


def year_span(year: str) -> tuple[str, str]:
    """The ``date_from``/``date_to`` pair covering a year facet ("2019")."""
    return f"{year}-01-01", f"{year}-12-31"
