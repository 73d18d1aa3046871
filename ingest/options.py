"""IngestOptions: every pipeline setting in one frozen, picklable object."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestOptions:
    """Settings handed to every extraction worker.

    Attributes:
        max_bytes: files larger than this (after gunzip) are recorded as ``error`` and
            skipped, so one huge page cannot exhaust memory.
        max_gzip_ratio: a .gz expanding more than this many times is treated as a zip bomb.
        jobs: worker processes for extraction (1 = in process).
    """

    max_bytes: int = 20 * 1024 * 1024
    max_gzip_ratio: int = 200
    jobs: int = 1

    def __post_init__(self) -> None:
        if self.max_bytes < 1024:
            raise ValueError("max_bytes must be at least 1024")
        if self.jobs < 1:
            raise ValueError("jobs must be at least 1")
