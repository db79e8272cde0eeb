"""A run's groups as a CSV or XLSX file, for the facilitators of the cohort.

One row per member: group label, group name (the facilitator's, else
"Group G1"), name, e-mail, organisation, country, role, and whether the
person was locked or moved by hand. The file is what the run page shows the
same facilitator, so it reveals nothing new; challenges stay out of it (they
belong to the intake's own exports). Text cells are neutralised against
formula injection by the writers the surveys' exports use.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from peerlearn.matching.models import MatchingRun
from peerlearn.matching.publishing import published_name
from peerlearn.people.models import Person
from peerlearn.surveys.exports import csv_chunks, write_xlsx


def header() -> list[str]:
    return [
        _("Group"),
        _("Group name"),
        _("Name"),
        _("E-mail"),
        _("Organisation"),
        _("Country"),
        _("Role"),
        _("Locked"),
        _("Moved by hand"),
    ]


def rows(run: MatchingRun) -> Iterator[list[object]]:
    """One row per member, groups in the run's order, members by name."""
    stored = run.run_result
    people = (
        Person.objects.filter(pk__in=[int(p) for p in stored.assignment if p.isdigit()])
        .select_related("organisation")
        .in_bulk()
    )
    locked = set(stored.locked)
    for label, pids in stored.groups_in_order().items():
        name = published_name(label, str((stored.groups.get(label) or {}).get("name") or ""))
        members = sorted(
            (people[int(pid)] for pid in pids if int(pid) in people), key=lambda p: p.name
        )
        for person in members:
            moved = bool((stored.members.get(str(person.pk)) or {}).get("moved"))
            yield [
                label,
                name,
                person.name,
                person.email,
                person.organisation.name if person.organisation else "",
                person.country or "",
                person.role_title or "",
                _("yes") if str(person.pk) in locked else "",
                _("yes") if moved else "",
            ]


def export_response(run: MatchingRun, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """The download: ``fmt`` is ``csv`` or ``xlsx``."""
    filename = f"groups-run-{run.pk}.{fmt}"
    response: HttpResponse | StreamingHttpResponse
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, header(), rows(run), sheet_title="groups")
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(
            csv_chunks(header(), rows(run)), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
