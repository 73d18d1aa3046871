"""Every bad-input kind through the real CLI: exit 1, nothing crashes, and the summary names
each skipped file with its reason while the good pages are stored."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

GOOD = (
    "<html><head><title>Harbour reopens after storm | The Gazette</title></head><body>"
    "<article><h1>Harbour reopens after storm</h1><p class='byline'>By Ann Lee</p>"
    + "".join(f"<p>The harbour reopened on Tuesday after repairs to the sea wall, part {i} of the "
              f"report said, and the ferries returned to their usual timetable.</p>" for i in range(6))
    + "</article></body></html>"
)


def write_bad_inputs(site: Path) -> dict[str, str]:
    """Write one file per bad-input kind; returns file name -> expected kind."""
    site.mkdir(parents=True)
    (site / "good.html").write_text(GOOD, encoding="utf-8")
    (site / "zero-bytes.html").write_bytes(b"")
    (site / "whitespace.html").write_bytes(b"   \n\t  \n")
    (site / "empty-html.html").write_bytes(b"<html><head></head><body></body></html>")
    (site / "truncated.html.gz").write_bytes(gzip.compress(GOOD.encode() * 20, mtime=0)[:200])
    (site / "zero-bytes.html.gz").write_bytes(b"")
    (site / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000))
    (site / "document.html").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + os.urandom(2000))
    (site / "random.html").write_bytes(bytes(range(256)) * 40)
    (site / "bomb.html.gz").write_bytes(gzip.compress(b"<html><body>" + b"A" * (60 * 1024 * 1024), mtime=0))
    deep = "<div>" * 50_000 + "<p>Deep text.</p>" + "</div>" * 50_000
    (site / "deep.html").write_text(f"<html><body>{deep}</body></html>", encoding="utf-8")
    return {
        "zero-bytes.html": "empty", "whitespace.html": "empty", "empty-html.html": "empty",
        "truncated.html.gz": "broken", "zero-bytes.html.gz": "empty", "image.html": "binary",
        "document.html": "binary", "random.html": "binary",
    }


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], dict[str, str], Path]:
    root = tmp_path_factory.mktemp("bad")
    expected = write_bad_inputs(root / "pages" / "www.gazette.example")
    proc = subprocess.run(
        [sys.executable, "-c", "from search_service.cli import main; main()", "ingest",
         str(root / "pages"), "--data-dir", str(root / "data")],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    return proc, expected, root


def test_exit_status_1_and_no_traceback(bad_run: tuple[subprocess.CompletedProcess[str], dict[str, str], Path]) -> None:
    proc, _, _ = bad_run
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_summary_names_each_skipped_file_with_its_kind_and_reason(
    bad_run: tuple[subprocess.CompletedProcess[str], dict[str, str], Path],
) -> None:
    proc, expected, _ = bad_run
    lines = {line.split(": ", 1)[0].rsplit("/", 1)[-1]: line
             for line in proc.stdout.splitlines() if line.strip().startswith("skipped ")}
    for name, kind in expected.items():
        assert name in lines, f"{name} not named in the summary:\n{proc.stdout}"
        detail = lines[name].split(": ", 1)[1]
        assert detail.startswith(f"{kind}: ") and len(detail) > len(kind) + 5
    assert "bomb.html.gz" in lines  # refused: expands beyond the size bound


def test_the_good_page_is_stored_and_the_deep_page_does_not_crash(
    bad_run: tuple[subprocess.CompletedProcess[str], dict[str, str], Path],
) -> None:
    _, _, root = bad_run
    proc = subprocess.run(
        [sys.executable, "-c", "from search_service.cli import main; main()", "stats",
         "--data-dir", str(root / "data"), "--json", "--skipped"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    stats = json.loads(proc.stdout)
    assert stats["store"]["documents"] >= 1
    reasons = {Path(s["path"]).name: s["reason"] for s in stats["skipped"]}
    assert "good.html" not in reasons
    assert all(reasons.values())
