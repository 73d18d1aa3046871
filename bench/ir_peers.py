"""Our ranking beside other engines', on the same collection, queries and scorer, in one run.

    python bench/ir_peers.py [--data-dir /tmp/scifact-dd] [--peers fts5,bm25s,tantivy]

Each peer indexes SciFact (title + abstract) with its own usual English setup and answers the
300 judged claims with its BM25 (top 100); every run is scored by the shared
``../shared/bench/ir_eval.py``. Peers:

- ``fts5``: SQLite FTS5 (stdlib ``sqlite3``), ``porter unicode61`` tokenizer, title and body
  columns, ``ORDER BY bm25()`` (k1 1.2, b 0.75), query words OR-ed.
- ``bm25s``: bm25s (Lucene-style BM25, k1 1.5, b 0.75), English stop words, PyStemmer.
- ``tantivy``: tantivy-py, ``en_stem`` tokenizer on title and body, its query parser (OR).

A peer whose package is missing is reported as skipped (pip install bm25s PyStemmer tantivy).
Exit 2 when ../shared is absent.
"""

# ruff: noqa: T201, E402 — a benchmark script: prints its report, imports after sys.path
from __future__ import annotations

import argparse
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ir import SHARED, judged_ids, read_queries, run_queries, scifact_documents
from index.build import build_generation
from index.search import Searcher

_WORDS = re.compile(r"\w+", re.UNICODE)
Corpus = list[tuple[str, str, str]]  # (id, title, text)
Run = dict[str, list[str]]  # query id -> ranked doc ids


def load_corpus(path: Path) -> Corpus:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            out.append((row["_id"], row.get("title") or "", row.get("text") or ""))
    return out


def peer_fts5(corpus: Corpus, queries: list[tuple[str, str]], depth: int) -> Run:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE d USING fts5(id UNINDEXED, title, body, tokenize='porter unicode61')"
    )
    db.executemany("INSERT INTO d VALUES (?, ?, ?)", corpus)
    run: Run = {}
    for qid, text in queries:
        words = [w for w in _WORDS.findall(text.lower()) if w not in ("and", "or", "not", "near")]
        if not words:
            run[qid] = []
            continue
        match = " OR ".join(f'"{w}"' for w in words)
        rows = db.execute(
            "SELECT id FROM d WHERE d MATCH ? ORDER BY bm25(d) LIMIT ?", (match, depth)
        )
        run[qid] = [r[0] for r in rows]
    return run


def peer_bm25s(corpus: Corpus, queries: list[tuple[str, str]], depth: int) -> Run:
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    ids = [c[0] for c in corpus]
    tokens = bm25s.tokenize(
        [f"{t} {b}" for _, t, b in corpus], stopwords="en", stemmer=stemmer, show_progress=False
    )
    model = bm25s.BM25()
    model.index(tokens, show_progress=False)
    run: Run = {}
    q_tokens = bm25s.tokenize(
        [q for _, q in queries], stopwords="en", stemmer=stemmer, show_progress=False
    )
    results, _ = model.retrieve(q_tokens, k=depth, show_progress=False, n_threads=1)
    for (qid, _), row in zip(queries, results, strict=True):
        run[qid] = [ids[i] for i in row]
    return run


def peer_tantivy(corpus: Corpus, queries: list[tuple[str, str]], depth: int) -> Run:
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", tokenizer_name="en_stem")
    sb.add_text_field("body", tokenizer_name="en_stem")
    schema = sb.build()
    index = tantivy.Index(schema)
    writer = index.writer(heap_size=64_000_000, num_threads=1)
    for doc_id, title, body in corpus:
        writer.add_document(tantivy.Document(id=doc_id, title=title, body=body))
    writer.commit()
    index.reload()
    searcher = index.searcher()
    run: Run = {}
    for qid, text in queries:
        words = [w for w in _WORDS.findall(text.lower()) if w not in ("and", "or", "not")]
        if not words:
            run[qid] = []
            continue
        q = index.parse_query(" ".join(words), ["title", "body"])
        hits = searcher.search(q, depth).hits
        run[qid] = [searcher.doc(addr)["id"][0] for _, addr in hits]
    return run


PEERS: dict[str, Callable[[Corpus, list[tuple[str, str]], int], Run]] = {
    "fts5": peer_fts5,
    "bm25s": peer_bm25s,
    "tantivy": peer_tantivy,
}


def write_run(run: Run, path: Path, tag: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for qid, docs in run.items():
            for rank, doc in enumerate(docs, start=1):
                out.write(f"{qid} Q0 {doc} {rank} {len(docs) - rank + 1} {tag}\n")


def score(run_path: Path, qrels: Path) -> dict[str, float]:
    proc = subprocess.run(
        [
            sys.executable,
            str(SHARED / "bench" / "ir_eval.py"),
            "--qrels",
            str(qrels),
            "--run",
            str(run_path),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(proc.stdout)
    flat = data.get("aggregate", data) if isinstance(data, dict) else {}
    return {k: float(v) for k, v in flat.items() if isinstance(v, int | float)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, help="our SciFact index (built when absent)")
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument("--depth", type=int, default=100)
    args = parser.parse_args(argv)
    base = SHARED / "data" / "ir" / "scifact"
    if not (base / "corpus.jsonl").exists() or not (SHARED / "bench" / "ir_eval.py").exists():
        print(
            f"{base} or the shared scorer is absent: this benchmark needs ../shared",
            file=sys.stderr,
        )
        return 2
    judged = judged_ids(base / "qrels.tsv")
    queries = [q for q in read_queries(base / "queries.jsonl") if q[0] in judged]
    corpus = load_corpus(base / "corpus.jsonl")
    tmp = tempfile.TemporaryDirectory()
    rows: list[tuple[str, dict[str, float], float]] = []

    data_dir = args.data_dir or Path(tmp.name) / "data"
    started = time.perf_counter()
    if not (data_dir / "index" / "CURRENT").exists():
        build_generation(data_dir, scifact_documents(base / "corpus.jsonl"))
    ours_run = Path(tmp.name) / "ours.trec"
    run_queries(Searcher(data_dir), queries, args.depth, False, ours_run, "id")
    rows.append(
        ("search-service", score(ours_run, base / "qrels.tsv"), time.perf_counter() - started)
    )

    for name in [p for p in args.peers.split(",") if p]:
        started = time.perf_counter()
        try:
            run = PEERS[name](corpus, queries, args.depth)
        except ImportError as err:
            print(f"{name}: skipped ({err}; pip install bm25s PyStemmer tantivy)")
            continue
        path = Path(tmp.name) / f"{name}.trec"
        write_run(run, path, name)
        rows.append((name, score(path, base / "qrels.tsv"), time.perf_counter() - started))

    ours = rows[0][1].get("nDCG@10", 0.0)
    print(f"{'system':<16} {'nDCG@10':>8} {'R@100':>7} {'ours/this':>9} {'wall s':>7}")
    for name, figs, secs in rows:
        nd = figs.get("nDCG@10", 0.0)
        ratio = ours / nd if nd else float("inf")
        print(
            f"{name:<16} {nd:>8.4f} {figs.get('Recall@100', 0.0):>7.4f} {ratio:>9.3f} {secs:>7.1f}"
        )
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
