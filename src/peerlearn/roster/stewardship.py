"""Who may change a person's name, e-mail and organisation.

A person is shared by the whole network: the same row may belong to several
programmes run by different facilitators, and it may carry an account that
signs in.  So a facilitator of one programme must not rewrite someone who
also belongs elsewhere, nor move where someone's sign-in links go.  The rules
(docs/privacy.md, "Who may change a person's details"):

* the details (name, e-mail, organisation) may be changed only by someone who
  manages *every* membership of the person: a programme facilitator manages
  all memberships of their programme, a cohort facilitator those of their
  cohort, superusers everything.  A person in no programme at all is managed
  by superusers only (nobody else can vouch for them);
* the e-mail of a person whose account is in use (signed in once, has a
  password, or is staff or superuser) is the account holder's: nobody
  changes it from a programme page.  An account never used is re-addressed
  with the person (see :func:`readdress_unused_account`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from peerlearn.accounts.models import SignInLink, User
from peerlearn.people.models import Person
from peerlearn.programmes.models import Membership

BATCH = 1000


@dataclass(frozen=True)
class Stewardship:
    """What one user manages: everything, or some programmes and cohorts."""

    everything: bool = False
    programmes: frozenset[int] = frozenset()
    cohorts: frozenset[int] = frozenset()

    @classmethod
    def of(cls, user: User | None) -> Stewardship:
        """``None`` is an operator at the command line, who manages everything."""
        if user is None or user.is_superuser:
            return cls(everything=True)
        rows = Membership.objects.filter(person__user=user, role="facilitator").values_list(
            "programme_id", "cohort_id"
        )
        programmes = {programme_id for programme_id, cohort_id in rows if cohort_id is None}
        cohorts = {cohort_id for _programme_id, cohort_id in rows if cohort_id is not None}
        return cls(programmes=frozenset(programmes), cohorts=frozenset(cohorts))

    def manages_membership(self, programme_id: int, cohort_id: int | None) -> bool:
        return (
            self.everything
            or programme_id in self.programmes
            or (cohort_id is not None and cohort_id in self.cohorts)
        )

    def fully_managed(self, person_ids: Iterable[int]) -> set[int]:
        """The people among ``person_ids`` each of whose memberships this user manages."""
        ids = list(person_ids)
        if self.everything:
            return set(ids)
        seen: set[int] = set()
        outside: set[int] = set()
        for start in range(0, len(ids), BATCH):
            rows = Membership.objects.filter(person_id__in=ids[start : start + BATCH])
            for person_id, programme_id, cohort_id in rows.values_list(
                "person_id", "programme_id", "cohort_id"
            ):
                seen.add(person_id)
                if not self.manages_membership(programme_id, cohort_id):
                    outside.add(person_id)
        return seen - outside


def account_in_use(user: User | None) -> bool:
    """An account whose address belongs to its holder: used, with a password, or staff."""
    if user is None:
        return False
    return bool(
        user.last_login is not None
        or user.has_usable_password()
        or user.is_staff
        or user.is_superuser
    )


def may_change_details(editor: User | None, person: Person) -> bool:
    """Name, e-mail and organisation: only when ``editor`` manages all of the person."""
    return person.pk in Stewardship.of(editor).fully_managed([person.pk])


def may_change_email(editor: User | None, person: Person) -> bool:
    """The sign-in address: as the details, and never once the account is in use."""
    return may_change_details(editor, person) and not account_in_use(person.user)


def email_taken_by_another_account(person: Person, email: str) -> bool:
    """True when an account other than the person's own already has ``email``."""
    accounts = User.objects.filter(email__iexact=email) | User.objects.filter(username=email)
    if person.user_id is not None:
        accounts = accounts.exclude(pk=person.user_id)
    return accounts.exists()


def readdress_unused_account(person: Person) -> None:
    """Move the person's never-used account to their (corrected) e-mail.

    Called in the transaction that saves the new address; the links already
    mailed to the old address stop working, so whoever reads that mailbox
    cannot sign in with them.  Refuses an account in use: that address is
    the holder's own.
    """
    user = person.user
    if user is None or user.email == person.email:
        return
    if account_in_use(user):
        raise PermissionError("the account is in use; only its holder changes its address")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(email=person.email, username=person.email)
        SignInLink.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
        user.email = user.username = person.email
