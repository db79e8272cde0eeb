from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerlearn.delivery.models import Session
from peerlearn.harvest.models import (
    ANSWER_CHOICES,
    KIND_CHOICES,
    VERIFICATION_LABELS,
    ActorResponse,
    OutcomeStory,
)
from peerlearn.mel.models import Exchange
from peerlearn.people.models import Person
from peerlearn.programmes.models import Group, Programme
from peerlearn.progress.forms import FileOrLinkForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})
YES_NO_INTENDED = ((True, _("Intended")), (False, _("Not intended")))
YES_NO_POSITIVE = ((True, _("Positive")), (False, _("Negative")))


def _bool(value: Any) -> bool:
    return value in (True, "True", "true", "1")


class StoryForm(forms.ModelForm):
    intended = forms.TypedChoiceField(
        label=_("Intended or not"), choices=YES_NO_INTENDED, coerce=_bool
    )
    positive = forms.TypedChoiceField(
        label=_("Positive or negative"), choices=YES_NO_POSITIVE, coerce=_bool
    )

    class Meta:
        model = OutcomeStory
        fields = [
            "title",
            "description",
            "observed_on",
            "place",
            "social_actor",
            "actor_organisation",
            "kind",
            "intended",
            "positive",
            "significance",
            "change_agents",
            "contribution",
            "groups",
            "sessions",
            "informant",
            "visibility",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "significance": TEXT,
            "contribution": TEXT,
            "observed_on": DATE,
            "change_agents": forms.CheckboxSelectMultiple,
            "groups": forms.CheckboxSelectMultiple,
            "sessions": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].error_messages["required"] = _(
            "Describe the change: who changed what, when and where."
        )
        agents = self.fields["change_agents"]
        assert isinstance(agents, forms.ModelMultipleChoiceField)
        agents.queryset = Person.objects.filter(memberships__programme=programme).distinct()
        groups = self.fields["groups"]
        assert isinstance(groups, forms.ModelMultipleChoiceField)
        groups.queryset = Group.objects.filter(cohort__programme=programme)
        sessions = self.fields["sessions"]
        assert isinstance(sessions, forms.ModelMultipleChoiceField)
        sessions.queryset = Session.objects.filter(programme=programme)

    def clean_description(self) -> str:
        text = (self.cleaned_data.get("description") or "").strip()
        if not text:
            raise forms.ValidationError(_("Describe the change: who changed what, when and where."))
        return text


class EvidenceForm(FileOrLinkForm):
    note = forms.CharField(label=_("What it shows"), required=False, max_length=300)


class SubstantiatorForm(forms.Form):
    name = forms.CharField(label=_("Substantiator's name"), max_length=200)
    email = forms.EmailField(
        label=_("Substantiator's e-mail"),
        help_text=_("They receive a personal link; they need no account."),
    )


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Do you agree with this story?"),
        choices=ANSWER_CHOICES,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=TEXT,
        help_text=_("What is right, what is missing or what happened differently."),
    )


class ActorResponseForm(forms.ModelForm):
    class Meta:
        model = ActorResponse
        fields = ["actor", "organisation", "response", "note", "story"]
        widgets = {"note": TEXT}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        story = self.fields["story"]
        assert isinstance(story, forms.ModelChoiceField)
        story.queryset = OutcomeStory.objects.filter(programme=programme)


class StoryFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of change"), required=False, choices=[("", _("Any"))] + list(KIND_CHOICES)
    )
    status = forms.ChoiceField(
        label=_("Verification"),
        required=False,
        choices=[("", _("Any")), *VERIFICATION_LABELS.items()],
    )


NOT_LISTED = _("Choose among the exchanges listed: that one is not an exchange you may link.")


class ExchangeLinksForm(forms.Form):
    """Exchanges to link to a story and linked ones to unlink, among those the editor may read."""

    link = forms.ModelMultipleChoiceField(
        queryset=Exchange.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": NOT_LISTED, "invalid_pk_value": NOT_LISTED},
    )
    unlink = forms.ModelMultipleChoiceField(
        queryset=Exchange.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": NOT_LISTED, "invalid_pk_value": NOT_LISTED},
    )

    def __init__(self, *args: Any, visible: Any, linked: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        link = self.fields["link"]
        unlink = self.fields["unlink"]
        assert isinstance(link, forms.ModelMultipleChoiceField)
        assert isinstance(unlink, forms.ModelMultipleChoiceField)
        link.queryset = visible
        unlink.queryset = linked

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("link") and not data.get("unlink") and not self.errors:
            raise forms.ValidationError(_("Tick the exchanges to link or to unlink."))
        return data


class ExchangeSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find exchanges"),
        required=False,
        max_length=100,
        help_text=_("A name, or words of what was learned."),
    )
