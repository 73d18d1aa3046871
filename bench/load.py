"""Load: the real gunicorn on a large index under a realistic query mix, beside an FTS5 peer.

    python bench/load.py --docs 100000 --seconds 30 --concurrency 1 8 32
    python bench/load.py --docs 2000 --seconds 5            # small, for development

Why this shape: what users feel is the whole stack (gunicorn gthread workers, Flask, the
Searcher reopening generations), so the load goes over loopback HTTP to the same process
layout ``search-service serve`` starts, driven by wrk (a well-kept C load generator; a
Python loop would measure itself). A Lua script picks each request at random from a list
of query paths sampled from the indexed documents: 1-4 words of titles and bodies, quoted
phrases, typos, site filters, newest-first sorts, second pages, half HTML pages and half
JSON API calls. The baseline peer (bench/peer_fts5.py: SQLite FTS5 over the same documents
behind a small Flask app) runs under the same gunicorn settings with the same paths, so
the ratio compares engines, not harnesses. Worker RSS is sampled every second to show
whether memory grows.

Prints requests/s, p50/p95/p99 latency and errors per concurrency, and the ratio to the
peer; ``--json`` writes the figures for bench/reliability.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: Where generated corpora (shared with bench/ingest.py) and prepared data dirs live.
CORPORA = Path(tempfile.gettempdir()) / "search-service-corpora"
WORK = Path(tempfile.gettempdir()) / "search-service-reliability"
PYTHON = sys.executable
CLI = [PYTHON, "-c", "from search_service.cli import main; main()"]

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
#: Queries made only of these are refused by design (400 "only very common words"); people
#: type them rarely, so the mix leaves them out instead of counting them as errors.
COMMON = frozenset(
    "the and that this with will have from they their there were what when which would "
    "about been not you your are was for but has had his her its our out can all said "
    "more also than then them into over just some only other after".split()
)


def log(text: str) -> None:
    """Progress on stderr, stamped, so long runs can be followed."""
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)  # noqa: T201


# -- data -------------------------------------------------------------------------------------


def corpus_pages(pages: int) -> Path:
    """The pages folder of a generated corpus of ``pages`` pages (made once, reused)."""
    from bench.ingest import make_corpus

    CORPORA.mkdir(parents=True, exist_ok=True)
    return make_corpus(pages, CORPORA)


def prepare_data(docs: int, jobs: int = 2, work: Path = WORK) -> Path:
    """A data dir holding ``docs`` generated pages, ingested and indexed (both with --jobs);
    reused. An interrupted run is resumed by the next: ingest skips the files it stored.

    Kept under /tmp between runs: at 100,000 pages ingest + reindex take tens of minutes on
    this 2-core machine, and every section reads the same data.
    """
    data = work / f"data-{docs}"
    if (data / ".prepared").exists():
        return data
    pages = corpus_pages(docs)
    data.mkdir(parents=True, exist_ok=True)
    log(f"ingesting {docs} pages into {data} (--jobs {jobs})")
    started = time.monotonic()
    code = subprocess.run([*CLI, "ingest", str(pages), "--data-dir", str(data), "--jobs",
                           str(jobs), "-q"], cwd=ROOT, stdout=subprocess.DEVNULL).returncode
    if code not in (0, 1):
        raise RuntimeError(f"ingest failed with exit status {code}")
    ingest_s = time.monotonic() - started
    log(f"ingest took {ingest_s:.0f} s; reindexing")
    started = time.monotonic()
    subprocess.run([*CLI, "reindex", "--data-dir", str(data), "--jobs", str(jobs), "-q"],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    (data / "prepare.json").write_text(json.dumps({
        "pages": docs, "jobs": jobs, "ingest_s": round(ingest_s, 1),
        "reindex_s": round(time.monotonic() - started, 1), "machine": machine()}), encoding="utf-8")
    (data / ".prepared").touch()
    return data


def article_rows(data_dir: Path, n: int, seed: int) -> list[sqlite3.Row]:
    """``n`` random indexed articles (title, body, site) read straight from the store."""
    db = sqlite3.connect(f"file:{data_dir / 'store.sqlite3'}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    ids = [r[0] for r in db.execute("SELECT rowid FROM documents WHERE kind='article'")]
    rng = random.Random(seed)
    pick = rng.sample(ids, min(n, len(ids)))
    rows = []
    for start in range(0, len(pick), 500):
        chunk = pick[start:start + 500]
        marks = ",".join("?" * len(chunk))
        rows += db.execute(f"SELECT id, title, body, site, published FROM documents "
                           f"WHERE rowid IN ({marks})", chunk).fetchall()
    db.close()
    return rows


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def query_text(rng: random.Random, row: sqlite3.Row) -> str:
    """1-4 words from a title or body; sometimes a quoted phrase, sometimes a typo."""
    source = row["title"] if rng.random() < 0.5 else row["body"][:3000]
    words = _WORD.findall(source or "") or ["news"]
    n = rng.choice([1, 2, 2, 3, 3, 4])
    start = rng.randrange(max(1, len(words) - n + 1))
    chosen = words[start:start + n]
    if all(w.lower() in COMMON for w in chosen):
        chosen = [w for w in words if w.lower() not in COMMON][:1] or ["news"]
    roll = rng.random()
    if roll < 0.15 and len(chosen) >= 2:
        return '"' + " ".join(chosen) + '"'
    if roll < 0.25:
        j = rng.randrange(len(chosen))
        chosen[j] = _typo(rng, chosen[j])
    return " ".join(chosen)


def query_paths(data_dir: Path, n: int, seed: int = 7) -> list[str]:
    """``n`` request paths: half result pages, half API calls; some filtered, sorted, paged."""
    rng = random.Random(seed)
    rows = article_rows(data_dir, max(200, n // 2), seed)
    paths = []
    for _ in range(n):
        row = rng.choice(rows)
        params: dict[str, str] = {"q": query_text(rng, row)}
        if rng.random() < 0.15:
            params["site"] = row["site"]
        if rng.random() < 0.15:
            params["sort"] = "newest"
        if rng.random() < 0.10:
            params["page"] = "2"
        base = "/search" if rng.random() < 0.5 else "/api/v1/search"
        paths.append(base + "?" + urlencode(params, quote_via=quote))
    return paths


# -- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    """A free loopback port, chosen by the kernel."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """A real gunicorn with the project's settings (search_service/gunicorn_conf.py) on a
    free loopback port; ``app`` is ours (``wsgi:app``) or the peer's."""

    def __init__(self, data_dir: Path, log_path: Path, *, app: str = "wsgi:app",
                 workers: int = 0, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = dict(os.environ)
        full_env.update(
            SEARCH_SERVICE_DATA_DIR=str(data_dir),
            SEARCH_SERVICE_HOST="127.0.0.1",
            SEARCH_SERVICE_PORT=str(self.port),
            SEARCH_SERVICE_RATE_LIMIT="off",
            SEARCH_SERVICE_LOG_LEVEL="warning",
            PYTHONPATH=str(ROOT),
        )
        if workers:
            full_env["SEARCH_SERVICE_WORKERS"] = str(workers)
        full_env.update(env or {})
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "--config", "python:search_service.gunicorn_conf",
             app],
            cwd=ROOT, env=full_env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 120.0, path: str = "/healthz") -> None:
        """Until ``path`` answers 200 (gunicorn may take a while on a busy machine)."""
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited early; see {self.log_path}")
            try:
                if requests.get(self.url + path, timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer {path} within {timeout} s")

    def workers(self) -> list[int]:
        """Pids of the live workers."""
        import psutil

        try:
            return [c.pid for c in psutil.Process(self.proc.pid).children()]
        except psutil.Error:
            return []

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 20 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


@dataclass
class RssSampler:
    """Samples each gunicorn worker's RSS once a second, in a thread."""

    server: Gunicorn
    interval: float = 1.0
    samples: dict[int, list[tuple[float, int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._t0 = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            for pid in self.server.workers():
                try:
                    rss = psutil.Process(pid).memory_info().rss
                except psutil.Error:
                    continue
                self.samples.setdefault(pid, []).append((time.monotonic() - self._t0, rss))
            self._stop.wait(self.interval)

    def stop(self) -> dict[str, Any]:
        """Per worker: first, peak and last RSS (MB) and the growth over the second half."""
        self._stop.set()
        self._thread.join()
        out = {}
        for pid, series in self.samples.items():
            mb = [r / 2**20 for _, r in series]
            half = mb[len(mb) // 2:] or mb
            out[str(pid)] = {
                "samples": len(mb), "first_mb": round(mb[0], 1), "peak_mb": round(max(mb), 1),
                "last_mb": round(mb[-1], 1),
                "second_half_growth_mb": round(half[-1] - half[0], 1),
            }
        return out


# -- wrk --------------------------------------------------------------------------------------

WRK_SCRIPT = r"""
-- Each request is a random line of the paths file; done() prints the figures as JSON.
local paths = {}
local counter = 0
local threads = {}
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  math.randomseed(tonumber(args[2] or "1") + id * 7919)
  statuses = {}
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do counts[code] = (counts[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(counts) do parts[#parts + 1] = string.format('"%d": %d', code, n) end
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d}, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    table.concat(parts, ", ")))
end
"""


def wrk_binary() -> str:
    """wrk from Debian (``apt-get install wrk``)."""
    found = shutil.which("wrk")
    if not found:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)  # noqa: T201
        sys.exit(2)
    return found


def start_wrk(url: str, paths_file: Path, concurrency: int, seconds: float,
              seed: int = 1, timeout_s: int = 10) -> subprocess.Popen[str]:
    """wrk in the background: ``concurrency`` connections for at most ``seconds``."""
    script = WORK / "wrk-paths.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    threads = max(1, min(concurrency, 2))
    return subprocess.Popen(
        [wrk_binary(), "-t", str(threads), "-c", str(concurrency), "-d", f"{max(1, round(seconds))}s",
         "--timeout", f"{timeout_s}s", "-s", str(script), url, "--", str(paths_file), str(seed)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finish_wrk(proc: subprocess.Popen[str], stop: bool = False) -> dict[str, Any]:
    """Wait for wrk (or stop it now with SIGINT: it still prints its figures)."""
    if stop and proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    out, err = proc.communicate()
    line = next((ln for ln in out.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures (exit {proc.returncode}): {err[-500:]}")
    raw = json.loads(line[len("WRKJSON "):])
    errors = raw["errors"]
    server_errors = sum(n for code, n in raw["statuses"].items() if code.startswith("5"))
    refused = sum(n for code, n in raw["statuses"].items() if code.startswith("4"))
    seconds = max(raw["duration_us"] / 1e6, 1e-9)
    return {
        "seconds": seconds,
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds,
        "p50_ms": raw["p50_us"] / 1000, "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000, "max_ms": raw["max_us"] / 1000,
        "statuses": raw["statuses"],
        # an error is a failed request: no answer, or a 5xx; a 4xx is a refused query
        "errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
        + server_errors,
        "refused_4xx": refused,
        "socket_errors": {k: v for k, v in errors.items() if k != "status"},
    }


def run_wrk(url: str, paths_file: Path, concurrency: int, seconds: float,
            seed: int = 1, timeout_s: int = 10) -> dict[str, Any]:
    """One wrk run: ``concurrency`` connections for ``seconds``; figures from the Lua done()."""
    result = finish_wrk(start_wrk(url, paths_file, concurrency, seconds, seed, timeout_s))
    return {"concurrency": concurrency, **result}


def warm_up(url: str, paths: list[str], n: int = 40, rounds: int = 30) -> None:
    """Until every worker has opened its searcher (on a large index that costs each worker
    seconds of CPU): rounds of concurrent requests on fresh connections, so the kernel spreads
    them over the workers, until a whole round answers quickly. Then timing starts."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    host, port = url.split("//", 1)[1].rsplit(":", 1)

    def one(path: str) -> float:
        started = time.monotonic()
        try:
            conn = http.client.HTTPConnection(host, int(port), timeout=300)
            conn.request("GET", path, headers={"Connection": "close"})
            conn.getresponse().read()
            conn.close()
        except (OSError, http.client.HTTPException):
            return 999.0
        return time.monotonic() - started

    with ThreadPoolExecutor(16) as pool:
        for r in range(rounds):
            batch = [paths[(r * 16 + i) % len(paths)] for i in range(16)]
            slowest = max(pool.map(one, batch))
            if slowest < 3.0 and r >= 1:
                break
    log(f"  warmed up in {r + 1} rounds")


def measure(server: Gunicorn, paths: list[str], paths_file: Path, levels: list[int],
            seconds: float) -> dict[str, Any]:
    """wrk at each concurrency level against ``server``, with RSS sampled throughout."""
    warm_up(server.url, paths)
    sampler = RssSampler(server)
    runs = []
    for level in levels:
        run = run_wrk(server.url, paths_file, level, seconds)
        log(f"  c={level}: {run['rps']:.1f} req/s, p50 {run['p50_ms']:.0f} ms, "
            f"p95 {run['p95_ms']:.0f} ms, p99 {run['p99_ms']:.0f} ms, errors {run['errors']}, "
            f"statuses {run['statuses']}")
        runs.append(run)
    return {"runs": runs, "rss": sampler.stop()}


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import platform

    import psutil

    model = ""
    try:
        model = next(ln.split(":", 1)[1].strip() for ln in
                     Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "cpus": os.cpu_count(), "cpu_model": model,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(), "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def run(docs: int, seconds: float, levels: list[int], n_paths: int = 5000,
        peer: bool = True, jobs: int = 2) -> dict[str, Any]:
    """Prepare (or reuse) the data, then measure ours and the peer at each level."""
    from bench.peer_fts5 import build_fts

    data = prepare_data(docs, jobs)
    paths = query_paths(data, n_paths)
    paths_file = WORK / f"paths-{docs}.txt"
    paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    with sqlite3.connect(f"file:{data / 'store.sqlite3'}?mode=ro", uri=True) as db:
        articles = db.execute("SELECT count(*) FROM documents WHERE kind='article'").fetchone()[0]
    prep = data / "prepare.json"
    result: dict[str, Any] = {"docs": docs, "articles": articles, "seconds": seconds,
                              "prepare": json.loads(prep.read_text()) if prep.exists() else None,
                              "levels": levels, "paths": len(paths), "machine": machine(),
                              "sample_paths": paths[:8]}
    log(f"ours: {articles} articles, {len(paths)} query paths")
    ours = Gunicorn(data, WORK / "gunicorn-ours.log")
    try:
        result["workers"] = len(ours.workers())
        result["ours"] = measure(ours, paths, paths_file, levels, seconds)
    finally:
        ours.stop()
    if peer:
        fts = build_fts(data)
        log(f"peer: FTS5 in {fts}")
        theirs = Gunicorn(data, WORK / "gunicorn-peer.log", app="bench.peer_fts5:app",
                          env={"PEER_FTS5_DB": str(fts)})
        try:
            result["peer"] = measure(theirs, paths, paths_file, levels, seconds)
        finally:
            theirs.stop()
    return result


def print_table(result: dict[str, Any]) -> None:
    """Per level: ours, the peer and the ratio (ours / peer throughput)."""
    print(f"{result['articles']} articles, {result['seconds']:g} s per level, "  # noqa: T201
          f"{result.get('workers')} workers")
    print(f"{'c':>3} {'ours r/s':>9} {'p50':>6} {'p95':>6} {'p99':>6} {'err':>4} | "  # noqa: T201
          f"{'peer r/s':>9} {'p50':>6} {'p95':>6} {'p99':>6} {'err':>4} | {'ratio':>6}")
    peer_runs = {r["concurrency"]: r for r in result.get("peer", {}).get("runs", [])}
    for run in result["ours"]["runs"]:
        p = peer_runs.get(run["concurrency"])
        line = (f"{run['concurrency']:>3} {run['rps']:>9.1f} {run['p50_ms']:>6.0f} "
                f"{run['p95_ms']:>6.0f} {run['p99_ms']:>6.0f} {run['errors']:>4} | ")
        if p:
            line += (f"{p['rps']:>9.1f} {p['p50_ms']:>6.0f} {p['p95_ms']:>6.0f} "
                     f"{p['p99_ms']:>6.0f} {p['errors']:>4} | {run['rps'] / p['rps']:>6.2f}")
        print(line)  # noqa: T201
    ratios = [run["rps"] / peer_runs[run["concurrency"]]["rps"]
              for run in result["ours"]["runs"] if run["concurrency"] in peer_runs]
    if ratios:
        print(f"median throughput ratio ours/peer: {statistics.median(ratios):.2f}")  # noqa: T201


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000, help="generated pages to index")
    parser.add_argument("--seconds", type=float, default=10.0, help="per concurrency level")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--paths", type=int, default=5000, help="distinct query paths")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    result = run(args.docs, args.seconds, args.concurrency, args.paths, peer=not args.no_peer)
    print_table(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    errors = sum(r["errors"] for r in result["ours"]["runs"])
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
