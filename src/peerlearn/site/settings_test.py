"""Settings for the test suite: the real settings with safe defaults for tests.

Environment variables still win (CI sets DATABASE_URL to PostgreSQL).
"""

import os

os.environ.setdefault("PEERLEARN_ALLOW_DEV_SECRET", "true")
os.environ.setdefault("PEERLEARN_EMAIL_BACKEND", "memory")
# Cron-job tests e-mail links outside a request (tests/people/test_links.py empties it).
os.environ.setdefault("PEERLEARN_SITE_URL", "http://testserver")
# tf-idf in tests (fast, no model to load in every worker); the multilingual
# default is tested where it is chosen (tests/matching/test_vectors.py, the
# shared backend suite in tests/engine/test_similarity.py).
os.environ.setdefault("PEERLEARN_SIMILARITY_BACKEND", "tfidf")

from peerlearn.site.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing
