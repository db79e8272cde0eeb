"""Exchange metrics as theory-of-change evidence (registered in the theory app's registry).

A node or link can be tied to a figure of the programme's mutuality ledger
(:data:`peerlearn.engine.theory.EXCHANGE_METRICS`: reciprocity, applied
exchanges...) with a threshold and a direction; at or beyond the threshold
supports, short of it contests (:func:`peerlearn.engine.theory.evidence_verdict`).

Decision: the figure is computed over every exchange of the programme
*except those recorded inside a group's check-in*: the status it yields is
shown to evaluators (and to participants when the map is shared), who never
see group-private material, not even in a figure (docs/mel.md).

So it is read from the evaluators' mutuality snapshot (``mel/snapshots.py``:
those exchanges, among the programme's people, recomputed by a task when
they change), not computed on each page view; the evidence says as of when.
Before the first snapshot exists a programme of up to ``LIVE_LIMIT``
exchanges has its figures computed in the request (and says so); a larger
one has no value yet (the tie tests nothing) and says the figures are being
computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerlearn.engine.theory import EXCHANGE_METRICS, EvidenceItem, ExchangeMetric
from peerlearn.mel import services, snapshots
from peerlearn.programmes.models import Programme

KIND = "exchange_metric"

METRIC_LABELS = {
    "edgewise_reciprocity": gettext_lazy("reciprocity (share of ties returned)"),
    "dyadic_reciprocity": gettext_lazy("reciprocity (mutual pairs over connected pairs)"),
    "exchanges": gettext_lazy("learning exchanges recorded"),
    "applied_exchanges": gettext_lazy("exchanges applied"),
    "applied_share": gettext_lazy("share of exchanges applied (of those known)"),
    "mutual_pairs": gettext_lazy("pairs who learned from each other"),
}
assert set(METRIC_LABELS) == set(EXCHANGE_METRICS)


@dataclass(frozen=True)
class SnapshotMetric(ExchangeMetric):
    """An exchange metric read from the mutuality snapshot, and where it came from."""

    #: When the snapshot was computed (None: computed in this request, or none yet).
    as_of: datetime | None = None
    #: No snapshot yet: computed in the request (``live``) or not at all (``pending``).
    live: bool = False
    pending: bool = False


def snapshot_value(metric: str, figures: services.Figures) -> float | None:
    """One metric from a snapshot's figures, as ``engine.theory.exchange_metric`` defines it."""
    census = figures.census
    values: dict[str, float | None] = {
        "edgewise_reciprocity": census.edgewise,
        "dyadic_reciprocity": census.dyadic,
        "exchanges": float(figures.count),
        "applied_exchanges": float(figures.applied),
        "applied_share": (
            figures.applied / figures.applied_known if figures.applied_known else None
        ),
        "mutual_pairs": float(census.mutual),
    }
    return values[metric]


def metric_evidence(programme: Programme, params: Mapping[str, Any]) -> EvidenceItem | None:
    metric = str(params.get("metric", ""))
    if metric not in EXCHANGE_METRICS:
        return None
    try:
        threshold = float(params.get("threshold", 0))
    except (TypeError, ValueError):
        return None
    shown = snapshots.read(programme, "evaluator")
    found = shown.figures
    return SnapshotMetric(
        name=metric,
        value=None if found is None else snapshot_value(metric, found),
        threshold=threshold,
        direction="decrease" if params.get("direction") == "decrease" else "increase",
        as_of=None if shown.live else shown.computed_at,
        live=shown.live,
        pending=found is None,
    )


def metric_options(programme: Programme) -> list[tuple[str, str]]:
    return [(key, str(METRIC_LABELS[key])) for key in EXCHANGE_METRICS]


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def describe(item: EvidenceItem) -> str:
    assert isinstance(item, ExchangeMetric)
    label = str(METRIC_LABELS.get(item.name, item.name))
    now = _("not measurable yet") if item.value is None else _number(item.value)
    if item.direction == "decrease":
        aim = _("at most %(threshold)s") % {"threshold": _number(item.threshold)}
    else:
        aim = _("at least %(threshold)s") % {"threshold": _number(item.threshold)}
    words = _("%(metric)s: %(now)s (aim: %(aim)s)") % {"metric": label, "now": now, "aim": aim}
    return f"{words}. {_source(item)}" if isinstance(item, SnapshotMetric) else words


def _source(item: SnapshotMetric) -> str:
    """Where the figure comes from: the snapshot's time, or why there is none."""
    if item.pending:
        return _("The ledger's figures are being computed; this tests nothing until they are.")
    if item.live or item.as_of is None:
        return _("Computed just now: the ledger's figures have no snapshot yet.")
    when = formats.date_format(timezone.localtime(item.as_of), "SHORT_DATETIME_FORMAT")
    return _("Ledger figures as of %(when)s.") % {"when": when}


def register() -> None:
    from peerlearn.theory.evidence import register as add

    add(
        KIND,
        gettext_lazy("exchange metric"),
        metric_evidence,
        choose="metric",
        options=metric_options,
        threshold=True,
        describe=describe,
    )
