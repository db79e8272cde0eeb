"""Sessions of a programme: the rhythm, who comes, and how each meeting runs.

* A :class:`SessionSeries` is what a facilitator plans ("every weekday 14:00
  for ten days"); its :class:`Session` rows are the occurrences, written
  once when the series is planned so each can be moved or cancelled alone.
* A session is for a cohort's plenary (no groups) or for one or more of its
  groups.  Who is invited is computed when mail goes out, so someone who
  joins mid-programme is invited to every session still to come.
* Every change of time, place or state raises ``sequence`` and is kept as a
  :class:`SessionChange`: calendars receive the same ``uid`` with a higher
  SEQUENCE and move (or remove) the event instead of adding a second one.
* :class:`MeetingFormat` is an ordered agenda of timed steps with roles and
  prompts; built-in formats are copied into a programme and shown in the
  reader's language until a facilitator edits them.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlearn.accounts.models import HashedLink

STATUS_CHOICES = (("scheduled", _("Scheduled")), ("cancelled", _("Cancelled")))
RSVP_CHOICES = (("yes", _("I will come")), ("maybe", _("Maybe")), ("no", _("I cannot come")))


class MeetingFormat(models.Model):
    """A way of running a meeting: an ordered agenda of timed steps."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="meeting_formats"
    )
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    #: The library entry this copy came from ("" for a format written here).
    builtin_key = models.CharField(max_length=40, blank=True)
    #: False while a built-in copy is untouched: it is then shown translated.
    customised = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("meeting format")
        verbose_name_plural = _("meeting formats")
        constraints = [
            models.UniqueConstraint(
                "programme",
                "builtin_key",
                condition=~Q(builtin_key=""),
                name="format_builtin_once_per_programme",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def total_minutes(self) -> int:
        return sum(step.minutes for step in self.steps.all())


class FormatStep(models.Model):
    format = models.ForeignKey(MeetingFormat, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("step"), max_length=200)
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    speaker = models.CharField(_("who speaks"), max_length=200, blank=True)
    prompt = models.TextField(_("prompt"), blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return self.title


class SessionSeries(models.Model):
    """A planned rhythm: an RFC 5545 rule from a first local start."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="session_series"
    )
    cohort = models.ForeignKey("programmes.Cohort", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    rule = models.CharField(_("recurrence rule"), max_length=300, blank=True)
    first_start = models.DateTimeField(_("first start (local wall clock)"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration in minutes"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("series of sessions")
        verbose_name_plural = _("series of sessions")

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    """One meeting, for a cohort's plenary or for some of its groups."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="sessions"
    )
    cohort = models.ForeignKey(
        "programmes.Cohort", on_delete=models.CASCADE, related_name="sessions"
    )
    series = models.ForeignKey(
        SessionSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    format = models.ForeignKey(
        MeetingFormat,
        verbose_name=_("format"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    groups: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "programmes.Group", blank=True, related_name="sessions", verbose_name=_("groups")
    )
    facilitators: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "people.Person", blank=True, related_name="facilitated_sessions"
    )
    #: No groups: for the whole cohort.  Kept with the groups (they are set
    #: once, when the session is planned) so feeds find plenaries by index.
    plenary = models.BooleanField(default=True)
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default="scheduled")
    #: RFC 5545 SEQUENCE: raised on every change calendars must follow.
    sequence = models.PositiveIntegerField(default=0)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            )
        ]
        indexes = [
            models.Index(fields=["cohort", "starts_at"]),
            models.Index(fields=["cohort", "plenary", "starts_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def ical_uid(self) -> str:
        return f"{self.uid}@peerlearn"


class SessionChange(models.Model):
    """What changed in a session, and the SEQUENCE it was sent with."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="changes")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=20)  # "moved", "edited", "cancelled"
    old_start = models.DateTimeField(null=True)
    new_start = models.DateTimeField(null=True)
    actor = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"{self.session_id} #{self.sequence} {self.kind}"


class Rsvp(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="rsvps")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(_("answer"), max_length=8, choices=RSVP_CHOICES)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("session", "person", name="rsvp_once")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.answer}"


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    present = models.BooleanField(_("present"))
    marked_by = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("session", "person", name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.present}"


class SessionMail(models.Model):
    """What one person was e-mailed about one session (claims live here).

    ``informed_sequence`` is the SEQUENCE of the last .ics they received:
    when the session's sequence is higher, they hold an outdated event and
    get a change (or cancellation) notice.
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="mails")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    invited_at = models.DateTimeField(null=True)
    reminded_at = models.DateTimeField(null=True)
    informed_sequence = models.IntegerField(null=True)
    #: The run that claimed the row last (see ``sending._claim_batch``).
    claim_token = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint("session", "person", name="session_mail_once")]

    def __str__(self) -> str:
        return f"{self.session_id} → {self.person_id}"


class CalendarFeed(HashedLink):
    """A person's private calendar address; only the token's hash is kept."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "person", condition=Q(revoked_at__isnull=True), name="one_live_feed_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"calendar feed of {self.person_id}"

    @classmethod
    def issue(cls, person: Any) -> str:
        """Revoke the person's feed (if any) and return a fresh token (shown once).

        The person's row is locked first: of two clicks at once, the second
        waits, then revokes the first one's fresh feed and makes its own,
        instead of both inserting a live feed and one failing on
        ``one_live_feed_per_person`` with a server error.
        """
        with transaction.atomic():
            type(person).objects.select_for_update().filter(pk=person.pk).exists()
            cls.objects.filter(person=person, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            _feed, token = cls.create_with_token(person=person)
        return token

    @classmethod
    def live(cls, token: str) -> CalendarFeed | None:
        return (
            cls.with_token(token).filter(revoked_at__isnull=True).select_related("person").first()
        )
