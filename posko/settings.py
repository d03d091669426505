"""Posko settings: one file, read from the environment (see .env.example for every name).

A fresh checkout runs with no variables set except POSKO_DEBUG=1 (bin/run sets it): SQLite in var/,
tasks in-process, local-memory cache. Production sets DATABASE_URL, CELERY_BROKER_URL, REDIS_URL, SECRET_KEY
and ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from posko.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("POSKO_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("POSKO_DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when POSKO_DEBUG is off")
    SECRET_KEY = "posko-insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "complaints",
    "evidence",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "posko.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "posko.urls"
WSGI_APPLICATION = "posko.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# --- Database: DATABASE_URL, default a SQLite file in var/ -------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'posko.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if not env_str("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default needs its folder on a fresh checkout
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite: wait for the writer lock instead of failing at once when the in-process tasks write.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Namespace: several deployments or test runs can share one Redis ---------------------------------------
# Prefixes every key Celery and the cache keep in Redis (queues, unacknowledged tasks, throttles). bin/test sets
# one per run, and each pytest-xdist worker adds its own id, so parallel runs never take each other's tasks or
# clear each other's cache.
POSKO_NAMESPACE = env_str("POSKO_NAMESPACE", "") + os.environ.get("PYTEST_XDIST_WORKER", "")

# --- Cache (tracking throttle, sessions stay in the database) ---------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": POSKO_NAMESPACE,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery: with no broker, tasks run in-process (CELERY_TASK_ALWAYS_EAGER) ------------------------------
CELERY_TASK_ALWAYS_EAGER = not env_str("CELERY_BROKER_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "memory://"
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Evidence must not be lost: a task is acknowledged only when it finished, and given back to the queue when
# the worker running it dies (Celery docs, "Should I use retry or acks_late?").
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = env_int("POSKO_WORKER_PREFETCH", 1, minimum=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a web request when the broker is down: fail fast, the sweep re-enqueues later.
# Redis gives a task whose worker died without acknowledging it back to the queue once it has been invisible
# for visibility_timeout seconds (longer than any task may run); workers look for such tasks every
# restore_interval × restore_throttle seconds (kombu.transport.redis).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "visibility_timeout": env_int("POSKO_BROKER_VISIBILITY_TIMEOUT", 900, minimum=1),
    "unacked_restore_interval": env_int("POSKO_BROKER_RESTORE_INTERVAL", 10, minimum=1),
    "unacked_restore_throttle": env_int("POSKO_BROKER_RESTORE_THROTTLE", 10, minimum=1),
}
if POSKO_NAMESPACE:
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = f"{POSKO_NAMESPACE}:"
# Queues by weight: quick work (hashing photos, notifications, digests) never waits behind heavy work (videos,
# link archiving, bundles, recaps); the sweep has a small queue of its own. Tasks name their queue through
# CELERY_TASK_ROUTES or at the call; a worker consumes the queues given to it with -Q.
POSKO_QUEUE_QUICK = "quick"
POSKO_QUEUE_HEAVY = "heavy"
POSKO_QUEUE_SWEEP = "sweep"
POSKO_QUEUES = [POSKO_QUEUE_QUICK, POSKO_QUEUE_HEAVY, POSKO_QUEUE_SWEEP]
CELERY_TASK_DEFAULT_QUEUE = POSKO_QUEUE_QUICK
CELERY_TASK_ROUTES = {
    "evidence.sweep": {"queue": POSKO_QUEUE_SWEEP},
    "evidence.cleanup_staged": {"queue": POSKO_QUEUE_SWEEP},
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TIMEZONE = "Asia/Jakarta"
# Hostile files must not hang a worker: the soft limit ends the item as failed, the hard one kills the child.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("POSKO_TASK_SOFT_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("POSKO_TASK_TIME_LIMIT", 360, minimum=1)


# --- Internationalisation: Indonesian first, English on request --------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# PRODUCT.md section 7: dates in Asia/Jakarta (WIB) unless the region's zone is known.
TIME_ZONE = "Asia/Jakarta"

# --- Static files and private evidence storage ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Evidence is never under a public URL: the storage has no base_url and no URL pattern serves MEDIA_ROOT.
# No location is given, so both storages follow MEDIA_ROOT (and tests can point it elsewhere per test).
_PRIVATE_FILES = {"file_permissions_mode": 0o640, "directory_permissions_mode": 0o750}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": _PRIVATE_FILES},
    "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": _PRIVATE_FILES},
    # Production serves collected, hashed and compressed files through WhiteNoise (run collectstatic first).
    "staticfiles": {
        "BACKEND": "posko.storage.ManifestStaticStorage"
        if env_bool("POSKO_STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
# With the manifest (production, and bin/run), WhiteNoise serves the collected, fingerprinted files with their
# gzip and brotli copies and a year-long cache; only without it does it look into the source folders.
WHITENOISE_USE_FINDERS = not env_bool("POSKO_STATIC_MANIFEST", not DEBUG)
WHITENOISE_AUTOREFRESH = DEBUG and WHITENOISE_USE_FINDERS
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR") or None

# --- Upload limits (per file, per report, counts). Bytes unless the name says otherwise. ---------------------
POSKO_MAX_FILE_BYTES = env_int("POSKO_MAX_FILE_MB", 100, minimum=1) * 1024 * 1024
POSKO_MAX_REPORT_BYTES = env_int("POSKO_MAX_REPORT_MB", 300, minimum=1) * 1024 * 1024
POSKO_MAX_FILES = env_int("POSKO_MAX_FILES", 10, minimum=1)
POSKO_MAX_LINKS = env_int("POSKO_MAX_LINKS", 10, minimum=1)
POSKO_MAX_ACCUSED = env_int("POSKO_MAX_ACCUSED", 5, minimum=1)
# Django's own cap on the non-file part of a request; files are capped by the upload handler below.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
FILE_UPLOAD_HANDLERS = [
    "evidence.uploadhandlers.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Files kept from a form that failed validation wait this long for the reporter to submit again.
POSKO_STAGED_UPLOAD_HOURS = env_int("POSKO_STAGED_UPLOAD_HOURS", 24, minimum=1)

# --- Evidence pipeline ------------------------------------------------------------------------------------------
# Files above this are refused by the pipeline too (the intake limit is POSKO_MAX_FILE_MB).
POSKO_PIPELINE_MAX_FILE_BYTES = env_int("POSKO_PIPELINE_MAX_FILE_MB", 2048, minimum=1) * 1024 * 1024
# Images (and video frames) above this many pixels are refused before decoding: pixel floods and bombs.
POSKO_MAX_IMAGE_PIXELS = env_int("POSKO_MAX_IMAGE_PIXELS", 120_000_000, minimum=1)
# Long side of viewing copies. JPEGs decode at 1/2, 1/4 or 1/8 scale while staying above half of this, so
# 1280 decodes a 12-megapixel photo at 1000×750, as cheaply as a Pillow thumbnail would.
POSKO_VIEW_MAX_PIXELS = env_int("POSKO_VIEW_MAX_PIXELS", 1280, minimum=320)
POSKO_PHASH_MAX_DISTANCE = env_int("POSKO_PHASH_MAX_DISTANCE", 6, minimum=0)
POSKO_MEDIA_TIMEOUT_SECONDS = env_int("POSKO_MEDIA_TIMEOUT_SECONDS", 30, minimum=1)
# The periodic sweep re-queues items left pending this long (the broker was down when they came in).
POSKO_SWEEP_PENDING_SECONDS = env_int("POSKO_SWEEP_PENDING_SECONDS", 60, minimum=0)
# An item that crashed or timed out a worker this many times is marked failed instead of queued again.
POSKO_PIPELINE_MAX_ATTEMPTS = env_int("POSKO_PIPELINE_MAX_ATTEMPTS", 4, minimum=1)
# Address-space cap per worker process (MB); a decoder that asks for more gets a MemoryError, not the host.
POSKO_WORKER_MEMORY_MB = env_int("POSKO_WORKER_MEMORY_MB", 3072, minimum=0)
# Optional ClamAV daemon: a Unix socket path, or host:port.
CLAMD_SOCKET = env_str("CLAMD_SOCKET")
CLAMD_TCP = env_str("CLAMD_TCP")
CLAMD_TIMEOUT = env_int("CLAMD_TIMEOUT", 60, minimum=1)
# Link archiving: fetched at once, within these bounds; private addresses only when explicitly allowed.
POSKO_ARCHIVE_LINKS = env_bool("POSKO_ARCHIVE_LINKS", True)
POSKO_ARCHIVE_MAX_BYTES = env_int("POSKO_ARCHIVE_MAX_MB", 5, minimum=1) * 1024 * 1024
POSKO_ARCHIVE_TIMEOUT_SECONDS = env_int("POSKO_ARCHIVE_TIMEOUT_SECONDS", 20, minimum=1)
POSKO_ARCHIVE_MAX_REDIRECTS = env_int("POSKO_ARCHIVE_MAX_REDIRECTS", 5, minimum=0)
POSKO_ARCHIVE_ALLOW_PRIVATE = env_bool("POSKO_ARCHIVE_ALLOW_PRIVATE", False)
POSKO_ARCHIVE_SCREENSHOTS = env_bool("POSKO_ARCHIVE_SCREENSHOTS", True)
POSKO_CHROMIUM = env_str("POSKO_CHROMIUM")

# --- Tracking throttle: failed code+PIN attempts per client address and window ---------------------------------
POSKO_TRACK_MAX_FAILURES = env_int("POSKO_TRACK_MAX_FAILURES", 5, minimum=1)
POSKO_TRACK_WINDOW_SECONDS = env_int("POSKO_TRACK_WINDOW_SECONDS", 900, minimum=1)
# Behind a reverse proxy, the number of proxies whose X-Forwarded-For entries are trusted.
POSKO_TRUSTED_PROXIES = env_int("POSKO_TRUSTED_PROXIES", 0, minimum=0)

# Mounts /bench/bare/, the reference view of bench/intake.py. Never on in production.
POSKO_BENCH_VIEWS = env_bool("POSKO_BENCH_VIEWS", False)

# Which reports a user may see (their jurisdiction); the evidence app asks this function.
POSKO_REPORT_VISIBLE = "complaints.services.access.report_visible"
# Coordinators' daily digest of overdue cases (hour, Asia/Jakarta) and referral reminders.
POSKO_DIGEST_HOUR = env_int("POSKO_DIGEST_HOUR", 7, minimum=0)

LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "complaints:home"

# --- Security -------------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and bool(env_str("ALLOWED_HOSTS")))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "posko@localhost")

# --- Forms and API ----------------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Posko API",
    "DESCRIPTION": "Public API of Posko: reference data, filing a report with evidence, tracking it.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "celery.app.trace": {"level": "WARNING"}},
}

# --- The citizens' side: step-by-step report form, drafts, resumable uploads, receipt (issue 10) ----------
# Days a report draft is kept after its last save; the beat task below removes expired ones with their files.
POSKO_DRAFT_DAYS = env_int("POSKO_DRAFT_DAYS", 7, minimum=1)
# Size of the pieces a browser sends a large file in (tus resumable uploads); a dropped connection costs at
# most one piece.
POSKO_UPLOAD_CHUNK_BYTES = env_int("POSKO_UPLOAD_CHUNK_KB", 2048, minimum=64) * 1024
# Minutes during which the receipt PDF downloaded by the filing browser still carries the PIN.
POSKO_RECEIPT_PIN_MINUTES = env_int("POSKO_RECEIPT_PIN_MINUTES", 30, minimum=0)
# Address put in e-mailed links (the resume link); empty: the address the reporter used.
POSKO_PUBLIC_URL = env_str("POSKO_PUBLIC_URL")
CELERY_TASK_ROUTES["complaints.cleanup_drafts"] = {"queue": POSKO_QUEUE_SWEEP}
CELERY_TASK_ROUTES["complaints.draft_resume_email"] = {"queue": POSKO_QUEUE_QUICK}
# Static files: fingerprinted names (collectstatic with the manifest) are cached for a year; WhiteNoise serves
# the gzip and brotli copies it made at collectstatic to browsers that accept them.
WHITENOISE_MAX_AGE = env_int("POSKO_STATIC_MAX_AGE", 60, minimum=0)

CELERY_BEAT_SCHEDULE = {
    "evidence-sweep": {
        "task": "evidence.sweep",
        "schedule": float(env_int("POSKO_SWEEP_SECONDS", 300, minimum=5)),
    },
    "staged-upload-cleanup": {"task": "evidence.cleanup_staged", "schedule": 3600.0},
    "draft-cleanup": {"task": "complaints.cleanup_drafts", "schedule": 3600.0},
    "coordinator-digest": {
        "task": "complaints.coordinator_digest",
        "schedule": crontab(hour=POSKO_DIGEST_HOUR, minute=0),
    },
    "referral-reminders": {
        "task": "complaints.referral_reminders",
        "schedule": crontab(hour=POSKO_DIGEST_HOUR, minute=5),
    },
}
