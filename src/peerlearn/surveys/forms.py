"""Forms for scheduling surveys and adding a control group."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from peerlearn.people.models import Person
from peerlearn.programmes.models import Cohort, Membership, Programme
from peerlearn.programmes.permissions import Access, manageable_cohorts
from peerlearn.surveys.models import Instrument, Survey
from peerlearn.surveys.sending import ScheduleError, opening_time

MAX_REMINDERS = 5
#: Offsets beyond these are typing mistakes, not plans (a year before, ten after).
MIN_OFFSET_DAYS = -365
MAX_OFFSET_DAYS = 3650
MAX_REMINDER_DAY = 365

#: Addresses pasted one per line or separated by commas or semicolons.
ADDRESS_SEPARATORS = re.compile(r"[\s,;]+")


def parse_reminder_days(text: str) -> list[int]:
    """``"3, 7"`` -> ``[3, 7]``: positive whole days after opening, increasing, at most 5."""
    parts = [part for part in re.split(r"[\s,;]+", text.strip()) if part]
    days: list[int] = []
    for part in parts:
        if not re.fullmatch(r"[+-]?\d+", part):
            raise forms.ValidationError(
                _("“%(value)s” is not a whole number of days."), params={"value": part}
            )
        value = int(part)
        if value < 1:
            raise forms.ValidationError(
                _("Reminders come at least 1 day after opening, not %(value)s."),
                params={"value": value},
            )
        if value > MAX_REMINDER_DAY:
            raise forms.ValidationError(
                _("%(value)s days is more than a year after opening."), params={"value": value}
            )
        if days and value <= days[-1]:
            raise forms.ValidationError(
                _("List reminder days in increasing order, each once (e.g. 3, 7).")
            )
        days.append(value)
    if len(days) > MAX_REMINDERS:
        raise forms.ValidationError(
            ngettext("At most %(n)d reminder.", "At most %(n)d reminders.", MAX_REMINDERS),
            params={"n": MAX_REMINDERS},
        )
    return days


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SurveyForm(forms.ModelForm):
    """Schedule (or reschedule) a survey; ``opens_at`` is computed from the anchor."""

    opens_at = forms.DateTimeField(
        label=_("Opens on (date and time)"),
        required=False,
        widget=_datetime_input(),
        help_text=_("For “On a date”."),
    )
    session_at = forms.DateTimeField(
        label=_("Session time"),
        required=False,
        widget=_datetime_input(),
        help_text=_("For “At a session”: when the session starts."),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes (optional)"),
        required=False,
        widget=_datetime_input(),
        help_text=_("Leave empty to accept answers until you cancel the survey."),
    )
    offset_days = forms.IntegerField(
        label=_("Days after"),
        required=False,
        initial=0,
        min_value=MIN_OFFSET_DAYS,
        max_value=MAX_OFFSET_DAYS,
        help_text=_(
            "For a session or a cohort's start or end: e.g. 0 at the session, "
            "90 for three months after the event ends (negative: before)."
        ),
    )
    reminders = forms.CharField(
        label=_("Reminders (days after opening)"),
        required=False,
        initial="3, 7",
        help_text=_("Whole days separated by commas, e.g. “3, 7”; at most 5. Empty: no reminders."),
    )

    class Meta:
        model = Survey
        fields = [
            "instrument",
            "title",
            "cohort",
            "anchor",
            "opens_at",
            "session_name",
            "session_at",
            "offset_days",
            "closes_at",
            "reminders",
            "invite_participants",
        ]

    def __init__(self, *args: Any, programme: Programme, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme
        instrument_field = cast(forms.ModelChoiceField, self.fields["instrument"])
        instrument_field.queryset = Instrument.objects.filter(programme=programme)
        self.fields["instrument"].error_messages["invalid_choice"] = _(
            "Choose one of this programme's instruments."
        )
        cohorts = manageable_cohorts(programme, access)
        cohort_field = cast(forms.ModelChoiceField, self.fields["cohort"])
        cohort_field.queryset = Cohort.objects.filter(pk__in=[c.pk for c in cohorts])
        if access.manages_programme:
            cohort_field.empty_label = _("The whole programme")
        else:
            # A cohort's facilitator schedules for their own cohorts only.
            cohort_field.required = True
            cohort_field.help_text = _("You can schedule surveys for the cohorts you facilitate.")
        cohort_field.error_messages["invalid_choice"] = _(
            "You can only schedule surveys for cohorts you facilitate."
        )
        self.fields["session_name"].help_text = _(
            "For “At a session”: its name, e.g. Day 1 closing."
        )
        if self.instance.pk:
            self.initial["reminders"] = ", ".join(str(d) for d in self.instance.reminder_days)
            self.was_sent = self.instance.invitations.filter(sent_at__isnull=False).exists()
        else:
            self.was_sent = False
        if self.was_sent:
            self.fields["instrument"].help_text = _(
                "Invitations went out: the instrument can no longer change."
            )

    def clean_reminders(self) -> list[int]:
        return parse_reminder_days(self.cleaned_data.get("reminders") or "")

    def clean_instrument(self) -> Instrument:
        instrument = self.cleaned_data["instrument"]
        if self.was_sent and instrument.pk != self.instance.instrument_id:
            raise forms.ValidationError(
                _(
                    "Invitations went out already: the instrument cannot change. Cancel this "
                    "survey and schedule a new one instead."
                )
            )
        return instrument

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        anchor = cleaned.get("anchor")
        if anchor == "session" and not cleaned.get("session_name"):
            self.add_error("session_name", _("Name the session."))
        if anchor is None or "offset_days" not in cleaned or "cohort" in self.errors:
            return cleaned
        cleaned["offset_days"] = cleaned.get("offset_days") or 0
        try:
            opens = opening_time(
                anchor,
                at=cleaned.get("opens_at"),
                session_at=cleaned.get("session_at"),
                offset_days=cleaned["offset_days"],
                cohort=cleaned.get("cohort"),
            )
        except ScheduleError as problem:
            if problem.field not in self.errors:
                self.add_error(problem.field, problem.message)
            return cleaned
        self.opens = cleaned["opens_at"] = opens
        closes = cleaned.get("closes_at")
        if closes is not None and closes <= opens:
            self.add_error("closes_at", _("The survey must close after it opens."))
            return cleaned
        self._check_reminders_before_closing(cleaned, opens, closes)
        return cleaned

    def _check_reminders_before_closing(self, cleaned: dict[str, Any], opens, closes) -> None:
        days = cleaned.get("reminders")
        if closes is None or not days:
            return
        late = [d for d in days if (closes - opens).total_seconds() <= d * 86400]
        if late:
            self.add_error(
                "reminders",
                _("A reminder %(days)s days after opening would come after the survey closes.")
                % {"days": late[0]},
            )

    def save(self, commit: bool = True) -> Survey:
        survey: Survey = super().save(commit=False)
        survey.programme = self.programme
        survey.opens_at = self.opens
        survey.reminder_days = self.cleaned_data["reminders"]
        if survey.anchor == "date":
            survey.offset_days = 0
        if survey.anchor != "session":
            survey.session_name, survey.session_at = "", None
        if commit:
            survey.save()
        return survey


def split_addresses(text: str) -> list[str]:
    """Pasted addresses (one per line, or separated by commas or semicolons), each once."""
    seen: dict[str, None] = {}
    for part in ADDRESS_SEPARATORS.split(text or ""):
        if part:
            seen.setdefault(part.strip().lower(), None)
    return list(seen)


class ControlGroupForm(forms.Form):
    """E-mail addresses of people to ask as a control group.

    Rules (see ``docs/privacy.md``, "Surveys: anonymity, k and exports"):

    * the answer never depends on whether an address is known elsewhere in
      the network: any well-formed address is accepted, and one nobody has
      yet becomes a new person with only that address;
    * nobody with a role in the programme (participant, facilitator,
      evaluator, observer...) can be a control: a control person is someone
      the programme does not reach, and staff could otherwise answer as
      stand-ins for made-up controls;
    * each person once per survey (the invitation is unique per person).
    """

    MAX_ADDRESSES = 1000

    addresses = forms.CharField(
        label=_("E-mail addresses"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=100_000,
        help_text=_(
            "One per line or separated by commas or semicolons. Each person gets their own "
            "link by e-mail and answers for themselves; members of the programme cannot be "
            "a control group. Nobody is added while any address is refused."
        ),
    )

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey

    def clean_addresses(self) -> list[str]:
        addresses = split_addresses(self.cleaned_data["addresses"])
        if not addresses:
            raise forms.ValidationError(_("Paste at least one e-mail address."))
        if len(addresses) > self.MAX_ADDRESSES:
            raise forms.ValidationError(
                _("At most %(n)d addresses at a time."), params={"n": self.MAX_ADDRESSES}
            )
        members = set(
            Membership.objects.filter(
                programme_id=self.survey.programme_id, person__email__in=addresses
            ).values_list("person__email", flat=True)
        )
        problems = []
        for address in addresses:
            if not _is_address(address):
                message = _("“%(address)s” is not an e-mail address.")
            elif address in members:
                message = _(
                    "“%(address)s” has a role in this programme: participants and other "
                    "members cannot be in a control group."
                )
            else:
                continue
            problems.append(forms.ValidationError(message, params={"address": address}))
        if problems:
            raise forms.ValidationError(problems)
        return addresses


def _is_address(text: str) -> bool:
    try:
        validate_email(text)
    except forms.ValidationError:
        return False
    return len(text) <= Person._meta.get_field("email").max_length  # type: ignore[operator]
