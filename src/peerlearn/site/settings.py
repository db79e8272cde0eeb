"""Django settings for peerlearn, all driven by environment variables (see env.py)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from peerlearn.site.env import (
    ImproperSetting,
    read_bool,
    read_choice,
    read_int,
    read_list,
    read_parsed,
    read_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(
    read_str("PEERLEARN_DATA_DIR", "var", "Folder for the SQLite database and uploaded files.")
).resolve()

DEBUG = read_bool("PEERLEARN_DEBUG", False, "Show Django's debug pages. Never in production.")
_DEV_SECRET = "insecure-development-key-change-me"  # noqa: S105 - only honoured with DEBUG on
SECRET_KEY = read_str(
    "PEERLEARN_SECRET_KEY",
    _DEV_SECRET,
    "Secret for signing sessions and links. Required in production.",
)
ALLOW_DEV_SECRET = read_bool(
    "PEERLEARN_ALLOW_DEV_SECRET",
    False,
    "Allow the built-in development secret with debug off (tests only).",
)
if SECRET_KEY == _DEV_SECRET and not (DEBUG or ALLOW_DEV_SECRET):
    raise ImproperSetting("PEERLEARN_SECRET_KEY must be set when PEERLEARN_DEBUG is off")

ALLOWED_HOSTS = read_list(
    "PEERLEARN_ALLOWED_HOSTS",
    "127.0.0.1,localhost",
    "Comma-separated host names the site answers to.",
)
CSRF_TRUSTED_ORIGINS = read_list(
    "PEERLEARN_CSRF_TRUSTED_ORIGINS",
    "",
    "Comma-separated origins (https://host) trusted for forms behind a proxy.",
)
SITE_URL = read_str(
    "PEERLEARN_SITE_URL", "http://127.0.0.1:8000", "Public address used in e-mailed links."
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "peerlearn.accounts",
    "peerlearn.people",
    "peerlearn.programmes",
    "peerlearn.intake",
    "peerlearn.matching",
    "peerlearn.surveys",
    "peerlearn.audit",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Row history records who made each change (peerlearn.audit.history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "peerlearn.site.urls"
WSGI_APPLICATION = "peerlearn.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": read_parsed(
        "DATABASE_URL",
        f"sqlite:///{DATA_DIR / 'peerlearn.sqlite3'}",
        "Database address: sqlite:///path or postgres://user@host:port/name.",
        lambda url: dj_database_url.parse(url, conn_max_age=60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["peerlearn.accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "programmes:list"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = read_str("PEERLEARN_TIME_ZONE", "UTC", "Time zone for dates shown on pages.")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "site" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Background work goes through Django's tasks API (the django-tasks backport on
# Django 5.2). "immediate" runs a task inside the request that enqueues it (the
# demo and tests); "database" queues it for `peerlearn manage db_worker`.
TASKS_BACKEND = read_choice(
    "PEERLEARN_TASKS_BACKEND",
    "immediate",
    "Where background work runs: immediate (in the request) or database (a worker).",
    ("immediate", "database"),
)
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[TASKS_BACKEND]
    }
}

EMAIL_BACKEND = read_choice(
    "PEERLEARN_EMAIL_BACKEND",
    "console",
    "Where e-mail goes: console (printed), smtp, or memory (tests).",
    ("console", "smtp", "memory"),
)
EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}[EMAIL_BACKEND]
EMAIL_HOST = read_str("PEERLEARN_EMAIL_HOST", "localhost", "SMTP server.")
EMAIL_PORT = read_int("PEERLEARN_EMAIL_PORT", 25, "SMTP port.", minimum=1)
EMAIL_HOST_USER = read_str("PEERLEARN_EMAIL_USER", "", "SMTP user name.")
EMAIL_HOST_PASSWORD = read_str("PEERLEARN_EMAIL_PASSWORD", "", "SMTP password.")
EMAIL_USE_TLS = read_bool("PEERLEARN_EMAIL_TLS", False, "Use STARTTLS with the SMTP server.")
DEFAULT_FROM_EMAIL = read_str(
    "PEERLEARN_FROM_EMAIL", "peerlearn <noreply@localhost>", "Sender address of e-mails."
)

SIGN_IN_LINK_HOURS = read_int(
    "PEERLEARN_SIGN_IN_LINK_HOURS", 72, "How long an e-mailed sign-in link stays valid.", minimum=1
)
PEERLEARN_MIN_RESPONDENTS = read_int(
    "PEERLEARN_MIN_RESPONDENTS",
    5,
    "Default minimum respondents (k) below which survey breakdowns are suppressed.",
    minimum=2,
)
SURVEY_MAX_TEXT = read_int(
    "PEERLEARN_SURVEY_MAX_TEXT",
    5000,
    "Longest text answer accepted in a survey, in characters.",
    minimum=100,
)
ROSTER_MAX_BYTES = read_int(
    "PEERLEARN_ROSTER_MAX_BYTES",
    5 * 1024 * 1024,
    "Largest roster file (CSV or XLSX) accepted, in bytes.",
    minimum=1024,
)
DATA_UPLOAD_MAX_MEMORY_SIZE = ROSTER_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = ROSTER_MAX_BYTES + 1024 * 1024

SESSION_COOKIE_SECURE = read_bool(
    "PEERLEARN_SECURE_COOKIES", False, "Send cookies over HTTPS only."
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": read_choice(
            "PEERLEARN_LOG_LEVEL",
            "WARNING",
            "How much the server logs.",
            ("DEBUG", "INFO", "WARNING", "ERROR"),
        ),
    },
}

# Surveys: XLSForm uploads.  A workbook is a zip: its directory's declared sizes
# are checked before openpyxl or pyxform unpack anything (zip bombs).
XLSFORM_MAX_UNPACKED_BYTES = read_int(
    "PEERLEARN_XLSFORM_MAX_UNPACKED_BYTES",
    50 * 1024 * 1024,
    "Most bytes an uploaded XLSForm may unpack to.",
    minimum=1024 * 1024,
)
