"""Recording and confirming exchanges, and the bridge to the engine's ledger.

Writes are one transaction each; a duplicate that slips past the form's
check (two requests at once) meets the database constraint and comes back
as the same :class:`ExchangeError`, so nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from peerlearn.engine import mutuality as mu
from peerlearn.mel.models import Exchange
from peerlearn.people.models import Person
from peerlearn.programmes.models import Membership, Programme

#: One-way flags need at least this many exchanges, none of them the other way.
FLAG_MIN_EXCHANGES = 3
FLAG_MAX_OTHER_SHARE = 0.0


class ExchangeError(ValueError):
    """A refused exchange; ``code`` is self_loop, outside, duplicate or not_other_side."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def in_programme(programme: Programme, person: Person) -> bool:
    return Membership.objects.filter(programme=programme, person=person).exists()


def is_duplicate(
    programme: Programme, giver: Person, receiver: Person, kind: str, when: date
) -> bool:
    return Exchange.objects.filter(
        programme=programme, giver=giver, receiver=receiver, kind=kind, when=when
    ).exists()


def record_exchange(
    programme: Programme,
    *,
    giver: Person,
    receiver: Person,
    when: date,
    kind: str,
    learned: str,
    recorded_by: Person | None,
    applied: str = "unknown",
    source: str = "entry",
    session: Any = None,
    group: Any = None,
    response: Any = None,
    response_item: int = 0,
) -> Exchange:
    """Store one exchange after the checks the engine's checker makes.

    ``response`` and ``response_item`` name the survey answer it comes from
    (:mod:`peerlearn.mel.from_surveys`); one answer maps to one exchange at most.
    """
    if giver.pk == receiver.pk:
        raise ExchangeError("self_loop")
    if not (in_programme(programme, giver) and in_programme(programme, receiver)):
        raise ExchangeError("outside")
    if is_duplicate(programme, giver, receiver, kind, when):
        raise ExchangeError("duplicate")
    try:
        with transaction.atomic():
            return Exchange.objects.create(
                programme=programme,
                giver=giver,
                receiver=receiver,
                when=when,
                kind=kind,
                learned=learned,
                applied=applied,
                recorded_by=recorded_by,
                source=source,
                session=session,
                group=group,
                response=response,
                response_item=response_item,
            )
    except IntegrityError as error:
        raise ExchangeError("duplicate") from error


def confirm_exchange(exchange: Exchange, person: Person, note: str = "") -> Exchange:
    """The other side confirms, optionally adding their own account of it."""
    if person.pk not in exchange.other_side_ids():
        raise ExchangeError("not_other_side")
    with transaction.atomic():
        exchange.confirmed_at = timezone.now()
        exchange.other_note = note.strip()
        exchange.save(update_fields=["confirmed_at", "other_note"])
    return exchange


def pending_for(person: Person, programme: Programme) -> QuerySet[Exchange]:
    """Unconfirmed exchanges naming ``person`` that they did not record themselves."""
    return (
        Exchange.objects.filter(programme=programme, confirmed_at__isnull=True)
        .filter(giver=person)
        .exclude(recorded_by=person)
        | Exchange.objects.filter(
            programme=programme, confirmed_at__isnull=True, receiver=person
        ).exclude(recorded_by=person)
    ).select_related("giver", "receiver", "recorded_by")


# ---------------------------------------------------------------- the engine's view


def as_records(exchanges: QuerySet[Exchange]) -> list[mu.Exchange]:
    """Plain engine records (ids, days, kinds) for the given rows."""
    rows = exchanges.values_list("giver_id", "receiver_id", "when", "kind", "applied", "pk")
    applied = {"yes": True, "no": False}
    return [mu.Exchange(g, r, when, kind, applied.get(a), pk) for g, r, when, kind, a, pk in rows]


@dataclass
class Ledger:
    """What a ledger page shows, all numbers and ids (the template words them)."""

    count: int
    edgewise: float | None
    dyadic: float | None
    census: mu.DyadCensus
    balances: list[tuple[Any, mu.Balance]]
    timeline: list[tuple[date, int, int]]
    flags: list[tuple[Any, mu.Flag]]
    unanticipated: list[tuple[Any, Any, mu.Unanticipated]]
    focus_points: list[mu.BalancePoint]
    focus_reciprocity: float | None

    @property
    def returned_ties(self) -> int:
        return 2 * self.census.mutual

    @property
    def all_ties(self) -> int:
        return 2 * self.census.mutual + self.census.asymmetric


def ledger(
    records: list[mu.Exchange],
    nodes: Iterable[mu.Node],
    labels: Mapping[Any, Any],
    focus: mu.Node | None = None,
) -> Ledger:
    """Every ledger metric over ``records`` among ``nodes``; ``labels`` maps ids to objects."""
    nodes = list(nodes)
    records = mu.within(records, nodes)
    balances = mu.balance(records)
    by_month: dict[date, list[int]] = {}
    for ex in records:
        month = mu.period_start(ex.when)
        cell = by_month.setdefault(month, [0, 0])
        cell[0] += 1
        cell[1] += ex.applied is True
    flags = mu.one_way_flags(
        records, min_exchanges=FLAG_MIN_EXCHANGES, max_other_share=FLAG_MAX_OTHER_SHARE
    )
    found = mu.unanticipated_learning(records)
    points = mu.balance_over_time(records, [focus]).get(focus, []) if focus is not None else []
    return Ledger(
        count=len(records),
        edgewise=mu.edgewise_reciprocity(records),
        dyadic=mu.dyadic_reciprocity(records),
        census=mu.dyad_census(records, nodes=nodes),
        balances=sorted(
            ((labels.get(n, n), b) for n, b in balances.items()),
            key=lambda row: (-row[1].given - row[1].received, str(row[0])),
        ),
        timeline=[(m, n, applied) for m, (n, applied) in sorted(by_month.items())],
        flags=[(labels.get(f.node, f.node), f) for f in flags],
        unanticipated=[
            (labels.get(u.resource, u.resource), labels.get(u.learned_from, u.learned_from), u)
            for u in found
        ],
        focus_points=points,
        focus_reciprocity=(
            mu.node_reciprocity(records, [focus])[focus] if focus is not None else None
        ),
    )
