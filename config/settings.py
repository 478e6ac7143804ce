"""Dossier settings: one module, every deploy-time value from the environment.

Secure by default: DEBUG is off unless ``DEBUG=1``; outside debug and tests there is no
default SECRET_KEY, so a production deploy without one fails at start-up, not later.
"""

import datetime
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
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes share the file (gunicorn's workers, the alerts worker, manage.py): in WAL
    # mode readers never wait for a writer, and a commit needs no fsync of its own (synchronous=NORMAL
    # stays durable against an application crash; a power cut may lose the last commits, never
    # corrupt the file). A writer waits up to 20 s for another rather than failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        timeout=20,
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
# What uncached pages derive from many rows (listing counts, suggestions, the next scheduled change)
# is remembered per change for at most this long (briefs/pagecache: remember()); 0 turns it off.
REMEMBER_SECONDS = int(os.environ.get("REMEMBER_SECONDS", 3600))

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
# A brief's PDF and social card are handed out by views that check the brief is live (#21); with
# nginx in front (deploy/nginx/dossier.conf, where their folders are `internal`) the view answers
# with X-Accel-Redirect to MEDIA_URL + the file's name and nginx sends the file. Off: Django streams it.
MEDIA_X_ACCEL_REDIRECT = env_bool("MEDIA_X_ACCEL_REDIRECT", False)
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


# --- Hardening (#10): login protection, staff sessions, client addresses, request logs, uploads ---
# Kept in one block so other settings stay where they were. Middleware and apps are appended.
INSTALLED_APPS += ["config.apps.SignInProtectionConfig"]  # django-axes (config/apps.py)
# The request log wraps every other middleware: it times the whole request and sees the final
# status, even of a request refused for a bad Host header before any view runs.
MIDDLEWARE.insert(0, "config.requestlog.RequestLogMiddleware")
MIDDLEWARE += [
    # Signs staff out after STAFF_SESSION_IDLE_MINUTES without an admin request.
    "config.security.StaffIdleTimeoutMiddleware",
    # Public pages from the page cache before their URL is resolved (briefs/pagecache).
    "briefs.pagecache.PageCacheMiddleware",
    # django-axes: answers a locked-out login with the lock-out page; must come last.
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while locked out, counts failures
    "django.contrib.auth.backends.ModelBackend",
]
# The admin's path: moving it off /admin/ spares the login form most scripted attempts.
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"
# Lock-out: after LOGIN_FAILURE_LIMIT wrong passwords for one username, or from one address,
# further attempts are refused for LOGIN_LOCKOUT_MINUTES; editors unlock sooner in the admin
# (Axes -> Access attempts: delete the row). Kept in the database, so it holds without Redis.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", 30)))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks: per user, and per address
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_RESET_ON_SUCCESS = True
# A lock-out ends LOGIN_LOCKOUT_MINUTES after it began: trying again meanwhile does not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "config.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"
AXES_VERBOSE = False  # our request log already has one line per request
# Addresses of the reverse proxies (nginx on the same host by default) whose X-Real-IP header
# names the client; from anywhere else the connection's own address counts.
TRUSTED_PROXY_IPS = env_list("TRUSTED_PROXY_IPS", "127.0.0.1,::1")
STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", 60))
# Editors' accounts are worth stealing: passwords of at least 12 characters (Django's default is 8).
for _validator in AUTH_PASSWORD_VALIDATORS:
    if _validator["NAME"].endswith(".MinimumLengthValidator"):
        _validator["OPTIONS"] = {"min_length": int(os.environ.get("PASSWORD_MIN_LENGTH", 12))}
# Request logs: one JSON line per request on stdout in production (config/requestlog.py);
# LOG_FORMAT=text gives plain lines (the default with DEBUG).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG or TESTING else "json")
# Request lines go to stdout; everything else (warnings, errors with their tracebacks) to stderr, as
# Django's default, so a management command's own output stays clean. systemd's journal takes both.
_json = {"formatter": "json"} if LOG_FORMAT == "json" else {}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.requestlog.JsonFormatter"}},
    "filters": {"one_line": {"()": "config.requestlog.DropTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", **_json},
        "requests": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", **_json},
        # A bad Host header is someone probing: one warning line, no traceback (config/requestlog.py).
        "disallowed_host": {"class": "logging.StreamHandler", "filters": ["one_line"], **_json},
    },
    "loggers": {
        "django.security.DisallowedHost": {"handlers": ["disallowed_host"], "level": "WARNING", "propagate": False},
        # Django's own per-request 4xx lines would repeat what the request log says; 5xx stay.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "dossier.request": {"handlers": ["requests"], "level": "INFO", "propagate": False},
        # WeasyPrint (the worker's PDFs, #21) warns of every screen-only CSS rule it skips: ~30
        # lines a PDF. What it cannot fetch is an ERROR and stays.
        "weasyprint": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
# Expert photos: at most this many bytes and pixels; they are re-encoded on upload (experts/photos.py).
PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", 5 * 1024 * 1024))
PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_PIXELS", 25_000_000))
# import_briefs refuses an export file larger than this (a brief is a few KB; 2 MB is generous).
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 2 * 1024 * 1024))

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

# --- Email alerts (#15): the subscriptions app and Django's tasks framework -----------------------
# The worker is `manage.py alerts_worker` (django-tasks-db's db_worker plus the alerts' sweep),
# started by `make run` and by systemd in production (README, "Email alerts").
INSTALLED_APPS += ["django_tasks_db", "subscriptions"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
ALERTS = {
    # The sweep runs at least this often; a scheduled brief wakes it at its own second.
    "SWEEP_SECONDS": int(os.environ.get("ALERTS_SWEEP_SECONDS", 60)),
    # SMTP errors: retried after BASE, 4x BASE, 16x BASE ... seconds, at most ATTEMPTS times.
    "RETRY_BASE_SECONDS": int(os.environ.get("ALERTS_RETRY_BASE_SECONDS", 60)),
    "ATTEMPTS": int(os.environ.get("ALERTS_ATTEMPTS", 5)),
    # Emails one send run sends before it hands over to the next run (keeps a run short).
    "BATCH": int(os.environ.get("ALERTS_BATCH", 500)),
    # Emails claimed (and recorded as sent) per database commit; a crash loses at most this many.
    "CLAIM_CHUNK": int(os.environ.get("ALERTS_CLAIM_CHUNK", 25)),
    # A brief live for longer than this when first seen (the worker was down) is old news: not sent.
    "ANNOUNCE_WITHIN_HOURS": int(os.environ.get("ALERTS_ANNOUNCE_WITHIN_HOURS", 24)),
    # Digests go out at this hour, site time (weekly ones on Mondays).
    "DIGEST_HOUR": int(os.environ.get("ALERTS_DIGEST_HOUR", 7)),
    # Confirmation emails per address and per client per hour; unconfirmed sign-ups live this long.
    "CONFIRMATIONS_PER_ADDRESS": int(os.environ.get("ALERTS_CONFIRMATIONS_PER_ADDRESS", 3)),
    "CONFIRMATIONS_PER_CLIENT": int(os.environ.get("ALERTS_CONFIRMATIONS_PER_CLIENT", 10)),
    "CONFIRM_DAYS": 7,
    # Behind a proxy, the request header holding the reader's address (e.g. HTTP_X_REAL_IP), for the
    # per-client limit; without it every reader shares the proxy's address.
    "CLIENT_IP_HEADER": os.environ.get("ALERTS_CLIENT_IP_HEADER", ""),
}

# --- The institute's public face (#13): site pages, image renditions, PDFs, social cards. ---
INSTALLED_APPS += ["imagekit", "pictures", "pages"]
# Renditions are made when an image is saved (imagekit's Optimistic strategy), never while a page
# renders: a page asks for a rendition's URL without touching storage or the cache.
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"
IMAGEKIT_CACHEFILE_DIR = "renditions"
# WeasyPrint logs every layout step at INFO.
LOGGING.setdefault("loggers", {}).update({"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}})
# Browsers apply the feeds' XSLT stylesheet only when it is served as XSLT (we send nosniff).
WHITENOISE_MIMETYPES = {".xsl": "text/xsl"}

# --- Search (#12): the search app (index upkeep, /search/, the search log) -------------------------
INSTALLED_APPS += ["search"]
# A query is cut (never refused) at this many characters.
SEARCH_MAX_QUERY_LENGTH = 200

# --- Caches in front (issue #14): Varnish or a CDN keeps public pages by their tags. After every edit
# the app sends PURGE with the edit's tags to each of these URLs (comma-separated; empty: no purges).
# See briefs/pagecache/purge.py and deploy/varnish/default.vcl.
CACHE_PURGE_URLS = [url.strip() for url in os.environ.get("CACHE_PURGE_URLS", "").split(",") if url.strip()]
CACHE_PURGE_TIMEOUT = float(os.environ.get("CACHE_PURGE_TIMEOUT", 2))
# ... and again this much later: a page sent just as the edit committed may reach the cache after it.
CACHE_PURGE_REPEAT_SECONDS = float(os.environ.get("CACHE_PURGE_REPEAT_SECONDS", 2))

# The benchmark's floor view (serving/floor.py): a file of bytes served from memory at /_bench/floor/.
# Only `make bench` sets it; without it the URL does not exist.
BENCH_FLOOR_FILE = os.environ.get("BENCH_FLOOR_FILE", "")
