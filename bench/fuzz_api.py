"""Fuzz the live server's query surface: no 5xx, every answer within a time bound.

    python bench/fuzz_api.py --docs 2000 --requests 10000 --seed 1 --bound 2.0
    python bench/fuzz_api.py --url http://127.0.0.1:8000 --requests 500   # a running server

Requests are written as raw bytes on a socket (not through a client library that would
percent-encode or refuse them), so the server sees exactly what a hostile client can send:
random bytes, huge strings, operator soup (AND/OR/NOT, fields, quotes, brackets, ranges),
deep parentheses, wildcards everywhere, invalid UTF-8 both raw and percent-encoded, broken
percent-escapes, and every parameter of every endpoint with wrong types and extreme
values. A response is a failure when its status is 5xx, when the connection dies without
an answer, or when it takes longer than ``--bound`` seconds. Prints counts by status, the
slowest requests and every failure; ``--json`` writes the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: Endpoints that take a query, and the parameters each knows.
SEARCH_PATHS = ("/search", "/api/v1/search", "/embed", "/embed/", "/embed/feed.xml",
                "/search.rss", "/api/v1/suggest")
PARAMS = ("q", "page", "size", "sort", "site", "author", "date_from", "date_to", "collapse",
          "highlight", "within", "recency", "facets", "limit")
OPERATORS = ("AND", "OR", "NOT", "and", "or", "not", "-", "+", "!", "&&", "||", "(", ")", '"',
             "*", "?", "~", "~2", "^", "^3", ":", "title:", "site:", "author:", "body:",
             "published:", "[", "]", "{", "}", " TO ", "/", "\\", "'", ",", ";", "<", ">",
             "<script>", "%", "\x00", "\u200b", "\ufeff", "'; DROP TABLE documents;--")
WORDS = ("council", "fire", "election", "notre", "dame", "crewed", "launch", "the", "a", "zz",
         "London", "école", "Straße", "東京", "новости", "🔥", "x" * 60)
EXTREMES = ("-1", "0", "1", "2", "100", "101", "1000", "1001", "999999999", "9999999999999999999999",
            "1e9", "1.5", "-0", "+1", " 1", "0x10", "NaN", "inf", "true", "", "[]", "{}",
            "%00", "1;2", "١", "²", "abc", "null")


def _pct(raw: bytes) -> str:
    return "".join(f"%{b:02X}" for b in raw)


def _text(rng: random.Random) -> str:
    """A hostile query text (as a str; encoding happens later)."""
    kind = rng.choice(["soup", "soup", "parens", "wild", "huge", "words", "fields", "ranges",
                       "unicode", "quotes"])
    if kind == "soup":
        return " ".join(rng.choice(OPERATORS + WORDS) for _ in range(rng.randrange(1, 40)))
    if kind == "parens":
        depth = rng.choice([10, 100, 1000, 5000])
        return "(" * depth + rng.choice(WORDS) + ")" * rng.choice([0, depth, depth // 2])
    if kind == "wild":
        return " ".join(rng.choice(["*", "?", "a*", "*a", "*e*", "?????", "t*e*", "**", "c?u*"])
                        for _ in range(rng.randrange(1, 30)))
    if kind == "huge":
        return rng.choice(WORDS) * rng.choice([100, 1000, 20_000]) + " " * rng.choice([0, 5000])
    if kind == "fields":
        return " ".join(f"{rng.choice(['title', 'site', 'author', 'body', 'id', 'x', ''])}:"
                        f"{rng.choice(WORDS + OPERATORS)}" for _ in range(rng.randrange(1, 20)))
    if kind == "ranges":
        return f"published:[{rng.choice(EXTREMES)} TO {rng.choice(EXTREMES)}] {rng.choice(WORDS)}"
    if kind == "unicode":
        return "".join(chr(rng.choice([rng.randrange(0x20, 0x7F), rng.randrange(0x80, 0x800),
                                       rng.randrange(0x800, 0xD800), rng.randrange(0xE000, 0x110000)]))
                       for _ in range(rng.randrange(1, 300)))
    if kind == "quotes":
        return '"' * rng.randrange(1, 50) + " ".join(rng.choice(WORDS) for _ in range(5))
    return " ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 10)))


def _encoded(rng: random.Random, text: str) -> str:
    """``text`` percent-encoded, sometimes with broken escapes or invalid UTF-8 mixed in."""
    roll = rng.random()
    enc = quote(text, safe="")
    if roll < 0.1:
        return enc + rng.choice(["%", "%z", "%zz", "%e2%82", "%c0%af", "%ff%fe", "%ed%a0%80", "%00"])
    if roll < 0.2:
        return _pct(rng.randbytes(rng.randrange(1, 200)))
    if roll < 0.25:
        return enc.replace("%20", "+")
    return enc


def _raw_bytes(rng: random.Random) -> bytes:
    """Bytes sent unencoded in the request target (invalid UTF-8, controls excluded CR/LF)."""
    data = rng.randbytes(rng.randrange(1, 100))
    return data.replace(b"\r", b"").replace(b"\n", b"").replace(b" ", b"")


def request_target(rng: random.Random, doc_ids: list[str]) -> bytes:
    """One hostile request target (path and query string), as raw bytes."""
    roll = rng.random()
    if roll < 0.05:  # raw, unencoded bytes in the path or the query
        return rng.choice([b"/search?q=", b"/api/v1/search?q=", b"/doc/", b"/"]) + _raw_bytes(rng)
    if roll < 0.15:  # documents by a hostile id
        ident = rng.choice([_encoded(rng, _text(rng))[:300], rng.choice(doc_ids or ["0" * 16]),
                            "../" * rng.randrange(1, 6) + "etc/passwd", "%2e%2e%2f" * 3 + "store.sqlite3",
                            "0" * rng.choice([15, 16, 17, 64, 65, 5000]), "a/b", "%00", "."])
        base = rng.choice(["/doc/", "/api/v1/documents/"])
        tail = rng.choice(["", "/similar", "/similar?size=" + rng.choice(EXTREMES)])
        return (base + ident + tail).encode("utf-8", "surrogateescape")
    path = rng.choice(SEARCH_PATHS)
    params = []
    if rng.random() < 0.9:
        params.append("q=" + _encoded(rng, _text(rng)))
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2, 3, 5])):  # many answers must be real searches
        name = rng.choice(PARAMS)
        value = rng.choice([rng.choice(EXTREMES), _encoded(rng, _text(rng))[:2000],
                            rng.choice(["relevance", "newest", "oldest", "site", "author", "year",
                                        "month", "week", "day", "2024-01-01", "2024-13-45",
                                        "9999-12-31", "0000-00-00", "yes", "maybe"])])
        if rng.random() < 0.1:
            name = _encoded(rng, _text(rng))[:50]
        params.append(f"{name}={value}" if rng.random() > 0.05 else name)
    return (path + ("?" + "&".join(params) if params else "")).encode("utf-8", "surrogateescape")


def send(host: str, port: int, target: bytes, timeout: float = 30.0) -> tuple[int, float, bytes]:
    """One raw GET; (status or -1 when no answer, seconds, first bytes of the body)."""
    started = time.perf_counter()
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Connection: close\r\n\r\n")
            chunks = []
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                if sum(map(len, chunks)) > 4_000_000:
                    break
        raw = b"".join(chunks)
        took = time.perf_counter() - started
        status = int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/") else -1
        return status, took, raw.partition(b"\r\n\r\n")[2][:2000]
    except (OSError, ValueError, IndexError):
        return -1, time.perf_counter() - started, b""


def fuzz(url: str, requests: int, seed: int, bound: float, workers: int = 2,
         doc_ids: list[str] | None = None,
         on_result: Callable[[bytes, int, float], None] | None = None) -> dict[str, Any]:
    """Send ``requests`` generated requests (``workers`` at a time); figures and failures."""
    rng = random.Random(seed)
    targets = [request_target(rng, doc_ids or []) for _ in range(requests)]
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    times: list[tuple[float, bytes]] = []

    def one(target: bytes) -> tuple[bytes, int, float, bytes]:
        return (target, *send(host, int(port), target))

    with ThreadPoolExecutor(workers) as pool:
        for target, status, took, body in pool.map(one, targets):
            statuses[status] += 1
            times.append((took, target))
            shown = target[:120].decode("utf-8", "backslashreplace")
            if status >= 500 or status < 0:
                failures.append(f"{status} {shown}")
            elif took > bound:
                failures.append(f"slow {took:.2f}s {shown}")
            elif b"Traceback" in body:
                failures.append(f"traceback in body {shown}")
            if on_result:
                on_result(target, status, took)
    times.sort(reverse=True)
    ordered = sorted(t for t, _ in times)
    return {
        "requests": requests, "seed": seed, "bound_s": bound,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors": sum(v for k, v in statuses.items() if k >= 500),
        "no_answer": statuses.get(-1, 0),
        "over_bound": sum(1 for t, _ in times if t > bound),
        "median_ms": round(ordered[len(ordered) // 2] * 1000, 1) if ordered else 0.0,
        "p99_ms": round(ordered[int(len(ordered) * 0.99)] * 1000, 1) if ordered else 0.0,
        "max_s": round(times[0][0], 3) if times else 0.0,
        "slowest": [(round(t, 3), tg[:100].decode("utf-8", "backslashreplace")) for t, tg in times[:5]],
        "failures": failures,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server; else one is started on --docs")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bound", type=float, default=2.0, help="seconds per response")
    parser.add_argument("--workers", type=int, default=2, help="requests in flight")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    server = None
    doc_ids: list[str] = []
    if args.url:
        url = args.url
    else:
        from bench.load import WORK, Gunicorn, article_rows, prepare_data

        data = prepare_data(args.docs)
        doc_ids = [r["id"] for r in article_rows(data, 50, args.seed)]
        server = Gunicorn(data, WORK / "gunicorn-fuzz.log")
        url = server.url
    try:
        figures = fuzz(url, args.requests, args.seed, args.bound, args.workers, doc_ids)
    finally:
        if server:
            server.stop()
    figures["docs"] = args.docs if not args.url else None
    print(f"{figures['requests']} requests, statuses {figures['statuses']}")  # noqa: T201
    print(f"median {figures['median_ms']} ms, p99 {figures['p99_ms']} ms, "  # noqa: T201
          f"max {figures['max_s']} s (bound {args.bound} s)")
    print("slowest: " + "; ".join(f"{t}s {p}" for t, p in figures["slowest"][:3]))  # noqa: T201
    for line in figures["failures"][:50]:
        print("FAILURE " + line)  # noqa: T201
    print(f"failures {len(figures['failures'])}")  # noqa: T201
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 1 if figures["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
