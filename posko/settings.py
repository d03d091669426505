"""Posko settings: one file, read from the environment (see .env.example for every name).

A fresh checkout runs with no variables set except POSKO_DEBUG=1 (bin/run sets it): SQLite in var/,
tasks in-process, local-memory cache. Production sets DATABASE_URL, CELERY_BROKER_URL, REDIS_URL, SECRET_KEY
and ALLOWED_HOSTS.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from posko.env import env_bool, env_int, env_list, env_str, origin_of, proxy_networks
from posko.keys import FERNET, SECRET, key_ring

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
    "accounts.apps.PoskoAdminConfig",  # Django's admin, on the Admin role's own site (issue 9)
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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",  # append-only history as PostgreSQL triggers (issue 9, docs/integrity.md)
    "complaints",
    "evidence",
    "exports",
    "stats",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Issue 9, item 5: Content-Security-Policy, Permissions-Policy, and HEAD answered without a body.
    "csp.middleware.CSPMiddleware",
    "posko.middleware.SecurityHeadersMiddleware",
    # Issue 11: request ids and metrics first (they see every request); outages become 503s.
    "posko.observability.RequestIdMiddleware",
    "posko.observability.MetricsMiddleware",
    "posko.middleware.ServiceUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "posko.middleware.LanguageMiddleware",
    # NUL characters in the address or a form post are a 400 before any view looks them up (issue 9 item 7).
    "posko.middleware.HostileInputMiddleware",
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
# Behind PgBouncer in transaction pooling a cursor cannot outlive its transaction's server connection: set this
# (and DATABASE_CONN_MAX_AGE=0) so that .iterator() reads in chunks from ordinary cursors (docs/scaling.md).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS", False)
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
            # A Redis that is down or stalled must cost a request a second at most (tracking fails open).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
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
# Evidence processing picks its queue per item (evidence.services.evidence_queue_for: videos and links heavy).
CELERY_TASK_ROUTES = {
    "evidence.sweep": {"queue": POSKO_QUEUE_SWEEP},
    "evidence.cleanup_staged": {"queue": POSKO_QUEUE_SWEEP},
    "evidence.cleanup_orphans": {"queue": POSKO_QUEUE_SWEEP},
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TIMEZONE = "Asia/Jakarta"
# Hostile files must not hang a worker: the soft limit ends the item as failed, the hard one kills the child.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("POSKO_TASK_SOFT_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("POSKO_TASK_TIME_LIMIT", 360, minimum=1)

# --- Workers by kind (issue 11) ---------------------------------------------------------------------------------
# An operator starts one kind of worker per process group: POSKO_WORKER_KIND=quick|heavy|sweep celery -A posko
# worker. The kind picks the queue it consumes and its own concurrency, memory cap and time limits, so a flood of
# videos on the heavy workers never delays a photo's hash or a receipt on the quick ones. Unset ("all"): every
# queue with the POSKO_WORKER_MEMORY_MB / POSKO_TASK_* limits above (development, tests, one small machine).
POSKO_WORKER_KIND = env_str("POSKO_WORKER_KIND", "all")
if POSKO_WORKER_KIND not in ("all", *POSKO_QUEUES):
    raise ImproperlyConfigured(f"POSKO_WORKER_KIND must be one of all, {', '.join(POSKO_QUEUES)}")
_WORKER_DEFAULTS = {
    # kind: (concurrency, memory MB per process, soft time limit s, hard time limit s)
    POSKO_QUEUE_QUICK: (2, 1024, 120, 150),
    POSKO_QUEUE_HEAVY: (1, 3072, 900, 960),
    POSKO_QUEUE_SWEEP: (1, 512, 240, 300),
}
POSKO_WORKER_LIMITS = {
    kind: {
        "concurrency": env_int(f"POSKO_{kind.upper()}_CONCURRENCY", c, minimum=1),
        "memory_mb": env_int(f"POSKO_{kind.upper()}_MEMORY_MB", m, minimum=0),
        "soft_time_limit": env_int(f"POSKO_{kind.upper()}_SOFT_TIME_LIMIT", soft, minimum=1),
        "time_limit": env_int(f"POSKO_{kind.upper()}_TIME_LIMIT", hard, minimum=1),
    }
    for kind, (c, m, soft, hard) in _WORKER_DEFAULTS.items()
}
if POSKO_WORKER_KIND != "all":
    _limits = POSKO_WORKER_LIMITS[POSKO_WORKER_KIND]
    # Without -Q a worker consumes the queues of CELERY_TASK_QUEUES: just its own.
    CELERY_TASK_QUEUES = [Queue(POSKO_WORKER_KIND)]
    CELERY_TASK_CREATE_MISSING_QUEUES = True
    CELERY_WORKER_CONCURRENCY = _limits["concurrency"]
    CELERY_TASK_SOFT_TIME_LIMIT = _limits["soft_time_limit"]
    CELERY_TASK_TIME_LIMIT = _limits["time_limit"]
# A running item renews its claim every third of this; an item whose claim is older (its worker or database
# died) is queued again by the next sweep. Lease + sweep period bound how long a stuck item waits (50 s).
POSKO_CLAIM_LEASE_SECONDS = env_int("POSKO_CLAIM_LEASE_SECONDS", 30, minimum=3)
# The sweep's period, and how many items it queues per batch (it goes on batch after batch, oldest first).
POSKO_SWEEP_SECONDS = env_int("POSKO_SWEEP_SECONDS", 20, minimum=1)
POSKO_SWEEP_BATCH = env_int("POSKO_SWEEP_BATCH", 500, minimum=1)
# An item queued this long ago and still not taken up is queued again (its message was lost with the broker).
POSKO_SWEEP_REQUEUE_SECONDS = env_int("POSKO_SWEEP_REQUEUE_SECONDS", 900, minimum=1)
# Files in the evidence storage that no row names (killed runs, killed uploads) are removed after this grace
# period, by a sweep every POSKO_ORPHAN_SWEEP_SECONDS.
POSKO_ORPHAN_GRACE_SECONDS = env_int("POSKO_ORPHAN_GRACE_SECONDS", 3600, minimum=0)
POSKO_ORPHAN_SWEEP_SECONDS = env_int("POSKO_ORPHAN_SWEEP_SECONDS", 3600, minimum=10)


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
    # Local disk, each file flushed to disk before the transaction naming it commits; S3 below when set.
    "evidence": {"BACKEND": "evidence.storage.DurableFileSystemStorage", "OPTIONS": _PRIVATE_FILES},
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

# --- Evidence on object storage (issue 11) ---------------------------------------------------------------------
# With POSKO_S3_BUCKET set, evidence (originals, copies, archives, letters, bundles) lives in S3-compatible object
# storage (MinIO, Ceph, AWS) instead of MEDIA_ROOT, so web and worker nodes need no shared disk.
POSKO_S3_BUCKET = env_str("POSKO_S3_BUCKET")
POSKO_S3_ENDPOINT_URL = env_str("POSKO_S3_ENDPOINT_URL") or None  # unset: AWS itself
POSKO_S3_PUBLIC_ENDPOINT_URL = env_str(
    "POSKO_S3_PUBLIC_ENDPOINT_URL"
)  # for presigned URLs, if browsers differ
POSKO_S3_REGION = env_str("POSKO_S3_REGION", "us-east-1")
POSKO_S3_ADDRESSING_STYLE = env_str("POSKO_S3_ADDRESSING_STYLE", "path")
if POSKO_S3_ADDRESSING_STYLE not in ("path", "virtual", "auto"):
    raise ImproperlyConfigured("POSKO_S3_ADDRESSING_STYLE must be path, virtual or auto")
# Checksums botocore adds to uploads and checks on downloads (its request_checksum_calculation and
# response_checksum_validation): "when_supported", botocore's default since 1.36 (a CRC32 with every upload, sent
# over HTTPS as the trailer of an aws-chunked body), or "when_required" (only where an operation requires one).
# Stores that do not speak the new checksums refuse such uploads or, worse, keep the chunk framing as part of the
# object (s3rver 3.7 does over HTTPS; older MinIO, Ceph and other S3-compatible stores refused them:
# boto/boto3#4400, jschneier/django-storages#1482): set when_required for them. Over plain HTTP the request's
# signature covers a SHA-256 of the body either way (AWS and MinIO check it).
POSKO_S3_CHECKSUMS = env_str("POSKO_S3_CHECKSUMS", "when_supported")
if POSKO_S3_CHECKSUMS not in ("when_supported", "when_required"):
    raise ImproperlyConfigured("POSKO_S3_CHECKSUMS must be when_supported or when_required")
# Originals and archives are handed to staff streamed through Django ("stream"), or as a presigned URL of the
# object store ("presigned", S3 only) valid for POSKO_PRESIGNED_SECONDS, at most a minute.
POSKO_EVIDENCE_DOWNLOADS = env_str("POSKO_EVIDENCE_DOWNLOADS", "stream")
if POSKO_EVIDENCE_DOWNLOADS not in ("stream", "presigned"):
    raise ImproperlyConfigured("POSKO_EVIDENCE_DOWNLOADS must be stream or presigned")
POSKO_PRESIGNED_SECONDS = env_int("POSKO_PRESIGNED_SECONDS", 60, minimum=1)
if POSKO_PRESIGNED_SECONDS > 60:
    raise ImproperlyConfigured("POSKO_PRESIGNED_SECONDS may be at most 60")


def evidence_s3_storage(
    *, bucket: str, endpoint_url: str | None, access_key: str | None, secret_key: str | None
):
    """The STORAGES entry for evidence on S3-compatible object storage (tests use it with their own bucket)."""
    from botocore.config import Config

    return {
        "BACKEND": "evidence.storage.EvidenceS3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url,
            "region_name": POSKO_S3_REGION,
            "access_key": access_key,
            "secret_key": secret_key,
            "location": env_str("POSKO_S3_PREFIX").strip("/"),
            "default_acl": None,
            "file_overwrite": True,
            "querystring_auth": True,
            "querystring_expire": POSKO_PRESIGNED_SECONDS,
            # Fail fast and retry a little: a stalled object store must not hold a web request for minutes.
            "client_config": Config(
                s3={"addressing_style": POSKO_S3_ADDRESSING_STYLE},
                signature_version="s3v4",
                connect_timeout=env_int("POSKO_S3_CONNECT_TIMEOUT", 5, minimum=1),
                read_timeout=env_int("POSKO_S3_READ_TIMEOUT", 60, minimum=1),
                retries={"max_attempts": 3, "mode": "standard"},
                request_checksum_calculation=POSKO_S3_CHECKSUMS,
                response_checksum_validation=POSKO_S3_CHECKSUMS,
            ),
        },
    }


if POSKO_S3_BUCKET:
    STORAGES["evidence"] = evidence_s3_storage(
        bucket=POSKO_S3_BUCKET,
        endpoint_url=POSKO_S3_ENDPOINT_URL,
        access_key=env_str("POSKO_S3_ACCESS_KEY_ID") or None,
        secret_key=env_str("POSKO_S3_SECRET_ACCESS_KEY") or None,
    )
# Seconds a client is told to wait (Retry-After) when the database or the evidence storage is unavailable.
POSKO_RETRY_AFTER_SECONDS = env_int("POSKO_RETRY_AFTER_SECONDS", 30, minimum=1)
# /healthz/ calls a local evidence folder full (503: intake cannot work) below this many MB free.
POSKO_HEALTH_MIN_FREE_MB = env_int("POSKO_HEALTH_MIN_FREE_MB", 512, minimum=0)
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
# A worker of one kind (POSKO_WORKER_KIND) uses POSKO_<KIND>_MEMORY_MB instead.
POSKO_WORKER_MEMORY_MB = env_int("POSKO_WORKER_MEMORY_MB", 3072, minimum=0)
if POSKO_WORKER_KIND != "all":
    POSKO_WORKER_MEMORY_MB = POSKO_WORKER_LIMITS[POSKO_WORKER_KIND]["memory_mb"]
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

# --- The public doors (issue 9 item 4): reports filed per client address, and the bot check ---------------
# At most POSKO_REPORT_LIMIT reports (web form and API together) from one client address within the window;
# the next answers 429 and the web form keeps the draft. The address is read as for tracking (proxies above).
# 30 an hour: Indonesian mobile carriers put many subscribers behind one IPv4 address (carrier-grade NAT), and
# on a polling day a village's reporters may share it; a flood from one address is still slowed.
POSKO_REPORT_LIMIT = env_int("POSKO_REPORT_LIMIT", 30, minimum=1)
POSKO_REPORT_LIMIT_WINDOW_SECONDS = env_int("POSKO_REPORT_LIMIT_WINDOW_SECONDS", 3600, minimum=1)
# ALTCHA proof of work (complaints/services/botcheck.py): the browser finds a random counter below
# POSKO_BOT_CHECK_MAX_NUMBER, each try costing POSKO_BOT_CHECK_COST PBKDF2-SHA256 iterations; a challenge
# is good for POSKO_BOT_CHECK_EXPIRY_SECONDS. On average a browser derives MAX_NUMBER / 2 keys.
POSKO_BOT_CHECK_COST = env_int("POSKO_BOT_CHECK_COST", 500, minimum=1)
POSKO_BOT_CHECK_MAX_NUMBER = env_int("POSKO_BOT_CHECK_MAX_NUMBER", 2000, minimum=1)
POSKO_BOT_CHECK_EXPIRY_SECONDS = env_int("POSKO_BOT_CHECK_EXPIRY_SECONDS", 3600, minimum=60)

# --- Reporter privacy (issue 9) -------------------------------------------------------------------------------
# Key rings, newest key first (posko/keys.py): the reporter's identity fields are encrypted with
# POSKO_IDENTITY_KEYS (Fernet), looked up by equality through HMAC-SHA256 columns keyed with
# POSKO_IDENTITY_HASH_KEYS, and tracking PINs are HMACs keyed with POSKO_PIN_KEYS (never SECRET_KEY).
POSKO_IDENTITY_KEYS = key_ring("POSKO_IDENTITY_KEYS", FERNET, debug=DEBUG, var_dir=VAR_DIR)
POSKO_IDENTITY_HASH_KEYS = key_ring("POSKO_IDENTITY_HASH_KEYS", SECRET, debug=DEBUG, var_dir=VAR_DIR)
POSKO_PIN_KEYS = key_ring("POSKO_PIN_KEYS", SECRET, debug=DEBUG, var_dir=VAR_DIR)
# Tracking: after this many wrong PINs for one tracking code within the window, the code answers 429 for the
# lock time, whatever the client's address (the per-address limit above still applies too).
POSKO_TRACK_CODE_MAX_FAILURES = env_int("POSKO_TRACK_CODE_MAX_FAILURES", 10, minimum=1)
POSKO_TRACK_CODE_WINDOW_SECONDS = env_int("POSKO_TRACK_CODE_WINDOW_SECONDS", 3600, minimum=1)
POSKO_TRACK_CODE_LOCK_SECONDS = env_int("POSKO_TRACK_CODE_LOCK_SECONDS", 900, minimum=1)
# X-Forwarded-For is believed only when the connection comes from one of these addresses or networks (the
# reverse proxies); the rightmost entry that is not one of them is the client. Empty: the header is ignored.
POSKO_PROXY_ADDRESSES = proxy_networks("POSKO_PROXY_ADDRESSES")
# The old hop count cannot be turned into addresses: refuse to start rather than trust the wrong entry.
if env_str("POSKO_TRUSTED_PROXIES").strip() not in ("", "0"):
    raise ImproperlyConfigured(
        "POSKO_TRUSTED_PROXIES (a number of proxy hops) is no longer read: X-Forwarded-For is now believed "
        "only from the proxies' own addresses. Set POSKO_PROXY_ADDRESSES to them (for example "
        "POSKO_PROXY_ADDRESSES=10.0.0.5,172.16.0.0/12) and remove POSKO_TRUSTED_PROXIES."
    )
# Retention (days; 0 turns a rule off): rejected reports (spam, out of scope) are purged with their files this
# long after rejection; closed and stopped cases are archived (reporter identity erased, case kept read-only)
# this long after they ended. The sweep runs daily at POSKO_RETENTION_HOUR (Asia/Jakarta) and by
# `manage.py retention_sweep`. See complaints/services/retention.py for the rules they follow.
POSKO_RETENTION_REJECTED_DAYS = env_int("POSKO_RETENTION_REJECTED_DAYS", 90, minimum=0)
POSKO_RETENTION_CLOSED_DAYS = env_int("POSKO_RETENTION_CLOSED_DAYS", 730, minimum=0)
POSKO_RETENTION_HOUR = env_int("POSKO_RETENTION_HOUR", 2, minimum=0)

# Mounts /bench/bare/, the reference view of bench/intake.py. Never on in production.
POSKO_BENCH_VIEWS = env_bool("POSKO_BENCH_VIEWS", False)

# Which reports a user may see (their jurisdiction); the evidence app asks this function.
POSKO_REPORT_VISIBLE = "complaints.services.access.report_visible"
# Coordinators' daily digest of overdue cases (hour, Asia/Jakarta) and referral reminders.
POSKO_DIGEST_HOUR = env_int("POSKO_DIGEST_HOUR", 7, minimum=0)

# --- Statistics (issue 8) ---
# The public figures (/statistik/ and its open data) are computed at most once in this many seconds and served
# from the cache in between.
POSKO_STATS_PUBLIC_REFRESH_SECONDS = env_int("POSKO_STATS_PUBLIC_REFRESH_SECONDS", 300, minimum=1)
# The staff figures of one jurisdiction and set of filters are served from the cache; a copy older than this many
# seconds is refreshed by a task while it is served (0: computed on every request).
POSKO_STATS_STAFF_CACHE_SECONDS = env_int("POSKO_STATS_STAFF_CACHE_SECONDS", 60, minimum=0)
# How many of the staff figures' aggregate queries run at once on PostgreSQL (stats/parallel.py), each on its
# own connection: the request's and up to this many minus one more while a statistics page is computed.
POSKO_STATS_QUERY_LANES = env_int("POSKO_STATS_QUERY_LANES", 2, minimum=1)
# The statistics' covering indexes (complaints migration 0006) carry extra columns for PostgreSQL's index-only
# scans; SQLite, the embedded default, keeps their key columns and warns that it drops the rest, as intended.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

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
# Behind TLS (issue 9, item 5; docs/integrity.md): browsers are told to use HTTPS only (HSTS, a year by
# default), and a plain-HTTP request is redirected, except the health check and metrics that the container
# and the metrics collector ask for over plain HTTP inside the host.
BEHIND_TLS = not DEBUG and env_bool("SECURE_PROXY_SSL", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if BEHIND_TLS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is for whoever holds the registrable domain (bawaslu.go.id) to decide and cannot be undone
# quickly: off unless set, and its deploy warning silenced below.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", BEHIND_TLS)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^metrics$"]
SILENCED_SYSTEM_CHECKS += ["security.W021"]

# Content-Security-Policy (django-csp): scripts, styles, fonts and frames only from the portal itself, no inline
# script or style, no plugins, never framed. Pages that hand out stored files set their own, stricter policy
# (a sandbox: evidence.views, casefiles.views), which the middleware leaves as it is.
_CSP_FORM_TARGETS = [SELF]
if POSKO_EVIDENCE_DOWNLOADS == "presigned":
    # The reason form for an original answers with a redirect to the object store's presigned URL, and
    # form-action covers where a form's answer redirects to.
    _CSP_FORM_TARGETS.append(
        origin_of(POSKO_S3_PUBLIC_ENDPOINT_URL or POSKO_S3_ENDPOINT_URL or "https://*.amazonaws.com")
    )
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws form controls' arrows and checks as data: SVG images.
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": _CSP_FORM_TARGETS,
        "frame-ancestors": [NONE],
    }
}
# Features no page uses are switched off for the page and anything it embeds. The report form takes photos
# and videos as files (a phone's file picker opens its own camera app), and the place as text: no page asks
# for the camera, the microphone or the location (static/js).
POSKO_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "midi=(), accelerometer=(), gyroscope=(), magnetometer=(), display-capture=(), browsing-topics=()"
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
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
    # JSON with NUL characters, lone surrogates or a body that is not an object is a 400 (complaints/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "complaints.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
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

# --- Logs and metrics (issue 11) -----------------------------------------------------------------------------------
# Logs: plain text (bin/run) or JSON lines ("json", for a log collector), each with the request id, which a
# request's tasks carry too; a filter keeps reporters' identity out of every line (posko.observability).
POSKO_LOG_FORMAT = env_str("POSKO_LOG_FORMAT", "text")
if POSKO_LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("POSKO_LOG_FORMAT must be text or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "posko.observability.RequestIdFilter"},
        "identity": {"()": "posko.observability.IdentityFilter"},
    },
    "formatters": {
        "text": {"()": "posko.observability.MaskingFormatter", "format": "%(message)s"},
        "json": {
            "()": "posko.observability.MaskingJsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(task)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "identity"],
            "formatter": POSKO_LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "celery.app.trace": {"level": "WARNING"},
        # Every SQL query at DEBUG (with POSKO_DEBUG=1 only, Django's rule), its values masked: for debugging.
        "django.db.backends": {"level": "DEBUG" if env_bool("POSKO_LOG_SQL", False) else "INFO"},
    },
}
# Metrics (Prometheus text format) at /metrics, answered only to these addresses or networks (comma-separated);
# everyone else gets 404. Behind a proxy the client address is read as for POSKO_TRUSTED_PROXIES.
POSKO_METRICS_ALLOWED = env_list("POSKO_METRICS_ALLOWED", ["127.0.0.1/32", "::1/128"])
try:
    import ipaddress as _ipaddress

    [_ipaddress.ip_network(_net, strict=False) for _net in POSKO_METRICS_ALLOWED]
except ValueError as _exc:
    raise ImproperlyConfigured(f"POSKO_METRICS_ALLOWED: {_exc}") from None
# The exports app's model and the statuses that mean "running", counted when that app is installed.
POSKO_METRICS_EXPORT_MODEL = env_str("POSKO_METRICS_EXPORT_MODEL", "exports.Export")
POSKO_METRICS_EXPORT_RUNNING = env_list("POSKO_METRICS_EXPORT_RUNNING", ["queued", "running"])

# --- Staff accounts (issue 9): second factor, lockout, sessions, password reset, API tokens --------------------
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "knox",
    "accounts",  # last: its admin replaces the registrations of the apps above
]
# The second factor is read from the session right after the user; the session limits are checked once
# messages work (they tell why a session ended); the lockout middleware (django-axes) turns a refused sign-in
# into its 429 page, so it comes last.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "accounts.middleware.AccountSessionMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

# Lockout: per user name after POSKO_SIGNIN_MAX_FAILURES failed passwords, per client address only after
# POSKO_SIGNIN_MAX_FAILURES_PER_ADDRESS (an office shares one address); failures are forgotten
# POSKO_SIGNIN_WINDOW_SECONDS after the latest one, which is also how long a lockout lasts.
POSKO_SIGNIN_MAX_FAILURES = env_int("POSKO_SIGNIN_MAX_FAILURES", 10, minimum=1)
POSKO_SIGNIN_MAX_FAILURES_PER_ADDRESS = env_int("POSKO_SIGNIN_MAX_FAILURES_PER_ADDRESS", 100, minimum=1)
POSKO_SIGNIN_WINDOW_SECONDS = env_int("POSKO_SIGNIN_WINDOW_SECONDS", 900, minimum=1)
AXES_FAILURE_LIMIT = POSKO_SIGNIN_MAX_FAILURES
AXES_COOLOFF_TIME = dt.timedelta(seconds=POSKO_SIGNIN_WINDOW_SECONDS)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "accounts.lockout.SignInLockoutHandler"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "accounts.services.client_ip"
AXES_RESET_ON_SUCCESS = True
# Tries during a lockout do not prolong it, so the page can say when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in accounts.SignInEvent
AXES_VERBOSE = False

# Second factor: TOTP (RFC 6238) apps and single-use recovery codes, through django-otp.
OTP_TOTP_ISSUER = "Posko"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Seconds between a right password and the code, before the sign-in starts again.
POSKO_2FA_PENDING_SECONDS = env_int("POSKO_2FA_PENDING_SECONDS", 300, minimum=30)

# Sessions end after POSKO_SESSION_IDLE_SECONDS without a request, and POSKO_SESSION_MAX_SECONDS after sign-in.
SESSION_COOKIE_AGE = env_int("POSKO_SESSION_IDLE_SECONDS", 3600, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True
# Database sessions whose per-request refresh commits asynchronously (accounts/sessions.py says why).
SESSION_ENGINE = "accounts.sessions"
POSKO_SESSION_MAX_SECONDS = env_int("POSKO_SESSION_MAX_SECONDS", 12 * 3600, minimum=60)
# A password-reset link works this long (seconds).
PASSWORD_RESET_TIMEOUT = env_int("POSKO_PASSWORD_RESET_SECONDS", 3600, minimum=60)

# Staff API tokens (django-rest-knox): SHA-512 digests in the database, each with an expiry.
POSKO_API_TOKEN_MAX_DAYS = env_int("POSKO_API_TOKEN_MAX_DAYS", 90, minimum=1)
POSKO_API_TOKENS_PER_USER = env_int("POSKO_API_TOKENS_PER_USER", 10, minimum=1)
REST_KNOX = {"TOKEN_TTL": dt.timedelta(days=POSKO_API_TOKEN_MAX_DAYS), "AUTO_REFRESH": False}

# --- Staff side: errors, notices, invitations, time zones (issue 10) -----------------------------------------
# The address e-mails link to (notices to staff, invitations, a draft's resume link); empty: the address a
# request came to, or the embedded default from a task (complaints/links.py).
POSKO_SITE_URL = env_str("POSKO_SITE_URL")
# Days an invitation link to set a staff password stays valid.
POSKO_INVITE_DAYS = env_int("POSKO_INVITE_DAYS", 7, minimum=1)
# A refused form (the CSRF check) gets the friendly 403 page that says what to do, in the layout of its side.
CSRF_FAILURE_VIEW = "complaints.error_views.csrf_failure"
# A workflow conflict that no view caught answers 409 with the case's current state.
MIDDLEWARE += ["complaints.error_views.ConflictMiddleware"]
CELERY_TASK_ROUTES["complaints.answer_notify"] = {"queue": POSKO_QUEUE_QUICK}

# --- The citizens' side: step-by-step report form, drafts, resumable uploads, receipt (issue 10) ----------
# Days a report draft is kept after its last save; the beat task below removes expired ones with their files.
POSKO_DRAFT_DAYS = env_int("POSKO_DRAFT_DAYS", 7, minimum=1)
# Size of the pieces a browser sends a large file in (tus resumable uploads); a dropped connection costs at
# most one piece.
POSKO_UPLOAD_CHUNK_BYTES = env_int("POSKO_UPLOAD_CHUNK_KB", 2048, minimum=64) * 1024
# Minutes during which the receipt PDF downloaded by the filing browser still carries the PIN.
POSKO_RECEIPT_PIN_MINUTES = env_int("POSKO_RECEIPT_PIN_MINUTES", 30, minimum=0)
CELERY_TASK_ROUTES["complaints.cleanup_drafts"] = {"queue": POSKO_QUEUE_SWEEP}
CELERY_TASK_ROUTES["complaints.draft_resume_email"] = {"queue": POSKO_QUEUE_QUICK}
# Static files: fingerprinted names (collectstatic with the manifest) are cached for a year; WhiteNoise serves
# the gzip and brotli copies it made at collectstatic to browsers that accept them.
WHITENOISE_MAX_AGE = env_int("POSKO_STATIC_MAX_AGE", 60, minimum=0)

CELERY_BEAT_SCHEDULE = {
    "evidence-sweep": {"task": "evidence.sweep", "schedule": float(POSKO_SWEEP_SECONDS)},
    "staged-upload-cleanup": {"task": "evidence.cleanup_staged", "schedule": 3600.0},
    "orphan-cleanup": {"task": "evidence.cleanup_orphans", "schedule": float(POSKO_ORPHAN_SWEEP_SECONDS)},
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

# --- Exports: signed case bundles, case files, recaps (issue 8) -------------------------------------------------
# The office's Ed25519 export key, which signs every bundle's SHA256SUMS: the PEM itself, or the path of a PEM
# file (manage.py export_key_new makes one). Unset, a key is made in POSKO_EXPORT_KEY_FILE on first use.
POSKO_EXPORT_KEY = env_str("POSKO_EXPORT_KEY")
POSKO_EXPORT_KEY_FILE = Path(env_str("POSKO_EXPORT_KEY_FILE", str(VAR_DIR / "posko-export-key.pem")))
# Hours a finished export can be downloaded; the sweep removes it afterwards.
POSKO_EXPORT_TTL_HOURS = env_int("POSKO_EXPORT_TTL_HOURS", 24, minimum=1)
# Cases read per chunk by a recap (a fixed number of queries per chunk).
POSKO_EXPORT_CHUNK_ROWS = env_int("POSKO_EXPORT_CHUNK_ROWS", 2000, minimum=1)
# A build may run this long (s); one with no progress saved for POSKO_EXPORT_STALE_SECONDS is taken up again
# (its worker died), at most POSKO_EXPORT_MAX_ATTEMPTS times.
POSKO_EXPORT_SOFT_TIME_LIMIT = env_int("POSKO_EXPORT_SOFT_TIME_LIMIT", 3600, minimum=10)
POSKO_EXPORT_STALE_SECONDS = env_int("POSKO_EXPORT_STALE_SECONDS", 300, minimum=10)
POSKO_EXPORT_MAX_ATTEMPTS = env_int("POSKO_EXPORT_MAX_ATTEMPTS", 3, minimum=1)
CELERY_TASK_ROUTES.update(
    {"exports.build": {"queue": POSKO_QUEUE_HEAVY}, "exports.sweep": {"queue": POSKO_QUEUE_SWEEP}}
)
CELERY_BEAT_SCHEDULE["exports-sweep"] = {"task": "exports.sweep", "schedule": 600.0}

# --- Case files and letters (issue 8) ---------------------------------------------------------------------------
# The casefiles app sits above complaints and evidence (case-file PDFs, letters, signed scans, reporter notices).
INSTALLED_APPS.append("casefiles")
# Reporters' notices are issued by a task on the quick queue when a case moves.
CELERY_TASK_ROUTES["casefiles.notice_issue"] = {"queue": POSKO_QUEUE_QUICK}
# Largest signed scan staff may upload (PDF, JPEG or PNG), in MB.
POSKO_SCAN_MAX_BYTES = env_int("POSKO_SCAN_MAX_MB", 20, minimum=1) * 1024 * 1024
# Case files and letters are typeset by Typst in a child process (casefiles/typeset.py) with this address-space
# cap and time limit, so that the worker or web process that asked stays small and alive.
POSKO_TYPESET_MEMORY_MB = env_int("POSKO_TYPESET_MEMORY_MB", 1024, minimum=0)
POSKO_TYPESET_TIMEOUT_SECONDS = env_int("POSKO_TYPESET_TIMEOUT_SECONDS", 120, minimum=1)
# --- Retention sweep (issue 9) ---
CELERY_BEAT_SCHEDULE["retention-sweep"] = {
    "task": "complaints.retention_sweep",
    "schedule": crontab(hour=POSKO_RETENTION_HOUR, minute=30),
}
CELERY_TASK_ROUTES["complaints.retention_sweep"] = {"queue": POSKO_QUEUE_SWEEP}
# --- History chains (issue 9, docs/integrity.md): every case's event chain checked each night ---
POSKO_CHAIN_VERIFY_HOUR = env_int("POSKO_CHAIN_VERIFY_HOUR", 3, minimum=0)
CELERY_BEAT_SCHEDULE["chain-verify"] = {
    "task": "complaints.chain_verify",
    "schedule": crontab(hour=POSKO_CHAIN_VERIFY_HOUR, minute=15),
}
CELERY_TASK_ROUTES["complaints.chain_verify"] = {"queue": POSKO_QUEUE_SWEEP}
# --- Statistics (issue 8): the beat recomputes the public figures, so visitors always find them cached ---
CELERY_BEAT_SCHEDULE["stats-public-refresh"] = {
    "task": "stats.refresh_public",
    "schedule": float(POSKO_STATS_PUBLIC_REFRESH_SECONDS),
}
CELERY_TASK_ROUTES["stats.refresh_public"] = {"queue": POSKO_QUEUE_SWEEP}
CELERY_TASK_ROUTES["stats.refresh_staff"] = {"queue": POSKO_QUEUE_SWEEP}
