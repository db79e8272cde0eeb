from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerlearn.intake.models import Challenge, LearningExpectation
from peerlearn.people.fields import CountryField, LanguagesField
from peerlearn.people.models import Organisation, Person
from peerlearn.programmes.models import PROGRAMME_ROLE_CHOICES, Cohort, Programme
from peerlearn.roster.stewardship import email_taken_by_another_account


class OrganisationForm(forms.ModelForm):
    country = CountryField(label=_("Country"))

    class Meta:
        model = Organisation
        fields = ["name", "country", "kind"]

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        clash = Organisation.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("An organisation with this name already exists."))
        return name


DETAILS_LOCKED = _(
    "This person also takes part in programmes you do not manage: their name, e-mail "
    "and organisation can be changed only by someone who manages all of them."
)
EMAIL_LOCKED = _("This person signs in with this address; only they can change it.")


#: A person's details as the programme page and the admin edit them.
PERSON_FIELDS = (
    "name",
    "email",
    "organisation",
    "country",
    "role_title",
    "seniority",
    "languages",
    "gender",
    "is_external",
    "is_alumni",
    "consent_to_contact",
)


class PersonForm(forms.ModelForm):
    country = CountryField(label=_("Country"))
    languages = LanguagesField(label=_("Languages"))

    class Meta:
        model = Person
        fields = list(PERSON_FIELDS)

    DETAILS = ("name", "email", "organisation")

    def __init__(
        self, *args: Any, lock_details: bool = False, lock_email: bool = False, **kwargs: Any
    ) -> None:
        """``lock_details``/``lock_email``: show those fields read-only and ignore
        what is posted for them (see ``peerlearn.roster.stewardship``)."""
        super().__init__(*args, **kwargs)
        if lock_details:
            for name in self.DETAILS:
                self.fields[name].disabled = True
                self.fields[name].help_text = DETAILS_LOCKED
        elif lock_email:
            self.fields["email"].disabled = True
            self.fields["email"].help_text = EMAIL_LOCKED

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if self.fields["email"].disabled:
            return email
        if Person.objects.filter(email=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Someone in the network already has this e-mail."))
        if email_taken_by_another_account(self.instance, email):
            # Else a later invitation would attach this person to that account.
            raise forms.ValidationError(_("Someone in the network already has this e-mail."))
        return email


class TagsField(forms.CharField):
    """Comma-separated tags stored as a list."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return value
        text = super().to_python(value) or ""
        return [t.strip().lower() for t in text.replace("|", ",").split(",") if t.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        # An empty extra form has no initial tags: None and [] mean the same.
        return self.to_python(initial or []) != self.to_python(data)


class ChallengeForm(forms.ModelForm):
    tags = TagsField(label=_("Tags (optional)"), required=False)

    class Meta:
        model = Challenge
        fields = ["text", "tags"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class ExpectationForm(forms.ModelForm):
    class Meta:
        model = LearningExpectation
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


def challenge_formset(programme_min: int) -> type[forms.BaseModelFormSet]:
    return forms.modelformset_factory(
        Challenge,
        form=ChallengeForm,
        extra=0,
        can_delete=True,
        min_num=programme_min,
        validate_min=False,
        max_num=10,
    )


ExpectationFormSet = forms.modelformset_factory(
    LearningExpectation, form=ExpectationForm, extra=1, can_delete=True, max_num=10
)


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class InviteForm(forms.Form):
    WHO = (
        ("not_invited", _("Everyone not invited yet")),
        ("all", _("Everyone in the programme (sends fresh links)")),
    )
    who = forms.ChoiceField(label=_("Whom to invite"), choices=WHO, initial="not_invited")


class RoleForm(forms.Form):
    """Give a person a role in the whole programme or in one of its cohorts."""

    role = forms.ChoiceField(label=_("Role"), choices=PROGRAMME_ROLE_CHOICES)
    cohort = forms.ModelChoiceField(
        label=_("Where"),
        queryset=Cohort.objects.none(),
        required=False,
        empty_label=_("The whole programme"),
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = programme.cohorts.all()  # type: ignore[attr-defined]
