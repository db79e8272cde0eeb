from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlearn.api.models import SCOPE_CHOICES

EXPIRY_CHOICES = (
    ("30", _("In 30 days")),
    ("90", _("In 90 days")),
    ("365", _("In a year")),
    # promise: tests/api/test_tokens.py::test_token_page_makes_shows_once_lists_and_revokes
    ("never", _("Never (revoke it yourself)")),
)


def new_nonce() -> str:
    """A fresh one-time value for one token form (see ``api/pages.py``)."""
    return secrets.token_urlsafe(24)


class TokenForm(forms.Form):
    #: Sent back with the form; a token is made once per value, so sending the
    #: same form again (a reload, a double click) makes nothing.
    nonce = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]{16,64}$")],
        error_messages={"required": _("This form is out of date: please fill it in again.")},
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “Power BI dashboard”."),
    )
    scope = forms.ChoiceField(label=_("May"), choices=SCOPE_CHOICES, initial="read")
    programme: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=None,
        required=False,
        empty_label=_("Every programme I belong to"),
    )
    expires = forms.ChoiceField(label=_("Expires"), choices=EXPIRY_CHOICES, initial="90")

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial["nonce"] = new_nonce()

    def expires_at(self) -> Any:
        choice = self.cleaned_data["expires"]
        return None if choice == "never" else timezone.now() + timedelta(days=int(choice))
