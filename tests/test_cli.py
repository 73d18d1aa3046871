"""The click CLI, in process and as a real subprocess: exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from search_service.cli import cli

from .conftest import SAMPLE_PAGES


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed console script's code, run as a subprocess (``python -m``-style)."""
    return subprocess.run(
        [sys.executable, "-c", "from search_service.cli import main; main()", *args],
        capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})}, timeout=120,
    )


def test_missing_path_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for command in ("ingest", "extract"):
        proc = run_cli(command, str(tmp_path / "nope"), "--data-dir", str(tmp_path / "d")) if command == "ingest" \
            else run_cli(command, str(tmp_path / "nope"))
        assert proc.returncode == 2
        assert proc.stderr.strip().count("\n") == 0
        assert "no such file or folder" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_empty_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    proc = run_cli("ingest", str(tmp_path / "empty"), "--data-dir", str(tmp_path / "d"))
    assert proc.returncode == 2
    assert "no page files" in proc.stderr and proc.stderr.strip().count("\n") == 0


def test_reindex_and_search_without_a_store_say_what_to_run(tmp_path: Path) -> None:
    proc = run_cli("reindex", "--data-dir", str(tmp_path / "d"))
    assert proc.returncode == 2 and "search-service ingest" in proc.stderr
    proc = run_cli("search", "harbour", "--data-dir", str(tmp_path / "d"))
    assert proc.returncode == 2 and "search-service reindex" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("ingest", "--bogus")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_ingest_reindex_search_stats(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    proc = run_cli("ingest", str(SAMPLE_PAGES), "--data-dir", data)
    assert proc.returncode == 1, proc.stderr  # the sample holds bad files on purpose
    assert "skipped" in proc.stdout and "truncated gzip" in proc.stdout
    again = run_cli("ingest", str(SAMPLE_PAGES), "--data-dir", data)
    assert "0 new, 0 changed" in again.stdout
    proc = run_cli("reindex", "--data-dir", data)
    assert proc.returncode == 0, proc.stderr
    assert "Published index generation" in proc.stdout
    proc = run_cli("search", "Notre Dame fire", "--data-dir", data, "--json")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["ok"] is True and payload["total"] >= 1
    assert "Notre Dame" in payload["hits"][0]["title"]
    assert set(payload["hits"][0]) >= {"id", "url", "source", "title", "site", "author", "published", "snippet"}
    proc = run_cli("search", "*", "--data-dir", data)
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0
    proc = run_cli("stats", "--data-dir", data, "--json")
    stats = json.loads(proc.stdout)
    assert stats["index"]["documents"] == stats["store"]["documents"]


def test_extract_prints_one_json_line_per_file(cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(cli, ["extract", "--quiet", str(SAMPLE_PAGES)])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(list(SAMPLE_PAGES.rglob("*.htm*")))
    assert result.exit_code == 1  # bad files in the sample
    fields = {"source", "kind", "url", "site", "title", "author", "published", "body", "duplicate_of", "error"}
    assert all(fields <= set(line) for line in lines)
    errors = [line for line in lines if line["kind"] in {"broken", "empty", "binary"}]
    assert errors and all(line["error"] for line in errors)


def test_config_shows_sources(tmp_path: Path) -> None:
    proc = run_cli("config", env={"SEARCH_SERVICE_DATA_DIR": str(tmp_path / "x")})
    assert f"data_dir = {tmp_path / 'x'}  (env SEARCH_SERVICE_DATA_DIR)" in proc.stdout
    proc = run_cli("config", "--data-dir", "/tmp/y")
    assert "data_dir = /tmp/y  (option)" in proc.stdout


def test_bad_config_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text("nonsense = = 1")
    proc = run_cli("config", env={"SEARCH_SERVICE_CONFIG": str(bad)})
    assert proc.returncode == 2 and "cannot read config file" in proc.stderr


def test_reindex_with_two_jobs_serves_the_same_results(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    run_cli("ingest", str(SAMPLE_PAGES), "--data-dir", data)
    totals = []
    for jobs in ("1", "2"):
        proc = run_cli("reindex", "--jobs", jobs, "--data-dir", data)
        assert proc.returncode == 0, proc.stderr
        proc = run_cli("search", "fire OR launch", "--data-dir", data, "--json")
        payload = json.loads(proc.stdout)
        totals.append((payload["total"], [h["id"] for h in payload["hits"]]))
    assert totals[0] == totals[1]
    assert totals[0][0] >= 2
    proc = run_cli("reindex", "--jobs", "0", "--data-dir", data)
    assert proc.returncode == 2 and "--jobs" in proc.stderr

def test_incremental_reindex_picks_up_changed_and_removed_files(tmp_path: Path) -> None:
    import shutil

    pages = tmp_path / "pages"
    shutil.copytree(SAMPLE_PAGES, pages)
    data = str(tmp_path / "data")
    run_cli("ingest", str(pages), "--data-dir", data)
    assert run_cli("reindex", "--data-dir", data).returncode == 0
    proc = run_cli("reindex", "--changed", "--data-dir", data)
    assert proc.returncode == 0 and "0 documents added or changed, 0 removed" in proc.stdout
    before = json.loads(run_cli("search", "Notre Dame", "--data-dir", data, "--json", "--all-copies").stdout)
    shown = before["hits"][0]["source"]
    assert not Path(shown).is_absolute()  # the API never shows where files live on the server
    victim = pages / shown
    victim.unlink()
    run_cli("ingest", str(pages), "--data-dir", data)
    proc = run_cli("reindex", "--changed", "--data-dir", data)
    assert proc.returncode == 0, proc.stderr
    after = json.loads(run_cli("search", "Notre Dame", "--data-dir", data, "--json", "--all-copies").stdout)
    assert shown not in {h["source"] for h in after["hits"]}
    assert after["total"] == before["total"] - 1


def test_incremental_reindex_without_an_index_says_what_to_run(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    run_cli("ingest", str(SAMPLE_PAGES), "--data-dir", data)
    proc = run_cli("reindex", "--changed", "--data-dir", data)
    assert proc.returncode == 2 and "without --changed" in proc.stderr
