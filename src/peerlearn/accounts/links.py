"""E-mailing single-use sign-in links (invitations and "e-mail me a link").

A link signs in as an account, so it only ever goes to the address the
account itself holds (``User.email``), never to ``Person.email``: whoever may
edit a person's details must not be able to redirect that person's links.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from peerlearn.accounts.models import SignInLink, User
from peerlearn.core.urls_abs import absolute_url
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
    mail_link(user, person=person, programme_name=programme_name)
    person.invited_at = timezone.now()
    person.save(update_fields=["invited_at"])
    return True


def mail_link(user: User, *, person: Person | None = None, programme_name: str = "") -> None:
    """E-mail a fresh link to ``user.email``, in the person's first supported language."""
    token = SignInLink.issue(user)
    url = absolute_url(reverse("accounts:link", args=[token]))
    context = {
        "name": person.name if person is not None else (user.get_full_name() or user.email),
        "url": url,
        "programme_name": programme_name,
        "hours": settings.SIGN_IN_LINK_HOURS,
    }
    language = person.site_language() if person is not None else settings.LANGUAGE_CODE
    with translation.override(language):
        subject = render_to_string("accounts/email/sign_in_subject.txt", context).strip()
        body = render_to_string("accounts/email/sign_in_body.txt", context)
    send_mail(subject, body, None, [user.email])


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
    person = Person.objects.filter(user=user).first()
    mail_link(user, person=person)
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
