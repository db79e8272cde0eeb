"""The columns of a roster spreadsheet and the vocabularies its cells may use.

One row per person; the header row names the columns.  Header matching is
case-insensitive, ignores surrounding spaces, and treats inner spaces and
hyphens like underscores, so ``Email``, `` EMAIL ``, ``Role title`` and
``role-title`` all name the same column; ``E-mail``, ``Organization`` and a few
other spellings are aliases (:data:`HEADER_ALIASES`).  Columns nobody knows are ignored
(the preview lists them as a notice).

==========================  ===================================================
column                      content
==========================  ===================================================
``email``                   required; the person's key; lower-cased
``name``                    required; any script; at most 200 characters
``organisation``            a name; unknown organisations will be created
``organisation_kind``       ministry, municipality, agency, think_tank,
                            civil_society, international, other
``country``                 ISO 3166 alpha-2/alpha-3 code or English name
``role_title``              formal role or title; at most 200 characters
``seniority``               political, senior, middle, technical
``languages``               ``|`` or ``,`` separated ISO 639-1 codes or names
``gender``                  optional, self-described; at most 64 characters
``external``, ``alumni``,   yes/no (also true/false, 1/0, y/n, sí/no,
``consent_to_contact``      oui/non); blank means no
``programme_role``          participant (default), facilitator, evaluator,
                            observer
``cohort``                  the name of a cohort of the programme
``challenge_N``             any number of challenges; at most 2,000 characters
``challenge_N_tags``        ``|`` separated tags of challenge N
``expectation_N``           any number of learning expectations
==========================  ===================================================

The vocabularies (codes and translated labels) live in
:mod:`peerlearn.people.choices` so that the models, forms and roster files
share one definition; they are re-exported here.
"""

from __future__ import annotations

import re

from django.db.models import Model

from peerlearn.intake.models import Challenge, LearningExpectation
from peerlearn.people.choices import ORGANISATION_KIND_CHOICES, SENIORITY_CHOICES
from peerlearn.people.models import Organisation, Person
from peerlearn.programmes.models import PROGRAMME_ROLE_CHOICES

__all__ = [
    "BOOLEAN_COLUMNS",
    "CHALLENGE_MAX",
    "EMAIL_MAX",
    "EXPECTATION_MAX",
    "FIXED_COLUMNS",
    "GENDER_MAX",
    "HEADER_ALIASES",
    "NAME_MAX",
    "ORGANISATION_KIND_CHOICES",
    "ORGANISATION_MAX",
    "PROGRAMME_ROLE_CHOICES",
    "REQUIRED_COLUMNS",
    "ROLE_TITLE_MAX",
    "SENIORITY_CHOICES",
    "TAG_MAX",
    "TEMPLATE_COLUMNS",
    "challenge_column",
    "challenge_tags_column",
    "expectation_column",
    "is_known_column",
    "normalise_header",
    "numbered_column",
]

REQUIRED_COLUMNS: tuple[str, ...] = ("email", "name")

#: Columns of the template and of exports, in order.  Exports add
#: ``challenge_4``... and ``expectation_3``... when someone has more.
TEMPLATE_COLUMNS: tuple[str, ...] = (
    "email",
    "name",
    "organisation",
    "organisation_kind",
    "country",
    "role_title",
    "seniority",
    "languages",
    "gender",
    "external",
    "alumni",
    "consent_to_contact",
    "programme_role",
    "cohort",
    "challenge_1",
    "challenge_1_tags",
    "challenge_2",
    "challenge_2_tags",
    "challenge_3",
    "challenge_3_tags",
    "expectation_1",
    "expectation_2",
)

#: The columns that are not numbered (``challenge_N`` and friends are).
FIXED_COLUMNS: tuple[str, ...] = TEMPLATE_COLUMNS[:14]

BOOLEAN_COLUMNS: tuple[str, ...] = ("external", "alumni", "consent_to_contact")


def _max_length(model: type[Model], field: str) -> int:
    """The model field's limit: a roster cell is checked against what the row will hold."""
    limit = getattr(model._meta.get_field(field), "max_length", None)
    assert limit is not None, f"{model.__name__}.{field} has no max_length"
    return int(limit)


# Length limits, in characters, read from the model fields (one copy: a
# longer field in a migration is a longer roster cell at once).
EMAIL_MAX = _max_length(Person, "email")
NAME_MAX = _max_length(Person, "name")
ORGANISATION_MAX = _max_length(Organisation, "name")
ROLE_TITLE_MAX = _max_length(Person, "role_title")
GENDER_MAX = _max_length(Person, "gender")
CHALLENGE_MAX = _max_length(Challenge, "text")
EXPECTATION_MAX = _max_length(LearningExpectation, "text")
#: Tags are a JSON list with no column of their own: this limit is the roster's.
TAG_MAX = 64


_SEPARATORS = re.compile(r"[\s\-]+")
_NUMBERED = re.compile(r"^(challenge|expectation)_([1-9][0-9]{0,3})(_tags)?$")


#: Header spellings read as another column (American spelling, "E-mail").
HEADER_ALIASES: dict[str, str] = {
    "e_mail": "email",
    "email_address": "email",
    "e_mail_address": "email",
    "organization": "organisation",
    "organization_kind": "organisation_kind",
    "consent": "consent_to_contact",
}


def normalise_header(text: str) -> str:
    """The column name a header cell means: ``" Role Title "`` -> ``"role_title"``.

    >>> normalise_header(" E-mail "), normalise_header("Organization")
    ('email', 'organisation')
    """
    column = _SEPARATORS.sub("_", text.strip().lower()).strip("_")
    return HEADER_ALIASES.get(column, column)


def numbered_column(column: str) -> tuple[str, int, bool] | None:
    """Split ``challenge_2_tags`` into ``("challenge", 2, True)``; None if not numbered.

    ``expectation_N_tags`` is not a column (expectations have no tags).
    """
    match = _NUMBERED.match(column)
    if match is None:
        return None
    kind, number, tags = match.group(1), int(match.group(2)), bool(match.group(3))
    if kind == "expectation" and tags:
        return None
    return kind, number, tags


def is_known_column(column: str) -> bool:
    """Whether a normalised header names a roster column."""
    return column in FIXED_COLUMNS or numbered_column(column) is not None


def challenge_column(number: int) -> str:
    return f"challenge_{number}"


def challenge_tags_column(number: int) -> str:
    return f"challenge_{number}_tags"


def expectation_column(number: int) -> str:
    return f"expectation_{number}"
