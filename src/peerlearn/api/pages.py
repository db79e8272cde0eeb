"""The signed-in user's API tokens: make one (its secret shown once), see when
each was last used, revoke one.  Made and revoked tokens are audited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from peerlearn import audit
from peerlearn.accounts.models import signed_in_user
from peerlearn.api.forms import TokenForm
from peerlearn.api.models import ApiToken
from peerlearn.programmes.permissions import visible_programmes


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None, programmes=visible_programmes(request.user))
    secret = ""
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            token, secret = ApiToken.issue(
                request.user,
                form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                programme=form.cleaned_data["programme"],
                expires_at=form.expires_at(),
            )
            audit.record(
                "api.token_create",
                request=request,
                programme=token.programme,
                target=token,
                detail={"scope": token.scope, "expires": str(token.expires_at or "")},
            )
        form = TokenForm(programmes=visible_programmes(request.user))
    listed = ApiToken.objects.filter(user=signed_in_user(request)).select_related("programme")
    return render(
        request,
        "api/tokens.html",
        {"form": form, "secret": secret, "tokens": listed, "now": timezone.now()},
    )


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
