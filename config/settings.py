"""Exercise Atlas settings.

Everything that differs between a laptop and a server comes from environment
variables; the defaults are for local development.
"""

import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    return os.environ.get(name, str(default)).strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


def env_list(name, default=""):
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

# The site's address, e.g. https://exercises.example.org: canonical links, the
# sitemap, the feed and JSON-LD are built from it, never from the Host header
# (which may carry any port or alias). In development, when it is not set,
# they are built from the request.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "").strip().rstrip("/")
if not SITE_URL and not DEBUG:
    raise ImproperlyConfigured("DJANGO_SITE_URL must be set when DJANGO_DEBUG is off.")
if SITE_URL and not re.fullmatch(r"https?://[^/?#\s]+", SITE_URL):
    raise ImproperlyConfigured(
        "DJANGO_SITE_URL must be a scheme and host, e.g. https://example.org."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# HTTPS. Set DJANGO_SECURE_PROXY_SSL_HEADER=true only behind a proxy that
# terminates HTTPS and always sets X-Forwarded-Proto itself.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers check health over plain HTTP and count a redirect as down.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else 365 * 24 * 60 * 60
# Subdomains and preloading commit the whole domain to HTTPS: the domain
# owner opts in, so check --deploy does not insist.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False
)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features the site never uses, turned off for every page
# (exercises/headers.py). Only features Chromium and Firefox know: an unknown
# one costs a console error in Chromium.
PERMISSIONS_POLICY_DISABLED = [
    "accelerometer", "autoplay", "browsing-topics", "camera",
    "display-capture", "encrypted-media", "geolocation", "gyroscope", "hid",
    "idle-detection", "magnetometer", "microphone", "midi", "payment",
    "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
    "xr-spatial-tracking",
]  # fmt: skip

# django-csp. No 'unsafe-inline' anywhere: the admin (Django 5.2), markdownx and
# our templates use no inline <script>, <style> or style attributes; scripts
# setting element.style are not covered by CSP.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "markdownx",
    "reversion",
    "adminsortable2",
    "csp",
    "exercises",
]

MIDDLEWARE = [
    # First: a cached page skips everything below (see exercises/cache.py).
    "exercises.cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "exercises.headers.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Pages are kept in each process's memory; with REDIS_URL they are shared
# through Redis, which also carries the content version (exercises/cache.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {
            # Django's RedisCache, reusing its client: see exercises/cache.py.
            "BACKEND": "exercises.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A cache outage slows pages down instead of hanging them.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Failed admin sign-ins, in the database: shared by every app server, and
    # never evicted to make room for pages (anyone can fill the page cache by
    # inventing URLs). Its table is made by migration 0010_cache_tables.
    "logins": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "login_failures",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
    # Without Redis, the page cache's content version: in the database, so
    # every worker process sees an edit once it is committed.
    "page_version": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "page_cache_version",
        "TIMEOUT": None,
    },
}
# How long a public page stays cached; any edit invalidates it sooner. 0 turns
# the page cache off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))

_validators = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_validators}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_validators}.MinimumLengthValidator"},
    {"NAME": f"{_validators}.CommonPasswordValidator"},
    {"NAME": f"{_validators}.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Off when a front server serves MEDIA_URL itself (see docs/deploy.md).
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", True)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# markdownx: its widget posts to these paths; config/urls.py routes them to our
# own staff-only views (exercises.editor), never to markdownx's.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "exercises.markdown.render_markdown"
MARKDOWNX_URLS_PATH = "/markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/markdownx/upload/"
MARKDOWNX_MEDIA_PATH = "uploads/"
# Uploaded images: bytes accepted before decoding, and pixels accepted when decoding.
UPLOAD_MAX_BYTES = 5 * 1024 * 1024
UPLOAD_MAX_PIXELS = 25_000_000

# Request bodies other than uploaded files (forms, the Markdown preview): the
# largest admin form holds well under 100 KB. Django refuses a larger
# Content-Length before reading the body. Uploads: UPLOAD_MAX_BYTES, checked
# in the upload view before reading.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# Failed admin sign-ins, counted per client and per username in the "logins"
# cache above (exercises/signin.py): after LOGIN_FAILURE_LIMIT within
# LOGIN_LOCKOUT_SECONDS, that client or username is refused for
# LOGIN_LOCKOUT_SECONDS. Behind a proxy REMOTE_ADDR is the proxy's address:
# name the header the proxy sets, e.g. HTTP_X_REAL_IP.
LOGIN_FAILURE_LIMIT = 5
LOGIN_LOCKOUT_SECONDS = 15 * 60
LOGIN_CLIENT_IP_HEADER = os.environ.get("DJANGO_CLIENT_IP_HEADER", "REMOTE_ADDR")
# The admin is the only sign-in: after it, and when `next` is missing or points
# off the site, go to the admin index (Django's default is /accounts/profile/).
LOGIN_REDIRECT_URL = "admin:index"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Replaces Django's default, which prints only with DEBUG on and
        # would print twice through the root logger.
        "django": {
            "handlers": ["console"],
            "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
}
