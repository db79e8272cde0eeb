"""Exchange metrics as theory-of-change evidence (registered in the theory app's registry).

A node or link can be tied to a figure of the programme's mutuality ledger
(:data:`peerlearn.engine.theory.EXCHANGE_METRICS`: reciprocity, applied
exchanges...) with a threshold and a direction; at or beyond the threshold
supports, short of it contests (:func:`peerlearn.engine.theory.evidence_verdict`).

Decision: the figure is computed over every exchange of the programme
*except those recorded inside a group's check-in*: the status it yields is
shown to evaluators (and to participants when the map is shared), who never
see group-private material, not even in a figure (docs/mel.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerlearn.engine.theory import EXCHANGE_METRICS, EvidenceItem, ExchangeMetric, exchange_metric
from peerlearn.mel import services
from peerlearn.mel.models import Exchange
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


def evidence_exchanges(programme: Programme) -> Any:
    """The exchanges a metric reads: the programme's, check-in ones left out (see above)."""
    return Exchange.objects.filter(programme=programme).exclude(source="checkin")


def metric_evidence(programme: Programme, params: Mapping[str, Any]) -> EvidenceItem | None:
    metric = str(params.get("metric", ""))
    if metric not in EXCHANGE_METRICS:
        return None
    records = services.as_records(evidence_exchanges(programme))
    try:
        threshold = float(params.get("threshold", 0))
    except (TypeError, ValueError):
        return None
    return ExchangeMetric(
        name=metric,
        value=exchange_metric(metric, records),
        threshold=threshold,
        direction="decrease" if params.get("direction") == "decrease" else "increase",
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
    return _("%(metric)s: %(now)s (aim: %(aim)s)") % {"metric": label, "now": now, "aim": aim}


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
