"""Index generations on disk: directories, the CURRENT pointer, the writer lock, pruning.

Layout under ``<data_dir>/index``::

    gen-000007-20261126T010203-1a2b/   one complete Whoosh index, never changed once published
    CURRENT                     the name of the live generation (replaced atomically)
    reindex.lock                held (fcntl) by the one process that may build

Readers open the generation by its real directory, never through a moving pointer
(field guide §4.3), and notice a new one by a ``stat()`` of CURRENT.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from index.models import IndexLocked, NoIndexYet

GEN_PREFIX = "gen-"
POINTER = "CURRENT"
LOCK = "reindex.lock"


def index_root(data_dir: Path) -> Path:
    """The folder that holds the generations."""
    return data_dir / "index"


def new_generation_dir(data_dir: Path) -> Path:
    """Create and return an empty generation directory, named to sort after every other.

    Names are ``gen-<sequence>-<UTC time>-<random>``; call under the writer lock, so that the
    sequence number is not taken twice.
    """
    seq = 0
    for path in list_generations(data_dir):
        try:
            seq = max(seq, int(path.name[len(GEN_PREFIX) :].split("-", 1)[0]))
        except ValueError:
            continue
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = index_root(data_dir) / f"{GEN_PREFIX}{seq + 1:06d}-{stamp}-{secrets.token_hex(2)}"
    path.mkdir(parents=True)
    return path


def current_generation(data_dir: Path) -> Path:
    """The live generation's directory.

    Raises:
        NoIndexYet: nothing has been published yet, or the pointer names a missing directory.
    """
    pointer = index_root(data_dir) / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise NoIndexYet(
            f"no index yet in {data_dir}: run `search-service reindex --data-dir {data_dir}`"
        ) from None
    path = index_root(data_dir) / name
    if not name.startswith(GEN_PREFIX) or not path.is_dir():
        raise NoIndexYet(
            f"the live index generation {name!r} is missing: run `search-service reindex`"
        )
    return path


def pointer_stamp(data_dir: Path) -> tuple[int, int] | None:
    """A cheap fingerprint of CURRENT (inode, mtime): changes on every publish."""
    try:
        st = os.stat(index_root(data_dir) / POINTER)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def publish(data_dir: Path, generation: Path) -> None:
    """Point CURRENT at ``generation``: write a temporary file, fsync, rename over."""
    root = index_root(data_dir)
    tmp = root / f".{POINTER}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(generation.name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / POINTER)
    dir_fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def list_generations(data_dir: Path) -> list[Path]:
    """Generation directories, oldest first (names sort by their sequence number)."""
    root = index_root(data_dir)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith(GEN_PREFIX))


def prune_generations(data_dir: Path, keep: int = 2) -> list[Path]:
    """Delete all but the newest ``keep`` generations, never the live one.

    Workers still holding a deleted generation keep reading it (its files stay open until
    they close their searcher, field guide §4.4), so keeping the previous one is for rollback.
    """
    try:
        live = current_generation(data_dir)
    except NoIndexYet:
        live = None
    gens = list_generations(data_dir)
    removed = []
    for path in gens[: max(0, len(gens) - keep)]:
        if path != live:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def remove_unpublished(data_dir: Path) -> list[Path]:
    """Delete generations newer than the live one: leftovers of builds that were killed.

    Call under the writer lock only (then no build is running).
    """
    try:
        live: Path | None = current_generation(data_dir)
    except NoIndexYet:
        live = None
    removed = []
    for path in list_generations(data_dir):
        if live is None or path.name > live.name:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


@contextmanager
def writer_lock(data_dir: Path) -> Iterator[None]:
    """Hold the one reindex lock for the block.

    The lock is an fcntl lock, so a killed process releases it at once: no stale locks.

    Raises:
        IndexLocked: another process holds it; the message names its pid.
    """
    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            raise IndexLocked(
                f"reindex already running (pid {holder}): try again when it ends"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
