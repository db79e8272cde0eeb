"""PEERLEARN_CACHE_URL picks the cache the sign-in limits count in."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def cache_backend(**variables: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PEERLEARN_")}
    environment.update(PEERLEARN_DEBUG="true", **variables)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import peerlearn.site.settings as s; c = s.CACHES['default'];"
            " print(c['BACKEND'], c.get('LOCATION', ''))",
        ],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (None, "django.core.cache.backends.locmem.LocMemCache "),
        (
            "redis://cache:6379/1",
            "django.core.cache.backends.redis.RedisCache redis://cache:6379/1",
        ),
        ("db", "django.core.cache.backends.db.DatabaseCache peerlearn_cache"),
    ],
)
def test_cache_url_chooses_the_backend(url, expected):
    result = cache_backend(**({"PEERLEARN_CACHE_URL": url} if url else {}))
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip("\n") == expected


def test_an_unknown_cache_stops_start_up():
    result = cache_backend(PEERLEARN_CACHE_URL="memcached://somewhere")
    assert result.returncode != 0
    assert "PEERLEARN_CACHE_URL is not valid" in result.stderr


def test_the_redis_client_is_installed():
    """Django's RedisCache needs the redis package; it is a dependency."""
    import redis

    assert redis.__version__
