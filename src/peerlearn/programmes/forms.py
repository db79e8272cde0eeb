from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from peerlearn.people.fields import LanguagesField
from peerlearn.programmes.models import Cohort, GroupNote, Programme

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DateRangeMixin:
    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()  # type: ignore[misc]
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date is before the start date."))  # type: ignore[attr-defined]
        return data


class ProgrammeForm(DateRangeMixin, forms.ModelForm):
    languages = LanguagesField(label=_("Languages"))

    class Meta:
        model = Programme
        fields = [
            "name",
            "slug",
            "purpose",
            "facilitating_organisation",
            "languages",
            "start",
            "end",
            "stage",
            "min_challenges",
        ]
        widgets = {"start": DATE, "end": DATE, "purpose": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Leave empty to derive it from the name.")

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.data.get("name", ""))[:80]
        if not slug:
            raise forms.ValidationError(_("Give the programme a name or a short name."))
        taken = Programme.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists()
        if taken:
            raise forms.ValidationError(_("Another programme already uses this short name."))
        return slug


class CohortForm(DateRangeMixin, forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name", "kind", "start", "end", "place", "online"]
        widgets = {"start": DATE, "end": DATE}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        clash = self.programme.cohorts.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("This programme already has a cohort with this name."))
        return name


class GroupNoteForm(forms.ModelForm):
    class Meta:
        model = GroupNote
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class PrivateReadReasonForm(forms.Form):
    """Why a superuser without a role here reads what a group shares (for the audit log)."""

    read_reason = forms.CharField(
        label=_("Why do you need to read what this group shares?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "You hold no facilitator role here. Your reason is kept in the audit log "
            "and remembered for this group for one hour."
        ),
    )
