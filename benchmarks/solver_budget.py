"""How the group solver's stopping rules trade time for cohesion; prints one table.

Run: ``python benchmarks/solver_budget.py [--sizes 170,1000,10000] [--seeds 3]
[--backend multilingual] [--budgets default,passes=50]``

The cohorts are the ones ``benchmarks/similarity_scale.py`` writes to the
database (three challenges per person, half of them shared statements, half
unique remixes; a country each; everyone speaks en/es/fr), solved as a web
run solves them: groups of 5-6, no organisation limit, a shared working
language, weights problems 10 and context 1. The engine is called directly
(no database): the vectors of the distinct texts are encoded once and kept
in ``/tmp/peerlearn-solver-budget-<backend>.npz`` so that later runs of the
script measure the solver only, as a web run with the vector cache does.

Per size and budget, means over the seeds of: the solver's wall and CPU
seconds (all phases), the search phase's seconds, its passes, how many
seeds the clock stopped, the cohesion, and the **ratio** cohesion / upper
bound (``engine.explain.upper_bound``, a loose bound, so the ratio
understates quality; compare ratios between rows, not with 1). ``--budgets``
takes ``default`` (the solver's own budget), ``time=S`` (a time limit),
``passes=N`` (a pass budget alone, no clock) or both (``time=S+passes=N``).
The load average is printed: on 2 shared cores wall times grow with it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from similarity_scale import COUNTRIES, challenge_texts  # noqa: E402 - a sibling script

WEIGHTS = {"problems": 10.0, "context": 1.0}


def cohort(n: int) -> list[Any]:
    """Engine people like the web benchmark's (same texts, a country each, three languages)."""
    from peerlearn.engine.people import Person

    rng = random.Random(n)
    return [
        Person(
            id=str(i),
            country=rng.choice(COUNTRIES),
            languages=("en", "es", "fr"),
            challenges=tuple(texts),
        )
        for i, texts in enumerate(challenge_texts(n))
    ]


class FileStore:
    """A vector store kept in a ``.npz`` file between runs of the script (derived data in /tmp)."""

    def __init__(self, path: Path) -> None:
        import numpy as np

        from peerlearn.engine.similarity import MemoryVectorStore

        self.path = path
        self.memory = MemoryVectorStore()
        if path.exists():
            with np.load(path) as stored:
                keys = [tuple(k.split("\x1f")) for k in stored["keys"].tolist()]
                self.memory.rows = dict(zip(keys, stored["rows"], strict=True))
        self.dirty = False

    def load(self, backend: str, model_version: str, hashes: Any) -> Any:
        return self.memory.load(backend, model_version, hashes)

    def save(self, backend: str, model_version: str, vectors: Any) -> None:
        self.memory.save(backend, model_version, vectors)
        self.dirty = True

    def flush(self) -> None:
        import numpy as np

        if self.dirty and self.memory.rows:
            keys = np.array(["\x1f".join(k) for k in self.memory.rows])
            with self.path.open("wb") as out:
                np.savez(out, keys=keys, rows=np.stack(list(self.memory.rows.values())))
            self.dirty = False


def parse_budget(text: str) -> dict[str, Any]:
    """``default``, ``time=S``, ``passes=N`` or ``time=S+passes=N`` as solver keywords."""
    out: dict[str, Any] = {}
    if text == "default":
        return out
    for part in text.split("+"):
        key, value = part.split("=")
        if key == "time":
            out["time_limit"] = float(value)
        elif key == "passes":
            out["max_passes"] = int(value)
        else:
            raise SystemExit(f"unknown budget part {part!r}")
    return out


def solve_once(people: list[Any], model: Any, seed: int, budget: dict[str, Any]) -> dict[str, Any]:
    from peerlearn.engine.constraints import Constraints, validate_groups
    from peerlearn.engine.grouping import solve_groups

    c = Constraints(min_size=5, max_size=6, max_per_organisation=None, shared_language=True)
    wall, cpu = time.perf_counter(), time.process_time()
    result = solve_groups(people, c, WEIGHTS, seed=seed, model=model, **budget)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert not validate_groups(people, result.assignment, c)
    return {
        "wall": wall,
        "cpu": cpu,
        "search": result.stats.phases.get("search", 0.0),
        "passes": result.stats.passes,
        "clock": int(result.stats.stopped_by_time),
        "cohesion": result.cohesion,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="170,1000,10000")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--backend", default="multilingual")
    parser.add_argument("--budgets", default="default")
    parser.add_argument(
        "--no-shrink",
        action="store_true",
        help="multilingual vectors without shrink_dominant_directions (as before that change)",
    )
    args = parser.parse_args()

    from peerlearn.engine.criteria import build_model
    from peerlearn.engine.explain import upper_bound
    from peerlearn.engine.similarity import MultilingualBackend, with_store

    store = FileStore(Path(f"/tmp/peerlearn-solver-budget-{args.backend}.npz"))
    chosen = MultilingualBackend(shrink=False) if args.no_shrink else args.backend
    backend = with_store(chosen, store)
    header = (
        f"{'people':>7} {'budget':18} {'wall s':>7} {'cpu s':>7} {'search':>7} "
        f"{'passes':>6} {'clock':>5} {'cohesion':>10} {'ratio':>6}  load"
    )
    lines = [header, "-" * len(header)]
    for n in [int(x) for x in args.sizes.split(",")]:
        people = cohort(n)
        model = build_model(people, WEIGHTS, backend=backend)
        store.flush()
        bound = upper_bound(model, 6)
        for budget_text in args.budgets.split(","):
            budget = parse_budget(budget_text)
            load = os.getloadavg()[0]
            runs = [solve_once(people, model, seed, budget) for seed in range(1, args.seeds + 1)]

            def mean(key: str, runs: list[dict[str, Any]] = runs) -> float:
                return statistics.fmean(r[key] for r in runs)

            lines.append(
                f"{n:>7} {budget_text:18} {mean('wall'):>7.1f} {mean('cpu'):>7.1f} "
                f"{mean('search'):>7.1f} {mean('passes'):>6.1f} "
                f"{sum(r['clock'] for r in runs):>5} {mean('cohesion'):>10.1f} "
                f"{mean('cohesion') / bound:>6.4f}  {load:.1f}"
            )
            print(lines[-1], file=sys.stderr, flush=True)
    shrunk = " (not shrunk)" if args.no_shrink else ""
    print(
        f"backend {args.backend}{shrunk}; {args.seeds} seeds (1..{args.seeds}); "
        f"{os.cpu_count()} cores; ratio = cohesion / upper bound"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
