"""Who may see and do what in a programme.

Roles attach to a person *in* a programme (cohort empty) or in one of its
cohorts or modules, never to the account.  Superusers act as facilitators
everywhere; ``is_staff`` alone only opens the Django admin.

The rules, in one place:

* facilitator of the programme: manages the programme, all its cohorts,
  people and groups, and sees everything in it;
* facilitator of a cohort or module: manages that cohort only, sees the
  programme page and people;
* participant: sees the programme, the people in it (no e-mail addresses),
  their own groups and what is shared in them;
* evaluator: reads everything except what peers share inside groups;
* observer: sees the programme page and the people in it (no e-mail addresses).

A person's intake answers (challenges and learning expectations) have their
own rule beside the intake (``intake/permissions.py``), as surveys, progress
and stories do.  Participants and observers list only the
people who agreed to be contacted, themselves, their group-mates and the
facilitators (:func:`listed_people`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from peerlearn.accounts.models import User
from peerlearn.programmes.models import Cohort, Group, GroupMember, Membership, Programme

if TYPE_CHECKING:
    from peerlearn.people.models import Person

AnyUser = User | AnonymousUser


@dataclass(frozen=True)
class Access:
    """The roles one user holds in one programme."""

    superuser: bool = False
    programme_roles: frozenset[str] = frozenset()
    cohort_roles: dict[int, frozenset[str]] = field(default_factory=dict)

    @property
    def any_role(self) -> bool:
        return self.superuser or bool(self.programme_roles) or bool(self.cohort_roles)

    def holds(self, role: str) -> bool:
        """True when the role is held programme-wide or in any cohort."""
        return role in self.programme_roles or any(role in r for r in self.cohort_roles.values())

    @property
    def manages_programme(self) -> bool:
        return self.superuser or "facilitator" in self.programme_roles

    def manages_cohort(self, cohort_id: int) -> bool:
        return self.manages_programme or "facilitator" in self.cohort_roles.get(
            cohort_id, frozenset()
        )

    @property
    def manages_any_cohort(self) -> bool:
        return self.manages_programme or self.holds("facilitator")

    @property
    def sees_contacts(self) -> bool:
        """Every e-mail address of the programme: its facilitators only."""
        return self.manages_programme

    def sees_contact_of(self, cohort_ids: Iterable[int | None]) -> bool:
        """A person's e-mail: facilitators of the programme or of one of their cohorts."""
        return self.manages_programme or any(
            cohort_id is not None and self.manages_cohort(cohort_id) for cohort_id in cohort_ids
        )

    @property
    def reads_everything(self) -> bool:
        """Facilitators of the programme and evaluators (outside private group material)."""
        return self.manages_programme or "evaluator" in self.programme_roles


def access_for(user: AnyUser, programme: Programme) -> Access:
    if not user.is_authenticated:
        return Access()
    if user.is_superuser:
        return Access(superuser=True)
    programme_roles: set[str] = set()
    cohort_roles: dict[int, set[str]] = {}
    rows = Membership.objects.filter(programme=programme, person__user=user).values_list(
        "cohort_id", "role"
    )
    for cohort_id, role in rows:
        if cohort_id is None:
            programme_roles.add(role)
        else:
            cohort_roles.setdefault(cohort_id, set()).add(role)
    return Access(
        programme_roles=frozenset(programme_roles),
        cohort_roles={k: frozenset(v) for k, v in cohort_roles.items()},
    )


def visible_programmes(user: AnyUser):
    if not user.is_authenticated:
        return Programme.objects.none()
    if user.is_superuser:
        return Programme.objects.all()
    return Programme.objects.filter(memberships__person__user=user).distinct()


def can_create_programme(user: AnyUser) -> bool:
    return user.is_authenticated and user.has_perm("programmes.add_programme")


def is_group_member(user: AnyUser, group: Group) -> bool:
    return user.is_authenticated and group.members.filter(user=user).exists()


def can_see_group(user: AnyUser, group: Group, access: Access) -> bool:
    """Members, facilitators and evaluators see who is in a group."""
    return (
        access.manages_cohort(group.cohort_id)
        or "evaluator" in access.programme_roles
        or is_group_member(user, group)
    )


def visible_groups(user: AnyUser, groups: Iterable[Group], access: Access) -> list[Group]:
    """The groups of ``groups`` that :func:`can_see_group` lets ``user`` see.

    The same rule, decided with one query for the user's own groups instead
    of one per group: a programme page lists 1,700 groups.
    """
    groups = list(groups)
    mine: set[int] = set()
    if user.is_authenticated:
        mine = set(
            GroupMember.objects.filter(group__in=groups, person__user=user).values_list(
                "group_id", flat=True
            )
        )
    return [
        g
        for g in groups
        if access.manages_cohort(g.cohort_id)
        or "evaluator" in access.programme_roles
        or g.pk in mine
    ]


def can_see_group_notes(user: AnyUser, group: Group, access: Access) -> bool:
    """What peers share in a group: members and facilitators only, never evaluators."""
    return access.manages_cohort(group.cohort_id) or is_group_member(user, group)


def private_read_needs_reason(user: AnyUser, group: Group, access: Access) -> bool:
    """Must this reader give a reason before reading what is shared inside ``group``?

    Superusers act as facilitators everywhere, but only by their account: a
    superuser who holds no facilitator role in the programme or the group's
    cohort, and is not a member of the group, states why they read a group's
    private material (recorded as ``group.private_read`` in the audit log).
    """
    if not access.superuser or not isinstance(user, User) or is_group_member(user, group):
        return False
    holds_role = Membership.objects.filter(
        programme_id=group.cohort.programme_id, person__user=user, role="facilitator"
    ).filter(Q(cohort__isnull=True) | Q(cohort_id=group.cohort_id))
    return not holds_role.exists()


def manageable_cohorts(programme: Programme, access: Access) -> list[Cohort]:
    return [c for c in programme.cohorts.all() if access.manages_cohort(c.pk)]


def lists_everyone(access: Access) -> bool:
    """Facilitators (of the programme or of any cohort) and evaluators list the whole roster."""
    return access.manages_any_cohort or "evaluator" in access.programme_roles


def listed_people(
    user: AnyUser, access: Access, programme: Programme, people: QuerySet[Person]
) -> QuerySet[Person]:
    """The people of ``people`` this user may see listed and open in the programme.

    Participants and observers see who agreed to be contacted, themselves,
    the members of their own groups (they meet them anyway) and the
    facilitators (whom they need to reach); nobody else.
    """
    if lists_everyone(access):
        return people
    if not user.is_authenticated:
        return people.none()
    group_mates = GroupMember.objects.filter(
        group__cohort__programme=programme, group__members__user=user
    ).values("person_id")
    facilitators = Membership.objects.filter(programme=programme, role="facilitator").values(
        "person_id"
    )
    return people.filter(
        Q(consent_to_contact=True) | Q(user=user) | Q(pk__in=group_mates) | Q(pk__in=facilitators)
    )
