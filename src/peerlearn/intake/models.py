"""Intake (challenges and expectations named before anyone meets) and topic baselines.

* :class:`IntakeSettings`: one per programme, its deadline and whether the
  answers are private (hidden from evaluators, participants and observers).
* :class:`IntakeInvitation`: one per (person, programme), with when it was sent,
  reminded and answered.  Its personal links are :class:`IntakeToken` rows that
  keep only a SHA-256 of each token, as sign-in links do.
* :class:`IntakeVersion`: a JSON snapshot of every submission, so earlier
  answers are never lost.  The live answers are the person's ``Challenge`` and
  ``LearningExpectation`` rows for the programme, which the rest of the app reads.
* :class:`TopicSet` and :class:`Topic`: candidate topics (a draft) and the saved
  baselines of priority topics of a programme.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlearn.accounts.models import HashedLink


class IntakeSettings(models.Model):
    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="intake_settings"
    )
    deadline = models.DateTimeField(
        _("deadline"),
        null=True,
        blank=True,
        help_text=_("Personal links stop accepting answers after this moment."),
    )
    is_private = models.BooleanField(
        # promise: tests/roster/test_person_detail_privacy.py::test_private_answers_reach_only_facilitators_on_every_page
        _("answers are private"),
        default=True,
        # promise: tests/roster/test_person_detail_privacy.py::test_private_answers_reach_only_facilitators_on_every_page
        # promise: tests/intake/test_status_privacy.py::test_evaluator_gets_counts_without_names
        # promise: tests/intake/test_topics.py::test_baseline_visibility
        help_text=_(
            "Only facilitators of the programme read the answers; evaluators see counts, "
            "participants and observers see topic labels."
        ),
    )

    class Meta:
        verbose_name = _("intake settings")
        verbose_name_plural = _("intake settings")

    def __str__(self) -> str:
        return f"intake settings of {self.programme_id}"

    def is_open(self, now: datetime | None = None) -> bool:
        return self.deadline is None or (now or timezone.now()) < self.deadline


class IntakeInvitation(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="intake_invitations"
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="intake_invitations"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("invitation sent"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("last answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("intake invitation")
        verbose_name_plural = _("intake invitations")
        constraints = [
            models.UniqueConstraint("person", "programme", name="intake_invitation_unique")
        ]

    def __str__(self) -> str:
        return f"intake of person {self.person_id} in programme {self.programme_id}"

    def issue_token(self) -> str:
        """A new personal link token (returned once, only its hash is stored)."""
        _link, token = IntakeToken.create_with_token(invitation=self)
        return token

    @classmethod
    def for_token(cls, token: str) -> IntakeInvitation | None:
        found = (
            IntakeToken.with_token(token)
            .select_related("invitation__person", "invitation__programme")
            .first()
        )
        return found.invitation if found else None


class IntakeToken(HashedLink):
    """A personal link. Every link e-mailed to a person works until the deadline."""

    invitation = models.ForeignKey(
        IntakeInvitation, on_delete=models.CASCADE, related_name="tokens"
    )

    class Meta:
        verbose_name = _("intake link")
        verbose_name_plural = _("intake links")

    def __str__(self) -> str:
        return f"intake link {self.pk}"


class IntakeVersion(models.Model):
    """One submission: what the answers were after it, by whom, on whose behalf."""

    invitation = models.ForeignKey(
        IntakeInvitation, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("saved"), default=timezone.now)
    challenges = models.JSONField(_("challenges"), default=list)
    expectations = models.JSONField(_("learning expectations"), default=list)
    entered_by = models.ForeignKey(
        "people.Person",
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_behalf = models.BooleanField(_("entered on the person's behalf"), default=False)

    class Meta:
        ordering = ["invitation", "-number"]
        verbose_name = _("intake version")
        verbose_name_plural = _("intake versions")
        constraints = [
            models.UniqueConstraint("invitation", "number", name="intake_version_unique")
        ]

    def __str__(self) -> str:
        return f"version {self.number} of {self.invitation_id}"


TOPIC_SET_STATUS = (
    ("draft", _("Draft")),
    ("baseline", _("Baseline")),
)


class TopicSet(models.Model):
    """Candidate topics being curated (draft) or a saved baseline of priority topics.

    A programme has at most one draft; every saved baseline is kept, the latest
    one is the programme's baseline.
    """

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="topic_sets"
    )
    status = models.CharField(_("status"), max_length=10, choices=TOPIC_SET_STATUS)
    created_by = models.ForeignKey(
        "people.Person",
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    saved_by = models.ForeignKey(
        "people.Person",
        verbose_name=_("saved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    saved_at = models.DateTimeField(_("saved"), null=True, blank=True)
    people_count = models.PositiveIntegerField(default=0)
    challenge_count = models.PositiveIntegerField(default=0)
    parameters = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-saved_at", "-created_at"]
        verbose_name = _("topic set")
        verbose_name_plural = _("topic sets")
        constraints = [
            models.UniqueConstraint(
                "programme",
                condition=models.Q(status="draft"),
                name="topic_set_one_draft_per_programme",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.pk}"


class Topic(models.Model):
    topic_set = models.ForeignKey(TopicSet, on_delete=models.CASCADE, related_name="topics")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    label = models.CharField(_("label"), max_length=200)
    key_terms = models.JSONField(_("key terms"), default=list, blank=True)
    excerpts = models.JSONField(_("excerpts"), default=list, blank=True)
    challenge_count = models.PositiveIntegerField(_("challenges"), default=0)
    members: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "people.Person", related_name="priority_topics", blank=True
    )

    class Meta:
        ordering = ["topic_set", "position"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.label


class Challenge(models.Model):
    """A problem a person names in their own words, before anyone meets."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="challenges")
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="challenges",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    text = models.TextField(_("challenge"), max_length=2000)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person", "position"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        db_table = "people_challenge"  # moved from people (issue 11); the table stays

    def __str__(self) -> str:
        return self.text[:60]


class LearningExpectation(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="expectations"
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="expectations",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    text = models.TextField(_("learning expectation"), max_length=2000)

    class Meta:
        ordering = ["person", "position"]
        verbose_name = _("learning expectation")
        verbose_name_plural = _("learning expectations")
        db_table = "people_learningexpectation"

    def __str__(self) -> str:
        return self.text[:60]


class TextVector(models.Model):
    """The vector of one challenge text under one model: the similarity cache.

    Keyed by ``(backend, model_version, text_hash)``, where ``text_hash`` is
    the SHA-256 of the normalised text (``engine.similarity.text_hash``), so
    identical challenges share a row, a changed text gets a new one and a new
    model version never reuses an old vector. Not linked to people: a cache
    derived from the challenges, left out of backups and rebuilt on the next
    run (``intake/vectors.py``; docs/similarity.md).
    """

    # An internal cache, never shown (no admin, no page, no export): no
    # translated names.
    backend = models.CharField(max_length=40)
    model_version = models.CharField(max_length=100)
    text_hash = models.CharField(max_length=64)
    #: float32, little-endian, L2-normalised (``dimensions`` values).
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "matching_textvector"  # moved from matching (issue 11); the table stays
        # Two workers encoding the same text both insert it: the second insert
        # is ignored (ON CONFLICT DO NOTHING), never a duplicate row.
        constraints = [
            models.UniqueConstraint(
                fields=["backend", "model_version", "text_hash"], name="one_vector_per_text"
            )
        ]

    def __str__(self) -> str:
        return f"{self.backend} {self.model_version} {self.text_hash[:12]}"
