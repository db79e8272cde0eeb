"""Shape and invariants of the demo network (``peerlearn/demo/network.json``).

Plain pytest, no database: the file is read as JSON and checked against what the
demo importer and the matching engine rely on.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from importlib import resources
from typing import Any

import pycountry
import pytest

SENIORITY = {"political", "senior", "middle", "technical"}
ORGANISATION_KINDS = {
    "ministry",
    "municipality",
    "agency",
    "think_tank",
    "civil_society",
    "international",
    "other",
}
EMAIL = re.compile(r"^[a-z0-9._+-]+@([a-z0-9-]+\.)+example$")
TAG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    text = (resources.files("peerlearn.demo") / "network.json").read_text(encoding="utf-8")
    return json.loads(text)


@pytest.fixture(scope="module")
def people(data: dict[str, Any]) -> list[dict[str, Any]]:
    return data["people"]


@pytest.fixture(scope="module")
def event(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in people if p["cohort"] == "event"]


@pytest.fixture(scope="module")
def in_country(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in people if p["cohort"] == "in-country"]


def everyone(data: dict[str, Any]) -> list[dict[str, Any]]:
    return data["facilitators"] + data["evaluators"] + data["people"]


def test_top_level_keys(data: dict[str, Any]) -> None:
    assert set(data) == {
        "programme",
        "cohorts",
        "organisations",
        "facilitators",
        "evaluators",
        "people",
    }


def test_programme(data: dict[str, Any]) -> None:
    programme = data["programme"]
    assert programme["slug"] == "reform-leaders-2026"
    assert programme["name"].strip()
    assert programme["purpose"].strip()
    assert programme["languages"] == ["en", "fr", "es"]
    assert programme["stage"] == "engagement"
    assert date.fromisoformat(programme["start"]) < date.fromisoformat(programme["end"])
    names = {o["name"] for o in data["organisations"]}
    assert programme["facilitating_organisation"] in names


def test_cohorts(data: dict[str, Any]) -> None:
    cohorts = {c["key"]: c for c in data["cohorts"]}
    assert set(cohorts) == {"event", "in-country"}
    assert cohorts["event"]["kind"] == "event"
    assert cohorts["in-country"]["kind"] == "in_country"
    start = date.fromisoformat(data["programme"]["start"])
    end = date.fromisoformat(data["programme"]["end"])
    for cohort in cohorts.values():
        assert cohort["name"].strip()
        assert cohort["place"].strip()
        assert cohort["online"] is False
        first, last = date.fromisoformat(cohort["start"]), date.fromisoformat(cohort["end"])
        assert start <= first <= last <= end
    event = cohorts["event"]
    length = date.fromisoformat(event["end"]) - date.fromisoformat(event["start"])
    assert length.days + 1 == 10  # a ten-day foundational event


def test_cohort_sizes(
    people: list[dict[str, Any]],
    event: list[dict[str, Any]],
    in_country: list[dict[str, Any]],
) -> None:
    assert len(event) == 55
    assert len(in_country) == 25
    assert len(people) == 80


def test_event_spans_more_than_thirty_countries(event: list[dict[str, Any]]) -> None:
    assert len({p["country"] for p in event}) > 30


def test_countries_are_valid_iso_codes(data: dict[str, Any]) -> None:
    codes = {o["country"] for o in data["organisations"]} | {p["country"] for p in everyone(data)}
    for code in codes:
        assert re.fullmatch(r"[A-Z]{2}", code), code
        assert pycountry.countries.get(alpha_2=code) is not None, code


def test_languages_are_iso_639_1(data: dict[str, Any]) -> None:
    for person in everyone(data):
        assert person["languages"], person["email"]
        assert len(set(person["languages"])) == len(person["languages"]), person["email"]
        for code in person["languages"]:
            assert re.fullmatch(r"[a-z]{2}", code), (person["email"], code)
            assert pycountry.languages.get(alpha_2=code) is not None, (person["email"], code)


def test_organisations(data: dict[str, Any]) -> None:
    organisations = data["organisations"]
    lowered = [o["name"].strip().lower() for o in organisations]
    assert len(lowered) == len(set(lowered)), "organisation names must be unique"
    for org in organisations:
        assert org["name"].strip()
        assert org["kind"] in ORGANISATION_KINDS, org


def test_every_referenced_organisation_exists_with_matching_country(
    data: dict[str, Any],
) -> None:
    countries = {o["name"]: o["country"] for o in data["organisations"]}
    for person in everyone(data):
        assert person["organisation"] in countries, person["email"]
        assert countries[person["organisation"]] == person["country"], person["email"]


def test_no_unused_organisations(data: dict[str, Any]) -> None:
    used = {p["organisation"] for p in everyone(data)}
    assert {o["name"] for o in data["organisations"]} == used


def test_event_organisations_have_at_most_two_people(event: list[dict[str, Any]]) -> None:
    counts = Counter(p["organisation"] for p in event)
    assert max(counts.values()) <= 2


def test_emails_unique_lowercase_and_reserved_domains(data: dict[str, Any]) -> None:
    emails = [p["email"] for p in everyone(data)]
    assert len(emails) == len(set(emails))
    for email in emails:
        assert EMAIL.fullmatch(email), email


def test_demo_accounts_present(data: dict[str, Any]) -> None:
    assert len(data["facilitators"]) == 2
    assert len(data["evaluators"]) == 1
    assert "facilitator@peerlearn.example" in {f["email"] for f in data["facilitators"]}
    assert data["evaluators"][0]["email"] == "evaluator@peerlearn.example"
    for staff in data["facilitators"] + data["evaluators"]:
        assert staff["name"].strip()
        assert staff["role_title"].strip()


def test_person_fields(people: list[dict[str, Any]]) -> None:
    for person in people:
        assert person["name"].strip(), person["email"]
        assert person["role_title"].strip(), person["email"]
        assert person["policy_area"].strip(), person["email"]
        assert person["seniority"] in SENIORITY, person["email"]
        assert isinstance(person["gender"], str)
        for flag in ("external", "alumni", "consent_to_contact"):
            assert isinstance(person[flag], bool), (person["email"], flag)


def test_event_mix_of_roles_and_gender(event: list[dict[str, Any]]) -> None:
    seniority = Counter(p["seniority"] for p in event)
    assert set(seniority) == SENIORITY
    assert 2 <= seniority["political"] <= 6
    gender = Counter(p["gender"] for p in event)
    assert abs(gender["woman"] - gender["man"]) <= 5
    assert gender["woman"] + gender["man"] < len(event), "a few self-describe or leave it blank"
    assert 3 <= sum(p["external"] for p in event) <= 5
    assert 3 <= sum(p["alumni"] for p in event) <= 5


def test_challenges_and_expectations(people: list[dict[str, Any]]) -> None:
    texts: list[str] = []
    for person in people:
        challenges = person["challenges"]
        assert len(challenges) == 3, person["email"]
        for challenge in challenges:
            assert challenge["text"].strip(), person["email"]
            assert 1 <= len(challenge["tags"]) <= 3, person["email"]
            for tag in challenge["tags"]:
                assert TAG.fullmatch(tag), (person["email"], tag)
            texts.append(challenge["text"].strip().lower())
        expectations = person["expectations"]
        assert len(expectations) == 2, person["email"]
        assert all(e.strip() for e in expectations), person["email"]
    assert len(texts) == len(set(texts)), "every challenge text must be distinct"


def test_teams_only_in_country(
    event: list[dict[str, Any]], in_country: list[dict[str, Any]]
) -> None:
    assert all(p["team"] is None for p in event)
    teams = Counter(p["team"] for p in in_country)
    assert len(teams) == 5
    assert set(teams.values()) == {5}
    assert all(team and team.strip() for team in teams)


def test_in_country_is_one_country(in_country: list[dict[str, Any]]) -> None:
    assert len({p["country"] for p in in_country}) == 1
    assert len({p["organisation"] for p in in_country}) >= 5


def test_shared_problems_across_teams(in_country: list[dict[str, Any]]) -> None:
    """Cross-team learning needs material: land data in 3+ teams, lawyers in 3+ teams."""
    land_teams = {
        p["team"] for p in in_country for c in p["challenges"] if "land-records" in c["tags"]
    }
    assert len(land_teams) >= 3
    legal_teams = {p["team"] for p in in_country for c in p["challenges"] if "legal" in c["tags"]}
    assert len(legal_teams) >= 3


def test_event_has_problem_clusters(event: list[dict[str, Any]]) -> None:
    """The matching engine needs groups of peers who share a soft reform problem."""
    people_per_tag: Counter[str] = Counter()
    for person in event:
        people_per_tag.update({t for c in person["challenges"] for t in c["tags"]})
    for tag in ("political-principal", "coordination", "new-agency", "team-building"):
        assert people_per_tag[tag] >= 7, tag
