"""Forms of the instrument pages: XLSForm upload and instrument settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peerlearn.surveys.library import max_unpacked_bytes
from peerlearn.surveys.models import ANONYMITY_CHOICES, Instrument
from peerlearn.surveys.xlsform.sheets import MAX_RATIO, declared_size

#: Bounds of k, the smallest breakdown shown.  Below 2 a "breakdown" is one
#: person's answer; above 100 almost every cohort would be suppressed entirely.
MIN_K, MAX_K = 2, 100


def max_upload_bytes() -> int:
    """Largest XLSForm accepted: the roster limit (instruments are a few tens of kB)."""
    return int(settings.ROSTER_MAX_BYTES)


class XLSFormUploadForm(forms.Form):
    """An .xlsx workbook and the anonymity the instrument starts with."""

    file = forms.FileField(
        label=_("XLSForm workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    anonymity = forms.ChoiceField(
        label=_("Anonymity"),
        choices=ANONYMITY_CHOICES,
        initial="pseudonymous",
        widget=forms.RadioSelect,
        # promise: tests/surveys/test_instrument_pages.py::test_anonymity_is_fixed_once_someone_started_answering
        help_text=_(
            "What respondents are promised. It can be changed only until someone starts answering."
        ),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if (upload.size or 0) > max_upload_bytes():
            raise forms.ValidationError(
                gettext("The file is larger than the limit of %(mb).1f MB.")
                % {"mb": max_upload_bytes() / 1048576}
            )
        if not (upload.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError(
                gettext(
                    "Choose an .xlsx workbook (KoboToolbox and ODK save XLSForms as .xlsx; "
                    "in Excel use File, Save as, Excel Workbook)."
                )
            )
        self._check_unpacked_size(upload)
        return upload

    @staticmethod
    def _check_unpacked_size(upload: UploadedFile) -> None:
        """Refuse a zip bomb from the zip's directory, before anything unpacks it."""
        head = upload.read()
        upload.seek(0)
        size = declared_size(head)
        if size is None:
            return  # not a zip: the reader says what it is instead
        limit = max_unpacked_bytes()
        if size.total > limit or size.ratio > MAX_RATIO:
            raise forms.ValidationError(
                gettext(
                    "This workbook would unpack to %(unpacked).0f MB (limit %(limit).0f MB) "
                    "or is compressed far more than a real workbook: it is refused. Save it "
                    "again from Excel, KoboToolbox or ODK and upload that file."
                )
                % {"unpacked": size.total / 1048576, "limit": limit / 1048576}
            )


class InstrumentSettingsForm(forms.ModelForm):
    """Title, anonymity and k of one instrument.

    ``anonymity_locked`` carries the reason anonymity cannot change any more
    (empty when it still can); the view decides it from the database.
    """

    min_respondents = forms.IntegerField(
        label=_("Minimum respondents shown (k)"),
        min_value=MIN_K,
        max_value=MAX_K,
        # promise: tests/surveys/test_analysis.py::test_exactly_k_responses_are_shown_and_k_minus_one_suppressed
        # promise: tests/surveys/test_results_pages.py::test_k_is_the_instruments_minimum
        help_text=_(
            "Any breakdown with fewer respondents is suppressed in reports and exports "
            "(at least 2, at most 100)."
        ),
    )

    class Meta:
        model = Instrument
        fields = ["title", "anonymity", "min_respondents"]
        widgets = {"anonymity": forms.RadioSelect}

    def __init__(
        self, *args: Any, anonymity_locked: str = "", answered: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.anonymity_locked = anonymity_locked
        self.answered = answered
        self.promised_k = self.instance.min_respondents
        if anonymity_locked:
            self.fields["anonymity"].help_text = anonymity_locked
        if answered:
            self.fields["min_respondents"].widget.attrs["min"] = max(MIN_K, self.promised_k)
            self.fields["min_respondents"].help_text = gettext(
                "People have answered with the promise that no group smaller than %(k)d is "
                "shown: k can be raised, not lowered below %(k)d."
            ) % {"k": self.promised_k}

    def clean_min_respondents(self) -> int:
        """Refuse a lower k once anyone answered: their answers were given under the old one.

        Lowering would show, at once, breakdowns that were held back, some of
        them a single person's answers.
        """
        value: int = self.cleaned_data["min_respondents"]
        if self.answered and value < self.promised_k:
            raise forms.ValidationError(
                gettext(
                    "k cannot be lowered below %(k)d: people have answered this instrument "
                    "with the promise that no group smaller than %(k)d would be shown. "
                    "Raising it is always possible."
                )
                % {"k": self.promised_k}
            )
        return value

    def clean_anonymity(self) -> str:
        value: str = self.cleaned_data["anonymity"]
        if self.anonymity_locked and value != self.instance.anonymity:
            raise forms.ValidationError(self.anonymity_locked)
        return value
