"""Sessions for the shared ``world``: a plenary of the event and a session of group A."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from peerlearn.delivery import formats, services
from peerlearn.delivery.models import MeetingFormat, Session


def plan(world, *, title="Plenary", groups=(), rule="", start=None, cohort=None, minutes=90):
    start = start or (timezone.now() + timedelta(days=3)).replace(tzinfo=None, microsecond=0)
    return services.plan_sessions(
        world.programme,
        services.Plan(
            cohort=cohort or world.event,
            title=title,
            first_start=start,
            duration=timedelta(minutes=minutes),
            time_zone="UTC",
            rule=rule,
            groups=tuple(groups),
        ),
    )


def plenary(world) -> Session:
    return plan(world)[0]


def group_a_session(world) -> Session:
    return plan(world, title="Group A work", groups=[world.group_a])[0]


def module_session(world) -> Session:
    return plan(world, title="Module day", cohort=world.module)[0]


def troika(world) -> MeetingFormat:
    formats.install_library(world.programme)
    return MeetingFormat.objects.get(programme=world.programme, builtin_key="troika")


def wall(*args) -> datetime:
    return datetime(*args)
