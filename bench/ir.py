"""Ranking benchmark: index a judged collection, run its queries through the one search
function (``Searcher.search``), write a TREC run and score it with the shared scorers.

    python bench/ir.py scifact            # ../shared/data/ir/scifact, scored by ir_eval.py
    python bench/ir.py scraped            # ../shared/data/scraped-sample, scored by scraped_eval.py
    python bench/ir.py sample             # our bundled sample (its own queries and qrels)

Options: --data-dir DIR keeps the index (reused when it exists), --run FILE keeps the run,
--depth N results per query (default 100). Exit 2 when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SEARCH_SERVICE_SHARED", str(ROOT.parent / "shared"))).resolve()
sys.path.insert(0, str(ROOT))

from index.build import build_generation  # noqa: E402
from index.models import SearchError, SearchRequest  # noqa: E402
from index.search import Searcher  # noqa: E402
from ingest.document import Document  # noqa: E402


def scifact_documents(corpus: Path) -> Iterator[Document]:
    """SciFact abstracts as documents (one story each)."""
    with open(corpus, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            yield Document(id=row["_id"], url=None, site="scifact", title=row.get("title") or "",
                           body=(row.get("text") or "",), story=row["_id"],
                           source_path=row["_id"])


def read_queries(path: Path) -> list[tuple[str, str]]:
    """(id, text) pairs from a BEIR-style queries.jsonl."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            out.append((str(row.get("_id") or row.get("id")), row.get("text") or row.get("query") or ""))
    return out


def judged_ids(qrels: Path) -> set[str]:
    """Query ids that have judgments (the others are not scored)."""
    ids = set()
    with open(qrels, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if parts and parts[0] != "query-id":
                ids.add(parts[0])
    return ids


def run_queries(searcher: Searcher, queries: list[tuple[str, str]], depth: int,
                collapse: bool, run_path: Path, id_of: str) -> dict[str, float]:
    """Write a TREC run; returns timing figures (median ms per query)."""
    times = []
    failures = 0
    with open(run_path, "w", encoding="utf-8") as out:
        for qid, text in queries:
            started = time.perf_counter()
            try:
                res = searcher.search(SearchRequest(q=text[:500], size=depth, collapse=collapse,
                                                    highlight=False))
            except SearchError:
                failures += 1
                continue
            times.append((time.perf_counter() - started) * 1000)
            for rank, hit in enumerate(res.hits, start=1):
                docid = hit.id if id_of == "id" else (hit.source or hit.url or hit.id)
                out.write(f"{qid} Q0 {docid} {rank} {depth - rank + 1} search-service\n")
    times.sort()
    return {"queries": len(queries), "failed": failures,
            "median_ms": round(times[len(times) // 2], 1) if times else 0.0}


def _need(path: Path) -> Path:
    if not path.exists():
        print(f"{path} is absent: this benchmark needs ../shared beside the project", file=sys.stderr)  # noqa: T201
        sys.exit(2)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("collection", choices=["scifact", "scraped", "sample"])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--run", type=Path)
    parser.add_argument("--depth", type=int, default=100)
    args = parser.parse_args(argv)

    tmp = tempfile.TemporaryDirectory()
    data_dir = args.data_dir or Path(tmp.name) / "data"
    run_path = args.run or Path(tmp.name) / "run.trec"
    built = (data_dir / "index" / "CURRENT").exists()

    if args.collection == "scifact":
        base = _need(SHARED / "data" / "ir" / "scifact")
        if not built:
            build_generation(data_dir, scifact_documents(base / "corpus.jsonl"))
        judged = judged_ids(base / "qrels.tsv")
        queries = [q for q in read_queries(base / "queries.jsonl") if q[0] in judged]
        timing = run_queries(Searcher(data_dir), queries, args.depth, False, run_path, "id")
        cmd = [sys.executable, str(_need(SHARED / "bench" / "ir_eval.py")),
               "--qrels", str(base / "qrels.tsv"), "--run", str(run_path)]
    else:
        from ingest.options import IngestOptions
        from ingest.pipeline import run_ingest
        from ingest.store import Store

        if args.collection == "scraped":
            base = _need(SHARED / "data" / "scraped-sample")
            truth, pages = base / "ground-truth.jsonl", base / "pages"
        else:
            base = ROOT / "search_service" / "sample"
            truth, pages = base / "truth.jsonl", base / "pages"
        scorer = _need(SHARED / "bench" / "scraped_eval.py")
        if not built:
            run_ingest([pages], data_dir, IngestOptions(jobs=2))
            with Store(data_dir) as store:
                build_generation(data_dir, store.iter_documents())
        queries = read_queries(base / "queries.jsonl")
        timing = run_queries(Searcher(data_dir), queries, args.depth, True, run_path, "source")
        cmd = [sys.executable, str(scorer), "search", "--truth", str(truth), "--queries",
               str(base / "queries.jsonl"), "--qrels", str(base / "qrels.tsv"), "--run", str(run_path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    print(proc.stdout.strip())  # noqa: T201
    if proc.returncode:
        print(proc.stderr.strip(), file=sys.stderr)  # noqa: T201
    print(f"timing: {timing['queries']} queries, {timing['failed']} refused, "  # noqa: T201
          f"median {timing['median_ms']} ms per query")
    tmp.cleanup()
    return proc.returncode



if __name__ == "__main__":
    sys.exit(main())
