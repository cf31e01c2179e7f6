"""Django settings for bluebox, read from the environment (see ``.env.example``).

Defaults give the embedded set-up used by ``make run``: SQLite in WAL mode and a SQLite-backed
task queue under ``BLUEBOX_DATA_DIR``. Production sets ``BLUEBOX_ENV=production``, which makes the
secret key, the field-encryption keys and the audit key mandatory in the environment.

Importing this module has no side effect: it creates no directory and no key. ``bluebox init``
(run by ``bluebox serve``) lays out the data directory and, outside production, development keys.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from bluebox.config import datadir
from bluebox.config.env import ConfigurationError, env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("BLUEBOX_DATA_DIR", str(Path.cwd() / "var"))).resolve()
ENVIRONMENT = env_str("BLUEBOX_ENV", "development")
if ENVIRONMENT not in {"development", "production", "test"}:
    raise ConfigurationError("BLUEBOX_ENV must be development, production or test")
PRODUCTION = ENVIRONMENT == "production"

# Keys come from the environment; outside production `bluebox init` may keep development keys in
# the data directory. Importing the settings only reads: it never creates a directory or a key
# (a key generated behind the operator's back over restored data makes every identity
# unreadable). A missing key stays empty here and `bluebox init` says what to do.
_keys = {spec.env: datadir.read_key_lines(DATA_DIR, spec) for spec in datadir.ALL_KEYS}
if PRODUCTION:
    if missing := [name for name, lines in _keys.items() if not lines]:
        raise ConfigurationError(
            "BLUEBOX_ENV=production needs these keys in the environment: " + ", ".join(missing)
        )
    if any((DATA_DIR / spec.filename).exists() for spec in datadir.ALL_KEYS):
        # Production keys never sit beside the data they protect (nor in its backups).
        raise ConfigurationError(
            f"development key files found in {DATA_DIR}; in production keys come from the "
            "environment only: move them to your secret store and delete the files"
        )
#: Names of the keys that are configured nowhere (development only; `bluebox init` fills them).
MISSING_KEYS = [name for name, lines in _keys.items() if not lines]
SECRET_KEY = (_keys["BLUEBOX_SECRET_KEY"] or [""])[0]
# Fernet keys, newest first; older keys still decrypt (rotation: `bluebox keys rotate`).
FIELD_ENCRYPTION_KEYS = _keys["BLUEBOX_FIELD_KEYS"]
AUDIT_CHAIN_KEY = (_keys["BLUEBOX_AUDIT_KEY"] or [""])[0]


def _audit_keys() -> dict[int, str]:
    """Audit keys by epoch: ``BLUEBOX_AUDIT_KEY`` is epoch 1, ``BLUEBOX_AUDIT_KEYS`` adds more.

    ``BLUEBOX_AUDIT_KEYS`` is a comma-separated list of ``epoch:key``; every epoch the chain has
    used must stay configured so its entries can be verified. Outside production,
    ``bluebox audit rotate-key`` keeps the epochs it creates in the data directory instead.
    """
    keys = {1: AUDIT_CHAIN_KEY}
    for item in env_list("BLUEBOX_AUDIT_KEYS", []):
        epoch, sep, key = item.partition(":")
        if not sep or not epoch.strip().isdigit() or int(epoch) < 1 or not key.strip():
            raise ConfigurationError("BLUEBOX_AUDIT_KEYS must list epoch:key pairs (epoch >= 1)")
        keys[int(epoch)] = key.strip()
    return keys


AUDIT_KEYS = _audit_keys()
# A copy of the chain's signed tip kept outside the database: deleting or rewinding the newest
# entries (or every entry) is caught by comparing the two. Put it on another volume or host
# than the database where you can.
AUDIT_ANCHOR_PATH = Path(env_str("BLUEBOX_AUDIT_ANCHOR", str(DATA_DIR / "audit_anchor.json")))

DEBUG = env_bool("BLUEBOX_DEBUG", default=False)
ALLOWED_HOSTS = env_list("BLUEBOX_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("BLUEBOX_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "huey.contrib.djhuey",
    "bluebox.core",
    "bluebox.missions",
    "bluebox.deployment",
    "bluebox.incidents",
    "bluebox.alerts",
    "bluebox.forecasting",
    "bluebox.patrols",
    "bluebox.detention",
    "bluebox.hrddp",
    "bluebox.guide",
    "bluebox.evaluation",
    "bluebox.assessment",
    "bluebox.sharing",
    "bluebox.engagement",
    "bluebox.overview",
    "bluebox.field",
]

MIDDLEWARE = [
    "bluebox.core.monitoring.RequestMiddleware",
    # Pages, API answers and static files compressed for slow links (docs/performance.md);
    # Django's gzip pads each answer at random, against BREACH-style length guessing.
    "django.middleware.gzip.GZipMiddleware",
    "bluebox.core.staticfiles.LongCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "bluebox.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "bluebox.core.middleware.PreferredLanguageMiddleware",
    "bluebox.core.idempotency.IdempotencyMiddleware",
    "bluebox.core.middleware.SessionTimeoutMiddleware",
    "bluebox.core.middleware.PasswordChangeRequiredMiddleware",
    "bluebox.core.middleware.RefusalAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bluebox.config.urls"
WSGI_APPLICATION = "bluebox.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bluebox.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'bluebox.sqlite3'}"),
        conn_max_age=env_int("BLUEBOX_DB_CONN_MAX_AGE", 60, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed during a write; IMMEDIATE takes the write lock at BEGIN so
        # concurrent writers queue instead of failing half-way (the audit chain relies on it).
        # synchronous=FULL syncs the WAL at every commit: an acknowledged write survives an OS
        # crash or power loss, not only a killed process (NORMAL may lose the last commits).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["bluebox.core.auth.ThrottledModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: failures allowed per username, and per client address, in the window.
LOGIN_FAILURE_LIMIT = env_int("BLUEBOX_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("BLUEBOX_LOGIN_ADDRESS_FAILURE_LIMIT", 50, minimum=1)
LOGIN_FAILURE_WINDOW_S = env_int("BLUEBOX_LOGIN_FAILURE_WINDOW_S", 900, minimum=1)
# API tokens expire; a person asks for a new one (shown once) rather than keeping one forever.
API_TOKEN_TTL_DAYS = env_int("BLUEBOX_API_TOKEN_TTL_DAYS", 90, minimum=1)
# Second factor (core/mfa.py): after a failed code a device waits 1, 2, 4, 8... times this many
# seconds before it checks another. A step-up is good for one reveal within its lifetime.
OTP_THROTTLE_FACTOR = env_int("BLUEBOX_OTP_THROTTLE_FACTOR", 1, minimum=1)
STEP_UP_MAX_AGE_S = 300
# A request to lower a record's classification that no second person decided within this many
# days lapses (core/downgrades.py): the record keeps its marking, and the requester asks again.
DOWNGRADE_REQUEST_DAYS = env_int("BLUEBOX_DOWNGRADE_REQUEST_DAYS", 14, minimum=1)
# The WebAuthn relying party: the host name people reach bluebox by (passkeys are bound to it).
# Empty: the request's host name, which suits a single-host installation and the tests.
WEBAUTHN_RP_ID = env_str("BLUEBOX_WEBAUTHN_RP_ID", "")
# Reverse proxies (addresses or networks) whose X-Forwarded-For names the client; without them
# every client behind a proxy would share its address. Never list an address clients can reach.
TRUSTED_PROXIES = env_list("BLUEBOX_TRUSTED_PROXIES", [])
try:
    for _proxy in TRUSTED_PROXIES:
        ipaddress.ip_network(_proxy, strict=False)
except ValueError as _exc:
    raise ConfigurationError(f"BLUEBOX_TRUSTED_PROXIES: {_exc}") from _exc
# Sessions end after this long without a request, and after this long whatever happens.
SESSION_IDLE_TIMEOUT_S = env_int("BLUEBOX_SESSION_IDLE_TIMEOUT_S", 30 * 60, minimum=60)
SESSION_ABSOLUTE_TIMEOUT_S = env_int("BLUEBOX_SESSION_ABSOLUTE_TIMEOUT_S", 12 * 3600, minimum=60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_S
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("BLUEBOX_SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Production speaks HTTPS only: plain HTTP is redirected (except health and metrics, which the
# supervisor and the monitoring call on the loopback) and browsers are told to refuse HTTP for
# a year.
SECURE_SSL_REDIRECT = env_bool("BLUEBOX_SSL_REDIRECT", default=PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$", r"^metrics/?$"]
SECURE_HSTS_SECONDS = env_int(
    "BLUEBOX_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("BLUEBOX_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("BLUEBOX_HSTS_PRELOAD", default=PRODUCTION)
# Behind a proxy that ends TLS, it tells the application the request was HTTPS; set this only
# when clients cannot reach the application except through that proxy.
if env_bool("BLUEBOX_PROXY_TLS_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REDIS_URL = env_str("BLUEBOX_REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work: huey on SQLite by default (nothing to install), Redis in production.
TASKS_IMMEDIATE = env_bool("BLUEBOX_TASKS_IMMEDIATE", default=ENVIRONMENT == "test")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "bluebox",
        "url": REDIS_URL,
        "immediate": TASKS_IMMEDIATE,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "bluebox",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": TASKS_IMMEDIATE,
    }

# Every job closes (see bluebox.core.background): a running job beats every JOB_HEARTBEAT_S;
# the sweep (every JOB_SWEEP_S, in the worker holding the scheduler) re-queues once, then
# fails, a job silent for JOB_STALE_S, and enqueues again a queued job missing from the queue
# after JOB_QUEUED_GRACE_S, failing it after JOB_QUEUED_MAX_S.
JOB_HEARTBEAT_S = env_int("BLUEBOX_JOB_HEARTBEAT_S", 10, minimum=1)
JOB_STALE_S = env_int("BLUEBOX_JOB_STALE_S", 90, minimum=2)
JOB_SWEEP_S = env_int("BLUEBOX_JOB_SWEEP_S", 30, minimum=1)
JOB_QUEUED_GRACE_S = env_int("BLUEBOX_JOB_QUEUED_GRACE_S", 120, minimum=1)
JOB_QUEUED_MAX_S = env_int("BLUEBOX_JOB_QUEUED_MAX_S", 6 * 3600, minimum=60)
# A run still beating after JOB_MAX_RUN_S (or its kind's own limit) is stopped and failed.
JOB_MAX_RUN_S = env_int("BLUEBOX_JOB_MAX_RUN_S", 4 * 3600, minimum=60)
# The worker's data-segment limit: a job that needs more fails with a clear message instead of
# taking the machine's memory (0: no limit). Forecast panels beyond the cell count are refused.
WORKER_MAX_MEMORY_MB = env_int("BLUEBOX_WORKER_MAX_MEMORY_MB", 4096, minimum=0)
FORECAST_MAX_PANEL_CELLS = env_int("BLUEBOX_FORECAST_MAX_PANEL_CELLS", 5_000_000, minimum=1)
# serve restarts a worker that died, waiting at most this long between attempts.
WORKER_RESTART_MAX_DELAY_S = env_int("BLUEBOX_WORKER_RESTART_MAX_DELAY_S", 30, minimum=1)

# Monitoring: /readyz details and /metrics answer requests bearing this token, or, without a
# token, requests from the loopback interface that did not pass through a proxy.
MONITORING_TOKEN = env_str("BLUEBOX_MONITORING_TOKEN", "")
# An API write retried with the same Idempotency-Key within this long gets the first response.
IDEMPOTENCY_TTL_S = env_int("BLUEBOX_IDEMPOTENCY_TTL_S", 24 * 3600, minimum=60)
HEALTH_MIN_FREE_DISK_MB = env_int("BLUEBOX_HEALTH_MIN_FREE_DISK_MB", 500, minimum=0)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("ar", "العربية")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Serve straight from the package so `make run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
# Every {% static %} URL carries its content's digest and is cached for a year
# (core/staticfiles.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "bluebox.core.staticfiles.VersionedStaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = DEBUG

# Uploaded UCDP/ACLED files wait here until their background import ends; the web and worker
# processes must share this directory. Larger uploads are refused before anything is stored.
IMPORT_DIR = DATA_DIR / "imports"
IMPORT_MAX_BYTES = env_int("BLUEBOX_IMPORT_MAX_MB", 512, minimum=1) * 1024 * 1024

# ODK Collect's OpenRosa endpoint (assessment/openrosa.py): the largest request it accepts (the
# phone splits its attachments to fit), and whether plain HTTP is allowed (never in production:
# Basic credentials would travel in clear; a laptop demo on a local network may need it).
OPENROSA_MAX_REQUEST_BYTES = env_int("BLUEBOX_OPENROSA_MAX_MB", 10, minimum=1) * 1024 * 1024
OPENROSA_ALLOW_HTTP = env_bool("BLUEBOX_OPENROSA_ALLOW_HTTP", default=False)

# Pulls of submissions from KoBoToolbox and ODK Central (assessment/jobs.py): submissions asked
# for in one page (each page is stored in one transaction), how long one request may take, and
# the first pause before retrying a server error (doubled at each of the retries).
SURVEY_PULL_PAGE_SIZE = env_int("BLUEBOX_SURVEY_PULL_PAGE_SIZE", 100, minimum=1)
SURVEY_PULL_TIMEOUT_S = env_int("BLUEBOX_SURVEY_PULL_TIMEOUT_S", 30, minimum=1)
SURVEY_PULL_RETRIES = env_int("BLUEBOX_SURVEY_PULL_RETRIES", 4, minimum=0)
SURVEY_PULL_BACKOFF_S = 1.0
if PRODUCTION and OPENROSA_ALLOW_HTTP:
    raise ConfigurationError("BLUEBOX_OPENROSA_ALLOW_HTTP may not be set in production")

# The window every date given to bluebox must fall in (core/bounds.py applies it to every input).
# UCDP GED starts in 1989 and ACLED in 1997, so event histories need nothing earlier, and a
# forecast panel from 1989 to today stays affordable; plans and reviews look ahead a year at most.
EARLIEST_DATE = date(env_int("BLUEBOX_EARLIEST_YEAR", 1989, minimum=1900), 1, 1)
LATEST_DAYS_AHEAD = env_int("BLUEBOX_LATEST_DAYS_AHEAD", 366, minimum=1)
# Request bodies: Django's limits for forms and uploads held in memory, also applied to JSON
# bodies by core/parsers.py (a larger body is a 413 before it is parsed).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# Backups (`bluebox backup`, and the scheduled one when BLUEBOX_BACKUP_EVERY_HOURS > 0): where
# archives go and how many stay. Put the directory on another volume or host than the data;
# the keys are never written into it.
BACKUP_DIR = Path(env_str("BLUEBOX_BACKUP_DIR", str(DATA_DIR / "backups")))
BACKUP_EVERY_HOURS = env_int("BLUEBOX_BACKUP_EVERY_HOURS", 0, minimum=0)
BACKUP_KEEP = env_int("BLUEBOX_BACKUP_KEEP", 14, minimum=1)

# Optional raster tile server; without it the map shows the shipped vector boundaries only.
MAP_TILE_URL = env_str("BLUEBOX_MAP_TILE_URL", "")


def _tile_source(url: str) -> str:
    """The CSP source allowing a tile URL template such as https://{s}.tiles.example/{z}/..."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigurationError("BLUEBOX_MAP_TILE_URL must be an http(s) URL template")
    host = re.sub(r"^\{[a-z]\}\.", "*.", parts.netloc)
    if "{" in host:
        raise ConfigurationError("BLUEBOX_MAP_TILE_URL: only a {s} subdomain may vary")
    return f"{parts.scheme}://{host}"


# Scripts and styles come from this server only (no inline script, handler or style anywhere);
# images may also come from the optional tile server.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src 'self' data: {_tile_source(MAP_TILE_URL)}".strip(),
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "bluebox.core.auth.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "bluebox.core.pagination.BoundedLimitOffsetPagination",
    "DEFAULT_PARSER_CLASSES": [
        "bluebox.core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "bluebox.core.api_errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "bluebox API",
    "DESCRIPTION": "Protection of civilians for police components of peace operations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema is generated and compared in CI (`bluebox check-schema`); the deploy check
    # (`check --deploy`) is about the deployment and need not regenerate it.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    # The API takes JSON bodies (forms are accepted but not advertised): one request body per
    # operation, which generated clients need. File uploads declare multipart themselves.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    # An incident's status appears in the full record and in the list's summary rows: one name.
    "ENUM_NAME_OVERRIDES": {"IncidentStatusEnum": "bluebox.incidents.models.IncidentStatus"},
}

# Logs: one line per record on stderr, each with the request id (``X-Request-ID``); set
# BLUEBOX_LOG_FORMAT=json for one JSON object per line (for a log shipper).
LOG_FORMAT = env_str("BLUEBOX_LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ConfigurationError("BLUEBOX_LOG_FORMAT must be text or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "bluebox.core.logging.RedactSensitiveFilter"},
        "request_id": {"()": "bluebox.core.logging.RequestIdFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "bluebox.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact", "request_id"],
            "formatter": LOG_FORMAT,
        },
    },
    "root": {"handlers": ["console"], "level": env_str("BLUEBOX_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "huey": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # One line per request; WARNING hides them (the metrics count them anyway).
        "bluebox.request": {
            "handlers": ["console"],
            "level": env_str("BLUEBOX_REQUEST_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
}
