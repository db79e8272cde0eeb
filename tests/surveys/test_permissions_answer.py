"""Permissions of the answering pages, persona by persona.

"My surveys" needs a sign-in and shows only one's own invitations; opening
one issues a link for one's own invitation only (anyone else's is 404).
The personal link and its autosave need no sign-in at all: the token is the
key, for every persona alike, and a wrong token is 404.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.surveys import urls as survey_urls
from peerlearn.surveys.models import Invitation
from tests.programmes.test_permissions import PERSONAS, expect, request_as
from tests.surveys.conftest import make_survey

SIGNED_IN = set(PERSONAS) - {"anonymous"}


def _participants_invitation(w) -> int:
    survey = make_survey(w, "pulse")
    return Invitation.objects.create(survey=survey, person=w.people["participant"]).pk


CASES = [
    ("surveys:my_surveys", lambda w: reverse("surveys:my_surveys"), "get", expect(SIGNED_IN)),
    (
        "surveys:my_survey_open",
        lambda w: reverse("surveys:my_survey_open", args=[_participants_invitation(w)]),
        "post",
        # Only the invitation's own person gets a link (302 to it); for
        # everybody else the invitation does not exist.
        expect({"participant"}, ok=302, member=404, outsider=404),
    ),
]

#: Views reached with a personal link instead of a sign-in (tested below).
TOKEN_VIEWS = {"surveys:answer", "surveys:answer_save"}
OWNED = {"surveys:answer", "surveys:answer_save", "surveys:my_surveys", "surveys:my_survey_open"}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_view_permissions(world, login, persona, name, url, method, expected):
    response = request_as(world, login, persona, name, url, method, expected)
    if response.status_code == 302 and persona != "anonymous":
        assert response["Location"].startswith("/s/"), "redirected to the personal link"


@pytest.mark.parametrize("persona", PERSONAS)
def test_personal_link_needs_no_sign_in_but_a_valid_token(world, login, persona):
    survey = make_survey(world, "pulse")
    invitation = Invitation.objects.create(survey=survey, person=world.people["peer"])
    token = invitation.issue_link()
    client = login(None if persona == "anonymous" else world.users[persona])
    answer = reverse("surveys:answer", args=[survey.pk, token])
    save = reverse("surveys:answer_save", args=[survey.pk, token])
    assert client.get(answer).status_code == 200
    assert client.post(save, {"useful": "3"}).status_code == 200
    wrong = ("y" if token[0] == "x" else "x") + token[1:]
    assert client.get(reverse("surveys:answer", args=[survey.pk, wrong])).status_code == 404
    assert client.post(reverse("surveys:answer_save", args=[survey.pk, wrong])).status_code == 404
    invitation.refresh_from_db()
    # the pulse's "who did you learn from" repeat starts with one empty instance
    assert invitation.draft == {"useful": "3", "learned": [{}]}


def test_every_answering_view_has_a_permission_case():
    """A new answering page without a row in CASES (or the token test) fails here."""
    names = {f"{survey_urls.app_name}:{p.name}" for p in survey_urls.urlpatterns}
    assert names >= OWNED, "an owned url name disappeared from surveys/urls.py"
    covered = {name for name, *_ in CASES} | TOKEN_VIEWS
    for name in sorted(OWNED):
        assert name in covered, name
