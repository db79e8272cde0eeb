"""Reading runs and people for the engine: conversions, constraints, results, checks.

No writes. The engine stays free of Django: people become
:class:`peerlearn.engine.people.Person` with ``id = str(person.pk)``; the
run's parameters become :class:`~peerlearn.engine.constraints.Constraints`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Q

from peerlearn.engine.constraints import Constraints, validate_groups
from peerlearn.engine.people import Person as EnginePerson
from peerlearn.intake.models import Challenge
from peerlearn.matching.models import MatchingRun, PublishedPair
from peerlearn.matching.result import RunParameters
from peerlearn.people.models import Person
from peerlearn.programmes.models import Cohort, Group

PAIR_MODES = ("external-local", "mentor", "peer")


def cohort_people(cohort: Cohort) -> list[Person]:
    """The participants of a cohort, with their organisation (one query)."""
    return list(
        Person.objects.filter(memberships__cohort=cohort, memberships__role="participant")
        .select_related("organisation")
        .distinct()
        .order_by("pk")
    )


def to_engine(
    people: Iterable[Person], programme_id: int = 0, *, with_challenges: bool = True
) -> list[EnginePerson]:
    """Engine people for Django people; challenges are those named for the programme."""
    people = list(people)
    texts: dict[int, list[str]] = defaultdict(list)
    tags: dict[int, list[str]] = defaultdict(list)
    if with_challenges and people:
        rows = (
            Challenge.objects.filter(programme_id=programme_id, person__in=[p.pk for p in people])
            .order_by("person_id", "position", "pk")
            .values_list("person_id", "text", "tags")
        )
        for person_id, text, row_tags in rows:
            if text.strip():
                texts[person_id].append(text)
            tags[person_id].extend(str(t) for t in (row_tags or []))
    return [
        EnginePerson(
            id=str(p.pk),
            organisation=p.organisation.name if p.organisation else "",
            country=p.country or "",
            role=p.role_title or "",
            challenges=tuple(texts.get(p.pk, ())),
            languages=tuple(str(x) for x in (p.languages or [])),
            seniority=p.seniority or "",
            gender=p.gender or "",
            external=p.is_external,
            alumni=p.is_alumni,
            tags=tuple(dict.fromkeys(tags.get(p.pk, ()))),
        )
        for p in people
    ]


def challenge_texts(programme_id: int, person_ids: Iterable[int]) -> dict[str, list[str]]:
    """Each person's challenges in the order :func:`to_engine` gives them to the engine.

    The engine's tie records index into that order (blank challenges left
    out), so the pages quote the sentences the engine compared.
    """
    out: dict[str, list[str]] = defaultdict(list)
    rows = (
        Challenge.objects.filter(programme_id=programme_id, person__in=list(person_ids))
        .order_by("person_id", "position", "pk")
        .values_list("person_id", "text")
    )
    for person_id, text in rows:
        if text.strip():
            out[str(person_id)].append(text)
    return dict(out)


def weights_of(parameters: Mapping[str, Any]) -> dict[str, float]:
    """The positive criterion weights of a run's parameters (see RunParameters.criteria)."""
    return RunParameters.from_json(parameters).criteria()


def history_pairs(run: MatchingRun) -> tuple[tuple[str, str], ...]:
    """Who already met in rounds of the programme published before ``run`` was made."""
    earlier = (
        MatchingRun.objects.filter(
            cohort__programme_id=run.cohort.programme_id,
            published_at__isnull=False,
            published_at__lte=run.created_at,
        )
        .exclude(pk=run.pk)
        .only("kind", "result")
    )
    out: set[tuple[str, str]] = set()
    for other in earlier:
        for a, b in met_pairs(other):
            out.add((a, b) if a < b else (b, a))
    return tuple(sorted(out))


def met_pairs(run: MatchingRun) -> list[tuple[str, str]]:
    """The pairs of people a run puts together (every pair inside each group)."""
    if run.kind == "pairs":
        return [(p["a"], p["b"]) for p in run.run_result.pairs]
    out: list[tuple[str, str]] = []
    for members in groups_of(run).values():
        ordered = sorted(members)
        for i, a in enumerate(ordered):
            out.extend((a, b) for b in ordered[i + 1 :])
    return out


def constraints_for(
    run: MatchingRun, ids: set[str], *, history: Sequence[tuple[str, str]] | None = None
) -> Constraints:
    """The engine constraints of a run, limited to the people ``ids``."""
    p = run.run_parameters

    def sets(groups: list[list[str]]) -> tuple[tuple[str, ...], ...]:
        out = []
        for group in groups:
            kept = tuple(i for i in group if i in ids)
            if len(kept) >= 2:
                out.append(kept)
        return tuple(out)

    if history is None:
        history = history_pairs(run) if p.avoid_repeats else ()
    history = tuple((a, b) for a, b in history if a in ids and b in ids)
    return Constraints(
        min_size=p.min_size,
        max_size=p.max_size,
        max_per_organisation=p.max_per_organisation,
        max_per_country=p.max_per_country,
        min_countries=p.min_countries,
        keep_together=sets(p.keep_together),
        keep_apart=sets(p.keep_apart),
        locked={k: v for k, v in p.locked.items() if k in ids},
        history=history,
        shared_language=p.shared_language,
    )


def groups_of(run: MatchingRun) -> dict[str, list[str]]:
    """``label -> [person ids]`` in the run's label order."""
    return run.run_result.groups_in_order()


def current_published(cohort: Cohort, kind: str) -> MatchingRun | None:
    return (
        MatchingRun.objects.filter(cohort=cohort, kind=kind, published_at__isnull=False)
        .order_by("-published_at", "-pk")
        .first()
    )


def group_problems(run: MatchingRun, assignment: Mapping[str, str]) -> list[dict[str, Any]]:
    """Hard-constraint violations of ``assignment`` under the run's constraints."""
    persons = Person.objects.filter(pk__in=[int(i) for i in assignment]).select_related(
        "organisation"
    )
    people = to_engine(persons, with_challenges=False)
    ids = {p.id for p in people}
    c = constraints_for(run, ids)
    # locks only bind re-runs; a manual placement is the facilitator's decision
    c = Constraints(**{**c.__dict__, "locked": {}})
    found = validate_groups(people, {k: v for k, v in assignment.items() if k in ids}, c)
    return [f.as_dict() for f in found]


def pair_problems(
    run: MatchingRun,
    pairs_rows: Sequence[Mapping[str, Any]] | None = None,
    extra: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """Hard-constraint violations of the run's pairs (or of ``pairs_rows``).

    Everyone paired, everyone a re-pair left without a partner (``left_out``)
    and the people in ``extra`` must be paired validly.
    """
    from peerlearn.engine.pairing import validate_pairs

    stored = run.run_result
    rows = stored.pairs if pairs_rows is None else pairs_rows
    pairs = [(p["a"], p["b"]) for p in rows]
    ids = {i for pair in pairs for i in pair}
    ids |= set(stored.left_out) | {str(i) for i in extra}
    persons = Person.objects.filter(pk__in=[int(i) for i in ids]).select_related("organisation")
    people = to_engine(persons, with_challenges=False)
    c = constraints_for(run, {p.id for p in people})
    mode = stored.pair_mode(run.run_parameters)
    capacity = stored.capacity
    found = validate_pairs(people, pairs, mode, c, capacity=capacity if mode != "peer" else None)
    return [f.as_dict() for f in found]


def pair_people(run: MatchingRun) -> list[Person]:
    """Who may be chosen in a re-pair: the run's people and the cohort's participants."""
    stored = run.run_result
    ids = {int(p[k]) for p in stored.pairs for k in ("a", "b")}
    ids |= {int(i) for i in stored.left_out}
    ids |= {p.pk for p in cohort_people(run.cohort)}
    return list(Person.objects.filter(pk__in=ids).select_related("organisation").order_by("name"))


def mates(run: MatchingRun) -> dict[str, frozenset[str]]:
    """Each person's group-mates (or partners) in a run."""
    out: dict[str, set[str]] = defaultdict(set)
    if run.kind == "pairs":
        for p in run.run_result.pairs:
            out[p["a"]].add(p["b"])
            out[p["b"]].add(p["a"])
    else:
        for members in groups_of(run).values():
            for pid in members:
                out[pid] = set(members) - {pid}
    return {k: frozenset(v) for k, v in out.items()}


def placed_differently(a: MatchingRun, b: MatchingRun) -> tuple[int, int]:
    """(people whose group-mates differ between the runs, people in both runs)."""
    ma, mb = mates(a), mates(b)
    both = set(ma) & set(mb)
    return sum(1 for pid in both if ma[pid] != mb[pid]), len(both)


def earlier_groups_of(person: Person, cohort: Cohort) -> list[Group]:
    """The archived groups of ``person`` in ``cohort`` (earlier rounds), newest first.

    Groups only: the groups of earlier pairs are pairs, not groupings.
    """
    return list(
        Group.objects.filter(
            cohort=cohort, kind="group", archived_at__isnull=False, memberships__person=person
        )
        .select_related("source_run")
        .order_by("-archived_at", "-pk")
    )


def pair_rows_for(
    person: Person, cohort: Cohort
) -> tuple[MatchingRun | None, list[Person], int | None]:
    """The partners of ``person`` in the cohort's current published pairs, and the pair's group."""
    run = current_published(cohort, "pairs")
    if run is None:
        return None, [], None
    rows = list(PublishedPair.objects.filter(run=run).filter(Q(a=person) | Q(b=person)))
    ids = {r.a_id for r in rows} | {r.b_id for r in rows}
    ids.discard(person.pk)
    group_id = next((r.group_id for r in rows if r.group_id), None)
    return run, list(Person.objects.filter(pk__in=ids).select_related("organisation")), group_id
