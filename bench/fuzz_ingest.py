"""Fuzz the ingest stage with mutated pages: nothing may crash, every page gets a verdict.

    python bench/fuzz_ingest.py --pages 2000 --seed 1

Each mutated page goes through the real extraction (``ingest.pipeline._process``, the code a
worker runs) and must come out as a Document or a Skipped with a reason, within a time and
memory bound (CPU seconds per page, --wall for wall time: the machine is shared). Prints
counts by outcome, the slowest pages, max CPU and wall time and peak RSS; exit 1 on a failure.
The mutations start from the bundled sample, so the benchmark needs nothing from ../shared.
"""

from __future__ import annotations

import argparse
import gzip
import random
import resource
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.document import Document, Skipped  # noqa: E402
from ingest.options import IngestOptions  # noqa: E402
from ingest.pipeline import _process, _Task  # noqa: E402
from ingest.sources import SourceError, read_bytes  # noqa: E402

SAMPLE = ROOT / "search_service" / "sample" / "pages"


def seeds() -> list[bytes]:
    """The sample's pages, decompressed, as mutation seeds."""
    out = []
    options = IngestOptions()
    for path in sorted(SAMPLE.rglob("*.htm*")):
        try:  # the ingest's own bounded read: gunzip with size and ratio limits
            _, data = read_bytes(path, options)
        except (SourceError, OSError):
            continue
        if len(data) > 500:
            out.append(data)
    return out


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(0, len(data))]


def _flip_bytes(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randrange(1, 200)):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def _misencode(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    codec = rng.choice(["utf-16", "utf-16-be", "cp1252", "latin-1", "koi8-r", "shift_jis"])
    return text.encode(codec, "replace")


def _deep_nesting(rng: random.Random, data: bytes) -> bytes:
    depth = rng.choice([1000, 5000, 20000, 60000])
    tag = rng.choice([b"div", b"span", b"b", b"table"])
    return data.replace(b"<body>", b"<body>" + (b"<" + tag + b">") * depth, 1)


def _huge_tag(rng: random.Random, data: bytes) -> bytes:
    tag = rng.choice([b"<p>x</p>", b"<br>", b"<div>", b"<a href=#>y</a>", b"&amp;"])
    return data.replace(b"</body>", tag * rng.choice([10_000, 100_000, 400_000]) + b"</body>", 1)


def _zip_bomb(rng: random.Random, data: bytes) -> bytes:
    # compressed a megabyte at a time: building the 200 MB plaintext in one piece made the
    # harness itself the largest user of memory, hiding what extraction uses (peak RSS)
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(b"<html><body>")]
    block = b"A" * (1024 * 1024)
    parts += [packer.compress(block) for _ in range(rng.choice([5, 50, 200]))]
    parts.append(packer.flush())
    return b"".join(parts)


def _gzip_truncated(rng: random.Random, data: bytes) -> bytes:
    packed = gzip.compress(data, mtime=0)
    return packed[: rng.randrange(10, len(packed))]


def _binary(rng: random.Random, data: bytes) -> bytes:
    return rng.randbytes(rng.randrange(1, 50_000))


def _markup_soup(rng: random.Random, data: bytes) -> bytes:
    pieces = [b"<", b">", b"</", b"<!--", b"-->", b"<![CDATA[", b"<script>", b"</script>", b"\"", b"'",
              b"<meta charset=", b"<title>", b"<h1>", b"&#x", b";", b"\x00", b"\xff\xfe", b"<?xml"]
    return b"".join(rng.choice(pieces) for _ in range(rng.randrange(10, 5000)))


def _json_ld_junk(rng: random.Random, data: bytes) -> bytes:
    junk = rng.choice([b"{", b"[" * 5000, b'{"@type": "NewsArticle", "headline": ' + b"[" * 3000,
                       b'{"datePublished": "99999-99-99T99:99"}', b'{"author": {"name": {"name": 1}}}'])
    return data.replace(b"</head>", b'<script type="application/ld+json">' + junk + b"</script></head>", 1)


def _bad_dates(rng: random.Random, data: bytes) -> bytes:
    value = rng.choice([b"0000-00-00", b"2019-02-30T25:61:61+99:00", b"yesterday-ish", b"-1", b"1e308",
                        b"\xff\xfe", b"31/31/3131", b"99999999999999999999"])
    return data.replace(b"</head>", b'<meta property="article:published_time" content="' + value
                        + b'"><time datetime="' + value + b'">' + value + b"</time></head>", 1)


MUTATIONS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "truncate": _truncate, "flip-bytes": _flip_bytes, "misencode": _misencode,
    "deep-nesting": _deep_nesting, "huge-tag": _huge_tag, "zip-bomb": _zip_bomb,
    "gzip-truncated": _gzip_truncated, "binary": _binary, "markup-soup": _markup_soup,
    "json-ld-junk": _json_ld_junk, "bad-dates": _bad_dates,
}


#: Mutations that leave the article readable: its page must still become a Document.
_SAME_VERDICT = frozenset(("deep-nesting",))
_VERDICTS: dict[int, str] = {}


def _verdict(data: bytes, site: Path, options: IngestOptions) -> str:
    """'document' or the Skipped kind of an unmutated seed page (cached per page)."""
    if id(data) not in _VERDICTS:
        path = site / "original.html"
        path.write_bytes(data)
        result = _process(_Task(str(path), str(site.parent), None, len(data), 0), options).result
        _VERDICTS[id(data)] = "document" if isinstance(result, Document) else str(getattr(result, "kind", ""))
        path.unlink()
    return _VERDICTS[id(data)]


def run(pages: int, seed: int, max_seconds: float, *, bound_wall: bool = False) -> dict[str, object]:
    """Mutate and extract ``pages`` pages; returns the figures (failures listed).

    The time bound applies to each page's CPU time (``time.process_time``) unless
    ``bound_wall``: the machine is shared, and under a load average of 15 on 2 cores a page
    of 0.4 s CPU took 6-8 s of wall time, which says nothing about the extractor.
    """
    max_wall = 0.0
    rng = random.Random(seed)
    base = seeds()
    options = IngestOptions()
    outcomes: Counter[str] = Counter()
    mutations: Counter[str] = Counter()
    failures: list[str] = []
    slow: list[tuple[float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "fuzz.example"
        site.mkdir()
        for i in range(pages):
            name = rng.choice(sorted(MUTATIONS))
            mutations[name] += 1
            original = rng.choice(base)
            data = MUTATIONS[name](rng, original)
            gz = data[:2] == b"\x1f\x8b"
            path = site / f"{i:05d}-{name}.html{'.gz' if gz else ''}"
            path.write_bytes(data)
            started, cpu_started = time.perf_counter(), time.process_time()
            out = _process(_Task(str(path), tmp, None, len(data), 0), options)
            cpu = time.process_time() - cpu_started
            wall = time.perf_counter() - started
            took = wall if bound_wall else cpu
            slow.append((cpu, path.name))
            max_wall = max(max_wall, wall)
            result = out.result
            if isinstance(result, Document):
                outcomes["document"] += 1
            elif isinstance(result, Skipped) and result.reason:
                outcomes[f"skipped:{result.kind}"] += 1
                if result.reason.startswith("extraction failed"):
                    failures.append(f"{path.name}: crashed inside extraction: {result.reason}")
            else:
                failures.append(f"{path.name}: no verdict ({result!r})")
            if name in _SAME_VERDICT and not isinstance(result, Document):
                if _verdict(original, site, options) == "document":
                    failures.append(f"{path.name}: {name} lost the article ({result!r:.200})")
            if took > max_seconds:
                what = "wall" if bound_wall else "CPU"
                failures.append(f"{path.name}: took {took:.1f} s {what} (bound {max_seconds} s)")
            path.unlink()
    slow.sort(reverse=True)
    return {
        "pages": pages,
        "outcomes": dict(sorted(outcomes.items())),
        "mutations": dict(sorted(mutations.items())),
        "failures": failures,
        "slowest": slow[:5],
        "max_cpu_s": slow[0][0] if slow else 0.0,
        "max_wall_s": max_wall,
        "median_ms": sorted(t for t, _ in slow)[len(slow) // 2] * 1000 if slow else 0.0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-seconds", type=float, default=5.0, help="time bound per page (CPU)")
    parser.add_argument("--wall", action="store_true", help="bound wall time instead of CPU time")
    args = parser.parse_args(argv)
    figures = run(args.pages, args.seed, args.max_seconds, bound_wall=args.wall)
    print(f"pages {figures['pages']}, outcomes {figures['outcomes']}")  # noqa: T201
    print(f"median {figures['median_ms']:.1f} ms CPU per page, peak RSS {figures['peak_rss_mb']:.0f} MB")  # noqa: T201
    print(f"max per page: {figures['max_cpu_s']:.2f} s CPU, {figures['max_wall_s']:.2f} s wall")  # noqa: T201
    print("slowest (CPU): " + ", ".join(f"{n} {t:.2f}s" for t, n in figures["slowest"]))  # type: ignore[attr-defined]  # noqa: T201
    for line in figures["failures"]:  # type: ignore[attr-defined]
        print("FAILURE " + line)  # noqa: T201
    print(f"failures {len(figures['failures'])}")  # type: ignore[arg-type]  # noqa: T201
    return 1 if figures["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
