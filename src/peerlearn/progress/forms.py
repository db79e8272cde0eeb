from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerlearn.people.models import Person
from peerlearn.programmes.models import Cohort, Group
from peerlearn.progress.models import (
    PROGRESS_CHOICES,
    PROMPT_CHOICES,
    CheckInRound,
    Product,
    RubricCriterion,
)
from peerlearn.progress.products import max_bytes

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


class ProgressSettingsForm(forms.Form):
    evaluators_see_progress = forms.BooleanField(
        label=_("Evaluators may read the groups' check-ins, products and reviews"),
        required=False,
    )


class RoundForm(forms.ModelForm):
    prompts = forms.MultipleChoiceField(
        label=_("Questions asked"),
        choices=PROMPT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=[key for key, _label in PROMPT_CHOICES],
    )

    class Meta:
        model = CheckInRound
        fields = ["cohort", "title", "due_date", "prompts"]
        widgets = {"due_date": DATE}

    def __init__(self, *args: Any, cohorts: list[Cohort], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cohort"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Cohort.objects.filter(pk__in=[c.pk for c in cohorts])
        field.empty_label = None


class CheckInForm(forms.Form):
    """The questions a round asks; fields of questions left out are removed."""

    completed = forms.CharField(
        label=_("What did you complete?"), required=False, max_length=5000, widget=TEXT
    )
    achieved = forms.CharField(
        label=_("What did you achieve against your objectives?"),
        required=False,
        max_length=5000,
        widget=TEXT,
    )
    stuck = forms.CharField(
        label=_("Where are you stuck?"), required=False, max_length=5000, widget=TEXT
    )
    help_peers = forms.CharField(
        label=_("Help you need from peers"), required=False, max_length=5000, widget=TEXT
    )
    help_authoriser = forms.CharField(
        label=_("Help you need from an authoriser (a minister, a head of service)"),
        required=False,
        max_length=5000,
        widget=TEXT,
    )
    help_training = forms.CharField(
        label=_("Training you need"),
        help_text=_("Name the skill or subject: needs from every group add up into a list."),
        required=False,
        max_length=5000,
        widget=TEXT,
    )
    next_steps = forms.CharField(
        label=_("What are your next steps?"), required=False, max_length=5000, widget=TEXT
    )
    progress = forms.TypedChoiceField(
        label=_("How far along are you?"),
        choices=[("", "—"), *PROGRESS_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    HELP = ("help_peers", "help_authoriser", "help_training")

    def __init__(self, *args: Any, round: CheckInRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, _label in PROMPT_CHOICES:
            if round.asks(key):
                continue
            for name in self.HELP if key == "help" else (key,):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [v for k, v in data.items() if k != "version" and v not in (None, "")]
        if not filled:
            raise forms.ValidationError(_("Answer at least one question."))
        return data


class WorkingGroupForm(forms.Form):
    name = forms.CharField(label=_("Name of the working group"), max_length=200)
    groups = forms.ModelMultipleChoiceField(
        label=_("Draw members from these groups"),
        queryset=Group.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    role_term = forms.CharField(
        label=_("Only people whose role or profession contains"),
        help_text=_("For example “lawyer”: leave empty to take everyone in the chosen groups."),
        max_length=200,
        required=False,
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self, *args: Any, groups: list[Group], people: list[Person], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        group_field = self.fields["groups"]
        people_field = self.fields["members"]
        assert isinstance(group_field, forms.ModelMultipleChoiceField)
        assert isinstance(people_field, forms.ModelMultipleChoiceField)
        group_field.queryset = Group.objects.filter(pk__in=[g.pk for g in groups])
        people_field.queryset = Person.objects.filter(pk__in=[p.pk for p in people])


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["title", "kind", "due_date"]
        widgets = {"due_date": DATE}


class FileOrLinkForm(forms.Form):
    """A file (within the product size limit) or a link, one of them required.

    Shared by product versions and outcome-story evidence (harvest), which
    also share the file checks of :mod:`peerlearn.core.uploads`.
    """

    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument text, PNG or JPEG."),
    )
    link = forms.URLField(
        label=_("or a link"), required=False, max_length=500, assume_scheme="https"
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > max_bytes():
            limit = max_bytes() // (1024 * 1024) or 1
            raise forms.ValidationError(
                _("The file is too large: at most %(limit)s MB.") % {"limit": limit}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("file") and not data.get("link"):
            raise forms.ValidationError(_("Upload a file or give a link."))
        return data


class VersionForm(FileOrLinkForm):
    note = forms.CharField(label=_("What changed"), required=False, max_length=500)


class AssignReviewerForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=Person.objects.none())

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Person.objects.filter(pk__in=[p.pk for p in people])


class ReviewForm(forms.Form):
    """One score per rubric criterion (0 to its highest score) and comments."""

    comments = forms.CharField(
        label=_("Comments for the group"), required=False, max_length=10000, widget=TEXT
    )

    def __init__(self, *args: Any, criteria: list[RubricCriterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.title,
                help_text=criterion.description,
                choices=[(i, str(i)) for i in range(criterion.max_score + 1)],
                coerce=int,
            )
        self.order_fields([f"score_{c.pk}" for c in criteria] + ["comments"])

    def scores(self) -> dict[str, int]:
        return {str(c.pk): int(self.cleaned_data[f"score_{c.pk}"]) for c in self.criteria}


class CriterionForm(forms.ModelForm):
    class Meta:
        model = RubricCriterion
        fields = ["title", "description", "max_score"]
        widgets = {"description": TEXT}
