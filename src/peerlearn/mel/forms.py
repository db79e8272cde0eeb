"""Forms for recording and confirming exchanges."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlearn.mel.models import APPLIED_CHOICES, KIND_CHOICES
from peerlearn.people.models import Person

OUTSIDE = _("Choose someone in this programme.")


class ExchangeForm(forms.Form):
    """ "I learned X from Y"; facilitators also choose who learned."""

    receiver = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label=_("Who learned"),
        error_messages={"invalid_choice": OUTSIDE},
    )
    giver = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label=_("Learned from"),
        error_messages={"invalid_choice": OUTSIDE},
    )
    when = forms.DateField(label=_("When"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES)
    learned = forms.CharField(
        label=_("What was learned"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    applied = forms.ChoiceField(label=_("Applied?"), choices=APPLIED_CHOICES, initial="unknown")

    def __init__(
        self,
        *args: Any,
        givers: QuerySet[Person],
        receivers: QuerySet[Person] | None,
        me: Person | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.me = me
        giver_field = self.fields["giver"]
        assert isinstance(giver_field, forms.ModelChoiceField)
        giver_field.queryset = givers.order_by("name")
        if receivers is None:
            # A participant records what they learned themselves.
            del self.fields["receiver"]
        else:
            receiver_field = self.fields["receiver"]
            assert isinstance(receiver_field, forms.ModelChoiceField)
            receiver_field.queryset = receivers.order_by("name")
        self.fields["when"].initial = timezone.localdate()

    def clean_when(self):
        when = self.cleaned_data["when"]
        if when > timezone.localdate():
            raise forms.ValidationError(_("An exchange cannot be in the future."))
        return when

    def receiver_person(self) -> Person | None:
        return self.cleaned_data.get("receiver") or self.me

    def clean(self):
        data = super().clean() or {}
        giver, receiver = data.get("giver"), self.receiver_person()
        if giver is not None and receiver is not None and giver.pk == receiver.pk:
            raise forms.ValidationError(_("Someone cannot learn from themselves."))
        return data


class ConfirmForm(forms.Form):
    note = forms.CharField(
        label=_("Your side (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
