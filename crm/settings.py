"""One settings module for every environment, driven by environment variables.

Production is the default: DEBUG is off and SECRET_KEY must be set. `make run` turns the
development profile on (DJANGO_DEBUG=1) and falls back to SQLite and Celery's filesystem
transport under var/, so a newcomer needs no servers at all.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from crm.currency import CURRENCIES as _SUPPORTED_CURRENCIES

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# Commands that only read the models and sign nothing run without a key (CI and hooks call
# `makemigrations --check` with no environment); Django still refuses any use of the empty key.
KEYLESS_COMMANDS = {"makemigrations"}

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production"
elif not SECRET_KEY and not set(sys.argv[1:2]) & KEYLESS_COMMANDS:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off.")
# Rotating the key: the new one in DJANGO_SECRET_KEY, the old one here until sessions and
# password-reset links signed with it have expired (README, Security).
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "crm",
    "activities",
    "reports",
    "handover",
    "coaching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Issue 14: the language from the cookie / Accept-Language (after sessions, before common).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Issue 14: the signed-in user's own language, when their profile names one.
    "accounts.middleware.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorEnrolmentMiddleware",
    "accounts.middleware.TeamTimeZoneMiddleware",
    "accounts.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "handover.middleware.NoticePeriodMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a request that axes locked out into the lockout page or JSON (accounts.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

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
                "accounts.context_processors.navigation",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'crm.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A dead database server fails fast (requests, /healthz) instead of hanging a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    # Per-session planner settings: JIT compiles every costly report query (tens to hundreds
    # of milliseconds each, never repaid by queries this size); a larger work_mem keeps the
    # board's and the dashboards' sorts in memory.
    DATABASES["default"]["OPTIONS"].setdefault(
        "options", env.str("DATABASE_PG_OPTIONS", default="-c jit=off -c work_mem=32MB")
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# --- Sign-in (issue 12): lockout, two-factor, password reset ------------------------------
# django-axes checks every sign-in (login page, POST /api/auth/token/, the 2FA code step)
# before the password is: CRM_LOGIN_FAILURE_LIMIT failures for one username, or from one IP,
# lock that username or IP for CRM_LOGIN_LOCKOUT_MINUTES (each further try restarts the
# clock). A successful sign-in clears the username's failures (accounts.services).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("CRM_LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("CRM_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "otp"]
AXES_VERBOSE = False  # failures and lockouts are still logged (warnings), without the noise
# The client IP is REMOTE_ADDR unless the site runs behind this many reverse proxies that
# each append to X-Forwarded-For; only then is the address the last proxy saw trusted.
CRM_TRUSTED_PROXY_COUNT = env.int("CRM_TRUSTED_PROXY_COUNT", default=0)
# Roles that must use two-factor sign-in until an admin decides per role (TwoFactorPolicy).
CRM_2FA_REQUIRED_ROLES = env.list("CRM_2FA_REQUIRED_ROLES", default=[] if DEBUG else ["admin"])
OTP_TOTP_ISSUER = env.str("CRM_2FA_ISSUER", default="Sales CRM")
PASSWORD_RESET_TIMEOUT = env.int("CRM_PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list(
    "DJANGO_PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ],
)

# --- Languages and formats (issue 14) ------------------------------------------------------
# A user's language: their profile's, else the browser's (cookie, then Accept-Language), else
# English. Catalogues live in locale/ (bin/i18n.py builds them); number and date formats per
# language in crm/formats/ (1.234,50 in id, nl and nb; weeks start on Monday everywhere).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("id", "Bahasa Indonesia"),
    ("nl", "Nederlands"),
    ("nb", "Norsk bokmål"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["crm.formats"]
# Ids and numbers rendered with {{ }} stay plain; grouping is asked for (intcomma, money).
USE_THOUSAND_SEPARATOR = False
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Cache: Redis in production and tests; a file cache under var/ for the no-servers profile,
# shared by the web process and the Celery worker (import progress goes through it).
CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}

# Security: safe by default, relaxed only by the development profile.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: base.html sends the token in hx-headers, forms in a field.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Content-Security-Policy (django-csp 4): scripts only from our own static files, no inline
# script, handler or eval (htmx runs with allowEval off and no injected indicator styles,
# base.html). Styles likewise: the stylesheet only, no style attributes. The API docs page
# (Swagger UI from its CDN) widens its own policy in crm/api/urls.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="crm@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "crm.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "crm.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    # Rate limits (429), counted in the default cache. Per minute, so DRF's per-client history
    # stays short: "user" (per user) leaves a syncing client ample room (an activity batch
    # is 500 rows a request; a full 100,000-customer walk at page_size=200 takes ~2 minutes);
    # "anon" (per IP) only meets 401s and the token endpoint; "auth-token" (per IP, on
    # POST /api/auth/token/) slows password guessing.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("CRM_API_RATE_USER", default="240/min"),
        "anon": env.str("CRM_API_RATE_ANON", default="60/min"),
        "auth-token": env.str("CRM_API_RATE_TOKEN", default="10/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sales CRM API",
    "DESCRIPTION": "Customers, deals, activities, reports and handovers for sales teams.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models name a choice set "kind": each gets its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "ActivityKindEnum": "activities.choices.ActivityKind",
        "PlanKindEnum": "coaching.models.plans.PlanKind",
        "PlanChangeKindEnum": "coaching.models.plans.ChangeKind",
        "ItemOverrideKindEnum": "handover.models.ItemOverride.Kind",
    },
}

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND",
    default=f"file://{VAR_DIR / 'celery' / 'results'}"
    if CELERY_BROKER_URL.startswith("filesystem")
    else CELERY_BROKER_URL,
)
if CELERY_BROKER_URL.startswith("filesystem"):
    _queue_dir = str(VAR_DIR / "celery" / "queue")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _queue_dir,
        "data_folder_out": _queue_dir,
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Every periodic job, in one place. Each entry expires so a backlog never piles up.
CELERY_BEAT_SCHEDULE = {
    # The access log keeps CRM_ACCESS_LOG_RETENTION_DAYS (issue 12).
    "purge-access-log": {
        "task": "crm.tasks.purge_access_log",
        "schedule": crontab(minute=45, hour=3),
        "options": {"expires": 60 * 60 * 6},
    },
    # Uploaded CSV text past CRM_IMPORT_RAW_RETENTION_DAYS is blanked (issue 12).
    "delete-import-raw-texts": {
        "task": "crm.tasks.delete_import_raw_texts",
        "schedule": crontab(minute=30, hour=3),
        "options": {"expires": 60 * 60 * 6},
    },
    "recompute-key-customers": {
        "task": "crm.tasks.recompute_key_customers",
        "schedule": crontab(minute=15, hour=2),
        "options": {"expires": 60 * 60 * 6},
    },
    # Friday afternoon: remind reps whose weekly call report is not submitted (engineer C).
    "call-report-reminders": {
        "task": "activities.tasks.send_call_report_reminders",
        "schedule": crontab(day_of_week="fri", hour=14, minute=0),
        "options": {"expires": 60 * 60 * 4},
    },
    # Weekly KPI job (area 5B). Beat cannot know each team's time zone: run hourly on Sundays
    # and Mondays (beat time); each run handles the teams where it is Monday 03:00-04:00
    # local (reports.tasks docstring) and mails their managers the digest.
    "weekly-kpis-last-week": {
        "task": "reports.tasks.compute_last_week_kpis",
        "schedule": crontab(minute=5, hour="*", day_of_week="sun,mon"),
        "options": {"expires": 60 * 50},
    },
    # Late data: recompute the weeks marked stale (area 5B).
    "weekly-kpis-stale-weeks": {
        "task": "reports.tasks.recompute_stale_weeks",
        "schedule": crontab(minute=35),
        "options": {"expires": 60 * 50},
    },
    # Territories (issue 13): place new and changed customers by their team's rules nightly.
    "territories-assign-by-rules": {
        "task": "crm.tasks.assign_territories_by_rules",
        "schedule": crontab(minute=50, hour=2),
        "options": {"expires": 60 * 60 * 6},
    },
}

# --- Demo / domain knobs --------------------------------------------------------------
# The dashboard's twelve-month figures (funnel, attainment, year on year, action lists) are
# cached per set of reps for a few minutes; the stage medians behind "stuck deals" for hours.
# 0 turns a cache off. The KPI table, the trend and the call-report statuses are always live.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=300)
DASHBOARD_MEDIANS_CACHE_SECONDS = env.int("DASHBOARD_MEDIANS_CACHE_SECONDS", default=6 * 3600)
CRM_IMPORT_ASYNC_THRESHOLD = env.int("CRM_IMPORT_ASYNC_THRESHOLD", default=500)
# Days an import keeps the uploaded CSV text (it may hold personal data); results stay.
CRM_IMPORT_RAW_RETENTION_DAYS = env.int("CRM_IMPORT_RAW_RETENTION_DAYS", default=30)
# API tokens expire this many days after they are issued (issue 12).
CRM_API_TOKEN_TTL_DAYS = env.int("CRM_API_TOKEN_TTL_DAYS", default=30)
CRM_KEY_CUSTOMER_SHARE = 0.8
# The company currency (issue 14, crm.currency): new deals, quotas and commission plans get
# it, and every report sums in it (other currencies converted by the admin's rate table).
CRM_CURRENCY = env.str("CRM_CURRENCY", default="EUR").strip().upper()
if CRM_CURRENCY not in _SUPPORTED_CURRENCIES:
    raise ImproperlyConfigured(
        f"CRM_CURRENCY={CRM_CURRENCY!r} is not supported; use one of "
        f"{', '.join(sorted(_SUPPORTED_CURRENCIES))}."
    )
# The notice period (issue 12): distinct customers a departing rep may open per day, and how
# long the access log (who read, exported or imported which customer) is kept.
CRM_NOTICE_DAILY_READ_LIMIT = env.int("CRM_NOTICE_DAILY_READ_LIMIT", default=60)
CRM_ACCESS_LOG_RETENTION_DAYS = env.int("CRM_ACCESS_LOG_RETENTION_DAYS", default=400)
# At-risk reps (issue 13, reports.risk): the weekly KPI job flags a rep under the activity
# goal in MISSED of the last WINDOW weeks, quarter attainment more than MARGIN points behind
# the quarter elapsed, next quarter's pipeline under RATIO x its quota, or a key customer
# without an activity for DAYS days.
CRM_RISK_GOAL_MISSED_WEEKS = env.int("CRM_RISK_GOAL_MISSED_WEEKS", default=3)
CRM_RISK_WINDOW_WEEKS = env.int("CRM_RISK_WINDOW_WEEKS", default=4)
CRM_RISK_ATTAINMENT_MARGIN = env.float("CRM_RISK_ATTAINMENT_MARGIN", default=20.0)
CRM_RISK_COVERAGE_RATIO = env.float("CRM_RISK_COVERAGE_RATIO", default=3.0)
CRM_RISK_KEY_CUSTOMER_DAYS = env.int("CRM_RISK_KEY_CUSTOMER_DAYS", default=30)
# Recognition (issue 13, coaching.recognition): leaderboard points per activity kind for a
# team that has not set its own.
COACHING_POINTS = {
    "call": env.int("COACHING_POINTS_CALL", default=1),
    "meeting": env.int("COACHING_POINTS_MEETING", default=3),
    "visit": env.int("COACHING_POINTS_VISIT", default=5),
    "email": env.int("COACHING_POINTS_EMAIL", default=1),
    "referral": env.int("COACHING_POINTS_REFERRAL", default=4),
    "note": env.int("COACHING_POINTS_NOTE", default=0),
}
# Onboarding ramp (issue 13, coaching.ramp): the schedule a team without its own follows,
# "until week:percent" steps of the team's default goals and of the rep's quota (after the
# last step 100%).
CRM_RAMP_DEFAULT_SCHEDULE = env.str("CRM_RAMP_DEFAULT_SCHEDULE", default="3:40,6:60,9:80,12:100")
# Manager's time log (issue 13, coaching.timelog): the share (%) of a manager's logged time
# meant for coaching, for a team that has not set its own.
CRM_COACHING_TARGET_SHARE = env.int("CRM_COACHING_TARGET_SHARE", default=40)
