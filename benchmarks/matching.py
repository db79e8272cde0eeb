"""Benchmark of the group solver against random grouping and two CP-SAT peers.

Prints ONE table: for each cohort size, wall time, peak memory (max RSS of the
process that did the work), cohesion / upper bound, pair precision (share of
same-group pairs whose members share the true category of their challenges),
and hard-constraint violations (``validate_groups``, groups of 5-6, at most one
per organisation), for

* ``peerlearn``: tf-idf vectors + greedy construction + local search, end to end;
* ``random``: a random split into the same group sizes;
* ``team-former`` (PyPI, CP-SAT; own venv in /tmp/venv-tfr): it has no text
  criterion, so each person's three most similar others are given as
  ``Prefer_With`` preferences; run under a time cap;
* ``team-formation`` (PyPI, CP-SAT, Python >= 3.12; own venv in /tmp/venv-tfm).

Synthetic participants get three challenges drawn from one true category of the
labelled statements (``peerlearn.engine.evalset``).

Usage::

    python benchmarks/matching.py --sizes 55,1000,10000,50000
    python benchmarks/matching.py --quick --skip-peers
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
TFR_PY = Path("/tmp/venv-tfr/bin/python")
TFM_PY = Path("/tmp/venv-tfm/bin/python")


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def worker(n: int, seed: int, time_limit: float | None) -> dict[str, Any]:
    """Run peerlearn and random grouping on one synthetic cohort (in a fresh process)."""
    import numpy as np

    from peerlearn.engine.constraints import Constraints, validate_groups
    from peerlearn.engine.explain import explain, upper_bound
    from peerlearn.engine.grouping import solve_groups
    from peerlearn.engine.synthetic import pair_precision, synthetic_people

    people, truth = synthetic_people(n, seed=seed)
    c = Constraints()
    t0 = time.perf_counter()
    result = solve_groups(people, c, "problems", seed=seed, time_limit=time_limit)
    explain(result, bound=False)
    wall = time.perf_counter() - t0
    rss = _rss_mb()
    bound = upper_bound(result.model, c.max_size)
    ours = {
        "wall": wall,
        "rss": rss,
        "cohesion": result.cohesion,
        "bound": bound,
        "pp": pair_precision(result.assignment, truth),
        "violations": len(validate_groups(people, result.assignment, c)),
        "phases": result.stats.phases,
    }
    # random grouping with the same sizes
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    sizes = [len(v) for v in result.groups.values()]
    assignment: dict[str, str] = {}
    k = 0
    t1 = time.perf_counter()
    for g, size in enumerate(sizes):
        for i in order[k : k + size]:
            assignment[people[int(i)].id] = f"R{g}"
        k += size
    rwall = time.perf_counter() - t1
    rand = {
        "wall": rwall,
        "rss": None,
        "cohesion": cohesion_of(result.model, people, assignment),
        "bound": bound,
        "pp": pair_precision(assignment, truth),
        "violations": len(validate_groups(people, assignment, c)),
    }
    return {"ours": ours, "random": rand}


def cohesion_of(model: Any, people: list[Any], assignment: dict[str, str]) -> float:
    """Cohesion of any assignment under the solver's objective."""
    import numpy as np

    index = {p.id: i for i, p in enumerate(people)}
    groups: dict[str, list[int]] = {}
    for pid, g in assignment.items():
        groups.setdefault(g, []).append(index[pid])
    total = 0.0
    for idx in groups.values():
        s = model.x[idx].sum(axis=0)
        own = float(np.einsum("ij,ij->", model.xs[idx], model.x[idx]))
        total += (float((s * model.sign) @ s) - own) / 2.0
    return total


TFR_SCRIPT = """
import sys, resource, time
from team_former.make_teams import allocate_teams
t = time.perf_counter()
allocate_teams(input_file=sys.argv[1], output_file=sys.argv[2], min_team_size=5,
               max_team_size=6, max_solve_time=float(sys.argv[3]))
print("WALL", time.perf_counter() - t)
print("RSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
"""


def run_team_former(n: int, seed: int, cap: float) -> dict[str, Any]:
    """team-former on the same cohort, similarity given as top-3 preferences."""
    import numpy as np
    from openpyxl import Workbook, load_workbook

    from peerlearn.engine.constraints import Constraints, validate_groups
    from peerlearn.engine.criteria import build_model
    from peerlearn.engine.synthetic import pair_precision, synthetic_people

    if not TFR_PY.exists():
        return {"note": "not run: /tmp/venv-tfr missing (pip install team-former there)"}
    people, truth = synthetic_people(n, seed=seed)
    model = build_model(people, "problems", seed=seed)
    aff = model.xs @ model.x.T
    np.fill_diagonal(aff, -np.inf)
    top = np.argsort(-aff, axis=1)[:, :3]
    with tempfile.TemporaryDirectory() as d:
        src, out = Path(d) / "students.xlsx", Path(d) / "teams.xlsx"
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(["Student_ID", "Prefer_With"])
        for i, p in enumerate(people):
            ws.append([p.id, ",".join(people[int(j)].id for j in top[i])])
        wb.save(src)
        run = _run_peer(TFR_PY, TFR_SCRIPT, src, out, cap, grace=120)
        if "note" in run:
            return run
        wall, rss = run["wall"], run["rss"]
        rows = list(load_workbook(out, read_only=True).worksheets[0].iter_rows(values_only=True))
        head = list(rows[0])
        i_id, i_team = head.index("Student_ID"), head.index("team")
        assignment = {str(r[i_id]): f"T{r[i_team]}" for r in rows[1:]}
    c = Constraints()
    return {
        "wall": wall,
        "rss": rss,
        "cohesion": cohesion_of(model, people, assignment),
        "pp": pair_precision(assignment, truth),
        "violations": len(validate_groups(people, assignment, c)),
    }


TFM_SCRIPT = """
import sys, resource, time
import pandas as pd
from team_formation.team_assignment import TeamAssignment
df = pd.read_csv(sys.argv[1], dtype=str)
cons = pd.DataFrame(columns=["attribute", "type", "weight"],
                    data=[["topic", "cluster", 1], ["organisation", "different", 1]])
t = time.perf_counter()
ta = TeamAssignment(df, cons, 6, less_than_target=True)
ta.solve(max_time_in_seconds=float(sys.argv[3]))
if ta.solution_found:
    ta.participants[["id", "team_num"]].to_csv(sys.argv[2], index=False)
print("WALL", time.perf_counter() - t)
print("RSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
"""


def _run_peer(
    python: Path, script: str, src: Path, out: Path, cap: float, *, grace: float
) -> dict[str, Any]:
    """Run a peer tool in its own venv; wall time, peak RSS, or a note saying why not."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            [str(python), "-c", script, str(src), str(out), str(cap)],
            capture_output=True,
            text=True,
            timeout=cap + grace,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"note": f"killed after {cap + grace:.0f} s (model building + solve)"}
    wall = time.perf_counter() - t0
    rss = None
    for line in proc.stdout.splitlines():
        if line.startswith("RSS"):
            rss = float(line.split()[1])
    if not out.exists():
        tail = proc.stderr.strip().splitlines() or proc.stdout.strip().splitlines() or ["?"]
        return {"note": f"no solution in {wall:.0f} s ({tail[-1][:60]})", "wall": wall, "rss": rss}
    return {"wall": wall, "rss": rss}


def run_team_formation(n: int, seed: int, cap: float) -> dict[str, Any]:
    """team-formation (Python >= 3.12 venv): a *cluster* constraint on a k-means label
    of our person vectors (k = groups) stands in for text similarity, *different* on
    organisation for the one-per-organisation rule."""
    import csv

    from sklearn.cluster import KMeans

    from peerlearn.engine.constraints import Constraints, validate_groups
    from peerlearn.engine.criteria import build_model
    from peerlearn.engine.synthetic import pair_precision, synthetic_people

    if not TFM_PY.exists():
        return {"note": "not run: needs a Python >= 3.12 venv at /tmp/venv-tfm"}
    people, truth = synthetic_people(n, seed=seed)
    model = build_model(people, "problems", seed=seed)
    k = max(1, -(-n // 6))
    labels = KMeans(n_clusters=k, n_init=1, random_state=seed).fit_predict(model.x)
    with tempfile.TemporaryDirectory() as d:
        src, out = Path(d) / "in.csv", Path(d) / "out.csv"
        with src.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "topic", "organisation"])
            for p, lab in zip(people, labels, strict=True):
                w.writerow([p.id, f"t{lab}", p.organisation])
        run = _run_peer(TFM_PY, TFM_SCRIPT, src, out, cap, grace=300)
        if "note" in run:
            return run
        wall, rss = run["wall"], run["rss"]
        with out.open(encoding="utf-8") as fh:
            assignment = {r["id"]: f"T{r['team_num']}" for r in csv.DictReader(fh)}
    c = Constraints()
    return {
        "wall": wall,
        "rss": rss,
        "cohesion": cohesion_of(model, people, assignment),
        "pp": pair_precision(assignment, truth),
        "violations": len(validate_groups(people, assignment, c)),
    }


def fmt(v: Any, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="55,1000,10000,50000")
    ap.add_argument("--quick", action="store_true", help="sizes 55,1000 and short budgets")
    ap.add_argument("--skip-peers", action="store_true", help="only peerlearn and random")
    ap.add_argument("--cap", type=float, default=120.0, help="time cap per peer run (s)")
    ap.add_argument("--peer-max", type=int, default=1000, help="largest size given to peers")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=None, help="our search budget")
    ap.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker is not None:
        print(json.dumps(worker(args.worker, args.seed, args.time_limit)))
        return 0
    sizes = [55, 1000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.quick:
        args.cap = min(args.cap, 30.0)
    lines = []
    header = (
        f"{'people':>7} {'method':<15} {'wall s':>8} {'peak MB':>8} {'coh/UB':>7} "
        f"{'pair prec':>9} {'viol':>5} {'ours/x coh':>10}  note"
    )
    lines.append(header)
    lines.append("-" * len(header))
    env = dict(os.environ)
    for n in sizes:
        cmd = [sys.executable, str(HERE), "--worker", str(n), "--seed", str(args.seed)]
        if args.time_limit is not None:
            cmd += ["--time-limit", str(args.time_limit)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            lines.append(f"{n:>7} peerlearn failed: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        ours, rand = res["ours"], res["random"]
        bound = ours["bound"]
        rows: list[tuple[str, dict[str, Any]]] = [("peerlearn", ours), ("random", rand)]
        if not args.skip_peers:
            if n <= args.peer_max:
                rows.append(("team-former", run_team_former(n, args.seed, args.cap)))
                rows.append(("team-formation", run_team_formation(n, args.seed, args.cap)))
            else:
                rows.append(("team-former", {"note": f"not run above {args.peer_max} people"}))
                rows.append(("team-formation", {"note": f"not run above {args.peer_max} people"}))
        for name, r in rows:
            coh = r.get("cohesion")
            ratio = coh / bound if coh is not None and bound else None
            vs = ours["cohesion"] / coh if coh and name != "peerlearn" and coh > 0 else None
            lines.append(
                f"{n:>7} {name:<15} {fmt(r.get('wall'), '8.2f')} {fmt(r.get('rss'), '8.0f')} "
                f"{fmt(ratio, '7.3f')} {fmt(r.get('pp'), '9.3f')} {fmt(r.get('violations'), '5d')} "
                f"{fmt(vs, '10.2f')}  {r.get('note', '')}"
            )
        print(f"[{n} done]", file=sys.stderr, flush=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
