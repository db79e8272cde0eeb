"""Production settings: a clean deploy check, security headers, a strong secret."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "src/peerlearn").glob("**/templates/**/*.html"))
STRONG_SECRET = "k3Jq9-ZxW2mP8vR5tY7uB1nC4dF6gH0jL_aSeQwErTyUiOpAzXsDcVfBgNhMjKl"

#: The production variables of docs/operations.md (deployment scripts set these).
PRODUCTION = {
    "PEERLEARN_SECRET_KEY": STRONG_SECRET,
    "PEERLEARN_ALLOWED_HOSTS": "peerlearn.example.org",
    "PEERLEARN_CSRF_TRUSTED_ORIGINS": "https://peerlearn.example.org",
    "PEERLEARN_SITE_URL": "https://peerlearn.example.org",
    "PEERLEARN_SECURE_COOKIES": "true",
    "PEERLEARN_SSL_REDIRECT": "true",
    "PEERLEARN_HSTS_SECONDS": "31536000",
}


def run_with(variables: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a fresh process: settings read the environment at import."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PEERLEARN_", "DJANGO_")) and k != "DATABASE_URL"
    }
    environment.update(variables)
    return subprocess.run(
        [sys.executable, "-m", "peerlearn.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


def test_deploy_check_is_clean_with_the_documented_production_variables(tmp_path):
    result = run_with(
        {**PRODUCTION, "PEERLEARN_DATA_DIR": str(tmp_path)},
        "manage",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_operations_page_lists_the_production_variables():
    operations = (ROOT / "docs/operations.md").read_text()
    for name in PRODUCTION:
        assert f"export {name}=" in operations or f" {name}=" in operations, name


def test_deploy_check_warns_without_hsts_and_ssl_redirect(tmp_path):
    variables = {k: v for k, v in PRODUCTION.items() if "HSTS" not in k and "SSL" not in k}
    result = run_with(
        {**variables, "PEERLEARN_DATA_DIR": str(tmp_path)}, "manage", "check", "--deploy"
    )
    assert "security.W004" in result.stderr
    assert "security.W008" in result.stderr


@pytest.mark.parametrize(
    "secret",
    ["short-but-set", "a" * 60, "django-insecure-" + STRONG_SECRET],
    ids=["short", "few-unique-characters", "django-insecure-prefix"],
)
def test_weak_secret_key_is_refused_at_start_up(tmp_path, secret):
    variables = {**PRODUCTION, "PEERLEARN_SECRET_KEY": secret, "PEERLEARN_DATA_DIR": str(tmp_path)}
    result = run_with(variables, "manage", "check")
    assert result.returncode != 0
    assert "PEERLEARN_SECRET_KEY is too weak" in result.stderr
    assert "Traceback" not in result.stderr


def test_security_headers_are_sent(client, settings):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert "'unsafe-inline'" not in policy
    permissions = response["Permissions-Policy"]
    assert "camera=()" in permissions and "geolocation=()" in permissions


def test_hsts_header_on_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("accounts:login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_style_block_carries_the_nonce_of_the_policy(client, world):
    client.force_login(world.users["facilitator"])
    response = client.get(reverse("intake:topics_print", args=[world.programme.slug]))
    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce, response["Content-Security-Policy"]
    assert f'<style nonce="{nonce.group(1)}">' in response.content.decode()


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "src")))
def test_templates_have_nothing_inline_the_policy_would_block(template):
    text = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"\sstyle\s*=", text), 'style="" attribute'
    assert not re.search(r"\son[a-z]+\s*=", text), "on* event handler"
    assert "javascript:" not in text
    for tag in re.findall(r"<style[^>]*>", text):
        assert 'nonce="{{ request.csp_nonce }}"' in tag, tag
