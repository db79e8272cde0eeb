"""Do shared problems decide the groups at the default weights? (issue 15, item 2)

Prints ONE table: for each weight setting, mean over 10 seeds of the pair
precision (share of same-group pairs whose members share the true category of
their challenges, ``engine.synthetic``), the share of same-group pairs from one
country, and the ratio of the precision to the problems-only grouping run in
the same process. A cohort of 170 people in 5 countries (as the demo), groups
of 5-6, at most one per organisation, tf-idf backend, countries drawn
independently of the problems (so context can only pull groups away from them).

Usage::

    python benchmarks/matching_weights.py [--people 170] [--seeds 10]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from peerlearn.engine.constraints import Constraints  # noqa: E402
from peerlearn.engine.grouping import solve_groups  # noqa: E402
from peerlearn.engine.synthetic import pair_precision, synthetic_people  # noqa: E402

COUNTRIES = ["KE", "GH", "PY", "UA", "FR"]
SETTINGS = {
    "problems only": {"problems": 1.0},
    "old default problems 3, context 1": {"problems": 3.0, "context": 1.0},
    "new default problems 10, context 1": {"problems": 10.0, "context": 1.0},
    "problems 10, context 1, role 1": {"problems": 10.0, "context": 1.0, "role": 1.0},
    "context raised: problems 3, context 3": {"problems": 3.0, "context": 3.0},
}


def same_country_share(assignment: dict[str, str], country: dict[str, str]) -> float:
    groups: dict[str, list[str]] = {}
    for pid, g in assignment.items():
        groups.setdefault(g, []).append(pid)
    same = total = 0
    for members in groups.values():
        for a, b in combinations(members, 2):
            total += 1
            same += country[a] == country[b]
    return same / total if total else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=170)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--time-limit", type=float, default=1.0)
    args = ap.parse_args()
    rows = {name: ([], []) for name in SETTINGS}
    for seed in range(args.seeds):
        people, truth = synthetic_people(args.people, seed=seed)
        people = [replace(p, country=COUNTRIES[i % 5], region="") for i, p in enumerate(people)]
        country = {p.id: p.country for p in people}
        for name, weights in SETTINGS.items():
            r = solve_groups(
                people,
                Constraints(min_size=5, max_size=6, max_per_organisation=1),
                weights,
                seed=seed,
                time_limit=args.time_limit,
            )
            rows[name][0].append(pair_precision(r.assignment, truth))
            rows[name][1].append(same_country_share(r.assignment, country))
    base = sum(rows["problems only"][0]) / args.seeds
    print(f"{args.people} people, 5 countries, mean of {args.seeds} seeds (tf-idf)")
    print(f"{'weights':40} {'precision':>9} {'vs problems':>11} {'same country':>12}")
    for name, (prec, ctry) in rows.items():
        p = sum(prec) / len(prec)
        print(f"{name:40} {p:9.3f} {p / base:11.2f} {sum(ctry) / len(ctry):12.3f}")


if __name__ == "__main__":
    main()
