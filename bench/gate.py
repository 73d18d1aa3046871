"""Quality gate: fails when a measured figure falls below its pinned floor.

The floors live in bench/baseline.json. Figures come from the shared scorers
(../shared/bench) on the shared data (../shared/data); nothing here scores by itself.

    python bench/gate.py                      # check every suite, exit 1 on a regression
    python bench/gate.py --suite scraped-extract
    python bench/gate.py --update             # raise floors to today's figures (never lowers)
    python bench/gate.py --update --allow-regression   # lower a floor: a deliberate commit

Exit status: 0 all floors hold, 1 a regression, 2 the shared data or scorer is absent.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import shared_dir  # noqa: E402

SHARED = shared_dir()
BASELINE = ROOT / "bench" / "baseline.json"
#: Don't fail on measurement noise (trafilatura's eval gate uses the same).
EPSILON = 0.0005

sys.path.insert(0, str(ROOT))


class SharedMissing(Exception):
    """Raised when ../shared (data or scorer) is not beside the project."""


def _need(path: Path) -> Path:
    if not path.exists():
        raise SharedMissing(f"{path} is absent: the quality gate needs ../shared beside the project")
    return path


def write_extract_jsonl(pages: Path, out: Path, jobs: int = 2) -> None:
    """Run our extract stage (with story grouping) over ``pages`` into JSON Lines."""
    from ingest.document import Document
    from ingest.options import IngestOptions
    from ingest.pipeline import extract_paths

    with open(out, "w", encoding="utf-8") as fh:
        for item in extract_paths([pages], IngestOptions(jobs=jobs)):
            if isinstance(item, Document):
                line = {"source": item.source_path, "id": item.id, "kind": item.kind,
                        "url": item.url, "title": item.title, "author": item.author,
                        "published": item.published, "body": item.body_text,
                        "duplicate_of": item.duplicate_of}
            else:
                line = {"source": item.source_path, "kind": item.kind, "url": item.url,
                        "title": None, "author": None, "published": None, "body": "",
                        "duplicate_of": None, "error": item.reason}
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")


_LAST = re.compile(r"(\w+)=([\d.]+)")


def parse_extract_report(text: str) -> dict[str, float]:
    """Figures from scraped_eval.py extract's output."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    figures = {k: float(v) for k, v in _LAST.findall(lines[-1])}
    chrome = re.search(r"^chrome leaks (\d+)", text, re.M)
    errors = re.search(r"^errors not reported (\d+)", text, re.M)
    prf = re.search(r"^duplicates pairwise precision ([\d.]+) recall ([\d.]+)", text, re.M)
    figures["chrome_leaks"] = float(chrome.group(1)) if chrome else 0.0
    figures["errors_not_reported"] = float(errors.group(1)) if errors else 0.0
    if prf:
        figures["dup_precision"], figures["dup_recall"] = float(prf.group(1)), float(prf.group(2))
    return figures


def score_extraction(pages: Path, truth: Path, chrome: Path | None = None) -> dict[str, float]:
    """Extract ``pages`` and score against ``truth`` with the shared scorer."""
    scorer = _need(SHARED / "bench" / "scraped_eval.py")
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "extract.jsonl"
        write_extract_jsonl(_need(pages), pred)
        cmd = [sys.executable, str(scorer), "extract", "--truth", str(_need(truth)),
               "--pred", str(pred), "--worst", "0"]
        if chrome is not None:
            cmd += ["--chrome", str(chrome)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"scorer failed: {proc.stderr.strip() or proc.stdout[-500:]}")
    return parse_extract_report(proc.stdout)


def suite_scraped_extract() -> dict[str, float]:
    """Extraction on the shared scraped-news sample (2,616 files)."""
    data = SHARED / "data" / "scraped-sample"
    return score_extraction(data / "pages", data / "ground-truth.jsonl")


def suite_sample_extract() -> dict[str, float]:
    """Extraction on our own bundled sample (templates the shared sample does not have)."""
    sample = ROOT / "search_service" / "sample"
    return score_extraction(sample / "pages", sample / "truth.jsonl", sample / "chrome-strings.txt")


def suite_realworld_extract() -> dict[str, float]:
    """Body extraction on 91 real news and blog pages (../shared/data/extraction), scored by
    the shared extraction_eval.py: a check that the rules are not fitted to the samples.
    Ours only (~3 s CPU); bench/extraction_peers.py puts the peers beside it."""
    data = _need(SHARED / "data" / "extraction")
    scorer = _need(SHARED / "bench" / "extraction_eval.py")
    _need(data / "ground-truth.json")
    with tempfile.TemporaryDirectory() as tmp:
        pred, out = Path(tmp) / "pred.json", Path(tmp) / "score.json"
        run = subprocess.run([sys.executable, str(ROOT / "bench" / "extract_realworld.py"),
                              "--data", str(data), "--out", str(pred)],
                             capture_output=True, text=True, check=False)
        if run.returncode != 0:
            raise RuntimeError(f"extract_realworld.py failed: {run.stderr.strip()[-500:]}")
        proc = subprocess.run([sys.executable, str(scorer), "--truth", str(data), "--pred", str(pred),
                               "--worst", "0", "--n-bootstrap", "0", "--json-out", str(out)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"scorer failed: {proc.stderr.strip() or proc.stdout[-500:]}")
        aggregate = json.loads(out.read_text(encoding="utf-8"))["aggregate"]
    return {"body_f1": aggregate["f1"], "body_precision": aggregate["precision"],
            "body_recall": aggregate["recall"]}


def _search_suite(collection: str) -> dict[str, float]:
    """Index a judged collection in a temporary directory (once per gate run), run its
    queries through Searcher.search, score them with the shared scorer (bench/ir.py)."""
    from bench import ir

    data = SHARED / "data" / ("ir/scifact" if collection == "scifact" else "scraped-sample")
    _need(data)
    _need(SHARED / "bench" / ("ir_eval.py" if collection == "scifact" else "scraped_eval.py"))
    with tempfile.TemporaryDirectory() as tmp:
        try:
            result = ir.measure(collection, Path(tmp) / "data", Path(tmp) / "run.trec")
        except ir.SharedAbsent as err:
            raise SharedMissing(str(err)) from err
    if result.returncode != 0 or not result.figures:
        raise RuntimeError(f"scorer failed: {result.report[-500:]}")
    return result.figures


def suite_scifact() -> dict[str, float]:
    """Ranking on SciFact (5,183 abstracts, 300 judged claims): nDCG@10, Recall@100."""
    figures = _search_suite("scifact")
    return {k: v for k, v in figures.items() if k in ("ndcg10", "recall100", "map100")}


def suite_scraped_search() -> dict[str, float]:
    """Search on the shared scraped-news sample (ingested, indexed, 195 judged queries):
    nDCG@10, MRR@10, Recall@100 and the duplicate rate in the top 10 (a ceiling)."""
    figures = _search_suite("scraped")
    return {k: v for k, v in figures.items() if k in ("ndcg10", "mrr10", "recall100", "dup10")}


SUITES: dict[str, Callable[[], dict[str, float]]] = {
    "scraped-extract": suite_scraped_extract,
    "sample-extract": suite_sample_extract,
    "realworld-extract": suite_realworld_extract,
    "scifact": suite_scifact,
    "scraped-search": suite_scraped_search,
}

#: Figures where lower is better (pinned as ceilings).
LOWER_IS_BETTER = {"leaks", "chrome_leaks", "errors_not_reported", "dup10"}


def check(name: str, figures: dict[str, float], pinned: dict[str, float]) -> list[str]:
    """Regressions of one suite, as readable lines."""
    problems = []
    for key, floor in pinned.items():
        value = figures.get(key)
        if value is None:
            problems.append(f"{name}: figure {key} missing from the scorer's output")
        elif key in LOWER_IS_BETTER and value > floor:
            problems.append(f"{name}: {key} = {value:g} is above its ceiling {floor:g}")
        elif key not in LOWER_IS_BETTER and value < floor - EPSILON:
            problems.append(f"{name}: {key} = {value:.4f} is below its floor {floor:.4f}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", action="append", choices=sorted(SUITES))
    parser.add_argument("--update", action="store_true", help="raise floors to today's figures")
    parser.add_argument("--allow-regression", action="store_true", help="with --update: lower floors too")
    args = parser.parse_args(argv)
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    failed = False
    for name in args.suite or sorted(SUITES):
        try:
            figures = SUITES[name]()
        except SharedMissing as err:
            print(f"{name}: skipped: {err}")  # noqa: T201
            if args.suite:
                return 2
            continue
        print(f"{name}: " + " ".join(f"{k}={v:g}" for k, v in sorted(figures.items())))  # noqa: T201
        pinned = baseline.setdefault(name, {})
        if args.update:
            for key, value in figures.items():
                old = pinned.get(key)
                better = old is None or (value < old if key in LOWER_IS_BETTER else value > old)
                if better or args.allow_regression:
                    pinned[key] = round(value, 4)
            continue
        for line in check(name, figures, pinned):
            print("REGRESSION " + line)  # noqa: T201
            failed = True
    if args.update:
        BASELINE.write_text(json.dumps(baseline, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
