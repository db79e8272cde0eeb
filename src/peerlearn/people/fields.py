"""Form fields shared by the people and programme forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from peerlearn.people.lookups import country_code, language_code


class LanguagesField(forms.CharField):
    """Comma-separated languages ("en, français") stored as a list of ISO 639-1 codes."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Comma-separated, e.g. en, fr, es"))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        codes: list[str] = []
        unknown: list[str] = []
        for part in text.replace("|", ",").split(","):
            if not part.strip():
                continue
            code = language_code(part)
            if code is None:
                unknown.append(part.strip())
            elif code not in codes:
                codes.append(code)
        if unknown:
            raise ValidationError(
                _("Unknown language: %(names)s. Use codes such as en, fr, es."),
                params={"names": ", ".join(unknown)},
            )
        return codes


class CountryField(forms.CharField):
    """A country typed as a code or an English name, stored as ISO 3166 alpha-2."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Code or English name, e.g. KE or Kenya"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = (super().to_python(value) or "").strip()
        if not text:
            return ""
        code = country_code(text)
        if code is None:
            raise ValidationError(_("Unknown country: %(name)s"), params={"name": text})
        return code
