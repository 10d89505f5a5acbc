"""Production settings: refuses to start without its secrets and its issuer.

``SECRET_KEY``, ``DATABASE_URL`` and ``ALLOWED_HOSTS`` must come from the
environment (or the ``.env`` file that base settings read); the development
defaults in base settings are never used here. Nor is the demo company as the issuer of invoices:
``OPERATOR_NAME`` and ``OPERATOR_BUSINESS_NUMBER`` are required too.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403  (base reads .env into os.environ first)
from .base import env

_REQUIRED = ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS")
_missing = [name for name in _REQUIRED if not os.environ.get(name, "").strip()]
if _missing:
    raise ImproperlyConfigured(
        f"{', '.join(_missing)} must be set in production "
        f"(운영 환경에는 환경변수 {', '.join(_missing)}가 필요합니다)."
    )

# The issuer printed on every invoice PDF and tax invoice (BIL-18: the supplier's name and business
# registration number are required on a tax invoice); the demo company's defaults would be wrong here.
_ISSUER = ("OPERATOR_NAME", "OPERATOR_BUSINESS_NUMBER")
_missing = [name for name in _ISSUER if not os.environ.get(name, "").strip()]
if _missing:
    raise ImproperlyConfigured(
        f"{', '.join(_missing)} must be set in production: the issuer on invoices and tax invoices "
        f"(운영 환경에는 청구서·세금계산서의 공급자 정보 {', '.join(_missing)}가 필요합니다)."
    )
if not os.environ["OPERATOR_BUSINESS_NUMBER"].replace("-", "").strip().isdigit() or len(
    os.environ["OPERATOR_BUSINESS_NUMBER"].replace("-", "").strip()
) != 10:
    raise ImproperlyConfigured(
        "OPERATOR_BUSINESS_NUMBER must be the 10-digit business registration number "
        "(사업자등록번호 10자리, 예: 220-81-62517)."
    )

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Probes and scrapes come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# /metrics only for a scraper that sends METRICS_TOKEN.
METRICS_OPEN = env.bool("METRICS_OPEN", default=False)
# JSON log lines for the collector unless told otherwise.
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "text"  # type: ignore[index]  # noqa: F405
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
# Staff must log in to the admin with a one-time code (accounts.admin_site).
STAFF_OTP_REQUIRED = env.bool("STAFF_OTP_REQUIRED", default=True)
