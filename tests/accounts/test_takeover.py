"""Sign-in links go only to the address the account holds (User.email).

Whoever can change a Person's e-mail must not be able to sign in as that
person's account: the link request looks up accounts, never people.
"""

from __future__ import annotations

from django.core import mail

from peerlearn.accounts.models import SignInLink, User
from peerlearn.people.invitations import send_sign_in_link
from peerlearn.people.models import Person
from tests.accounts.conftest import ask_for_link, link_from


def test_changed_person_email_does_not_receive_the_accounts_link(world, client):
    participant = world.people["participant"]
    Person.objects.filter(pk=participant.pk).update(email="attacker@example.org")

    ask_for_link(client, "attacker@example.org")
    assert mail.outbox == [], "the person's new address is not an account"
    assert not SignInLink.objects.filter(user=world.users["participant"]).exists()

    ask_for_link(client, "participant@example.org")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["participant@example.org"]
    assert client.post(link_from(mail.outbox[0])).status_code == 302
    assert client.session["_auth_user_id"] == str(world.users["participant"].pk)


def test_link_request_matches_the_account_address_in_any_case(world, client):
    ask_for_link(client, "  Participant@Example.ORG ")
    assert [m.to for m in mail.outbox] == [["participant@example.org"]]


def test_invitation_of_a_person_with_an_account_goes_to_the_account_address(world):
    participant = world.people["participant"]
    participant.email = "changed@example.org"
    participant.save()
    send_sign_in_link(participant)
    assert [m.to for m in mail.outbox] == [["participant@example.org"]]


def test_invitation_without_an_account_creates_it_with_the_current_address(world):
    newcomer = Person.objects.create(name="New Comer", email="new@example.org", languages=["en"])
    send_sign_in_link(newcomer)
    newcomer.refresh_from_db()
    assert newcomer.user is not None and newcomer.user.email == "new@example.org"
    assert [m.to for m in mail.outbox] == [["new@example.org"]]


def test_invitation_does_not_adopt_an_account_that_belongs_to_someone_else(world):
    """A new person carrying the address of an account that already has its person
    is not attached to that account and no link is sent."""
    Person.objects.filter(pk=world.people["participant"].pk).update(email="moved@example.org")
    impostor = Person.objects.create(
        name="Impostor", email="participant@example.org", languages=["en"]
    )
    assert send_sign_in_link(impostor) is False
    impostor.refresh_from_db()
    assert impostor.user_id is None
    assert mail.outbox == []


def test_invitation_attaches_an_account_that_has_no_person_yet(world):
    """An account made by `createsuperuser` joins the person with its address; the link
    goes to that same address, so only its owner can use it."""
    admin = User.objects.create_superuser(
        username="boss@example.org", email="boss@example.org", password="x-long-secret"
    )
    person = Person.objects.create(name="Boss", email="boss@example.org", languages=["en"])
    assert send_sign_in_link(person) is True
    person.refresh_from_db()
    assert person.user_id == admin.pk
    assert [m.to for m in mail.outbox] == [["boss@example.org"]]


def test_superuser_with_a_person_row_gets_links_only_at_the_account_address(world, client):
    admin = User.objects.create_superuser(
        username="root@example.org", email="root@example.org", password="x-long-secret"
    )
    person = Person.objects.create(
        name="Root Admin", email="root@example.org", user=admin, languages=["en"]
    )
    world.programme.memberships.create(person=person, role="facilitator")
    Person.objects.filter(pk=person.pk).update(email="evil@example.org")

    ask_for_link(client, "evil@example.org")
    assert mail.outbox == []
    ask_for_link(client, "root@example.org")
    assert [m.to for m in mail.outbox] == [["root@example.org"]]


def test_deactivated_account_cannot_use_its_link(world, client):
    from django.urls import reverse

    token = SignInLink.issue(world.users["participant"])
    User.objects.filter(pk=world.users["participant"].pk).update(is_active=False)
    assert client.post(reverse("accounts:link", args=[token])).status_code == 410
    assert "_auth_user_id" not in client.session


def test_deactivated_account_gets_no_link(world, client):
    User.objects.filter(pk=world.users["participant"].pk).update(is_active=False)
    ask_for_link(client, "participant@example.org")
    assert mail.outbox == []


def test_a_member_never_invited_gets_a_first_link_at_their_own_address(world, client):
    from peerlearn.programmes.models import Membership

    newcomer = Person.objects.create(name="New Comer", email="new@example.org", languages=["en"])
    Membership.objects.create(person=newcomer, programme=world.programme, role="participant")
    ask_for_link(client, "New@example.org")
    newcomer.refresh_from_db()
    assert newcomer.user is not None and newcomer.user.email == "new@example.org"
    assert [m.to for m in mail.outbox] == [["new@example.org"]]


def test_a_person_in_no_programme_gets_no_first_link(world, client):
    Person.objects.create(name="Loose End", email="loose@example.org", languages=["en"])
    ask_for_link(client, "loose@example.org")
    assert mail.outbox == []
    assert not User.objects.filter(email="loose@example.org").exists()


def test_a_deactivated_account_is_not_replaced_by_a_first_link(world, client):
    from peerlearn.programmes.models import Membership

    dormant = User.objects.create_user(
        username="dormant@example.org", email="dormant@example.org", is_active=False
    )
    person = Person.objects.create(name="Dormant", email="dormant@example.org", languages=["en"])
    Membership.objects.create(person=person, programme=world.programme, role="participant")
    ask_for_link(client, "dormant@example.org")
    assert mail.outbox == []
    assert not SignInLink.objects.filter(user=dormant).exists()
