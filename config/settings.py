"""Dossier settings: one module, every deploy-time value from the environment.

Secure by default: DEBUG is off unless ``DEBUG=1``; outside debug and tests there is no
default SECRET_KEY, so a production deploy without one fails at start-up, not later.

Laid out by concern, one group each, every group opening with what it is for. Every environment
variable read here is in docs/deploy.md's table (tests/test_settings_documented.py checks).
"""

import datetime
import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from . import editor, logs

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """``1``, ``true``, ``yes`` or ``on`` (any case) is true; anything else set is false."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    """A comma-separated list, blanks around and between items dropped."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    """``int()`` of the variable, else of ``default``; a value that is not a number fails at start-up."""
    return int(os.environ.get(name, default))


def env_float(name, default):
    """``float()`` of the variable, else of ``default``."""
    return float(os.environ.get(name, default))


# --- Core: debug, the secret key, the host names served and the site's own address ---------------
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

# --- Applications: Django's, third parties', then ours ---------------------------------------------
# Order matters: whitenoise.runserver_nostatic before staticfiles (runserver then leaves static files
# to whitenoise), and where two apps have a template or static file of the same name, the earlier wins.
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
    "config.apps.SignInProtectionConfig",  # django-axes, login lock-outs (#10, config/apps.py)
    "django_tasks_db",  # Django's tasks framework, kept in the database: the alerts worker's queue (#15)
    "imagekit",  # picture renditions (#13)
    # Ours, the lowest layer first: an app imports only apps listed before it (docs/design.md, "A map
    # of the apps"; tests/test_app_imports.py checks there is no circle).
    "core",  # what every app shares, and the site's template tags ({% load dossier %})
    "serving",
    "pictures",
    "issues",
    "experts",
    "briefs",
    "pages",
    "search",
    "subscriptions",
    "listings",  # issue and expert pages, their feeds, the sitemap: they list every content type
    "importer",  # `import_briefs`: the old site's text exports
    "demo",  # `load_demo`: the demo institute behind `make run`
]
if TESTING:  # a content type as small as one can be, showing what the cache layer gives it (#21)
    INSTALLED_APPS.append("tests.pagetype")

# --- Middleware: what every request passes through, outermost first ---------------------------------
MIDDLEWARE = [
    # The request log wraps every other middleware: it times the whole request and sees the final
    # status, even of a request refused for a bad Host header before any view runs.
    "config.requestlog.RequestLogMiddleware",
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
    # Signs staff out after STAFF_SESSION_IDLE_MINUTES without an admin request.
    "config.security.StaffIdleTimeoutMiddleware",
    # Public pages from the page cache before their URL is resolved (serving/pages.py).
    "serving.pages.PageCacheMiddleware",
    # django-axes: answers a locked-out login with the lock-out page; must come last.
    "axes.middleware.AxesMiddleware",
]

# --- URLs and templates: where requests are routed and pages rendered -------------------------------
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
# The admin's path: moving it off /admin/ spares the login form most scripted attempts.
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"

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

# --- Database: SQLite by default so `make run` works on a bare machine; DATABASE_URL selects PostgreSQL.
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
        connect_timeout=env_int("DATABASE_CONNECT_TIMEOUT", 2),
        options=f"-c statement_timeout={env_int('DATABASE_STATEMENT_TIMEOUT', 10) * 1000}",
        pool={"timeout": env_float("DATABASE_POOL_TIMEOUT", 2)},
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
# After a failed connection, requests fail at once for this long (serving/postgresql).
DATABASE_RETRY_SECONDS = env_float("DATABASE_RETRY_SECONDS", 2)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and page cache: what is kept, for how long, and which caches in front are told of edits -
# The cache is shared by every process that serves or edits the site, so that whether a cached page
# is still current is decided the same way everywhere (serving/pages.py). Redis when REDIS_URL is
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
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 5000)},
        }
    }

# Public pages are cached whole for at most this long (less when a scheduled brief is due sooner,
# dropped at once on any edit: serving). 0 turns the page cache off.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 300)
# What uncached pages derive from many rows (listing counts, suggestions, the next scheduled change)
# is remembered per change for at most this long (serving.remember); 0 turns it off.
REMEMBER_SECONDS = env_int("REMEMBER_SECONDS", 3600)
# Tag moves an edit could not write to Redis wait in the database; each process looks for them at most
# this often before serving a kept page (serving/journal.py). 0: only when it sees Redis come back
# (the test suite's default: a look is a query, which would move the pinned query counts).
CACHE_JOURNAL_SECONDS = env_float("CACHE_JOURNAL_SECONDS", 0 if TESTING else 1)

# Caches in front (#14): Varnish or a CDN keeps public pages by their tags. After every edit the app
# sends PURGE with the edit's tags to each of these URLs (comma-separated; empty: no purges).
# See serving/purge.py and deploy/varnish/default.vcl.
CACHE_PURGE_URLS = env_list("CACHE_PURGE_URLS")
CACHE_PURGE_TIMEOUT = env_float("CACHE_PURGE_TIMEOUT", 2)
# ... and again this much later: a page sent just as the edit committed may reach the cache after it.
CACHE_PURGE_REPEAT_SECONDS = env_float("CACHE_PURGE_REPEAT_SECONDS", 2)

# --- Sign-in: passwords, login lock-outs, staff sessions, the client's address (#10) ---------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Editors' accounts are worth stealing: passwords of at least 12 characters (Django's default is 8).
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while locked out, counts failures
    "django.contrib.auth.backends.ModelBackend",
]
# Lock-out: after LOGIN_FAILURE_LIMIT wrong passwords for one username, or from one address,
# further attempts are refused for LOGIN_LOCKOUT_MINUTES; editors unlock sooner in the admin
# (Axes -> Access attempts: delete the row). Kept in the database, so it holds without Redis.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
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
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 60)

# --- Security headers: HTTPS only outside debug, and a Content-Security-Policy everywhere ----------
# Django's defaults already send nosniff, same-origin referrers and X-Frame-Options: DENY.
if not (DEBUG or TESTING):
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
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

# --- Language and time: brief URLs carry the publication date in the institute's own time zone -----
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static files and media: where they are written and how the app serves them ---------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# A brief's PDF and card: sent by nginx on the view's X-Accel-Redirect (their folders are internal), or streamed.
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
# Browsers apply the feeds' XSLT stylesheet only when it is served as XSLT (we send nosniff).
WHITENOISE_MIMETYPES = {".xsl": "text/xsl"}

# --- Content: tags, rich text, pictures, and limits on what editors upload or import ---------------
TAGGIT_CASE_INSENSITIVE = True

# Rich text: CKEditor 5 in the admin, its toolbar offering only what the sanitiser keeps (config/editor.py).
CKEDITOR_5_CONFIGS = editor.CKEDITOR_5_CONFIGS

# Renditions are made when an image is saved (imagekit's Optimistic strategy), never while a page
# renders: a page asks for a rendition's URL without touching storage or the cache.
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"
IMAGEKIT_CACHEFILE_DIR = "renditions"

# Expert photos: at most this many bytes and pixels; they are re-encoded on upload (experts/photos.py).
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 5 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 25_000_000)
# import_briefs refuses an export file larger than this (a brief is a few KB; 2 MB is generous).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 2 * 1024 * 1024)

# --- Email: printed to the console locally, sent by SMTP in production; EMAIL_BACKEND picks another.
# Workflow emails are sent after the step commits; a failure is logged and shown to the editor as a
# warning (briefs/notifications.py).
_smtp_backend = "django.core.mail.backends.smtp.EmailBackend"
_mail_backend = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend" if DEBUG or TESTING else _smtp_backend
)
_mail_options = {
    "host": os.environ.get("EMAIL_HOST"),
    "port": os.environ.get("EMAIL_PORT"),
    "host_user": os.environ.get("EMAIL_HOST_USER"),
    "host_password": os.environ.get("EMAIL_HOST_PASSWORD"),
}
_mail_options = {option: value for option, value in _mail_options.items() if value}
if _mail_backend == _smtp_backend:
    # Django 6.1's SMTP mailer calls them username and password, and wants the port as a number: a
    # mailer given an option it does not know raises InvalidMailer on every send.
    _renamed = {"host_user": "username", "host_password": "password"}
    _mail_options = {_renamed.get(option, option): value for option, value in _mail_options.items()}
    if "port" in _mail_options:
        _mail_options["port"] = int(_mail_options["port"])
    _mail_options["use_tls"] = env_bool("EMAIL_USE_TLS", False)
    # A server that accepts the connection but never answers must not hold a worker.
    _mail_options["timeout"] = env_float("EMAIL_TIMEOUT", 10)
elif _mail_backend.startswith("django.core.mail.backends."):
    _mail_options = {}  # console, locmem, file and dummy take no SMTP options
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "dossier@localhost")

# --- Tasks and email alerts (#15): the queue, and how often and how much the alerts worker sends ---
# The worker is `manage.py alerts_worker` (django-tasks-db's db_worker plus the alerts' sweep),
# started by `make run` and by systemd in production (README, "Email alerts").
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
ALERTS = {
    # The sweep runs at least this often; a scheduled brief wakes it at its own second.
    "SWEEP_SECONDS": env_int("ALERTS_SWEEP_SECONDS", 60),
    # SMTP errors: retried after BASE, 4x BASE, 16x BASE ... seconds, at most ATTEMPTS times.
    "RETRY_BASE_SECONDS": env_int("ALERTS_RETRY_BASE_SECONDS", 60),
    "ATTEMPTS": env_int("ALERTS_ATTEMPTS", 5),
    # Emails one send run sends before it hands over to the next run (keeps a run short).
    "BATCH": env_int("ALERTS_BATCH", 500),
    # Emails claimed (and recorded as sent) per database commit; a crash loses at most this many.
    "CLAIM_CHUNK": env_int("ALERTS_CLAIM_CHUNK", 25),
    # A brief live for longer than this when first seen (the worker was down) is old news: not sent.
    "ANNOUNCE_WITHIN_HOURS": env_int("ALERTS_ANNOUNCE_WITHIN_HOURS", 24),
    # Digests go out at this hour, site time (weekly ones on Mondays).
    "DIGEST_HOUR": env_int("ALERTS_DIGEST_HOUR", 7),
    # Confirmation emails per address and per client per hour; unconfirmed sign-ups live this long.
    "CONFIRMATIONS_PER_ADDRESS": env_int("ALERTS_CONFIRMATIONS_PER_ADDRESS", 3),
    "CONFIRMATIONS_PER_CLIENT": env_int("ALERTS_CONFIRMATIONS_PER_CLIENT", 10),
    "CONFIRM_DAYS": 7,
    # Behind a proxy, the request header holding the reader's address (e.g. HTTP_X_REAL_IP), for the
    # per-client limit; without it every reader shares the proxy's address.
    "CLIENT_IP_HEADER": os.environ.get("ALERTS_CLIENT_IP_HEADER", ""),
}

# --- Search (#12): a query is cut (never refused) at this many characters ---------------------------
SEARCH_MAX_QUERY_LENGTH = 200

# --- Logging: one line per request on stdout, everything else on stderr -----------------------------
# Request logs are one JSON line per request in production; LOG_FORMAT=text gives plain lines (the
# default with DEBUG). The handlers and loggers: config/logs.py.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG or TESTING else "json")
LOGGING = logs.logging_config(LOG_FORMAT, level=os.environ.get("LOG_LEVEL", "INFO"))  # config/logs.py
