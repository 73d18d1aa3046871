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
