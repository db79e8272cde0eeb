"""Forms: an experiment, an arm, an outcome row, a random assignment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from peerlearn.experiments.models import (
    MEASURE_CHOICES,
    OUTCOME_SOURCE_CHOICES,
    Arm,
    Experiment,
    Outcome,
)
from peerlearn.programmes.models import Cohort, Group, Programme
from peerlearn.surveys.languages import text_in
from peerlearn.surveys.models import Survey
from peerlearn.surveys.xlsform import Question

#: Question types an outcome can count.
COUNTABLE = ("integer", "decimal", "select_one", "select_multiple")
SEED_MAX = 2**63 - 1


class ExperimentForm(forms.ModelForm):
    class Meta:
        model = Experiment
        fields = ["name", "design", "description"]

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Experiment.objects.filter(programme=self.programme, name=name).exists():
            raise forms.ValidationError(_("This programme already has an experiment of that name."))
        return name


class ArmForm(forms.ModelForm):
    class Meta:
        model = Arm
        fields = ["name", "source", "groups", "cohort", "survey"]
        widgets = {"groups": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, experiment: Experiment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.experiment = experiment
        programme = experiment.programme
        self.fields["groups"].queryset = Group.objects.filter(  # type: ignore[attr-defined]
            cohort__programme=programme, archived_at__isnull=True
        ).select_related("cohort")
        self.fields["cohort"].queryset = Cohort.objects.filter(programme=programme)  # type: ignore[attr-defined]
        self.fields["survey"].queryset = Survey.objects.filter(  # type: ignore[attr-defined]
            programme=programme, cancelled_at__isnull=True
        )
        self.fields["groups"].help_text = _("For an arm made of groups.")
        self.fields["cohort"].help_text = _("For an arm made of a cohort's participants.")
        self.fields["survey"].help_text = _(
            "For an arm made of a survey's participants or of its control group."
        )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Arm.objects.filter(experiment=self.experiment, name=name).exists():
            raise forms.ValidationError(_("This experiment already has an arm of that name."))
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source = data.get("source")
        if source == "groups" and not data.get("groups"):
            self.add_error("groups", _("Choose at least one group."))
        if source == "cohort" and not data.get("cohort"):
            self.add_error("cohort", _("Choose the cohort or module."))
        if source in ("survey_participants", "survey_control") and not data.get("survey"):
            self.add_error("survey", _("Choose the survey."))
        return data


def question_options(programme: Programme) -> list[tuple[str, str]]:
    """``("survey_pk:question", "Survey – Question")`` for every countable question."""
    language = get_language()
    options = []
    surveys = Survey.objects.filter(programme=programme, cancelled_at__isnull=True)
    for survey in surveys.select_related("instrument").order_by("title", "pk"):
        form = survey.instrument.form
        for question in form.questions():
            if question.type in COUNTABLE:
                label = text_in(question.label, language, form.default_language) or question.name
                options.append((f"{survey.pk}:{question.name}", f"{survey.title} – {label}"))
    return options


class OutcomeForm(forms.Form):
    label = forms.CharField(label=_("Row label"), max_length=300)
    source = forms.ChoiceField(label=_("Outcome"), choices=OUTCOME_SOURCE_CHOICES)
    question = forms.ChoiceField(label=_("Survey question"), required=False)
    measure = forms.ChoiceField(label=_("Counted as"), choices=MEASURE_CHOICES)
    choices = forms.CharField(
        label=_("Answers counted as yes"),
        required=False,
        max_length=1000,
        help_text=_("Answer codes separated by commas, for example: monthly, quarterly, once."),
    )
    threshold = forms.FloatField(
        label=_("At least"),
        required=False,
        help_text=_(
            "For “at least”: the smallest number counted as yes (for objectives, 2 means "
            "mostly or fully achieved)."
        ),
    )

    def __init__(self, *args: Any, experiment: Experiment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.experiment = experiment
        question_field = self.fields["question"]
        assert isinstance(question_field, forms.ChoiceField)
        question_field.choices = [("", "—"), *question_options(experiment.programme)]

    def _question(self, value: str) -> tuple[Survey, Question] | None:
        survey_pk, _sep, name = value.partition(":")
        survey = Survey.objects.filter(
            programme=self.experiment.programme, pk=int(survey_pk)
        ).first()
        if survey is None:
            return None
        found = [q for q in survey.instrument.form.questions() if q.name == name]
        return (survey, found[0]) if found else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source, measure = data.get("source"), data.get("measure")
        if source == "survey":
            self._clean_survey(data, measure)
        elif source in ("products", "objectives"):
            if measure == "choices":
                self.add_error("measure", _("Products and objectives are counted as numbers."))
            if source == "objectives" and measure == "at_least" and data.get("threshold") is None:
                data["threshold"] = 2.0
        if measure == "at_least" and data.get("threshold") is None:
            self.add_error("threshold", _("Give the smallest number counted as yes."))
        return data

    def _clean_survey(self, data: dict[str, Any], measure: str | None) -> None:
        found = self._question(data.get("question") or "0:")
        if found is None:
            self.add_error("question", _("Choose a survey question."))
            return
        survey, question = found
        data["survey"], data["question_name"] = survey, question.name
        codes = [c.strip() for c in (data.get("choices") or "").split(",") if c.strip()]
        if measure == "choices":
            known = self._choice_names(survey, question)
            unknown = [c for c in codes if c not in known]
            if not codes:
                self.add_error("choices", _("Give at least one answer code."))
            elif unknown:
                self.add_error(
                    "choices",
                    _("Not answers of this question: %(codes)s. Its answers are: %(known)s.")
                    % {"codes": ", ".join(unknown), "known": ", ".join(known)},
                )
        elif question.type == "select_multiple":
            self.add_error("measure", _("Several answers can only be counted as a share."))
        data["codes"] = codes

    @staticmethod
    def _choice_names(survey: Survey, question: Question) -> list[str]:
        form = survey.instrument.form
        choice_list = form.choice_lists.get(question.list_name or "")
        return [choice.name for choice in choice_list.choices] if choice_list else []

    def save(self) -> Outcome:
        data = self.cleaned_data
        return Outcome.objects.create(
            experiment=self.experiment,
            label=data["label"],
            position=self.experiment.outcomes.count(),
            source=data["source"],
            survey=data.get("survey"),
            question=data.get("question_name", ""),
            measure=data["measure"],
            choices=data.get("codes", []) if data["measure"] == "choices" else [],
            threshold=data.get("threshold") if data["measure"] == "at_least" else None,
        )


class AssignForm(forms.Form):
    cohort = forms.ModelChoiceField(label=_("Cohort or module"), queryset=Cohort.objects.none())
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=SEED_MAX,
        help_text=_("Leave empty for a new random seed; it is recorded either way."),
    )

    def __init__(self, *args: Any, experiment: Experiment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.experiment = experiment
        self.fields["cohort"].queryset = Cohort.objects.filter(  # type: ignore[attr-defined]
            programme=experiment.programme
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.experiment.arms.filter(source="assigned").count() < 2:
            raise forms.ValidationError(
                _("Add at least two arms whose members come from a random assignment first.")
            )
        cohort = data.get("cohort")
        if cohort is not None and self.experiment.assignments.filter(cohort=cohort).exists():
            self.add_error("cohort", _("This cohort was already assigned in this experiment."))
        return data
