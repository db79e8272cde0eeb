from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from peerlearn.accounts.links import send_sign_in_link
from peerlearn.accounts.models import SignInLink, hash_token
from peerlearn.people.models import Person


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=gettext_lazy("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True})
    )


class SignInView(LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LinkRequestForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail"))


@require_http_methods(["GET", "POST"])
def link_request(request: HttpRequest) -> HttpResponse:
    """Peers without a password ask for a sign-in link.

    The answer is the same whether or not the address is known, so the page
    cannot be used to find out who is in the network.
    """
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = Person.objects.filter(email=form.cleaned_data["email"].strip().lower()).first()
        if person is not None and person.memberships.exists():
            send_sign_in_link(person)
        messages.info(
            request, _("If this address is in our network, a sign-in link is on its way.")
        )
        return redirect("accounts:login")
    return render(request, "accounts/link_request.html", {"form": form})


@require_http_methods(["GET", "POST"])
def link_redeem(request: HttpRequest, token: str) -> HttpResponse:
    """A GET only shows a button: mail scanners that open links must not use them up."""
    if request.method == "POST":
        user = SignInLink.redeem(token)
        if user is None:
            return render(request, "accounts/link_invalid.html", status=410)
        login(request, user, backend="peerlearn.accounts.backends.EmailBackend")
        messages.success(request, _("Welcome! You are signed in."))
        return redirect("people:me")
    valid = SignInLink.objects.usable().filter(token_hash=hash_token(token)).exists()
    if not valid:
        return render(request, "accounts/link_invalid.html", status=410)
    return render(request, "accounts/link_confirm.html")
