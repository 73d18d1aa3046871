"""Structured access logs: one JSON object per request line (gunicorn ``logger_class``).

gunicorn's ``access_log_format`` pastes raw values into a template, so a quote in a query
string or a user agent would break a JSON template; this logger builds the record as a dict
and lets ``json.dumps`` escape it. Fields: ``time``, ``remote``, ``method``, ``path``,
``query``, ``status``, ``bytes``, ``duration_ms``, ``referer``, ``agent``, ``pid`` and
``request_id`` (the ``X-Request-ID`` header, when a proxy sends one).
"""

from __future__ import annotations

import json
import os
import traceback
from datetime import UTC, datetime
from typing import Any

from gunicorn import glogging  # type: ignore[import-untyped]


def access_record(atoms: dict[str, Any]) -> dict[str, Any]:
    """The JSON record for one request, from gunicorn's atoms."""
    status = atoms.get("s")
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "remote": atoms.get("h"),
        "method": atoms.get("m"),
        "path": atoms.get("U"),
        "query": atoms.get("q") or None,
        "status": int(str(status)) if str(status).isdigit() else status,
        "bytes": atoms.get("B"),
        "duration_ms": round(int(str(atoms.get("D") or 0)) / 1000, 2),
        "referer": None if atoms.get("f") in (None, "-") else atoms.get("f"),
        "agent": None if atoms.get("a") in (None, "-") else atoms.get("a"),
        "pid": os.getpid(),
        "request_id": atoms.get("{x-request-id}i"),
    }


class JsonAccessLogger(glogging.Logger):  # type: ignore[misc]
    """gunicorn's logger, with access lines as JSON (error logs are unchanged)."""

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        """Write one JSON line per request."""
        if not self.access_log_enabled:
            return
        try:
            record = access_record(self.atoms(resp, req, environ, request_time))
            self.access_log.info("%s", json.dumps(record, ensure_ascii=False, default=str))
        except Exception:  # noqa: BLE001 — a log line must never fail a request
            self.error(traceback.format_exc())
