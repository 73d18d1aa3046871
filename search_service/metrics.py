"""/metrics in the Prometheus text format: requests and latencies by endpoint, and the index.

gunicorn runs several worker processes, and a scrape reaches only one of them, so request
metrics use prometheus_client's **multiprocess mode**: when ``PROMETHEUS_MULTIPROC_DIR`` is
set (``gunicorn_conf`` sets it, in the master, before the workers fork), every worker writes
its counters to files there and the worker answering the scrape sums them all; gunicorn's
``child_exit`` hook marks dead workers. Without that variable (tests, a single process) the
metrics live in this process only. Index metrics (generation, document count) are read at
scrape time from the index itself, which all workers share, so they need no aggregation.

The registry is per app (``app.extensions``), not prometheus_client's global one: tests build
many apps in one process, and the style guide keeps state off module level.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request

from index.models import NoIndexYet
from search_service.extensions import get_searcher

try:
    import prometheus_client
    from prometheus_client import multiprocess
    from prometheus_client.core import GaugeMetricFamily
except ImportError:  # the /metrics endpoint then says how to get it
    prometheus_client = None  # type: ignore[assignment]

bp = Blueprint("metrics", __name__)

EXTENSION_KEY = "search_service.metrics"
#: Latency buckets (seconds): most searches take milliseconds; the query budget is 3 s.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def is_multiprocess() -> bool:
    """True when worker processes share their metrics through files."""
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class IndexCollector:
    """The live index generation and its document count, read when scraped."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Any]:
        """One gauge per fact; nothing while no index exists."""
        try:
            stats = get_searcher(self.app).stats()
        except NoIndexYet:
            return
        documents = GaugeMetricFamily(
            "search_service_index_documents", "Documents in the live index generation."
        )
        documents.add_metric([], float(stats["documents"]))
        yield documents
        info = GaugeMetricFamily(
            "search_service_index_generation_info",
            "The live index generation (value 1, name in the label).",
            labels=["generation"],
        )
        info.add_metric([str(stats.get("generation") or "")], 1.0)
        yield info


def init_app(app: Flask) -> None:
    """Create the app's request metrics and register /metrics (a no-op without the package)."""
    app.register_blueprint(bp)
    if prometheus_client is None:
        app.extensions[EXTENSION_KEY] = None
        return
    registry = prometheus_client.CollectorRegistry()
    requests = prometheus_client.Counter(
        "search_service_requests",
        "HTTP requests answered, by endpoint, method and status.",
        ["endpoint", "method", "status"],
        registry=registry,
    )
    latency = prometheus_client.Histogram(
        "search_service_request_duration_seconds",
        "Time to answer a request, by endpoint.",
        ["endpoint"],
        buckets=BUCKETS,
        registry=registry,
    )
    app.extensions[EXTENSION_KEY] = {"registry": registry, "requests": requests, "latency": latency}
    app.before_request(start_timer)
    app.after_request(record_request)


def start_timer() -> None:
    """Note when the request started."""
    g.metrics_started = time.perf_counter()


def record_request(response: Response) -> Response:
    """Count the request and its latency under its endpoint (bounded: route names only)."""
    state = current_app.extensions.get(EXTENSION_KEY)
    started = g.get("metrics_started")
    if state and started is not None:
        endpoint = request.endpoint or "unrouted"
        state["requests"].labels(endpoint, request.method, str(response.status_code)).inc()
        state["latency"].labels(endpoint).observe(time.perf_counter() - started)
    return response


def exposition(app: Flask) -> bytes:
    """The text a scrape gets: every worker's request metrics plus the index gauges."""
    state = app.extensions[EXTENSION_KEY]
    if is_multiprocess():
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = state["registry"]
    output: bytes = prometheus_client.generate_latest(registry)
    index_registry = prometheus_client.CollectorRegistry()
    index_registry.register(IndexCollector(app))  # type: ignore[arg-type]
    return output + prometheus_client.generate_latest(index_registry)


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus scrape endpoint."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.extensions.get(EXTENSION_KEY) is None:
        return Response(
            "prometheus-client is not installed: pip install prometheus-client\n",
            status=503,
            mimetype="text/plain",
        )
    return Response(exposition(app), mimetype=prometheus_client.CONTENT_TYPE_LATEST)
