"""Typed settings read from environment variables.

Every setting peerlearn reads is declared once here, with its type, default
and meaning; ``docs/configuration.md`` lists them and a test keeps that page
in step with this module.  A bad value stops the process at start-up with a
message naming the variable: a typo in production must never fall back
silently to a default.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ImproperSetting(ValueError):
    """Raised when an environment variable holds a value of the wrong shape."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


#: The registry of documented settings, filled by the readers below.
DOCUMENTED: dict[str, Setting] = {}


def _raw(name: str, default: str, help: str) -> str:
    DOCUMENTED[name] = Setting(name, default, help)
    return os.environ.get(name, default)


def read_str(name: str, default: str, help: str) -> str:
    return _raw(name, default, help)


def read_bool(name: str, default: bool, help: str) -> bool:
    value = _raw(name, "true" if default else "false", help).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperSetting(f"{name} must be true or false, not {value!r}")


def read_int(name: str, default: int, help: str, minimum: int | None = None) -> int:
    value = _raw(name, str(default), help).strip()
    try:
        number = int(value)
    except ValueError:
        raise ImproperSetting(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperSetting(f"{name} must be at least {minimum}, not {number}")
    return number


def read_list(name: str, default: str, help: str) -> list[str]:
    return [item.strip() for item in _raw(name, default, help).split(",") if item.strip()]


def read_choice(name: str, default: str, help: str, choices: tuple[str, ...]) -> str:
    value = _raw(name, default, help).strip()
    if value not in choices:
        raise ImproperSetting(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def read_parsed(name: str, default: str, help: str, parse: Callable[[str], Any]) -> Any:
    value = _raw(name, default, help)
    try:
        return parse(value)
    except Exception as error:
        raise ImproperSetting(f"{name} is not valid: {error}") from None


#: Django's own bar for a secret key (django.core.checks.security.base).
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5


def refuse_weak_secret(name: str, value: str, *, development: str) -> None:
    """Stop start-up when the secret key is missing, the development one, or guessable."""
    if not value or value == development:
        raise ImproperSetting(f"{name} must be set when PEERLEARN_DEBUG is off")
    if (
        len(value) < SECRET_KEY_MIN_LENGTH
        or len(set(value)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or value.startswith("django-insecure-")
    ):
        raise ImproperSetting(
            f"{name} is too weak: use at least {SECRET_KEY_MIN_LENGTH} random characters "
            f'(python -c "import secrets; print(secrets.token_urlsafe(50))")'
        )
