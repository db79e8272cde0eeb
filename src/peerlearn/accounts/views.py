from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from peerlearn import audit
from peerlearn.accounts.models import SignInLink, hash_token
from peerlearn.accounts.signals import link_requested
from peerlearn.accounts.throttle import client_address, link_request_allowed


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=gettext_lazy("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True})
    )


class SignInView(LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        audit.record("signin.password_login", request=self.request, target=form.get_user())
        return response


def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """Django's admin login page, with the same audit event as ours.

    The admin's own view records nothing, so a staff member signing in there
    would leave no trace: this wraps it (served at ``/admin/login/`` ahead of
    the admin's URLs) and records ``signin.password_login`` when a POST
    signed someone in. Lockout (axes) applies as on every login.
    """
    from django.contrib import admin

    signed_in_before = request.user.is_authenticated
    response = admin.site.login(request)
    if request.method == "POST" and request.user.is_authenticated and not signed_in_before:
        audit.record("signin.password_login", request=request, target=request.user)
    return response


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page axes shows instead of the login form once an address+client is locked."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "login_cooloff_minutes": settings.LOGIN_COOLOFF_MINUTES,
    }
    return render(request, "accounts/locked_out.html", context, status=429)


class LinkRequestForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail"))


@require_http_methods(["GET", "POST"])
def link_request(request: HttpRequest) -> HttpResponse:
    """Peers without a password ask for a sign-in link.

    The view does the same work whatever the address: it counts the request
    against the limits and announces it (``link_requested``: the people app
    queues a task, which looks the account up and mails the link). It never
    asks the database whether the address exists, so neither the answer nor
    its timing tells who is in the network. Over a limit the answer is the
    same, but nothing is sent.
    """
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        client = client_address(request)
        if link_request_allowed(email, client):
            link_requested.send(sender=link_request, email=email, client_address=client)
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
        if user is None or not user.is_active:  # deactivated since the link was sent
            return render(request, "accounts/link_invalid.html", status=410)
        login(request, user, backend="peerlearn.accounts.backends.EmailBackend")
        audit.record("signin.link_used", request=request, target=user)
        messages.success(request, _("Welcome! You are signed in."))
        return redirect("people:me")
    valid = SignInLink.objects.usable().filter(token_hash=hash_token(token)).exists()
    if not valid:
        return render(request, "accounts/link_invalid.html", status=410)
    return render(request, "accounts/link_confirm.html")
