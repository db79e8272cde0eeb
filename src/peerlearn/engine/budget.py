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
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "CONVERGED_GAIN_SHARE",
    "DEFAULT_MAX_PASSES",
    "Budget",
    "default_time_limit",
    "make_rng",
    "one_blas_thread",
]

#: Passes of the local search when no pass budget is given. The search stops
#: earlier as soon as a pass gains almost nothing (it converges in 5-20 passes
#: on the evaluation sets), so this is a safety net, not a target.
DEFAULT_MAX_PASSES = 50

#: The search has converged when a whole pass raises cohesion by less than this
#: share of it (or changes nothing): it stops there, whatever budget is left.
#: Measured in ``benchmarks/solver_budget.py`` (issue 15): passes gain
#: geometrically less (19 %, 6 %, 3 %, ... of cohesion at 10,000 people); the
#: passes after the first one under 0.1 % added 0.03-0.09 % together at 1,000
#: and 10,000 people, and cost 15-30 % more search time (at 1e-4, the earlier
#: rule, 12.8 passes at 1,000 people instead of 11.2).
CONVERGED_GAIN_SHARE = 1e-3

#: Search seconds per person of the default time budget (see default_time_limit).
SECONDS_PER_PERSON = 0.002

#: Floor of the default time budget (seconds). Small runs converge in well under
#: a second on an idle machine, so the floor only matters on a busy one: with
#: 2 s, a 1,000-person run under load made 2 passes and reached 0.64 of the
#: upper bound against 0.71 converged (benchmarks/solver_budget.py).
MIN_SECONDS = 5.0

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
    """Local-search budget in seconds for ``n`` people (5 s minimum, 300 s maximum).

    A cap, not a target: the search stops when it has converged
    (:data:`CONVERGED_GAIN_SHARE`), on an idle 2-core machine after about
    11 passes of 1.3 s at 10,000 people (16 s with the construction). 2 ms per
    person (20 s at 10,000) keeps a whole web run of 10,000 people within
    issue 15's 30 s when the machine is busy and the clock binds first: the
    rest of the run (reading the cohort and its cached vectors, pooling them,
    explaining the groups) takes about 6-8 s there. The clock stopping a
    search early costs little: at 10,000 people the last few passes before
    convergence add under 1 % of cohesion (docs/similarity.md has the runs).

    Examples
    --------
    >>> default_time_limit(55), default_time_limit(10_000), default_time_limit(50_000)
    (5.0, 20.0, 100.0)
    """
    return float(min(300.0, max(MIN_SECONDS, n * SECONDS_PER_PERSON)))


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


_blas_lock = threading.Lock()
_blas_users = 0
_blas_limiter: Any = None


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with one BLAS thread (numpy's matrix products), then restore.

    The decision (issue 15, ``benchmarks/solver_budget.py``): the search makes
    hundreds of thousands of small products (a unit against a few groups),
    for which OpenBLAS's worker threads cost more in hand-over than they
    save; on this project's shared 2-core machine a 1,000-person search took
    2.5 times less wall time and half the CPU with one thread, with the same
    result. The limit is process-wide (BLAS has no per-thread setting), so
    concurrent searches share one limit: it is set when the first enters and
    restored when the last leaves. Without ``threadpoolctl`` (a requirement
    of scikit-learn, so normally present) nothing changes.

    Examples
    --------
    >>> with one_blas_thread():
    ...     with one_blas_thread():
    ...         pass
    >>> _blas_users
    0
    """
    global _blas_users, _blas_limiter
    with _blas_lock:
        if _blas_users == 0:
            try:
                from threadpoolctl import threadpool_limits
            except ImportError:  # pragma: no cover - scikit-learn requires it
                _blas_limiter = None
            else:
                _blas_limiter = threadpool_limits(limits=1, user_api="blas")
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0 and _blas_limiter is not None:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None
