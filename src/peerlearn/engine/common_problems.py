"""Common problems across groups, proposed from what groups say in their check-ins.

Groups report where they are stuck and what help they need. When several
groups name the same obstacle (three teams with bad land-ownership data, in
one of the field experiments), that shared problem is the entry point for
cross-group learning: a facilitator may turn it into a working group.

:func:`propose_common_problems` clusters the texts with the engine's text
backends (:mod:`peerlearn.engine.similarity`) and its topic clustering
(:mod:`peerlearn.engine.topics`), keeps in each cluster only the texts close to
its centre, and returns the clusters that at least ``min_groups`` distinct
groups share. It returns data only (group ids, excerpt ids, key terms and a
label made of the texts' own words), never sentences of its own: the page
that shows a proposal writes the sentence, in the reader's language.

:func:`training_demand` adds up the training needs groups name the same way,
counting groups rather than texts (one loud group does not make a demand).

Examples
--------
>>> texts = [
...     Excerpt("1", "A", "Land ownership records are missing for half the parcels"),
...     Excerpt("2", "B", "We are stuck: land ownership records are out of date"),
...     Excerpt("3", "C", "Bad land ownership records block the new registry"),
...     Excerpt("4", "D", "Our minister changed and the new one ignores us"),
... ]
>>> [p.group_ids for p in propose_common_problems(texts)]
[['A', 'B', 'C']]
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from peerlearn.engine.similarity import SimilarityBackend, get_backend, key_terms
from peerlearn.engine.topics import _cluster, auto_topic_count

__all__ = [
    "CommonProblem",
    "DEFAULT_MIN_SIMILARITY",
    "Excerpt",
    "label_from_terms",
    "propose_common_problems",
    "training_demand",
]

#: Texts less similar than this (cosine) to their cluster's centre are left
#: out of the problem: k-means puts every text somewhere, and a problem
#: should only quote texts that really say the same thing.
DEFAULT_MIN_SIMILARITY = 0.25

#: Below this many texts, problems are found by average-linkage clustering,
#: which needs no number of clusters (quadratic memory: 3,000 texts take
#: 36 MB); above it, by k-means.
LINKAGE_LIMIT = 3000

#: Average cosine similarity under which two clusters are not merged.
LINK_SIMILARITY = 0.2

#: How many key terms make a label.
LABEL_TERMS = 3

#: Words every check-in uses when it says it is stuck or needs help, in
#: English, Spanish and French. Left in, they outweigh the topic of a short
#: text: every "We are stuck: ..." would cluster with every other.
CHECK_IN_FILLER = [
    "stuck",
    "blocked",
    "blocking",
    "block",
    "still",
    "needed",
    "needs",
    "need",
    "help",
    "helps",
    "please",
    "support",
    "atascados",
    "atascadas",
    "atascado",
    "bloqueados",
    "bloqueadas",
    "bloqueado",
    "ayuda",
    "necesitamos",
    "todavía",
    "todavia",
    "apoyo",
    "coincés",
    "coincées",
    "bloqués",
    "bloquées",
    "besoin",
    "aide",
    "encore",
    "soutien",
]

#: Key terms are read from at most this many texts of a problem (closest to
#: its centre) against at most this many background texts: enough to name
#: it, and the time stays flat however large the problem.
KEY_TERM_TEXTS = 200
BACKGROUND_TEXTS = 800

_FILLER = re.compile(r"(?ui)\b(?:" + "|".join(CHECK_IN_FILLER) + r")\b")


@dataclass(frozen=True)
class Excerpt:
    """One text a group wrote: ``id`` names it (e.g. ``"check-in 12, stuck"``)."""

    id: Hashable
    group_id: Hashable
    text: str


@dataclass(frozen=True)
class CommonProblem:
    """A problem several groups share.

    Attributes
    ----------
    label
        Up to three key terms, in the texts' own spelling, joined by commas.
    key_terms
        Terms that set these texts apart from the other texts.
    group_ids
        Distinct groups behind the problem, in input order.
    excerpt_ids
        Ids of the texts in the problem, closest to its centre first.
    """

    label: str
    key_terms: list[str] = field(default_factory=list)
    group_ids: list[Hashable] = field(default_factory=list)
    excerpt_ids: list[Hashable] = field(default_factory=list)


def label_from_terms(terms: Sequence[str]) -> str:
    """A label made of the first key terms only, no words of our own.

    Examples
    --------
    >>> label_from_terms(["land ownership", "records", "registry", "parcels"])
    'land ownership, records, registry'
    >>> label_from_terms([])
    ''
    """
    return ", ".join(terms[:LABEL_TERMS])


def _usable(excerpts: Sequence[Excerpt]) -> list[Excerpt]:
    return [e for e in excerpts if e.text and e.text.strip()]


def without_filler(text: str) -> str:
    """``text`` without the words every check-in uses to say it is stuck.

    >>> without_filler("We are STUCK: land records still missing")
    'We are : land records missing'
    """
    kept = _FILLER.sub("", text)
    return re.sub(r"\s+", " ", kept).strip()


def _clusters(
    vectors: npt.NDArray[np.float32], n_clusters: int | None, seed: int
) -> npt.NDArray[np.int64]:
    """A cluster label per row.

    Up to :data:`LINKAGE_LIMIT` texts (a cohort of a few dozen groups), and
    when no number is asked for, average-linkage clustering cuts where texts
    stop being alike: it finds however many problems there are, and does
    not split three texts about one problem because a number of clusters
    said so. Beyond that, k-means with the topic clustering's rule of thumb
    (its memory and time stay linear).
    """
    n = len(vectors)
    if n_clusters is None and 2 <= n <= LINKAGE_LIMIT:
        from sklearn.cluster import AgglomerativeClustering

        model = AgglomerativeClustering(
            n_clusters=None,
            metric="cosine",
            linkage="average",
            distance_threshold=1.0 - LINK_SIMILARITY,
        )
        return np.asarray(model.fit_predict(vectors), dtype=np.int64)
    k = auto_topic_count(n) if n_clusters is None else max(1, n_clusters)
    return _cluster(vectors, min(k, n), seed)


def propose_common_problems(
    excerpts: Sequence[Excerpt],
    *,
    min_groups: int = 2,
    backend: SimilarityBackend | str = "tfidf",
    n_clusters: int | None = None,
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
    seed: int = 0,
) -> list[CommonProblem]:
    """Problems at least ``min_groups`` distinct groups share.

    Parameters
    ----------
    excerpts
        The "stuck" and "help needed" texts of every group; blank texts are
        left out, and so are texts made only of stop words.
    min_groups
        Fewest distinct groups a problem needs (2: "common" means shared).
    backend
        A similarity backend or its registered name.
    n_clusters
        Clusters to try; ``None`` chooses with
        :func:`peerlearn.engine.topics.auto_topic_count`.
    min_similarity
        Cosine to the cluster centre below which a text is left out.
    seed
        Seed of the clustering: the same input and seed give the same problems.

    Returns
    -------
    list of CommonProblem
        Most groups first, then most texts, then by label.

    Notes
    -----
    One backend call embeds every text; k-means (mini-batch above 10,000
    texts) clusters them in at most 64 latent dimensions. 34,000 texts take a
    few seconds with tf-idf (``benchmarks/progress.py``).

    Examples
    --------
    >>> propose_common_problems([])
    []
    >>> propose_common_problems([Excerpt(1, "A", "tax audits"), Excerpt(2, "A", "tax audits")])
    []
    """
    kept = _usable(excerpts)
    if not kept:
        return []
    be = get_backend(backend) if isinstance(backend, str) else backend
    cleaned = [without_filler(e.text) for e in kept]
    vectors = be.vectors(cleaned)
    nonzero = np.flatnonzero(np.abs(vectors).sum(axis=1) > 0)
    if nonzero.size == 0:
        return []
    kept = [kept[i] for i in nonzero]
    texts = [cleaned[i] for i in nonzero]
    vectors = vectors[nonzero]
    labels = _clusters(vectors, n_clusters, seed)
    background = _sample(texts, BACKGROUND_TEXTS)
    problems: list[CommonProblem] = []
    for cluster in np.unique(labels):
        idx = np.flatnonzero(labels == cluster)
        problem = _problem(kept, texts, background, vectors, idx, min_similarity)
        if problem is not None and len(problem.group_ids) >= min_groups:
            problems.append(problem)
    problems.sort(key=lambda p: (-len(p.group_ids), -len(p.excerpt_ids), p.label))
    return problems


def _problem(
    kept: Sequence[Excerpt],
    texts: Sequence[str],
    background: Sequence[str],
    vectors: npt.NDArray[np.float32],
    idx: npt.NDArray[np.intp],
    min_similarity: float,
) -> CommonProblem | None:
    """The close core of one cluster, or ``None`` when nothing is close to its centre.

    Each text is compared with the centre of the *other* texts of its
    cluster: in a small cluster a text is a large part of the plain centre,
    which would keep an unrelated text close to it.
    """
    if idx.size == 1:
        only = int(idx[0])
        terms = key_terms([texts[only]], k=5, background=background)
        return CommonProblem(
            label=label_from_terms(terms),
            key_terms=terms,
            group_ids=[kept[only].group_id],
            excerpt_ids=[kept[only].id],
        )
    rows = vectors[idx]
    total = rows.sum(axis=0)
    dots = rows @ total
    squares = np.einsum("ij,ij->i", rows, rows)
    others_norm = np.sqrt(np.maximum(float(total @ total) - 2 * dots + squares, 0.0))
    closeness = np.divide(
        dots - squares, others_norm, out=np.zeros_like(dots), where=others_norm > 0
    )
    order = np.argsort(-closeness, kind="stable")
    core = [int(idx[i]) for i in order if closeness[i] >= min_similarity]
    if not core:
        return None
    groups = list(dict.fromkeys(kept[i].group_id for i in sorted(core)))
    terms = key_terms([texts[i] for i in core[:KEY_TERM_TEXTS]], k=5, background=background)
    return CommonProblem(
        label=label_from_terms(terms),
        key_terms=terms,
        group_ids=groups,
        excerpt_ids=[kept[i].id for i in core],
    )


def _sample(texts: Sequence[str], limit: int) -> Sequence[str]:
    """At most ``limit`` background texts, evenly spaced (key terms stay linear in time)."""
    if len(texts) <= limit:
        return texts
    step = len(texts) / limit
    return [texts[int(i * step)] for i in range(limit)]


def training_demand(
    excerpts: Sequence[Excerpt],
    *,
    backend: SimilarityBackend | str = "tfidf",
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
    seed: int = 0,
) -> list[CommonProblem]:
    """Training needs added up: like needs together, each with the groups that named it.

    A need named by one group only is kept (it is still demand), but needs
    named by more groups come first.

    Examples
    --------
    >>> needs = [Excerpt(1, "A", "training on procurement law"),
    ...          Excerpt(2, "B", "procurement law training for the team"),
    ...          Excerpt(3, "C", "a course on data visualisation")]
    >>> [len(d.group_ids) for d in training_demand(needs)][:1]
    [2]
    """
    return propose_common_problems(
        excerpts, min_groups=1, backend=backend, min_similarity=min_similarity, seed=seed
    )
