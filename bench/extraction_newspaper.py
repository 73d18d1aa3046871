"""newspaper4k over the shared extraction set, written in extraction_run.py's output format.

    python bench/extraction_newspaper.py --data ../shared/data/extraction --out DIR

../shared/bench/extraction_run.py runs trafilatura, readability and the others but has no
newspaper4k entry; it is read-only to us, so this runner adds that one peer in the same
shape: DIR/newspaper4k.json ({"version", "output": {id: {"articleBody"}}}) and an entry
in DIR/timing.json (CPU pages/s over one pass, the parse and text conversion included).
Exit status 3 when newspaper4k is not installed (``pip install newspaper4k``).
"""

from __future__ import annotations

import argparse
import gzip
import importlib.metadata as md
import json
import sys
import time
import warnings
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")  # "nltk is not installed": only its NLP extras need it
    try:
        import newspaper
    except ImportError as err:
        print(f"skip newspaper4k: {err}", file=sys.stderr)  # noqa: T201
        return 3
    truth_file = args.data / "ground-truth.json"
    truth = json.loads(truth_file.read_text(encoding="utf-8")) if truth_file.exists() else {}
    out: dict[str, dict[str, str]] = {}
    cpu = 0.0
    for path in sorted((args.data / "html").glob("*.html.gz")):
        page_id = path.name.split(".")[0]
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        url = (truth.get(page_id) or {}).get("url") or "https://example.com/article"
        start = time.process_time()
        try:
            text = newspaper.article(url, input_html=html).text or ""
        except Exception as err:  # noqa: BLE001 — a peer's crash is an empty prediction
            print(f"  {page_id[:12]}: newspaper4k failed: {err}", file=sys.stderr)  # noqa: T201
            text = ""
        cpu += time.process_time() - start
        out[page_id] = {"articleBody": text}
    args.out.mkdir(parents=True, exist_ok=True)
    version = md.version("newspaper4k")
    (args.out / "newspaper4k.json").write_text(
        json.dumps({"version": version, "output": out}, ensure_ascii=False), encoding="utf-8"
    )
    timing_path = args.out / "timing.json"
    timing = json.loads(timing_path.read_text()) if timing_path.exists() else {}
    timing.setdefault("extractors", {})["newspaper4k"] = {
        "version": version,
        "pages_per_s_cpu_median_pass": len(out) / cpu if cpu else 0.0,
    }
    timing_path.write_text(json.dumps(timing, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
