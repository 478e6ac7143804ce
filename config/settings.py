"""Dossier settings: one module, every deploy-time value from the environment.

Secure by default: DEBUG is off unless ``DEBUG=1``; outside debug and tests there is no
default SECRET_KEY, so a production deploy without one fails at start-up, not later.
"""

import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules
DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("Set SECRET_KEY in the environment (or DEBUG=1 for local use).")
    SECRET_KEY = "insecure-local-only-key-do-not-deploy-" + "x" * 20

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Absolute base of the public site, for feeds, sitemaps and canonical URLs built outside a request.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Dossier")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "taggit",
    "django_ckeditor_5",
    "issues",
    "experts",
    "briefs",
    "serving",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.csp",
                "config.context_processors.site",
            ],
        },
    },
]

# SQLite by default so `make run` works on a bare machine; DATABASE_URL selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's own psycopg 3 pool; it replaces persistent connections (CONN_MAX_AGE must be 0).
    # A database outage must fail fast (serving.views.server_error answers 503 with Retry-After),
    # well inside gunicorn's worker timeout: connecting, waiting for a pooled connection and any one
    # statement are each bounded. The pool checks a connection before lending it, so a restarted
    # server is picked up without restarting the app.
    DATABASES["default"]["ENGINE"] = "serving.postgresql"  # Django's, failing fast during an outage
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=int(os.environ.get("DATABASE_CONNECT_TIMEOUT", 2)),
        options=f"-c statement_timeout={int(os.environ.get('DATABASE_STATEMENT_TIMEOUT', 10)) * 1000}",
        pool={"timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", 2))},
    )
DATABASE_RETRY_SECONDS = float(os.environ.get("DATABASE_RETRY_SECONDS", 2))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache is shared by every process that serves or edits the site, so that whether a cached page
# is still current is decided the same way everywhere (briefs/pagecache.py). Redis when REDIS_URL is
# set (shared by several app servers); otherwise a folder of files shared by this machine's processes
# (gunicorn workers, management commands). Both treat an unreachable cache as a miss (serving/cache.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "serving.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Parallel test workers share one Redis: each keeps to keys of its own (tests/conftest.py).
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "dossier") + os.environ.get("PYTEST_XDIST_WORKER", ""),
            # A stopped or unreachable Redis must cost a reader little: short timeouts, no retries.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHE_DIR = Path(os.environ.get("CACHE_DIR", BASE_DIR / "var" / "cache"))
    if TESTING:  # each test process (pytest-xdist worker) a folder of its own, emptied between tests
        CACHE_DIR = Path(tempfile.mkdtemp(prefix="dossier-test-cache-"))
    CACHES = {
        "default": {
            "BACKEND": "serving.cache.FileBasedCache",
            "LOCATION": str(CACHE_DIR),
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", 5000))},
        }
    }

# Public pages are cached whole for at most this long (less when a scheduled brief is due sooner,
# dropped at once on any edit: briefs/pagecache.py). 0 turns the page cache off.
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", 300))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
# Brief URLs carry the publication date in the institute's own time zone.
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Locally, whitenoise serves straight from the apps' static folders (no collectstatic needed).
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = DEBUG or TESTING
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Django 6.1's MAILERS: mail is printed to the console locally and sent by SMTP (EMAIL_HOST, ...)
# in production; EMAIL_BACKEND picks another backend.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG or TESTING
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
        "OPTIONS": {
            key.lower(): os.environ[f"EMAIL_{key}"]
            for key in ("HOST", "PORT", "HOST_USER", "HOST_PASSWORD")
            if os.environ.get(f"EMAIL_{key}")
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "dossier@localhost")

# Django's defaults already send nosniff, same-origin referrers and X-Frame-Options: DENY;
# HTTPS-only settings switch on outside debug.
if not (DEBUG or TESTING):
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Django 6's Content-Security-Policy: no inline script or style anywhere on the public site.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

TAGGIT_CASE_INSENSITIVE = True

# Rich text: CKEditor 5 in the admin. Its toolbar offers only what the sanitiser keeps
# (briefs.richtext.ALLOWED_TAGS), so editors never lose formatting on save.
CKEDITOR_5_CONFIGS = {
    "default": {
        "toolbar": {
            "items": [
                "heading",
                "|",
                "bold",
                "italic",
                "link",
                "|",
                "bulletedList",
                "numberedList",
                "blockQuote",
                "insertTable",
                "|",
                "undo",
                "redo",
            ],
        },
        "heading": {
            "options": [
                {"model": "paragraph", "title": "Paragraph", "class": "ck-heading_paragraph"},
                {"model": "heading2", "view": "h2", "title": "Heading", "class": "ck-heading_heading2"},
                {"model": "heading3", "view": "h3", "title": "Subheading", "class": "ck-heading_heading3"},
            ]
        },
        "table": {"contentToolbar": ["tableColumn", "tableRow", "mergeTableCells"]},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- #9 (after-commit work): the SMTP mailer's options as Django 6.1 names them, and a timeout.
# Workflow emails are sent after the step commits; a failure is logged and shown to the editor as a
# warning (briefs/notifications.py). A mailer with an option it does not know (host_user, or host
# for the console backend) raises InvalidMailer on every send, so the names are mapped here.
_MAIL_OPTIONS = MAILERS["default"]["OPTIONS"]
if MAILERS["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    for _env_name, _option in (("host_user", "username"), ("host_password", "password")):
        if _env_name in _MAIL_OPTIONS:
            _MAIL_OPTIONS[_option] = _MAIL_OPTIONS.pop(_env_name)
    if "port" in _MAIL_OPTIONS:
        _MAIL_OPTIONS["port"] = int(_MAIL_OPTIONS["port"])
    _MAIL_OPTIONS["use_tls"] = env_bool("EMAIL_USE_TLS", False)
    # A server that accepts the connection but never answers must not hold a worker.
    _MAIL_OPTIONS["timeout"] = float(os.environ.get("EMAIL_TIMEOUT", "10"))
elif MAILERS["default"]["BACKEND"].startswith("django.core.mail.backends."):
    _MAIL_OPTIONS.clear()  # console, locmem, file and dummy take no SMTP options

# --- Caches in front (issue #14): Varnish or a CDN keeps public pages by their tags. After every edit
# the app sends PURGE with the edit's tags to each of these URLs (comma-separated; empty: no purges).
# See briefs/pagecache/purge.py and deploy/varnish/default.vcl.
CACHE_PURGE_URLS = [url.strip() for url in os.environ.get("CACHE_PURGE_URLS", "").split(",") if url.strip()]
CACHE_PURGE_TIMEOUT = float(os.environ.get("CACHE_PURGE_TIMEOUT", 2))
# ... and again this much later: a page sent just as the edit committed may reach the cache after it.
CACHE_PURGE_REPEAT_SECONDS = float(os.environ.get("CACHE_PURGE_REPEAT_SECONDS", 2))
