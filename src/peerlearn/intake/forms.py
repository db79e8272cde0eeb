"""Forms of intake and topic curation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from peerlearn.intake.models import IntakeSettings
from peerlearn.intake.services import MAX_ITEMS, MAX_TEXT

#: Empty boxes offered after the given answers (no JavaScript needed to add one).
SPARE_CHALLENGES = 2
SPARE_EXPECTATIONS = 1


def _count(data: Any, name: str, default: int) -> int:
    """How many boxes the submitted form had (kept between 1 and MAX_ITEMS)."""
    try:
        value = int(data.get(name, default)) if data is not None else default
    except (TypeError, ValueError):
        value = default
    return max(1, min(MAX_ITEMS, value))


class IntakeForm(forms.Form):
    """At least ``asked`` challenges and one learning expectation, each up to 2,000 characters."""

    def __init__(
        self,
        data: Any = None,
        *,
        asked: int,
        challenges: list[str],
        expectations: list[str],
    ) -> None:
        super().__init__(data)
        self.asked = max(1, asked)
        n_challenges = _count(
            data,
            "n_challenges",
            min(MAX_ITEMS, max(self.asked, len(challenges)) + SPARE_CHALLENGES),
        )
        n_expectations = _count(
            data, "n_expectations", min(MAX_ITEMS, len(expectations) + SPARE_EXPECTATIONS)
        )
        self.challenge_names: list[str] = []
        self.expectation_names: list[str] = []
        for i in range(1, n_challenges + 1):
            name = f"challenge_{i}"
            self.fields[name] = forms.CharField(
                label=_("Challenge %(n)d") % {"n": i},
                max_length=MAX_TEXT,
                required=i <= self.asked,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT}),
                initial=challenges[i - 1] if i <= len(challenges) else "",
            )
            self.challenge_names.append(name)
        for i in range(1, n_expectations + 1):
            name = f"expectation_{i}"
            self.fields[name] = forms.CharField(
                label=_("Expectation %(n)d") % {"n": i},
                max_length=MAX_TEXT,
                required=i == 1,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_TEXT}),
                initial=expectations[i - 1] if i <= len(expectations) else "",
            )
            self.expectation_names.append(name)
        self.n_challenges = n_challenges
        self.n_expectations = n_expectations

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        texts = [cleaned.get(name) or "" for name in self.challenge_names]
        if len([t for t in texts if t]) < self.asked and not self.errors:
            raise forms.ValidationError(
                ngettext(
                    "Please name at least %(n)d challenge.",
                    "Please name at least %(n)d challenges.",
                    self.asked,
                )
                % {"n": self.asked}
            )
        return cleaned

    @property
    def error_summary(self) -> list[tuple[str, str, str]]:
        """``(field id, label, message)`` of every error, for the summary at the top.

        On a phone the first error may be a screen away: the summary links to
        each field, as the surveys' answer page does. The "name at least N"
        error links to the first empty challenge box.
        """
        out: list[tuple[str, str, str]] = []
        if not self.is_bound or not self.errors:
            return out
        for message in self.non_field_errors():
            empty = next(
                (f for f in self.challenge_fields if not (f.value() or "").strip()),
                self.challenge_fields[0],
            )
            out.append((empty.id_for_label, str(empty.label), str(message)))
        for name in self.challenge_names + self.expectation_names:
            for message in self[name].errors:
                out.append((self[name].id_for_label, str(self[name].label), str(message)))
        return out

    @property
    def challenge_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.challenge_names]

    @property
    def expectation_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.expectation_names]

    def answers(self) -> tuple[list[str], list[str]]:
        """The non-empty answers, in order."""
        challenges = [self.cleaned_data[n] for n in self.challenge_names if self.cleaned_data[n]]
        expectations = [
            self.cleaned_data[n] for n in self.expectation_names if self.cleaned_data[n]
        ]
        return challenges, expectations


class IntakeSettingsForm(forms.ModelForm):
    class Meta:
        model = IntakeSettings
        fields = ["deadline", "is_private"]
        widgets = {
            "deadline": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }


class ProposeForm(forms.Form):
    n_topics = forms.IntegerField(
        label=_("Number of topics"),
        required=False,
        min_value=1,
        max_value=50,
        help_text=_("Leave empty to choose from the number of challenges."),
    )
