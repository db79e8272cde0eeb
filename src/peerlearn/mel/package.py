"""The exchanges edge list for the evaluator's data package (people as pseudonyms).

A cohort package (``COHORT_SCOPED``, see ``programmes/package_scope.py``) holds the
exchanges its facilitator reads on the pages whose two people both have a
role in its cohorts (and, for one recorded in a check-in, whose group is of
those cohorts), so no pseudonym of anyone else appears.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from peerlearn.accounts.models import User
from peerlearn.core.tabular import Column, Table, pseudonym
from peerlearn.mel import access as rules
from peerlearn.people.models import Person
from peerlearn.programmes.models import Programme
from peerlearn.programmes.package_scope import package_scope
from peerlearn.programmes.permissions import access_for

#: Its tables narrow to a cohort package's cohorts (programmes/package_scope.py).
COHORT_SCOPED = True


def table_names(programme: Programme, user: User) -> list[str]:
    """The names :func:`tables` gives this reader, without reading an exchange (a feed of
    another table skips this app: ``api/feeds.py:find_table``)."""
    return ["exchanges"] if rules.reads_ledgers(access_for(user, programme)) else []


def tables(programme: Programme, user: User) -> list[Table]:
    """One row per exchange this user may read (check-in exchanges stay out for evaluators)."""
    access = access_for(user, programme)
    if not rules.reads_ledgers(access):
        return []
    me = Person.objects.filter(user=user).first()
    rows = rules.visible_exchanges(access, programme, me).order_by("when", "pk")
    scope = package_scope(programme, user)
    if scope is not None and not scope.whole:
        people = scope.people().values("pk")
        rows = rows.filter(giver__in=people, receiver__in=people).filter(
            Q(group__isnull=True) | scope.cohort_q("group__cohort")
        )
    return [
        Table(
            name="exchanges",
            title=_("Learning exchanges"),
            description=_("Who learned from whom: one row per exchange, From gave, To learned."),
            columns=[
                Column("id", "integer"),
                # promise: tests/mel/test_network.py::test_package_table_lists_exchanges_with_pseudonyms_and_keeps_check_ins_from_evaluators
                Column("From", "string", _("pseudonym of the person who gave")),
                # promise: tests/mel/test_network.py::test_package_table_lists_exchanges_with_pseudonyms_and_keeps_check_ins_from_evaluators
                Column("To", "string", _("pseudonym of the person who learned")),
                Column("when", "date"),
                Column("kind", "string"),
                Column("applied", "string"),
                Column("source", "string"),
                Column("confirmed", "boolean"),
            ],
            rows=[
                (
                    e.pk,
                    pseudonym(programme, e.giver_id),
                    pseudonym(programme, e.receiver_id),
                    e.when.isoformat(),
                    e.kind,
                    e.applied,
                    e.source,
                    e.confirmed_at is not None,
                )
                for e in rows
            ],
            primary_key=("id",),
        )
    ]
