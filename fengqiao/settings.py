"""Django settings for Fengqiao. Everything variable comes from the environment (see .env.example)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import xstatic.pkg.leaflet
from django.utils.translation import gettext_lazy as _

from fengqiao.env import EnvError, env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("FQ_VAR_DIR", str(BASE_DIR / "var")))

# --- mode ------------------------------------------------------------------
FQ_ENV = env_str("FQ_ENV", "development")
if FQ_ENV not in {"development", "production", "test"}:
    raise EnvError(f"Environment variable FQ_ENV={FQ_ENV!r} is malformed: expected development, production or test")
PRODUCTION = FQ_ENV == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)

if PRODUCTION:
    # Fail closed: no default secret, no wildcard host.
    SECRET_KEY = env_str("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if "*" in ALLOWED_HOSTS:
        raise EnvError("Environment variable ALLOWED_HOSTS must not contain '*' in production.")
    if DEBUG:
        raise EnvError("Environment variable DEBUG must be off in production.")
else:
    SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-never-use-in-production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# Production speaks HTTPS only: redirect plain HTTP (the health check stays reachable for the balancer) and tell
# browsers to keep to HTTPS (HSTS; a year by default, FQ_HSTS_SECONDS=0 switches it off while trying TLS out).
SECURE_SSL_REDIRECT = env_bool("FQ_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz"]
SECURE_HSTS_SECONDS = env_int("FQ_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FQ_HSTS_SUBDOMAINS", False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# The big screen's map (/screen/): with no tile server (an intranet) the region outlines are the map; FQ_MAP_TILES
# is a tile URL template (https://tiles.example/{z}/{x}/{y}.png; {s} for subdomains) and FQ_MAP_ATTRIBUTION its
# credit line. Its origin is added to the images the Content-Security-Policy lets in.
FQ_MAP_TILES = env_url("FQ_MAP_TILES", "") or ""
FQ_MAP_ATTRIBUTION = env_str("FQ_MAP_ATTRIBUTION", "")
_TILE_ORIGIN = "/".join(FQ_MAP_TILES.split("/")[:3]).replace("{s}", "*") if FQ_MAP_TILES else ""

# Content-Security-Policy (django-csp): scripts come only from our own static files, never inline or eval'd
# (templates hold no <script> body and no on…= handler; tests scan them). Styles may still be inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- apps ------------------------------------------------------------------
INSTALLED_APPS = [
    "fengqiao.accounts.apps.FqAdminConfig",  # django.contrib.admin behind the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # third-party apps through configurations that only name them in the reader's language (same labels)
    "fengqiao.core.third_party_apps.RunserverNostaticConfig",
    "django.contrib.staticfiles",
    "fengqiao.core.third_party_apps.HtmxConfig",
    "fengqiao.core.third_party_apps.TemplatePartialsConfig",
    "fengqiao.core.third_party_apps.OtpConfig",
    "fengqiao.core.third_party_apps.OtpTotpConfig",
    "fengqiao.core.third_party_apps.OtpStaticConfig",
    "fengqiao.core.third_party_apps.AxesConfig",
    "fengqiao.core.third_party_apps.TasksConfig",
    "fengqiao.core.third_party_apps.TasksDbConfig",
    "fengqiao.core",
    "fengqiao.accounts",
    "fengqiao.org",
    "fengqiao.cases",
    "fengqiao.mediation",
    "fengqiao.legal",
    "fengqiao.petitions",
    "fengqiao.counselling",
    "fengqiao.commands",
    "fengqiao.leadership",
    "fengqiao.backlog",
    "fengqiao.dashboard",
    "fengqiao.warnings",
    "fengqiao.privacy",
    "fengqiao.sla",
    "fengqiao.notifications",
    "fengqiao.intake",
    "fengqiao.triage",
    "fengqiao.routing",
    "fengqiao.api",
    "fengqiao.imports",
    "fengqiao.open311",
    "fengqiao.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (below): scripts only from our own static files
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fengqiao.core.middleware.ChineseFirstLocaleMiddleware",
    "fengqiao.core.badinput.BadInputMiddleware",  # NUL or text that is not UTF-8: 400 in the interface's format
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fengqiao.accounts.session_limits.StaffSessionLimitMiddleware",  # staff: idle and absolute session limits
    "fengqiao.accounts.middleware.StaffSecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
    "fengqiao.core.errors.FriendlyNotFoundMiddleware",  # DEBUG only: our 404, not the URL list (FQ_DEBUG_404)
    "fengqiao.core.faults.FaultMiddleware",  # locked/lost database, full disk: a 503 to retry, never a trace
]

ROOT_URLCONF = "fengqiao.urls"
WSGI_APPLICATION = "fengqiao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fengqiao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fengqiao.core.context_processors.shell",
                "fengqiao.notifications.context_processors.unread",
            ],
            # {{ text|mask_pii }} everywhere: personal data written in free text (fengqiao.core.masking)
            "builtins": ["fengqiao.core.templatetags.pii"],
        },
    }
]

# --- database ----------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", None)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "fengqiao.sqlite3",
            "OPTIONS": {
                # WAL lets the web server and the worker read while one writes;
                # IMMEDIATE takes the write lock at BEGIN so two writers queue instead of failing.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background work (django-tasks) -------------------------------------------
REDIS_URL = env_url("REDIS_URL", None)
if REDIS_URL:
    INSTALLED_APPS.append("fengqiao.core.third_party_apps.RqConfig")  # django_rq, named in the reader's language
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    # rqworker must run jobs through django-tasks-rq's Job, or every task fails ("'Task' object is not callable").
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- auth --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Password policy (every form that sets a password, the admin's included): long enough, not like the account's
# name, username or phone, not a common password, not only digits. Messages in the reader's language.
FQ_PASSWORD_MIN_LENGTH = env_int("FQ_PASSWORD_MIN_LENGTH", 10)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "name", "first_name", "last_name", "email", "phone")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": FQ_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Staff must pass a second factor (TOTP) unless explicitly relaxed for a local demo.
FQ_STAFF_2FA = env_bool("FQ_STAFF_2FA", True)
if PRODUCTION and not FQ_STAFF_2FA:
    raise EnvError("Environment variable FQ_STAFF_2FA must be on in production: staff sign in with a second factor.")
OTP_TOTP_ISSUER = "Fengqiao"
# Recovery codes (django-otp static device): how many are issued at enrolment or on regeneration.
FQ_RECOVERY_CODES = env_int("FQ_RECOVERY_CODES", 10)
# Staff sessions end after this long without a request, and in any case this long after signing in;
# residents keep Django's session (SESSION_COOKIE_AGE, two weeks).
FQ_STAFF_IDLE_MINUTES = env_int("FQ_STAFF_IDLE_MINUTES", 30)
FQ_STAFF_SESSION_HOURS = env_int("FQ_STAFF_SESSION_HOURS", 10)
# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords a username is locked for an hour,
# whichever IPs the attempts came from (a distributed guess at one account is stopped) ...
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = ["username"]
# ... and one IP gets this many failed sign-ins (any usernames) before it must wait (fengqiao.accounts.views).
FQ_RATE_LOGIN_IP = env_str("FQ_RATE_LOGIN_IP", "20/h")
# axes.W006 asks for the IP in the lock-out key; here the IP has its own, larger counter (FQ_RATE_LOGIN_IP), so
# that colleagues behind one office NAT do not lock each other out after five typing mistakes.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_LOCKOUT_CALLABLE = "fengqiao.accounts.views.account_locked"  # that page in both languages, with Retry-After

# --- i18n --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "fengqiao" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "fengqiao" / "static",
    # Front-end libraries come from Python packages and are served locally (no CDN on an intranet).
    ("vendor/leaflet", xstatic.pkg.leaflet.BASE_DIR),
]
# Uploaded files live outside the web root and are only served through permission-checked views.
MEDIA_ROOT = VAR_DIR / "private-media"
STORAGES = {
    "default": {"BACKEND": "fengqiao.core.faults.CleanFileSystemStorage"},  # no half file on a full disk
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- uploads and rate limits ---------------------------------------------------------
FQ_MAX_UPLOAD_MB = env_int("FQ_MAX_UPLOAD_MB", 10)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A cache every process shares (rate limits must count across workers): Redis when configured, else the database.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "fq_cache"}}
RATELIMIT_VIEW = "fengqiao.intake.views.rate_limited"
# Public submissions per IP and per phone number (django-ratelimit rates, e.g. "10/h").
FQ_RATE_SUBMIT_IP = env_str("FQ_RATE_SUBMIT_IP", "20/h")
FQ_RATE_SUBMIT_PHONE = env_str("FQ_RATE_SUBMIT_PHONE", "5/h")
FQ_RATE_TRACK_IP = env_str("FQ_RATE_TRACK_IP", "30/h")
# Wrong guesses at one case (tracking: code + last four digits) or one booking (code + phone), from any IPs.
FQ_RATE_TRACK_CODE = env_str("FQ_RATE_TRACK_CODE", "10/h")
# The resident's own moves on one tracked case (add information, withdraw, confirm, reopen).
FQ_RATE_CASE_ACT = env_str("FQ_RATE_CASE_ACT", "20/h")
# Public look-ups of a mediation agreement's verification code, per IP.
FQ_RATE_VERIFY_IP = env_str("FQ_RATE_VERIFY_IP", "60/h")
# Verification codes sent by SMS to one number.
FQ_RATE_SMS_PHONE = env_str("FQ_RATE_SMS_PHONE", "5/h")

# --- Open311 and bulk import -------------------------------------------------------
FQ_RATE_OPEN311_IP = env_str("FQ_RATE_OPEN311_IP", "600/h")
FQ_RATE_OPEN311_KEY = env_str("FQ_RATE_OPEN311_KEY", "6000/h")
FQ_RATE_OPEN311_PHONE = env_str("FQ_RATE_OPEN311_PHONE", "30/h")  # requests POSTed for one phone number
FQ_OPEN311_DISTRICT = env_str("FQ_OPEN311_DISTRICT", "440311")  # where address-only requests go
FQ_OPEN311_CONTACT = env_str("FQ_OPEN311_CONTACT", "")
FQ_OPEN311_KEY_SERVICE = env_str("FQ_OPEN311_KEY_SERVICE", "")
FQ_IMPORT_MAX_ROWS = env_int("FQ_IMPORT_MAX_ROWS", 5000)
FQ_IMPORT_STALL_SECONDS = env_int("FQ_IMPORT_STALL_SECONDS", 120)

# --- triage models (fengqiao/triage/ml) ----------------------------------------------
# Versioned model files and their `<task>.current` pointers; `./fq setup` trains them once.
FQ_MODEL_DIR = Path(env_str("FQ_MODEL_DIR", str(VAR_DIR / "models")))
# Below this calibrated confidence a suggestion is not pre-filled: the operator is asked.
try:
    FQ_TRIAGE_MIN_CONFIDENCE = float(env_str("FQ_TRIAGE_MIN_CONFIDENCE", "0.6"))
except ValueError as exc:
    raise EnvError(f"Environment variable FQ_TRIAGE_MIN_CONFIDENCE is malformed: {exc}") from exc
if not 0.0 <= FQ_TRIAGE_MIN_CONFIDENCE <= 1.0:
    raise EnvError("Environment variable FQ_TRIAGE_MIN_CONFIDENCE must be between 0 and 1.")

# --- site ----------------------------------------------------------------------
# Demo mode (set by `./fq demo`): shows the demo's one-time codes on the 2FA page. Never in production.
FQ_DEMO = env_bool("FQ_DEMO", False)
# With DEBUG on, people still see the friendly 404; a developer who wants Django's page (URL list) sets this.
FQ_DEBUG_404 = env_bool("FQ_DEBUG_404", False)
if PRODUCTION and FQ_DEMO:
    raise EnvError("Environment variable FQ_DEMO must be off in production.")
FQ_PUBLIC_BASE_URL = env_str("FQ_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# The district whose residents the portal mainly serves: its streets head the community list when nothing
# (QR code, last demand, map) tells where the resident is.
FQ_HOME_DISTRICT = env_str("FQ_HOME_DISTRICT", "440311")

# --- notifications -------------------------------------------------------------------
# "sink" records messages without sending them (default outside production); "live" sends
# through the channels that are configured below.
FQ_NOTIFY_MODE = env_str("FQ_NOTIFY_MODE", "live" if PRODUCTION else "sink")
if FQ_NOTIFY_MODE not in {"sink", "live"}:
    raise EnvError(f"Environment variable FQ_NOTIFY_MODE={FQ_NOTIFY_MODE!r} is malformed: expected sink or live")
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "fengqiao@localhost")
FQ_SMS_WEBHOOK_URL = env_url("FQ_SMS_WEBHOOK_URL", None)
FQ_WEBHOOK_SECRET = env_str("FQ_WEBHOOK_SECRET", "" if PRODUCTION else "development-webhook-secret")
_SINK = "fengqiao.notifications.channels.SinkChannel"
if FQ_NOTIFY_MODE == "sink":
    FQ_NOTIFY_CHANNELS: dict = {"email": _SINK, "sms": _SINK}
else:
    FQ_NOTIFY_CHANNELS = {
        "email": "fengqiao.notifications.channels.EmailChannel" if EMAIL_HOST else None,
        "sms": {
            "class": "fengqiao.notifications.channels.WebhookChannel",
            "options": {"url": FQ_SMS_WEBHOOK_URL, "secret": FQ_WEBHOOK_SECRET},
        }
        if FQ_SMS_WEBHOOK_URL
        else None,
    }
# Which notices also go out by SMS (the rest stay in-app and email).
FQ_SMS_KINDS = {"deadline_overdue", "deadline_escalated", "case_dispatched_red", "command", "counselling_risk",
                "warning_red"}  # also by SMS
# An outbox message claimed by a worker that then died is sent again after this many seconds (with the same key).
FQ_OUTBOX_CLAIM_SECONDS = env_int("FQ_OUTBOX_CLAIM_SECONDS", 600)
# Partner API: hosts webhooks may be delivered to ("host" or "host:port"; none in production unless set), requests per client.
FQ_WEBHOOK_ALLOWED_HOSTS = env_list("FQ_WEBHOOK_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
FQ_API_RATE = env_str("FQ_API_RATE", "600/m")
# Days a partner API key works from its issue (or rotation); then it is refused and must be rotated.
FQ_API_KEY_DAYS = env_int("FQ_API_KEY_DAYS", 365)

# --- personal data (PIPL; fengqiao/core/crypto.py, fengqiao/privacy) ------------------------
# Fernet keys for identity numbers at rest, newest first. Rotate: put a new key first, run
# `./fq manage rotate_keys`, then remove the old one. Outside production an INSECURE fixed key is used.
try:
    from fengqiao.core.crypto import INSECURE_DEVELOPMENT_KEY, check_keys

    FQ_FIELD_KEYS = check_keys(env_list("FQ_FIELD_KEYS") if PRODUCTION
                               else env_list("FQ_FIELD_KEYS", [INSECURE_DEVELOPMENT_KEY]))
except ValueError as exc:
    raise EnvError(f"Environment variable FQ_FIELD_KEYS is malformed: {exc}") from exc
if PRODUCTION and INSECURE_DEVELOPMENT_KEY in FQ_FIELD_KEYS:
    raise EnvError("Environment variable FQ_FIELD_KEYS must not contain the development key in production.")
# Working days to answer a resident's request to see or delete their data (default 15; may only shorten it:
# fengqiao/privacy/policy.py keeps the outer limit).
FQ_PRIVACY_REQUEST_DAYS = env_int("FQ_PRIVACY_REQUEST_DAYS", 15)
if not 1 <= FQ_PRIVACY_REQUEST_DAYS <= 15:
    raise EnvError("Environment variable FQ_PRIVACY_REQUEST_DAYS must be between 1 and 15 (working days).")

# --- tamper-evident audit (fengqiao/audit) ---------------------------------------------------
# Keys of the audit hash chains and anchors, newest first (older ones still verify). Unset: derived from
# SECRET_KEY. In production set it, keep it out of database backups, and keep it when SECRET_KEY changes.
FQ_AUDIT_KEY = env_list("FQ_AUDIT_KEY", [])

# Every handler masks personal data (phone, ID, bank card numbers, plates) in the message, its arguments and
# tracebacks (fengqiao.core.masking.PersonalDataLogFilter). Django's own handlers ("django", "django.server": the
# runserver access log) are declared again here so that they carry the filter too; core/tests/test_log_masking.py
# fails if any configured handler lacks it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "personal_data": {"()": "fengqiao.core.masking.PersonalDataLogFilter"},
        "require_debug_true": {"()": "django.utils.log.RequireDebugTrue"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["personal_data"]},
        "mail_admins": {"level": "ERROR", "class": "django.utils.log.AdminEmailHandler",
                        "filters": ["require_debug_false", "personal_data"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django": {"handlers": ["mail_admins"], "level": "INFO"},  # and the root console, by propagation
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
