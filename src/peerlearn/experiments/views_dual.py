"""The dual-tracking page: partnership health next to results, per group."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from peerlearn.engine import dual as engine
from peerlearn.experiments import dual
from peerlearn.experiments.views import reads_experiments
from peerlearn.people.models import signed_in_person
from peerlearn.programmes.decorators import programme_view
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access

QUADRANTS = {
    "healthy_productive": gettext_lazy("Healthy and productive"),
    "healthy_closed": gettext_lazy("Healthy but closed"),
    "transactional_delivering": gettext_lazy("Transactional but delivering"),
    "struggling": gettext_lazy("Struggling"),
}
FLAGS = {
    "echo_chamber": gettext_lazy("Echo chamber? High trust but little willingness to challenge."),
}
DIMENSION_LABELS = {
    "trust": gettext_lazy("Trust"),
    "openness": gettext_lazy("Openness"),
    "mutual_interest": gettext_lazy("Clear mutual interest"),
    "challenge": gettext_lazy("Willingness to challenge"),
    "two_way": gettext_lazy("Two-way flow"),
    "power_balance": gettext_lazy("Balance of power"),
}
CAPABILITIES = {
    "commit": gettext_lazy("Commit and engage"),
    "deliver": gettext_lazy("Carry out technical tasks and deliver results"),
    "relate": gettext_lazy("Relate to the context and attract others"),
    "balance": gettext_lazy("Balance diversity and coherence"),
    "adapt": gettext_lazy("Adapt and renew"),
}
LEVELS = {"individual": gettext_lazy("Individual"), "institutional": gettext_lazy("Institutional")}
CORRELATION_REASONS = {
    # promise: tests/experiments/test_dual_pages.py::test_a_group_below_k_shows_no_health
    "too_few_groups": gettext_lazy("Fewer than four groups can be shown: no correlation yet."),
    "no_spread": gettext_lazy("All shown groups have the same health or the same results."),
}


@require_http_methods(["GET"])
@programme_view(reads_experiments)
def dual_tracking(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    tracking = dual.dual_tracking(programme, access, signed_in_person(request))
    rows = [
        {
            "row": row,
            "quadrant": QUADRANTS.get(row.quadrant, ""),
            "flags": [FLAGS[f] for f in row.flags if f in FLAGS],
            "dimensions": [
                (DIMENSION_LABELS[d], row.latest.dimensions.get(d)) for d in engine.DIMENSIONS
            ]
            if row.latest
            else [],
        }
        for row in tracking.rows
    ]
    capabilities = [
        {
            "capability": CAPABILITIES.get(change.capability, change.capability),
            "level": LEVELS.get(change.level, change.level),
            "change": change,
            "suppressed": suppressed,
        }
        for change, suppressed in tracking.capabilities
    ]
    return render(
        request,
        "experiments/dual.html",
        {
            "programme": programme,
            "tracking": tracking,
            "rows": rows,
            "chart": dual.chart(tracking),
            "quadrant_names": QUADRANTS,
            "capabilities": capabilities,
            "correlation_reason": CORRELATION_REASONS.get(tracking.correlation.reason, ""),
            "healthy_from": engine.HEALTHY_FROM,
            "productive_from": engine.PRODUCTIVE_FROM,
        },
    )
