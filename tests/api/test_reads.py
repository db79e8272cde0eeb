"""What the read endpoints show: the pages' rules, row by row; bad input is a 400."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from peerlearn.api.views import readable_answers_q
from peerlearn.intake.models import Challenge, IntakeSettings
from peerlearn.intake.permissions import reads_intake_answers
from peerlearn.objectives.access import reads_objectives_of
from peerlearn.objectives.models import LearningObjective
from peerlearn.people.models import Person
from peerlearn.programmes.permissions import access_for
from peerlearn.surveys.models import Response
from peerlearn.surveys.publication import release
from tests.api.conftest import token_for
from tests.programmes.test_permissions import MEMBERS
from tests.progress.conftest import file_check_in, let_evaluators_read, make_round
from tests.surveys.conftest import make_survey


def client_of(user, **fields):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user, **fields)}")
    return client


def base(world):
    return f"/api/v1/programmes/{world.programme.slug}/"


def every_row(client, url):
    rows, page = [], url
    while page:
        body = client.get(page).json()
        rows += body["results"]
        page = body["next"]
    return rows


@pytest.mark.parametrize("persona", sorted(MEMBERS))
def test_emails_only_for_the_facilitators_of_the_person(world, persona):
    rows = every_row(client_of(world.users[persona]), base(world) + "people/")
    emails = {row["id"]: row["email"] for row in rows}
    participant = world.people["participant"].pk
    if persona == "facilitator":
        assert emails[participant] == "participant@example.org"
        assert all(emails.values())
    elif persona == "module_facilitator":
        # Facilitates the module only: the event's participant's address stays hidden.
        assert emails[participant] is None
    else:
        assert set(emails.values()) == {None}, persona


@pytest.mark.parametrize("persona", ["participant", "peer", "observer"])
def test_participants_list_only_who_the_people_list_shows(world, persona):
    rows = every_row(client_of(world.users[persona]), base(world) + "people/")
    ids = {row["id"] for row in rows}
    me = world.people[persona].pk
    assert me in ids
    assert world.people["facilitator"].pk in ids
    if persona != "participant":
        assert world.people["participant"].pk not in ids  # no consent, not a group-mate


@pytest.mark.parametrize("private", [True, False])
@pytest.mark.parametrize("persona", sorted(MEMBERS))
def test_challenges_follow_reads_intake_answers(world, persona, private):
    IntakeSettings.objects.update_or_create(
        programme=world.programme, defaults={"is_private": private}
    )
    for key in ("peer", "module_facilitator"):
        Challenge.objects.create(person=world.people[key], programme=world.programme, text="x")
    user = world.users[persona]
    access = access_for(user, world.programme)
    expected = {
        c.pk
        for c in Challenge.objects.filter(programme=world.programme).select_related("person")
        if reads_intake_answers(user, access, world.programme, c.person)
    }
    query = Challenge.objects.filter(programme=world.programme).filter(
        readable_answers_q(user, access, world.programme)
    )
    assert set(query.values_list("pk", flat=True)) == expected
    shown = {row["id"] for row in every_row(client_of(user), base(world) + "challenges/")}
    assert shown == expected


@pytest.mark.parametrize("persona", sorted(MEMBERS))
def test_objectives_follow_reads_objectives_of(world, persona):
    made = [
        LearningObjective.objects.create(
            programme=world.programme,
            person=world.people[key],
            statement="s",
            why="w",
            success_sign="k",
            start_rating=2,
        )
        for key in ("participant", "peer", "module_facilitator")
    ]
    made.append(
        LearningObjective.objects.create(
            programme=world.programme,
            group=world.group_a,
            statement="g",
            why="w",
            success_sign="k",
            start_rating=2,
        )
    )
    user = world.users[persona]
    access = access_for(user, world.programme)
    expected = {
        o.pk for o in made if reads_objectives_of(user, access, world.programme, o.person, o.group)
    }
    shown = {row["id"] for row in every_row(client_of(user), base(world) + "objectives/")}
    assert shown == expected
    if persona == "evaluator":
        assert shown == set()


def test_check_ins_reach_evaluators_only_when_the_programme_allows(world):
    file_check_in(world, world.group_a, make_round(world), stuck="Land records are missing")
    evaluator = client_of(world.users["evaluator"])
    assert every_row(evaluator, base(world) + "check-ins/") == []
    let_evaluators_read(world)
    rows = every_row(evaluator, base(world) + "check-ins/")
    assert [row["stuck"] for row in rows] == ["Land records are missing"]
    peer_rows = every_row(client_of(world.users["peer"]), base(world) + "check-ins/")
    assert peer_rows == []  # group B does not read group A's check-ins


def _answer(survey, person, **answers):
    return Response.objects.create(survey=survey, person=person, answers=answers)


def test_responses_are_the_export_with_k_suppression(world):
    survey = make_survey(world, "pulse", anonymity="anonymous")
    survey.instrument.min_respondents = 3
    survey.instrument.save()
    client = client_of(world.users["evaluator"])
    url = base(world) + f"surveys/{survey.pk}/responses/"
    _answer(survey, world.people["participant"])
    below = client.get(url).json()
    assert below["suppressed"] is True and below["rows"] == [] and below["k"] == 3
    assert "fewer than 3" in below["note"]
    for key in ("peer", "module_facilitator"):
        _answer(survey, world.people[key])
    # Anonymous answers wait for a batch of k, as on the results page.
    assert client.get(url).json()["rows"] == []
    release(survey)
    above = client.get(url + "?page_size=2").json()
    assert above["suppressed"] is False and above["responses"] == 3
    assert len(above["rows"]) == 2 and above["next"]
    assert "_name" not in above["columns"] and "_email" not in above["columns"]
    rest = client.get(above["next"]).json()
    assert len(rest["rows"]) == 1 and rest["next"] is None


def test_pagination_follows_next_and_keeps_ids_stable(world):
    client = client_of(world.users["facilitator"])
    first = client.get(base(world) + "people/?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    rows = every_row(client, base(world) + "people/?page_size=2")
    ids = [row["id"] for row in rows]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert (
        len(ids) == Person.objects.filter(memberships__programme=world.programme).distinct().count()
    )


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("cursor=bm9wZQ", "invalid_cursor", None),
        ("email=a@example.org", "unknown_filter", "email"),
        ("organisation=abc", "invalid_filter", "organisation"),
        ("page_size=0", "invalid", "page_size"),
        ("page_size=-3", "invalid", "page_size"),
    ],
)
def test_bad_query_parameters_are_400_in_the_error_shape(world, query, code, field):
    response = client_of(world.users["facilitator"]).get(base(world) + "people/?" + query)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["status"] == 400 and error["code"] == code and error["message"]
    if field:
        assert field in error["fields"]


def test_a_tampered_cursor_from_a_real_page_is_refused(world):
    client = client_of(world.users["facilitator"])
    following = client.get(base(world) + "people/?page_size=1").json()["next"]
    tampered = following.replace("cursor=", "cursor=A")
    response = client.get(tampered)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_instrument_xlsform_downloads_a_workbook(world):
    survey = make_survey(world, "pulse")
    client = client_of(world.users["evaluator"])
    response = client.get(base(world) + f"instruments/{survey.instrument_id}/xlsform/")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    assert ".xlsx" in response["Content-Disposition"]


def test_intake_status_names_only_for_those_who_read_answers(world):
    evaluator = client_of(world.users["evaluator"]).get(base(world) + "intake/").json()
    assert evaluator["people"] is None and evaluator["asked"] >= 2
    facilitator = client_of(world.users["facilitator"]).get(base(world) + "intake/").json()
    assert {row["person"] for row in facilitator["people"]} >= {world.people["participant"].pk}


def test_dates_are_iso_8601(world):
    survey = make_survey(world, "pulse")
    row = client_of(world.users["facilitator"]).get(base(world) + f"surveys/{survey.pk}/").json()
    from datetime import datetime

    assert datetime.fromisoformat(row["opens_at"]).tzinfo is not None


@pytest.mark.parametrize("persona", sorted(MEMBERS))
def test_products_are_those_the_product_page_shows(world, persona):
    """Row by row the page's rule (``can_see_product``): group readers and reviewers."""
    from peerlearn.progress.models import Review
    from peerlearn.progress.permissions import can_see_product
    from tests.progress.conftest import make_product

    of_a = make_product(world, world.group_a, with_file=False)
    of_b = make_product(world, world.group_b, with_file=False)
    Review.objects.create(product=of_b, reviewer=world.people["participant"])
    user = world.users[persona]
    access = access_for(user, world.programme)
    person = Person.objects.filter(user=user).first()
    expected = {
        p.pk for p in (of_a, of_b) if can_see_product(user, person, p, access, world.programme)
    }
    shown = {row["id"] for row in every_row(client_of(user), base(world) + "products/")}
    assert shown == expected
    if persona == "facilitator":
        assert shown == {of_a.pk, of_b.pk}


def every_response(client, url):
    rows, page = [], url
    while page:
        body = client.get(page).json()
        rows += body["rows"]
        page = body["next"]
    return rows


def test_response_pages_are_the_whole_export_and_count_the_answers_once(world):
    """Page by page, the rows of the CSV export (numbers and suppression included); a
    later page reads only its own rows, and the counts behind suppression are not
    made again until a response is added."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from peerlearn.surveys.exports import export_plan, export_rows

    survey = make_survey(world, "pulse", anonymity="pseudonymous")
    survey.instrument.min_respondents = 2
    survey.instrument.save()
    for i in range(8):  # published in batches of k = 2
        Response.objects.create(
            survey=survey,
            pseudonym=f"P-{i:03d}",
            answers={"useful": str(1 + i % 5), "will_try": "yes"}
            | ({"what_try": "t"} if i == 0 else {}),
        )
    release(survey)
    whole = [list(row) for row in export_rows(export_plan(survey, values="labels"))]
    client = client_of(world.users["facilitator"])
    url = base(world) + f"surveys/{survey.pk}/responses/?page_size=3"
    first = client.get(url).json()
    assert first["responses"] == 8, first
    with CaptureQueriesContext(connection) as queries:
        second = client.get(first["next"]).json()
    sql = [q["sql"] for q in queries.captured_queries if '"surveys_response"."answers"' in q["sql"]]
    assert len(sql) == 1 and "LIMIT 3 OFFSET 3" in sql[0]  # no pass over every answer
    third = client.get(second["next"]).json()
    assert first["rows"] + second["rows"] + third["rows"] == whole
    assert [row[0] for row in second["rows"]] == [4, 5, 6] and third["next"] is None

    column = first["columns"].index("what_try")
    assert all(row[column] is None for row in whole)  # one answer, below k: left blank
    for code in ("P-100", "P-101"):
        Response.objects.create(
            survey=survey, pseudonym=code, answers={"will_try": "yes", "what_try": "u"}
        )
    release(survey)
    again = every_response(client, url)
    # Counted afresh (the cache is keyed by what it counts): three answers now show.
    assert len(again) == 10 and sum(row[column] is not None for row in again) == 3
