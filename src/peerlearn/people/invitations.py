"""Who in the network gets a sign-in link: invitations and "e-mail me a link".

Links go to the account's own address (``accounts/links.py``); this module
decides which account a person signs in with and answers a link request for
an address, including members who were never invited.
"""

from __future__ import annotations

from django.utils import timezone

from peerlearn.accounts.links import mail_link
from peerlearn.accounts.models import User
from peerlearn.people.models import Person


def account_for(person: Person) -> User | None:
    """The person's account, created (without a password) on first invitation.

    An existing account with the person's address is attached only if no
    other person holds it yet; otherwise None (nothing is sent), because the
    account already belongs to someone else.
    """
    if person.user_id:
        return person.user
    user = User.objects.filter(email__iexact=person.email.strip()).first()
    if user is None:
        user = User(email=person.email, username=person.email, first_name=person.name[:150])
        user.set_unusable_password()
        user.save()
    elif Person.objects.filter(user=user).exists():
        return None
    person.user = user
    person.save(update_fields=["user"])
    return user


def send_sign_in_link(person: Person, *, programme_name: str = "") -> bool:
    """Invite ``person``: e-mail a fresh single-use link to their account's address.

    Returns whether a link was sent.
    """
    user = account_for(person)
    if user is None:
        return False
    mail_to(user, person, programme_name=programme_name)
    person.invited_at = timezone.now()
    person.save(update_fields=["invited_at"])
    return True


def mail_to(user: User, person: Person | None, *, programme_name: str = "") -> None:
    """A link for ``user``, addressed to their person (name and first supported language)."""
    if person is None:
        mail_link(user, programme_name=programme_name)
        return
    mail_link(
        user,
        name=person.name,
        language=person.site_language(),
        programme_name=programme_name,
    )


def send_requested_link(email: str) -> User | None:
    """Answer "e-mail me a link": find the *account* with this address and mail it.

    Returns the account if a link was sent. Only active accounts get links.
    """
    address = email.strip()
    user = User.objects.filter(email__iexact=address).first()
    if user is None:
        return _first_link_for_member(address)
    if not user.is_active:
        return None
    mail_to(user, Person.objects.filter(user=user).first())
    return user


def _first_link_for_member(address: str) -> User | None:
    """A member who was never invited asks for a link: invite them now.

    Such a person has no account yet, so nobody's account can be redirected:
    the account is created for the address the link is mailed to, exactly as
    a facilitator's invitation would do.
    """
    person = (
        Person.objects.filter(email__iexact=address, user__isnull=True, memberships__isnull=False)
        .distinct()
        .first()
    )
    if person is None or not send_sign_in_link(person):
        return None
    return person.user
