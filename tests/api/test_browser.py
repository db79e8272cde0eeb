"""On a phone (390x844), in French: make a token, copy it once, revoke it."""

from __future__ import annotations

import pytest

from peerlearn.api.models import ApiToken, hash_secret
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("page", [PHONE], indirect=True, ids=["phone"])
def test_make_and_revoke_a_token_on_a_phone_in_french(world, live_server, page):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "evaluator@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_selector("text=Sign out")
    page.select_option("#language", "fr")
    page.click("form.lang button[type=submit]")
    page.wait_for_load_state()
    page.goto(live_server.url + "/accounts/api-tokens/")
    assert page.locator("h1").inner_text() == "Jetons d’API"
    page.fill("#id_name", "Tableau de bord")
    page.select_option("#id_programme", str(world.programme.pk))
    page.click("button[type=submit]:has-text('Créer le jeton')")
    page.wait_for_selector("#new-token")
    secret = page.locator("#new-token").inner_text().strip()
    token = ApiToken.objects.get(user=world.users["evaluator"])
    assert token.token_hash == hash_secret(secret) and token.read_only
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    page.goto(live_server.url + "/accounts/api-tokens/")
    assert secret not in page.content()
    with page.expect_navigation():
        page.click("button:has-text('Révoquer Tableau de bord')")
    page.wait_for_selector("text=Révoqué le")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Révoqué le" in page.locator(".tokens").inner_text()
