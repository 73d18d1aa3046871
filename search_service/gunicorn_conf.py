"""gunicorn settings (``gunicorn -c python:search_service.gunicorn_conf wsgi:app``).

Safe defaults, each overridable by a SEARCH_SERVICE_* variable: loopback bind, workers from
the CPU count (each holds its own Searcher, field guide §7.1), a timeout above the query
budget, access log to stdout. No ``preload_app``: the index is opened after the fork.
"""

import multiprocessing
import os
import tempfile
from pathlib import Path

_host = os.environ.get("SEARCH_SERVICE_HOST", "127.0.0.1")
_port = os.environ.get("SEARCH_SERVICE_PORT", "8000")
bind = os.environ.get("SEARCH_SERVICE_BIND", f"{_host}:{_port}")

_workers = int(os.environ.get("SEARCH_SERVICE_WORKERS", "0") or 0)
workers = _workers if _workers > 0 else min(multiprocessing.cpu_count() * 2 + 1, 8)
worker_class = "gthread"
threads = 4
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 5000
max_requests_jitter = 500

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("SEARCH_SERVICE_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# Access lines as JSON objects (search_service/access_log.py); access_log_format is then unused.
logger_class = "search_service.access_log.JsonAccessLogger"

# /metrics: workers share their counters through files here (prometheus_client multiprocess
# mode, search_service/metrics.py). Set before the workers fork, so each one inherits it.
os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="search-service-metrics-")
)


def on_starting(server: object) -> None:
    """Start every run with empty metric files (counters restart with the server)."""
    for leftover in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        leftover.unlink(missing_ok=True)


def child_exit(server: object, worker: object) -> None:
    """A dead worker's live gauges must not linger in the sums."""
    try:
        from prometheus_client import multiprocess
    except ImportError:
        return
    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]

# A pasted 10,000-character query must reach the app, which answers a clear 400 (the query
# bound is 500 characters), instead of gunicorn's bare 414 page. 0 lets gunicorn take request
# lines up to its own 1 MB ceiling.
limit_request_line = 0
