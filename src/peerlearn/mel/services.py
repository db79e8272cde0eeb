"""Recording and confirming exchanges, and the bridge to the engine's ledger.

Writes are one transaction each; a duplicate that slips past the form's
check (two requests at once) meets the database constraint and comes back
as the same :class:`ExchangeError`, so nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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


#: A ledger page lists at most this many rows of balances, flags and findings
#: (the busiest first); the data package has every exchange.
SHOWN = 100

Report = Callable[[float], None]


def _quiet(_done: float) -> None:
    return None


@dataclass
class Figures:
    """A ledger's figures as ids and numbers, ready to be stored as JSON (a snapshot).

    Lists hold the first :data:`SHOWN` rows; ``*_total`` say how many there were.
    """

    count: int
    census: mu.DyadCensus
    timeline: list[tuple[date, int, int]]
    balances: list[tuple[Any, mu.Balance]]
    balances_total: int
    flags: list[mu.Flag]
    flags_total: int
    unanticipated: list[mu.Unanticipated]
    unanticipated_total: int
    #: Exchanges whose outcome is known, applied or not (None: a snapshot from before).
    applied_known: int | None = None

    @property
    def applied(self) -> int:
        """Exchanges applied (the timeline counts them by month)."""
        return sum(applied for _month, _count, applied in self.timeline)

    def node_ids(self) -> set[Any]:
        """Every node the figures name (the labels a page must look up)."""
        ids = {n for n, _ in self.balances} | {f.node for f in self.flags}
        return ids | {x for u in self.unanticipated for x in (u.resource, u.learned_from)}

    def to_json(self) -> dict[str, Any]:
        c = self.census
        return {
            "count": self.count,
            "census": [c.mutual, c.asymmetric, c.null],
            "timeline": [[m.isoformat(), n, a] for m, n, a in self.timeline],
            "balances": [[n, b.given, b.received, b.applied] for n, b in self.balances],
            "balances_total": self.balances_total,
            "flags": [[f.node, f.kind, f.given, f.received] for f in self.flags],
            "flags_total": self.flags_total,
            "unanticipated": [
                [
                    u.resource,
                    u.learned_from,
                    u.first_given.isoformat(),
                    u.learned_on.isoformat(),
                    u.given_before,
                    u.ref,
                ]
                for u in self.unanticipated
            ],
            "unanticipated_total": self.unanticipated_total,
            "applied_known": self.applied_known,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Figures:
        day = date.fromisoformat
        return cls(
            count=data["count"],
            census=mu.DyadCensus(*data["census"]),
            timeline=[(day(m), n, a) for m, n, a in data["timeline"]],
            balances=[(n, mu.Balance(g, r, a)) for n, g, r, a in data["balances"]],
            balances_total=data["balances_total"],
            flags=[mu.Flag(n, k, g, r) for n, k, g, r in data["flags"]],
            flags_total=data["flags_total"],
            unanticipated=[
                mu.Unanticipated(a, b, day(first), day(on), n, ref)
                for a, b, first, on, n, ref in data["unanticipated"]
            ],
            unanticipated_total=data["unanticipated_total"],
            applied_known=data.get("applied_known"),
        )


def figures(
    records: list[mu.Exchange], nodes: Iterable[mu.Node], report: Report = _quiet
) -> Figures:
    """Every ledger figure over ``records`` among ``nodes``; ``report`` hears the share done."""
    nodes = list(nodes)
    records = mu.within(records, nodes)
    report(0.1)
    balances = mu.balance(records)
    report(0.25)
    census = mu.dyad_census(records, nodes=nodes)
    report(0.45)
    flags = mu.one_way_flags(
        records, min_exchanges=FLAG_MIN_EXCHANGES, max_other_share=FLAG_MAX_OTHER_SHARE
    )
    report(0.6)
    found = mu.unanticipated_learning(records)
    report(0.85)
    by_month: dict[date, list[int]] = {}
    for ex in records:
        cell = by_month.setdefault(mu.period_start(ex.when), [0, 0])
        cell[0] += 1
        cell[1] += ex.applied is True
    busiest = sorted(
        balances.items(), key=lambda row: (-row[1].given - row[1].received, str(row[0]))
    )
    report(1.0)
    return Figures(
        count=len(records),
        census=census,
        timeline=[(m, n, applied) for m, (n, applied) in sorted(by_month.items())],
        balances=busiest[:SHOWN],
        balances_total=len(busiest),
        flags=flags[:SHOWN],
        flags_total=len(flags),
        unanticipated=found[:SHOWN],
        unanticipated_total=len(found),
        applied_known=sum(1 for ex in records if ex.applied is not None),
    )


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
    balances_more: int = 0
    flags_more: int = 0
    unanticipated_more: int = 0

    @property
    def returned_ties(self) -> int:
        return 2 * self.census.mutual

    @property
    def all_ties(self) -> int:
        return 2 * self.census.mutual + self.census.asymmetric


def as_ledger(found: Figures, labels: Mapping[Any, Any]) -> Ledger:
    """The page's ledger from figures: ``labels`` maps the ids they name to objects."""
    balances = sorted(
        ((labels.get(n, n), b) for n, b in found.balances),
        key=lambda row: (-row[1].given - row[1].received, str(row[0])),
    )
    return Ledger(
        count=found.count,
        edgewise=found.census.edgewise,
        dyadic=found.census.dyadic,
        census=found.census,
        balances=balances,
        timeline=found.timeline,
        flags=[(labels.get(f.node, f.node), f) for f in found.flags],
        unanticipated=[
            (labels.get(u.resource, u.resource), labels.get(u.learned_from, u.learned_from), u)
            for u in found.unanticipated
        ],
        focus_points=[],
        focus_reciprocity=None,
        balances_more=found.balances_total - len(found.balances),
        flags_more=found.flags_total - len(found.flags),
        unanticipated_more=found.unanticipated_total - len(found.unanticipated),
    )


def ledger(
    records: list[mu.Exchange],
    nodes: Iterable[mu.Node],
    labels: Mapping[Any, Any],
    focus: mu.Node | None = None,
) -> Ledger:
    """Every ledger metric over ``records`` among ``nodes``; ``labels`` maps ids to objects."""
    nodes = list(nodes)
    result = as_ledger(figures(records, nodes), labels)
    if focus is not None:
        inside = mu.within(records, nodes)
        result.focus_points = mu.balance_over_time(inside, [focus]).get(focus, [])
        result.focus_reciprocity = mu.node_reciprocity(inside, [focus])[focus]
    return result
