"""How long the group search may run, and where its randomness comes from.

Two budgets stop the local search, whichever ends first:

* ``time_limit`` (seconds, wall clock): what a facilitator waiting for a page
  cares about. Results depend on how fast the machine is when it binds.
* ``max_passes`` (search passes): deterministic. Same input, seed and pass
  budget give the same grouping on any machine, however loaded. Tests use it.

When only ``max_passes`` is given the clock is not consulted at all, so a slow
construction cannot eat the search (the failure of a wall-clock test on a
loaded machine: construction took longer than 0.5 s, and the search made no
pass).

The seed is turned into a generator in exactly one place, :func:`make_rng`,
as networkx's ``py_random_state`` decorator does for its functions: every
random choice of the engine draws from a generator made there.

Examples
--------
>>> Budget.of(10, max_passes=3).deadline_passed()
False
>>> Budget.of(10, max_passes=3).passes
3
>>> Budget.of(10, time_limit=0.0).search_seconds
0.0
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

__all__ = ["DEFAULT_MAX_PASSES", "Budget", "default_time_limit", "make_rng"]

#: Passes of the local search when no pass budget is given. The search stops
#: earlier as soon as a pass gains almost nothing (it converges in 5-20 passes
#: on the evaluation sets), so this is a safety net, not a target.
DEFAULT_MAX_PASSES = 50

#: Floor of the repair phase's own time allowance (seconds). Repair removes
#: hard-constraint violations: stopping it early turns a slow run into a failed
#: run (InfeasibleError), while stopping the search early only costs quality.
#: So repair may overrun the search deadline by the whole search limit again
#: plus this floor (5 s lets small runs with a tiny limit still finish repair).
REPAIR_GRACE_SECONDS = 5.0


def make_rng(seed: int) -> np.random.Generator:
    """The one place where the engine's randomness is seeded.

    ``np.random.default_rng(seed)`` builds the same ``SeedSequence`` from an
    int, so callers that used it directly get the same streams through here.

    Examples
    --------
    >>> int(make_rng(3).integers(100)) == int(make_rng(3).integers(100))
    True
    >>> int(make_rng(3).integers(100)) == int(np.random.default_rng(3).integers(100))
    True
    """
    return np.random.default_rng(np.random.SeedSequence(int(seed)))


def default_time_limit(n: int) -> float:
    """Local-search budget in seconds for ``n`` people (2 s minimum, 300 s maximum).

    2.5 ms per person is what a pass costs at 10,000 people times the passes
    the search usually needs to converge (docs/matching.md has the runs).

    Examples
    --------
    >>> default_time_limit(55), default_time_limit(10_000), default_time_limit(50_000)
    (2.0, 25.0, 125.0)
    """
    return float(min(300.0, max(2.0, n * 0.0025)))


@dataclass(frozen=True)
class Budget:
    """The search's stopping rules, started when made (see the module docstring).

    Attributes
    ----------
    search_seconds
        Wall-clock seconds for the search, ``math.inf`` when only passes bind.
    passes
        Most local-search passes.
    started
        ``time.perf_counter()`` when the budget was made.
    """

    search_seconds: float
    passes: int
    started: float

    @classmethod
    def of(
        cls, n: int, *, time_limit: float | None = None, max_passes: int | None = None
    ) -> Budget:
        """The budget for ``n`` people: a pass budget alone means no clock."""
        if max_passes is not None and max_passes < 0:
            raise ValueError(f"max_passes must be at least 0, got {max_passes}")
        if time_limit is not None:
            seconds = float(time_limit)
        elif max_passes is not None:
            seconds = math.inf
        else:
            seconds = default_time_limit(n)
        passes = DEFAULT_MAX_PASSES if max_passes is None else int(max_passes)
        return cls(seconds, passes, time.perf_counter())

    @property
    def deadline(self) -> float:
        """When the search must stop (``perf_counter`` time)."""
        return self.started + self.search_seconds

    @property
    def repair_deadline(self) -> float:
        """When repair must stop: later than the search (see REPAIR_GRACE_SECONDS)."""
        return self.deadline + REPAIR_GRACE_SECONDS + self.search_seconds

    def deadline_passed(self) -> bool:
        """Whether the wall-clock part of the budget is spent."""
        return time.perf_counter() > self.deadline
