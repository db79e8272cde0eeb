"""The mutuality ledger at scale: 50,000 people and 500,000 exchanges.

Pure engine, no database. Prints one table: each metric's wall time and the
process's peak resident memory after it, with networkx computing the same
reciprocity and dyad census in the same process as the baseline (ratio =
networkx time / ours). Communities are networkx's (Louvain and, faster,
label propagation) on the undirected tie graph. Targets (issue 13):
reciprocity, dyad census and communities under 30 s and under 2 GB.

    .venv/bin/python benchmarks/mutuality.py [--people 50000 --exchanges 500000]
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import networkx as nx
import numpy as np

from peerlearn.engine import mutuality as mu


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(work: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def ledger(people: int, exchanges: int, seed: int = 0) -> list[mu.Exchange]:
    """Exchanges mostly inside groups of 8 (a third returned), some across the network."""
    rng = np.random.default_rng(seed)
    giver = rng.integers(0, people, exchanges)
    local = rng.random(exchanges) < 0.8
    offset = np.where(local, rng.integers(1, 8, exchanges), rng.integers(1, people, exchanges))
    receiver = np.where(
        local, giver - giver % 8 + (giver % 8 + offset) % 8, (giver + offset) % people
    )
    receiver = np.minimum(receiver, people - 1)
    back = rng.random(exchanges) < 0.3
    giver, receiver = np.where(back, receiver, giver), np.where(back, giver, receiver)
    keep = giver != receiver
    days = rng.integers(0, 720, exchanges)
    start = date(2025, 1, 1)
    return [
        mu.Exchange(int(g), int(r), start + timedelta(days=int(d)))
        for g, r, d in zip(giver[keep], receiver[keep], days[keep], strict=True)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--exchanges", type=int, default=500_000)
    parser.add_argument("--no-louvain", action="store_true", help="skip Louvain (the slowest)")
    args = parser.parse_args()

    records, t_build = timed(lambda: ledger(args.people, args.exchanges))
    rows: list[tuple[str, float, float, str]] = [
        ("build records", t_build, peak_mb(), f"{len(records)} exchanges")
    ]

    def step(name: str, work: Callable[[], Any], show: Callable[[Any], str] = str) -> Any:
        result, seconds = timed(work)
        rows.append((name, seconds, peak_mb(), show(result)))
        return result

    step("edgewise reciprocity", lambda: mu.edgewise_reciprocity(records), lambda r: f"{r:.4f}")
    step("dyadic reciprocity", lambda: mu.dyadic_reciprocity(records), lambda r: f"{r:.4f}")
    census = step("dyad census", lambda: mu.dyad_census(records, nodes=range(args.people)))
    step("balance", lambda: mu.balance(records), lambda r: f"{len(r)} nodes")
    step("one-way flags", lambda: mu.one_way_flags(records), lambda r: f"{len(r)} flags")
    step("unanticipated", lambda: mu.unanticipated_learning(records), lambda r: f"{len(r)} dyads")

    graph = step(
        "networkx DiGraph (baseline)",
        lambda: nx.DiGraph(list(mu.ties(records))),
        lambda g: f"{g.number_of_edges()} ties",
    )
    nx_recip = step(
        "networkx overall_reciprocity",
        lambda: nx.overall_reciprocity(graph),
        lambda r: f"{r:.4f}",
    )
    step(
        "networkx census (undirected views)",
        lambda: graph.to_undirected(reciprocal=True).number_of_edges(),
        lambda m: f"mutual {m} (ours {census.mutual})",
    )
    undirected = graph.to_undirected()
    step(
        "communities: label propagation",
        lambda: list(nx.community.label_propagation_communities(undirected)),
        lambda c: f"{len(c)} communities",
    )
    if not args.no_louvain:
        step(
            "communities: Louvain (seeded)",
            lambda: nx.community.louvain_communities(undirected, seed=0),
            lambda c: f"{len(c)} communities",
        )

    ours = sum(r[1] for r in rows if r[0] in {"edgewise reciprocity", "dyad census"})
    theirs = sum(r[1] for r in rows if r[0].startswith("networkx"))
    print(f"{args.people} people, {len(records)} exchanges; reciprocity check {nx_recip:.4f}")
    print(f"{'step':38} {'seconds':>9} {'peak MB':>9}  result")
    for name, seconds, mb, shown in rows:
        print(f"{name:38} {seconds:9.2f} {mb:9.0f}  {shown}")
    print(f"ratio networkx / ours (reciprocity + census): {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
