"""Ingest throughput and memory, with trafilatura measured side by side on the same pages.

    python bench/ingest.py --pages 10000                 # one size
    python bench/ingest.py --pages 1000 10000 100000     # the cost curve
    python bench/ingest.py --pages 10000 --peer-pages 2000   # time the peer on a subset

For each size: generate a corpus with ../shared/bench/make_corpus.py (kept in --corpus-dir
and reused), run ``search-service ingest --jobs 2`` on it in a fresh data directory, sample
the RSS of the whole process tree every 0.2 s, then time trafilatura's single-process
extraction (``trafilatura.extract`` with metadata, read + gunzip + extract) of the same pages.
Prints pages/s, peak RSS, and the ratio ours/trafilatura. Runs are repeated --repeats times
and the medians printed. Needs ../shared (exit 2 when absent) and trafilatura + psutil
(``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import shared_dir  # noqa: E402

SHARED = shared_dir()


def make_corpus(size: int, corpus_dir: Path) -> Path:
    """The pages folder of a generated corpus of ``size`` pages (made once, then reused)."""
    out = corpus_dir / f"corpus-{size}"
    pages = out / "pages"
    if not (out / ".complete").exists():
        script = SHARED / "bench" / "make_corpus.py"
        if not script.exists():
            print(f"{script} is absent: this benchmark needs ../shared beside the project", file=sys.stderr)  # noqa: T201
            sys.exit(2)
        subprocess.run([sys.executable, str(script), "--out", str(out), "--pages", str(size),
                        "--quiet"], check=True)
        (out / ".complete").touch()
    return pages


class TreeUsage:
    """Peak summed RSS and total CPU of a process tree, sampled until stopped."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        import psutil

        self.proc = psutil.Process(pid)
        self.every = every
        self.peak = 0
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
            except psutil.Error:
                procs = []
            total = 0
            for p in procs:
                try:
                    with p.oneshot():
                        total += p.memory_info().rss
                        times = p.cpu_times()
                    self.cpu[p.pid] = times.user + times.system
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def stop(self) -> tuple[int, float]:
        """(peak RSS bytes, CPU seconds of every process seen)."""
        self._stop.set()
        self._thread.join()
        return self.peak, sum(self.cpu.values())


def run_ingest(pages: Path, jobs: int) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the process tree, peak RSS bytes) of one
    ``ingest --jobs N`` into a fresh data directory."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", "from search_service.cli import main; main()", "ingest",
             str(pages), "--data-dir", str(Path(tmp) / "data"), "--jobs", str(jobs), "-q"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        usage = TreeUsage(proc.pid)
        code = proc.wait()
        seconds = time.perf_counter() - started
        peak, cpu = usage.stop()
    if code not in (0, 1):
        raise RuntimeError(f"ingest failed with exit status {code}")
    return seconds, cpu, peak


def time_ours(pages: Path, jobs: int) -> tuple[float, int]:
    """(seconds, peak RSS bytes) of one ``ingest --jobs N`` into a fresh data directory."""
    seconds, _, peak = run_ingest(pages, jobs)
    return seconds, peak


def extract_with_trafilatura(files: list[Path]) -> None:
    """Read (bounded gunzip, as the ingest reads) and extract ``files`` with trafilatura.

    The pages are read with ``ingest.sources.read_bytes``, the ingest's own reader, so both
    sides pay the same for gunzip and neither can be handed a zip bomb; a file it refuses
    (broken, binary, empty) is skipped by trafilatura too.
    """
    import trafilatura

    from ingest.options import IngestOptions
    from ingest.sources import SourceError, read_bytes

    options = IngestOptions()
    for path in files:
        try:
            _, data = read_bytes(path, options)
        except (SourceError, OSError):
            continue
        trafilatura.extract(data, with_metadata=True)


def time_trafilatura(files: list[Path]) -> float:
    """Seconds for trafilatura to read and extract ``files`` in this one process."""
    started = time.perf_counter()
    extract_with_trafilatura(files)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, nargs="+", default=[10000])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--peer-pages", type=int, default=0,
                        help="time trafilatura on this many of the pages (0: all; its rate is per page)")
    parser.add_argument("--corpus-dir", type=Path, default=Path(tempfile.gettempdir()) / "search-service-corpora")
    args = parser.parse_args(argv)
    args.corpus_dir.mkdir(parents=True, exist_ok=True)
    print(f"{'pages':>8} {'ours s':>8} {'ours p/s':>9} {'peak RSS':>9} {'peer p/s':>9} {'ratio':>6}")  # noqa: T201
    for size in args.pages:
        pages = make_corpus(size, args.corpus_dir)
        files = sorted(p for p in pages.rglob("*") if p.is_file())
        ours, peaks, peer = [], [], []
        # an even spread of the corpus (sorted paths group pages by site: the first N
        # would time the peer on one site's layout only)
        step = max(1, len(files) // args.peer_pages) if args.peer_pages else 1
        peer_files = files[::step][: args.peer_pages] if args.peer_pages else files
        for _ in range(args.repeats):
            seconds, peak = time_ours(pages, args.jobs)
            ours.append(len(files) / seconds)
            peaks.append(peak)
            peer.append(len(peer_files) / time_trafilatura(peer_files))
        o, p = statistics.median(ours), statistics.median(peer)
        print(f"{len(files):>8} {len(files) / o:>8.1f} {o:>9.1f} {max(peaks) / 2**20:>8.0f}M "  # noqa: T201
              f"{p:>9.1f} {o / p:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
