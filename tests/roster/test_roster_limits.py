"""The roster's length limits are the model fields' own, and its docs say the same numbers."""

from __future__ import annotations

import re

from peerlearn.intake.models import Challenge, LearningExpectation
from peerlearn.people.models import Organisation, Person
from peerlearn.roster import columns
from peerlearn.roster.reading import Table
from peerlearn.roster.validation import validate_roster


def test_limits_are_read_from_the_models():
    fields = {
        "EMAIL_MAX": (Person, "email"),
        "NAME_MAX": (Person, "name"),
        "ORGANISATION_MAX": (Organisation, "name"),
        "ROLE_TITLE_MAX": (Person, "role_title"),
        "GENDER_MAX": (Person, "gender"),
        "CHALLENGE_MAX": (Challenge, "text"),
        "EXPECTATION_MAX": (LearningExpectation, "text"),
    }
    for constant, (model, field) in fields.items():
        assert getattr(columns, constant) == model._meta.get_field(field).max_length, constant


def test_the_column_table_states_the_model_limits():
    stated = dict(re.findall(r"``(\w+)``.*?at most ([\d,]+) characters", columns.__doc__ or ""))
    assert {k: int(v.replace(",", "")) for k, v in stated.items()} == {
        "name": columns.NAME_MAX,
        "role_title": columns.ROLE_TITLE_MAX,
        "gender": columns.GENDER_MAX,
        "challenge_N": columns.CHALLENGE_MAX,
    }


def test_a_name_one_over_the_field_limit_is_a_problem_at_the_limit_it_is_not():
    limit = Person._meta.get_field("name").max_length
    rows = [["a@example.org", "x" * limit], ["b@example.org", "y" * (limit + 1)]]
    preview = validate_roster(
        Table(header=["email", "name"], rows=rows),
        known_organisations=[],
        known_cohorts=[],
        existing_emails=[],
    )
    assert [(p.row, p.column) for p in preview.problems] == [(3, "name")]
