"""E-mailing single-use sign-in links to an account's own address.

A link signs in as an account, so it only ever goes to the address the
account itself holds (``User.email``), never to ``Person.email``: whoever may
edit a person's details must not be able to redirect that person's links.
Who gets a link (invitations, "e-mail me a link") is decided by the people
app (``people/invitations.py``), which knows who is in the network.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from peerlearn.accounts.models import SignInLink, User
from peerlearn.core.urls_abs import absolute_url


def mail_link(user: User, *, name: str = "", language: str = "", programme_name: str = "") -> None:
    """E-mail a fresh link to ``user.email``, addressed to ``name`` in ``language``.

    Without a name the account's own is used; without a language, the site's.
    """
    token = SignInLink.issue(user)
    url = absolute_url(reverse("accounts:link", args=[token]))
    context = {
        "name": name or user.get_full_name() or user.email,
        "url": url,
        "programme_name": programme_name,
        "hours": settings.SIGN_IN_LINK_HOURS,
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/sign_in_subject.txt", context).strip()
        body = render_to_string("accounts/email/sign_in_body.txt", context)
    send_mail(subject, body, None, [user.email])
