"""Learning objectives, organisational outcomes, authorisations and stage risks.

The learning-outcomes and diffusion stages of the process map: what each
person or group means to learn (set before the first session, locked at a date
the programme chooses, rated at the end), what each participating organisation
expects to change, who authorised the work, and the risks facilitators named
per stage of the programme.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from peerlearn.programmes.models import STAGE_CHOICES

START_RATING_CHOICES = (
    (1, _("1 · New to me")),
    (2, _("2 · I know a little")),
    (3, _("3 · I manage with help")),
    (4, _("4 · I manage on my own")),
    (5, _("5 · I could teach it")),
)

ACHIEVEMENT_CHOICES = (
    (0, _("Not achieved")),
    (1, _("Partly achieved")),
    (2, _("Mostly achieved")),
    (3, _("Fully achieved")),
)
#: An objective counts as achieved in the aggregates from this rating up.
ACHIEVED_FROM = 2

OUTCOME_TYPE_CHOICES = (
    ("practice", _("A new or changed way of working (procedure, tool, standard)")),
    ("policy", _("A new or changed policy, strategy or plan")),
    ("skills", _("Skills passed on to colleagues (training, guidance, coaching)")),
    ("structure", _("A change in how the organisation is run (roles, units, funding)")),
    ("relations", _("A new or stronger working relationship with other organisations")),
    ("knowledge", _("A knowledge product the organisation uses")),
    ("other", _("Something else (describe it)")),
)

OUTCOME_LEVEL_CHOICES = (
    ("team", _("A team or unit")),
    ("organisation", _("The whole organisation")),
    ("beyond", _("Beyond the organisation (sector, other agencies, the public)")),
)

OUTCOME_REVIEW_CHOICES = (
    ("open", _("Not reviewed yet")),
    ("not_achieved", _("Did not happen")),
    ("under_way", _("Under way")),
    ("achieved", _("Happened")),
)

AUTHORISATION_STATUS_CHOICES = (
    ("not_asked", _("Not asked")),
    ("requested", _("Requested")),
    ("granted", _("Granted")),
    ("refused", _("Refused")),
)

RISK_STATUS_CHOICES = (
    ("open", _("Open")),
    ("watching", _("Being mitigated")),
    ("closed", _("Closed")),
)


def one_holder(name: str) -> models.CheckConstraint:
    """Exactly one of person and group: an objective or authorisation belongs to one."""
    return models.CheckConstraint(
        condition=(Q(person__isnull=False) & Q(group__isnull=True))
        | (Q(person__isnull=True) & Q(group__isnull=False)),
        name=name,
    )


class ObjectiveSettings(models.Model):
    """The programme's dates for objectives: when they lock, when achievement is rated."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="objective_settings"
    )
    lock_on = models.DateField(
        _("objectives lock on"),
        null=True,
        blank=True,
        help_text=_("From this day on objectives can be rated but no longer changed."),
    )
    rate_from = models.DateField(
        _("achievement is rated from"),
        null=True,
        blank=True,
        help_text=_("Empty: from the programme's end date."),
    )

    class Meta:
        verbose_name = _("objective settings")
        verbose_name_plural = _("objective settings")

    def __str__(self) -> str:
        return f"objective settings of {self.programme}"


class LearningObjective(models.Model):
    """What one person or one group means to learn in a programme.

    Its statement, reasons and starting point change until it is locked (by
    the facilitator, or by the programme's lock date); every change is kept in
    ``history``. At the end its holder rates what was achieved, with evidence.
    """

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="learning_objectives"
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="learning_objectives",
    )
    group = models.ForeignKey(
        "programmes.Group",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="learning_objectives",
    )
    statement = models.TextField(_("what I want to learn"), max_length=1000)
    why = models.TextField(_("why it matters"), max_length=2000)
    success_sign = models.TextField(_("how I will know"), max_length=2000)
    start_rating = models.PositiveSmallIntegerField(
        _("where I start"), choices=START_RATING_CHOICES
    )
    review_note = models.TextField(_("facilitator's review"), max_length=2000, blank=True)
    reviewed_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)
    achievement = models.PositiveSmallIntegerField(
        _("what was achieved"), choices=ACHIEVEMENT_CHOICES, null=True, blank=True
    )
    achievement_evidence = models.TextField(_("evidence"), max_length=3000, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(table_name="objectives_history_learningobjective")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("learning objective")
        verbose_name_plural = _("learning objectives")
        constraints = [one_holder("objective_one_holder")]

    def __str__(self) -> str:
        return self.statement[:60]


class OrganisationalOutcome(models.Model):
    """A change a participating organisation anticipates from the programme."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="organisational_outcomes"
    )
    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.CASCADE, related_name="anticipated_outcomes"
    )
    kind = models.CharField(_("type of outcome"), max_length=20, choices=OUTCOME_TYPE_CHOICES)
    level = models.CharField(_("level"), max_length=20, choices=OUTCOME_LEVEL_CHOICES)
    description = models.TextField(_("what will change"), max_length=2000)
    review = models.CharField(
        _("at the end"), max_length=20, choices=OUTCOME_REVIEW_CHOICES, default="open"
    )
    review_evidence = models.TextField(_("evidence"), max_length=3000, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "created_at", "pk"]
        verbose_name = _("organisational outcome")
        verbose_name_plural = _("organisational outcomes")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.description[:40]}"


class Authorisation(models.Model):
    """Who authorised a group's or a person's work, and where the request stands."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="authorisations"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        "programmes.Group",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="authorisations",
    )
    authoriser_name = models.CharField(_("authoriser's name"), max_length=200, blank=True)
    authoriser_role = models.CharField(
        _("authoriser's role"),
        max_length=200,
        blank=True,
        help_text=_("For example: Minister of Finance, Permanent Secretary."),
    )
    authoriser_organisation = models.CharField(
        _("authoriser's organisation"), max_length=200, blank=True
    )
    grants = models.TextField(
        _("what is asked"),
        max_length=2000,
        blank=True,
        help_text=_("For example: four hours a week for the team's project, March to July."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AUTHORISATION_STATUS_CHOICES, default="not_asked"
    )
    status_on = models.DateField(_("status since"), null=True, blank=True)
    signed_copy = models.BinaryField(_("signed copy"), blank=True, default=b"")
    signed_copy_name = models.CharField(max_length=200, blank=True)
    signed_copy_type = models.CharField(max_length=50, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("authorisation")
        verbose_name_plural = _("authorisations")
        constraints = [
            one_holder("authorisation_one_holder"),
            models.UniqueConstraint("programme", "group", name="authorisation_one_per_group"),
            models.UniqueConstraint("programme", "person", name="authorisation_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"authorisation {self.pk}"

    @property
    def holder(self) -> object:
        return self.group or self.person


class StageRisk(models.Model):
    """A risk the facilitators named for one stage of the process map, and its mitigation."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="stage_risks"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=STAGE_CHOICES)
    risk = models.TextField(_("risk"), max_length=2000)
    mitigation = models.TextField(_("mitigation"), max_length=2000, blank=True)
    owner = models.ForeignKey(
        "people.Person",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RISK_STATUS_CHOICES, default="open"
    )
    builtin_key = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["stage", "pk"]
        verbose_name = _("stage risk")
        verbose_name_plural = _("stage risks")
        constraints = [
            models.UniqueConstraint(
                "programme",
                "builtin_key",
                condition=~Q(builtin_key=""),
                name="stage_risk_builtin_once",
            )
        ]

    def __str__(self) -> str:
        return self.risk[:60]


BOARD_RANK_CHOICES = (
    ("near", _("Ranks near each group's own position only")),
    ("none", _("No ranks at all")),
)


class BoardSettings(models.Model):
    """The programme's choice about the groups' progress board (off until switched on)."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="board_settings"
    )
    enabled = models.BooleanField(_("show the progress board"), default=False)
    ranks = models.CharField(_("ranks"), max_length=10, choices=BOARD_RANK_CHOICES, default="near")

    class Meta:
        verbose_name = _("board settings")
        verbose_name_plural = _("board settings")

    def __str__(self) -> str:
        return f"board settings of {self.programme}"
