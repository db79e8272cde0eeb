"""An API client per persona, signed in with a token as scripts are."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from peerlearn.api.models import ApiToken


def token_for(user, **fields):
    fields.setdefault("scope", "write")
    return ApiToken.issue(user, "test", **fields)[1]


@pytest.fixture
def api():
    """``api(user, **token fields)``: a client sending that user's new token."""

    def make(user=None, keyword="Token", **fields):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"{keyword} {token_for(user, **fields)}")
        return client

    return make
