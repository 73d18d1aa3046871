"""Run the whole reliability harness and write RELIABILITY.md from what it measured.

    python bench/reliability.py --docs 100000                 # the full run (hours on 2 cores)
    python bench/reliability.py --quick                       # small scale, a few minutes
    python bench/reliability.py --only load fuzz-api          # rerun some sections ...
    python bench/reliability.py --render-only                 # ... and rewrite the report

Each section is its own benchmark script, run as a subprocess with ``--json``; the command
line is printed into the report beside its figures, so every number can be reproduced
alone. Results are kept in ``--results`` (under /tmp, one JSON per section), so a section
can be rerun without the others and the report re-rendered from all of them. The report
says which scale each figure was measured at: the load and the API fuzz run on the big
index (``--docs``); kills, full disks and reindexing under load run on a smaller data dir
(``--fault-docs``) because each of their trials rebuilds or re-ingests it, and the API fuzz
on ``--fuzz-docs`` pages (10,000 requests at ~1 s per real search on 100k would take an hour).
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import WORK, log, machine  # noqa: E402

SECTIONS = ("load", "faults", "under-load", "threads", "fuzz-api", "fuzz-ingest")


def commands(args: argparse.Namespace, results: Path) -> dict[str, list[str]]:
    """The command of each section (relative paths, as a reader would type them)."""
    py = "python"
    return {
        "load": [py, "bench/load.py", "--docs", str(args.docs), "--seconds", f"{args.seconds:g}",
                 "--concurrency", *map(str, args.concurrency), "--json", str(results / "load.json")],
        "faults": [py, "bench/faults.py", "--docs", str(args.fault_docs), "--trials",
                   str(args.trials), "--only", "worker-kill", "ingest-kill", "reindex-kill",
                   "full-disk", "broken-generation", "concurrent-reindex",
                   "--json", str(results / "faults.json")],
        "under-load": [py, "bench/faults.py", "--docs", str(args.fault_docs), "--only",
                       "reindex-under-load", "--full", str(args.full), "--changed",
                       str(args.changed), "--json", str(results / "under-load.json")],
        "threads": [py, "bench/faults.py", "--docs", str(args.fault_docs), "--only",
                    "shared-searcher", "--json", str(results / "threads.json")],
        "fuzz-api": [py, "bench/fuzz_api.py", "--docs", str(args.fuzz_docs), "--requests",
                     str(args.fuzz_requests), "--seed", "1", "--bound", f"{args.bound:g}",
                     "--json", str(results / "fuzz-api.json")],
        "fuzz-ingest": [py, "bench/fuzz_ingest.py", "--pages", str(args.fuzz_pages), "--seed", "1"],
    }


def run_section(name: str, cmd: list[str], results: Path) -> None:
    """Run one section; its stdout goes to ``<name>.txt``, its exit status to ``<name>.meta``."""
    log(f"section {name}: {shlex.join(cmd)}")
    started = time.monotonic()
    real = [sys.executable, *cmd[1:]]
    with open(results / f"{name}.txt", "w", encoding="utf-8") as out:
        code = subprocess.run(real, cwd=ROOT, stdout=out, stderr=sys.stderr).returncode
    meta = {"command": shlex.join(cmd), "exit": code, "seconds": round(time.monotonic() - started),
            "finished_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": machine()}
    (results / f"{name}.meta").write_text(json.dumps(meta), encoding="utf-8")
    log(f"section {name}: exit {code} in {meta['seconds']} s")


def _load(results: Path, name: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    data = results / f"{name}.json"
    meta = results / f"{name}.meta"
    return (json.loads(data.read_text()) if data.exists() else None,
            json.loads(meta.read_text()) if meta.exists() else None)


def _cmd(meta: dict[str, Any] | None) -> str:
    if not meta:
        return "_not run_"
    return (f"`{meta['command']}` (exit {meta['exit']}, {meta['seconds']} s wall, "
            f"finished {meta['finished_utc']}, load average at the end "
            f"{'/'.join(map(str, meta['machine']['load_avg']))})")


# -- rendering ---------------------------------------------------------------------------------


def render_load(results: Path) -> list[str]:
    data, meta = _load(results, "load")
    out = ["## 1. Load: throughput, latency, errors, worker memory", "", f"Command: {_cmd(meta)}", ""]
    if not data:
        return [*out, "Not measured in this run.", ""]
    out += [
        f"Index: **{data['articles']:,} articles** from {data['docs']:,} generated pages "
        f"(../shared/bench/make_corpus.py, `ingest --jobs 2`, `reindex`), "
        f"{data.get('workers')} gunicorn workers (gthread, 4 threads; the project's "
        f"search_service/gunicorn_conf.py), wrk for {data['seconds']:g} s per concurrency level, "
        f"{data['paths']:,} distinct query paths chosen at random by a Lua script. "
        "Mix: 1-4 words from titles and bodies, 15 % quoted phrases, 10 % typos, 15 % site "
        "filters, 15 % newest-first, 10 % page 2; half result pages (`/search`), half API "
        "(`/api/v1/search`). Examples: " + ", ".join(f"`{p}`" for p in data["sample_paths"][:4]) + ".",
        "",
        (f"Preparing it took {data['prepare']['ingest_s']:,.0f} s of `ingest --jobs 2` and "
         f"{data['prepare']['reindex_s']:,.0f} s of `reindex` (wall time on this shared machine, "
         f"busy with other jobs; 5-minute load average {data['prepare']['machine']['load_avg'][1]} "
         "when it finished). " if data.get("prepare") else "")
        + "Peer: SQLite FTS5 (porter, BM25 with titles ×2) over the same store's articles, behind a "
        "small Flask app (bench/peer_fts5.py) under the same gunicorn settings, same paths, "
        "measured right after ours. It does less per query (no story collapsing, facets, "
        "spelling, query repair), so the ratio bounds what our engine costs.",
        "",
        "| concurrency | ours req/s | p50 ms | p95 ms | p99 ms | failed | 4xx | peer req/s | p50 ms | p95 ms | p99 ms | failed | ours/peer req/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    peer = {r["concurrency"]: r for r in (data.get("peer") or {}).get("runs", [])}
    ratios = []
    for r in data["ours"]["runs"]:
        p = peer.get(r["concurrency"])
        row = (f"| {r['concurrency']} | {r['rps']:.1f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
               f"{r['p99_ms']:.0f} | {r['errors']} | {r.get('refused_4xx', 0)} | ")
        if p:
            ratios.append(r["rps"] / p["rps"])
            row += (f"{p['rps']:.1f} | {p['p50_ms']:.0f} | {p['p95_ms']:.0f} | {p['p99_ms']:.0f} | "
                    f"{p['errors']} | {r['rps'] / p['rps']:.2f} |")
        else:
            row += "– | – | – | – | – | – |"
        out.append(row)
    total = sum(r["requests"] for r in data["ours"]["runs"])
    failed = sum(r["errors"] for r in data["ours"]["runs"])
    log_note = ""
    if meta:
        from datetime import datetime

        from bench.faults import server_refusals

        end = datetime.strptime(meta["finished_utc"], "%Y-%m-%d %H:%M UTC").timestamp() + 60
        log_path = WORK / "gunicorn-ours.log"
        if log_path.exists():
            seen = server_refusals(log_path, end - 60 - meta["seconds"], end)
            log_note = (f" Ours' access log over the minutes of this section (warm-up included, 16 requests at "
                        f"a time): search answers by status {seen['search_statuses']}; each 400 "
                        "is a valid query that failed inside Whoosh (see Findings: concurrent "
                        "searches in one worker).")
    out += ["", f"Requests sent to ours: {total:,}; failed (no answer or 5xx): **{failed}**"
            f" (wrk gives up on a request after 10 s).{log_note}"
            + (f" Median throughput ratio ours/peer: **{statistics.median(ratios):.2f}**." if ratios else ""),
            "", "Worker RSS over the whole load (sampled every second):", "",
            "| worker pid | samples | first MB | peak MB | last MB | growth over the second half MB |",
            "|---|---|---|---|---|---|"]
    for pid, s in sorted(data["ours"]["rss"].items()):
        out.append(f"| {pid} | {s['samples']} | {s['first_mb']} | {s['peak_mb']} | {s['last_mb']} | "
                   f"{s['second_half_growth_mb']} |")
    out.append("")
    return out


def render_under_load(results: Path) -> list[str]:
    data, meta = _load(results, "under-load")
    out = ["## 2. Reindexing under load", "", f"Command: {_cmd(meta)}", ""]
    sec = (data or {}).get("sections", {}).get("reindex-under-load")
    if not sec:
        return [*out, "Not measured in this run.", ""]
    w, c = sec.get("wrk") or {}, sec["checker"]
    refusals = sec.get("refusals")
    if refusals is None and meta:  # older result: read the server's log for the run's window
        from datetime import datetime

        from bench.faults import FAULTS, server_refusals

        end = datetime.strptime(meta["finished_utc"], "%Y-%m-%d %H:%M UTC").timestamp() + 60
        log_path = FAULTS / "gunicorn-under-load.log"
        if log_path.exists():
            refusals = server_refusals(log_path, end - 60 - sec["seconds"] - 60, end)
    out += [
        f"On a data dir of {data['docs']:,} generated pages: wrk at concurrency "
        f"{sec['concurrency']} ran the query mix for {w.get('seconds', 0):.0f} s while "
        f"**{sec['full']} full reindexes** and **{sec['changed']} incremental ones** "
        "(`ingest` of an added or changed page holding a made-up word, then `reindex --changed`) "
        "ran in random order; a checker thread asked, over and over, queries that had hits before.",
        "",
        "| figure | value |", "|---|---|",
        f"| requests during the reindexes (wrk) | {w.get('requests', 0):,} at {w.get('rps', 0):.1f} req/s, p50 {w.get('p50_ms', 0):.0f} ms, p99 {w.get('p99_ms', 0):.0f} ms |",
        f"| failed requests (wrk: no answer or 5xx) | **{w.get('errors', '?')}** (statuses {w.get('statuses')}) |",
        f"| 4xx answers to the mix during the reindexes (wrk) | **{w.get('refused_4xx', '?')}** (the same mix without reindexing: §1's 4xx column) |",
        f"| search answers by status in the server's access log | {(refusals or {}).get('search_statuses')} |",
        f"| queries that failed inside Whoosh, by message (server log; each answered 400 'could not run this query: try plain words') | {(refusals or {}).get('whoosh_errors')} |",
        f"| checker queries with known hits | {c['asked']:,} |",
        f"| ... answered with an empty page | **{c['empty']}** |",
        f"| ... failed | **{c['failed']}** |",
        f"| reindexes that failed | **{sec['failed_reindex_count']}** |",
        f"| acknowledged changes not searchable right after their reindex | **{len(sec['lost_after_ack'])}** |",
        f"| added pages ({sec['added_pages']}) not searchable at the end | **{len(sec['final_missing'])}** |",
        f"| median full reindex under load | {sec['full_seconds_median']} s |",
        f"| median ingest + `reindex --changed` under load | {sec['changed_seconds_median']} s |",
        "",
    ]
    before = results / "under-load-before-fix.json"
    if before.exists():
        old = json.loads(before.read_text())["sections"]["reindex-under-load"]
        ow = old.get("wrk") or {}
        out += [f"Before the fix of the reopen race (3ad74a7), the same run "
                f"({old['full']} full + {old['changed']} incremental reindexes, "
                f"{ow.get('requests', 0):,} requests) answered **{ow.get('refused_4xx')} valid "
                f"queries with 400** (and {old['checker']['failed']} of the checker's "
                f"{old['checker']['asked']:,} known-hit queries): queries that failed inside "
                "Whoosh because a reopen closed the searcher other threads were using "
                "(tests/test_faults.py::test_queries_in_other_threads_survive_a_reopen). Nothing "
                "was lost then either: no reindex failed, no page was empty, every acknowledged "
                "change was found.", ""]
        if w.get("refused_4xx"):
            out += [f"The {w['refused_4xx']} 400s left after that fix carry the other race's "
                    "messages (truncated zlib streams, damaged postings blocks, no ReaderClosed): "
                    "threads of one worker reading the shared searcher at once, which happens "
                    "without any reindex too (§1, §3b).", ""]
    elif w.get("refused_4xx"):
        out += ["Every 400 here is a valid query that failed because a reopen closed the searcher "
                "other threads were using (tests/test_faults.py::"
                "test_queries_in_other_threads_survive_a_reopen): the client gets an error "
                "page for a query that works a moment later. Nothing was lost: no reindex failed, "
                "no page was empty, every acknowledged change was found.", ""]
    if c["examples"] or sec["lost_after_ack"]:
        out += ["Examples: " + "; ".join(c["examples"] + sec["lost_after_ack"])[:800], ""]
    return out


FAULT_TEXT = {
    "worker-kill": "kill -9 of the gunicorn worker holding an unfinished request, with 3 background clients",
    "ingest-kill": "kill -9 of `ingest --jobs 2` (and its pool) at a random moment, then a re-run",
    "reindex-kill": "kill -9 of `reindex` (even trials full, odd `--changed` after a new page) at a random moment, then a re-run",
    "full-disk": "`reindex` on a tmpfs filled to leave 0-90 % of a generation's size free",
    "broken-generation": "live generation deleted (even trials) or corrupted (odd), then a server started on it, then `reindex`",
    "concurrent-reindex": "a second `reindex` while one runs",
}
FAULT_CHECK = {
    "worker-kill": "only requests in flight on the killed worker fail; the master starts a replacement",
    "ingest-kill": "store equal to a clean run's (document ids, counts, files); index holds every article once",
    "reindex-kill": "served generation answers with the old or the new count throughout; the re-run exits 0 and indexes every article",
    "full-disk": "exit 2, one line naming the lack of space, no traceback; CURRENT and its count unchanged; reindex works once freed",
    "broken-generation": "/readyz and search answer 503; `reindex` exits 0; /readyz then 200",
    "concurrent-reindex": "the second exits 2 with \"reindex already running (pid N)\"; the first exits 0",
}


def render_faults(results: Path) -> list[str]:
    data, meta = _load(results, "faults")
    out = ["## 3. Faults", "", f"Command: {_cmd(meta)}", ""]
    if not data:
        return [*out, "Not measured in this run.", ""]
    out += [f"On a data dir of {data['docs']:,} generated pages; every trial independent.", "",
            "| fault | trials | passed | what was checked | figures |", "|---|---|---|---|---|"]
    for name, sec in data["sections"].items():
        if name == "reindex-under-load":
            continue
        figs = ""
        d = sec.get("details", [])
        if name == "worker-kill":
            figs = (f"killed request failed in {sum(bool(x.get('victim_request_failed')) for x in d)}/"
                    f"{len(d)}; background requests {sec.get('background_requests')}, failed while a kill "
                    f"hit them {sec.get('background_failed_in_flight')}, failed otherwise "
                    f"**{sec.get('background_failed_unexpected')}**; replacement within "
                    f"{sec.get('max_replaced_s')} s")
        elif name == "ingest-kill":
            figs = (f"clean run {sec.get('clean_seconds')} s, {sec.get('expected_documents')} documents; "
                    f"documents in the store at the kill: {sorted(x.get('documents_at_kill', 0) for x in d)}; "
                    f"lost or duplicated after the re-run: **{sum(x.get('documents') != x.get('expected') for x in d)}** trials")
        elif name == "reindex-kill":
            figs = (f"full reindex {sec.get('full_reindex_seconds')} s; killed mid-run in "
                    f"{sum(bool(x.get('killed_mid_run')) for x in d)}/{len(d)}; served count after the kill: "
                    f"{sorted({x.get('served_after_kill') for x in d if 'served_after_kill' in x})}")
        elif name == "full-disk":
            msgs = {x.get("message") for x in d if x.get("message")}
            figs = f"tmpfs {sec.get('tmpfs_mb')} MB; message: " + "; ".join(f"`{m}`" for m in sorted(msgs)[:2])
            if sec.get("skipped"):
                figs = f"skipped: {sec['skipped']}"
        elif name == "broken-generation":
            figs = "; ".join(sorted({f"{x.get('how')}: readyz {x.get('readyz')}, search {x.get('search')}, "
                                     f"after reindex {x.get('readyz_after_reindex')}" for x in d}))
            figs += ". A server already running when it broke answered /readyz (status: count, -1 = " \
                "connection dropped): " + "; ".join(
                    f"{x.get('how')} {x.get('running_server_readyz')}" for x in d[:4])
        elif name == "concurrent-reindex":
            figs = "; ".join(sorted({re.sub(r"pid \d+", "pid N", x.get("second_message", "")) for x in d}))
        out.append(f"| {FAULT_TEXT.get(name, name)} | {sec['trials']} | **{sec['passed']}** | "
                   f"{FAULT_CHECK.get(name, '')} | {figs} |")
    failed = [f"{name} trial {x['trial']}: {json.dumps(x)[:300]}" for name, sec in data["sections"].items()
              for x in sec.get("details", []) if not x.get("ok")]
    out += [""] + (["Failed trials:", ""] + [f"- {f}" for f in failed] + [""] if failed else [])
    return out


def render_threads(results: Path) -> list[str]:
    data, meta = _load(results, "threads")
    out = ["## 3b. Threads sharing one searcher, no reindex", "", f"Command: {_cmd(meta)}", ""]
    if not data:
        return [*out, "Not measured in this run.", ""]
    sec = data["sections"]["shared-searcher"]
    out += ["The query mix searched in process on one `index.search.Searcher` of the "
            f"{data['docs']:,}-page data dir for 30 s per row, as the 4 threads of one gunicorn "
            "gthread worker do. Nothing is written meanwhile.", "",
            "| threads | searches | failed | examples |", "|---|---|---|---|"]
    for r in sec["runs"]:
        out.append(f"| {r['threads']} | {r['searches']:,} | **{r['failed']}** | "
                   f"{'; '.join(f'`{e}`' for e in r['examples'][:3])} |")
    out.append("")
    return out


def render_fuzz_api(results: Path) -> list[str]:
    data, meta = _load(results, "fuzz-api")
    out = ["## 4a. Hostile queries against the live server", "", f"Command: {_cmd(meta)}", ""]
    if not data:
        return [*out, "Not measured in this run.", ""]
    load, _ = _load(results, "load")
    if load and data.get("docs") and data["docs"] < load["docs"]:
        out += [f"Scale: run on the {data['docs']:,}-page index, not the {load['docs']:,}-page one "
                "of §1: there a real search takes about a second on this machine (§1), so 10,000 "
                "requests would have taken most of an hour. The parsing and refusal paths under "
                "test do not depend on the index size; the time bound does, and was checked at "
                "this scale only.", ""]
    out += [
        f"{data['requests']:,} generated request targets (seed {data['seed']}), sent as raw bytes, "
        f"2 at a time, to gunicorn on the {data.get('docs') or '?'}-page index: random bytes (raw "
        "and percent-encoded), huge strings (up to ~100 kB), operator soup, deep parentheses "
        "(up to 5,000), wildcards everywhere, broken percent-escapes and invalid UTF-8, every "
        "parameter of /search, /api/v1/search, /api/v1/suggest, /embed, the feeds and the "
        "document pages with wrong types and extreme values.",
        "",
        "| figure | value |", "|---|---|",
        f"| answers by status | {data['statuses']} |",
        f"| 5xx | **{data['server_errors']}** |",
        f"| no answer | **{data['no_answer']}** |",
        f"| over the {data['bound_s']} s bound | **{data['over_bound']}** |",
        f"| median / p99 / max response | {data['median_ms']} ms / {data['p99_ms']} ms / **{data['max_s']} s** |",
        f"| slowest | {'; '.join(f'{t} s `{p[:70]}`' for t, p in data['slowest'][:3])} |",
        "",
    ]
    if data["failures"]:
        out += ["Failures:", ""] + [f"- `{f[:200]}`" for f in data["failures"][:20]] + [""]
    return out


def render_fuzz_ingest(results: Path) -> list[str]:
    meta = json.loads((results / "fuzz-ingest.meta").read_text()) if (results / "fuzz-ingest.meta").exists() else None
    out = ["## 4b. Mutated pages through extraction (bench/fuzz_ingest.py)", "", f"Command: {_cmd(meta)}", ""]
    txt = results / "fuzz-ingest.txt"
    if not txt.exists():
        return [*out, "Not measured in this run.", ""]
    lines = txt.read_text(encoding="utf-8").splitlines()
    failures = [ln[len("FAILURE "):] for ln in lines if ln.startswith("FAILURE ")]
    summary = [ln for ln in lines if not ln.startswith("FAILURE ")]
    out += ["Output (ingest code is owned by another engineer: reported here, not fixed):", "", "```"]
    out += summary[:10]
    out += ["```", ""]
    if failures:
        kinds: dict[str, int] = {}
        for f in failures:
            key = re.sub(r"^\d+-", "", f.split(":", 1)[0]).split(".")[0]
            kinds[key] = kinds.get(key, 0) + 1
        out += [f"{len(failures)} failures, by mutation: {kinds}. First ones:", ""]
        out += [f"- `{f[:220]}`" for f in failures[:8]] + [""]
    return out


#: What the harness found that the figures alone do not say. Bugs in code this harness does
#: not own are pinned by ``xfail(strict=True)`` tests and reported, not fixed here.
FINDINGS = [
    "## Findings", "",
    "- **Rate limit counted per endpoint** (bug, search_service/ratelimit.py; fixed): "
    "Flask-Limiter's `default_limits` kept one counter per route, so a client that used up "
    "`rate_limit` on `/api/v1/search` got it again on `/search`, `/embed`, `/doc/<id>`, the "
    "feeds... Found by `tests/test_security.py::test_one_allowance_per_client_across_pages_and_api` "
    "(committed as xfail); the web owner made it one shared allowance in 1f4b773 and the test now passes.",
    "- **Valid queries answered 400 while a reindex publishes** (bug, index/search.py "
    "`Searcher._current`): the thread that notices a new CURRENT closes the old Whoosh searcher "
    "while other gthread threads of the same worker are still searching with it; their queries "
    "fail inside Whoosh (ReaderClosed, `'NoneType' object is not subscriptable`, truncated "
    "zlib streams, \"damaged postings block\") and are answered 400 \"could not run this "
    "query: try plain words\" (§2). Reproduced in-process by "
    "`tests/test_faults.py::test_queries_in_other_threads_survive_a_reopen` (committed as "
    "xfail(strict) in cc46358). The index owner fixed it in 3ad74a7 (a lease counting the users "
    "of an open generation; the test now passes); §2 gives the figures before and after.",
    "- **Extraction crashed on deeply nested JSON-LD** (ingest, reported to its owner, now "
    "fixed): the `--quick` run of bench/fuzz_ingest.py at 01:52 UTC had 5 of 200 mutated pages "
    "fail with `RecursionError` (`[` × 5000 inside `<script type=\"application/ld+json\">`, "
    "recorded as `skipped:error`, so the run went on but the article was lost). Commit 73f85be "
    "(ingest owner) flattens JSON-LD iteratively; the 2,000-page run in §4b has 0 failures.",
    "- **A generation damaged in place under a running server** (fixed, Nov 26): searchers "
    "used to copy each segment out of an mmap (field guide §7.1); they now read the files as "
    "they go (no mmap: ~100 MB per worker instead of ~1.5 GB at 93k documents), so damage "
    "reaches a running worker. Reads that fail, or any error while the generation's files "
    "differ from when they were opened, answer 503 \"the index cannot be read\" until a "
    "reindex publishes a good generation, which running workers pick up without a restart "
    "(§3 broken-generation, `tests/test_faults.py::test_a_generation_damaged_under_a_running_app_is_a_503_not_a_500`). "
    "A deleted generation keeps being served by workers that had it open (files stay readable "
    "after unlink, §4.4).",
    "- **Concurrent searches in one worker corrupted each other's reads** (fixed in the first "
    "session): calls are serialised per Searcher (one lock), gthread threads only overlap slow "
    "clients; §3b measures it.",
    "- **Slow at 100,000 documents** (fixed, Nov 26): every search scored all matches twice in "
    "Whoosh's Python collectors (~1 request/s, 23 timeouts at c=32). Queries are now evaluated "
    "as whole-array BM25 over Whoosh's postings (index/engine.py, same scores), two-word "
    "phrases read a `pairs` field, facets and story collapsing are array operations: §1.",
    "- **Empty pages for queries with hits on a starved machine** (fixed, Nov 26): with the "
    "machine at load 9, the 3 s wall-clock budget could pass before anything was scored, and "
    "9 of 28,376 checker queries (a typo query whose correction has hits) came back empty in "
    "a first run of §2. The budget now bounds only phrase position checks; whole-array "
    "evaluation always runs (`tests/test_index_search.py::test_time_budget_returns_partial_results`); "
    "§2 is the run after the fix: 0 empty of 24,485.",
    "- **Autocomplete over the bound on 100k documents** (fixed, Nov 26): a finished common "
    "word made Whoosh score every document for the title list (2-5.6 s: 7 requests over 2 s "
    "in a first run of §4a); titles are now ranked by the same engine as search (37-135 ms); "
    "§4a is the run after the fix: max 1.1 s.",
    "- **Two pages declaring one URL** (fixed in the first session): both are kept, the later "
    "under an id from its path.",
    "- **Throughput against FTS5**: on the 100k index ours answers 0.53-0.75x the FTS5 peer's "
    "requests per second on the same documents and paths (§1; it was 0.01-0.05x). The peer "
    "does much less per query (no collapsing, facets, spelling, exact totals over the "
    "most-words pass).",
    "- **tests/conftest.py `LiveServer._wait_ready`** catches only `ConnectionError`: on a loaded "
    "machine the first /healthz can take over its 1 s timeout and the `ReadTimeout` fails the "
    "session's server fixture (seen once here at load average ~10). The tests added here wait "
    "with their own helper.",
    "",
]


def render(results: Path, target: Path, args: argparse.Namespace) -> None:
    """RELIABILITY.md from every section's results."""
    m = machine()
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    lines = [
        "# Reliability: load, faults and hostile input",
        "",
        "Regenerate all of it with `python bench/reliability.py --docs 100000` (about two hours "
        "on this machine, most of it preparing the 100k index once; it is reused after) or "
        "`--quick` for small scale in minutes. "
        f"This file was written by `python bench/reliability.py {' '.join(sys.argv[1:])}` on "
        f"{m['date_utc']}. Machine: {m['cpus']} cores ({m['cpu_model'] or 'unknown CPU'}), "
        f"{m['memory_gb']} GB RAM, Python {m['python']}, shared with other engineers' jobs "
        f"(load average {'/'.join(map(str, m['load_avg']))} when this was written): absolute "
        "figures are lower and noisier than on an idle machine; ratios against the peer are "
        "measured in the same minutes. Each section names the command that produced it and "
        "its scale; rerun one with its command, then `python bench/reliability.py --render-only`.",
        "",
        f"Rendered at commit `{head}`. Each section measured the working tree as it was while "
        "it ran (its finishing time is given): other engineers committed fixes meanwhile, e.g. "
        "the reopen fix 3ad74a7 landed before §1 and the second §2 run"
        + (", and had uncommitted changes in the tree." if dirty else "."),
        "",
        "**What was lost: nothing is allowed to be.** The summary below counts failed requests, "
        "lost or duplicated documents and failed trials; every figure comes from the JSON the "
        f"benchmarks wrote in `{results}`.",
        "",
    ]
    lines += summary(results)
    for fn in (render_load, render_under_load, render_faults, render_threads, render_fuzz_api,
               render_fuzz_ingest):
        lines += fn(results)
    lines += FINDINGS
    lines += [
        "## Fast subsets in the test suite", "",
        "`python -m pytest -q tests/test_faults.py tests/test_fuzz_api.py tests/test_security.py` "
        "(well under a minute): killed ingest/reindex, deleted/corrupted generation, full disk, a "
        "killed worker, two reindexes at once (test_faults.py); 300 fuzzed queries with a fixed seed "
        "against the session's gunicorn (test_fuzz_api.py); security headers, 429 + Retry-After, "
        "loopback bind, no path to the file system (test_security.py). Known bugs are "
        "`xfail(strict=True)` tests naming the bug.",
        "",
    ]
    target.write_text("\n".join(lines), encoding="utf-8")
    log(f"wrote {target}")


def summary(results: Path) -> list[str]:
    """The headline numbers, each pointing at its section."""
    rows = ["| check | result |", "|---|---|"]
    load, _ = _load(results, "load")
    if load:
        failed = sum(r["errors"] for r in load["ours"]["runs"])
        total = sum(r["requests"] for r in load["ours"]["runs"])
        growth = max((s["second_half_growth_mb"] for s in load["ours"]["rss"].values()), default=0)
        refused = sum(r.get("refused_4xx", 0) for r in load["ours"]["runs"])
        peer_runs = {r["concurrency"]: r["rps"] for r in (load.get("peer") or {}).get("runs", [])}
        ratio = [r["rps"] / peer_runs[r["concurrency"]] for r in load["ours"]["runs"]
                 if r["concurrency"] in peer_runs]
        rows.append(f"| load on {load['articles']:,} articles (§1) | {total:,} requests, **{failed} failed** "
                    f"(over 10 s), **{refused}** valid queries answered 400; "
                    + (f"throughput {statistics.median(ratio):.2f}× the FTS5 peer's; " if ratio else "")
                    + f"largest worker RSS growth over the second half {growth} MB |")
    under, _ = _load(results, "under-load")
    sec = (under or {}).get("sections", {}).get("reindex-under-load")
    if sec:
        rows.append(f"| {sec['full']} full + {sec['changed']} incremental reindexes under load (§2) | "
                    f"failed requests (no answer/5xx) **{(sec.get('wrk') or {}).get('errors', '?')}**, "
                    f"4xx to the valid mix **{(sec.get('wrk') or {}).get('refused_4xx', '?')}** "
                    f"(valid queries failing inside Whoosh: §2, §3b), known-hit checks failed "
                    f"**{sec['checker']['failed']}**, empty pages "
                    f"**{sec['checker']['empty']}**, acknowledged but not found "
                    f"**{len(sec['lost_after_ack']) + len(sec['final_missing'])}** |")
    faults, _ = _load(results, "faults")
    if faults:
        for name, s in faults["sections"].items():
            rows.append(f"| {name} (§3) | **{s['passed']}/{s['trials']}** trials passed |")
    th, _ = _load(results, "threads")
    if th:
        runs = th["sections"]["shared-searcher"]["runs"]
        rows.append("| threads sharing one searcher, no reindex (§3b) | " + "; ".join(
            f"{r['threads']} thread(s): **{r['failed']}** of {r['searches']:,} searches failed"
            for r in runs) + " |")
    fz, _ = _load(results, "fuzz-api")
    if fz:
        rows.append(f"| {fz['requests']:,} hostile queries (§4a) | **{fz['server_errors']}** 5xx, "
                    f"**{fz['no_answer']}** unanswered, max {fz['max_s']} s (bound {fz['bound_s']} s) |")
    txt = results / "fuzz-ingest.txt"
    if txt.exists():
        last = [ln for ln in txt.read_text().splitlines() if ln.startswith("failures ")]
        first = txt.read_text().splitlines()[0] if txt.read_text() else ""
        rows.append(f"| mutated pages through extraction (§4b) | {first[:60]}…; **{last[-1] if last else '?'}** |")
    return ["## Summary", "", *rows, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100000, help="pages for load and API fuzz")
    parser.add_argument("--fault-docs", type=int, default=1000, help="pages for fault trials")
    parser.add_argument("--fuzz-docs", type=int, default=1000,
                        help="pages behind the API fuzz (a real search on 100k pages takes ~1 s here)")
    parser.add_argument("--seconds", type=float, default=30.0, help="wrk time per level")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--full", type=int, default=10)
    parser.add_argument("--changed", type=int, default=50)
    parser.add_argument("--fuzz-requests", type=int, default=10000)
    parser.add_argument("--fuzz-pages", type=int, default=2000)
    parser.add_argument("--bound", type=float, default=2.0)
    parser.add_argument("--quick", action="store_true",
                        help="small scale: 1,000 pages, 2 trials, 5 s levels, 1,000 fuzz requests")
    parser.add_argument("--only", nargs="*", default=[], choices=SECTIONS)
    parser.add_argument("--render-only", action="store_true")
    parser.add_argument("--results", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "RELIABILITY.md")
    args = parser.parse_args(argv)
    if args.quick:
        args.docs, args.fault_docs, args.fuzz_docs, args.trials, args.seconds = 1000, 1000, 1000, 2, 5.0
        args.full, args.changed, args.fuzz_requests, args.fuzz_pages = 2, 5, 1000, 200
    results = args.results or WORK / ("results-quick" if args.quick else "results")
    results.mkdir(parents=True, exist_ok=True)
    if not args.render_only:
        for name, cmd in commands(args, results).items():
            if not args.only or name in args.only:
                run_section(name, cmd, results)
    render(results, args.out, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
