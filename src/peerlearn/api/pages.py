"""The signed-in user's API tokens: make one (its secret shown once), see when
each was last used, revoke one.  Made and revoked tokens are audited.

Decisions (docs/api.md, "Tokens")
---------------------------------
* **POST, redirect, GET.**  Making a token answers with a redirect to the
  token page, which shows the new secret once; reloading that page does not
  send the form again.
* **One token per form.**  Each form carries a one-time value (``nonce``);
  the token is stored with it under a unique constraint (user, nonce), so
  the insert itself is the claim: sending the same form again, a double
  click or two requests at once make nothing more, and the resubmission is
  shown the token page with a note.
* **The secret crosses the redirect in the session** (never in the address
  or a cookie), taken out of it by the page that shows it, and shown only
  within :data:`SHOWN_FOR` of its making.  The session store already holds
  what signs the user in, which is worth more than any of their tokens.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from peerlearn import audit
from peerlearn.accounts.models import signed_in_user
from peerlearn.api.forms import TokenForm, new_nonce
from peerlearn.api.models import ApiToken
from peerlearn.programmes.permissions import visible_programmes

#: The session key holding a new token's secret until the page shows it.
SHOWN_KEY = "api_token_new"
#: A secret left in the session longer than this is dropped, not shown.
SHOWN_FOR = timedelta(minutes=10)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    programmes = visible_programmes(request.user)
    if request.method == "POST":
        form = TokenForm(request.POST, programmes=programmes)
        if form.is_valid():
            return _make(request, form)
        form = _with_fresh_nonce(request, form, programmes)
    else:
        form = TokenForm(programmes=programmes)
    listed = ApiToken.objects.filter(user=signed_in_user(request)).select_related("programme")
    return render(
        request,
        "api/tokens.html",
        {"form": form, "secret": _take_secret(request), "tokens": listed, "now": timezone.now()},
    )


def _make(request: HttpRequest, form: TokenForm) -> HttpResponse:
    """Make the form's token, once per form; then back to the page (POST-redirect-GET)."""
    user = signed_in_user(request)
    nonce = form.cleaned_data["nonce"]
    try:
        with transaction.atomic():
            token, secret = ApiToken.issue(
                user,
                form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                programme=form.cleaned_data["programme"],
                expires_at=form.expires_at(),
                form_nonce=nonce,
            )
            audit.record(
                "api.token_create",
                request=request,
                programme=token.programme,
                target=token,
                detail={"scope": token.scope, "expires": str(token.expires_at or "")},
            )
    except IntegrityError:
        # This form was sent before (reload, back button, double click): it made
        # its token then, and makes nothing now.
        messages.info(
            request,
            _(
                "This form was already sent and made its token, listed below; nothing new "
                "was made. If you did not copy its secret, revoke it and make another."
            ),
        )
        return redirect("api:tokens")
    request.session[SHOWN_KEY] = {
        "token": token.pk,
        "secret": secret,
        "made": token.created_at.isoformat(),
    }
    return redirect("api:tokens")


def _take_secret(request: HttpRequest) -> str:
    """The new token's secret, once: taken out of the session as it is shown."""
    held = request.session.pop(SHOWN_KEY, None)
    if not isinstance(held, dict):
        return ""
    made, token_id = _moment(held.get("made")), held.get("token")
    fresh = made is not None and timezone.now() - made <= SHOWN_FOR
    mine = isinstance(token_id, int) and (
        ApiToken.objects.filter(pk=token_id, user=signed_in_user(request), revoked_at=None).exists()
    )
    return str(held.get("secret", "")) if fresh and mine else ""


def _moment(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def _with_fresh_nonce(request: HttpRequest, form: TokenForm, programmes: Any) -> TokenForm:
    """A refused form keeps what was typed; an out-of-date one (no valid nonce) gets a new one."""
    if "nonce" not in form.errors:
        return form
    data = request.POST.copy()
    data["nonce"] = new_nonce()
    messages.warning(request, _("This form was out of date: check it and send it again."))
    refreshed = TokenForm(data, programmes=programmes)
    refreshed.is_valid()
    return refreshed


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=signed_in_user(request))
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(
                "api.token_revoke", request=request, programme=token.programme, target=token
            )
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api:tokens")
