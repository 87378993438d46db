"""Settings for the CCHC portal, read from the environment.

With nothing set, the portal runs on SQLite with Celery jobs executed in-process
(`make run`). `DATABASE_URL` and `CELERY_BROKER_URL` switch it to PostgreSQL and
real workers on Redis (see README.md for every variable).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cchc_portal.lib.workdays import parse_office_hours

BASE_DIR = Path(__file__).resolve().parent.parent


def read_env_file(path: str | os.PathLike) -> None:
    """KEY=VALUE lines of a local `.env` (written by `make run`) as defaults; the environment wins.

    Only the local checkout has one: it is git- and docker-ignored, so production never reads it.
    ENV_FILE= (empty) turns it off.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return
    for line in lines:
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            os.environ.setdefault(key.strip(), value.strip().strip("'\""))


if os.environ.get("ENV_FILE", "x"):
    read_env_file(os.environ.get("ENV_FILE") or BASE_DIR / ".env")


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (a long random string) in the environment, "
            "or DJANGO_DEBUG=1 for a local development server."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # django.contrib.admin, with a site that asks two-factor users for their code (cchc_portal.admin_site).
    "cchc_portal.admin_apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "cchc_portal.third_party_apps.AxesConfig",
    "csp",
    "django_htmx",
    "django_otp",
    "cchc_portal.third_party_apps.TOTPConfig",
    "accounts",
    "audit",
    "provinces",
    "tasks",
    "indices",
    "dossiers",
    "service_index",
    "notifications",
    "reports",
    "assessments",
    "dashboards",
    "ops",
    # The project itself: project-level commands (load_demo) and the composing views.
    "cchc_portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ops.middleware.RequestLogMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cchc_portal.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # django-axes must be last (its docs).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cchc_portal.urls"
WSGI_APPLICATION = "cchc_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "cchc_portal.navigation.navigation",
                "cchc_portal.version.version",
            ],
        },
    },
]

# Database: SQLite in the checkout unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the dev server read while an in-process job writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "accounts.permissions.RolePermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))

# Brute-force protection: lock a username from one IP, never a whole office
# behind one NAT address (research notes §6).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a reverse proxy the client is the address the trusted proxies put in X-Forwarded-For
# (cchc_portal/proxy.py); a request from anywhere else is taken at its socket address.
AXES_CLIENT_IP_CALLABLE = "cchc_portal.proxy.client_ip"
# How many proxies append to X-Forwarded-For (nginx alone: 1), and the addresses they connect
# from (loopback, and Docker's private networks when nginx publishes to 127.0.0.1:8000).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1" if env_bool("BEHIND_PROXY") else "0"))
TRUSTED_PROXY_IPS = env_list("TRUSTED_PROXY_IPS", "127.0.0.0/8,::1,172.16.0.0/12,10.0.0.0/8,192.168.0.0/16")
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# Internationalisation: Vietnamese first, English available.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
# Office hours: the windows of a working day (local time, "HH:MM" pairs) in which a time limit
# stated in hours runs ("giờ làm việc"). Default 07:30-11:30 and 13:00-17:00, the usual 8-hour
# civil-service day. A procedure whose limit is in hours shows its average handling time in these
# working hours (the minutes inside the windows of Mondays to Fridays that are not holidays:
# `Dossier.handling_working_minutes`, stored when a dossier is written; docs/service_index.md).
# Environment: CCHC_OFFICE_HOURS="07:30-11:30,13:00-17:00". After a change, run
# `manage.py recompute_dossier_summaries` (nightly anyway): it refreshes the stored facts.
CCHC_OFFICE_HOURS = [tuple(window.split("-", 1)) for window in env_list("CCHC_OFFICE_HOURS", "07:30-11:30,13:00-17:00")]
try:
    parse_office_hours(CCHC_OFFICE_HOURS)
except ValueError as error:
    raise ImproperlyConfigured(f"CCHC_OFFICE_HOURS: {error}") from error
USE_I18N = True
USE_TZ = True
# Keep parsing of "5.123" a decimal; display grouping uses intcomma/floatformat "g".
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["cchc_portal.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("PLAIN_STATIC_STORAGE")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
        # collectstatic runs as root in the image and the app as another user: static files are
        # world-readable whatever FILE_UPLOAD_PERMISSIONS says about uploads.
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}
WHITENOISE_USE_FINDERS = DEBUG or env_bool("PLAIN_STATIC_STORAGE")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
# dossiers: largest accepted export, and largest unpacked size of an .xlsx (zip-bomb guard).
DOSSIER_IMPORT_MAX_BYTES = int(os.environ.get("DOSSIER_IMPORT_MAX_BYTES", str(2 * 1024**3)))
DOSSIER_IMPORT_MAX_UNCOMPRESSED = int(os.environ.get("DOSSIER_IMPORT_MAX_UNCOMPRESSED", str(2 * 1024**3)))
# "columns": CSV files go through the column-wise path (dossiers/importing/columnar.py); "rows": the row parser only.
DOSSIER_IMPORT_ENGINE = os.environ.get("DOSSIER_IMPORT_ENGINE", "columns")

# Cache: Redis when REDIS_URL is set, otherwise per-process memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, but a Redis outage degrades to uncached pages (never a 500).
            "BACKEND": "cchc_portal.cache_backends.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "cchc"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: eager (in-process) unless a broker is configured.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# No broker: jobs with a row (imports) run after the response in a daemon thread (cchc_portal/liveness.py).
JOBS_IN_BACKGROUND_THREAD = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Fail fast when the broker is down so a user's save is not held up; the
# nightly jobs catch up (tasks issue).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TIMEZONE = TIME_ZONE
# The one place where recurring jobs are scheduled (beat). Each job is also a
# management command of the same name.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # reports: open the round on a period window's last day; remind units before the internal deadline and when late.
    "reports-daily": {"task": "reports.daily", "schedule": crontab(hour=7, minute=15)},
    # tasks: mark overdue tasks and recompute every plan's figures (catches up after a broker outage);
    # reminders in office hours.
    "tasks-nightly": {"task": "tasks.nightly", "schedule": crontab(hour=0, minute=30)},
    "tasks-reminders": {"task": "tasks.send_reminders", "schedule": crontab(hour=7, minute=0)},
    # indices: catch up on rankings whose enqueue failed while the broker was down.
    "indices-compute-all-rankings": {
        "task": "indices.jobs.compute_rankings",
        "schedule": crontab(hour=2, minute=30),
    },
    # dossiers: reclassify open dossiers past their due day (and run imports left queued).
    "dossiers-refresh-overdue": {
        "task": "dossiers.jobs.refresh_overdue_dossiers_job",
        "schedule": crontab(hour=0, minute=15),
    },
    # dossiers: delete late-list export files after 7 days (the job rows stay, "expired").
    "dossiers-expire-late-exports": {
        "task": "dossiers.jobs.expire_late_exports_job",
        "schedule": crontab(hour=3, minute=10),
    },
    # ops: jobs whose worker died are finished (failed, with "run again") and jobs the broker never
    # got are sent, within minutes (cchc_portal/liveness.py); plan figures left stale by a failed
    # enqueue catch up.
    "ops-check-jobs": {"task": "ops.check_jobs", "schedule": 60.0},
    "tasks-catch-up-figures": {"task": "tasks.catch_up_figures", "schedule": 300.0},
    # ops: delete stored import uploads older than UPLOAD_RETENTION_DAYS.
    "ops-cleanup-uploads": {"task": "ops.cleanup_uploads", "schedule": crontab(hour=3, minute=0)},
    # assessments: lock the stages of scoring rounds whose deadline has passed (just after midnight).
    "assessments-lock-stages": {"task": "assessments.lock_stages", "schedule": crontab(hour=0, minute=5)},
    # service_index: the weekly Decision 766 digest to leaders and province administrators, Monday morning.
    "service-index-weekly-digest": {
        "task": "service_index.weekly_digest",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
}
# Job liveness: the running job beats every JOB_HEARTBEAT_SECONDS; silent for JOB_STALE_SECONDS = gone.
JOB_HEARTBEAT_SECONDS = int(os.environ.get("JOB_HEARTBEAT_SECONDS", "15"))
JOB_STALE_SECONDS = int(os.environ.get("JOB_STALE_SECONDS", "120"))
UPLOAD_RETENTION_DAYS = int(os.environ.get("UPLOAD_RETENTION_DAYS", "30"))
# Our JSON log lines, not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cchc-portal@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# The portal's public address, for links in e-mails (invitations).
PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
# Password reset links (e-mailed) stay valid for one day; a password change revokes them.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(24 * 3600)))
# The issuer shown in authenticator apps next to the account name.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Cổng CCHC")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "cchc_portal.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("API_USER_RATE", "100000/hour")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CCHC portal API",
    "DESCRIPTION": "Public administration reform (CCHC) portal: units, agencies, plans, indices, dossiers.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI served from our own static files (no CDN; strict CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several apps name a choice field "status"; give each enum its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "TaskStatusEnum": "tasks.models.TaskStatus",
        "DossierStatusEnum": "dossiers.models.Status",
        "ImportJobStatusEnum": "dossiers.models.JobStatus",
        "ReportStatusEnum": "reports.models.ReportStatus",
        "ReportActionEnum": "reports.models.Action",
        "PeriodKindEnum": "cchc_portal.lib.periods.PeriodKind",
    },
}

IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_USE_TRANSACTIONS = True

# Security headers. HTTPS defaults to on in production (DEBUG off); tests and
# the local server set HTTPS=0.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# The container health check calls /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Strict CSP: no inline script or style; data reaches scripts through
# json_script blocks and JSON endpoints.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # ECharts positions tooltips and labels with style attributes; <style>
        # elements and all inline script stay forbidden.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # JSON lines with request id, user, province and job id (cchc_portal/logs.py).
        "json": {"()": "cchc_portal.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

CCHC = {
    # Days before a task's deadline when the lead agency is reminded.
    "REMINDER_DAYS": [int(d) for d in env_list("REMINDER_DAYS", "7,1")],
    # Days before a reporting round's internal deadline when units that have not submitted are reminded.
    "REPORT_REMINDER_DAYS": [int(d) for d in env_list("REPORT_REMINDER_DAYS", "3,1")],
}
