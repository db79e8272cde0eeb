"""Surveys: instruments, their scheduling for a cohort, invitations and responses.

* :class:`Instrument`: an XLSForm imported into a programme (built-in or
  uploaded).  ``definition`` holds the parsed form as JSON
  (:func:`peerlearn.surveys.xlsform.to_dict`), ``source_xlsx`` the workbook as
  uploaded.  Its ``anonymity`` decides what a response keeps of its author.
* :class:`Survey`: an instrument scheduled for the participants of a cohort (or
  of the whole programme), optionally at a session, opening on a date and
  closing on another, with reminders a number of days after opening.
* :class:`Invitation`: one per (survey, person); when it was sent, reminded,
  started and submitted, and the draft answers saved as the person goes.
  Its personal links are :class:`InvitationLink` rows keeping a SHA-256 only.
* :class:`Response`: a submitted set of answers.  Identified responses point
  to the person; pseudonymous ones carry a stable code instead and their time
  to the hour; anonymous ones carry neither, and no time and no language at
  all (see :mod:`peerlearn.surveys.identity`).  ``batch`` says when a
  response was published (:mod:`peerlearn.surveys.publication`).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlearn.accounts.models import HashedLink
from peerlearn.surveys.xlsform import Instrument as FormDefinition
from peerlearn.surveys.xlsform import from_dict

ANONYMITY_CHOICES = (
    # promise: tests/surveys/test_answering.py::test_identified_response_keeps_the_person_and_the_draft
    ("identified", _("Identified: answers show who gave them")),
    # promise: tests/surveys/test_answering.py::test_pseudonym_is_stable_in_a_programme_and_differs_across_programmes
    ("pseudonymous", _("Pseudonymous: a stable code per person, never a name")),
    # promise: tests/surveys/test_answering.py::test_anonymous_response_keeps_neither_person_nor_code_nor_time_nor_language
    ("anonymous", _("Anonymous: nothing links answers to a person")),
)

ANCHOR_CHOICES = (
    ("date", _("On a date")),
    ("session", _("At a session")),
    ("cohort_start", _("Days after the cohort starts")),
    ("cohort_end", _("Days after the cohort ends")),
)

AUDIENCE_CHOICES = (
    ("participant", _("Participant")),
    ("control", _("Control group")),
)


def default_min_respondents() -> int:
    return int(getattr(settings, "PEERLEARN_MIN_RESPONDENTS", 5))


class Instrument(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="instruments"
    )
    title = models.CharField(_("title"), max_length=300)
    form_id = models.CharField(_("form id"), max_length=100)
    version = models.CharField(_("version"), max_length=100, blank=True)
    builtin = models.CharField(
        _("built-in instrument"),
        max_length=50,
        blank=True,
        help_text=_("Name of the built-in instrument it was installed from, if any."),
    )
    anonymity = models.CharField(
        _("anonymity"), max_length=20, choices=ANONYMITY_CHOICES, default="pseudonymous"
    )
    min_respondents = models.PositiveSmallIntegerField(
        _("minimum respondents shown"),
        default=default_min_respondents,
        # promise: tests/surveys/test_analysis.py::test_exactly_k_responses_are_shown_and_k_minus_one_suppressed
        # promise: tests/surveys/test_results_pages.py::test_k_is_the_instruments_minimum
        help_text=_("Any breakdown with fewer respondents is suppressed in reports and exports."),
    )
    definition = models.JSONField(_("definition"), default=dict)
    source_xlsx = models.BinaryField(_("XLSForm as imported"), blank=True, default=b"")
    source_filename = models.CharField(_("file name"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        constraints = [
            models.UniqueConstraint(
                "programme", "form_id", "version", name="instrument_unique_form_version"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def form(self) -> FormDefinition:
        """The parsed form (cached on the instance)."""
        cached: FormDefinition | None = getattr(self, "_form", None)
        if cached is None:
            cached = from_dict(self.definition)
            self._form = cached
        return cached

    @property
    def keeps_identity(self) -> bool:
        return self.anonymity == "identified"


#: Invitation counts of a survey, as annotations (one query for a whole list).
#: "Invited" means an e-mail went out or the person answered (e.g. from "My surveys").
SURVEY_COUNTS = {
    "n_invited": models.Count(
        "invitations",
        filter=Q(invitations__sent_at__isnull=False) | Q(invitations__submitted_at__isnull=False),
    ),
    "n_started": models.Count("invitations", filter=Q(invitations__started_at__isnull=False)),
    "n_answered": models.Count("invitations", filter=Q(invitations__submitted_at__isnull=False)),
    "n_control": models.Count("invitations", filter=Q(invitations__audience="control")),
}


class Survey(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="surveys")
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="surveys"
    )
    cohort = models.ForeignKey(
        "programmes.Cohort",
        verbose_name=_("cohort or module"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="surveys",
        help_text=_("Leave empty to ask every participant of the programme."),
    )
    title = models.CharField(_("title"), max_length=300)
    anchor = models.CharField(_("when"), max_length=20, choices=ANCHOR_CHOICES, default="date")
    offset_days = models.IntegerField(_("days after"), default=0)
    session_name = models.CharField(_("session"), max_length=200, blank=True)
    session_at = models.DateTimeField(_("session time"), null=True, blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    reminder_days = models.JSONField(
        _("reminders (days after opening)"),
        default=list,
        blank=True,
        help_text=_("Non-responders are reminded this many days after the survey opens."),
    )
    invite_participants = models.BooleanField(
        _("invite the participants automatically"), default=True
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_at", "pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.cancelled_at is not None or now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at


class Invitation(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    audience = models.CharField(
        _("respondent group"), max_length=20, choices=AUDIENCE_CHOICES, default="participant"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("invitation sent"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    draft = models.JSONField(_("answers saved so far"), default=dict, blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [models.UniqueConstraint("survey", "person", name="survey_invitation_unique")]
        indexes = [models.Index(fields=["survey", "submitted_at"])]

    def __str__(self) -> str:
        return f"invitation of person {self.person_id} to survey {self.survey_id}"

    def issue_link(self) -> str:
        """A new personal link token (returned once; only its hash is stored)."""
        _link, token = InvitationLink.create_with_token(invitation=self)
        return token

    @classmethod
    def for_token(cls, survey_id: int, token: str) -> Invitation | None:
        """The invitation behind ``token`` if it belongs to survey ``survey_id``."""
        found = (
            InvitationLink.with_token(token)
            .filter(invitation__survey_id=survey_id)
            .select_related("invitation__person", "invitation__survey__instrument")
            .first()
        )
        return found.invitation if found else None


class InvitationLink(HashedLink):
    """A personal link; every link e-mailed for an invitation works until it is submitted."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="links")

    def __str__(self) -> str:
        return f"survey link {self.pk}"


class Response(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
        # promise: tests/surveys/test_answering.py::test_pseudonym_is_stable_in_a_programme_and_differs_across_programmes
        # promise: tests/surveys/test_answering.py::test_anonymous_response_keeps_neither_person_nor_code_nor_time_nor_language
        help_text=_("Only for identified instruments."),
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=20, blank=True)
    audience = models.CharField(
        _("respondent group"), max_length=20, choices=AUDIENCE_CHOICES, default="participant"
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    answers = models.JSONField(_("answers"), default=dict)
    submitted_at = models.DateTimeField(
        _("submitted"),
        null=True,
        blank=True,
        # promise: tests/surveys/test_trust.py::test_anonymous_rows_join_back_to_nobody
        help_text=_(
            "Exact for identified instruments, to the hour if pseudonymous, none if anonymous."
        ),
    )
    imported_key = models.CharField(
        _("key of the imported submission"),
        max_length=64,
        blank=True,
        default="",
        # promise: tests/surveys/test_response_import.py::test_anonymous_import_keeps_no_identity_time_or_language
        # promise: tests/surveys/test_response_import.py::test_confirmed_import_stores_rows_skips_duplicates_and_is_audited
        help_text=_(
            "For answers imported from KoboToolbox or ODK: a keyed hash of the submission's "
            "_uuid or instanceID, so the same submission is never imported twice "
            "(see peerlearn.surveys.imports)."
        ),
    )
    batch = models.PositiveIntegerField(
        _("published in batch"),
        null=True,
        blank=True,
        help_text=_(
            "Empty until k responses of the same respondent group are waiting; then they are "
            "published together (see peerlearn.surveys.publication)."
        ),
    )

    class Meta:
        ordering = ["survey", "pk"]
        indexes = [models.Index(fields=["survey", "batch"])]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            # An identified person answers a survey once, whatever happens upstream.
            models.UniqueConstraint(
                "survey",
                "person",
                condition=Q(person__isnull=False),
                name="response_unique_person",
            ),
            models.UniqueConstraint(
                "survey",
                "pseudonym",
                condition=~Q(pseudonym=""),
                name="response_unique_pseudonym",
            ),
            # One imported submission (Kobo _uuid, ODK instanceID) once per survey.
            models.UniqueConstraint(
                "survey",
                "imported_key",
                condition=~Q(imported_key=""),
                name="response_unique_imported_submission",
            ),
        ]

    def __str__(self) -> str:
        return f"response {self.pk} to survey {self.survey_id}"


class ResponseImport(models.Model):
    """A KoboToolbox or ODK export waiting for the facilitator to confirm its preview.

    The file is kept in the database (every app server sees it) until it is
    applied, then emptied: confirming reads it again against the database as
    it is then and stores every row or none (:mod:`peerlearn.surveys.imports`).
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    data = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("response import")
        verbose_name_plural = _("response imports")

    def __str__(self) -> str:
        return self.filename
