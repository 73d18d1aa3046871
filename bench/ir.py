"""Ranking benchmark: index a judged collection, run its queries through the one search
function (``Searcher.search``), write a TREC run and score it with the shared scorers.

    python bench/ir.py scifact            # ../shared/data/ir/scifact, scored by ir_eval.py
    python bench/ir.py scraped            # ../shared/data/scraped-sample, scored by scraped_eval.py
    python bench/ir.py sample             # our bundled sample (its own queries and qrels)

Options: --data-dir DIR keeps the index (reused when it exists), --run FILE keeps the run,
--depth N results per query (default 100). Exit 2 when ../shared is absent.

Cross-validation (``--cv``, SciFact then scraped): how index/ranking.py's defaults were chosen,
without choosing them on the queries they are reported on. Every configuration of ``CV_GRIDS`` runs
all queries once (per-query nDCG@10 with ir-measures, the shared scorer's backend); the
queries are split into 5 folds by position in queries.jsonl (query i -> fold i mod 5); for
each fold the configuration with the best mean nDCG@10 on the other 4 folds is picked and
scored on the held-out fold. The reported figure is the mean over all queries of their
held-out scores; the configuration picked most often becomes the default.

    python bench/ir.py scifact --data-dir /tmp/scifact-dd --cv [--cv-cache /tmp/cv.json]
    python bench/ir.py scraped --data-dir /tmp/scraped-dd --cv
"""

# ruff: noqa: T201, E402 — a benchmark script: prints its report, imports after sys.path
from __future__ import annotations

import argparse
import json
import logging
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import shared_dir

SHARED = shared_dir()

from index.build import build_generation
from index.models import SearchError, SearchRequest
from index.search import Searcher
from ingest.document import Document


def scifact_documents(corpus: Path) -> Iterator[Document]:
    """SciFact abstracts as documents (one story each)."""
    with open(corpus, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            yield Document(
                id=row["_id"],
                url=None,
                site="scifact",
                title=row.get("title") or "",
                body=(row.get("text") or "",),
                story=row["_id"],
                source_path=row["_id"],
            )


def read_queries(path: Path) -> list[tuple[str, str]]:
    """(id, text) pairs from a BEIR-style queries.jsonl."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            out.append(
                (str(row.get("_id") or row.get("id")), row.get("text") or row.get("query") or "")
            )
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


def run_queries(
    searcher: Searcher,
    queries: list[tuple[str, str]],
    depth: int,
    collapse: bool,
    run_path: Path,
    id_of: str,
) -> dict[str, float]:
    """Write a TREC run; returns timing figures (median ms per query)."""
    times = []
    failures = 0
    with open(run_path, "w", encoding="utf-8") as out:
        for qid, text in queries:
            started = time.perf_counter()
            try:
                res = searcher.search(
                    SearchRequest(q=text[:500], size=depth, collapse=collapse, highlight=False)
                )
            except SearchError:
                failures += 1
                continue
            times.append((time.perf_counter() - started) * 1000)
            for rank, hit in enumerate(res.hits, start=1):
                docid = hit.id if id_of == "id" else (hit.source or hit.url or hit.id)
                out.write(f"{qid} Q0 {docid} {rank} {depth - rank + 1} search-service\n")
    times.sort()
    return {
        "queries": len(queries),
        "failed": failures,
        "median_ms": round(times[len(times) // 2], 1) if times else 0.0,
    }


#: The knobs cross-validated per collection. SciFact (300 long claims) settles the general
#: BM25 knobs; title_b stays 0.3 (titles are short and alike in length: little length
#: normalisation), b 0.75. The scraped news sample (195 short queries) then settles the
#: news-only knobs with the SciFact choice in place: proximity of adjacent words (short
#: queries only) and the URL-section weight.
CV_GRIDS: dict[str, dict[str, list[object]]] = {
    "scifact": {
        "k1": [0.9, 1.2],
        "title_weight": [0.2, 0.3],
        "exact_weight": [0.0, 0.2],
        "drop_function_words": [True, False],
    },
    "scraped": {
        "proximity_weight": [0.0, 0.3, 1.0, 2.0],
        "section_weight": [0.25, 0.5, 1.0, 2.0],
    },
}


def _grid(collection: str) -> list[dict[str, object]]:
    import itertools

    grid = CV_GRIDS[collection]
    keys = list(grid)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*grid.values())]


def per_query_ndcg(
    searcher: Searcher, queries: list[tuple[str, str]], qrels: dict[str, dict[str, int]], depth: int
) -> dict[str, float]:
    """nDCG@10 of every judged query (0 when it returns nothing), with ir-measures."""
    import ir_measures

    run: dict[str, dict[str, float]] = {}
    for qid, text in queries:
        try:
            res = searcher.search(
                SearchRequest(q=text[:500], size=depth, collapse=False, highlight=False)
            )
        except SearchError:
            continue
        run[qid] = {hit.id: float(depth - rank) for rank, hit in enumerate(res.hits)}
    scores = {
        m.query_id: m.value for m in ir_measures.iter_calc([ir_measures.nDCG @ 10], qrels, run)
    }
    return {qid: scores.get(qid, 0.0) for qid, _ in queries}


_PER_QUERY = re.compile(r"^\s+(\S+)\tnDCG@10 ([\d.]+)", re.M)


def per_query_scraped(
    searcher: Searcher, queries: list[tuple[str, str]], depth: int
) -> dict[str, float]:
    """nDCG@10 of every scraped-sample query, from the shared scorer's --per-query lines."""
    base = _collection_base("scraped")
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run.trec"
        run_queries(searcher, queries, depth, True, run, "source")
        out = subprocess.run(
            [
                sys.executable,
                str(_need(SHARED / "bench" / "scraped_eval.py")),
                "search",
                "--truth",
                str(base / "ground-truth.jsonl"),
                "--queries",
                str(base / "queries.jsonl"),
                "--qrels",
                str(base / "qrels.tsv"),
                "--run",
                str(run),
                "--per-query",
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    scores = {qid: float(v) for qid, v in _PER_QUERY.findall(out)}
    return {qid: scores.get(qid, 0.0) for qid, _ in queries}


def cross_validate(
    collection: str,
    data_dir: Path,
    queries: list[tuple[str, str]],
    depth: int,
    cache: Path | None,
    folds: int = 5,
) -> int:
    """Run the collection's grid, pick per fold on the other folds, print held-out figures."""
    from index.ranking import DEFAULT_PARAMS

    qrels: dict[str, dict[str, int]] = {}
    if collection == "scifact":
        with open(_collection_base(collection) / "qrels.tsv", encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 3 and parts[0] != "query-id":
                    qrels.setdefault(parts[0], {})[parts[1]] = int(parts[-1])
    done: dict[str, dict[str, float]] = {}
    if cache is not None and cache.exists():
        done = json.loads(cache.read_text(encoding="utf-8"))
    configs = _grid(collection)
    for cfg in configs:
        key = json.dumps(cfg, sort_keys=True)
        if key in done:
            continue
        started = time.perf_counter()
        searcher = Searcher(data_dir, ranking=DEFAULT_PARAMS.with_(**cfg))
        if collection == "scifact":
            done[key] = per_query_ndcg(searcher, queries, qrels, depth)
        else:
            done[key] = per_query_scraped(searcher, queries, depth)
        mean = sum(done[key].values()) / len(queries)
        print(
            f"  {key}: all-queries nDCG@10 {mean:.4f} ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        if cache is not None:
            cache.write_text(json.dumps(done), encoding="utf-8")
    qids = [qid for qid, _ in queries]
    held_out: dict[str, float] = {}
    picks: list[str] = []
    for f in range(folds):
        test = {q for i, q in enumerate(qids) if i % folds == f}
        train = [q for q in qids if q not in test]
        best = max(
            (json.dumps(c, sort_keys=True) for c in configs),
            key=lambda k: (sum(done[k][q] for q in train), k),
        )
        picks.append(best)
        for q in test:
            held_out[q] = done[best][q]
        fold_mean = sum(done[best][q] for q in test) / len(test)
        print(f"fold {f + 1}: picked {best} on the other folds; held-out nDCG@10 {fold_mean:.4f}")
    cv = sum(held_out.values()) / len(qids)
    print(
        f"cross-validated nDCG@10 {cv:.4f} ({folds} folds, {len(qids)} queries, "
        f"{len(configs)} configurations)"
    )
    common = max(set(picks), key=lambda k: (picks.count(k), k))
    print(f"picked most often: {common} ({picks.count(common)} of {folds} folds)")
    return 0


def _need(path: Path) -> Path:
    if not path.exists():
        raise SharedAbsent(f"{path} is absent: this benchmark needs ../shared beside the project")
    return path


class SharedAbsent(FileNotFoundError):
    """Raised when ../shared (data or scorer) is not beside the project."""


@dataclass(frozen=True, slots=True)
class Measured:
    """One benchmark run: the scorer's report, its figures, our timing."""

    report: str
    returncode: int
    figures: dict[str, float]
    timing: dict[str, float]


_FIGURE = re.compile(r"^(nDCG@10|MAP@100|Recall@100|P@10)\s+([\d.]+)\s*$", re.M)
_LAST = re.compile(r"([a-z]+)@(\d+)=([\d.]+)")


def parse_figures(report: str) -> dict[str, float]:
    """Figures of either scorer's report as ``ndcg10``, ``recall100``, ``mrr10``, ``dup10``..."""
    out = {f"{name.lower().replace('@', '')}": float(v) for name, v in _FIGURE.findall(report)}
    lines = [ln for ln in report.splitlines() if ln.strip()]
    if lines and "=" in lines[-1]:
        out.update({f"{name}{k}": float(v) for name, k, v in _LAST.findall(lines[-1])})
    return out


def build_index(collection: str, data_dir: Path) -> None:
    """Build the collection's index in ``data_dir`` unless one is there already."""
    if (data_dir / "index" / "CURRENT").exists():
        return
    if collection == "scifact":
        base = _need(SHARED / "data" / "ir" / "scifact")
        build_generation(data_dir, scifact_documents(base / "corpus.jsonl"))
        return
    from ingest.options import IngestOptions
    from ingest.pipeline import run_ingest
    from ingest.store import Store

    pages = _need(_collection_base(collection) / "pages")
    quiet = logging.getLogger("ingest")  # one line per skipped listing page: noise here
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        run_ingest([pages], data_dir, IngestOptions(jobs=2))
    finally:
        quiet.setLevel(level)
    with Store(data_dir) as store:
        build_generation(data_dir, store.iter_documents())


def _collection_base(collection: str) -> Path:
    if collection == "scifact":
        return SHARED / "data" / "ir" / "scifact"
    if collection == "scraped":
        return SHARED / "data" / "scraped-sample"
    return ROOT / "search_service" / "sample"


def measure(collection: str, data_dir: Path, run_path: Path, depth: int = 100) -> Measured:
    """Index (when needed), run every query through Searcher.search, score with the shared
    scorer. Raises SharedAbsent when ../shared is missing."""
    base = _need(_collection_base(collection))
    if collection == "scifact":
        scorer = _need(SHARED / "bench" / "ir_eval.py")
        build_index(collection, data_dir)
        judged = judged_ids(base / "qrels.tsv")
        queries = [q for q in read_queries(base / "queries.jsonl") if q[0] in judged]
        timing = run_queries(Searcher(data_dir), queries, depth, False, run_path, "id")
        cmd = [
            sys.executable,
            str(scorer),
            "--qrels",
            str(base / "qrels.tsv"),
            "--run",
            str(run_path),
        ]
    else:
        truth = base / ("ground-truth.jsonl" if collection == "scraped" else "truth.jsonl")
        scorer = _need(SHARED / "bench" / "scraped_eval.py")
        build_index(collection, data_dir)
        queries = read_queries(base / "queries.jsonl")
        timing = run_queries(Searcher(data_dir), queries, depth, True, run_path, "source")
        cmd = [
            sys.executable,
            str(scorer),
            "search",
            "--truth",
            str(truth),
            "--queries",
            str(base / "queries.jsonl"),
            "--qrels",
            str(base / "qrels.tsv"),
            "--run",
            str(run_path),
        ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    report = proc.stdout.strip() + (("\n" + proc.stderr.strip()) if proc.returncode else "")
    return Measured(report, proc.returncode, parse_figures(proc.stdout), timing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("collection", choices=["scifact", "scraped", "sample"])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--run", type=Path)
    parser.add_argument("--depth", type=int, default=100)
    parser.add_argument(
        "--cv", action="store_true", help="cross-validate the ranking knobs (scifact)"
    )
    parser.add_argument(
        "--cv-cache", type=Path, help="keep per-configuration figures here (resumable)"
    )
    args = parser.parse_args(argv)

    tmp = tempfile.TemporaryDirectory()
    data_dir = args.data_dir or Path(tmp.name) / "data"
    run_path = args.run or Path(tmp.name) / "run.trec"
    try:
        if args.cv:
            if args.collection not in CV_GRIDS:
                parser.error("--cv needs the scifact or scraped collection")
            base = _need(_collection_base(args.collection))
            build_index(args.collection, data_dir)
            queries = read_queries(base / "queries.jsonl")
            if args.collection == "scifact":
                judged = judged_ids(base / "qrels.tsv")
                queries = [q for q in queries if q[0] in judged]
            return cross_validate(args.collection, data_dir, queries, args.depth, args.cv_cache)
        result = measure(args.collection, data_dir, run_path, args.depth)
    except SharedAbsent as err:
        print(err, file=sys.stderr)
        return 2
    print(result.report)
    timing = result.timing
    print(
        f"timing: {timing['queries']} queries, {timing['failed']} refused, "
        f"median {timing['median_ms']} ms per query"
    )
    tmp.cleanup()
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
