"""Filing and editing check-ins; common problems and working groups; training demand."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from peerlearn.engine import common_problems as engine
from peerlearn.people.models import Person
from peerlearn.programmes.models import Cohort, Group, GroupMember
from peerlearn.progress.models import (
    CHECKIN_FIELDS,
    CheckIn,
    CheckInRound,
    CheckInVersion,
    CommonProblem,
    WorkingGroup,
)

#: The texts common problems are found in ("stuck" and "help needed").
PROBLEM_FIELDS = ("stuck", "help_peers", "help_authoriser")


class EditConflict(Exception):
    """Someone saved the check-in since this writer opened it."""


def save_check_in(
    *,
    round: CheckInRound,
    group: Group,
    author: Person | None,
    fields: dict[str, object],
    expected_version: int | None,
) -> CheckIn:
    """Create or edit a group's check-in for a round, keeping every version.

    ``expected_version`` is the version the writer's form was opened on
    (``None`` for a new check-in). The edit is one conditional UPDATE on that
    version: if another member saved first, nothing is written and
    :class:`EditConflict` is raised (the form shows the newer text).
    """
    values = {name: fields.get(name) for name in CHECKIN_FIELDS}
    for name in CHECKIN_FIELDS:
        if name != "progress":
            values[name] = str(values[name] or "").strip()
    with transaction.atomic():
        if expected_version is None:
            try:
                with transaction.atomic():
                    check_in = CheckIn.objects.create(
                        round=round, group=group, author=author, version=1, **values
                    )
            except IntegrityError as error:
                raise EditConflict from error
        else:
            updated = CheckIn.objects.filter(
                round=round, group=group, version=expected_version
            ).update(
                version=expected_version + 1, author=author, updated_at=timezone.now(), **values
            )
            if updated != 1:
                raise EditConflict
            check_in = CheckIn.objects.get(round=round, group=group)
        CheckInVersion.objects.create(
            check_in=check_in,
            number=check_in.version,
            fields=check_in.snapshot(),
            author=author,
        )
    return check_in


def current_groups(cohort: Cohort) -> list[Group]:
    """The cohort's current groups, then its current pairs (each by name)."""
    return list(cohort.groups.filter(archived_at__isnull=True).order_by("kind", "name"))


def _excerpts(check_ins: Iterable[CheckIn], fields: Sequence[str]) -> list[engine.Excerpt]:
    out: list[engine.Excerpt] = []
    for check_in in check_ins:
        for name in fields:
            text = getattr(check_in, name)
            if text and text.strip():
                out.append(engine.Excerpt(f"{check_in.pk}:{name}", check_in.group_id, text))
    return out


def _check_ins_of(cohort: Cohort, fields: Sequence[str]) -> list[CheckIn]:
    """The check-ins of the cohort's current groups, with only the texts ``fields``.

    34,000 check-ins of 1,700 groups: loading their other five texts too
    would double what is read for nothing.
    """
    return list(
        CheckIn.objects.filter(round__cohort=cohort, group__archived_at__isnull=True)
        .only("pk", "group_id", *fields)
        .order_by("pk")
    )


def _same_problem(group_ids: Iterable[object], key_terms: Iterable[str]) -> tuple[object, ...]:
    return (frozenset(int(str(g)) for g in group_ids), frozenset(key_terms))


def propose_problems(cohort: Cohort) -> list[CommonProblem]:
    """Run the engine over the cohort's check-ins and keep its proposals.

    Earlier proposals still open are replaced; dismissed and converted ones
    stay, and a proposal with the same groups and key terms as a dismissed
    one is not made again (the facilitator already said no to it).
    """
    found = engine.propose_common_problems(
        _excerpts(_check_ins_of(cohort, PROBLEM_FIELDS), PROBLEM_FIELDS)
    )
    refused = {
        _same_problem(p.group_ids, p.key_terms)
        for p in CommonProblem.objects.filter(cohort=cohort, status="dismissed")
    }
    found = [p for p in found if _same_problem(p.group_ids, p.key_terms) not in refused]
    with transaction.atomic():
        CommonProblem.objects.filter(cohort=cohort, status="proposed").delete()
        return [
            CommonProblem.objects.create(
                cohort=cohort,
                label=problem.label[:300],
                key_terms=problem.key_terms,
                group_ids=[int(str(g)) for g in problem.group_ids],
                excerpts=[str(e).split(":", 1) for e in problem.excerpt_ids],
            )
            for problem in found
        ]


def set_problem_dismissed(problem: CommonProblem, dismissed: bool) -> bool:
    """Dismiss a proposed problem (or restore a dismissed one); False if it moved meanwhile.

    One conditional UPDATE on the status the facilitator saw: a problem
    another facilitator just turned into a working group stays converted.
    """
    source, target = ("proposed", "dismissed") if dismissed else ("dismissed", "proposed")
    changed = CommonProblem.objects.filter(pk=problem.pk, status=source).update(status=target)
    return changed == 1


@dataclass(frozen=True)
class Quote:
    group: Group
    text: str


def quotes(problem_excerpts: Sequence[Sequence[str]], limit: int = 3) -> list[Quote]:
    """The first ``limit`` texts behind a problem (closest to its centre first)."""
    pairs = [(int(pk), name) for pk, name in problem_excerpts[:limit] if name in CHECKIN_FIELDS]
    by_pk = CheckIn.objects.select_related("group").in_bulk([pk for pk, _ in pairs])
    return [Quote(by_pk[pk].group, getattr(by_pk[pk], name)) for pk, name in pairs if pk in by_pk]


@dataclass(frozen=True)
class Demand:
    label: str
    groups: list[Group]
    quotes: list[str]


def training_demand(cohort: Cohort) -> list[Demand]:
    """Training needs the cohort's groups named, like needs together, most groups first."""
    check_ins = {c.pk: c for c in _check_ins_of(cohort, ("help_training",))}
    found = engine.training_demand(_excerpts(check_ins.values(), ("help_training",)))
    groups = {g.pk: g for g in current_groups(cohort)}
    out: list[Demand] = []
    for item in found:
        texts = [check_ins[int(str(e).split(":")[0])].help_training for e in item.excerpt_ids]
        out.append(
            Demand(
                label=item.label,
                groups=[groups[int(str(g))] for g in item.group_ids if int(str(g)) in groups],
                quotes=list(dict.fromkeys(texts))[:3],
            )
        )
    return out


class WorkingGroupError(Exception):
    """Why a working group was not created: ``code`` is one of the class constants."""

    NAME_TAKEN = "name_taken"
    NO_MEMBERS = "no_members"
    ALREADY = "already"
    NOT_IN_COHORT = "not_in_cohort"

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def candidates(cohort: Cohort, group_ids: Iterable[int], role_term: str = "") -> list[Person]:
    """Members of the cohort's current groups ``group_ids`` (all when empty), by role if given."""
    rows = GroupMember.objects.filter(group__cohort=cohort, group__archived_at__isnull=True)
    ids = list(group_ids)
    if ids:
        rows = rows.filter(group_id__in=ids)
    if role_term.strip():
        rows = rows.filter(person__role_title__icontains=role_term.strip())
    people = Person.objects.filter(pk__in=rows.values("person_id")).select_related("organisation")
    return list(people.order_by("name", "pk"))


def create_working_group(
    *,
    cohort: Cohort,
    name: str,
    member_ids: Sequence[int],
    source_group_ids: Sequence[int],
    problem: CommonProblem | None = None,
    role_term: str = "",
) -> Group:
    """A cross-group working group: a group of the cohort with members drawn from others.

    All or nothing: the problem is marked converted by a conditional UPDATE
    (only while still proposed) in the same transaction as the group is
    written, so of two facilitators creating from one problem, one wins and
    the other is told; a taken name or a member outside the chosen groups
    writes nothing.
    """
    allowed = {p.pk for p in candidates(cohort, source_group_ids, role_term)}
    chosen = list(dict.fromkeys(member_ids))
    if not chosen:
        raise WorkingGroupError(WorkingGroupError.NO_MEMBERS)
    if not set(chosen) <= allowed:
        raise WorkingGroupError(WorkingGroupError.NOT_IN_COHORT)
    with transaction.atomic():
        if problem is not None:
            won = CommonProblem.objects.filter(
                pk=problem.pk, status="proposed", working_group__isnull=True
            ).update(status="converted")
            if won != 1:
                raise WorkingGroupError(WorkingGroupError.ALREADY)
        if cohort.groups.filter(name=name, archived_at__isnull=True).exists():
            raise WorkingGroupError(WorkingGroupError.NAME_TAKEN)
        try:
            with transaction.atomic():
                group = Group.objects.create(cohort=cohort, name=name)
        except IntegrityError as error:
            raise WorkingGroupError(WorkingGroupError.NAME_TAKEN) from error
        GroupMember.objects.bulk_create(GroupMember(group=group, person_id=pk) for pk in chosen)
        WorkingGroup.objects.create(
            group=group,
            problem=problem,
            source_group_ids=sorted(set(source_group_ids)),
            role_term=role_term.strip(),
        )
        if problem is not None:
            CommonProblem.objects.filter(pk=problem.pk).update(working_group=group)
    return group
