"""The account admin: only superusers change who an account is and what it may do.

A staff member without superuser status could otherwise move an account's
address, set its password or give themselves more rights, and so sign in as
someone else (docs/privacy.md, "Who may change a person's details").
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from peerlearn.accounts.models import User

SUPERUSER_ONLY_FIELDS = (
    "username",
    "email",
    "password",
    "is_active",
    "is_staff",
    "is_superuser",
    "groups",
    "user_permissions",
    # An account that seems never used could be re-addressed by a facilitator.
    "last_login",
    "date_joined",
)


@admin.register(User)
class AccountAdmin(UserAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [f for f in SUPERUSER_ONLY_FIELDS if f not in readonly]
        return readonly

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A new account with a known password could claim a person's address.
        return bool(request.user.is_superuser) and super().has_add_permission(request)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)
