"""Settings for 规划纲要任务分工督办. Environment-specific values come from the environment (BRIEF §5)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from planner.env import database_from_url, envbool, envint, envlist, envstr, envthresholds, envtimewindow

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", "false")
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Development only: DEBUG is on, so a fixed throwaway key is acceptable.
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tasks_app",
]

MIDDLEWARE = [
    "tasks_app.api.unavailable.DatabaseUnavailableMiddleware",  # first: JSON 503 for the API during a DB outage
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "tasks_app.middleware.UploadSizeLimitMiddleware",  # before CSRF: an oversize body is refused unread
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tasks_app.middleware.PasswordChangeRequiredMiddleware",  # a first password is changed before anything else
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tasks_app.middleware.SecurityHeadersMiddleware",
    "tasks_app.middleware.LoginLockoutMiddleware",
]

ROOT_URLCONF = "planner.urls"
WSGI_APPLICATION = "planner.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tasks_app" / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tasks_app.web.context_processors.capabilities",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"), base_dir=BASE_DIR)
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Every password check goes through the lockout (tasks_app/login_throttle.py, docs/security.md).
AUTHENTICATION_BACKENDS = ["tasks_app.login_throttle.ThrottledModelBackend"]
LOGIN_USERNAME_FAILURE_LIMIT = envint("LOGIN_USERNAME_FAILURE_LIMIT", "5")
LOGIN_ADDRESS_FAILURE_LIMIT = envint("LOGIN_ADDRESS_FAILURE_LIMIT", "20")
LOGIN_FAILURE_WINDOW_SECONDS = envint("LOGIN_FAILURE_WINDOW_SECONDS", "900")
LOGIN_LOCKOUT_SECONDS = envint("LOGIN_LOCKOUT_SECONDS", "900")
# API tokens: valid this many seconds after they were issued; a password change or logout revokes them.
API_TOKEN_TTL_SECONDS = envint("API_TOKEN_TTL_SECONDS", str(8 * 3600))

# The default (first) hasher is Django's PBKDF2; the demo hasher only reads and writes the random demo
# passwords, which are re-hashed with the default at their first login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "tasks_app.password_hashing.DemoPBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [  # every password a person sets: first passwords, changes
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/start/"  # tasks_app.web.landing_views.landing routes by role
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Uploads: documents to import and evidence files.
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", str(5 * 1024 * 1024))
IMPORT_RETENTION_DAYS = envint("IMPORT_RETENTION_DAYS", "30")  # console uploads and previews kept this long
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024))
# One report save may carry several files; the body as a whole is refused by its Content-Length before it
# is read (tasks_app.middleware.UploadSizeLimitMiddleware), per upload endpoint, everything else at REQUEST_MAX_BYTES.
EVIDENCE_REQUEST_MAX_BYTES = envint("EVIDENCE_REQUEST_MAX_BYTES", str(25 * 1024 * 1024))
REQUEST_MAX_BYTES = envint("REQUEST_MAX_BYTES", str(5 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # the non-file part of a body (form fields, JSON)
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger files are spooled to a temporary file, not kept in memory

UNIT_REGISTRY_PATH = Path(envstr("UNIT_REGISTRY_PATH", str(BASE_DIR / "fixtures" / "units.json")))
SEED_DOCUMENTS_DIR = Path(envstr("SEED_DOCUMENTS_DIR", str(BASE_DIR / "fixtures" / "documents")))

# Mail: .eml files under EMAIL_FILE_PATH unless SMTP is configured.
EMAIL_FILE_PATH = envstr("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = envstr("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", "25")
    EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
    EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "false")
    EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "30")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "规划督办系统 <noreply@localhost>")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

# Redis: broker and cache when REDIS_URL is set; otherwise an embedded default with no server.
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis when REDIS_URL is set, else the embedded filesystem broker (no server to install).
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# On a broker connection loss a delivery in progress finishes and records its result in the outbox (the row, not
# the broker's acknowledgement, says whether a reminder went out); cancelling it mid-send could send it twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", "600")}
else:
    from planner.celery import filesystem_broker_options

    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR)
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "false")
# Reminder retry backoff: seconds before attempt 2, 3, …; after the last one a temporarily failing row is marked failed.
REMINDER_RETRY_SCHEDULE = tuple(int(s) for s in envlist("REMINDER_RETRY_SCHEDULE", "60,300,1800,7200,21600"))
# Chat-robot webhook posts: seconds for the connection and each read (a timeout is retried like a 5xx).
REMINDER_WEBHOOK_TIMEOUT = envint("REMINDER_WEBHOOK_TIMEOUT", "10")
# A claimed row older than this belongs to a dead worker and is sent again: what one delivery can take (the SMTP or
# webhook timeout) plus a margin. A live worker renews its claim while it sends and while it records the result.
REMINDER_CLAIM_TIMEOUT = envint(
    "REMINDER_CLAIM_TIMEOUT", str(max(envint("EMAIL_TIMEOUT", "30"), REMINDER_WEBHOOK_TIMEOUT) + 60)
)
# After a receiver accepted a message, how long a worker keeps retrying (and reconnecting) to record it as sent
# when the database is unreachable: long enough to ride out a database restart or failover.
REMINDER_RECORD_RETRY = envint("REMINDER_RECORD_RETRY", "300")
# Quiet hours (local time, TIME_ZONE): reminders due in them are deferred to the window's end (the next working
# morning), never dropped. "off" disables the nightly window; weekends (Saturday, Sunday) are quiet on their own.
REMINDER_QUIET_HOURS = envtimewindow("REMINDER_QUIET_HOURS", "20:00-08:00")
REMINDER_QUIET_WEEKENDS = envbool("REMINDER_QUIET_WEEKENDS", "true")
# Traffic lights (tasks_app.rules.lights): an item without a done report turns yellow this many days before the
# cycle's due date; a plan may set its own (Plan.light_warning_days).
TRAFFIC_LIGHT_WARNING_DAYS = envint("TRAFFIC_LIGHT_WARNING_DAYS", "7")
if TRAFFIC_LIGHT_WARNING_DAYS < 0:
    raise ImproperlyConfigured(f"TRAFFIC_LIGHT_WARNING_DAYS must be 0 or more, got {TRAFFIC_LIGHT_WARNING_DAYS}")
# Office aggregates (the dashboard, the office's facet counts) are kept this many seconds between changes to the
# plans they count (tasks_app.snapshots); 0 computes them on every read. On by default only with a cache every
# process shares (Redis): a process-local cache would not hear another worker's changes.
OFFICE_SNAPSHOT_SECONDS = envint("OFFICE_SNAPSHOT_SECONDS", "600" if REDIS_URL else "0")
if OFFICE_SNAPSHOT_SECONDS < 0:
    raise ImproperlyConfigured(f"OFFICE_SNAPSHOT_SECONDS must be 0 or more, got {OFFICE_SNAPSHOT_SECONDS}")
# The cyclic garbage collector's thresholds in web and worker processes (planner.runtime). A 500-row API page
# builds ~5,000 model instances; Python's default (700 allocations) runs a collection every few rows and the
# full ones walk the whole loaded application: measured at 2x that page's time (docs/performance.md).
GC_THRESHOLDS = envthresholds("GC_THRESHOLDS", "50000,20,100")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tasks_app.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tasks_app.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "规划纲要任务分工督办 API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The map of the API (console paths included) is for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI assets come from drf-spectacular-sidecar's static files: no CDN (offline machines).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "tasks_app.models.Report.Status",
        "CycleStatusEnum": "tasks_app.models.ReportingCycle.Status",
        "ContributionStatusEnum": "tasks_app.models.Contribution.Status",
        "ImportJobStatusEnum": "tasks_app.models.ImportJob.Status",
        "WorkflowRequestKindEnum": "tasks_app.models.WorkflowRequest.Kind",
        "KindEnum": "tasks_app.models.WorkItem.Kind",  # the name it had before another "kind" existed
        "WorkflowRequestStatusEnum": "tasks_app.models.WorkflowRequest.Status",
    },
}

# Production hardening: on unless DEBUG is on (manage.py check --deploy stays clean).
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false" if DEBUG else "true")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the proxy checks each node over plain HTTP on the private network
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
# The proxy contract (docs/security.md): X-Forwarded-Proto and X-Forwarded-For are believed only when
# TRUSTED_PROXY names the proxy's address(es); a proxy there must overwrite both headers, never pass them on.
TRUSTED_PROXIES = tuple(envlist("TRUSTED_PROXY"))
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
}
