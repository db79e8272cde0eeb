"""One mechanism for personal links (issue 11 item 9): every link model is a HashedLink."""

from __future__ import annotations

import hashlib

import pytest
from django.apps import apps

from peerlearn.accounts.models import HashedLink, SignInLink
from peerlearn.delivery.models import CalendarFeed
from peerlearn.intake.models import IntakeInvitation, IntakeToken
from peerlearn.surveys.models import Invitation, InvitationLink
from tests.surveys.conftest import make_survey

#: Models that keep a token hash without being a link of their own, and why.
NOT_LINKS = {
    # A secret with a visible prefix and hint, scoped and expiring: an API credential.
    "api.ApiToken",
    # A request to a substantiator; its newest e-mailed link's hash, empty until sent.
    "harvest.Substantiation",
}


def test_every_model_keeping_a_token_hash_is_a_hashed_link():
    keeping = {
        model._meta.label: model
        for model in apps.get_models()
        if any(field.name == "token_hash" for field in model._meta.get_fields())
    }
    links = {label for label, model in keeping.items() if issubclass(model, HashedLink)}
    assert links >= {
        "accounts.SignInLink",
        "intake.IntakeToken",
        "surveys.InvitationLink",
        "delivery.CalendarFeed",
    }
    assert set(keeping) - links == NOT_LINKS


@pytest.mark.django_db
def test_each_link_stores_only_the_hash_and_finds_itself_by_the_secret(world):
    person = world.people["participant"]
    intake = IntakeInvitation.objects.create(person=person, programme=world.programme)
    survey = Invitation.objects.create(
        survey=make_survey(world, "pulse"), person=person, audience="participant"
    )
    secrets = {
        SignInLink: SignInLink.issue(world.users["participant"]),
        IntakeToken: intake.issue_token(),
        InvitationLink: survey.issue_link(),
        CalendarFeed: CalendarFeed.issue(person),
    }
    for model, secret in secrets.items():
        stored = model.objects.get()
        assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest() != secret
        assert list(model.with_token(secret)) == [stored]
        assert not model.with_token(secret + "x").exists()
    assert IntakeInvitation.for_token(secrets[IntakeToken]) == intake
    assert Invitation.for_token(survey.survey_id, secrets[InvitationLink]) == survey
    assert Invitation.for_token(survey.survey_id + 1, secrets[InvitationLink]) is None
    assert CalendarFeed.live(secrets[CalendarFeed]).person == person
