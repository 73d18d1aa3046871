"""bench/ingest.py in CPU seconds: throughput that a loaded, shared machine cannot distort.

    python bench/ingest_cpu.py --pages 1000 10000 --peer-pages 1000
    python bench/ingest_cpu.py --pages 10000 --profile 400   # where a worker's CPU goes

bench/ingest.py reports wall-clock pages/s; on the shared 2-core machine with a load
average of 10-17 (other engineers' load tests) those figures move by 2x from one run to the
next. This script runs the same two things on the same corpus (``search-service ingest
--jobs N`` into a fresh data directory; trafilatura's read + gunzip + extract with metadata
in one process) and also counts the CPU seconds each used:

* ours: user + system CPU of the ingest process and every descendant (forkserver, pool
  workers), sampled with psutil every 0.1 s, the last sample of each process kept (a
  process's final < 0.1 s is missed, so ours is slightly under-counted: < 1%);
* trafilatura: ``time.process_time`` around the loop.

Printed per size: wall pages/s of both, pages per CPU-second of both, and two ratios: CPU
(ours / trafilatura pages per CPU-second: what one core of each does) and ``jobs x CPU``
(what ``--jobs N`` gives on N idle cores when the workers are the critical path; the
parent's work overlaps theirs). Peak RSS is of the whole ingest process tree.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest import extract_with_trafilatura, make_corpus, run_ingest  # noqa: E402


def run_ours(pages: Path, jobs: int) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS bytes) of one ingest into a fresh data dir."""
    return run_ingest(pages, jobs)


def run_trafilatura(files: list[Path]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) for trafilatura to read and extract ``files`` here."""
    wall, cpu = time.perf_counter(), time.process_time()
    extract_with_trafilatura(files)
    return time.perf_counter() - wall, time.process_time() - cpu


def profile_extraction(files: list[Path], root: Path, top: int) -> None:
    """CPU ms per page of what a worker does (read, extract, sketch), then cProfile's top.

    Runs in this one process on ``files`` (a spread of the corpus), once to warm the caches
    a worker warms on its first pages, once timed, once under cProfile.
    """
    import cProfile
    import pstats

    from ingest.document import Document
    from ingest.duplicates import sketch_document
    from ingest.extract import extract_path
    from ingest.options import IngestOptions

    options = IngestOptions()

    def work() -> None:
        for path in files:
            result = extract_path(path, options, root)
            if isinstance(result, Document):
                sketch_document(result)

    work()
    cpu = time.process_time()
    work()
    cpu = time.process_time() - cpu
    per_page = 1000 * cpu / len(files)
    print(f"{len(files)} pages: {per_page:.2f} ms CPU per page (read, extract, sketch)")  # noqa: T201
    profiler = cProfile.Profile()
    profiler.enable()
    work()
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, nargs="+", default=[1000])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--peer-pages", type=int, default=1000,
                        help="time trafilatura on this many of the pages (0: all)")
    parser.add_argument("--no-peer", action="store_true", help="skip trafilatura")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="instead: cProfile extraction of N pages spread over the first corpus")
    parser.add_argument("--top", type=int, default=30, help="functions shown by --profile")
    parser.add_argument("--corpus-dir", type=Path, default=Path(tempfile.gettempdir()) / "search-service-corpora")
    args = parser.parse_args(argv)
    args.corpus_dir.mkdir(parents=True, exist_ok=True)
    if args.profile:
        pages = make_corpus(args.pages[0], args.corpus_dir)
        files = sorted(p for p in pages.rglob("*") if p.is_file())
        step = max(1, len(files) // args.profile)
        profile_extraction(files[::step][: args.profile], pages, args.top)
        return 0
    print(f"{'pages':>7} {'ours wall p/s':>13} {'ours CPU s':>10} {'ours p/CPU-s':>12} {'peak RSS':>8} "  # noqa: T201
          f"{'peer wall p/s':>13} {'peer p/CPU-s':>12} {'CPU ratio':>9} {'jobs x CPU':>10}")
    for size in args.pages:
        pages = make_corpus(size, args.corpus_dir)
        files = sorted(p for p in pages.rglob("*") if p.is_file())
        wall, cpu, peak = run_ours(pages, args.jobs)
        ours_cpu = len(files) / cpu
        line = (f"{len(files):>7} {len(files) / wall:>13.1f} {cpu:>10.1f} {ours_cpu:>12.1f} "
                f"{peak / 2**20:>7.0f}M")
        if not args.no_peer:
            peer_files = files[: args.peer_pages] if args.peer_pages else files
            p_wall, p_cpu = run_trafilatura(peer_files)
            peer_cpu = len(peer_files) / p_cpu
            line += (f" {len(peer_files) / p_wall:>13.1f} {peer_cpu:>12.1f} {ours_cpu / peer_cpu:>9.2f}"
                     f" {args.jobs * ours_cpu / peer_cpu:>10.2f}")
        print(line, flush=True)  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
