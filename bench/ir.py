"""Ranking benchmark: index a judged collection, run its queries through the one search
function (``Searcher.search``), write a TREC run and score it with the shared scorers.

    python bench/ir.py scifact            # ../shared/data/ir/scifact, scored by ir_eval.py
    python bench/ir.py scraped            # ../shared/data/scraped-sample, scored by scraped_eval.py
    python bench/ir.py sample             # our bundled sample (its own queries and qrels)

Options: --data-dir DIR keeps the index (reused when it exists), --run FILE keeps the run,
--depth N results per query (default 100). Exit 2 when ../shared is absent.

Cross-validation (``--cv``, SciFact): how index/ranking.py's defaults were chosen, without
choosing them on the queries they are reported on. Every configuration of ``CV_GRID`` runs
all queries once (per-query nDCG@10 with ir-measures, the shared scorer's backend); the
queries are split into 5 folds by position in queries.jsonl (query i -> fold i mod 5); for
each fold the configuration with the best mean nDCG@10 on the other 4 folds is picked and
scored on the held-out fold. The reported figure is the mean over all queries of their
held-out scores; the configuration picked most often becomes the default.

    python bench/ir.py scifact --data-dir /tmp/scifact-dd --cv [--cv-cache /tmp/cv.json]
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


#: The knobs cross-validated on SciFact (title_b stays 0.3: titles are short and of similar
#: length, so little length normalisation; proximity is off for its cost, index/ranking.py).
CV_GRID: dict[str, list[object]] = {
    "k1": [0.9, 1.2, 1.5],
    "b": [0.6, 0.8],
    "title_weight": [0.2, 0.4],
    "drop_function_words": [True, False],
}


def _grid() -> list[dict[str, object]]:
    import itertools

    keys = list(CV_GRID)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*CV_GRID.values())]


def per_query_ndcg(searcher: Searcher, queries: list[tuple[str, str]], qrels: dict[str, dict[str, int]],
                   depth: int) -> dict[str, float]:
    """nDCG@10 of every judged query (0 when it returns nothing)."""
    import ir_measures

    run: dict[str, dict[str, float]] = {}
    for qid, text in queries:
        try:
            res = searcher.search(SearchRequest(q=text[:500], size=depth, collapse=False, highlight=False))
        except SearchError:
            continue
        run[qid] = {hit.id: float(depth - rank) for rank, hit in enumerate(res.hits)}
    scores = {m.query_id: m.value for m in ir_measures.iter_calc([ir_measures.nDCG @ 10], qrels, run)}
    return {qid: scores.get(qid, 0.0) for qid, _ in queries}


def cross_validate(data_dir: Path, queries: list[tuple[str, str]], qrels_path: Path, depth: int,
                   cache: Path | None, folds: int = 5) -> int:
    """Run the grid, pick per fold on the others, print held-out figures."""
    from index.ranking import DEFAULT_PARAMS

    qrels: dict[str, dict[str, int]] = {}
    with open(qrels_path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 3 and parts[0] != "query-id":
                qrels.setdefault(parts[0], {})[parts[1]] = int(parts[-1])
    done: dict[str, dict[str, float]] = {}
    if cache is not None and cache.exists():
        done = json.loads(cache.read_text(encoding="utf-8"))
    configs = _grid()
    for cfg in configs:
        key = json.dumps(cfg, sort_keys=True)
        if key in done:
            continue
        started = time.perf_counter()
        done[key] = per_query_ndcg(Searcher(data_dir, ranking=DEFAULT_PARAMS.with_(**cfg)), queries, qrels, depth)
        mean = sum(done[key].values()) / len(queries)
        print(f"  {key}: all-queries nDCG@10 {mean:.4f} ({time.perf_counter() - started:.0f} s)", flush=True)  # noqa: T201
        if cache is not None:
            cache.write_text(json.dumps(done), encoding="utf-8")
    qids = [qid for qid, _ in queries]
    held_out: dict[str, float] = {}
    picks: list[str] = []
    for f in range(folds):
        test = {q for i, q in enumerate(qids) if i % folds == f}
        train = [q for q in qids if q not in test]
        best = max((json.dumps(c, sort_keys=True) for c in configs),
                   key=lambda k: (sum(done[k][q] for q in train), k))
        picks.append(best)
        for q in test:
            held_out[q] = done[best][q]
        fold_mean = sum(done[best][q] for q in test) / len(test)
        print(f"fold {f + 1}: picked {best} on the other folds; held-out nDCG@10 {fold_mean:.4f}")  # noqa: T201
    cv = sum(held_out.values()) / len(qids)
    print(f"cross-validated nDCG@10 {cv:.4f} ({folds} folds, {len(qids)} queries, {len(configs)} configurations)")  # noqa: T201
    common = max(set(picks), key=lambda k: (picks.count(k), k))
    print(f"picked most often: {common} ({picks.count(common)} of {folds} folds)")  # noqa: T201
    return 0


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
    parser.add_argument("--cv", action="store_true", help="cross-validate the ranking knobs (scifact)")
    parser.add_argument("--cv-cache", type=Path, help="keep per-configuration figures here (resumable)")
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
        if args.cv:
            return cross_validate(data_dir, queries, base / "qrels.tsv", args.depth, args.cv_cache)
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
