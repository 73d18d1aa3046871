"""Faults: a killed ingest or reindex, a corrupted or deleted generation, a full disk.

A fast subset of the fault harness in bench/faults.py: nothing is lost, the served index
stays intact, and the next run finishes the job.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.generations import current_generation
from index.models import NoIndexYet, SearchRequest
from index.search import Searcher
from ingest.store import Store

from .conftest import ROOT, SAMPLE_PAGES, build_data_dir


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from search_service.cli import main; main()", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=timeout,
    )


def many_pages(target: Path, copies: int) -> Path:
    """``copies`` renamed copies of every sample site: a run long enough to kill midway."""
    for i in range(copies):
        for site in SAMPLE_PAGES.iterdir():
            shutil.copytree(site, target / f"c{i}-{site.name}")
    return target


def store_state(data_dir: Path) -> tuple[int, int, set[str]]:
    with Store(data_dir) as store:
        counts = store.counts()
        ids = {d.id for d in store.iter_documents()}
        files = sum(counts["files"].values())
    return counts["documents"], files, ids


def test_killed_ingest_runs_finish_with_nothing_lost_or_duplicated(tmp_path: Path) -> None:
    pages = many_pages(tmp_path / "pages", copies=6)
    clean = tmp_path / "clean"
    assert cli("ingest", str(pages), "--data-dir", str(clean), "-q").returncode == 1
    expected = store_state(clean)
    rng = random.Random(20261126)
    data = tmp_path / "data"
    for _ in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", "from search_service.cli import main; main()", "ingest",
             str(pages), "--data-dir", str(data), "-q"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.6, 2.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    final = cli("ingest", str(pages), "--data-dir", str(data), "-q")
    assert final.returncode == 1, final.stderr
    assert store_state(data) == expected


def test_killed_reindex_leaves_the_served_index_and_the_rerun_completes(tmp_path: Path) -> None:
    data = build_data_dir(tmp_path / "data")
    live = current_generation(data).name
    searcher = Searcher(data)
    before = searcher.search(SearchRequest(q="Notre Dame")).total
    proc = subprocess.Popen(
        [sys.executable, "-c", "from search_service.cli import main; main()", "reindex",
         "--data-dir", str(data), "-q"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(0.8)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert current_generation(data).name in {live} | {p.name for p in (data / "index").iterdir()}
    assert searcher.search(SearchRequest(q="Notre Dame")).total == before
    assert cli("reindex", "--data-dir", str(data)).returncode == 0
    assert Searcher(data).search(SearchRequest(q="Notre Dame")).total == before


def test_a_deleted_generation_is_reported_and_reindex_rebuilds_it(tmp_path: Path) -> None:
    data = build_data_dir(tmp_path / "data")
    shutil.rmtree(current_generation(data))
    with pytest.raises(NoIndexYet, match="reindex"):
        Searcher(data).search(SearchRequest(q="Notre Dame"))
    assert cli("reindex", "--data-dir", str(data)).returncode == 0
    assert Searcher(data).search(SearchRequest(q="Notre Dame")).total >= 1


def test_a_corrupted_generation_is_reported_and_reindex_rebuilds_it(tmp_path: Path) -> None:
    data = build_data_dir(tmp_path / "data")
    gen = current_generation(data)
    for f in gen.iterdir():
        if f.suffix in {".seg", ".toc"}:
            f.write_bytes(os.urandom(64))
    with pytest.raises(NoIndexYet):
        Searcher(data).search(SearchRequest(q="Notre Dame"))
    proc = cli("reindex", "--data-dir", str(data))
    assert proc.returncode == 0, proc.stderr
    assert Searcher(data).search(SearchRequest(q="Notre Dame")).total >= 1


def test_a_generation_damaged_under_a_running_app_is_a_503_not_a_500(tmp_path: Path) -> None:
    """Searchers read their files as they go (no mmap copy): damage under a running app
    must read as 'not ready', and a reindex must bring it back without a restart."""
    import random

    from search_service import create_app

    data = build_data_dir(tmp_path / "data")
    client = create_app({"TESTING": True, "DATA_DIR": data}).test_client()
    assert client.get("/api/v1/search?q=council").status_code == 200
    gen = current_generation(data)
    rng = random.Random(1)
    for f in gen.iterdir():
        if f.suffix == ".seg":
            blob = bytearray(f.read_bytes())
            for i in range(0, len(blob), 97):  # damage every block of the segment
                blob[i] = rng.randrange(256)
            f.write_bytes(bytes(blob))
    codes = {client.get(f"/api/v1/search?q={w}").status_code for w in ("river", "police", "storm")}
    codes.add(client.get("/readyz").status_code)
    assert 500 not in codes
    assert codes <= {200, 503}
    assert cli("reindex", "--data-dir", str(data)).returncode == 0
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/v1/search?q=council").status_code == 200


def test_readyz_says_not_ready_when_the_generation_is_gone(tmp_path: Path) -> None:
    from search_service import create_app

    data = build_data_dir(tmp_path / "data")
    shutil.rmtree(current_generation(data))
    client = create_app({"TESTING": True, "DATA_DIR": data}).test_client()
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.get_json()["ok"] is False


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("mount"), reason="needs root to mount a small tmpfs")
def test_full_disk_during_reindex_is_a_clear_error_and_the_live_index_survives(tmp_path: Path) -> None:
    import tempfile

    mnt = Path(tempfile.mkdtemp(prefix="search-service-full-disk-"))
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mnt)],
                      capture_output=True, check=False).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        data = build_data_dir(mnt / "data")
        live = current_generation(data).name
        with open(mnt / "ballast", "wb") as fh:  # leave too little room for a new generation
            free = shutil.disk_usage(mnt).free
            fh.write(b"\0" * max(0, free - 40_000))
        proc = cli("reindex", "--data-dir", str(data))
        assert proc.returncode == 2
        assert "Traceback" not in proc.stderr and proc.stderr.strip().count("\n") == 0
        assert "No space left" in proc.stderr or "space" in proc.stderr.lower()
        assert current_generation(data).name == live
        assert Searcher(data).search(SearchRequest(q="Notre Dame")).total >= 1
        (mnt / "ballast").unlink()
        assert cli("reindex", "--data-dir", str(data)).returncode == 0
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)
        mnt.rmdir()


# -- appended by the reliability harness (bench/faults.py runs these 10 times each) -----------


def test_a_second_reindex_refuses_clearly_while_one_holds_the_lock(writable_data_dir: Path) -> None:
    """Another process holds the writer lock (as a running reindex does): full and --changed
    reindexes refuse with one clear line, and work once it is gone."""
    data = writable_data_dir
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from index.generations import writer_lock\n"
         f"with writer_lock(Path({str(data)!r})):\n    print('locked', flush=True); time.sleep(60)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        for extra in ([], ["--changed"]):
            proc = cli("reindex", "--data-dir", str(data), *extra)
            assert proc.returncode == 2
            assert "reindex already running" in proc.stderr
            assert f"pid {holder.pid}" in proc.stderr
            assert "Traceback" not in proc.stderr
    finally:
        holder.kill()
        holder.wait()
    assert cli("reindex", "--data-dir", str(data)).returncode == 0


def test_a_killed_worker_fails_only_its_request_and_is_replaced(
    indexed_data_dir: Path, tmp_path: Path
) -> None:
    """SIGKILL of the worker holding a half-sent request: that request fails, the next
    succeeds, and the master brings the worker count back."""
    import socket

    import psutil
    import requests

    from .conftest import LiveServer

    server = LiveServer(indexed_data_dir, tmp_path / "gunicorn.log")
    try:
        master = psutil.Process(server.proc.pid)
        before = {c.pid for c in master.children()}
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(b"GET /api/v1/search?q=fire HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        port = sock.getsockname()[1]
        victim = None
        deadline = time.monotonic() + 5
        while victim is None and time.monotonic() < deadline:
            for child in master.children():
                try:
                    conns = child.net_connections("tcp")
                except psutil.Error:
                    continue
                if any(c.raddr and c.raddr.port == port for c in conns):
                    victim = child.pid
        assert victim is not None, "no worker held the connection"
        os.kill(victim, signal.SIGKILL)
        try:
            sock.sendall(b"\r\n")
            answer = sock.recv(100)
        except OSError:
            answer = b""
        sock.close()
        assert not answer.startswith(b"HTTP/1.1 200")
        assert requests.get(f"{server.url}/api/v1/search?q=fire", timeout=30).status_code == 200
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            now = {c.pid for c in master.children()}
            if victim not in now and len(now) == len(before):
                break
            time.sleep(0.1)
        assert victim not in now and len(now) == len(before)
        assert all(requests.get(f"{server.url}/readyz", timeout=30).status_code == 200
                   for _ in range(4))
    finally:
        server.stop()


def test_queries_in_other_threads_survive_a_reopen(tmp_path: Path) -> None:
    """Four threads search one Searcher (as gthread does) while CURRENT is re-published."""
    import threading

    from index.generations import publish

    data = build_data_dir(tmp_path / "data")
    searcher = Searcher(data)
    errors: list[str] = []
    stop = threading.Event()
    queries = ["Notre Dame", "fire", "crewed launch", "hurdles -relay", "election"]

    def search_loop(offset: int) -> None:
        n = offset
        while not stop.is_set():
            try:
                searcher.search(SearchRequest(q=queries[n % len(queries)]))
            except Exception as err:  # noqa: BLE001 — any failure is the finding
                errors.append(f"{type(err).__name__}: {err.__cause__!r}")
            n += 1

    threads = [threading.Thread(target=search_loop, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not errors:
        publish(data, current_generation(data))  # what every reindex does at its end
        time.sleep(0.02)
    stop.set()
    for t in threads:
        t.join()
    assert errors == []


def test_two_pages_claiming_one_url_are_both_kept_or_reported(tmp_path: Path) -> None:
    from bench.faults import write_update_page

    pages = tmp_path / "pages"
    first = write_update_page(pages, "story", "zqalphaword", random.Random(1))
    second = first.with_name("story-2.html")  # another article that names the same URL
    second.write_text(first.read_text(encoding="utf-8").replace("zqalphaword", "zqbetaword"),
                      encoding="utf-8")
    data = tmp_path / "data"
    proc = cli("ingest", str(pages), "--data-dir", str(data), "-q")
    assert proc.returncode in (0, 1), proc.stderr
    documents, _, _ = store_state(data)
    reported_skipped = proc.stdout.count("skipped ")
    assert documents + reported_skipped == 2, proc.stdout
