"""Body extraction side by side: ours and the peers on the same real pages, one scorer.

    python bench/extraction_peers.py                       # ours + every peer installed
    python bench/extraction_peers.py --peers trafilatura_favor_precision

Every extractor runs on ../shared/data/extraction (91 real news and blog pages) in its own
subprocess: ours through bench/extract_realworld.py, trafilatura and readability-lxml
through ../shared/bench/extraction_run.py (called, not copied: it is the reference way to
run them), newspaper4k through bench/extraction_newspaper.py (the shared runner has no
entry for it). Each prediction file is scored by ../shared/bench/extraction_eval.py, and
the body precision, recall and F1 are printed in one table with CPU pages/s (one process,
parse and text conversion included). A peer that is not installed is listed as skipped.
Exit status: 0 when ours is at least --min-f1 and at least the best peer, 1 otherwise,
2 when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import shared_dir  # noqa: E402

SHARED = shared_dir()
DATA = SHARED / "data" / "extraction"
RUNNER = SHARED / "bench" / "extraction_run.py"
SCORER = SHARED / "bench" / "extraction_eval.py"
#: The peers of the issue: trafilatura in its precision and default modes, readability-lxml.
SHARED_PEERS = ("trafilatura_favor_precision", "trafilatura_default", "readability_bs4text")
NEWSPAPER = "newspaper4k"
_CPU_LINE = re.compile(r"([\d.]+) ms CPU per page")


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)


def score(pred: Path, bootstrap: int = 200) -> dict[str, float]:
    """Aggregate figures of one prediction file (f1, precision, recall, accuracy)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "score.json"
        proc = _run([sys.executable, str(SCORER), "--truth", str(DATA), "--pred", str(pred),
                     "--worst", "0", "--n-bootstrap", str(bootstrap), "--json-out", str(out)])
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"scorer failed on {pred.name}: {proc.stderr.strip()[-500:]}")
        return json.loads(out.read_text())["aggregate"]


def run_ours(out_dir: Path) -> tuple[Path, float | None]:
    """Our predictions and CPU pages/s (bench/extract_realworld.py)."""
    pred = out_dir / "ours.json"
    proc = _run([sys.executable, str(ROOT / "bench" / "extract_realworld.py"), "--data", str(DATA),
                 "--out", str(pred)])
    if proc.returncode != 0:
        raise RuntimeError(f"extract_realworld.py failed: {proc.stderr.strip()[-500:]}")
    match = _CPU_LINE.search(proc.stderr)
    return pred, (1000 / float(match.group(1)) if match and float(match.group(1)) else None)


def run_peers(names: list[str], out_dir: Path) -> dict[str, tuple[Path, float | None] | str]:
    """Each peer's prediction file and CPU pages/s, or why it was skipped."""
    results: dict[str, tuple[Path, float | None] | str] = {}
    shared = [n for n in names if n != NEWSPAPER]
    if shared:
        proc = _run([sys.executable, str(RUNNER), "--data", str(DATA), "--out", str(out_dir),
                     "--repeats", "1", "--only", *shared])
        for line in proc.stderr.splitlines():
            if line.startswith("skip "):
                name, _, why = line[5:].partition(": ")
                results[name] = f"skipped ({why})"
    if NEWSPAPER in names:
        proc = _run([sys.executable, str(ROOT / "bench" / "extraction_newspaper.py"),
                     "--data", str(DATA), "--out", str(out_dir)])
        if proc.returncode == 3:
            results[NEWSPAPER] = "skipped (not installed: pip install newspaper4k)"
    timing_file = out_dir / "timing.json"
    timing = json.loads(timing_file.read_text()).get("extractors", {}) if timing_file.exists() else {}
    for name in names:
        pred = out_dir / f"{name}.json"
        if name in results:
            continue
        if not pred.exists():
            results[name] = "skipped (no output)"
            continue
        rate = (timing.get(name) or {}).get("pages_per_s_cpu_median_pass")
        version = (timing.get(name) or {}).get("version", "?")
        results[f"{name} {version}"] = (pred, rate)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peers", nargs="*", default=[*SHARED_PEERS, NEWSPAPER],
                        help=f"peer names (default: {' '.join([*SHARED_PEERS, NEWSPAPER])})")
    parser.add_argument("--min-f1", type=float, default=0.975, help="target body F1 for ours")
    parser.add_argument("--keep", type=Path, help="keep the prediction files in this folder")
    args = parser.parse_args(argv)
    for need in (DATA / "ground-truth.json", RUNNER, SCORER):
        if not need.exists():
            print(f"{need} is absent: this benchmark needs ../shared beside the project", file=sys.stderr)  # noqa: T201
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = args.keep or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        rows: dict[str, tuple[Path, float | None] | str] = {"ours (search-service)": run_ours(out_dir)}
        rows.update(run_peers(list(args.peers), out_dir))
        print(f"{'extractor':<44} {'P':>6} {'R':>6} {'F1':>6} {'exact':>6} {'CPU p/s':>8}")  # noqa: T201
        f1s: dict[str, float] = {}
        for name, result in rows.items():
            if isinstance(result, str):
                print(f"{name:<44} {result}")  # noqa: T201
                continue
            pred, rate = result
            fig = score(pred)
            f1s[name] = fig["f1"]
            shown = f"{rate:8.1f}" if rate else f"{'?':>8}"
            print(f"{name:<44} {fig['precision']:6.3f} {fig['recall']:6.3f} {fig['f1']:6.3f} "  # noqa: T201
                  f"{fig['accuracy']:6.3f} {shown}")
    ours = f1s.pop("ours (search-service)")
    best = max(f1s.items(), key=lambda kv: kv[1], default=("none", 0.0))
    ok = ours >= args.min_f1 and ours >= best[1]
    print(f"ours F1 {ours:.3f} (target >= {args.min_f1}), best peer {best[0]} {best[1]:.3f}: "  # noqa: T201
          + ("target met" if ok else "TARGET MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
