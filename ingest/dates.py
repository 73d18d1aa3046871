"""Dates written by people and machines -> ISO 8601 strings at the precision given.

Stdlib only. A news page states its publication time in many shapes ("13 January, 2004,
13:02", "Sep 17, 2005, 6:58 PM ET", "2004-07-31T19:20:00Z", an epoch); :func:`find_date`
reads the first one in a piece of text and returns ``2018-02-09``, ``2018-02-09T14:20`` or
``2018-02-09T14:20:00+01:00`` depending on what the text states, never inventing precision.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january", "janv", "januar", "enero"),
            ("feb", "february", "febr", "fev", "februar"),
            ("mar", "march", "mars", "marz", "märz"),
            ("apr", "april", "avr", "avril"),
            ("may", "mai", "mayo"),
            ("jun", "june", "juin", "juni"),
            ("jul", "july", "juil", "juillet", "juli"),
            ("aug", "august", "aout", "août"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "octobre", "okt", "oktober"),
            ("nov", "november", "novembre"),
            ("dec", "december", "decembre", "décembre", "dez", "dezember"),
        ),
        start=1,
    )
    for name in names
}
#: Unambiguous zone abbreviations only (no "ET", "CST", "IST": they name two offsets).
ZONES = {
    "utc": 0,
    "gmt": 0,
    "z": 0,
    "bst": 60,
    "cet": 60,
    "cest": 120,
    "eet": 120,
    "eest": 180,
    "est": -300,
    "edt": -240,
    "pst": -480,
    "pdt": -420,
    "mst": -420,
    "mdt": -360,
    "cdt": -300,
    "jst": 540,
    "aest": 600,
    "aedt": 660,
    "wet": 0,
    "west": 60,
    "msk": 180,
}
_MONTH_RE = r"(?P<mon>[A-Za-zéû]{3,10})\.?"
_TIME_RE = (
    r"(?:(?:\s*,\s*|\s+|\s*(?:at|@|-|\u2013|\u2014|\|)\s*)"
    r"(?P<hh>\d{1,2})[:.h](?P<mi>\d{2})(?::(?P<ss>\d{2}))?"
    r"(?:\s*(?P<ampm>[ap]\.?m\.?))?"
    r"(?:\s*(?P<tz>[A-Za-z]{1,5}\b|[+-]\d{2}:?\d{2}))?)?"
)
_ISO = re.compile(
    r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[T ](?P<hh>\d{2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2}|(?:UTC|GMT)\b)?)?"
)
_DMY_TEXT = re.compile(
    r"(?<![\w-])(?P<d>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?"
    + _MONTH_RE
    + r",?\s+(?P<y>\d{4})"
    + _TIME_RE,
    re.IGNORECASE,
)
_MDY_TEXT = re.compile(
    r"(?<![\w-])" + _MONTH_RE + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})" + _TIME_RE,
    re.IGNORECASE,
)
_NUMERIC = re.compile(r"(?<![\d/.])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4})" + _TIME_RE)
_EPOCH = re.compile(r"^\d{9,10}(?:\.\d+)?$|^\d{12,13}$")


def _tz_offset(tz: str | None) -> timezone | None:
    if not tz:
        return None
    tz = tz.strip()
    if tz in ("Z", "z"):
        return UTC
    if tz[0] in "+-":
        digits = tz[1:].replace(":", "")
        if len(digits) != 4 or not digits.isdigit():
            return None
        minutes = int(digits[:2]) * 60 + int(digits[2:])
        if minutes >= 24 * 60 or int(digits[2:]) > 59:
            return None  # "+99:00" is no zone (timezone() raises beyond +-24 h)
        return timezone(timedelta(minutes=minutes if tz[0] == "+" else -minutes))
    offset = ZONES.get(tz.lower())
    if offset is None:
        return None
    return timezone(timedelta(minutes=offset))


def _format(
    y: int, m: int, d: int, hh: int | None, mi: int | None, ss: int | None, tz: timezone | None
) -> str | None:
    try:
        if hh is None or mi is None:
            return datetime(y, m, d).strftime("%Y-%m-%d")  # noqa: DTZ001 - a calendar date
        if tz is None:
            return datetime(y, m, d, hh, mi).strftime("%Y-%m-%dT%H:%M")  # noqa: DTZ001 - local
        return datetime(y, m, d, hh, mi, ss or 0, tzinfo=tz).isoformat()
    except ValueError:
        return None


def _time_parts(match: re.Match[str]) -> tuple[int | None, int | None, int | None, timezone | None]:
    hh = match.group("hh")
    if hh is None:
        return None, None, None, None
    hour, minute = int(hh), int(match.group("mi"))
    ampm = (match.group("ampm") or "").replace(".", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None, None, None, None
    ss = match.group("ss")
    return hour, minute, int(ss) if ss else None, _tz_offset(match.group("tz"))


def parse_iso(value: str) -> str | None:
    """An ISO-like machine date (meta, JSON-LD, ``datetime=``) at its own precision."""
    value = value.strip()
    if _EPOCH.match(value):
        seconds = float(value) / (1000 if len(value.split(".")[0]) > 11 else 1)
        try:
            return datetime.fromtimestamp(seconds, tz=UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    match = _ISO.match(value)
    if not match:
        return find_date(value)
    hh = match.group("hh")
    tz = _tz_offset(match.group("tz"))
    return _format(
        int(match.group("y")),
        int(match.group("m")),
        int(match.group("d")),
        int(hh) if hh else None,
        int(match.group("mi")) if hh else None,
        int(match.group("ss")) if match.group("ss") else None,
        tz,
    )


def find_date(text: str, *, day_first: bool = True) -> str | None:
    """The first date (with its time, when stated) in human text, as ISO 8601.

    Args:
        text: e.g. a byline ("Posted by Ann Lee - January 3, 2004").
        day_first: how to read an all-numeric ``03/04/2004``.
    """
    best: tuple[int, str] | None = None
    for pattern in (_ISO, _DMY_TEXT, _MDY_TEXT, _NUMERIC):
        match = pattern.search(text)
        if not match:
            continue
        value = _from_match(pattern, match, day_first)
        if value and (best is None or match.start() < best[0]):
            best = (match.start(), value)
    return best[1] if best else None


def _from_match(pattern: re.Pattern[str], match: re.Match[str], day_first: bool) -> str | None:
    if pattern is _ISO:
        return parse_iso(match.group(0))
    y = int(match.group("y"))
    if pattern is _NUMERIC:
        a, b = int(match.group("a")), int(match.group("b"))
        d, m = (a, b) if day_first else (b, a)
        if m > 12:
            d, m = m, d
    else:
        month = MONTHS.get(match.group("mon").lower().rstrip("."))
        if month is None:
            return None
        d, m = int(match.group("d")), month
    hh, mi, ss, tz = _time_parts(match)
    return _format(y, m, d, hh, mi, ss, tz)


def day_of(value: str | None) -> str | None:
    """The calendar day (YYYY-MM-DD) an ISO string names, in its own zone."""
    return value[:10] if value and len(value) >= 10 else None


def precision(value: str) -> int:
    """0 date only, 1 local time, 2 time with zone: more is better when days agree."""
    if "T" not in value:
        return 0
    return 2 if re.search(r"(Z|[+-]\d{2}:\d{2})$", value) else 1
