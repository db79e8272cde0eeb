"""E-mailing single-use sign-in links (invitations and "e-mail me a link")."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from peerlearn.accounts.models import SignInLink, User
from peerlearn.people.models import Person
from peerlearn.site.urls_abs import absolute_url


def account_for(person: Person) -> User:
    """The person's account, created (without a password) on first invitation."""
    if person.user_id:
        return person.user  # type: ignore[return-value]
    user = User.objects.filter(email=person.email).first()
    if user is None:
        user = User(email=person.email, username=person.email, first_name=person.name[:150])
        user.set_unusable_password()
        user.save()
    person.user = user
    person.save(update_fields=["user"])
    return user


def send_sign_in_link(person: Person, *, programme_name: str = "") -> None:
    """E-mail ``person`` a fresh single-use link, in their first supported language."""
    user = account_for(person)
    token = SignInLink.issue(user)
    url = absolute_url(reverse("accounts:link", args=[token]))
    context = {
        "person": person,
        "url": url,
        "programme_name": programme_name,
        "hours": settings.SIGN_IN_LINK_HOURS,
    }
    with translation.override(person.site_language()):
        subject = render_to_string("accounts/email/sign_in_subject.txt", context).strip()
        body = render_to_string("accounts/email/sign_in_body.txt", context)
    send_mail(subject, body, None, [person.email])
    person.invited_at = timezone.now()
    person.save(update_fields=["invited_at"])
