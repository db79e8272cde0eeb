"""Forms of the matching pages: plain HTML forms that work without JavaScript."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerlearn.matching.models import SEED_MAX
from peerlearn.people.models import Person

WEIGHT_HELP = _("0 turns the criterion off; higher counts more.")

ROLE_MODE_CHOICES = (
    ("equal", _("Equals: people of the same seniority together")),
    ("mix", _("Mix: senior and junior people together")),
)

PAIR_MODE_CHOICES = (
    ("external-local", _("External or resource peers with local peers")),
    ("mentor", _("Alumni mentors with newcomers")),
    ("peer", _("Peers with peers")),
)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        org = f" · {obj.organisation.name}" if obj.organisation else ""
        return f"{obj.name}{org}"


def _weight(label: Any, initial: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, max_value=10, initial=initial, help_text=WEIGHT_HELP
    )


def seed_field(*, required: bool) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=SEED_MAX,
        required=required,
        initial=1 if required else None,
        help_text=_(
            "A whole number from 0 to 4294967295. The same seed and settings give the same result."
        ),
    )


class _RunForm(forms.Form):
    # Problems first: measured in benchmarks/matching_weights.py, 10 to 1 keeps 99 % of
    # the problems-only precision (3 to 1 kept 81 %, groups then held by country).
    weight_problems = _weight(_("Weight: shared self-named problems"), 10)
    weight_role = _weight(_("Weight: formal role"), 0)
    weight_policy = _weight(_("Weight: policy area"), 0)
    weight_context = _weight(_("Weight: context (country, language)"), 1)
    max_per_organisation = forms.IntegerField(
        label=_("At most this many people of one organisation together"),
        min_value=1,
        required=False,
        initial=1,
        help_text=_("Leave empty for no limit."),
    )
    max_per_country = forms.IntegerField(
        label=_("At most this many people of one country together"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for no limit."),
    )
    keep_apart = PeopleChoiceField(
        label=_("Keep these people apart"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("No two of the chosen people will be placed together."),
    )
    avoid_repeats = forms.BooleanField(
        label=_("Avoid repeats: people who met in an earlier published round do not meet again"),
        required=False,
        initial=True,
    )
    shared_language = forms.BooleanField(
        label=_("Everyone shares a working language"), required=False, initial=True
    )
    seed = seed_field(required=True)
    time_limit = forms.FloatField(
        label=_("Search time (seconds)"),
        min_value=0.1,
        max_value=600,
        required=False,
        help_text=_("Leave empty for the engine's default."),
    )

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset = people if people is not None else Person.objects.none()
        for name in ("keep_together", "keep_apart"):
            if name in self.fields:
                field = self.fields[name]
                assert isinstance(field, forms.ModelMultipleChoiceField)
                field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        keys = [f"weight_{k}" for k in ("problems", "role", "policy", "context")]
        if all(k in data for k in keys) and not any(data[k] for k in keys):
            raise forms.ValidationError(_("Give at least one criterion a weight above 0."))
        return data

    def common_parameters(self) -> dict[str, Any]:
        d = self.cleaned_data
        apart = [str(p.pk) for p in d.get("keep_apart") or []]
        return {
            "weights": {
                "problems": d["weight_problems"],
                "role": d["weight_role"],
                "policy": d["weight_policy"],
                "context": d["weight_context"],
            },
            "max_per_organisation": d.get("max_per_organisation"),
            "max_per_country": d.get("max_per_country"),
            "keep_apart": [apart] if len(apart) >= 2 else [],
            "avoid_repeats": bool(d.get("avoid_repeats")),
            "shared_language": bool(d.get("shared_language")),
            "time_limit": d.get("time_limit"),
        }


class GroupRunForm(_RunForm):
    role_mode = forms.ChoiceField(
        label=_("Role criterion"), choices=ROLE_MODE_CHOICES, initial="equal"
    )
    min_size = forms.IntegerField(label=_("Smallest group"), min_value=2, initial=5)
    max_size = forms.IntegerField(label=_("Largest group"), min_value=2, initial=6)
    min_countries = forms.IntegerField(
        label=_("At least this many countries in each group"), min_value=0, initial=0
    )
    keep_together = PeopleChoiceField(
        label=_("Keep these people together"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("The chosen people will share a group."),
    )

    field_order = [
        "weight_problems",
        "weight_role",
        "weight_policy",
        "weight_context",
        "role_mode",
        "min_size",
        "max_size",
        "max_per_organisation",
        "max_per_country",
        "min_countries",
        "keep_together",
        "keep_apart",
        "avoid_repeats",
        "shared_language",
        "seed",
        "time_limit",
    ]

    def clean(self) -> dict[str, Any]:
        lo, hi = self.cleaned_data.get("min_size"), self.cleaned_data.get("max_size")
        if lo is not None and hi is not None and hi < lo:
            self.add_error("max_size", _("The largest group cannot be smaller than the smallest."))
        return super().clean()

    def parameters(self) -> dict[str, Any]:
        d = self.cleaned_data
        together = [str(p.pk) for p in d.get("keep_together") or []]
        return {
            **self.common_parameters(),
            "role_mode": d["role_mode"],
            "min_size": d["min_size"],
            "max_size": d["max_size"],
            "min_countries": d["min_countries"],
            "keep_together": [together] if len(together) >= 2 else [],
            "locked": {},
        }


class PairRunForm(_RunForm):
    mode = forms.ChoiceField(label=_("Who is paired"), choices=PAIR_MODE_CHOICES)
    capacity = forms.IntegerField(
        label=_("At most this many partners per external peer or mentor"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for the fewest that lets everyone have a partner."),
    )

    field_order = ["mode", "capacity"]

    def parameters(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {**self.common_parameters(), "mode": d["mode"], "capacity": d.get("capacity")}


class MoveRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why would you like to move?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        # promise: tests/matching/test_permissions.py::test_participant_sees_only_their_own_requests
        # promise: tests/matching/test_permissions.py::test_evaluator_reads_runs_without_edit_forms_or_requests
        help_text=_("Only the facilitators read this."),
    )


class RerunForm(forms.Form):
    """The optional new seed of a re-run (empty: the run's own seed)."""

    seed = seed_field(required=False)


class EditReasonForm(forms.Form):
    """Why a facilitator moves or re-pairs someone (optional, kept with the move)."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


def form_errors(form: forms.Form) -> str:
    """A form's errors as one line, for a message on the page the user returns to."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)
