"""Shared fixtures: real components only — a real store and Whoosh index in temporary
directories, the real Flask app, a real gunicorn process on a free loopback port."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from bench.load import Gunicorn
from index.build import build_generation
from ingest.options import IngestOptions
from ingest.pipeline import run_ingest
from ingest.store import Store
from search_service import create_app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "search_service" / "sample"
SAMPLE_PAGES = SAMPLE / "pages"
SHARED = ROOT.parent / "shared"

# Tests fire requests far faster than any person: lift the default rate limit for every app
# they build (tests/test_ratelimit.py sets its own limits explicitly).
os.environ.setdefault("SEARCH_SERVICE_RATE_LIMIT", "100000 per minute")


def build_data_dir(data_dir: Path, pages: Path = SAMPLE_PAGES) -> Path:
    """Ingest ``pages`` into ``data_dir`` and publish an index generation."""
    run_ingest([pages], data_dir, IngestOptions())
    with Store(data_dir) as store:
        build_generation(data_dir, store.iter_documents())
    return data_dir


@pytest.fixture(scope="session")
def indexed_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample, ingested and indexed once per test session. Read-only: tests that
    write take ``writable_data_dir``."""
    return build_data_dir(tmp_path_factory.mktemp("indexed") / "data")


@pytest.fixture
def writable_data_dir(indexed_data_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the indexed sample for a test that changes it."""
    target = tmp_path / "data"
    shutil.copytree(indexed_data_dir, target)
    return target


@pytest.fixture
def app(indexed_data_dir: Path) -> Flask:
    """The real app on the indexed sample."""
    return create_app({"TESTING": True, "DATA_DIR": indexed_data_dir})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the real app."""
    return app.test_client()


@pytest.fixture
def cli_runner() -> CliRunner:
    """click's runner, for the CLI in process."""
    return CliRunner()


class LiveServer(Gunicorn):
    """A real gunicorn serving ``wsgi:app`` on a free loopback port (bench/load.py's launcher,
    with the test suite's defaults: 2 workers, a rate limit far above the tests' pace)."""

    def __init__(self, data_dir: Path, log_path: Path, env: dict[str, str] | None = None) -> None:
        super().__init__(
            data_dir, log_path, workers=2,
            env={"SEARCH_SERVICE_RATE_LIMIT": "100000 per minute",
                 "SEARCH_SERVICE_LOG_LEVEL": "info", **(env or {})},
        )

    def stop(self) -> int:  # type: ignore[override]
        """Stop gunicorn gracefully (SIGTERM) and return its exit status."""
        super().stop()
        return int(self.proc.returncode)


@pytest.fixture(scope="session")
def gunicorn_server(
    indexed_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A real gunicorn on the indexed sample, shared by the end-to-end and browser tests."""
    server = LiveServer(indexed_data_dir, tmp_path_factory.mktemp("gunicorn") / "gunicorn.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_server(gunicorn_server: LiveServer) -> str:
    """Base URL of the shared real gunicorn (``http://127.0.0.1:PORT``)."""
    return gunicorn_server.url
