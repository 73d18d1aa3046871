"""The quality gate: extraction figures must hold the floors pinned in bench/baseline.json.

Figures come from the shared scorer on the shared data; when ../shared is absent the test
is skipped and says which path it looked for.
"""

from __future__ import annotations

import json

import pytest

from bench import gate

pytestmark = pytest.mark.quality

BASELINE = json.loads(gate.BASELINE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("suite", sorted(gate.SUITES))
def test_quality_floors_hold(suite: str) -> None:
    try:
        figures = gate.SUITES[suite]()
    except gate.SharedMissing as err:
        pytest.skip(str(err))
    pinned = BASELINE.get(suite)
    assert pinned, f"no floors pinned for {suite}: run python bench/gate.py --update"
    assert gate.check(suite, figures, pinned) == []


def test_gate_reports_a_regression() -> None:
    """A figure below its floor (or above its ceiling) is reported, noise is not."""
    pinned = {"title": 0.95, "leaks": 0}
    assert gate.check("s", {"title": 0.9496, "leaks": 0}, pinned) == []
    problems = gate.check("s", {"title": 0.90, "leaks": 3}, pinned)
    assert len(problems) == 2 and "below its floor" in problems[0] and "ceiling" in problems[1]
