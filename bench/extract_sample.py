"""Run the extraction stage over a folder of scraped pages and write the scorer's JSON Lines.

Usage:
    python bench/extract_sample.py --out /tmp/extract.jsonl [--pages DIR] [--jobs N]
    python3 ../shared/bench/scraped_eval.py extract \\
        --truth ../shared/data/scraped-sample/ground-truth.jsonl --pred /tmp/extract.jsonl

The default folder is the shared scraped sample; ``--pages search_service/sample/pages``
scores our own bundled sample (truth.jsonl and chrome-strings.txt beside it). One line per
file: {"source", "id", "kind", "url", "site", "title", "author", "published", "body"
(paragraphs joined by a blank line), "duplicate_of": null, "error"}. Progress and the CPU
time per page go to stderr. Exit status 2 when the pages folder is absent (../shared not
mounted).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from functools import partial
from multiprocessing import Pool
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import shared_dir
from ingest.document import Document
from ingest.extract import extract_path
from ingest.options import IngestOptions
from ingest.sources import iter_page_paths

SHARED = shared_dir()
DEFAULT_PAGES = SHARED / "data" / "scraped-sample" / "pages"


def _row(path: Path, options: IngestOptions, root: Path) -> tuple[dict[str, Any], float]:
    start = time.process_time()
    result = extract_path(path, options, root)
    elapsed = time.process_time() - start
    if isinstance(result, Document):
        row = {
            "source": str(path),
            "id": result.id,
            "kind": result.kind,
            "url": result.url,
            "site": result.site,
            "title": result.title,
            "author": result.author,
            "published": result.published,
            "body": result.body_text,
            "duplicate_of": None,
            "error": None,
        }
    else:
        row = {
            "source": str(path),
            "kind": result.kind,
            "url": result.url,
            "site": result.site,
            "title": result.title,
            "author": None,
            "published": None,
            "body": "",
            "duplicate_of": None,
            "error": result.reason,
        }
    return row, elapsed


def _say(line: str) -> None:
    """Progress and summary lines go to stderr; stdout stays free."""
    sys.stderr.write(line + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pages",
        type=Path,
        default=DEFAULT_PAGES,
        help=f"folder of <site>/<path> pages (default {DEFAULT_PAGES})",
    )
    parser.add_argument("--out", type=Path, required=True, help="JSON Lines output file")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--slowest", type=int, default=3, help="report the N slowest pages")
    args = parser.parse_args(argv)
    if not args.pages.is_dir():
        _say(f"pages folder not found: {args.pages} (is ../shared beside the project?)")
        return 2
    options = IngestOptions(jobs=max(1, args.jobs))
    paths = list(iter_page_paths([args.pages]))
    start = time.perf_counter()
    work = partial(_row, options=options, root=args.pages)
    if options.jobs > 1:
        with Pool(options.jobs) as pool:
            results = pool.map(work, paths, chunksize=16)
    else:
        results = [work(p) for p in paths]
    wall = time.perf_counter() - start
    with args.out.open("w", encoding="utf-8") as out:
        for row, _ in results:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for row, _ in results:
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
    cpu = sum(t for _, t in results)
    per_page = 1000 * cpu / max(1, len(results))
    _say(
        f"{len(results)} files in {wall:.1f}s wall ({per_page:.1f} ms CPU per page, "
        f"jobs {options.jobs}); kinds {kinds}"
    )
    slow = sorted(results, key=lambda r: -r[1])[: args.slowest]
    for row, t in slow:
        _say(f"  slowest: {t * 1000:.0f} ms CPU {row['source']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
