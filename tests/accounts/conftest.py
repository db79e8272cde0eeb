"""Fixtures for the sign-in tests."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse


@pytest.fixture(autouse=True)
def fresh_cache():
    """The link-request limiter counts in the cache: every test starts at zero."""
    cache.clear()
    yield
    cache.clear()


def link_from(message) -> str:
    """The path of the sign-in link in an e-mail."""
    match = re.search(r"https?://\S+/accounts/link/(\S+)/", message.body)
    assert match, message.body
    return reverse("accounts:link", args=[match.group(1)])


def ask_for_link(client, email: str, **extra):
    return client.post(reverse("accounts:link_request"), {"email": email}, **extra)
