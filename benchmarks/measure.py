"""Timing and memory helpers the benchmark scripts share (a sibling script module)."""

from __future__ import annotations

import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any


def timed(function: Callable[[], Any], repeat: int = 1) -> tuple[Any, float]:
    """Result of the last call and the median wall time over ``repeat`` calls."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


def traced_peak(function: Callable[[], Any]) -> float:
    """Peak Python memory (MiB) allocated while ``function`` runs."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        function()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def peak_mb() -> float:
    """The process's peak resident memory so far (MiB; Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
