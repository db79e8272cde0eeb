"""The people and organisations of a programme, for the evaluator's data package.

People appear only as :func:`~peerlearn.core.tabular.pseudonym`: never a name
or an e-mail address (those appear only in the responses of identified
surveys, for readers who may see them, see ``surveys/package.py``).  Country,
organisation kind, seniority and gender are given as the person gave them,
blank otherwise.  Organisations are institutions, so their names stay.

A cohort package (``COHORT_SCOPED``, see ``programmes/package_scope.py``) holds the
people with a role in its cohorts and their organisations only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from peerlearn.core.tabular import Column, Table, pseudonym
from peerlearn.people.models import Organisation, Person
from peerlearn.programmes.package_scope import PackageScope, package_scope

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.programmes.models import Programme

#: Its tables narrow to a cohort package's cohorts (programmes/package_scope.py).
COHORT_SCOPED = True


def programme_people(programme: Programme):
    """Everyone holding a role in the programme or one of its cohorts."""
    return Person.objects.filter(memberships__programme=programme).distinct().order_by("pk")


def scope_people(scope: PackageScope):
    """The people of the package: the programme's, or those of its cohorts."""
    return programme_people(scope.programme) if scope.whole else scope.people()


def _organisations(scope: PackageScope) -> Table:
    people = scope_people(scope)
    rows = (
        Organisation.objects.filter(people__in=people)
        .distinct()
        .order_by("pk")
        .values_list("pk", "name", "country", "kind")
    )
    return Table(
        name="organisations",
        title="Organisations",
        description="Organisations of the people taking part.",
        columns=[
            Column("id", "integer", "Organisation id in this package"),
            Column("name", "string", "Name of the organisation"),
            Column("country", "string", "ISO 3166 country code"),
            Column("kind", "string", "ministry, municipality, agency, think_tank, ..."),
        ],
        rows=(list(row) for row in rows.iterator(2000)),
        primary_key=["id"],
    )


def _people(scope: PackageScope) -> Table:
    programme = scope.programme
    rows = scope_people(scope).values_list(
        "pk",
        "organisation_id",
        "country",
        "organisation__kind",
        "seniority",
        "gender",
        "is_external",
        "is_alumni",
    )

    def records():
        for pk, org, country, kind, seniority, gender, external, alumni in rows.iterator(2000):
            yield [
                pseudonym(programme, pk),
                org,
                country,
                kind or "",
                seniority,
                gender,
                external,
                alumni,
            ]

    return Table(
        name="people",
        title="People",
        description="Everyone with a role in the programme, by pseudonym only.",
        columns=[
            Column("person", "string", "Pseudonym, the same in every table of this package"),
            Column("organisation_id", "integer", "Organisation (organisations.id)"),
            Column("country", "string", "ISO 3166 country code, where given"),
            Column("organisation_kind", "string", "Kind of the person's organisation"),
            Column("seniority", "string", "political, senior, middle or technical, where given"),
            Column("gender", "string", "Self-described gender, where given"),
            Column("is_external", "boolean", "External or resource peer"),
            Column("is_alumni", "boolean", "Alumnus of the network"),
        ],
        rows=records(),
        primary_key=["person"],
        foreign_keys={"organisation_id": ("organisations", "id")},
    )


def tables(programme: Programme, user: User) -> list[Table]:
    scope = package_scope(programme, user)
    if scope is None:
        return []
    return [_organisations(scope), _people(scope)]
