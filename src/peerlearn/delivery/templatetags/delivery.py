"""``{% next_session programme access %}``: the viewer's next session, first on a page."""

from __future__ import annotations

from typing import Any

from django import template

from peerlearn.delivery import services
from peerlearn.engine import rhythm

register = template.Library()


@register.inclusion_tag("delivery/next_session.html", takes_context=True)
def next_session(context: dict[str, Any], programme, access) -> dict[str, Any]:
    request = context["request"]
    found = services.next_session(request.user, programme, access)
    local = found.starts_at.astimezone(rhythm.zone(found.time_zone)) if found else None
    return {"programme": programme, "session": found, "local_start": local, "access": access}
