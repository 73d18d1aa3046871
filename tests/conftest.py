"""Shared fixtures: real components only — a real store and Whoosh index in temporary
directories, the real Flask app, a real gunicorn process on a free loopback port."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

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


def free_port() -> int:
    """A free TCP port on 127.0.0.1, chosen by the kernel."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """A real gunicorn serving ``wsgi:app`` on a free loopback port."""

    def __init__(self, data_dir: Path, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(
            SEARCH_SERVICE_DATA_DIR=str(data_dir),
            SEARCH_SERVICE_HOST="127.0.0.1",
            SEARCH_SERVICE_PORT=str(self.port),
            SEARCH_SERVICE_WORKERS="2",
            # the shared server answers every test of the session: far above their pace
            SEARCH_SERVICE_RATE_LIMIT="100000 per minute",
        )
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 — closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "python:search_service.gunicorn_conf",
             "wsgi:app"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log_path.read_text()}")
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or slow on a busy machine
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s")

    def stop(self) -> int:
        """Stop gunicorn gracefully (SIGTERM) and return its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
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
