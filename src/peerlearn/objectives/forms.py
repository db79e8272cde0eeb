"""Forms for objectives, outcomes, authorisations and risks."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlearn.objectives.models import (
    Authorisation,
    LearningObjective,
    ObjectiveSettings,
    OrganisationalOutcome,
    StageRisk,
)
from peerlearn.people.models import Organisation, Person


class ObjectiveForm(forms.ModelForm):
    """An objective's words and starting point; ``holder`` picks me or one of my groups."""

    holder = forms.ChoiceField(label=_("Whose objective"))

    class Meta:
        model = LearningObjective
        fields = ["statement", "why", "success_sign", "start_rating"]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 2}),
            "why": forms.Textarea(attrs={"rows": 2}),
            "success_sign": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, holders: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if holders is None:
            del self.fields["holder"]
        else:
            cast(forms.ChoiceField, self.fields["holder"]).choices = holders


class RatingForm(forms.ModelForm):
    class Meta:
        model = LearningObjective
        fields = ["achievement", "achievement_evidence"]
        widgets = {"achievement_evidence": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["achievement"].required = True
        self.fields["achievement_evidence"].required = True


class ReviewForm(forms.Form):
    review_note = forms.CharField(
        label=_("Your review"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SettingsForm(forms.ModelForm):
    """The programme's dates; a lock date that has come is final (it cannot be moved
    later or removed: that would reopen objectives people were told were locked)."""

    class Meta:
        model = ObjectiveSettings
        fields = ["lock_on", "rate_from"]
        widgets = {
            "lock_on": forms.DateInput(attrs={"type": "date"}),
            "rate_from": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.locked_on = self.instance.lock_on if self.instance.pk else None

    def clean_lock_on(self) -> Any:
        new = self.cleaned_data.get("lock_on")
        old = self.locked_on
        if old is not None and old <= timezone.localdate() and (new is None or new > old):
            raise forms.ValidationError(
                _("Objectives locked on %(date)s; that date can no longer be moved or removed."),
                params={"date": old},
            )
        return new


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = OrganisationalOutcome
        fields = ["organisation", "kind", "level", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )


class OutcomeReviewForm(forms.ModelForm):
    class Meta:
        model = OrganisationalOutcome
        fields = ["review", "review_evidence"]
        widgets = {"review_evidence": forms.Textarea(attrs={"rows": 3})}


class AuthorisationForm(forms.ModelForm):
    class Meta:
        model = Authorisation
        fields = [
            "authoriser_name",
            "authoriser_role",
            "authoriser_organisation",
            "grants",
            "status",
            "status_on",
        ]
        widgets = {
            "grants": forms.Textarea(attrs={"rows": 3}),
            "status_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") != "not_asked" and not data.get("status_on"):
            self.add_error("status_on", _("Give the date of this status."))
        return data


class SignedCopyForm(forms.Form):
    signed_copy = forms.FileField(label=_("Signed copy (PDF, PNG or JPEG)"))


class RiskForm(forms.ModelForm):
    class Meta:
        model = StageRisk
        fields = ["stage", "risk", "mitigation", "owner", "status"]
        widgets = {
            "risk": forms.Textarea(attrs={"rows": 2}),
            "mitigation": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = (
            people if people is not None else Person.objects.none()
        )
