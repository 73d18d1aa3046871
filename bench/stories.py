"""Measure story grouping (ingest/duplicates.py) on the shared scraped sample's ground truth.

Builds Documents straight from the truth's article lines (no extractor needed), groups them,
writes a prediction file for the shared scorer and prints its duplicate-clustering figures,
for three inputs:

* ``truth``: the true bodies and headlines;
* ``perturbed``: every body lightly damaged the way an extractor might (a paragraph dropped,
  a one-line dateline or a "Continue reading" line added, a site suffix on the headline);
* optionally (``--scale N``) N disjoint replicas of the perturbed set, to time grouping at
  N times the size (replicas get their own vocabulary, so they are different stories).

Usage:
    /work/venv/bin/python bench/stories.py \
        --truth /work/shared/data/scraped-sample/ground-truth.jsonl [--scale 20] \
        [--word-edits 0.02] [--pred /tmp/dups_pred.jsonl]
    python3 /work/shared/bench/scraped_eval.py extract \
        --truth /work/shared/data/scraped-sample/ground-truth.jsonl --pred /tmp/dups_pred.jsonl

Exit status 2 when the truth file (the shared folder) is absent; 1 when F1 is below --min-f1.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import shared_dir
from ingest.document import ARTICLE, Document, make_doc_id
from ingest.duplicates import (
    StoryAssignment,
    StoryGrouper,
    entry_for,
    sketch_document,
)

SHARED = shared_dir()
DEFAULT_TRUTH = SHARED / "data" / "scraped-sample" / "ground-truth.jsonl"
SCORER_NAME = "scraped_eval.py"
_DUP_LINE = re.compile(r"duplicates pairwise precision ([\d.]+) recall ([\d.]+) f1 ([\d.]+)")


def _say(line: str, stream: TextIO = sys.stdout) -> None:
    """One line of the report."""
    stream.write(line + "\n")
    stream.flush()


def load_truth(path: Path) -> list[dict[str, Any]]:
    """The truth lines, in file order."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def doc_of(line: dict[str, Any]) -> Document:
    """A Document as the extractor would make it from one truth article line."""
    url = line.get("url")
    canonical = line.get("canonical_url")
    return Document(
        id=make_doc_id(url, line["file"]),
        url=url,
        site=line.get("site") or "",
        title=line.get("title") or "",
        author=line.get("author"),
        published=line.get("published"),
        body=tuple(p for p in (line.get("body") or "").split("\n\n") if p.strip()),
        canonical_url=canonical if canonical and canonical != url else None,
        source_path=line["file"],
    )


def _edit_words(text: str, rate: float, rng: random.Random) -> str:
    """Delete or replace a share of the words (copy-editing, OCR-like or encoding noise)."""
    words = text.split()
    out = []
    for word in words:
        roll = rng.random()
        if roll < rate / 2:
            continue
        out.append("edited" if roll < rate else word)
    return " ".join(out)


def perturb(doc: Document, rng: random.Random, word_edits: float = 0.0) -> Document:
    """Light extractor-like damage: drop a paragraph, add a dateline, a stray line, a suffix.

    With ``word_edits`` > 0, that share of the words is also deleted or replaced.
    """
    body = list(doc.body)
    if word_edits > 0:
        body = [_edit_words(p, word_edits, rng) for p in body]
    if len(body) >= 3 and rng.random() < 0.3:
        del body[rng.randrange(len(body))]
    if body and rng.random() < 0.3:
        body[0] = f"{rng.choice(['LONDON', 'NEW YORK', 'PARIS', 'SYDNEY'])} (Newswire) - {body[0]}"
    if rng.random() < 0.3:
        body.append(rng.choice(["Continue reading", "Advertisement", "Share this article"]))
    title = doc.title
    if rng.random() < 0.2:
        title = f"{title} | {doc.site.removeprefix('www.').split('.')[0].title()}"
    return replace(doc, body=tuple(body), title=title)


def relabel(doc: Document, replica: int) -> Document:
    """A copy of the document in a vocabulary of its own (another story), with its own URLs."""
    if replica == 0:
        return doc

    def words(text: str) -> str:
        return re.sub(r"\w+", lambda m: f"{m.group(0)}x{replica}", text)

    url = f"{doc.url}?r={replica}" if doc.url else None
    canonical = f"{doc.canonical_url}?r={replica}" if doc.canonical_url else None
    return replace(
        doc,
        id=make_doc_id(url, f"{doc.source_path}#{replica}"),
        url=url,
        canonical_url=canonical,
        title=words(doc.title),
        body=tuple(words(p) for p in doc.body),
        source_path=f"{doc.source_path}#{replica}",
    )


def group(docs: Iterable[Document]) -> tuple[dict[str, StoryAssignment], dict[str, float]]:
    """Sketch and group, timing the two stages separately (CPU time: the box may be shared)."""
    start = time.process_time()
    entries = [entry_for(doc, sketch_document(doc)) for doc in docs]
    sketch_s = time.process_time() - start
    grouper = StoryGrouper()
    start = time.process_time()
    for entry in entries:
        grouper.add(entry)
    result = grouper.assign()
    group_s = time.process_time() - start
    n = max(1, len(entries))
    return result, {
        "docs": len(entries),
        "sketch_ms_per_doc": 1000 * sketch_s / n,
        "group_s_per_1000": 1000 * group_s / n,
        "group_s": group_s,
        "sketch_bytes": sum(len(e.sketch) for e in entries) / n,
    }


def write_pred(
    truth: list[dict[str, Any]],
    docs: dict[str, Document],
    result: dict[str, StoryAssignment],
    path: Path,
) -> None:
    """One scorer line per truth line (non-articles as their true kind, no duplicate_of)."""
    with path.open("w", encoding="utf-8") as out:
        for line in truth:
            doc = docs.get(line["file"])
            row: dict[str, Any] = {"source": line["file"], "kind": line["kind"]}
            if doc is not None:
                row.update(
                    title=doc.title,
                    author=doc.author,
                    published=doc.published,
                    body=doc.body_text,
                    url=doc.url,
                    id=doc.id,
                    duplicate_of=result[doc.id].duplicate_of,
                )
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def score(scorer: Path, truth_path: Path, pred: Path) -> tuple[float, float, float]:
    """Run the shared scorer and read its duplicate precision, recall and F1."""
    proc = subprocess.run(
        [sys.executable, str(scorer), "extract", "--truth", str(truth_path), "--pred", str(pred)],
        capture_output=True,
        text=True,
        check=False,
    )
    match = _DUP_LINE.search(proc.stdout)
    if match is None:
        raise RuntimeError(f"scorer output not understood:\n{proc.stdout}\n{proc.stderr}")
    return float(match[1]), float(match[2]), float(match[3])


def pairwise(
    truth_story: dict[str, str], result: dict[str, StoryAssignment]
) -> tuple[float, float, float]:
    """Pairwise precision/recall/F1, for the replicated set (which the scorer lacks)."""
    from collections import Counter

    def pairs(c: int) -> int:
        return c * (c - 1) // 2

    both = Counter((truth_story[i], result[i].story) for i in truth_story)
    tp = sum(pairs(c) for c in both.values())
    pred = sum(pairs(c) for c in Counter(result[i].story for i in truth_story).values())
    true = sum(pairs(c) for c in Counter(truth_story.values()).values())
    p = tp / pred if pred else 1.0
    r = tp / true if true else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--truth", type=Path, default=DEFAULT_TRUTH, help="ground-truth.jsonl")
    parser.add_argument(
        "--scorer", type=Path, help="scraped_eval.py (default: ../../bench beside the truth)"
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        metavar="N",
        help="also time N disjoint perturbed replicas (e.g. 20)",
    )
    parser.add_argument(
        "--word-edits",
        type=float,
        default=0.0,
        metavar="X",
        help="also score perturbed bodies with this share of words deleted or replaced",
    )
    parser.add_argument("--seed", type=int, default=7, help="perturbation seed")
    parser.add_argument(
        "--pred",
        type=Path,
        default=Path(tempfile.gettempdir()) / "dups_pred.jsonl",
        help="where the truth-body prediction file is kept (for scraped_eval.py)",
    )
    parser.add_argument(
        "--min-f1", type=float, default=0.0, help="exit 1 below this F1 (truth bodies)"
    )
    args = parser.parse_args(argv)

    if not args.truth.is_file():
        _say(f"stories: truth file not found: {args.truth} (is /work/shared present?)", sys.stderr)
        return 2
    scorer = args.scorer or args.truth.resolve().parents[2] / "bench" / SCORER_NAME
    if not scorer.is_file():
        _say(f"stories: scorer not found: {scorer}", sys.stderr)
        return 2

    truth = load_truth(args.truth)
    articles = [line for line in truth if line["kind"] == ARTICLE]
    base = {line["file"]: doc_of(line) for line in articles}
    rng = random.Random(args.seed)
    perturbed = {f: perturb(doc, rng) for f, doc in base.items()}
    runs = [("truth", base), ("perturbed", perturbed)]
    if args.word_edits > 0:
        edited = {f: perturb(doc, rng, args.word_edits) for f, doc in base.items()}
        runs.append((f"edits{args.word_edits:g}", edited))

    group(list(base.values())[:50])  # warm-up: imports, permutations, caches
    worst_f1 = 1.0
    with tempfile.TemporaryDirectory() as tmp:
        for name, docs in runs:
            result, timing = group(docs.values())
            pred = args.pred if name == "truth" else Path(tmp) / f"{name}.jsonl"
            write_pred(truth, docs, result, pred)
            p, r, f1 = score(scorer, args.truth, pred)
            if name == "truth":
                worst_f1 = f1
            stories = len({a.story for a in result.values()})
            _say(
                f"{name:9s} precision {p:.3f} recall {r:.3f} f1 {f1:.3f}  "
                f"({timing['docs']} docs, {stories} stories; "
                f"cpu: sketch {timing['sketch_ms_per_doc']:.2f} ms/doc, "
                f"grouping {timing['group_s_per_1000']:.3f} s/1000 docs, "
                f"{timing['sketch_bytes']:.0f} bytes/sketch)"
            )

    if args.scale > 1:
        docs: list[Document] = []
        truth_story: dict[str, str] = {}
        for replica in range(args.scale):
            for line in articles:
                doc = relabel(perturb(base[line["file"]], rng), replica)
                docs.append(doc)
                truth_story[doc.id] = f"{line['story']}#{replica}"
        result, timing = group(docs)
        p, r, f1 = pairwise(truth_story, result)
        _say(
            f"x{args.scale:<8d} precision {p:.3f} recall {r:.3f} f1 {f1:.3f}  "
            f"({timing['docs']} docs; cpu: sketch {timing['sketch_ms_per_doc']:.2f} ms/doc, "
            f"grouping {timing['group_s_per_1000']:.3f} s/1000 docs, "
            f"total {timing['group_s']:.1f} s)"
        )
    return 1 if worst_f1 < args.min_f1 else 0


if __name__ == "__main__":
    sys.exit(main())
