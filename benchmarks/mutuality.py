"""The mutuality ledger at scale: 50,000 people and 500,000 exchanges.

Pure engine, no database. Prints one table: each step's wall time, the
process's peak resident memory after it (``ru_maxrss``: C allocations such
as igraph's included) and, for our steps, the peak memory the step itself
allocated (``tracemalloc``, measured in a second, untimed pass because
tracing slows Python down). The baseline runs in the same process: networkx
computing the same reciprocity and dyad census, and networkx's Louvain on
the same undirected weighted tie graph (``--no-networkx-louvain`` skips it:
it takes minutes). Targets (issue 13): reciprocity, dyad census and
communities under 30 s and under 2 GB.

Then the network page's metrics as the snapshot task computes them for one
audience (``--no-network-page`` skips them): the people's ties as arrays,
their degrees, betweenness from 200 sampled sources, communities,
cross-organisation and cross-country shares and lasting ties; the same for
organisations and countries (their ties grouped from the people's), with
their layout (they are drawn). Baseline:
the networkx graph the page built before, and networkx's sampled betweenness
from 20 sources (ten times fewer than ours: at 200 it takes minutes).

    .venv/bin/python benchmarks/mutuality.py [--people 50000 --exchanges 500000]
"""

from __future__ import annotations

import argparse
import gc
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import networkx as nx
import numpy as np
from measure import peak_mb, timed  # noqa: E402 - a sibling script module

from peerlearn.engine import mutuality as mu
from peerlearn.engine import network

TARGET_SECONDS = 30.0
TARGET_MB = 2048.0


def traced_mb(work: Callable[[], Any]) -> float:
    """Peak memory allocated while ``work`` runs (Python and numpy; not igraph's C heap)."""
    gc.collect()
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


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


def undirected_weighted(records: list[mu.Exchange]) -> nx.Graph:
    """The graph our Louvain works on: one edge per tie, weight = exchanges both ways."""
    graph = nx.Graph()
    for ex in records:
        if ex.giver == ex.receiver:
            continue
        data = graph.get_edge_data(ex.giver, ex.receiver)
        if data is None:
            graph.add_edge(ex.giver, ex.receiver, weight=1)
        else:
            data["weight"] += 1
    return graph


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--exchanges", type=int, default=500_000)
    parser.add_argument(
        "--no-networkx-louvain", action="store_true", help="skip networkx's Louvain (minutes)"
    )
    parser.add_argument(
        "--no-network-page", action="store_true", help="skip the network page's metrics"
    )
    args = parser.parse_args()
    everyone = range(args.people)

    records, t_build = timed(lambda: ledger(args.people, args.exchanges))
    rows: list[tuple[str, float, float, str]] = [
        ("build records", t_build, peak_mb(), f"{len(records)} exchanges")
    ]
    ours: dict[str, Callable[[], Any]] = {
        "edgewise reciprocity": lambda: mu.edgewise_reciprocity(records),
        "dyadic reciprocity": lambda: mu.dyadic_reciprocity(records),
        "dyad census": lambda: mu.dyad_census(records, nodes=everyone),
        "communities: Louvain (igraph)": lambda: network.communities(records, seed=0),
    }

    def step(name: str, work: Callable[[], Any], show: Callable[[Any], str] = str) -> Any:
        result, seconds = timed(work)
        rows.append((name, seconds, peak_mb(), show(result)))
        return result

    step("edgewise reciprocity", ours["edgewise reciprocity"], lambda r: f"{r:.4f}")
    step("dyadic reciprocity", ours["dyadic reciprocity"], lambda r: f"{r:.4f}")
    census = step("dyad census", ours["dyad census"])
    found = step(
        "communities: Louvain (igraph)",
        ours["communities: Louvain (igraph)"],
        lambda c: f"{len(c.groups)} communities, modularity {c.modularity:.4f}",
    )
    ours_peak = peak_mb()
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
    louvain_seconds = None
    if not args.no_networkx_louvain:
        weighted = step(
            "networkx Graph, weighted (baseline)",
            lambda: undirected_weighted(records),
            lambda g: f"{g.number_of_edges()} ties",
        )
        parts, louvain_seconds = timed(
            lambda: nx.community.louvain_communities(weighted, weight="weight", seed=0)
        )
        q = nx.community.modularity(weighted, parts, weight="weight")
        rows.append(
            (
                "networkx Louvain (baseline)",
                louvain_seconds,
                peak_mb(),
                f"{len(parts)} communities, modularity {q:.4f}",
            )
        )

    page = None if args.no_network_page else network_page(records, args.people, rows)
    traced = {name: traced_mb(work) for name, work in ours.items()}
    seconds = {r[0]: r[1] for r in rows}
    ours_seconds = sum(seconds[name] for name in ours)
    print(f"{args.people} people, {len(records)} exchanges; networkx reciprocity {nx_recip:.4f}")
    print(f"{'step':38} {'seconds':>9} {'peak MB':>9} {'step MB':>8}  result")
    for name, took, mb, shown in rows:
        own = f"{traced[name]:8.0f}" if name in traced else " " * 8
        print(f"{name:38} {took:9.2f} {mb:9.0f} {own}  {shown}")
    verdict = "ok" if ours_seconds < TARGET_SECONDS and ours_peak < TARGET_MB else "MISSED"
    print(
        f"reciprocity (both), census and communities: {ours_seconds:.1f} s, "
        f"process peak {ours_peak:.0f} MB (targets {TARGET_SECONDS:.0f} s, "
        f"{TARGET_MB:.0f} MB): {verdict}"
    )
    counting = seconds["edgewise reciprocity"] + seconds["dyad census"]
    theirs = sum(r[1] for r in rows if r[0].startswith("networkx") and "Louvain" not in r[0])
    theirs -= seconds.get("networkx Graph, weighted (baseline)", 0.0)
    print(f"ratio networkx / ours (reciprocity + census, graph built): {theirs / counting:.1f}x")
    if louvain_seconds is not None:
        mine = seconds["communities: Louvain (igraph)"]
        print(f"ratio networkx Louvain / igraph Louvain: {louvain_seconds / mine:.0f}x")
    print(f"communities found by igraph: {len(found.groups)}")
    if page is not None:
        page_seconds, page_peak = page
        verdict = "ok" if page_seconds < TARGET_SECONDS and page_peak < TARGET_MB else "MISSED"
        print(
            f"network page metrics (people: graph, sampled betweenness, communities, shares, "
            f"lasting ties; organisations and countries: the same and the layout): "
            f"{page_seconds:.1f} s, process peak {page_peak:.0f} MB: {verdict}"
        )


def network_page(
    records: list[mu.Exchange], people: int, rows: list[tuple[str, float, float, str]]
) -> tuple[float, float]:
    """What the snapshot task computes for the network page (one audience), step by step.

    People are in 500 organisations in 10 countries (as benchmarks/mel_snapshot.py
    places them); returns the steps' seconds and the process peak after them.
    """
    org = {p: p % 500 for p in range(people)}
    country = {p: f"C{p % 10}" for p in range(people)}
    attrs = {p: {"organisation": str(org[p]), "country": country[p]} for p in range(people)}
    started = len(rows)

    def step(name: str, work: Callable[[], Any], show: Callable[[Any], str]) -> Any:
        result, seconds = timed(work)
        rows.append((name, seconds, peak_mb(), show(result)))
        return result

    ties = step(
        "network: people's ties (numpy)",
        lambda: network.tie_table(records, range(people), attrs),
        lambda t: f"{t.size} nodes, {len(t.giver)} ties",
    )
    step(
        "network: people's metrics",
        lambda: network.tie_metrics(ties, seed=0),
        lambda m: (
            f"betweenness from {m.betweenness_samples} sources, "
            f"{len(m.communities)} communities, lasting {m.lasting[0]} of {m.lasting[1]}"
        ),
    )
    for level, mapping in (("organisations", org), ("countries", country)):
        units = step(
            f"network: {level}' ties (grouped)",
            lambda mapping=mapping: network.grouped_ties(ties, mapping),
            lambda t: f"{t.size} nodes, {len(t.giver)} ties",
        )
        step(
            f"network: {level}' metrics, layout",
            lambda units=units: (network.tie_metrics(units), network.tie_layout(units)),
            lambda r: f"exact betweenness: {r[0].betweenness_samples is None}",
        )
    seconds = sum(r[1] for r in rows[started:])
    peak = peak_mb()
    reference = step(
        "networkx DiGraph with days (baseline)",
        lambda: network.build_graph(records, range(people), attributes=attrs),
        lambda g: "what the page built before",
    )
    k = 20
    step(
        f"networkx betweenness k={k} (baseline)",
        lambda: nx.betweenness_centrality(reference, k=k, seed=0),
        lambda _r: (
            f"x{network.BETWEENNESS_SAMPLES // k} for the page's "
            f"{network.BETWEENNESS_SAMPLES} sources"
        ),
    )
    return seconds, peak


if __name__ == "__main__":
    main()
