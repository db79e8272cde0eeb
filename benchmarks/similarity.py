"""Compare similarity backends on the labelled set and at scale; prints one table.

Run: ``python benchmarks/similarity.py [--people 50000] [--semantic-people 2000]``.

For each backend (and a random baseline): pair precision of groups of 5-6 built
by a similarity-greedy procedure on the labelled statements (mean over 5
seeds), its ratio to random grouping, the time to embed the labelled set, and
the time to compute person vectors for N synthetic people with 3 challenges each.
The semantic backend is timed on fewer people by default and extrapolated
(marked ``~``), because it runs at a few hundred statements per second on CPU.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import numpy as np

from peerlearn.engine.evalset import (
    greedy_groups,
    load_labelled_statements,
    pair_precision,
    random_groups,
)
from peerlearn.engine.similarity import available_backends, get_backend, person_vectors

SEEDS = range(5)


def synthetic_people(n: int, seed: int = 0) -> list[list[str]]:
    """People with three challenges each, remixed from the labelled statements."""
    rng = random.Random(seed)
    words = [s.split() for s, _ in load_labelled_statements()]
    people = []
    for _ in range(n):
        challenges = []
        for _ in range(3):
            a, b = rng.choice(words), rng.choice(words)
            cut_a, cut_b = rng.randint(2, len(a)), rng.randint(0, len(b) - 1)
            challenges.append(" ".join(a[:cut_a] + b[cut_b:]))
        people.append(challenges)
    return people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--semantic-people", type=int, default=2_000)
    args = parser.parse_args()

    rows = load_labelled_statements()
    texts = [s for s, _ in rows]
    labels = [c for _, c in rows]
    chance = statistics.mean(
        pair_precision(random_groups(len(rows), seed=s), labels) for s in range(200)
    )
    header = (
        f"{'backend':<10} {'pair precision':>14} {'x random':>9} "
        f"{'embed set (s)':>13} {'people':>7} {'person vectors (s)':>19}"
    )
    lines = [header, "-" * len(header)]
    lines.append(f"{'random':<10} {chance:>14.3f} {1.0:>9.2f} {'-':>13} {'-':>7} {'-':>19}")
    for name in available_backends():
        backend = get_backend(name)
        backend.vectors(texts[:2])  # load models outside the timing
        start = time.perf_counter()
        vectors = backend.vectors(texts)
        embed = time.perf_counter() - start
        precision = statistics.mean(
            pair_precision(greedy_groups(vectors, seed=s), labels) for s in SEEDS
        )
        n = args.people if name == "tfidf" else min(args.people, args.semantic_people)
        people = synthetic_people(n)
        start = time.perf_counter()
        pv = person_vectors(people, backend)
        elapsed = time.perf_counter() - start
        assert pv.shape[0] == n and np.isfinite(pv).all()
        shown = f"{elapsed:.1f}"
        if n < args.people:
            shown = f"~{elapsed * args.people / n:.0f} ({elapsed:.1f} for {n})"
        lines.append(
            f"{name:<10} {precision:>14.3f} {precision / chance:>9.2f} {embed:>13.2f} "
            f"{args.people:>7} {shown:>19}"
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
