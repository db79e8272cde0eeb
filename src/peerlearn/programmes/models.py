"""Programmes, their cohorts or modules, who does what in them, and groups."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def end_not_before_start(name: str) -> models.CheckConstraint:
    """A date range whose end, when both dates are known, is not before its start."""
    return models.CheckConstraint(
        condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=models.F("start")),
        name=name,
    )


STAGE_CHOICES = (
    ("curation", _("1. Curation of topics and engagement")),
    ("matching", _("2. Purposeful matching")),
    ("engagement", _("3. Ongoing learning and engagement")),
    ("outcomes", _("4. Learning outcomes")),
    ("diffusion", _("5. Diffusion to organisations")),
)

#: A group of peers (published by a groups run, or made by hand) or a pair (or
#: trio) published by a pairs run: both are ``Group`` rows, so check-ins,
#: products, notes and sessions work for pairs as for groups.
GROUP_KIND_CHOICES = (
    ("group", _("group")),
    ("pair", _("pair")),
)

COHORT_KIND_CHOICES = (
    ("event", _("Foundational event")),
    ("in_country", _("In-country cohort")),
    ("module", _("Module")),
)


#: What a person does in a programme or a cohort (``Membership.role``).
PROGRAMME_ROLE_CHOICES = (
    ("participant", _("Participant")),
    ("facilitator", _("Facilitator")),
    ("evaluator", _("Evaluator")),
    ("observer", _("Observer")),
)


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name for addresses"), unique=True, max_length=80)
    purpose = models.TextField(_("purpose"), blank=True)
    facilitating_organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("facilitating organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilitated_programmes",
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    stage = models.CharField(
        _("current stage"), max_length=20, choices=STAGE_CHOICES, default="curation"
    )
    min_challenges = models.PositiveSmallIntegerField(
        _("challenges asked of each person"), default=3
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [end_not_before_start("programme_end_after_start")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:detail", args=[self.slug])


class Cohort(models.Model):
    """A foundational event, an in-country cohort or a module of a programme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=COHORT_KIND_CHOICES, default="event")
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)

    class Meta:
        ordering = ["start", "name"]
        verbose_name = _("cohort or module")
        verbose_name_plural = _("cohorts and modules")
        constraints = [
            models.UniqueConstraint("programme", "name", name="cohort_name_unique_in_programme"),
            end_not_before_start("cohort_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in a whole programme (cohort empty) or in one cohort/module."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="memberships"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="memberships")
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=PROGRAMME_ROLE_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                "person",
                "programme",
                "role",
                condition=Q(cohort__isnull=True),
                name="membership_unique_programme_role",
            ),
            models.UniqueConstraint(
                "person",
                "cohort",
                "role",
                condition=Q(cohort__isnull=False),
                name="membership_unique_cohort_role",
            ),
        ]

    def __str__(self) -> str:
        where = self.cohort or self.programme
        return f"{self.person} – {self.get_role_display()} – {where}"


class Group(models.Model):
    """A small group or team of peers inside a cohort.

    Groups written by publishing a matching run remember that run
    (``source_run``, the round they belong to). Publishing a later round never
    deletes them: it sets ``archived_at`` and they stay, with their members
    and notes, as an earlier grouping (read-only). Names are unique among the
    cohort's current groups only, so each round can have its "Group G1".

    ``kind`` tells a pair from a group: publishing a pairs run writes one
    ``Group`` of kind "pair" per pair (two people, or three for a trio), and
    publishing a grouping archives only earlier groups of kind "group" (a
    new pairs run only earlier pairs), see ``matching/publishing.py``.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=GROUP_KIND_CHOICES, default="group")
    members: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "people.Person", through="GroupMember", related_name="peer_groups"
    )
    source_run = models.ForeignKey(
        "matching.MatchingRun",
        verbose_name=_("published by the run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="published_groups",
    )
    archived_at = models.DateTimeField(_("moved to earlier groupings on"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.UniqueConstraint(
                "cohort",
                "name",
                condition=Q(archived_at__isnull=True),
                name="group_name_unique_in_cohort",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_pair(self) -> bool:
        return self.kind == "pair"


class GroupMember(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="group_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint("group", "person", name="group_member_unique")]

    def __str__(self) -> str:
        return f"{self.person} in {self.group}"


class GroupNote(models.Model):
    """Something a member shares inside their group.

    Private to the group's members and the facilitators of its cohort or
    programme: evaluators and observers never see it.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("group note")
        verbose_name_plural = _("group notes")

    def __str__(self) -> str:
        return self.text[:60]
