"""``{% next_session programme access %}``: the viewer's next session, first on a page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from peerlearn.delivery import services
from peerlearn.engine import rhythm
from peerlearn.people.models import signed_in_person

register = template.Library()


@register.inclusion_tag("delivery/next_session.html", takes_context=True)
def next_session(context: dict[str, Any], programme, access) -> dict[str, Any]:
    request = context["request"]
    found = services.next_session(request.user, programme, access)
    local = found.starts_at.astimezone(rhythm.zone(found.time_zone)) if found else None
    return {"programme": programme, "session": found, "local_start": local, "access": access}


@register.inclusion_tag("delivery/my_next_session.html", takes_context=True)
def my_next_session(context: dict[str, Any]) -> dict[str, Any]:
    """The signed-in person's next session in any of their programmes (for /me)."""
    person = signed_in_person(context["request"])
    found = None
    if person is not None:
        found = (
            services.sessions_of_person(person)
            .filter(status="scheduled", ends_at__gt=timezone.now())
            .select_related("programme")
            .order_by("starts_at", "pk")
            .first()
        )
    local = found.starts_at.astimezone(rhythm.zone(found.time_zone)) if found else None
    return {"session": found, "local_start": local}
