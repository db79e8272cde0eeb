"""Forms of the theory-of-change pages; the map's own rules are checked by the engine."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from peerlearn.engine.theory import CHAIN_KINDS, LEVELS, NODE_KINDS, STATUSES
from peerlearn.theory.builtin import KIND_LABELS, LEVEL_LABELS, STATUS_LABELS

TEXT = forms.Textarea(attrs={"rows": 2})


def _set_choices(form: forms.Form, name: str, choices) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _kinds(kinds):
    return [(k, KIND_LABELS[k]) for k in kinds]


class NodeForm(forms.Form):
    node = forms.CharField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=_kinds(NODE_KINDS))
    label = forms.CharField(label=_("Label"), max_length=200)
    level = forms.ChoiceField(
        label=_("Level (capabilities only)"),
        required=False,
        choices=[("", "—"), *[(lv, LEVEL_LABELS[lv]) for lv in LEVELS]],
    )
    about = forms.ChoiceField(label=_("Attached to (assumptions only)"), required=False)

    def __init__(self, *args, elements=(), **kwargs):
        super().__init__(*args, **kwargs)
        _set_choices(self, "about", [("", "—"), *elements])


class LinkForm(forms.Form):
    link = forms.CharField(required=False, widget=forms.HiddenInput)
    source = forms.ChoiceField(label=_("From"))
    target = forms.ChoiceField(label=_("To"))
    rationale = forms.CharField(
        label=_("Why the one leads to the other"), max_length=1000, widget=TEXT
    )

    def __init__(self, *args, nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        _set_choices(self, "source", list(nodes))
        _set_choices(self, "target", list(nodes))


class CeilingForm(forms.Form):
    ceiling = forms.ChoiceField(
        label=_("Ceiling of accountability: the highest level the programme answers for"),
        choices=_kinds(CHAIN_KINDS),
    )


class ProposeForm(forms.Form):
    reason = forms.CharField(label=_("Why the map changes"), max_length=3000, widget=TEXT)


class ShareForm(forms.Form):
    shared_with_participants = forms.BooleanField(
        label=_("Participants and observers may read the approved map"), required=False
    )


class TieForm(forms.Form):
    element = forms.ChoiceField(label=_("Node or link"))
    kind = forms.ChoiceField(label=_("Evidence"))
    instrument = forms.TypedChoiceField(
        label=_("Instrument (survey question)"), coerce=int, required=False, empty_value=None
    )
    question = forms.CharField(label=_("Question name"), max_length=100, required=False)
    baseline = forms.FloatField(label=_("Baseline"), required=False)
    target = forms.FloatField(label=_("Target"), required=False)
    direction = forms.ChoiceField(
        label=_("Better is"),
        choices=[("increase", _("higher")), ("decrease", _("lower"))],
        required=False,
    )
    source = forms.ChoiceField(label=_("Outcome story or exchange metric"), required=False)
    threshold = forms.FloatField(label=_("Threshold (exchange metric)"), required=False)

    def __init__(
        self, *args, elements=(), kinds=(), instruments=(), sources=(), registry=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.registry = registry or {}
        _set_choices(self, "element", list(elements))
        _set_choices(self, "kind", list(kinds))
        _set_choices(self, "instrument", [("", "—"), *instruments])
        _set_choices(self, "source", [("", "—"), *sources])

    def clean(self):
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == "survey_question":
            for name in ("instrument", "question", "baseline", "target"):
                if data.get(name) in (None, ""):
                    self.add_error(name, _("Needed for a survey question."))
        entry = self.registry.get(kind)
        if entry is not None and entry.choose:
            chosen, _sep, value = (data.get("source") or "").partition(":")
            if chosen != kind or not value:
                self.add_error("source", _("Choose one of this kind of evidence."))
            else:
                data["chosen"] = value
        if entry is not None and entry.threshold and data.get("threshold") is None:
            self.add_error("threshold", _("Needed for an exchange metric."))
        return data


class OverrideForm(forms.Form):
    element = forms.ChoiceField(label=_("Node or link"))
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("as the evidence says")), *[(s, STATUS_LABELS[s]) for s in STATUSES]],
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=TEXT)

    def __init__(self, *args, elements=(), **kwargs):
        super().__init__(*args, **kwargs)
        _set_choices(self, "element", list(elements))
