"""Story grouping: recognise one news story republished on several sites.

Every copy keeps its own :class:`~ingest.document.Document`; grouping only decides which
copies share a ``story`` id and which copy is the story's representative (the others get
``duplicate_of`` = the representative's id).

The work is split in two so that it scales to millions of pages:

* :func:`sketch_document` runs in the extraction workers, next to the parsed body, and
  reduces a document to a few hundred bytes (a MinHash signature of word 3-shingles from
  the title and the body, the shingle count, an exact-body hash and a few paragraph keys).
  Those bytes are what the store keeps; grouping never needs to load bodies.
* :class:`StoryGrouper` takes one small :class:`StoryEntry` per document and finds
  candidate pairs without comparing all pairs: locality-sensitive hashing over bands of
  the signatures, plus exact buckets on paragraph keys (truncated copies share whole
  paragraphs with the original but have a low Jaccard similarity), on the normalised
  headline and on rel=canonical targets. Buckets are found by sorting, so the cost is
  O(n log n) in time and O(n) in memory. Each candidate pair is verified on the
  signatures (estimated Jaccard similarity and containment) and on headline
  compatibility; verified pairs are merged with union-find.

Precision is favoured over recall: merging two different stories hides one of them from
readers, while a missed copy only shows up as a second result. Hence the guards: a body
link needs compatible headlines (two BBC-style follow-ups can share 97% of their text
under different headlines and are different stories), tiny bodies never link on body
similarity alone, a copy that is only *contained* in longer ones joins one story at
most (so a teaser or a digest page cannot chain two stories), huge buckets (boilerplate
paragraphs, a wire story on hundreds of sites) are compared with a few members only, and
a headline-only link is made only when it is unambiguous and the dates are close.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import struct
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from ingest.document import ARTICLE, Document, parse_published

if TYPE_CHECKING:
    from datasketch import MinHash

logger = logging.getLogger(__name__)

__all__ = [
    "SKETCH_FORMAT",
    "StoryAssignment",
    "StoryEntry",
    "StoryGrouper",
    "entry_for",
    "group_documents",
    "sketch_document",
    "sketch_text",
]

#: Signature length. 128 x uint32 = 512 bytes: Jaccard estimates with a standard error
#: below 0.045, plenty to separate copies (J > 0.5) from different stories (J < 0.1).
NUM_PERM = 128
#: Fixed seed: signatures computed in different worker processes must be comparable.
SEED = 20041
#: Words per shingle. Three keeps short truncated copies measurable; shingles never span
#: two paragraphs, so shuffled paragraphs give the same set.
SHINGLE = 3
#: Paragraphs shorter than this (in words) are left out of the sketch when the body has
#: longer ones: one-line leads ("This story is developing."), datelines, "Continue
#: reading" links and share prompts are the boilerplate that copies add or drop.
MIN_PARAGRAPH_WORDS = 8
#: Words at the end of a paragraph that make its key: a dateline or a dropped first
#: sentence changes the start of the first paragraph, not its end.
PARAGRAPH_KEY_WORDS = 10
#: Words of a body that are sketched (a long read has ~10,000; a huge page is cut here).
MAX_SKETCH_WORDS = 20_000
#: At most this many paragraph keys per sketch (the first paragraphs: a truncated copy
#: shows the start of the story).
MAX_PARAGRAPH_KEYS = 24

#: Version of the sketch layout: stored sketches of another version must be recomputed
#: (the grouper treats them as unreadable, so their documents stay singletons).
SKETCH_FORMAT = 1
_HEADER = struct.Struct("<BBHIQH")  # format, reserved, num_perm, shingles, body hash, n keys
_WORD = re.compile(r"\w+")
_NO_KEYS = np.zeros(0, dtype="<u4")
_BATCH = 4096


@lru_cache(maxsize=1)
def _template() -> MinHash:
    """One MinHash whose permutations are reused: generating them costs more than hashing."""
    # Imported here: datasketch pulls in scipy (0.5 s CPU per process), and only the
    # processes that sketch need it; the ingest parent only groups stored sketches.
    from datasketch import MinHash

    try:
        return MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")
    except TypeError as exc:  # datasketch < 2.0 has no schemes
        raise RuntimeError("story sketches need datasketch >= 2.0 (affine32 scheme)") from exc


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) of datasketch's affine32 permutations for our seed, as a row each."""
    a, b = _template().permutations
    return a.reshape(1, -1), b.reshape(1, -1)


_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))
_EMPTY = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)


def _signature(shingles: set[bytes]) -> np.ndarray:
    """The MinHash signature datasketch's ``update_batch`` computes (affine32 scheme).

    Same arithmetic, done here: SHA-1's first 4 bytes (little-endian) of each shingle,
    MurmurHash3's finaliser, then ``a * h + b`` modulo 2**32 and the column minimum. Calling
    datasketch per page cost 0.12 ms in wrappers (per-item hash calls, copies of the
    template); tests/test_ingest_duplicates.py checks the two agree.
    """
    if not shingles:
        return _EMPTY.copy()
    sha1 = hashlib.sha1
    raw = b"".join([sha1(s).digest()[:4] for s in shingles])
    hv = np.frombuffer(raw, dtype="<u4").astype(np.uint32).reshape(-1, 1)
    s1, m1, s2, m2 = _FMIX
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    hv = hv ^ (hv >> s1)
    a, b = _permutations()
    out = _EMPTY.copy()
    # in slices: one (shingles x NUM_PERM) matrix is 50 MB for a huge page
    for start in range(0, len(hv), _BATCH):
        np.minimum(out, (hv[start : start + _BATCH] * a + b).min(axis=0), out=out)
    return out


def _tokens(text: str) -> list[str]:
    """Lower-cased word tokens after Unicode compatibility normalisation."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _hash32(text: str) -> int:
    """A stable 32-bit hash (Python's ``hash`` is salted per process)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=4).digest(), "little")


def _content_paragraphs(body: Sequence[str]) -> list[list[str]]:
    """Tokenised paragraphs, without short boilerplate lines when there is real text.

    Only the first ``MAX_SKETCH_WORDS`` words count, so that a huge page cannot hold up a
    worker (news articles are far shorter).
    """
    paragraphs: list[list[str]] = []
    words = 0
    for paragraph in body:
        tokens = _tokens(paragraph)
        if not tokens:
            continue
        paragraphs.append(tokens[: MAX_SKETCH_WORDS - words])
        words += len(paragraphs[-1])
        if words >= MAX_SKETCH_WORDS:
            break
    long = [tokens for tokens in paragraphs if len(tokens) >= MIN_PARAGRAPH_WORDS]
    return long or paragraphs


_PLUS_ONE = (1).__add__


def _shingles(paragraphs: Iterable[list[str]]) -> set[bytes]:
    """Word n-grams inside each paragraph (a paragraph shorter than n is one shingle).

    Each shingle is the UTF-8 of its words joined by one space, cut out of the paragraph's
    encoded text by byte offsets: one join and one encode per paragraph instead of one per
    shingle (a tenth of the sketch's time).
    """
    out: set[bytes] = set()
    add = out.add
    for tokens in paragraphs:
        n = len(tokens)
        joined = " ".join(tokens)
        data = joined.encode("utf-8")
        if n < SHINGLE:
            add(data)
            continue
        # byte length of each word, plus its space; C-level maps, no Python frame per word
        sizes = map(len, tokens if len(data) == len(joined) else map(str.encode, tokens))
        starts = list(itertools.accumulate(map(_PLUS_ONE, sizes), initial=0))
        starts[-1] = len(data) + 1  # the end of the last word, plus its (absent) space
        for i in range(n - SHINGLE + 1):
            add(data[starts[i] : starts[i + SHINGLE] - 1])
    return out


def _title_key(title: str) -> str:
    """The headline's words, without a " | Site name" part when the headline has one.

    Extracted headlines often keep the title tag's site suffix; a pipe is rare inside a
    headline itself, so the longest pipe-separated part is taken as the headline.
    """
    parts: list[list[str]] = [_tokens(part) for part in (title or "").split("|")]
    if not parts:
        return ""
    longest: list[str] = max(parts, key=len)
    return " ".join(longest)


def sketch_text(title: str, body: Sequence[str]) -> bytes:
    """The sketch of a headline and body paragraphs (see :func:`sketch_document`)."""
    paragraphs = _content_paragraphs(body)
    title_tokens = _title_key(title).split()
    shingles = _shingles([title_tokens, *paragraphs] if title_tokens else paragraphs)
    signature = _signature(shingles)
    body_key = "\n".join(sorted(" ".join(tokens) for tokens in paragraphs))
    body_hash = (
        int.from_bytes(hashlib.blake2b(body_key.encode("utf-8"), digest_size=8).digest(), "little")
        if paragraphs
        else 0
    )
    keys: list[int] = []
    for tokens in paragraphs:
        if len(tokens) < MIN_PARAGRAPH_WORDS:
            continue
        key = _hash32(" ".join(tokens[-PARAGRAPH_KEY_WORDS:]))
        if key not in keys:
            keys.append(key)
        if len(keys) >= MAX_PARAGRAPH_KEYS:
            break
    header = _HEADER.pack(SKETCH_FORMAT, 0, NUM_PERM, len(shingles), body_hash, len(keys))
    return (
        header
        + np.asarray(keys, dtype="<u4").tobytes()
        + signature.astype("<u4", copy=False).tobytes()
    )


def sketch_document(doc: Document) -> bytes:
    """A compact, comparable summary of a document's headline and body, as bytes.

    Computed where the body is at hand (the extraction worker) and stored, so that
    grouping millions of documents never reloads bodies. Layout (little-endian): a
    18-byte header (format, signature length, distinct shingle count, a shuffle-proof
    hash of the body's paragraphs), up to 24 uint32 paragraph keys, then a 128 x uint32
    MinHash signature (datasketch, ``affine32`` scheme, fixed seed). About 0.6 kB.
    """
    return sketch_text(doc.title, doc.body)


@dataclass(frozen=True, slots=True)
class _Sketch:
    """A decoded sketch."""

    shingles: int
    body_hash: int
    keys: np.ndarray
    signature: np.ndarray


def _decode(sketch: bytes) -> _Sketch:
    """Parse :func:`sketch_text` output; raises ValueError on a foreign format."""
    if len(sketch) < _HEADER.size:
        raise ValueError("sketch too short")
    fmt, _, num_perm, shingles, body_hash, n_keys = _HEADER.unpack_from(sketch)
    if fmt != SKETCH_FORMAT or num_perm != NUM_PERM:
        raise ValueError(f"sketch format {fmt}/{num_perm}, expected {SKETCH_FORMAT}/{NUM_PERM}")
    start = _HEADER.size
    expected = start + 4 * n_keys + 4 * num_perm
    if len(sketch) != expected:
        raise ValueError(f"sketch of {len(sketch)} bytes, expected {expected}")
    keys = np.frombuffer(sketch, dtype="<u4", count=n_keys, offset=start)
    signature = np.frombuffer(sketch, dtype="<u4", count=num_perm, offset=start + 4 * n_keys)
    return _Sketch(shingles, body_hash, keys, signature)


@dataclass(frozen=True, slots=True)
class StoryEntry:
    """What grouping needs to know about one document: metadata and its sketch.

    ``length`` is the body's word count (used to prefer the most complete copy).
    """

    id: str
    url: str | None
    canonical_url: str | None
    site: str
    title: str
    published: str | None
    length: int
    sketch: bytes


@dataclass(frozen=True, slots=True)
class StoryAssignment:
    """A document's story id, and the id of the story's representative (None on it)."""

    story: str
    duplicate_of: str | None


def entry_for(doc: Document, sketch: bytes | None = None) -> StoryEntry:
    """The :class:`StoryEntry` of a document (sketching it unless a stored sketch is given)."""
    return StoryEntry(
        id=doc.id,
        url=doc.url,
        canonical_url=doc.canonical_url,
        site=doc.site,
        title=doc.title or "",
        published=doc.published,
        length=sum(len(paragraph.split()) for paragraph in doc.body),
        sketch=sketch if sketch is not None else sketch_document(doc),
    )


def normalise_url(url: str | None) -> str | None:
    """A URL key for matching rel=canonical targets with page URLs.

    Scheme, a leading ``www.``, a default port, the fragment and a trailing slash are
    ignored: sites write their canonical links loosely. The query is kept (some sites
    identify articles by it).
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not host:
        return None
    if host.startswith("www."):
        host = host[4:]
    try:
        port = parts.port
    except ValueError:
        return None
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", host, path, parts.query, ""))


# --- verification thresholds -------------------------------------------------------------

#: Estimated Jaccard similarity above which two bodies with compatible headlines are
#: copies (copies with a dropped paragraph, a lead or a dateline score 0.6-1.0; different
#: stories on the same topic stay below 0.1 on word 3-shingles).
MIN_JACCARD = 0.4
#: Estimated containment of the smaller shingle set in the larger one above which a
#: shorter copy (truncated, first sentence dropped) belongs to the longer one.
MIN_CONTAINMENT = 0.6
#: Fewer distinct shingles than this and a body is too small to judge on its own.
MIN_SHINGLES = 12
#: An exact body match merges whatever the headlines say, if the body is at least this big.
MIN_EXACT_SHINGLES = 40
#: A copy with fewer distinct shingles than this may join a story on an identical
#: headline alone (when the headline names a single story) ...
MAX_HEADLINE_ONLY_SHINGLES = 40
#: ... unless its text, when measurable, is plainly not in the other copy.
MIN_HEADLINE_CONTAINMENT = 0.25
#: Share of the paragraph keys of the copy with fewer keys that the other must have too
#: (with compatible headlines) for a short copy to join a long one.
MIN_SHARED_PARAGRAPHS = 0.5
#: Share of headline words (of the shorter headline, at least 3) that must be shared.
MIN_TITLE_OVERLAP = 0.7
#: Buckets with up to this many members give all their pairs; bigger ones (boilerplate,
#: or one wire story on many sites) are compared with a few leaders only.
MAX_BUCKET = 50
#: Members of a bigger bucket are compared with this many of its members only.
STAR_LEADERS = 3
#: Headline-only links join copies published at most this many days apart (when dated):
#: a headline such as "In pictures: the week in photos" comes back every week.
MAX_HEADLINE_DAYS = 14
#: LSH bands x rows (BANDS * ROWS <= NUM_PERM). With 42 bands of 3 rows a pair becomes a
#: candidate with probability 0.29 at J = 0.2, 0.68 at J = 0.3, 0.94 at J = 0.4 and
#: 0.996 at J = 0.5, while unrelated articles (J < 0.02) almost never do (< 0.04%).
#: Lower-J copies (truncated ones) are found through paragraph keys and headlines.
BANDS, ROWS = 42, 3


class _UnionFind:
    """Union-find over 0..n-1 with path halving; the root is the smaller index."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        return True


_NO_PAIRS = np.zeros(0, dtype=np.int64)


def _bucket_pairs(
    keys: np.ndarray, members: np.ndarray, n: int, max_bucket: int, *, star: bool = True
) -> np.ndarray:
    """Pairs of members sharing a key, as codes ``a * n + b`` (a < b), found by sorting.

    O(m log m) for m keys and no all-pairs loop: a bucket of up to ``max_bucket`` members
    gives all its pairs, produced in vectorised steps. A bigger bucket is either a story
    syndicated to many sites or boilerplate shared by unrelated pages; with ``star`` its
    members are paired with its first few members only (linear cost; verification tells
    the two cases apart), without it the bucket is skipped.
    """
    if len(keys) < 2:
        return _NO_PAIRS
    order = np.lexsort((members, keys))
    keys, members = keys[order], members[order].astype(np.int64)
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    starts = np.flatnonzero(first)
    sizes = np.diff(np.append(starts, len(keys)))
    chunks = _Codes()
    # Small buckets: pair every position with the one d places further in its bucket.
    small = (sizes > 1) & (sizes <= max_bucket)
    if small.any():
        size_of = np.repeat(sizes, sizes)
        end_of = np.repeat(starts + sizes, sizes)
        pos = np.flatnonzero((size_of > 1) & (size_of <= max_bucket))
        for d in range(1, int(sizes[small].max())):
            pos = pos[pos + d < end_of[pos]]
            if not len(pos):
                break
            a, b = members[pos], members[pos + d]
            keep = a < b
            chunks.add(a[keep] * n + b[keep])
    large = np.flatnonzero(sizes > max_bucket)
    if len(large):
        logger.debug(
            "%d buckets larger than %d %s", len(large), max_bucket, "starred" if star else "skipped"
        )
        if star:
            for start, size in zip(starts[large].tolist(), sizes[large].tolist(), strict=True):
                group = members[start : start + size]
                for k in range(min(STAR_LEADERS, size)):
                    rest = group[k + 1 :]
                    rest = rest[rest > group[k]]
                    chunks.add(group[k] * n + rest)
    return chunks.distinct()


#: Raw pair codes collected before they are folded to distinct ones (32 MB of int64).
FOLD_AT = 4_000_000


class _Codes:
    """Pair codes gathered chunk by chunk, folded to sorted distinct values as they come.

    Copies of one story share many LSH bands and paragraph keys, so the raw codes repeat
    each pair dozens of times: at 100k pages of a corpus with ~50 copies per story they were
    55 million codes (440 MB, then a sorted copy) for 2 million distinct pairs. Folding
    whenever the new codes outnumber both ``FOLD_AT`` and the distinct ones kept so far
    holds memory near the distinct pairs' size, at an amortised O(m log m) in sorting.
    """

    def __init__(self, fold_at: int = FOLD_AT) -> None:
        self._fold_at = fold_at
        self._kept = _NO_PAIRS
        self._new: list[np.ndarray] = []
        self._pending = 0

    def add(self, codes: np.ndarray) -> None:
        if not len(codes):
            return
        self._new.append(codes)
        self._pending += len(codes)
        if self._pending > max(self._fold_at, len(self._kept)):
            self._fold()

    def _fold(self) -> None:
        if self._new:
            self._kept = _distinct(np.concatenate([self._kept, *self._new]))
            self._new, self._pending = [], 0

    def distinct(self) -> np.ndarray:
        """Every code added, once each, sorted."""
        self._fold()
        return self._kept


def _pairs_of_codes(codes: np.ndarray, n: int, chunk: int = 65_536) -> Iterator[tuple[int, int]]:
    """The (a, b) of codes ``a * n + b``, decoded a slice at a time (two Python lists of
    two million ints each would cost ~150 MB)."""
    for start in range(0, len(codes), chunk):
        part = codes[start : start + chunk]
        yield from zip((part // n).tolist(), (part % n).tolist(), strict=True)


def _distinct(codes: np.ndarray) -> np.ndarray:
    """Sorted distinct values (sort-based: hashing a few million codes is slower)."""
    if len(codes) < 2:
        return codes
    codes = np.sort(codes)
    keep = np.ones(len(codes), dtype=bool)
    keep[1:] = codes[1:] != codes[:-1]
    return codes[keep]


def _hash64(text: str) -> int:
    """A stable 64-bit hash, never 0 (0 stands for "none")."""
    value = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
    return value or 1


#: Day number standing for "no date".
_NO_DAY = np.iinfo(np.int64).min


class StoryGrouper:
    """Collects :class:`StoryEntry` objects, then assigns stories in one batch.

    :meth:`assign` costs O(n log n) for the bucket sorts plus a constant per candidate
    pair, and about 1 kB of working memory per entry (the signature matrix and a few
    arrays; headlines are tokenised only for the pairs that need it).
    """

    def __init__(self) -> None:
        self._entries: list[StoryEntry] = []
        self._ids: set[str] = set()

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, entry: StoryEntry) -> None:
        """Add one document; a repeated id replaces nothing and is ignored (with a warning)."""
        if entry.id in self._ids:
            logger.warning("story grouping: duplicate id %s ignored", entry.id)
            return
        self._ids.add(entry.id)
        self._entries.append(entry)

    # -- assignment ------------------------------------------------------------------------

    def assign(self) -> dict[str, StoryAssignment]:
        """Group the entries into stories; every added id gets an assignment.

        Deterministic: entries are processed in id order, so the same input gives the
        same story ids and representatives whatever order it was added in.
        """
        entries = sorted(self._entries, key=lambda e: e.id)
        n = len(entries)
        if n == 0:
            return {}
        v = _Verifier.build(entries)
        uf = _UnionFind(n)
        links = 0

        # 1. rel=canonical: a copy naming another document's URL joins its story.
        names_other = np.zeros(n, dtype=bool)
        by_target: dict[str, list[int]] = defaultdict(list)
        for i, entry in enumerate(entries):
            target = normalise_url(entry.canonical_url)
            if target is not None and target != normalise_url(entry.url):
                names_other[i] = True
                by_target[target].append(i)
        url_index: dict[str, int] = {}
        if by_target:
            for i, entry in enumerate(entries):
                key = normalise_url(entry.url)
                if key in by_target:
                    url_index.setdefault(key, i)
        canonical_in: dict[int, int] = defaultdict(int)
        group_keys: list[int] = []
        group_members: list[int] = []
        for number, (target, members) in enumerate(by_target.items()):
            j = url_index.get(target)
            for i in members:
                if j is None or j == i:
                    continue
                if v.canonical_ok(i, j):
                    canonical_in[j] += 1
                    links += uf.union(i, j)
                else:
                    logger.debug(
                        "canonical of %s names %s but the texts differ",
                        entries[i].id,
                        entries[j].id,
                    )
            if len(members) > 1:
                group_keys.extend([number] * len(members))
                group_members.extend(members)
        # Copies naming the same original (present or not) are candidates for each other.
        pairs = _Codes()
        pairs.add(
            _bucket_pairs(
                np.asarray(group_keys, dtype=np.uint64),
                np.asarray(group_members, dtype=np.int64),
                n,
                MAX_BUCKET,
            )
        )

        # 2. candidates: LSH bands, paragraph keys, exact bodies.
        lsh_rows = np.flatnonzero(v.valid & (v.shingles >= MIN_SHINGLES))
        if len(lsh_rows) > 1:
            multipliers = np.random.default_rng(SEED).integers(
                1, 2**63 - 1, size=ROWS, dtype=np.uint64
            ) | np.uint64(1)
            for band in range(BANDS):
                block = v.signatures[lsh_rows, band * ROWS : (band + 1) * ROWS].astype(np.uint64)
                with np.errstate(over="ignore"):
                    band_keys = (block * multipliers).sum(axis=1, dtype=np.uint64)
                pairs.add(_bucket_pairs(band_keys, lsh_rows, n, MAX_BUCKET))
        key_owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(v.key_ends))
        pairs.add(_bucket_pairs(v.key_flat, key_owner, n, MAX_BUCKET))
        exact = np.flatnonzero(v.valid & (v.shingles >= MIN_EXACT_SHINGLES) & (v.body_hash != 0))
        pairs.add(_bucket_pairs(v.body_hash[exact], exact, n, MAX_BUCKET))
        candidates = pairs.distinct()
        del pairs

        # 3. verify the candidates: copies of the same text are merged at once; a copy
        #    contained in a longer one then joins the best such story, and one only.
        parts: list[tuple[int, int, float]] = []
        for a, b in _pairs_of_codes(candidates, n):
            if uf.find(a) == uf.find(b):
                continue
            verdict = v.judge(a, b)
            if verdict is None:
                continue
            mutual, score = verdict
            if mutual:
                links += uf.union(a, b)
            elif v.shingles[a] <= v.shingles[b]:
                parts.append((a, b, score))
            else:
                parts.append((b, a, score))
        targets: dict[int, dict[int, float]] = defaultdict(dict)
        for small, large, score in parts:
            rs, rl = uf.find(small), uf.find(large)
            if rs != rl and score > targets[rs].get(rl, -1.0):
                targets[rs][rl] = score
        for root in sorted(targets):
            options = targets[root]
            best = min(options, key=lambda r: (-options[r], r))
            if len(options) > 1:
                logger.debug(
                    "story grouping: %s is part of %d stories", entries[root].id, len(options)
                )
            links += uf.union(root, best)

        # 4. headline-only links, for copies whose body is too small to judge, made only
        #    when the headline names a single story.
        title_rows = np.flatnonzero(v.title_words >= 3)
        weak: dict[int, set[int]] = defaultdict(set)
        codes = _bucket_pairs(v.title_hash[title_rows], title_rows, n, MAX_BUCKET, star=False)
        for a, b in _pairs_of_codes(codes, n):
            if not v.days_close(a, b):
                continue
            if v.headline_copy(a, b):
                weak[a].add(b)
            if v.headline_copy(b, a):
                weak[b].add(a)
        # A copy already linked to copies under other headlines is left where it is.
        headlines: dict[int, set[int]] = defaultdict(set)
        if weak:
            for i in range(n):
                headlines[uf.find(i)].add(int(v.title_hash[i]))
        settled = {i: len(headlines[uf.find(i)]) > 1 for i in weak}
        for i in sorted(weak):
            if settled[i]:
                continue
            roots = {uf.find(j) for j in weak[i] if not v.too_small(j)}
            roots.discard(uf.find(i))
            if len(roots) == 1:
                links += uf.union(i, roots.pop())
            elif not roots and uf.find(i) == i:
                # Only tiny copies under this headline: keep them together.
                for j in sorted(j for j in weak[i] if v.too_small(j)):
                    links += uf.union(i, j)
        logger.info(
            "story grouping: %d documents, %d candidate pairs, %d links",
            n,
            len(candidates),
            links,
        )

        # 5. representatives and assignments.
        components: dict[int, list[int]] = defaultdict(list)
        for i in range(n):
            components[uf.find(i)].append(i)
        result: dict[str, StoryAssignment] = {}
        for members in components.values():
            rep = _representative(entries, members, canonical_in, names_other)
            rep_id = entries[rep].id
            for i in members:
                result[entries[i].id] = StoryAssignment(
                    story=rep_id, duplicate_of=None if i == rep else rep_id
                )
        return result


class _Verifier:
    """The decoded sketches as arrays, and the pairwise checks on them (by entry index)."""

    def __init__(self, entries: Sequence[StoryEntry]) -> None:
        n = len(entries)
        self.entries = entries
        self.signatures = np.zeros((n, NUM_PERM), dtype=np.uint32)
        self.shingles = np.zeros(n, dtype=np.int64)
        self.body_hash = np.zeros(n, dtype=np.uint64)
        self.valid = np.zeros(n, dtype=bool)
        self.key_ends = np.zeros(n + 1, dtype=np.int64)
        self.title_hash = np.zeros(n, dtype=np.uint64)
        self.title_words = np.zeros(n, dtype=np.int64)
        self.days = np.full(n, _NO_DAY, dtype=np.int64)
        self.key_flat = _NO_KEYS

    @classmethod
    def build(cls, entries: Sequence[StoryEntry]) -> _Verifier:
        """Decode every sketch once; unreadable ones are logged and marked invalid."""
        self = cls(entries)
        chunks: list[np.ndarray] = []
        total = 0
        for i, entry in enumerate(entries):
            try:
                sketch = _decode(entry.sketch)
            except ValueError as exc:
                logger.warning("story grouping: unreadable sketch for %s (%s)", entry.id, exc)
            else:
                self.valid[i] = True
                self.signatures[i] = sketch.signature
                self.shingles[i] = sketch.shingles
                self.body_hash[i] = sketch.body_hash
                if len(sketch.keys):
                    chunks.append(sketch.keys)
                    total += len(sketch.keys)
            self.key_ends[i + 1] = total
            key = _title_key(entry.title)
            if key:
                self.title_hash[i] = _hash64(key)
                self.title_words[i] = key.count(" ") + 1
            day = _day_number(entry.published)
            if day is not None:
                self.days[i] = day
        if chunks:
            self.key_flat = np.concatenate(chunks).astype(np.uint64)
        return self

    def jaccard(self, a: int, b: int) -> float:
        """Estimated Jaccard similarity of the two shingle sets."""
        return float(np.count_nonzero(self.signatures[a] == self.signatures[b])) / NUM_PERM

    def containment(self, a: int, b: int, jaccard: float | None = None) -> float:
        """Estimated share of the smaller shingle set found in the larger one."""
        j = self.jaccard(a, b) if jaccard is None else jaccard
        na, nb = int(self.shingles[a]), int(self.shingles[b])
        small = min(na, nb)
        if small == 0:
            return 0.0
        return min(1.0, j * (na + nb) / (1.0 + j) / small)

    def shared_paragraphs(self, a: int, b: int) -> tuple[int, int]:
        """Paragraph keys the two share, and the smaller key count.

        Exact evidence where the MinHash estimate is weak: a truncated copy of 20 words
        matches only ~6 of 128 signature slots of a 400-word original, but shares its
        whole paragraphs.
        """
        ka = self.key_flat[self.key_ends[a] : self.key_ends[a + 1]]
        kb = self.key_flat[self.key_ends[b] : self.key_ends[b + 1]]
        if not len(ka) or not len(kb):
            return 0, 0
        shared = set(ka.tolist()).intersection(kb.tolist())  # tiny arrays: sets beat numpy
        return len(shared), min(len(ka), len(kb))

    def same_headline(self, a: int, b: int) -> bool:
        """Identical headlines (words, case and a " | Site" part aside)."""
        return self.title_hash[a] != 0 and self.title_hash[a] == self.title_hash[b]

    def titles_compatible(self, a: int, b: int) -> bool:
        """Headlines that could be the same story's (case, a kicker or a suffix aside).

        Unknown headlines are not held against a pair.
        """
        if self.same_headline(a, b):
            return True
        ta = frozenset(_tokens(self.entries[a].title))
        tb = frozenset(_tokens(self.entries[b].title))
        if not ta or not tb:
            return True
        return len(ta & tb) / max(3, min(len(ta), len(tb))) >= MIN_TITLE_OVERLAP

    def days_close(self, a: int, b: int) -> bool:
        """Whether two publication days are close enough for a headline-only link."""
        da, db = int(self.days[a]), int(self.days[b])
        return da == _NO_DAY or db == _NO_DAY or abs(da - db) <= MAX_HEADLINE_DAYS

    def too_small(self, a: int) -> bool:
        """A body too small to judge on text (a teaser, a lead line, nothing)."""
        return not self.valid[a] or int(self.shingles[a]) < MIN_SHINGLES

    def headline_copy(self, short: int, other: int) -> bool:
        """Whether ``short`` (same headline as ``other``) may join on its headline alone.

        Only a short body qualifies (a teaser, a lead line, a truncated copy whose text
        was not enough to verify it), and only if its text, when there is enough of it to
        measure, is not plainly different from the other's: different stories under one
        headline ("Man dies in house fire") have bodies that share next to nothing.
        """
        if not (self.valid[short] and self.valid[other]):
            return False
        size = int(self.shingles[short])
        if size >= MAX_HEADLINE_ONLY_SHINGLES:
            return False
        if size < MIN_SHINGLES:
            return True
        return self.containment(short, other) >= MIN_HEADLINE_CONTAINMENT

    def judge(self, a: int, b: int) -> tuple[bool, float] | None:
        """Whether a candidate pair is the same story on the evidence of the texts.

        Returns None when it is not (or cannot be told), ``(True, score)`` when the two
        are mostly the same text (a symmetric link), and ``(False, score)`` when only the
        smaller one is mostly found in the larger (a truncated copy, or a teaser that a
        digest page also contains: such a link may attach the smaller copy to one story
        only, so that it cannot chain two stories).
        """
        if not (self.valid[a] and self.valid[b]):
            return None
        small = min(int(self.shingles[a]), int(self.shingles[b]))
        if (
            self.body_hash[a] == self.body_hash[b]
            and self.body_hash[a] != 0
            and small >= MIN_EXACT_SHINGLES
        ):
            return True, 2.0
        if small < MIN_SHINGLES or not self.titles_compatible(a, b):
            return None
        j = self.jaccard(a, b)
        bonus = 1.0 if self.same_headline(a, b) else 0.0
        if j >= MIN_JACCARD:
            return True, bonus + j
        contained = self.containment(a, b, j)
        shared, fewer = self.shared_paragraphs(a, b)
        key_share = shared / fewer if fewer else 0.0
        if contained >= MIN_CONTAINMENT or (shared > 0 and key_share >= MIN_SHARED_PARAGRAPHS):
            return False, bonus + max(min(contained, 1.0), key_share)
        return None

    def canonical_ok(self, copy: int, target: int) -> bool:
        """Whether a rel=canonical link is believable (not a site-wide link to a front page).

        Compatible headlines or some shared text are enough: the link itself is the
        strong evidence.
        """
        if self.titles_compatible(copy, target):
            return True
        if not (self.valid[copy] and self.valid[target]):
            return False
        j = self.jaccard(copy, target)
        return j >= 0.2 or self.containment(copy, target, j) >= 0.5


def _day_number(value: str | None) -> int | None:
    """The publication day as a day count (UTC), or None when unknown."""
    parsed = parse_published(value)
    return parsed.astimezone(UTC).toordinal() if parsed is not None else None


def _published_key(value: str | None) -> tuple[date, int, datetime]:
    """Sort key: the publication day, then the instant; unknown dates last.

    A date without a time ("2004-01-08") says nothing about the hour, so on its day it
    comes after the copies that give one, rather than at midnight before all of them.
    """
    parsed = parse_published(value)
    if parsed is None:
        return (date.max, 2, datetime.max.replace(tzinfo=UTC))
    if "T" in (value or "") or " " in (value or "").strip():
        return (parsed.astimezone(UTC).date(), 0, parsed)
    return (parsed.date(), 1, parsed)


def _representative(
    entries: list[StoryEntry],
    members: list[int],
    canonical_in: dict[int, int],
    names_other: np.ndarray,
) -> int:
    """The copy that stands for the story.

    The page other copies name as canonical (one that names no other page itself before
    one that does, as in a chain of republications; then the most named); else, among the
    copies that do not name another page as their original and are not much shorter than
    the longest copy (a truncated teaser is a poor representative), the earliest
    published, then the longest. Ties go to the smallest id, so the choice is
    deterministic.
    """
    if len(members) == 1:
        return members[0]
    named = [i for i in members if canonical_in.get(i, 0) > 0]
    if named:
        return min(
            named,
            key=lambda i: (
                names_other[i],
                -canonical_in[i],
                _published_key(entries[i].published),
                -entries[i].length,
                entries[i].id,
            ),
        )
    pool = [i for i in members if not names_other[i]] or members
    longest = max(entries[i].length for i in pool)
    complete = [i for i in pool if entries[i].length >= 0.5 * longest] or pool
    return min(
        complete,
        key=lambda i: (_published_key(entries[i].published), -entries[i].length, entries[i].id),
    )


def group_documents(docs: Iterable[Document]) -> dict[str, StoryAssignment]:
    """Sketch, add and assign in one call (tests, small batches); non-articles are skipped."""
    grouper = StoryGrouper()
    for doc in docs:
        if doc.kind == ARTICLE:
            grouper.add(entry_for(doc))
    return grouper.assign()
