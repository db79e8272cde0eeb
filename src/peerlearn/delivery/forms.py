"""Forms for planning and moving sessions, RSVP and meeting formats."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from peerlearn.delivery.models import RSVP_CHOICES, FormatStep, MeetingFormat
from peerlearn.delivery.services import Plan
from peerlearn.engine import rhythm
from peerlearn.people.models import Person
from peerlearn.programmes.models import Cohort, Group, Programme

REPEAT_CHOICES = (
    ("none", _("Once")),
    ("weekdays", _("Every weekday (Monday to Friday)")),
    ("weekly", _("Every week on this day")),
    ("monthly", _("Every month on this weekday (e.g. first Tuesday)")),
    ("custom", _("Custom rule (RFC 5545 RRULE)")),
)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def preset_rule(repeat: str, day, count: int | None, custom: str) -> str:
    """The RRULE for a preset; without a count the rule never ends (and is refused)."""
    end = f";COUNT={count}" if count else ""
    if repeat == "weekdays":
        return "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR" + end
    if repeat == "weekly":
        return "FREQ=WEEKLY" + end
    if repeat == "monthly":
        nth = (day.day - 1) // 7 + 1
        return f"FREQ=MONTHLY;BYDAY=+{nth}{WEEKDAYS[day.weekday()]}" + end
    if repeat == "custom":
        return custom.strip()
    return ""


class WhenFields(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(label=_("Duration in minutes"), min_value=1, max_value=24 * 60)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip()
        try:
            rhythm.zone(name)
        except rhythm.RecurrenceError as error:
            raise forms.ValidationError(
                _("Unknown time zone “%(zone)s”: use a name like Europe/Paris."),
                params={"zone": name},
            ) from error
        return name

    def wall_start(self) -> datetime:
        return datetime.combine(self.cleaned_data["day"], self.cleaned_data["start"])

    def duration(self) -> timedelta:
        return timedelta(minutes=self.cleaned_data["minutes"])


class PlanForm(WhenFields):
    cohort = forms.ModelChoiceField(label=_("Cohort or module"), queryset=Cohort.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    repeat = forms.ChoiceField(label=_("Repeat"), choices=REPEAT_CHOICES, initial="none")
    count = forms.IntegerField(
        label=_("Number of sessions"),
        required=False,
        min_value=1,
        help_text=_("For a repeating rhythm: how many sessions in all."),
    )
    rule = forms.CharField(
        label=_("Custom rule"),
        required=False,
        max_length=300,
        help_text=_("e.g. FREQ=MONTHLY;BYDAY=1TU;COUNT=5 (first Tuesday, five months)."),
    )
    format = forms.ModelChoiceField(
        label=_("Format"), queryset=MeetingFormat.objects.none(), required=False
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups"),
        queryset=Group.objects.none(),
        required=False,
        help_text=_("None chosen: a plenary session for the whole cohort."),
        widget=forms.CheckboxSelectMultiple,
    )
    facilitators = forms.ModelMultipleChoiceField(
        label=_("Facilitators"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    field_order = ["cohort", "title", "day", "start", "minutes", "time_zone", "repeat", "count"]

    def __init__(self, *args, programme: Programme, cohorts: list[Cohort], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._choices("cohort").queryset = Cohort.objects.filter(pk__in=[c.pk for c in cohorts])
        self._choices("format").queryset = MeetingFormat.objects.filter(programme=programme)
        self._choices("groups").queryset = Group.objects.filter(
            cohort__in=cohorts, archived_at__isnull=True
        ).select_related("cohort")
        self._choices("facilitators").queryset = Person.objects.filter(
            memberships__programme=programme, memberships__role="facilitator"
        ).distinct()
        self.fields["time_zone"].initial = settings.TIME_ZONE

    def _choices(self, name: str) -> forms.ModelChoiceField:
        return cast(forms.ModelChoiceField, self.fields[name])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        cohort, groups = data.get("cohort"), data.get("groups") or []
        if cohort is not None and any(g.cohort_id != cohort.pk for g in groups):
            self.add_error("groups", _("Choose groups of the chosen cohort only."))
        if data.get("day") and data.get("repeat"):
            data["rule_text"] = preset_rule(
                data["repeat"], data["day"], data.get("count"), data.get("rule") or ""
            )
            if data["repeat"] == "custom" and not data["rule_text"]:
                self.add_error("rule", _("Write the rule, or choose a preset."))
        return data

    def plan(self) -> Plan:
        """The series the valid form describes (the page and the API plan the same way)."""
        data = self.cleaned_data
        return Plan(
            cohort=data["cohort"],
            title=data["title"],
            first_start=self.wall_start(),
            duration=self.duration(),
            time_zone=data["time_zone"],
            rule=data.get("rule_text", ""),
            place=data["place"],
            online_link=data["online_link"],
            format_id=data["format"].pk if data["format"] else None,
            groups=tuple(data["groups"]),
            facilitators=tuple(data["facilitators"]),
        )


class MoveForm(WhenFields):
    scope = forms.ChoiceField(
        label=_("Apply to"),
        choices=(("one", _("Just this session")), ("later", _("This and later sessions"))),
        initial="one",
        widget=forms.RadioSelect,
    )


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(label=_("Will you come?"), choices=RSVP_CHOICES)


class FormatForm(forms.ModelForm):
    class Meta:
        model = MeetingFormat
        fields = ["name", "purpose"]


StepFormSet: Any = inlineformset_factory(
    MeetingFormat,
    FormatStep,
    fields=["position", "title", "minutes", "speaker", "prompt"],
    extra=1,
    can_delete=True,
    widgets={"prompt": forms.Textarea(attrs={"rows": 2})},
)
