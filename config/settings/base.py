"""Settings shared by every environment.

Values come from the environment (django-environ); each environment module
(local, test, production) sets its own defaults before importing this one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.read_env(str(BASE_DIR / ".env"), overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-change-me")
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    # The admin site requires a verified second factor from staff when STAFF_OTP_REQUIRED is on.
    "accounts.admin_config.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_prometheus",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "phonenumber_field",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "core",
    "accounts",
    "messaging",
    "contracts",
    "billing",
    "sla",
    "privacy",
]

MIDDLEWARE = [
    # First: every log line of the request (and the tasks it sends) carries its id (core.observability).
    "core.observability.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.AuditActorMiddleware",
    # Portal pages show refusals without rule ids (core.errors.customer_facing).
    "core.middleware.CustomerFacingMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes asks: turns a locked-out login (portal, admin, API token) into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Messages shown after an action resolve their Korean particles ("{name}을(를)" → "홍길동을", core.korean).
MESSAGE_STORAGE = "core.messages.ParticleStorage"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.clock",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a check: Django calls its password_changed() after every saved password change, which
    # deletes the user's API tokens (rotation on password change).
    {"NAME": "accounts.passwords.RevokeApiTokensOnPasswordChange"},
]
# Argon2 first: new and upgraded hashes are Argon2id; the others only verify old hashes (and upgrade
# them at the next login).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# --- Login throttling and lockout (django-axes) ----------------------------------------------------
# The lockout backend goes first: a locked-out username + IP is refused before any password is hashed.
AUTHENTICATION_BACKENDS = [
    "accounts.auth_backends.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Keep failures only (they expire with the cool-off); no log of every successful login with its IP.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = env.bool("AXES_VERBOSE", default=False)  # attempts and lockouts are rows in the admin anyway
AXES_USERNAME_CALLABLE = "accounts.lockout.login_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# The client IP for lockouts, throttles and consent records: REMOTE_ADDR, or behind N trusted proxies the
# N-th address from the right of X-Forwarded-For (core.client_ip; DRF's NUM_PROXIES rule).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("API_NUM_PROXIES", default=0))
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"

# --- Staff two-factor login (django-otp, TOTP) -------------------------------------------------------
# On: the admin site asks staff for a one-time code from a confirmed TOTP device at login and refuses
# sessions without one. Production turns it on; the demo and tests leave it off.
STAFF_OTP_REQUIRED = env.bool("STAFF_OTP_REQUIRED", default=False)
OTP_TOTP_ISSUER = "TermsOps"

# --- Content-Security-Policy (django-csp) -------------------------------------------------------------
# Scripts only from our origin or inline with the request's nonce ({{ CSP_NONCE }}); inline style
# attributes are allowed (templates and the Django admin use them; they cannot run code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Korean first, English second.
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("한국어")), ("en", _("English"))]
FORMAT_MODULE_PATH = ["config.formats"]  # one date and number style per language (core/formatting.py)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site root (/favicon.ico), served by WhiteNoise in every setting.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "core.storage.PrivateFileSystemStorage"},  # random file names
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="no-reply@termsops.local")

# --- REST API -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "core.api.AutoSchema",  # names nested Input/OutputSerializers per view
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # Writes are throttled per user (per IP when anonymous); the token and reactivation endpoints have
    # their own scope ("auth"), the succession filing its own ("succession").
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.WriteRateThrottle"],
    # 0, never None: None would make DRF trust X-Forwarded-For as sent (core.client_ip).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "writes": env("API_THROTTLE_WRITES", default="120/min"),
        "auth": env("API_THROTTLE_AUTH", default="10/min"),
        "succession": env("API_THROTTLE_SUCCESSION", default="10/hour"),
        "portal_login": env("PORTAL_THROTTLE_LOGIN", default="30/min"),
    },
}
# API tokens expire this many days after they were issued (a new login issues a new one); a password
# change deletes every token of the user.
API_TOKEN_MAX_AGE_DAYS = env.int("API_TOKEN_MAX_AGE_DAYS", default=30)
SPECTACULAR_SETTINGS = {
    "TITLE": "TermsOps API",
    "DESCRIPTION": "약관 기반 고객 운영 API (Korean B2B SaaS terms-of-service operations).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name with another app's (paid messaging API).
    "ENUM_NAME_OVERRIDES": {
        "MessageKindEnum": "messaging.models.paid.MessageKind",
        "MessageSendKindEnum": "messaging.api.paid_serializers.SEND_KINDS",
        "MessageStatusEnum": "messaging.models.paid.Message.Status",
        "MessagePurposeEnum": "messaging.models.paid.MessagePurpose",
        "SenderNumberPurposeEnum": "messaging.models.paid.SenderNumber.Purpose",
        "SenderNumberStatusEnum": "messaging.models.paid.SenderNumber.Status",
        "KakaoTemplateStatusEnum": "messaging.models.paid.KakaoTemplate.Status",
        "SuccessionKindEnum": "accounts.models.SuccessionRequest.Kind",
    },
}

# --- Celery and cache -----------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# Throttle counters live in the cache: Redis whenever there is one (every process sees the same counts);
# the demo without Redis keeps them in memory.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="termsops")}
        if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
}
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# With no broker configured, jobs run in-process (demo on embedded defaults).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Input bounds (issue #14, core.fields) -----------------------------------
# Every money, count and date input (API, admin, portal, imports) is checked against these; see
# docs/robustness.md. They are sanity bounds on what a person can type, not terms (those are Policy).
INPUT_MAX_WON = env.int("INPUT_MAX_WON", default=10_000_000_000)
INPUT_MAX_COUNT = env.int("INPUT_MAX_COUNT", default=100_000)
INPUT_DATE_YEARS_BACK = env.int("INPUT_DATE_YEARS_BACK", default=10)
INPUT_DATE_YEARS_AHEAD = env.int("INPUT_DATE_YEARS_AHEAD", default=5)
# Bank statement files (BIL-7): bigger files are refused before anything is read or saved.
BANK_IMPORT_MAX_BYTES = env.int("BANK_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
BANK_IMPORT_MAX_ROWS = env.int("BANK_IMPORT_MAX_ROWS", default=10_000)

# --- Payments (BIL-7) --------------------------------------------------------
PAYMENT_GATEWAY = env("PAYMENT_GATEWAY", default="fake")  # "fake" | "portone" | "http"
# PortOne card registration in the portal (issue 18; PAYMENT_GATEWAY=portone only): the page loads the
# npm loader from our static files (static/vendor/portone), which fetches PortOne's browser SDK from
# PortOne's CDN; the SDK opens PortOne's checkout frame, which opens the PG's card window. The portal's
# card page adds these sources to its Content-Security-Policy; PORTONE_CSP_FRAME_ORIGINS adds the PG's
# frame origins where a channel's PG opens in a frame (see docs/operations.md).
PORTONE_BROWSER_CSP = {
    "script-src": ["https://cdn.portone.io"],
    "frame-src": [SELF, "https://*.portone.io", "https://*.iamport.co"],
    "connect-src": ["https://*.portone.io"],
}
PORTONE_CSP_FRAME_ORIGINS: list[str] = env.list("PORTONE_CSP_FRAME_ORIGINS", default=[])
# The daily purge (DAT-2, DAT-3) destroys data for real; on by default. The operator's kill switch: with
# it off, ``purge_data`` only counts what is due (the admin's retention calendar and ``--dry-run`` show it).
PRIVACY_PURGE_ENABLED = env.bool("PRIVACY_PURGE_ENABLED", default=True)
# The customer portal's address, prefixed to links in e-mailed notices (DAT-1 export page); "" gives paths.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="")
PAYMENT_GATEWAY_URL = env("PAYMENT_GATEWAY_URL", default="")
PAYMENT_GATEWAY_SECRET = env("PAYMENT_GATEWAY_SECRET", default="")
PAYMENT_GATEWAY_TIMEOUT = env.float("PAYMENT_GATEWAY_TIMEOUT", default=10.0)
# always | never | prefix (tokens starting with "fail") | tok1,tok2
PAYMENT_GATEWAY_FAKE_FAIL = env("PAYMENT_GATEWAY_FAKE_FAIL", default="prefix")

# --- Product --------------------------------------------------------------
# A fixed "today" for replaying jobs or demonstrating a date (YYYY-MM-DD); empty = real date.
CLOCK_TODAY = env("CLOCK_TODAY", default="")
# The ordered daily job list (core.jobs loads it by this dotted path, so core never imports config).
DAILY_JOBS = "config.jobs.JOBS"
# Extra jobs beyond config/jobs.py, as "name=module.function" (comma-separated in the
# environment); every process reads them, so a Celery worker can run a test's job.
EXTRA_JOBS: list[str] = env.list("EXTRA_JOBS", default=[])
# A running job renews its lease (JobRun.heartbeat_at) every quarter of this; a "running" run whose
# heartbeat is older is a dead worker's, and the next attempt takes it over (core.jobs).
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=60)
# Batched whole-book jobs (issue 19): the run that claims a date sends one task per batch so every worker
# shares it; on by default whenever a real broker is in use (off when tasks run eagerly, the demo).
JOB_BATCH_TASKS = env.bool("JOB_BATCH_TASKS", default=not CELERY_TASK_ALWAYS_EAGER)
# The queue those batch tasks go to (default: CELERY_TASK_DEFAULT_QUEUE).
JOB_BATCH_QUEUE = env("JOB_BATCH_QUEUE", default="")
PHONENUMBER_DEFAULT_REGION = "KR"
# The operator's own identity (the issuer), printed on invoices and tax invoices: the operator fills these
# in (the defaults are the demo company's). The account holder defaults to the company name.
OPERATOR = {
    "name": env("OPERATOR_NAME", default="주식회사 텀즈옵스"),
    "business_number": env("OPERATOR_BUSINESS_NUMBER", default="2208162517"),
    "representative": env("OPERATOR_REPRESENTATIVE", default="정하윤"),
    "address": env("OPERATOR_ADDRESS", default="서울특별시 중구 세종대로 110"),
    "phone": env("OPERATOR_PHONE", default="1588-4954"),
    "email": env("OPERATOR_EMAIL", default="billing@termsops.local"),
    # 업태·종목 on the tax invoices (issue 18: the NTS XML and Popbill carry them when set).
    "business_type": env("OPERATOR_BUSINESS_TYPE", default=""),
    "business_item": env("OPERATOR_BUSINESS_ITEM", default=""),
    "bank_account": env("OPERATOR_BANK_ACCOUNT", default="국민은행 123456-01-234567"),
    "bank_holder": env("OPERATOR_BANK_HOLDER", default="")
    or env("OPERATOR_NAME", default="주식회사 텀즈옵스"),
}
# Customer support on the portal's support page and footer (the operator fills them in);
# SUPPORT_HOURS are weekday hours, Korean time.
SUPPORT_EMAIL = env("SUPPORT_EMAIL", default="support@termsops.example")
SUPPORT_PHONE = env("SUPPORT_PHONE", default="1588-4954")
SUPPORT_HOURS = env("SUPPORT_HOURS", default="09:00–18:00")
# The person responsible for personal data (PIPA art.31), named in the privacy policy.
PRIVACY_OFFICER = env("PRIVACY_OFFICER", default="정보보호팀")
PRIVACY_EMAIL = env("PRIVACY_EMAIL", default="privacy@termsops.example")

# Logs: one line per record on stderr, each with the request id (core.observability); LOG_FORMAT=json
# (production's default) writes JSON lines for a log collector.
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.observability.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# --- Operations (issue 19, docs/operations.md) --------------------------------------------------------
# /readyz: beat's heartbeat task runs this often; older than the max age reads "degraded".
# The Celery queue this deployment's beat and workers share (one per environment on a shared Redis).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
# Workers and beat log through LOGGING below (JSON lines in production, with the request id).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Beat schedules every job of config/jobs.py; BEAT_ONLY=name,name limits it (a staged roll-out, tests).
BEAT_ONLY = env.list("BEAT_ONLY", default=[])
HEALTH_BEAT_INTERVAL_SECONDS = env.int("HEALTH_BEAT_INTERVAL_SECONDS", default=60)
HEALTH_BEAT_MAX_AGE_SECONDS = env.int("HEALTH_BEAT_MAX_AGE_SECONDS", default=180)
# /metrics (Prometheus): with a token set, a scrape must send "Authorization: Bearer <token>".
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_OPEN = env.bool("METRICS_OPEN", default=True)  # without a token: served (dev) or 404 (production)
# Errors to Sentry only when a DSN is given; no personal data is sent.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )
