"""Common-problem detection over 34,000 check-in texts: target under 30 s.

A programme of 1,700 groups with 20 check-ins each: every group has one or
two persistent problems (true categories of the bundled labelled
statements), and each check-in's "stuck" text is a statement of one of them,
often with "we are stuck" words around it, drawn with a seed. The table
shows, for :func:`propose_common_problems` and for a baseline (the plain
k-means of the topic clustering it builds on, every text kept, the check-in
words left in):

* wall and CPU seconds (the best of ``--repeat`` runs);
* problems found and the groups behind the largest;
* purity: the share of texts in a problem whose true category is the
  problem's most common one (1.0: no problem mixes two categories).

    .venv/bin/python benchmarks/progress.py [--groups 1700] [--check-ins 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from peerlearn.engine.common_problems import Excerpt, propose_common_problems
from peerlearn.engine.evalset import load_labelled_statements
from peerlearn.engine.similarity import get_backend
from peerlearn.engine.topics import _cluster, auto_topic_count

TARGET_SECONDS = 30.0
PREFIXES = ("", "We are stuck: ", "Still blocked because ", "Help needed: ")


def synthetic_check_ins(
    groups: int, per_group: int, seed: int
) -> tuple[list[Excerpt], dict[str, str]]:
    """Texts and the true category of each (``excerpt id -> category``)."""
    rng = np.random.default_rng(seed)
    by_cat: dict[str, list[str]] = defaultdict(list)
    for text, cat in load_labelled_statements():
        by_cat[cat].append(text)
    cats = sorted(by_cat)
    texts: list[Excerpt] = []
    truth: dict[str, str] = {}
    for g in range(groups):
        own = rng.choice(len(cats), size=int(rng.integers(1, 3)), replace=False)
        for c in range(per_group):
            cat = cats[int(own[int(rng.integers(len(own)))])]
            pool = by_cat[cat]
            prefix = PREFIXES[int(rng.integers(len(PREFIXES)))]
            excerpt_id = f"{g}:{c}"
            texts.append(Excerpt(excerpt_id, g, prefix + pool[int(rng.integers(len(pool)))]))
            truth[excerpt_id] = cat
    return texts, truth


def purity(clusters: Sequence[Sequence[str]], truth: dict[str, str]) -> float:
    total = sum(len(c) for c in clusters)
    if not total:
        return 0.0
    majority = sum(Counter(truth[i] for i in c).most_common(1)[0][1] for c in clusters if c)
    return majority / total


def timed(run: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Best wall time, the CPU time of that run, and the result."""
    best, cpu, result = float("inf"), 0.0, None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run()
        wall = time.perf_counter() - start
        if wall < best:
            best, cpu = wall, time.process_time() - start_cpu
    return best, cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=1700)
    parser.add_argument("--check-ins", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    texts, truth = synthetic_check_ins(args.groups, args.check_ins, args.seed)
    print(f"{len(texts):,} check-in texts from {args.groups:,} groups (seed {args.seed})\n")

    seconds, cpu, found = timed(lambda: propose_common_problems(texts, seed=args.seed), args.repeat)
    problems = list(found)  # type: ignore[call-overload]
    ours = [[str(i) for i in p.excerpt_ids] for p in problems]

    def plain_kmeans() -> list[list[str]]:
        vectors = get_backend("tfidf").vectors([e.text for e in texts])
        labels = _cluster(vectors, auto_topic_count(len(texts)), args.seed)
        return [[str(texts[i].id) for i in np.flatnonzero(labels == c)] for c in np.unique(labels)]

    base_seconds, base_cpu, base_found = timed(plain_kmeans, args.repeat)
    base = list(base_found)  # type: ignore[call-overload]

    def groups_of(cluster: Sequence[str]) -> int:
        return len({i.split(":")[0] for i in cluster})

    rows = [
        (
            "propose_common_problems",
            seconds,
            cpu,
            len(problems),
            len(problems[0].group_ids) if problems else 0,
            purity(ours, truth),
            sum(len(c) for c in ours),
        ),
        (
            "baseline: plain k-means",
            base_seconds,
            base_cpu,
            len(base),
            max((groups_of(c) for c in base), default=0),
            purity(base, truth),
            sum(len(c) for c in base),
        ),
    ]
    header = (
        f"{'method':<26}{'wall s':>8}{'cpu s':>8}{'problems':>10}{'top groups':>12}"
        f"{'purity':>8}{'texts':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, secs, cpus, count, top, pure, kept in rows:
        print(f"{name:<26}{secs:>8.2f}{cpus:>8.2f}{count:>10}{top:>12}{pure:>8.2f}{kept:>8}")
    verdict = (
        "OK" if seconds < TARGET_SECONDS else f"TOO SLOW ({cpu:.1f} s of CPU: a busy machine?)"
    )
    print(f"\ntarget: under {TARGET_SECONDS:.0f} s for propose_common_problems: {verdict}")
    print("cpu s: process CPU time, all threads (wall time depends on what else runs)")


if __name__ == "__main__":
    main()
