"""Test settings: plain static storage, so tests need no collectstatic."""

from .settings import *  # noqa: F403
from .settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Live-server threads would otherwise keep connections open past the test run,
# and PostgreSQL cannot drop a test database that is still in use.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
