"""Settings come from the environment and fail loudly on bad values."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from peerlearn.site import env

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**variables: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PEERLEARN_") and k != "DATABASE_URL"
    }
    environment.update(variables)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import peerlearn.site.settings as s; print(s.DATABASES['default']['ENGINE'])",
        ],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"PEERLEARN_DEBUG": "maybe"}, "PEERLEARN_DEBUG must be true or false"),
        (
            {"PEERLEARN_DEBUG": "true", "PEERLEARN_EMAIL_PORT": "twenty-five"},
            "PEERLEARN_EMAIL_PORT must be a whole number",
        ),
        (
            {"PEERLEARN_DEBUG": "true", "PEERLEARN_EMAIL_BACKEND": "pigeon"},
            "PEERLEARN_EMAIL_BACKEND must be one of",
        ),
        (
            {"PEERLEARN_DEBUG": "true", "PEERLEARN_SIMILARITY_BACKEND": "word2vec"},
            "PEERLEARN_SIMILARITY_BACKEND must be one of tfidf, semantic",
        ),
        (
            {"PEERLEARN_DEBUG": "true", "PEERLEARN_ROSTER_MAX_BYTES": "10"},
            "PEERLEARN_ROSTER_MAX_BYTES must be at least",
        ),
        (
            {"PEERLEARN_DEBUG": "true", "PEERLEARN_PRODUCT_MAX_BYTES": "10"},
            "PEERLEARN_PRODUCT_MAX_BYTES must be at least",
        ),
        (
            {"PEERLEARN_DEBUG": "true", "DATABASE_URL": "oracle-ish://nowhere"},
            "DATABASE_URL is not valid",
        ),
        ({}, "PEERLEARN_SECRET_KEY must be set"),
    ],
)
def test_bad_values_stop_start_up_with_the_variable_named(variables, message):
    result = load_settings(**variables)
    assert result.returncode != 0
    assert message in result.stderr


def test_database_url_selects_postgresql():
    result = load_settings(PEERLEARN_DEBUG="true", DATABASE_URL="postgres://u@127.0.0.1:5432/db")
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout


def test_sqlite_is_the_default():
    result = load_settings(PEERLEARN_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "sqlite3" in result.stdout


def test_every_setting_is_documented():
    documented = set(
        re.findall(
            r"`((?:PEERLEARN_|DATABASE_)[A-Z_]+)`", (ROOT / "docs/configuration.md").read_text()
        )
    )
    assert set(env.DOCUMENTED) <= documented, set(env.DOCUMENTED) - documented
    assert documented <= set(env.DOCUMENTED), documented - set(env.DOCUMENTED)
