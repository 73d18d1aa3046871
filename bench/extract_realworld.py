"""Run extract_document over the shared real-world extraction set and write its predictions.

Usage:
    python bench/extract_realworld.py --out /tmp/realworld.json
    python3 ../shared/bench/extraction_eval.py --truth ../shared/data/extraction \\
        --pred /tmp/realworld.json

The set (html/<page_id>.html.gz plus ground-truth.json) holds real news and blog pages, a
check that the extraction rules are not fitted to the scraped sample's templates. A page
that is not extracted as an article gets an empty body (and its reason on stderr).
Exit status 2 when the set is absent.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import shared_dir
from ingest.document import Document
from ingest.extract import extract_document
from ingest.options import IngestOptions
from ingest.sources import RawPage, decode_html

SHARED = shared_dir()
DEFAULT_SET = SHARED / "data" / "extraction"


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_SET, help=f"default {DEFAULT_SET}")
    parser.add_argument("--out", type=Path, required=True, help="predictions JSON to write")
    args = parser.parse_args(argv)
    html = args.data / "html"
    if not html.is_dir():
        _say(f"extraction set not found: {html} (is ../shared beside the project?)")
        return 2
    truth_file = args.data / "ground-truth.json"
    truth = json.loads(truth_file.read_text(encoding="utf-8")) if truth_file.exists() else {}
    options = IngestOptions()
    out: dict[str, dict[str, str]] = {}
    cpu = 0.0
    for path in sorted(html.glob("*.html.gz")):
        page_id = path.name.split(".")[0]
        text, codec = decode_html(gzip.decompress(path.read_bytes()))
        url = (truth.get(page_id) or {}).get("url")
        page = RawPage(source_path=str(path), text=text, url=url, encoding=codec, size=len(text))
        start = time.process_time()
        result = extract_document(page, options)
        cpu += time.process_time() - start
        if isinstance(result, Document):
            out[page_id] = {"articleBody": result.body_text, "headline": result.title}
        else:
            out[page_id] = {"articleBody": "", "headline": ""}
            _say(f"  {page_id[:12]}: {result.kind}: {result.reason}")
    args.out.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    _say(f"{len(out)} pages, {1000 * cpu / max(1, len(out)):.1f} ms CPU per page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
