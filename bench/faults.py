"""Faults and reindexing under load: nothing lost, nothing duplicated, the live index intact.

    python bench/faults.py --docs 2000 --trials 10                  # every fault, 10 trials each
    python bench/faults.py --docs 2000 --only worker-kill ingest-kill
    python bench/faults.py --docs 5000 --only reindex-under-load --full 10 --changed 50

Sections (each trial is independent; a failed check is recorded, never raised):

- ``worker-kill``: a request is sent half-way (request line, no blank line) so that a
  gunicorn worker holds it; that worker gets SIGKILL. Only requests in flight on it may fail;
  background clients see nothing else; the master starts a replacement.
- ``ingest-kill``: ``ingest --jobs 2`` killed (SIGKILL) at a random moment, then re-run: the
  store ends equal to a clean run's (documents, files, ids), the index built from it holds
  every article once.
- ``reindex-kill``: a full ``reindex`` (and, every other trial, ``reindex --changed``)
  killed at a random moment: the served generation still answers with the same count; the
  re-run completes.
- ``full-disk``: a small tmpfs, filled to a random level, during ``reindex``: exit 2 with
  one clear line, CURRENT unchanged, the live index searchable; reindex works once freed.
- ``broken-generation``: the live generation deleted or corrupted: a freshly started
  server says 503 on /readyz; ``reindex`` rebuilds it and /readyz says 200.
- ``concurrent-reindex``: a second reindex while one runs refuses with "reindex already
  running"; the first completes.
- ``reindex-under-load``: wrk runs the query mix while ``--full`` full reindexes and
  ``--changed`` incremental ones (``ingest`` of an added or changed page, then ``reindex
  --changed``) happen; a checker thread asks queries known to have hits and counts empty
  pages; after each incremental reindex the page it added must be found by its unique word.

``--json`` writes the figures for bench/reliability.py.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import (  # noqa: E402
    CLI,
    WORK,
    Gunicorn,
    corpus_pages,
    finish_wrk,
    log,
    prepare_data,
    query_paths,
    start_wrk,
    warm_up,
)

FAULTS = WORK / "faults"


def cli(*args: str, timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess (what an operator or cron job does)."""
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout)


def spawn(*args: str) -> subprocess.Popen[bytes]:
    """The CLI in the background, to be killed."""
    return subprocess.Popen([*CLI, *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def fresh_copy(data: Path, name: str) -> Path:
    """A private copy of a prepared data dir (trials never touch the shared one)."""
    target = FAULTS / name
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(data, target)
    return target


def store_state(data: Path) -> dict[str, Any]:
    """What must survive any kill: document and file counts, and the set of document ids."""
    db = sqlite3.connect(f"file:{data / 'store.sqlite3'}?mode=ro", uri=True)
    try:
        ids = sorted(r[0] for r in db.execute("SELECT id FROM documents"))
        articles = db.execute("SELECT count(*) FROM documents WHERE kind='article'").fetchone()[0]
        files = db.execute("SELECT count(*) FROM files WHERE status != 'removed'").fetchone()[0]
    finally:
        db.close()
    return {"documents": len(ids), "articles": articles, "files": files,
            "ids_hash": hash(tuple(ids)), "duplicates": len(ids) - len(set(ids))}


def index_count(data: Path) -> tuple[str, int, int]:
    """(live generation, documents in it, hits for the probe query) read like a worker does."""
    from whoosh import index as whoosh_index
    from whoosh.query import Every

    from index.generations import current_generation

    gen = current_generation(data)
    ix = whoosh_index.open_dir(str(gen))
    with ix.searcher() as searcher:
        ids = [f["id"] for f in searcher.all_stored_fields()]
        probe = 0 if searcher.search(Every(), limit=1).is_empty() else 1
    if len(ids) != len(set(ids)):
        return gen.name, -1, probe  # a duplicated id: a lost-or-doubled document
    return gen.name, len(ids), probe


def _trial(results: list[dict[str, Any]], fn: Callable[[int], dict[str, Any]], i: int) -> None:
    try:
        out = fn(i)
    except Exception as err:  # noqa: BLE001 — a crashed trial is a failed trial, recorded
        out = {"ok": False, "error": f"{type(err).__name__}: {err}"}
    out["trial"] = i
    results.append(out)
    log(f"  trial {i}: {'ok' if out.get('ok') else 'FAILED'} {out}")


def summarise(name: str, results: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """Trials run and passed, and the per-trial details."""
    return {"name": name, "trials": len(results), "passed": sum(bool(r.get("ok")) for r in results),
            **extra, "details": results}


# -- worker kill ------------------------------------------------------------------------------


class Background:
    """Clients doing one request per fresh connection, each request timed and recorded."""

    def __init__(self, url: str, paths: list[str], clients: int = 3) -> None:
        self.host, self.port = url.split("//", 1)[1].split(":")
        self.paths = paths
        self.records: list[tuple[float, float, bool, str]] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                         for i in range(clients)]
        for t in self._threads:
            t.start()

    def _run(self, seed: int) -> None:
        rng = random.Random(seed)
        while not self._stop.is_set():
            path = rng.choice(self.paths)
            started = time.monotonic()
            ok, why = True, ""
            try:
                conn = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
                conn.request("GET", path, headers={"Connection": "close"})
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status >= 500:
                    ok, why = False, f"status {resp.status}"
            except (OSError, http.client.HTTPException) as err:
                ok, why = False, f"{type(err).__name__}: {err}"
            self.records.append((started, time.monotonic(), ok, why))

    def stop(self) -> list[tuple[float, float, bool, str]]:
        self._stop.set()
        for t in self._threads:
            t.join()
        return self.records


def _holder(server: Gunicorn, local_port: int, timeout: float = 2.0) -> int | None:
    """The worker pid holding the connection from ``local_port``."""
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in server.workers():
            try:
                conns = psutil.Process(pid).net_connections(kind="tcp")
            except psutil.Error:
                continue
            if any(c.raddr and c.raddr.port == local_port and c.status == "ESTABLISHED"
                   for c in conns):
                return pid
        time.sleep(0.005)
    return None


def worker_kill(data: Path, trials: int, paths: list[str]) -> dict[str, Any]:
    """SIGKILL the worker holding an unfinished request; see the module docstring."""
    server = Gunicorn(data, FAULTS / "gunicorn-worker-kill.log", workers=3)
    results: list[dict[str, Any]] = []
    try:
        warm_up(server.url, paths, 30)
        bg = Background(server.url, paths)
        kills: list[float] = []

        def one(i: int) -> dict[str, Any]:
            before = set(server.workers())
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            sock.sendall(f"GET {paths[i]} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
            victim = _holder(server, sock.getsockname()[1])
            if victim is None:
                sock.close()
                return {"ok": False, "error": "no worker held the connection"}
            time.sleep(random.uniform(0.0, 0.05))
            os.kill(victim, signal.SIGKILL)
            killed_at = time.monotonic()
            kills.append(killed_at)
            try:
                sock.sendall(b"\r\n")
                answer = sock.recv(100)
            except OSError as err:
                answer = f"{type(err).__name__}".encode()
            sock.close()
            victim_failed = not answer.startswith(b"HTTP/1.1 200")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                now = set(server.workers())
                if victim not in now and len(now) == len(before):
                    break
                time.sleep(0.05)
            replaced = time.monotonic() - killed_at
            after = set(server.workers())
            time.sleep(1.0)  # let background clients run on the new worker
            return {"ok": victim not in after and len(after) == len(before),
                    "victim_request_failed": victim_failed, "replaced_s": round(replaced, 2)}

        for i in range(trials):
            _trial(results, one, i)
        records = bg.stop()
    finally:
        server.stop()
    # a background failure is expected only while a kill happened during the request
    in_flight = [r for r in records if not r[2] and any(r[0] <= k <= r[1] for k in kills)]
    unexpected = [r for r in records if not r[2] and not any(r[0] <= k <= r[1] for k in kills)]
    return summarise(
        "worker-kill", results, background_requests=len(records),
        background_failed_in_flight=len(in_flight), background_failed_unexpected=len(unexpected),
        unexpected_examples=[r[3] for r in unexpected[:5]],
        max_replaced_s=max((r.get("replaced_s", 0) for r in results), default=0),
    )


# -- ingest / reindex kills --------------------------------------------------------------------


def ingest_kill(pages: Path, trials: int, seed: int) -> dict[str, Any]:
    """Killed ``ingest --jobs 2`` runs, each finished by a re-run, compared with a clean run."""
    clean = FAULTS / "ingest-clean"
    shutil.rmtree(clean, ignore_errors=True)
    started = time.monotonic()
    cli("ingest", str(pages), "--data-dir", str(clean), "--jobs", "2", "-q")
    clean_s = time.monotonic() - started
    expected = store_state(clean)
    rng = random.Random(seed)
    results: list[dict[str, Any]] = []

    def one(i: int) -> dict[str, Any]:
        data = FAULTS / "ingest-killed"
        shutil.rmtree(data, ignore_errors=True)
        at = rng.uniform(0.1, 0.95) * clean_s
        proc = spawn("ingest", str(pages), "--data-dir", str(data), "--jobs", "2", "-q")
        time.sleep(at)
        killed = proc.poll() is None
        # kill the whole tree: the pool's children must die too, as on a crash or OOM kill
        _kill_tree(proc)
        partial = store_state(data)["documents"] if (data / "store.sqlite3").exists() else 0
        rerun = cli("ingest", str(pages), "--data-dir", str(data), "--jobs", "2", "-q")
        state = store_state(data)
        reindex = cli("reindex", "--data-dir", str(data), "-q")
        gen, indexed, _ = index_count(data)
        ok = (rerun.returncode in (0, 1) and state == expected and reindex.returncode == 0
              and indexed == expected["articles"])
        return {"ok": ok, "killed_at_s": round(at, 2), "killed_mid_run": killed,
                "documents_at_kill": partial, "documents": state["documents"],
                "expected": expected["documents"], "indexed": indexed}

    for i in range(trials):
        _trial(results, one, i)
    return summarise("ingest-kill", results, clean_seconds=round(clean_s, 1),
                     expected_documents=expected["documents"], expected_articles=expected["articles"])


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    import psutil

    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        children = []
    for p in [proc.pid, *(c.pid for c in children)]:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


def reindex_kill(data: Path, trials: int, seed: int, update_pages: Path) -> dict[str, Any]:
    """Killed full and incremental reindexes; the live generation must keep answering."""
    data = fresh_copy(data, "reindex-kill")
    started = time.monotonic()
    assert cli("reindex", "--data-dir", str(data), "-q").returncode == 0
    full_s = time.monotonic() - started
    rng = random.Random(seed)
    results: list[dict[str, Any]] = []

    def one(i: int) -> dict[str, Any]:
        changed = i % 2 == 1
        if changed:  # something for --changed to apply: a new page
            write_update_page(update_pages, f"kill{i}", nonce_word(rng), rng)
            cli("ingest", str(update_pages), "--data-dir", str(data), "-q")
        articles = store_state(data)["articles"]
        live_before, count_before, _ = index_count(data)
        at = rng.uniform(0.05, 0.95) * (full_s if not changed else 1.5)
        proc = spawn("reindex", "--data-dir", str(data), "-q", *(["--changed"] if changed else []))
        time.sleep(at)
        killed = proc.poll() is None
        _kill_tree(proc)
        live_mid, count_mid, probe_mid = index_count(data)
        # a kill either leaves the old generation or a finished publish, never a broken one
        intact = probe_mid == 1 and count_mid in {count_before, articles}
        rerun = cli("reindex", "--data-dir", str(data), "-q", *(["--changed"] if changed else []))
        _, count_after, _ = index_count(data)
        ok = intact and rerun.returncode == 0 and count_after == articles
        return {"ok": ok, "mode": "changed" if changed else "full", "killed_at_s": round(at, 2),
                "killed_mid_run": killed, "served_after_kill": count_mid,
                "generation_kept": live_mid == live_before, "indexed_after_rerun": count_after,
                "articles": articles, "rerun_stderr": rerun.stderr.strip()[-200:]}

    for i in range(trials):
        _trial(results, one, i)
    return summarise("reindex-kill", results, full_reindex_seconds=round(full_s, 1))


# -- full disk, broken generation, concurrent reindex ----------------------------------------


def full_disk(data: Path, trials: int, seed: int) -> dict[str, Any]:
    """Reindex on a tmpfs with a random little room left (needs root for mount)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        return {"name": "full-disk", "trials": 0, "passed": 0, "skipped": "needs root"}
    # room for the copied data dir and two more generations (a reindex keeps two)
    size_mb = int(sum(f.stat().st_size for f in data.rglob("*") if f.is_file()) / 2**20 * 2.5) + 32
    rng = random.Random(seed)
    results: list[dict[str, Any]] = []

    def one(i: int) -> dict[str, Any]:
        mnt = Path(tempfile.mkdtemp(prefix="search-service-full-disk-"))
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs",
                                  str(mnt)], capture_output=True).returncode == 0
        if not mounted:
            mnt.rmdir()
            return {"ok": False, "error": "cannot mount tmpfs"}
        try:
            d = mnt / "data"
            shutil.copytree(data, d)
            gen_size = sum(f.stat().st_size for f in
                           (d / "index" / (d / "index" / "CURRENT").read_text().strip()).iterdir())
            room = int(rng.uniform(0.0, 0.9) * gen_size)
            free = shutil.disk_usage(mnt).free
            with open(mnt / "ballast", "wb") as fh:
                fh.write(b"\0" * max(0, free - room))
            live, count, _ = index_count(d)
            proc = cli("reindex", "--data-dir", str(d), "-q")
            err = proc.stderr.strip()
            one_line = "Traceback" not in err and err.count("\n") == 0
            live_after, count_after, probe = index_count(d)
            leftovers = [p.name for p in (d / "index").iterdir()
                         if p.is_dir() and p.name != live_after]
            (mnt / "ballast").unlink()
            again_proc = cli("reindex", "--data-dir", str(d), "-q")
            again = again_proc.returncode
            ok = (proc.returncode == 2 and one_line and "space" in err.lower()
                  and live_after == live and count_after == count and probe == 1 and again == 0)
            return {"ok": ok, "room_kb": room // 1024, "exit": proc.returncode, "message": err[:200],
                    "live_kept": live_after == live, "leftover_dirs": leftovers,
                    "reindex_after_freeing": again, "after_freeing_message": again_proc.stderr[-200:],
                    "free_after_freeing_mb": shutil.disk_usage(mnt).free // 2**20}
        finally:
            subprocess.run(["umount", "-l", str(mnt)], check=False)
            mnt.rmdir()

    for i in range(trials):
        _trial(results, one, i)
    return summarise("full-disk", results, tmpfs_mb=size_mb)


def broken_generation(data: Path, trials: int, seed: int) -> dict[str, Any]:
    """Delete or corrupt the live generation; a started server must say not-ready."""
    import requests

    data = fresh_copy(data, "broken-generation")
    rng = random.Random(seed)
    results: list[dict[str, Any]] = []

    def one(i: int) -> dict[str, Any]:
        from index.generations import current_generation

        gen = current_generation(data)
        how = "delete" if i % 2 == 0 else "corrupt"
        # a server already serving the generation when it breaks: what do its workers do?
        running = Gunicorn(data, FAULTS / "gunicorn-broken-running.log", workers=2)
        for _ in range(8):
            requests.get(running.url + "/api/v1/search?q=council", timeout=30)
        if how == "delete":
            shutil.rmtree(gen)
        else:
            for f in gen.iterdir():
                if f.suffix in {".seg", ".toc"}:
                    blob = bytearray(f.read_bytes())
                    for _ in range(64):
                        blob[rng.randrange(len(blob))] = rng.randrange(256)
                    if rng.random() < 0.5:
                        blob = blob[: rng.randrange(len(blob))]
                    f.write_bytes(bytes(blob))
        seen = []
        for _ in range(12):
            try:
                seen.append(requests.get(running.url + "/readyz", timeout=30).status_code)
            except requests.RequestException:
                seen.append(-1)  # the worker died under the request
            time.sleep(0.1)
        running.stop()
        server = Gunicorn(data, FAULTS / "gunicorn-broken.log", workers=1)
        try:
            ready = requests.get(server.url + "/readyz", timeout=30)
            search = requests.get(server.url + "/api/v1/search?q=council", timeout=30)
            rebuilt = cli("reindex", "--data-dir", str(data), "-q")
            ready_after = requests.get(server.url + "/readyz", timeout=30)
        finally:
            server.stop()
        # the running server may still answer from what it has read (200) or say it is not
        # ready (503); a 500 or a dead worker is a failure
        ok = (ready.status_code == 503 and search.status_code == 503 and rebuilt.returncode == 0
              and ready_after.status_code == 200 and set(seen) <= {200, 503})
        return {"ok": ok, "how": how, "readyz": ready.status_code, "search": search.status_code,
                "reindex_exit": rebuilt.returncode, "readyz_after_reindex": ready_after.status_code,
                "running_server_readyz": dict(sorted(Counter(seen).items()))}

    for i in range(trials):
        _trial(results, one, i)
    return summarise("broken-generation", results)


def concurrent_reindex(data: Path, trials: int) -> dict[str, Any]:
    """Two reindexes at once: the second refuses clearly, the first completes."""
    data = fresh_copy(data, "concurrent-reindex")
    lock = data / "index" / "reindex.lock"
    results: list[dict[str, Any]] = []

    def one(i: int) -> dict[str, Any]:
        first = subprocess.Popen([*CLI, "reindex", "--data-dir", str(data), "-q"], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the lock file names the holder once it has it
            if lock.exists() and lock.read_text().strip() == str(first.pid):
                break
            time.sleep(0.01)
        second = cli("reindex", "--data-dir", str(data), "-q")
        _, err1 = first.communicate()
        return {"ok": second.returncode == 2 and "reindex already running" in second.stderr
                and first.returncode == 0,
                "second_exit": second.returncode, "second_message": second.stderr.strip()[:160],
                "first_exit": first.returncode}

    for i in range(trials):
        _trial(results, one, i)
    return summarise("concurrent-reindex", results)


# -- reindex under load -----------------------------------------------------------------------

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} - Updates Example</title>
<meta property="article:published_time" content="2026-11-25T10:00:00Z">
<link rel="canonical" href="https://updates.example/2026/11/{slug}.html"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>{title}</h1>
<p class="byline">By Ann Example</p><time datetime="2026-11-25T10:00:00Z">25 November 2026</time>
{paragraphs}
</article><footer>Copyright Updates Example</footer></body></html>
"""
SENTENCES = [
    "The city council voted on Tuesday to approve the {w} harbour plan after months of debate "
    "among residents and local businesses about the cost of the works.",
    "Supporters said the {w} plan would bring new jobs to the waterfront and protect the old quay "
    "from winter storms, while critics warned that the budget could grow.",
    "The first stage of construction is expected to begin in the spring, and the council said it "
    "would publish the contracts before any work starts on the site.",
    "Residents will be able to comment on the detailed drawings at a public meeting next month in "
    "the town hall, officials said in a statement.",
]


def nonce_word(rng: random.Random) -> str:
    """A made-up word no generated page holds: ``zq`` + 8 letters."""
    return "zq" + "".join(rng.choice(string.ascii_lowercase) for _ in range(8))


def write_update_page(folder: Path, slug: str, word: str, rng: random.Random) -> Path:
    """An article page whose title and body hold ``word`` (a new page, or a changed one)."""
    path = folder / "updates.example" / "2026" / "11" / f"{slug}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    sentences = SENTENCES[:]
    rng.shuffle(sentences)
    paragraphs = "\n".join(f"<p>{s.format(w=word)}</p>" for s in sentences)
    path.write_text(PAGE.format(title=f"Council approves {word} harbour plan", slug=slug,
                                paragraphs=paragraphs), encoding="utf-8")
    return path


class HitChecker:
    """Asks queries known to have hits, over and over: every answer must be a 200 with hits."""

    def __init__(self, url: str, queries: list[str]) -> None:
        import requests

        self.session = requests.Session()
        self.url, self.queries = url, queries
        self.asked = self.empty = self.failed = 0
        self.examples: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        i = 0
        while not self._stop.is_set():
            q = self.queries[i % len(self.queries)]
            i += 1
            try:
                resp = self.session.get(f"{self.url}/api/v1/search?q={quote(q)}", timeout=30)
                self.asked += 1
                if resp.status_code != 200:
                    self.failed += 1
                    self.examples.append(f"{q}: status {resp.status_code}")
                elif resp.json()["total"] == 0:
                    self.empty += 1
                    self.examples.append(f"{q}: empty")
            except Exception as err:  # noqa: BLE001 — any failure is counted
                self.failed += 1
                self.examples.append(f"{q}: {type(err).__name__}")

    def stop(self) -> dict[str, Any]:
        self._stop.set()
        self._thread.join()
        return {"asked": self.asked, "empty": self.empty, "failed": self.failed,
                "examples": self.examples[:5]}


def server_refusals(log_path: Path, since: float, until: float | None = None) -> dict[str, Any]:
    """From a gunicorn log: 4xx/5xx answers to searches between ``since`` and ``until`` (epoch
    seconds, from the JSON access lines) and the distinct "failed in Whoosh" warnings."""
    from datetime import datetime

    statuses: Counter[int] = Counter()
    whoosh: Counter[str] = Counter()
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            try:
                entry = json.loads(line)
                when = datetime.fromisoformat(entry["time"]).timestamp()
            except (ValueError, KeyError):
                continue
            if when >= since and (until is None or when <= until) and "search" in entry["path"]:
                statuses[int(entry["status"])] += 1
        elif "failed in Whoosh" in line:
            whoosh[line.split("failed in Whoosh:", 1)[1].strip()[:80] or "(empty message)"] += 1
    return {"search_statuses": {str(k): v for k, v in sorted(statuses.items())},
            "search_4xx": sum(v for k, v in statuses.items() if 400 <= k < 500),
            "whoosh_errors": dict(whoosh.most_common(6))}


def reindex_under_load(data: Path, full: int, changed: int, concurrency: int,
                       seed: int) -> dict[str, Any]:
    """``full`` full and ``changed`` incremental reindexes while wrk and the checker run."""
    import requests

    data = fresh_copy(data, "reindex-under-load")
    updates = FAULTS / "updates-under-load"
    shutil.rmtree(updates, ignore_errors=True)
    paths = query_paths(data, 2000, seed)
    paths_file = FAULTS / "paths-under-load.txt"
    paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    log_path = FAULTS / "gunicorn-under-load.log"
    log_path.unlink(missing_ok=True)
    server = Gunicorn(data, log_path)
    rng = random.Random(seed)
    try:
        warm_up(server.url, paths)
        # queries with hits now: whole titles' distinctive words (checked before the load)
        known = []
        for path in paths:
            if not path.startswith("/api/") or len(known) >= 40:
                continue
            r = requests.get(server.url + path, timeout=30)
            if r.status_code == 200 and r.json()["total"] > 0 and "site=" not in path:
                from urllib.parse import parse_qs, urlsplit

                known.append(parse_qs(urlsplit(path).query)["q"][0])
        checker = HitChecker(server.url, known)
        # wrk runs until every reindex is done (then SIGINT: it still reports)
        wrk = start_wrk(server.url, paths_file, concurrency, 24 * 3600)
        started = time.monotonic()
        started_epoch = time.time()
        ops: list[dict[str, Any]] = []
        lost: list[str] = []
        pages: list[tuple[str, str]] = []  # (slug, current word)
        plan = ["full"] * full + ["changed"] * changed
        rng.shuffle(plan)
        for n, kind in enumerate(plan):
            t0 = time.monotonic()
            if kind == "full":
                proc = cli("reindex", "--data-dir", str(data), "-q")
                ops.append({"kind": "full", "exit": proc.returncode,
                            "seconds": round(time.monotonic() - t0, 2)})
                continue
            if pages and rng.random() < 0.4:  # change an added page: its word changes
                idx = rng.randrange(len(pages))
                slug, old = pages[idx]
                word = nonce_word(rng)
                write_update_page(updates, slug, word, rng)
                pages[idx] = (slug, word)
                action = "changed"
            else:
                slug, old, word = f"page-{n}", "", nonce_word(rng)
                write_update_page(updates, slug, word, rng)
                pages.append((slug, word))
                action = "added"
            ing = cli("ingest", str(updates), "--data-dir", str(data), "-q")
            proc = cli("reindex", "--data-dir", str(data), "--changed", "-q")
            # acknowledged: the reindex said done; the word must be found now
            found = requests.get(f"{server.url}/api/v1/search?q={word}", timeout=30).json()
            gone = (requests.get(f"{server.url}/api/v1/search?q={old}", timeout=30).json()
                    if old else {"total": 0})
            if proc.returncode == 0 and (found.get("total", 0) < 1 or gone.get("total", 0) != 0):
                lost.append(f"{action} {slug}: new word {found.get('total')} hits, "
                            f"old word {gone.get('total')} hits")
            ops.append({"kind": "changed", "action": action, "ingest_exit": ing.returncode,
                        "exit": proc.returncode, "seconds": round(time.monotonic() - t0, 2)})
        duration = time.monotonic() - started
        wrk_out = finish_wrk(wrk, stop=True)
        checks = checker.stop()
        # the final state: every added page, with its latest word, is searchable
        final_missing = [slug for slug, word in pages if requests.get(
            f"{server.url}/api/v1/search?q={word}", timeout=30).json().get("total", 0) < 1]
    finally:
        server.stop()
    refusals = server_refusals(log_path, started_epoch)
    failed_ops = [op for op in ops if op["exit"] != 0]
    fulls = [op["seconds"] for op in ops if op["kind"] == "full"]
    incs = [op["seconds"] for op in ops if op["kind"] == "changed"]
    return {
        "name": "reindex-under-load", "full": full, "changed": changed, "concurrency": concurrency,
        "seconds": round(duration, 1), "wrk": wrk_out, "checker": checks,
        "failed_reindexes": failed_ops[:5], "failed_reindex_count": len(failed_ops),
        "lost_after_ack": lost, "final_missing": final_missing, "added_pages": len(pages),
        "full_seconds_median": sorted(fulls)[len(fulls) // 2] if fulls else None,
        "changed_seconds_median": sorted(incs)[len(incs) // 2] if incs else None,
        "refusals": refusals,
        "ok": (not failed_ops and not lost and not final_missing and checks["empty"] == 0
               and checks["failed"] == 0 and wrk_out.get("errors", 1) == 0),
    }


# -- threads sharing one Searcher ---------------------------------------------------------------


def shared_searcher(data: Path, seconds: float, threads_list: tuple[int, ...] = (1, 4),
                    seed: int = 1) -> dict[str, Any]:
    """Threads searching one Searcher (as a gthread worker's threads do), no reindex at all:
    every failure is a race between the threads, since the same queries pass one at a time."""
    import logging
    from urllib.parse import parse_qs, urlsplit

    from index.models import SearchRequest
    from index.search import Searcher

    logging.getLogger("index").setLevel(logging.ERROR)
    queries = [parse_qs(urlsplit(p).query)["q"][0] for p in query_paths(data, 400, seed)]
    out: dict[str, Any] = {"name": "shared-searcher", "docs_dir": data.name, "runs": []}
    for n_threads in threads_list:
        searcher = Searcher(data)
        done, errors = [0], []
        stop = threading.Event()

        def loop(offset: int) -> None:
            i = offset * 97
            while not stop.is_set():
                try:
                    searcher.search(SearchRequest(q=queries[i % len(queries)]))
                    done[0] += 1
                except Exception as err:  # noqa: BLE001 — every failure is the finding
                    errors.append(f"{type(err).__name__}: {err.__cause__!r}"[:160])
                i += 1

        workers = [threading.Thread(target=loop, args=(k,)) for k in range(n_threads)]
        for t in workers:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in workers:
            t.join()
        searcher.close()
        out["runs"].append({"threads": n_threads, "searches": done[0], "failed": len(errors),
                            "examples": sorted(set(errors))[:4]})
        log(f"  {n_threads} threads: {done[0]} searches, {len(errors)} failed")
    out["ok"] = all(r["failed"] == 0 for r in out["runs"])
    return out


# -- main -------------------------------------------------------------------------------------

SECTIONS = ("worker-kill", "ingest-kill", "reindex-kill", "full-disk", "broken-generation",
            "concurrent-reindex", "reindex-under-load", "shared-searcher")


def run(docs: int, trials: int, only: list[str], full: int, changed: int, concurrency: int,
        seed: int = 1) -> dict[str, Any]:
    """Every selected section on a data dir of ``docs`` generated pages."""
    FAULTS.mkdir(parents=True, exist_ok=True)
    data = prepare_data(docs)
    paths = query_paths(data, 500, seed)
    out: dict[str, Any] = {"docs": docs, "trials": trials, "sections": {}}
    updates = FAULTS / "updates-kill"
    shutil.rmtree(updates, ignore_errors=True)
    jobs: dict[str, Callable[[], dict[str, Any]]] = {
        "worker-kill": lambda: worker_kill(data, trials, paths),
        "ingest-kill": lambda: ingest_kill(corpus_pages(docs), trials, seed),
        "reindex-kill": lambda: reindex_kill(data, trials, seed, updates),
        "full-disk": lambda: full_disk(data, trials, seed),
        "broken-generation": lambda: broken_generation(data, trials, seed),
        "concurrent-reindex": lambda: concurrent_reindex(data, trials),
        "reindex-under-load": lambda: reindex_under_load(data, full, changed, concurrency, seed),
        "shared-searcher": lambda: shared_searcher(data, 30.0),
    }
    for name in SECTIONS:
        if (only and name not in only) or (not only and name == "shared-searcher"):
            continue
        log(f"{name}: {trials if name not in ('reindex-under-load', 'shared-searcher') else f'{full}+{changed}'} trials")
        started = time.monotonic()
        result = jobs[name]()
        result["wall_s"] = round(time.monotonic() - started, 1)
        out["sections"][name] = result
        passed = result.get("passed", "ok" if result.get("ok") else "FAILED")
        log(f"{name}: {passed}/{result.get('trials', '')} in {result['wall_s']} s")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000, help="generated pages in the data dir")
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--only", nargs="*", default=[], choices=SECTIONS)
    parser.add_argument("--full", type=int, default=10, help="full reindexes under load")
    parser.add_argument("--changed", type=int, default=50, help="incremental reindexes under load")
    parser.add_argument("--concurrency", type=int, default=8, help="wrk connections under load")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    out = run(args.docs, args.trials, args.only, args.full, args.changed, args.concurrency,
              args.seed)
    bad = 0
    for name, section in out["sections"].items():
        if "trials" in section and name not in ("reindex-under-load", "shared-searcher"):
            print(f"{name:20} {section['passed']}/{section['trials']} trials passed")  # noqa: T201
            bad += section["trials"] - section["passed"]
        else:
            print(f"{name:20} {'ok' if section.get('ok') else 'FAILED'}: "  # noqa: T201
                  f"{json.dumps({k: v for k, v in section.items() if k not in ('wrk',)})[:600]}")
            bad += 0 if section.get("ok") else 1
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str), encoding="utf-8")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
