"""Topic curation: cluster a cohort's challenges into candidate priority topics.

Before anyone is matched, a facilitator reads every challenge the peers named
and distils a baseline of priority topics. :func:`propose_topics` drafts that
baseline: it clusters the challenge statements, labels each cluster with a few
readable words, counts the distinct people behind it and quotes the statements
closest to its centre. ``peerlearn topics INPUT.csv`` (:func:`cli_topics`) prints
the draft and can write it to CSV for the facilitator to edit.

Examples
--------
>>> rows = [("p1", "Our land registry is full of duplicate titles"),
...         ("p2", "Land registry and cadastre records disagree"),
...         ("p3", "The cadastre maps are decades old, titles are disputed"),
...         ("p4", "Finance ministry cut our budget for the reform"),
...         ("p5", "The budget for our reform was cut by finance again"),
...         ("p6", "We cannot get budget from the finance ministry")]
>>> topics = propose_topics(rows, n_topics=2)
>>> sorted(len(t.member_ids) for t in topics)
[3, 3]
>>> sorted(t.member_ids for t in topics)[0]
['p1', 'p2', 'p3']
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from peerlearn.engine.similarity import (
    SimilarityBackend,
    available_backends,
    get_backend,
    key_terms,
    registered_backends,
)

__all__ = [
    "MAX_AUTO_TOPICS",
    "Topic",
    "add_topics_arguments",
    "auto_topic_count",
    "cli_topics",
    "propose_topics",
    "topics_table",
    "write_topics_csv",
]

#: Upper bound on the number of topics chosen automatically: more than this is
#: no longer a baseline a facilitator can discuss in one calibration call.
MAX_AUTO_TOPICS = 25

#: Columns of the topics CSV.
CSV_COLUMNS = ("topic", "label", "people", "challenges", "key_terms", "excerpts")


@dataclass(frozen=True)
class Topic:
    """A candidate topic: a cluster of similar challenges.

    Attributes
    ----------
    label
        Two to five readable words built from the key terms.
    key_terms
        Terms that set this cluster apart from the rest of the cohort.
    member_ids
        Distinct people with at least one challenge in the cluster, in input order.
    challenge_count
        Number of challenge statements in the cluster.
    excerpts
        Up to three distinct statements closest to the cluster centre.
    """

    label: str
    key_terms: list[str] = field(default_factory=list)
    member_ids: list[str] = field(default_factory=list)
    challenge_count: int = 0
    excerpts: list[str] = field(default_factory=list)


def auto_topic_count(n_challenges: int) -> int:
    """Number of topics chosen when none is given.

    ``round(sqrt(n / 2))``, the classic rule of thumb for the number of clusters,
    kept between 2 and :data:`MAX_AUTO_TOPICS` (and 1 for fewer than three
    challenges).

    Notes
    -----
    On short, paraphrased statements the silhouette score was measured to be
    nearly flat across ``k`` for tf-idf (0.00-0.01 for k = 2..30 on the bundled
    labelled set), so it cannot choose ``k``; the size rule gives 12 topics for
    the 308 labelled statements, which have 14 true categories.

    Examples
    --------
    >>> [auto_topic_count(n) for n in (1, 10, 165, 308, 100_000)]
    [1, 2, 9, 12, 25]
    """
    if n_challenges < 3:
        return 1
    return int(min(MAX_AUTO_TOPICS, max(2, round((n_challenges / 2) ** 0.5))))


def _cluster(vectors: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Cluster unit rows into ``k`` groups; returns a label per row."""
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD

    n, d = vectors.shape
    if k <= 1:
        return np.zeros(n, dtype=np.int64)
    data = vectors
    if d > 128 and n > 64:
        # Cluster in a 64-dimensional latent space: quicker, and on tf-idf of short
        # texts it groups related words that never co-occur literally.
        data = TruncatedSVD(n_components=64, random_state=seed).fit_transform(vectors)
        norms = np.linalg.norm(data, axis=1, keepdims=True)
        data = np.divide(data, norms, out=np.zeros_like(data), where=norms > 0)
    model: KMeans | MiniBatchKMeans
    if n > 10_000:
        model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=4096)
    else:
        model = KMeans(n_clusters=k, random_state=seed, n_init=4)
    return np.asarray(model.fit_predict(data), dtype=np.int64)


def _label(terms: Sequence[str]) -> str:
    """Two to five words from the key terms, best terms first."""
    words: list[str] = []
    parts: list[str] = []
    for term in terms:
        term_words = term.split()
        if words and len(words) + len(term_words) > 5:
            break
        parts.append(term)
        words.extend(term_words)
        if len(words) >= 3:
            break
    if not parts:
        return "Other challenges"
    label = ", ".join(parts)
    if len(words) == 1:
        label = f"{label} challenges"
    return label[0].upper() + label[1:]


def propose_topics(
    challenges: Sequence[tuple[str, str]],
    *,
    backend: SimilarityBackend | str = "tfidf",
    n_topics: int | None = None,
    seed: int = 0,
) -> list[Topic]:
    """Cluster challenges into candidate topics.

    Parameters
    ----------
    challenges
        ``(person_id, challenge_text)`` pairs; a person may appear many times.
        Blank texts, and texts made only of stop words, are left out.
    backend
        A backend or its registered name.
    n_topics
        Number of topics; ``None`` chooses it with :func:`auto_topic_count`.
        Never more than the number of distinct statements.
    seed
        Seed of the clustering; the same input and seed give the same topics.

    Returns
    -------
    list of Topic
        Largest first (by people, then by challenges, then by label).

    Notes
    -----
    Challenges are embedded in one backend call, reduced to 64 latent dimensions
    when wider than 128, and clustered with k-means (mini-batch k-means above
    10,000 challenges). Running time is dominated by the backend: with tf-idf,
    150,000 challenges take well under a minute on two cores.

    Examples
    --------
    >>> propose_topics([])
    []
    >>> [t.challenge_count for t in propose_topics([("a", "tax audits"), ("b", "  ")])]
    [1]
    """
    be = get_backend(backend) if isinstance(backend, str) else backend
    kept = [(pid, text.strip()) for pid, text in challenges if text and text.strip()]
    if not kept:
        return []
    texts = [text for _, text in kept]
    vectors = be.vectors(texts)
    nonzero = np.flatnonzero(np.abs(vectors).sum(axis=1) > 0)
    if nonzero.size == 0:
        return []
    kept = [kept[i] for i in nonzero]
    texts = [texts[i] for i in nonzero]
    vectors = vectors[nonzero]
    n_distinct = len(set(texts))
    k = auto_topic_count(len(texts)) if n_topics is None else max(1, n_topics)
    k = min(k, n_distinct)
    labels = _cluster(vectors, k, seed)

    topics: list[Topic] = []
    for cluster in np.unique(labels):
        idx = np.flatnonzero(labels == cluster)
        centroid = vectors[idx].mean(axis=0)
        order = idx[np.argsort(-(vectors[idx] @ centroid), kind="stable")]
        excerpts: list[str] = []
        for i in order:
            if texts[i] not in excerpts:
                excerpts.append(texts[i])
            if len(excerpts) == 3:
                break
        members = list(dict.fromkeys(kept[i][0] for i in sorted(idx)))
        terms = key_terms([texts[i] for i in idx], k=5, background=texts)
        topics.append(
            Topic(
                label=_label(terms),
                key_terms=terms,
                member_ids=members,
                challenge_count=int(idx.size),
                excerpts=excerpts,
            )
        )
    topics.sort(key=lambda t: (-len(t.member_ids), -t.challenge_count, t.label))
    return _distinct_labels(topics)


def _distinct_labels(topics: list[Topic]) -> list[Topic]:
    seen: dict[str, int] = {}
    out: list[Topic] = []
    for topic in topics:
        count = seen.get(topic.label, 0) + 1
        seen[topic.label] = count
        if count > 1:
            topic = Topic(
                label=f"{topic.label} ({count})",
                key_terms=topic.key_terms,
                member_ids=topic.member_ids,
                challenge_count=topic.challenge_count,
                excerpts=topic.excerpts,
            )
        out.append(topic)
    return out


# ---------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------


class InputError(Exception):
    """Input the topics command cannot use; the message is shown to the user."""


def read_challenges(path: Path) -> list[tuple[str, str]]:
    """(person id, challenge) pairs of a roster, read like ``peerlearn match`` reads it.

    Reading and checks are :func:`peerlearn.engine.io.read_people`'s (ids,
    ``challenges`` or ``challenge_N`` columns, the web app's export); this adds
    a check for binary files that are neither CSV nor XLSX.
    """
    from peerlearn.engine import io as engine_io

    if path.is_file() and path.suffix.lower() not in {".xlsx", ".xlsm"}:
        with path.open("rb") as handle:
            head = handle.read(4096)
        if b"\x00" in head or head[:2] == b"PK":
            raise InputError(
                f"{path}: not a CSV file (binary content); save it as UTF-8 CSV or XLSX"
            )
    try:
        people = engine_io.read_people(path)
    except engine_io.InputError as exc:
        raise InputError(str(exc)) from None
    out = [(p.id, text) for p in people for text in p.challenges]
    if not out:
        raise InputError(
            f"{path}: no challenge texts found (columns 'challenges' or 'challenge_1'...)"
        )
    return out


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def topics_table(topics: Sequence[Topic], *, width: int = 100) -> str:
    """A plain-text table of topics for the terminal.

    Examples
    --------
    >>> print(topics_table([Topic("Land registry", ["land registry"], ["a", "b"], 2,
    ...                           ["Land registry has gaps"])]))
     #  people  challenges  label
     1       2           2  Land registry
                              - Land registry has gaps
    """
    lines = [" #  people  challenges  label"]
    for number, topic in enumerate(topics, start=1):
        lines.append(
            f"{number:>2}  {len(topic.member_ids):>6}  {topic.challenge_count:>10}  {topic.label}"
        )
        for excerpt in topic.excerpts:
            lines.append("                          - " + _shorten(excerpt, width - 28))
    return "\n".join(lines)


def write_topics_csv(topics: Sequence[Topic], out: io.TextIOBase | Path) -> None:
    """Write topics as CSV ``topic,label,people,challenges,key_terms,excerpts``.

    ``key_terms`` and ``excerpts`` are ``|``-separated, like the input's
    ``challenges`` column.

    Examples
    --------
    >>> buffer = io.StringIO()
    >>> write_topics_csv([Topic("Tax audits", ["audit"], ["a"], 1, ["Audit is random"])],
    ...                  buffer)
    >>> print(buffer.getvalue().strip())
    topic,label,people,challenges,key_terms,excerpts
    1,Tax audits,1,1,audit,Audit is random
    """
    if isinstance(out, Path):
        with out.open("w", newline="", encoding="utf-8") as handle:
            _write_csv(topics, handle)
    else:
        _write_csv(topics, out)


def _write_csv(topics: Sequence[Topic], handle: io.TextIOBase | io.TextIOWrapper) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for number, topic in enumerate(topics, start=1):
        writer.writerow(
            [
                number,
                topic.label,
                len(topic.member_ids),
                topic.challenge_count,
                "|".join(topic.key_terms),
                "|".join(e.replace("|", "/") for e in topic.excerpts),
            ]
        )


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def add_topics_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``peerlearn topics`` to ``parser``.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> add_topics_arguments(p)
    >>> args = p.parse_args(["in.csv", "--n", "4"])
    >>> args.input, args.n, args.backend, args.seed, args.out
    ('in.csv', 4, 'tfidf', 0, None)
    """
    parser.add_argument("input", metavar="INPUT", help="UTF-8 CSV or XLSX with id, challenges")
    parser.add_argument("--out", metavar="TOPICS.csv", help="also write the topics as CSV")
    parser.add_argument(
        "--n", type=int, default=None, metavar="N", help="number of topics (default: automatic)"
    )
    parser.add_argument(
        "--backend",
        default="tfidf",
        choices=registered_backends(),
        help="text similarity backend (default: tfidf)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")


def cli_topics(args: argparse.Namespace) -> int:
    """Run ``peerlearn topics``; returns the process exit code.

    Prints a table of topics; with ``--out`` also writes them as CSV. Problems
    with the input are reported on stderr with exit code 2, never a traceback.
    """
    try:
        if args.n is not None and args.n < 1:
            raise InputError("--n must be at least 1")
        if args.backend not in available_backends():
            raise InputError(
                f"backend {args.backend!r} is not installed; available: "
                + ", ".join(available_backends())
            )
        challenges = read_challenges(Path(args.input))
        topics = propose_topics(challenges, backend=args.backend, n_topics=args.n, seed=args.seed)
        if not topics:
            raise InputError("no usable challenge text (only blanks or stop words)")
        print(topics_table(topics))
        if args.out:
            write_topics_csv(topics, Path(args.out))
    except (InputError, ImportError) as exc:
        print(f"peerlearn topics: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"peerlearn topics: {exc}", file=sys.stderr)
        return 2
    return 0
