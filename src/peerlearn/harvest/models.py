"""Outcome stories, their evidence and substantiation, and actors' responses (docs/harvest.md).

* :class:`OutcomeStory`: an observable change in what an actor does, told as
  outcome harvesting asks (who changed what, when, where; the kind of change;
  intended or not; positive or negative; its significance; how peer learning
  contributed), with a visibility that decides who reads it
  (:mod:`peerlearn.harvest.permissions`).
* :class:`Evidence`: a file (sniffed as product files are) or a link.
* :class:`Substantiation`: one named person asked, by a personal link, whether
  they agree with the story.  Only a SHA-256 of the link's token is stored, as
  for sign-in and intake links; the answer is written by one conditional
  UPDATE, so a link answers once.
* :class:`ActorResponse`: the systems view; how an actor responded to a change
  (reinforcing, neutral, obstructive), on a story or on its own.

The contribution of peer learning links a story to groups, delivery sessions
and learning exchanges (the ``mel`` app's mutuality ledger).  Exchanges are
linked on their own page (a programme may hold thousands), and each reader
sees only the linked exchanges they may read (docs/harvest.md).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlearn.accounts.models import hash_token, new_token

KIND_CHOICES = (
    ("behaviour", _("Behaviour")),
    ("relationship", _("Relationship")),
    ("policy", _("Policy")),
    ("practice", _("Practice")),
    ("action", _("Action")),
)

VISIBILITY_CHOICES = (
    # promise: tests/harvest/test_permissions.py::test_private_story_is_read_by_facilitators_only
    ("private", _("Private to the facilitators")),
    # promise: tests/harvest/test_permissions.py::test_story_shared_with_evaluators_is_hidden_from_participants
    ("evaluators", _("Shared with the evaluators")),
    # promise: tests/harvest/test_permissions.py::test_published_story_is_read_by_every_member
    ("published", _("Published to the programme")),
)

ANSWER_CHOICES = (
    ("full", _("I agree fully")),
    ("partly", _("I agree partly")),
    ("not", _("I do not agree")),
)

RESPONSE_CHOICES = (
    ("reinforcing", _("Reinforcing")),
    ("neutral", _("Neutral")),
    ("obstructive", _("Obstructive")),
)

#: How long a substantiation link works.
LINK_DAYS = 30


class OutcomeStory(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="outcome_stories"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"), help_text=_("Who changed what, when and where.")
    )
    observed_on = models.DateField(_("when it was observed"), null=True, blank=True)
    place = models.CharField(_("where"), max_length=200, blank=True)
    social_actor = models.CharField(
        _("social actor"),
        max_length=300,
        help_text=_("The organisation, unit or person whose behaviour changed."),
    )
    actor_organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("organisation of the social actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    change_agents: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "people.Person",
        blank=True,
        related_name="+",
        verbose_name=_("change agents"),
        help_text=_("People of the programme who contributed to the change."),
    )
    kind = models.CharField(_("kind of change"), max_length=20, choices=KIND_CHOICES)
    intended = models.BooleanField(_("intended"), default=True)
    positive = models.BooleanField(_("positive"), default=True)
    significance = models.TextField(_("significance"), blank=True)
    contribution = models.TextField(
        _("contribution of peer learning"),
        blank=True,
        help_text=_("How the peer learning contributed to the change."),
    )
    groups: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "programmes.Group", blank=True, related_name="+", verbose_name=_("groups")
    )
    sessions: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "delivery.Session", blank=True, related_name="+", verbose_name=_("sessions")
    )
    exchanges: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "mel.Exchange",
        blank=True,
        related_name="outcome_stories",
        verbose_name=_("learning exchanges"),
    )
    informant = models.CharField(
        _("informant"), max_length=300, blank=True, help_text=_("Who told the harvester.")
    )
    harvester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("harvester"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visibility = models.CharField(
        _("who reads it"), max_length=12, choices=VISIBILITY_CHOICES, default="private"
    )
    #: The follow-up answer it was turned from (``diffusion`` candidate key), if any.
    source_key = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(_("harvested"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outcome story")
        verbose_name_plural = _("outcome stories")

    def __str__(self) -> str:
        return self.title

    @property
    def verification(self) -> str:
        """``unverified``, ``substantiated``, ``partly`` or ``disputed`` (from the answers)."""
        return verification_status(a.answer for a in self.substantiations.all() if a.answer)


VERIFICATION_LABELS = {
    "unverified": _("Unverified"),
    "substantiated": _("Substantiated"),
    "partly": _("Partly substantiated"),
    "disputed": _("Disputed"),
}


def verification_status(answers: Any) -> str:
    """The story's status from its substantiators' answers.

    No answer yet: unverified.  Any "not": disputed (one informed person
    disagreeing is what an evaluator must see first).  All "full":
    substantiated.  Otherwise (some "partly"): partly.

    >>> verification_status([])
    'unverified'
    >>> verification_status(["full", "partly"])
    'partly'
    >>> verification_status(["full", "not"])
    'disputed'
    >>> verification_status(["full", "full"])
    'substantiated'
    """
    given = list(answers)
    if not given:
        return "unverified"
    if "not" in given:
        return "disputed"
    if all(a == "full" for a in given):
        return "substantiated"
    return "partly"


class Evidence(models.Model):
    """A file or a link backing a story."""

    story = models.ForeignKey(OutcomeStory, on_delete=models.CASCADE, related_name="evidence")
    link = models.URLField(_("link"), max_length=500, blank=True)
    data = models.BinaryField(blank=True, default=b"")
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveIntegerField(default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["story", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=~Q(link="") | ~Q(filename=""), name="evidence_file_or_link"
            )
        ]

    def __str__(self) -> str:
        return self.filename or self.link


class SubstantiationQuerySet(models.QuerySet["Substantiation"]):
    def answerable(self) -> SubstantiationQuerySet:
        return self.filter(answered_at__isnull=True, expires_at__gt=timezone.now()).exclude(
            token_hash=""
        )


class Substantiation(models.Model):
    """A substantiator asked about one story, and their answer."""

    story = models.ForeignKey(
        OutcomeStory, on_delete=models.CASCADE, related_name="substantiations"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    #: The language of the e-mail and the answer page (the asking facilitator's).
    language = models.CharField(max_length=10, blank=True, default="")
    #: SHA-256 of the newest link e-mailed (empty until the first e-mail).
    token_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=timezone.now)
    answer = models.CharField(_("answer"), max_length=10, choices=ANSWER_CHOICES, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = SubstantiationQuerySet.as_manager()

    class Meta:
        ordering = ["story", "pk"]
        verbose_name = _("substantiation")
        verbose_name_plural = _("substantiations")

    def __str__(self) -> str:
        return f"substantiation {self.pk} of story {self.story_id}"

    def issue_token(self) -> str:
        """A fresh link (returned once; only its hash is kept). Older links stop working.

        Conditional on the question being unanswered: a link is never issued
        for an answer already given.
        """
        token, token_hash = new_token()
        now = timezone.now()
        updated = Substantiation.objects.filter(pk=self.pk, answered_at__isnull=True).update(
            token_hash=token_hash, sent_at=now, expires_at=now + timedelta(days=LINK_DAYS)
        )
        return token if updated else ""

    @classmethod
    def for_token(cls, token: str) -> Substantiation | None:
        """The request a link belongs to, answered or not (None if unknown)."""
        if not token:
            return None
        return (
            cls.objects.select_related("story__programme")
            .filter(token_hash=hash_token(token))
            .first()
        )

    def redeem(self, token: str, answer: str, comment: str) -> bool:
        """Write the answer once: a conditional UPDATE, so two submits cannot both win."""
        now = timezone.now()
        claimed = (
            Substantiation.objects.answerable()
            .filter(pk=self.pk, token_hash=hash_token(token))
            .update(answer=answer, comment=comment.strip(), answered_at=now)
        )
        return claimed == 1

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class ActorResponse(models.Model):
    """How an actor of the system responded to a change (seed 002's systems view)."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="actor_responses"
    )
    story = models.ForeignKey(
        OutcomeStory,
        verbose_name=_("story"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="actor_responses",
    )
    actor = models.CharField(_("actor"), max_length=300)
    organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    response = models.CharField(_("response"), max_length=12, choices=RESPONSE_CHOICES)
    note = models.TextField(_("what they did"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("actor response")
        verbose_name_plural = _("actor responses")

    def __str__(self) -> str:
        return f"{self.actor}: {self.response}"
