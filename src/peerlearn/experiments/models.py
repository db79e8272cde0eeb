"""An experiment, its arms, the outcomes it compares and any random assignment.

* :class:`Experiment`: what the programme tried (a matching design, a format,
  participants against a control group...).
* :class:`Arm`: one side of it.  Its members come from one ``source``: some
  groups, a cohort, the participants or the control group of a survey, or
  the people a recorded random assignment put in it (:class:`AssignedMember`).
  The first arm (lowest ``position``) is the reference the others are
  compared with.
* :class:`Outcome`: one row of the comparison table: a survey question with
  how it is counted (choices that count as "yes", "at least" a number, or
  the mean), products accepted per group, or objectives achieved.
* :class:`Assignment`: people of a cohort dealt at random into the
  ``assigned`` arms, with the seed that reproduces the draw.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DESIGN_CHOICES = (
    ("match_problems", _("Matching design: by shared problems")),
    ("match_role", _("Matching design: by role")),
    ("match_area", _("Matching design: by policy area")),
    ("format", _("Format")),
    ("control", _("Participants against a control group")),
    ("other", _("Other")),
)

ARM_SOURCE_CHOICES = (
    ("groups", _("Some groups")),
    ("cohort", _("The participants of a cohort or module")),
    ("survey_participants", _("The participants asked by a survey")),
    ("survey_control", _("The control group of a survey")),
    ("assigned", _("People put in this arm by a random assignment")),
)

OUTCOME_SOURCE_CHOICES = (
    ("survey", _("A survey question")),
    ("products", _("Products accepted, per group")),
    ("objectives", _("Learning objectives achieved")),
)

MEASURE_CHOICES = (
    ("choices", _("Share who chose any of some answers")),
    ("at_least", _("Share who answered at least a number")),
    ("mean", _("Mean of the answers")),
)


class Experiment(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="experiments"
    )
    name = models.CharField(_("name"), max_length=200)
    design = models.CharField(_("design"), max_length=20, choices=DESIGN_CHOICES)
    description = models.TextField(_("what was tried and why"), max_length=3000, blank=True)
    created_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("experiment")
        verbose_name_plural = _("experiments")
        constraints = [models.UniqueConstraint("programme", "name", name="experiment_name_unique")]

    def __str__(self) -> str:
        return self.name


class Arm(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="arms")
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    source = models.CharField(_("members"), max_length=20, choices=ARM_SOURCE_CHOICES)
    groups: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "programmes.Group", verbose_name=_("groups"), blank=True, related_name="+"
    )
    cohort = models.ForeignKey(
        "programmes.Cohort",
        verbose_name=_("cohort or module"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("survey"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("arm")
        verbose_name_plural = _("arms")
        constraints = [models.UniqueConstraint("experiment", "name", name="arm_name_unique")]

    def __str__(self) -> str:
        return self.name


class Outcome(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="outcomes")
    label = models.CharField(_("label"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(_("outcome"), max_length=20, choices=OUTCOME_SOURCE_CHOICES)
    survey = models.ForeignKey(
        "surveys.Survey", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    question = models.CharField(_("question"), max_length=100, blank=True)
    measure = models.CharField(_("counted as"), max_length=20, choices=MEASURE_CHOICES)
    choices = models.JSONField(_("answers counted"), default=list, blank=True)
    threshold = models.FloatField(_("at least"), null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        return self.label

    @property
    def kind(self) -> str:
        """``"scale"`` for a mean, ``"binary"`` for a share."""
        return "scale" if self.measure == "mean" else "binary"


class Assignment(models.Model):
    """A random draw of a cohort's participants into the experiment's assigned arms."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="assignments")
    cohort = models.ForeignKey("programmes.Cohort", on_delete=models.CASCADE, related_name="+")
    seed = models.BigIntegerField(_("seed"))
    created_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("random assignment")
        verbose_name_plural = _("random assignments")
        constraints = [
            models.UniqueConstraint("experiment", "cohort", name="assignment_once_per_cohort")
        ]

    def __str__(self) -> str:
        return f"assignment {self.pk} (seed {self.seed})"


class AssignedMember(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="members")
    arm = models.ForeignKey(Arm, on_delete=models.CASCADE, related_name="assigned")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["arm", "pk"]
        constraints = [
            models.UniqueConstraint("assignment", "person", name="assigned_once_per_assignment")
        ]

    def __str__(self) -> str:
        return f"person {self.person_id} in arm {self.arm_id}"
