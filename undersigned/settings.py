"""Settings for Undersigned. Every value comes from the environment: see docs/configuration.md."""

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from undersigned.config import (
    env_bool,
    env_int,
    env_list,
    env_rate,
    env_seconds,
    env_str,
    file_storages,
    required_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR") or BASE_DIR / "data")

DEBUG = env_bool("DEBUG", False)
# Unset, the site's address follows the HOST and PORT `make run` serves on, so that the links
# in emails, share buttons and the API work on whatever port the demo runs.
SERVED_HOST = env_str("HOST", "127.0.0.1")
SERVED_AT = (
    f"{'127.0.0.1' if SERVED_HOST in ('0.0.0.0', '::') else SERVED_HOST}:{env_int('PORT', 8000)}"  # noqa: S104
)
SITE_URL = env_str("SITE_URL", f"http://{SERVED_AT}").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Undersigned")
HTTPS = urlsplit(SITE_URL).scheme == "https"

# Database: the embedded default is a SQLite file in the data dir.
DATABASE_URL = env_str("DATABASE_URL")
EMBEDDED = not DATABASE_URL
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{DATA_DIR / 'undersigned.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A locked or unreachable database fails within this many seconds (the signer then sees the
# "try again" page with their input) instead of holding every request for long.
DATABASE_TIMEOUT = env_int("DATABASE_TIMEOUT", 3)
# PostgreSQL plans a statement run five times on one connection once, then reuses the
# plan (a signature's INSERT: a third less of PostgreSQL's time, docs/performance.md). The
# values then travel apart from the SQL. Off behind a pooler that cannot keep prepared
# statements (PgBouncer in transaction mode before 1.21, or without max_prepared_statements).
PREPARED_STATEMENTS = (
    {"server_side_binding": True, "prepare_threshold": 5}
    if env_bool("DATABASE_PREPARED_STATEMENTS", True)
    else {}
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock up front,
        # so concurrent signers wait their turn instead of failing with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": DATABASE_TIMEOUT,
    }
    # Tests use a file, not memory: live-server threads then get connections of their own,
    # as real server processes do, and a test can close and reopen the connection.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-undersigned.sqlite3")}
    DATA_DIR.mkdir(parents=True, exist_ok=True)
else:  # PostgreSQL; options given in DATABASE_URL's query string win
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": max(DATABASE_TIMEOUT, 2),  # libpq's minimum is 2 seconds
        "options": f"-c lock_timeout={DATABASE_TIMEOUT * 1000}",
        **PREPARED_STATEMENTS,
        **DATABASES["default"].get("OPTIONS", {}),
    }

# Reads on a replica (undersigned/replicas.py): exports, progress and public list pages.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    if EMBEDDED:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL (PostgreSQL).")
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    DATABASES["replica"]["OPTIONS"] = {
        "connect_timeout": max(DATABASE_TIMEOUT, 2),
        **PREPARED_STATEMENTS,
        **DATABASES["replica"].get("OPTIONS", {}),
    }
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["undersigned.replicas.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 30)
REPLICA_CHECK_SECONDS = env_int("REPLICA_CHECK_SECONDS", 5)

SECRET_KEY = required_secret("SECRET_KEY", EMBEDDED, DATA_DIR)
# Email and contact fields are encrypted with these Fernet keys (newest first; older ones
# still decrypt, for rotation). DIGEST_KEY keys the hashes that find duplicates.
ENCRYPTION_KEYS = required_secret(
    "ENCRYPTION_KEYS", EMBEDDED, DATA_DIR, make=lambda: Fernet.generate_key().decode()
).split(",")
DIGEST_KEY = required_secret("DIGEST_KEY", EMBEDDED, DATA_DIR)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "undersigned.pages",
    "undersigned.organisations",
    "undersigned.staff",
    "undersigned.actions",
    "undersigned.emails",
    "undersigned.audit",
    "undersigned.delivery",
    "undersigned.protection",
    "undersigned.supporters",
    "undersigned.workers",
    "undersigned.api",
    "undersigned.news",
    "undersigned.subscribers",
    "ninja",
    "undersigned.letters",
    "undersigned.petitions",
    "django_countries",
    "undersigned.staff.apps.StaffAdminConfig",  # Django's admin, with the second-factor gate
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
]

# Public pages are gzipped by the app (COMPRESS_PAGES=0 where the proxy compresses them
# under the same rules: undersigned/protection/compression.py).
COMPRESS_PAGES = env_bool("COMPRESS_PAGES", True)

# Only for `make bench`: two bare views that measure the server's own ceilings.
BENCHMARK_CEILINGS = env_bool("BENCHMARK_CEILINGS", False)
if BENCHMARK_CEILINGS:
    INSTALLED_APPS.append("benchmarks.ceiling")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "undersigned.protection.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # below WhiteNoise, which serves static files already compressed; see compression.py
    "undersigned.protection.compression.PublicGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "undersigned.staff.sessions.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "undersigned.pages.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "undersigned.urls"
WSGI_APPLICATION = "undersigned.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "undersigned.pages.context_processors.site",
            ],
        },
    }
]

# A staff account's permissions come from its roles in its organisations (see
# undersigned/staff/access.py), never from permissions ticked on the account.
AUTHENTICATION_BACKENDS = ["undersigned.staff.backends.MembershipBackend"]

# Staff sign-ins and sessions (undersigned/staff/logins.py, sessions.py)
LOGIN_FAILURES_ALLOWED = env_int("LOGIN_FAILURES_ALLOWED", 5)
LOGIN_WAIT_SECONDS = env_int("LOGIN_WAIT_SECONDS", 60)
# staff sessions hold the keys to the signers: short, and never longer than a working day
STAFF_IDLE_MINUTES = env_int("STAFF_IDLE_MINUTES", 30, low=1, high=240)
STAFF_SESSION_HOURS = env_int("STAFF_SESSION_HOURS", 10, low=1, high=12)
SESSION_COOKIE_AGE = STAFF_SESSION_HOURS * 3600
# Second factor (undersigned/staff/second_factor.py): authenticator apps, backup codes and
# security keys. Operators and data officers must enrol before any page opens for them.
OTP_TOTP_ISSUER = SITE_NAME
OTP_TOTP_THROTTLE_FACTOR = 1  # django-otp's own wait after a wrong code: 1 s, 2 s, 4 s...
BACKUP_CODES = 10
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a security key is a second factor here
OTP_WEBAUTHN_RP_NAME = SITE_NAME
# Security keys belong to SITE_URL's host name; over plain HTTP, browsers take them only at
# localhost (so the embedded default offers them at http://localhost:<port>/admin/).
OTP_WEBAUTHN_RP_ID = urlsplit(SITE_URL).hostname if HTTPS else "localhost"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    SITE_URL if HTTPS else f"http://localhost:{urlsplit(SITE_URL).port or 80}"
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: every public page exists in each, under its prefix (/en/, /ar/).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic"))]
# The names people use, not ISO's "Bahamas (The)" and "Naoero".
COUNTRIES_OVERRIDE = {"BS": _("Bahamas"), "NR": _("Nauru")}
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["undersigned.formats"]
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 default: a typed "example.org" means https

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or DATA_DIR / "media")
# Files (undersigned/storage.py): public media and private files (packages, exports, letter
# PDFs) on the local disk, or in two buckets of an S3-compatible store when S3_BUCKET is set.
PRIVATE_URL_SECONDS = env_int("PRIVATE_URL_SECONDS", 60)
STORAGES = {
    **file_storages(PRIVATE_URL_SECONDS),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and rate limits: local memory by default, Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, answering as an empty cache while Redis is down or slow
            "BACKEND": "undersigned.pages.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "RETRY_SECONDS": 5,  # then leave it alone this long before trying again
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work goes through the Django tasks API, stored in the database.
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10)
WORKER_DEAD_AFTER_SECONDS = env_int("WORKER_DEAD_AFTER_SECONDS", 60)

# Signed webhooks (api/webhooks.py): how long to wait for an answer, the delays between
# attempts (a delivery is tried once more per delay), and after how many failures in a row
# an endpoint is paused and its organisation's admins told.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_RETRY_SECONDS = [60, 300, 1800, 7200, 21600]
WEBHOOK_PAUSE_AFTER = env_int("WEBHOOK_PAUSE_AFTER", 20)
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", DEBUG)  # plain http only for local tests
# Endpoints on loopback, private or link-local addresses are refused (api/destinations.py)
# unless this is on: only for a receiver on this machine in tests or local trials.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)

# Email: kept in the local outbox (readable in the admin) unless an SMTP server is configured.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "undersigned.emails.backends.OutboxBackend",
)
# A batch the mail server could not take is tried again after each of these delays, then
# fails visibly. An email the server took is recorded at once; a database away for up to
# SENT_RECORD_PATIENCE seconds is waited for (its retry would send the email twice).
EMAIL_RETRY_DELAYS = env_seconds("EMAIL_RETRY_DELAYS", [60, 300, 900, 3600, 3 * 3600, 12 * 3600])
SENT_RECORD_PATIENCE = env_int("SENT_RECORD_PATIENCE", 60)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: strict by default, HTTPS-only settings once SITE_URL is https.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # no script of ours reads it: forms carry the token
CSRF_FAILURE_VIEW = "undersigned.pages.views.csrf_failure"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
PROXY_COUNT = env_int("PROXY_COUNT", 0)
if PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Signing: how long an emailed confirmation link works; unconfirmed signatures go after it.
CONFIRMATION_DAYS = env_int("CONFIRMATION_DAYS", 7)
# An unconfirmed signature is sent one reminder this many hours after signing (0: none).
CONFIRMATION_REMINDER_HOURS = env_int("CONFIRMATION_REMINDER_HOURS", 24)
# Each app process keeps the cached petition page and count in memory this long (seconds).
PAGE_MEMO_SECONDS = float(env_str("PAGE_MEMO_SECONDS", "1"))
# Proof of work (when staff switch it on for an action): the search space of the puzzle.
# 100,000 takes a phone about a second.
POW_MAX_NUMBER = env_int("POW_MAX_NUMBER", 100_000)
# A form sent back faster than this after it was shown is a bot's.
MIN_FILL_SECONDS = env_int("MIN_FILL_SECONDS", 2)
# Signers' data: names and emails are erased this many days after an action closes (each
# petition may set its own); a "see or erase my data" link works this many days.
RETENTION_DAYS = env_int("RETENTION_DAYS", 180)
MY_DATA_LINK_DAYS = env_int("MY_DATA_LINK_DAYS", 30)
# An organisation listed on a letter can confirm or withdraw from the link in its emails
# this many days after it was sent.
ENDORSEMENT_LINK_DAYS = env_int("ENDORSEMENT_LINK_DAYS", 180)

# Rate limits, per scope, per client-address hash and per email digest ("N/s|m|h|d").
RATELIMIT_ENABLE = env_str("RATE_LIMITS", "on").lower() != "off"
RATELIMIT_FAIL_OPEN = True  # a cache outage must not stop people from signing
# "burst": past it, a client address needs a solved proof of work for each further request
# in the window, so one machine cannot send a thousand confirmation emails an hour.
RATE_LIMITS = {
    "sign": {
        "ip": env_rate("RATE_LIMIT_SIGN_IP", "1000/h"),
        "burst": env_rate("RATE_LIMIT_SIGN_BURST", "10/10m"),
        "email": env_rate("RATE_LIMIT_SIGN_EMAIL", "10/h"),
    },
    "endorse": {
        "ip": env_rate("RATE_LIMIT_ENDORSE_IP", "100/h"),
        "burst": env_rate("RATE_LIMIT_ENDORSE_BURST", "10/10m"),
        "email": env_rate("RATE_LIMIT_ENDORSE_EMAIL", "10/h"),
    },
    "subscribe": {
        "ip": env_rate("RATE_LIMIT_SUBSCRIBE_IP", "100/h"),
        "email": env_rate("RATE_LIMIT_SUBSCRIBE_EMAIL", "5/h"),
    },
    "confirm": {"ip": env_rate("RATE_LIMIT_CONFIRM_IP", "600/h")},
    "resend": {
        "ip": env_rate("RATE_LIMIT_RESEND_IP", "30/h"),
        "email": env_rate("RATE_LIMIT_RESEND_EMAIL", "3/h"),
    },
    "api": {"ip": env_rate("RATE_LIMIT_API_IP", "1200/m")},
    "api_key": {"key": env_rate("RATE_LIMIT_API_KEY", "600/m")},
    "my_data": {
        "ip": env_rate("RATE_LIMIT_MY_DATA_IP", "120/h"),
        "email": env_rate("RATE_LIMIT_MY_DATA_EMAIL", "5/h"),
    },
}
if not REDIS_URL:
    # Local memory is per process: right for the single-process embedded default only.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
