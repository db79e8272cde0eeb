"""The programme's mutuality ledger, precomputed in a task so its page answers at once.

At 50,000 people and 500,000 exchanges the ledger takes seconds to compute;
the page must answer in under one (issue 13, ``benchmarks/mel_snapshot.py``).
So (docs/mel.md, "The programme ledger is precomputed"):

* A :class:`~peerlearn.mel.models.MutualitySnapshot` keeps the programme
  ledger's figures (ids and numbers: :class:`~peerlearn.mel.services.Figures`)
  for each *audience* whose view is the same for every reader of it:
  ``programme`` (every exchange: the programme's facilitators) and
  ``evaluator`` (exchanges recorded in a group's check-in left out, as
  ``mel/access.py`` keeps them from evaluators).  Anyone else (a cohort's
  facilitator, an evaluator who facilitates a cohort or is in a check-in
  exchange) reads a ledger of their own scope, computed live as before.
* Saving an exchange asks for a recompute (a ``post_save`` signal, so every
  writer is covered).  Debounced: :func:`request_recompute` sets
  ``MutualityRecompute.pending`` with a conditional UPDATE only when it was
  clear, and only the writer that set it enqueues the task, so one recompute
  waits per programme however many exchanges arrive.  The task claims it
  with another conditional UPDATE (pending -> started) and then reads every
  exchange written before; one written after sets pending again and
  enqueues the next recompute.
* The enqueue is not deferred to the commit: the database task backend
  writes its row in the writer's transaction (a worker cannot see it before
  the exchange is committed), and the immediate backend computes in that
  transaction, which sees the new exchange; a savepoint keeps a failing
  recompute from breaking the writer's transaction.
* Writes that send no signal (bulk inserts, deletes, a membership added or
  removed, which changes the pairs that never exchanged) are caught by the
  page: the snapshot records a *fingerprint* of the data (count and largest
  id of the programme's exchanges and memberships) and a page that finds it
  different asks for a recompute.  No ``post_delete`` receiver is connected
  on purpose: it would stop Django deleting a programme's exchanges in one
  query.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.db.models.fields.json import KeyTransform
from django.db.models.signals import post_save
from django.utils import timezone

from peerlearn.engine import mutuality as mu
from peerlearn.mel import access as rules
from peerlearn.mel import services
from peerlearn.mel.models import Exchange, MutualityRecompute, MutualitySnapshot
from peerlearn.people.models import Person
from peerlearn.programmes.models import Membership, Programme
from peerlearn.programmes.permissions import Access

logger = logging.getLogger(__name__)

AUDIENCES = ("programme", "evaluator")

#: Without any snapshot yet (the worker has not run), a programme with at most
#: this many exchanges gets its ledger computed in the request instead.
LIVE_LIMIT = 20_000

#: A recompute that started longer ago than this is taken for dead (its
#: worker stopped): the page no longer says "recomputing" and asks again.
STALE_AFTER = timedelta(hours=1)

#: Fields whose change leaves every figure as it was (a confirmation).
_NEUTRAL_FIELDS = frozenset({"confirmed_at", "other_note"})


# ---------------------------------------------------------------- who reads a snapshot


def audience_for(access: Access, programme: Programme, me: Person | None) -> str | None:
    """The snapshot this viewer's programme ledger is, or None: computed live.

    It must be exactly what ``mel/access.py`` lets them read among the
    programme's people: all of it for the programme's facilitators; for an
    evaluator everything but check-in exchanges, unless they also facilitate
    a cohort or are a side of a check-in exchange (they see those too).
    """
    if access.manages_programme:
        return "programme"
    if "evaluator" not in access.programme_roles:
        return None
    if rules.managed_cohort_ids(programme, access):
        return None
    if me is not None:
        own = Exchange.objects.filter(programme=programme, source="checkin").filter(
            Q(giver=me) | Q(receiver=me)
        )
        if own.exists():
            return None
    return "evaluator"


# ---------------------------------------------------------------- asking for a recompute


def fingerprint(programme_id: int) -> list[int]:
    """Count and largest id of the programme's exchanges and memberships.

    Separate queries on purpose: PostgreSQL counts from the programme index
    alone and finds the largest id at the end of the primary key (together,
    one plan scans the table: 130 ms instead of 50 at 500,000 exchanges).
    """
    exchanges = Exchange.objects.filter(programme_id=programme_id)
    members = Membership.objects.filter(programme_id=programme_id)
    return [
        exchanges.count(),
        exchanges.aggregate(top=Max("pk"))["top"] or 0,
        members.count(),
        members.aggregate(top=Max("pk"))["top"] or 0,
    ]


def request_recompute(programme_id: int) -> bool:
    """Ask for the programme's snapshots to be recomputed; True if this call enqueued it.

    A recompute already waiting will read this change too, so nothing more
    is enqueued (the conditional UPDATE decides, also between processes).
    """
    from peerlearn.mel.tasks import recompute_mutuality

    MutualityRecompute.objects.bulk_create(
        [MutualityRecompute(programme_id=programme_id)], ignore_conflicts=True
    )
    claimed = MutualityRecompute.objects.filter(programme_id=programme_id, pending=False).update(
        pending=True, requested_at=timezone.now()
    )
    if claimed:
        recompute_mutuality.enqueue(programme_id)
    return bool(claimed)


def _exchange_saved(sender: Any, instance: Exchange, raw: bool = False, **kwargs: Any) -> None:
    """Any saved exchange (page, survey mapping, admin, API) asks for a recompute."""
    fields = kwargs.get("update_fields")
    if raw or (fields is not None and set(fields) <= _NEUTRAL_FIELDS):
        return
    request_recompute(instance.programme_id)


def connect() -> None:
    """Connected once, from the app's ``ready``."""
    post_save.connect(_exchange_saved, sender=Exchange, dispatch_uid="mel.snapshots.exchange")


# ---------------------------------------------------------------- computing (the task)


def _reporter(programme_id: int, start: int, end: int) -> Callable[[float], None]:
    """A callback writing start..end percent into the programme's recompute row."""
    last = [-1]

    def report(done: float) -> None:
        percent = min(99, start + int((end - start) * done))
        if percent != last[0]:
            last[0] = percent
            MutualityRecompute.objects.filter(programme_id=programme_id).update(progress=percent)

    return report


def _records(rows: list[tuple[Any, ...]]) -> list[mu.Exchange]:
    applied = {"yes": True, "no": False}
    return [
        mu.Exchange(g, r, when, kind, applied.get(a), pk) for g, r, when, kind, a, pk, _ in rows
    ]


def _store(
    programme_id: int, audience: str, found: services.Figures, net: dict[str, Any], **state: Any
) -> None:
    """Write one audience's snapshot unless a recompute that claimed later already did."""
    values = {"figures": found.to_json(), "network": net, **state}
    updated = MutualitySnapshot.objects.filter(
        programme_id=programme_id, audience=audience, as_of__lte=state["as_of"]
    ).update(**values)
    if updated:
        return
    try:
        with transaction.atomic():
            MutualitySnapshot.objects.create(programme_id=programme_id, audience=audience, **values)
    except IntegrityError:
        pass  # a newer snapshot is there


def network_summaries(
    records: list[mu.Exchange],
    people: list[Any],
    report: Callable[[float], None] = lambda _done: None,
) -> dict[str, Any]:
    """The network page's summary of every level, for the whole programme.

    ``people`` are :func:`peerlearn.mel.network.person_rows`.  networkx and
    igraph are imported here, not when Django starts (as the pages do).
    """
    from peerlearn.mel import network

    levels = [level for level, _label in network.LEVELS]
    ties = network.ties_by_level(records, people, levels)
    report(0.2)
    out = {}
    for step, level in enumerate(levels):
        out[level] = network.summarise(ties[level])
        report(0.2 + 0.8 * (step + 1) / len(levels))
    return out


def build(programme_id: int, as_of: datetime) -> None:
    """Compute and store both audiences' snapshots, writing progress as it goes.

    Progress: loading to 20 %, the programme ledger to 40, its network to 60,
    then the evaluators' ledger and network (when check-ins make them differ).
    """
    began = time.perf_counter()
    report = _reporter(programme_id, 0, 100)
    stamp = fingerprint(programme_id)  # before the rows: a later write makes it differ
    report(0.05)
    rows = list(
        Exchange.objects.filter(programme_id=programme_id).values_list(
            "giver_id", "receiver_id", "when", "kind", "applied", "pk", "source"
        )
    )
    report(0.15)
    from peerlearn.mel.network import person_rows

    programme = Programme.objects.get(pk=programme_id)
    people = person_rows(rules.programme_people(programme))
    ids = [row[0] for row in people]
    everything = _records(rows)
    report(0.2)
    found = services.figures(everything, ids, _reporter(programme_id, 20, 40))
    net = network_summaries(everything, people, _reporter(programme_id, 40, 60))
    if any(row[6] == "checkin" for row in rows):
        public = _records([row for row in rows if row[6] != "checkin"])
        for_evaluators = services.figures(public, ids, _reporter(programme_id, 60, 80))
        net_evaluators = network_summaries(public, people, _reporter(programme_id, 80, 99))
    else:
        for_evaluators, net_evaluators = found, net
    state = {"fingerprint": stamp, "as_of": as_of, "computed_at": timezone.now()}
    state["seconds"] = time.perf_counter() - began
    _store(programme_id, "programme", found, net, **state)
    _store(programme_id, "evaluator", for_evaluators, net_evaluators, **state)


def recompute(programme_id: int) -> bool:
    """The task's work: claim the waiting recompute and build; False if none waited."""
    started = timezone.now()
    claimed = MutualityRecompute.objects.filter(programme_id=programme_id, pending=True).update(
        pending=False, started_at=started, progress=0, failed_at=None
    )
    if not claimed:
        return False
    mine = MutualityRecompute.objects.filter(programme_id=programme_id, started_at=started)
    # Inside a writer's transaction (the immediate backend) a savepoint keeps a
    # failure here from breaking it; in a worker, autocommit shows the progress.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with guard:
            build(programme_id, started)
    except Exception:
        logger.exception("mutuality snapshot of programme %s failed", programme_id)
        mine.update(started_at=None, failed_at=timezone.now())
        raise
    mine.update(started_at=None, progress=100)
    return True


# ---------------------------------------------------------------- reading (the page)


@dataclass
class Shown:
    """What the page shows of a snapshot: its figures (None: none yet) and the work under way."""

    figures: services.Figures | None
    computed_at: datetime | None
    recomputing: bool
    progress: int
    live: bool = False
    #: The network page's summary of the level read (None: not in the snapshot yet).
    summary: dict[str, Any] | None = None
    #: How many exchanges the programme has (the fingerprint's count).
    exchanges: int = 0


def _busy(state: MutualityRecompute | None) -> bool:
    """A recompute waits or runs, and did not start (or wait) so long ago it must be lost."""
    if state is None:
        return False
    recent = timezone.now() - STALE_AFTER
    if state.started_at is not None:
        return state.started_at > recent
    return state.pending and (state.requested_at is None or state.requested_at > recent)


def _progress(state: MutualityRecompute | None) -> int:
    """The running recompute's percentage (0 while it waits for a worker)."""
    return state.progress if state is not None and state.started_at is not None else 0


def _forget_lost(state: MutualityRecompute) -> None:
    """Clear a recompute whose worker is gone, if nobody changed it since we read it."""
    MutualityRecompute.objects.filter(
        pk=state.pk, requested_at=state.requested_at, started_at=state.started_at
    ).update(pending=False, started_at=None)


def _fetch(
    programme: Programme, audience: str, part: str
) -> tuple[MutualitySnapshot | None, MutualityRecompute | None]:
    """The snapshot with only what ``part`` needs: the figures, or one level's network
    summary (``network:<level>``, as ``snapshot.summary``: the organisations' drawing
    alone can weigh a megabyte, and reading it cost half a second)."""
    rows = MutualitySnapshot.objects.filter(programme=programme, audience=audience)
    if part.startswith("network:"):
        level = part.partition(":")[2]
        rows = rows.defer("figures", "network").annotate(summary=KeyTransform(level, "network"))
    else:
        rows = rows.defer("network")
    return rows.first(), MutualityRecompute.objects.filter(programme=programme).first()


def _outdated(snapshot: MutualitySnapshot | None, stamp: list[int], part: str) -> bool:
    """No snapshot, data changed since, or one from before it held what ``part`` needs."""
    if snapshot is None or snapshot.fingerprint != stamp:
        return True
    if part.startswith("network:"):
        return getattr(snapshot, "summary", None) is None
    return "applied_known" not in snapshot.figures


def read(programme: Programme, audience: str, *, part: str = "figures") -> Shown:
    """The last snapshot for ``audience``; asks for a recompute when the data moved on.

    ``part`` is what the page needs: the ledger's ``figures`` or one level's
    network summary, ``network:person`` (nothing else is loaded).  A bounded number of
    queries whatever the programme's size.  With the immediate task backend
    the recompute runs here, so the page shows it.  With no snapshot yet the
    ledger's figures of a programme up to LIVE_LIMIT exchanges are computed
    here (the network page computes its own).
    """
    snapshot, state = _fetch(programme, audience, part)
    stamp = fingerprint(programme.pk)
    if _outdated(snapshot, stamp, part) and not _busy(state):
        if state is not None:
            _forget_lost(state)
        request_recompute(programme.pk)
        snapshot, state = _fetch(programme, audience, part)
    fresh = not _outdated(snapshot, stamp, part)
    if snapshot is None and stamp[0] <= LIVE_LIMIT and part == "figures":
        return Shown(
            _live(programme, audience), timezone.now(), _busy(state), _progress(state), live=True
        )
    return Shown(
        figures=(
            None
            if snapshot is None or part != "figures"
            else services.Figures.from_json(snapshot.figures)
        ),
        summary=None if snapshot is None else getattr(snapshot, "summary", None),
        computed_at=None if snapshot is None else snapshot.computed_at,
        recomputing=not fresh or _busy(state),
        progress=_progress(state),
        exchanges=stamp[0],
    )


def _live(programme: Programme, audience: str) -> services.Figures:
    """The snapshot's figures computed in the request (small programmes, no snapshot yet)."""
    exchanges = Exchange.objects.filter(programme=programme)
    if audience == "evaluator":
        exchanges = exchanges.exclude(source="checkin")
    people = list(rules.programme_people(programme).values_list("pk", flat=True))
    return services.figures(services.as_records(exchanges), people)
