"""Whole-page cache of the public site, for readers who are not logged in.

Each page is stored with the site-wide content version it was rendered under,
itself kept in the cache, and is served only while that version is current.
Saving or deleting anything in this app replaces the version, so every cached
page goes stale at once, in every process that shares the cache; so does
migrate, run on every release. Bulk updates send no signals: code that uses
them calls bump_content_version().
"""

import hashlib
import logging
import uuid

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.core.cache.backends import redis as django_redis
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import cc_delim_re, patch_cache_control, set_response_etag

logger = logging.getLogger(__name__)

VERSION_KEY = "content-version"


class RedisCacheClient(django_redis.RedisCacheClient):
    """Django's, keeping one redis.Redis per connection pool.

    Django makes a new redis.Redis for every cache call, and with redis-py 8
    that costs more CPU than the call itself (about 170 µs against 60 µs
    measured here). One instance is safe to share between threads.
    """

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        if id(pool) not in clients:
            clients[id(pool)] = self._client(connection_pool=pool)
        return clients[id(pool)]


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        # A random token, not a counter: a counter restarted after an eviction
        # could come back to a number whose pages are still in the cache.
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY, version)
    return version


def bump_content_version():
    """Make every cached page stale, in every process."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def content_changed(sender, using, **kwargs):
    if sender._meta.app_label != "exercises":
        return
    # On commit: a bump before it would let a reader cache the old rows under
    # the new version. Now as well, for reads inside the same transaction (each
    # test runs in one, and its on-commit callbacks never run).
    bump_content_version()
    transaction.on_commit(bump_content_version, using=using)


def release_migrated(sender, **kwargs):
    # migrate runs on every release: pages rendered by the old code go too.
    try:
        bump_content_version()
    except Exception as error:
        logger.warning("Page cache not emptied after migrate: %s", error)


def connect_signals(app_config):
    post_save.connect(content_changed, dispatch_uid="page-cache-save")
    post_delete.connect(content_changed, dispatch_uid="page-cache-delete")
    post_migrate.connect(release_migrated, sender=app_config)


def is_public_page(path):
    try:
        return "exercises" in resolve(path).namespaces
    except Resolver404:
        return False


class PageCacheMiddleware:
    """Serve the exercises app's pages from the cache to anonymous readers.

    It goes above the session and CSRF middleware: a hit skips them and the
    database, and on the way out it sees any cookie they set. A request with a
    session cookie (every logged-in user, and staff see drafts) neither reads
    nor fills the cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and is_public_page(request.path_info)
        ):
            return self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            response = self.get_response(request)
            if response.status_code == 200:
                patch_cache_control(response, private=True, no_cache=True)
            return response

        # Host and scheme too: pages carry absolute canonical links.
        url = request.build_absolute_uri()
        digest = hashlib.sha256(url.encode()).hexdigest()
        key = f"page:{digest}"
        try:
            # One round trip to the cache for the version and the page.
            found = cache.get_many([VERSION_KEY, key])
            version = found.get(VERSION_KEY) or content_version()
        except Exception as error:
            logger.warning("Page cache unavailable, not used: %s", error)
            return self.get_response(request)
        if key in found and found[key][0] == version:
            _, headers, content = found[key]
            return HttpResponse(content, headers=headers)

        response = self.get_response(request)
        if self.is_storable(request, response):
            set_response_etag(response)
            # Browsers revalidate every time (a 304 from the cache is cheap), so
            # an edit shows on the reader's next page view.
            patch_cache_control(response, no_cache=True)
            try:
                cache.set(
                    key,
                    (version, list(response.items()), response.content),
                    settings.PAGE_CACHE_SECONDS,
                )
            except Exception as error:
                logger.warning("Page cache unavailable, not stored: %s", error)
        return response

    def is_storable(self, request, response):
        user = getattr(request, "user", None)
        cache_control = {
            directive.split("=")[0].strip().lower()
            for directive in cc_delim_re.split(response.get("Cache-Control", ""))
        }
        vary = {
            header.strip().lower()
            for header in cc_delim_re.split(response.get("Vary", ""))
            if header.strip()
        }
        return (
            # A HEAD is answered from a cached GET, but never fills the cache.
            request.method == "GET"
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not (user is not None and user.is_authenticated)
            and not cache_control & {"private", "no-cache", "no-store"}
            # Cookie is safe to ignore: cached pages only go to requests
            # without a session.
            and vary <= {"cookie"}
        )


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_page_cache(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.PAGE_CACHE_SECONDS > 0 and backend.endswith("LocMemCache"):
        return [
            checks.Warning(
                "Pages are cached in each process's own memory: with several "
                "worker processes an edit can take PAGE_CACHE_SECONDS to show.",
                hint="Set REDIS_URL, or PAGE_CACHE_SECONDS=0.",
                id="exercises.W001",
            )
        ]
    return []
