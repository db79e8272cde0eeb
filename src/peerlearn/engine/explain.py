"""Explanations and quality figures of a grouping.

Per group: the themes that drew it together (key phrases of its challenges, as
the members wrote them, and the challenge statements closest to its centre).
Per member: why they are in this group (closest fellow members, the criterion
that links them most, shared attributes). Per run: cohesion, an upper bound on
it and their ratio, the worst group against the average (fairness), and the
constraint report.

Examples
--------
>>> from peerlearn.engine.people import Person
>>> from peerlearn.engine.constraints import Constraints
>>> from peerlearn.engine.grouping import solve_groups
>>> ps = [Person(f"p{i}", organisation=f"o{i}",
...              challenges=("land registry records are incomplete",) if i < 3
...              else ("the budget of our agency was cut",)) for i in range(6)]
>>> r = solve_groups(ps, Constraints(min_size=3, max_size=3), "problems")
>>> ex = explain(r)
>>> ex.groups[r.assignment["p0"]].themes[0]
'land registry records'
>>> 0.0 <= ex.summary["cohesion_ratio"] <= 1.0
True
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from peerlearn.engine.constraints import validate_groups
from peerlearn.engine.criteria import AffinityModel
from peerlearn.engine.grouping import GroupingResult
from peerlearn.engine.people import Person, norm_key
from peerlearn.engine.records import Shared, Tie

__all__ = [
    "criterion_shares",
    "Explanation",
    "GroupExplanation",
    "MemberExplanation",
    "explain",
    "split_sentences",
    "ties_between",
    "upper_bound",
]

FloatArray = npt.NDArray[np.float32]


@dataclass
class GroupExplanation:
    """Why a group hangs together."""

    label: str
    members: list[str]
    score: float
    mean_affinity: float
    themes: list[str] = field(default_factory=list)
    excerpts: list[str] = field(default_factory=list)


@dataclass
class MemberExplanation:
    """Why one person is in their group."""

    id: str
    group: str
    fit: float
    closest: list[tuple[str, float]]
    shared: list[Shared]
    #: The criterion key that links them most to the others ('' when none does);
    #: :func:`peerlearn.engine.wording.member_reason` writes the CLI's "why".
    mostly: str
    #: The challenge sentences tying them to each of ``closest`` (when texts were compared).
    ties: list[Tie] = field(default_factory=list)


@dataclass
class Explanation:
    """Groups, members and the run summary (JSON-ready via :meth:`as_dict`)."""

    groups: dict[str, GroupExplanation]
    members: dict[str, MemberExplanation]
    summary: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable report."""
        return {
            "summary": self.summary,
            "groups": [
                {
                    "group": g.label,
                    "members": g.members,
                    "score": round(g.score, 4),
                    "mean_affinity": round(g.mean_affinity, 4),
                    "themes": g.themes,
                    "excerpts": g.excerpts,
                }
                for g in self.groups.values()
            ],
        }


def upper_bound(model: AffinityModel, max_size: int, *, block: int = 1024) -> float:
    """An upper bound on the cohesion any grouping with groups of at most ``max_size`` reaches.

    Each person contributes half of the sum of their ``max_size - 1`` largest
    positive affinities: a group's cohesion is half the sum over its members of
    their affinities to the others, each at most that.

    Notes
    -----
    Exact blocked products, ``O(n^2 d)`` arithmetic and ``O(block * n)`` memory:
    about 1 s for 10,000 people and 30 s for 50,000 (d = 256).

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> from peerlearn.engine.criteria import build_model
    >>> m = build_model([Person("a", country="X"), Person("b", country="X"),
    ...                  Person("c", country="Y"), Person("d", country="Y")], "context")
    >>> upper_bound(m, 2)
    2.0
    """
    x = model.x
    n = x.shape[0]
    k = max(0, min(max_size - 1, n - 1))
    if k == 0 or n < 2:
        return 0.0
    xs = model.xs
    total = 0.0
    for start in range(0, n, block):
        stop = min(n, start + block)
        a = xs[start:stop] @ x.T
        a[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        top = np.partition(a, n - k, axis=1)[:, n - k :]
        total += float(np.clip(top, 0.0, None).sum(dtype=np.float64))
    return total / 2.0


def criterion_shares(result: GroupingResult) -> dict[str, dict[str, float]]:
    """Per criterion: the cohesion the groups reach on it alone, and its upper bound.

    ``{name: {"cohesion": c, "bound": b, "share": c / b}}`` where ``b`` is
    :func:`upper_bound` of that criterion's block alone: the most any grouping
    of these sizes could share of it. The run page words ``share`` ("these
    groups share 72 % of what the closest possible grouping would"), which a
    facilitator can weigh, instead of raw cohesion sums. Balance criteria
    (negative sign) are left out: their "sharing" is not the aim. ``share``
    is 0 when nothing can be shared (``b == 0``).

    Notes
    -----
    One :func:`upper_bound` per criterion: ``O(n^2 d)``; the web layer calls
    it for cohorts up to a few thousand.

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> from peerlearn.engine.grouping import score_grouping
    >>> ps = [Person("a", country="KE"), Person("b", country="KE"), Person("c", country="FR"),
    ...       Person("d", country="FR")]
    >>> r = score_grouping(ps, {"a": "G1", "c": "G1", "b": "G2", "d": "G2"}, weights="context")
    >>> criterion_shares(r)["context"]
    {'cohesion': 0.0, 'bound': 2.0, 'share': 0.0}
    """
    model = result.model
    index = {p.id: i for i, p in enumerate(result.people)}
    groups = [[index[i] for i in ids] for ids in result.groups.values()]
    largest = max((len(g) for g in groups), default=0)
    out: dict[str, dict[str, float]] = {}
    for name, sl in model.blocks.items():
        if float(model.sign[sl].min(initial=1.0)) < 0:
            continue
        x = np.ascontiguousarray(model.x[:, sl])
        sub_model = AffinityModel(x, np.ones(x.shape[1], dtype=np.float32))
        cohesion = 0.0
        for idx in groups:
            if len(idx) > 1:
                total = x[idx].sum(axis=0, dtype=np.float64)
                sq = float((x[idx].astype(np.float64) ** 2).sum())
                cohesion += (float(total @ total) - sq) / 2
        bound = upper_bound(sub_model, largest)
        out[name] = {
            "cohesion": round(cohesion, 4),
            "bound": round(bound, 4),
            "share": round(min(1.0, cohesion / bound), 4) if bound > 1e-9 else 0.0,
        }
    return out


_SENTENCE_END = re.compile(r"(?<=[.!?;:。！？])\s+|\n+")
_WORD = re.compile(r"\w{3,}")


def split_sentences(text: str) -> list[str]:
    """The sentences of a challenge (end punctuation or line breaks; never empty).

    Examples
    --------
    >>> split_sentences("Our registry is old. Nobody updates it!  Why?")
    ['Our registry is old.', 'Nobody updates it!', 'Why?']
    >>> split_sentences("")
    ['']
    """
    parts = [p.strip() for p in _SENTENCE_END.split(text or "") if p.strip()]
    return parts or [text.strip()]


def _words(text: str) -> set[str]:
    from peerlearn.engine.similarity import normalise_text

    return set(_WORD.findall(normalise_text(text)))


def _closest_sentences(a: str, b: str) -> tuple[int, int]:
    """The pair of sentences of ``a`` and ``b`` sharing most words (Jaccard; ties: first).

    Within two challenges already matched by the backend's vectors, word
    overlap picks the sentence to quote: cheap, and the quoted words are
    visibly the shared ones. Across languages it falls back to the first
    sentences (no words shared).
    """
    sa, sb = split_sentences(a), split_sentences(b)
    if len(sa) == 1 and len(sb) == 1:
        return 0, 0
    best, pick = 0.0, (0, 0)
    wa = [_words(x) for x in sa]
    wb = [_words(x) for x in sb]
    for i, x in enumerate(wa):
        for j, y in enumerate(wb):
            union = len(x | y)
            score = len(x & y) / union if union else 0.0
            if score > best:
                best, pick = score, (i, j)
    return pick


def ties_between(
    model: AffinityModel, people: Sequence[Person], i: int, peers: Sequence[int]
) -> list[Tie]:
    """For each of ``peers``: the challenge (and sentence) pair that ties them most to ``i``.

    Uses the backend's per-challenge vectors; empty when the model has none
    (no problems criterion) or a pair shares nothing (similarity <= 0).

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> from peerlearn.engine.criteria import build_model
    >>> ps = [Person("a", challenges=("Budget cuts hit us. The land registry is incomplete.",)),
    ...       Person("b", challenges=("Our land registry is incomplete and old.",)),
    ...       Person("c", challenges=("Recruiting auditors is slow.",))]
    >>> t = ties_between(build_model(ps, "problems"), ps, 0, [1])[0]
    >>> t.peer, t.mine, t.mine_sentence, t.theirs
    ('b', 0, 1, 0)
    """
    cv, rows = model.challenge_vectors, model.challenge_rows
    if cv is None or rows is None or not rows[i]:
        return []
    out = []
    for j in peers:
        if not rows[j]:
            continue
        sims = cv[rows[i]] @ cv[rows[j]].T
        a, b = np.unravel_index(int(np.argmax(sims)), sims.shape)
        score = float(sims[a, b])
        if score <= 0:
            continue
        mine, theirs = people[i].challenges[int(a)], people[j].challenges[int(b)]
        sa, sb = _closest_sentences(mine, theirs)
        out.append(Tie(people[j].id, int(a), int(b), sa, sb, round(score, 3)))
    return out


def _excerpt(text: str, width: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def explain(
    result: GroupingResult,
    *,
    terms: int = 5,
    excerpts: int = 2,
    bound: bool = True,
) -> Explanation:
    """Explain every group and member of ``result`` and summarise the run.

    Parameters
    ----------
    result
        A grouping from :func:`~peerlearn.engine.grouping.solve_groups`.
    terms
        Key phrases (themes) per group.
    excerpts
        Closest challenge excerpts per group.
    bound
        Compute the cohesion upper bound (``O(n^2 d)``; turn off for speed).

    Notes
    -----
    ``O(n s d)`` for members plus one key-term pass per group (linear in the
    group's text), plus the bound.
    """
    t0 = time.perf_counter()
    model = result.model
    people = result.people
    index = {p.id: i for i, p in enumerate(people)}
    xs = model.xs
    cv, rows = model.challenge_vectors, model.challenge_rows
    from peerlearn.engine.topics import PhraseIndex, key_phrases

    cohort = PhraseIndex([t for p in people for t in p.challenges if t.strip()])

    groups: dict[str, GroupExplanation] = {}
    members: dict[str, MemberExplanation] = {}
    for label, ids in result.groups.items():
        idx = [index[i] for i in ids]
        size = len(idx)
        pairs = size * (size - 1) / 2
        score = result.scores.get(label, 0.0)
        texts = [t for i in idx for t in people[i].challenges if t.strip()]
        themes = (
            key_phrases(texts, k=terms, background=cohort, ranker="counts")
            if (terms and texts)
            else []
        )
        chosen: list[str] = []
        if excerpts and cv is not None and rows is not None:
            crow = [r for i in idx for r in rows[i]]
            if crow:
                sub = cv[crow]
                centre = sub.sum(axis=0)
                sims = sub @ centre
                owner = [i for i in idx for _ in rows[i]]
                seen: set[int] = set()
                for t in np.argsort(-sims, kind="stable"):
                    if owner[int(t)] in seen:
                        continue  # one excerpt per member, for variety
                    seen.add(owner[int(t)])
                    text = people[owner[int(t)]].challenges[rows[owner[int(t)]].index(crow[int(t)])]
                    chosen.append(_excerpt(text))
                    if len(chosen) == excerpts:
                        break
        elif excerpts and texts:
            low = [t.lower() for t in themes]
            ranked = sorted(texts, key=lambda t: -sum(w in t.lower() for w in low))
            chosen = [_excerpt(t) for t in ranked[:excerpts]]
        groups[label] = GroupExplanation(
            label, list(ids), score, score / pairs if pairs else 0.0, themes, chosen
        )
        aff = xs[idx] @ model.x[idx].T if size > 1 else np.zeros((1, 1), dtype=np.float32)
        for a, i in enumerate(idx):
            others = [b for b in range(size) if b != a]
            fit = float(aff[a, others].mean()) if others else 0.0
            order = sorted(others, key=lambda b: (-float(aff[a, b]), ids[b]))
            closest = [(ids[b], round(float(aff[a, b]), 3)) for b in order[:2]]
            shared = _shared(people[i], [people[idx[b]] for b in others])
            mostly = _mostly(model, i, [idx[b] for b in others])
            ties = ties_between(model, people, i, [idx[b] for b in order[:2]])
            members[people[i].id] = MemberExplanation(
                people[i].id, label, fit, closest, shared, mostly, ties
            )
    summary = summarise(result, groups, bound=bound)
    summary["seconds_explain"] = round(time.perf_counter() - t0, 3)
    return Explanation(groups, members, summary)


def _shared(p: Person, others: Sequence[Person]) -> list[Shared]:
    """Attributes ``p`` shares with some of ``others`` (languages: with all of them)."""
    out = []
    checks: list[tuple[str, str, Callable[[Person], str]]] = [
        ("policy_area", norm_key(p.policy_area), lambda q: norm_key(q.policy_area)),
        ("role", norm_key(p.role), lambda q: norm_key(q.role)),
        ("region", norm_key(p.region), lambda q: norm_key(q.region)),
        ("country", p.country_key, lambda q: q.country_key),
    ]
    for name, mine, get in checks:
        if mine:
            k = sum(1 for q in others if get(q) == mine)
            if k:
                out.append(Shared(name, mine, k))
    if p.language_keys and others:
        common = set(p.language_keys)
        for q in others:
            if q.language_keys:
                common &= q.language_keys
        if common:
            out.append(Shared("language", ", ".join(sorted(common))))
    return out


def _mostly(model: AffinityModel, i: int, others: Sequence[int]) -> str:
    """The criterion that adds most affinity between ``i`` and ``others`` ('' if none adds any)."""
    if not others or not model.blocks:
        return ""
    totals: dict[str, float] = {}
    for j in others:
        for name, value in model.by_criterion(i, j).items():
            totals[name] = totals.get(name, 0.0) + value
    best, value = max(totals.items(), key=lambda kv: (kv[1], kv[0]))
    return best if value > 0 else ""


def summarise(
    result: GroupingResult,
    groups: dict[str, GroupExplanation] | None = None,
    *,
    bound: bool = True,
) -> dict[str, Any]:
    """Run-level figures: cohesion, bound, ratio, fairness, constraint report.

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> from peerlearn.engine.constraints import Constraints
    >>> from peerlearn.engine.grouping import solve_groups
    >>> areas = ["tax", "land", "tax", "land"]
    >>> r = solve_groups([Person(str(i), policy_area=a) for i, a in enumerate(areas)],
    ...                  Constraints(min_size=2, max_size=2, max_per_organisation=None), "policy")
    >>> s = summarise(r)
    >>> s["cohesion"], s["upper_bound"], s["cohesion_ratio"], s["violations"]
    (2.0, 2.0, 1.0, [])
    """
    c = result.constraints
    means = []
    for label, ids in result.groups.items():
        size = len(ids)
        pairs = size * (size - 1) / 2
        means.append((result.scores[label] / pairs if pairs else 0.0, label))
    cohesion = result.cohesion
    ub = upper_bound(result.model, c.max_size) if bound else None
    worst = min(means) if means else (0.0, "")
    avg = float(np.mean([m for m, _ in means])) if means else 0.0
    violations = [v.as_dict() for v in validate_groups(result.people, result.assignment, c)]
    sizes = Counter(len(v) for v in result.groups.values())
    return {
        "people": len(result.people),
        "groups": len(result.groups),
        "group_sizes": {str(k): v for k, v in sorted(sizes.items())},
        "seed": result.seed,
        "criteria": result.model.weights,
        "cohesion": round(cohesion, 4),
        "upper_bound": round(ub, 4) if ub is not None else None,
        "cohesion_ratio": round(cohesion / ub, 4) if ub else None,
        "mean_group_affinity": round(avg, 4),
        "worst_group": worst[1],
        "worst_group_affinity": round(worst[0], 4),
        "fairness_worst_over_mean": round(worst[0] / avg, 4) if avg > 0 else None,
        "repeat_penalty": round(result.penalty, 4),
        "constraints": c.describe(),
        "violations": violations,
        "search": {
            "seconds": round(result.stats.seconds, 3),
            "passes": result.stats.passes,
            "moves": result.stats.moves,
            "swaps": result.stats.swaps,
            "repairs": result.stats.repairs,
            "stopped_by_time_limit": result.stats.stopped_by_time,
            "phases": {k: round(v, 3) for k, v in result.stats.phases.items()},
        },
    }
