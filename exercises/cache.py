"""Whole-page cache of the public site, for readers without a session.

A view that may be cached says so with @cache_for_readers. Its pages are kept
compressed (gzip and Brotli beside the plain bytes) in each process's memory,
labelled with the content version they were rendered under, and served only
while that version is current. Saving or deleting anything in this app
replaces the version; so does migrate, run on every release.

Where the version lives decides how soon other processes see an edit:

- With Redis (REDIS_URL): in Redis. Each process keeps a copy, replaced at once
  by a pub/sub message on every edit and re-read at least once a second; pages
  are shared through Redis too. The editor's own process sees an edit at once,
  other processes within a second (in practice a few milliseconds).
- Without Redis: in the database ("page_version" cache table), written in the
  editor's transaction and read on every request, so no process serves a page
  older than the last committed save.

A cache outage never loses or refuses an edit: failures are logged, and for
BREAKER_SECONDS after one the page cache is not used at all (pages render).
Bulk writes send no signals: code that uses them calls bump_content_version(),
once, inside invalidation_batch() if it also saves row by row.
"""

import contextlib
import gzip
import hashlib
import logging
import os
import threading
import time
import uuid
from functools import wraps
from urllib.parse import parse_qsl, urlencode

import brotli
from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django.core.cache.backends import redis as django_redis
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils.cache import cc_delim_re, patch_cache_control, patch_vary_headers

logger = logging.getLogger(__name__)

VERSION_KEY = "content-version"
# Raw Redis names, apart from Django's pickled cache keys.
REDIS_VERSION_KEY = "atlas:page-cache:version"
REDIS_CHANNEL = "atlas:page-cache:version"
# Longest time another process may serve a page after an edit if a pub/sub
# message is lost.
VERSION_RECHECK_SECONDS = 1.0
# After a cache error, how long to render every page without asking the cache.
BREAKER_SECONDS = 5.0
# Pages kept in each process's memory (about 10 KB each, all encodings).
LOCAL_PAGES = 2000
COMPRESSIBLE_TYPES = ("text/", "application/xml", "application/atom+xml")
MIN_COMPRESS_BYTES = 200


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


def uses_redis():
    return isinstance(caches["default"], django_redis.RedisCache)


# Marking views ----------------------------------------------------------------


def cache_for_readers(view=None, *, query=()):
    """Let the page cache keep this view's 200 responses for readers.

    query names the query-string parameters the view reads: the others are
    left out of the cache key, so invented query strings share one entry.
    """

    def decorator(view):
        @wraps(view)
        def cacheable_view(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                # Signed-in users (staff see drafts) bypass the page cache:
                # nobody else may keep their copy either.
                patch_cache_control(response, private=True, no_cache=True)
            return response

        cacheable_view.page_cache_query = frozenset(query)
        return cacheable_view

    return decorator(view) if view is not None else decorator


def query_of(view):
    """The parameters a view marked with @cache_for_readers reads, else None."""
    return getattr(view, "page_cache_query", None)


# Content version --------------------------------------------------------------


class Breaker:
    """After a failure, stop asking a broken cache for BREAKER_SECONDS."""

    def __init__(self, name):
        self.name = name
        self.closed_after = 0.0
        self.tripped = False

    def allows(self):
        return time.monotonic() >= self.closed_after

    def trip(self, error, doing):
        if self.allows():
            logger.warning(
                "Page cache unavailable: %s failed while %s; off for %.0f s: %s",
                self.name,
                doing,
                BREAKER_SECONDS,
                error,
            )
        self.closed_after = time.monotonic() + BREAKER_SECONDS
        self.tripped = True


class DatabaseVersion:
    """The version in the database, read on every request."""

    def __init__(self):
        self.breaker = Breaker("The page cache's version table")

    @property
    def table(self):
        return caches["page_version"]

    def current(self):
        if not self.breaker.allows():
            return None
        try:
            version = self.read()
            if version is None:
                self.table.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
                version = self.read()
        except Exception as error:
            self.breaker.trip(error, "reading the version")
            return None
        return version

    def read(self):
        """The stored text itself, new on every bump: one indexed read, none of
        DatabaseCache.get()'s decoding (a third of a hit's time)."""
        table = self.table
        using = router.db_for_read(table.cache_model_class)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value FROM {connection.ops.quote_name(table._table)} "
                "WHERE cache_key = %s",
                [table.make_key(VERSION_KEY)],
            )
            row = cursor.fetchone()
        return row[0] if row else None

    def bump(self, using):
        # A savepoint: a failure must not break the editor's transaction.
        try:
            with transaction.atomic(using=using):
                self.table.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        except Exception as error:
            self.breaker.trip(error, "replacing the version")

    def after_commit_bump_needed(self):
        # Written in the editor's transaction, so it commits with the edit.
        return False


class RedisVersion:
    """The version in Redis, copied in each process and kept fresh by pub/sub."""

    def __init__(self):
        self.breaker = Breaker("Redis")
        self.lock = threading.Lock()
        self.version = None
        self.read_at = 0.0
        # Counts messages, so that a slow read does not overwrite a newer one.
        self.messages = 0
        self.listener_pid = None
        # Shared with the listener thread (redis-py's clients are thread-safe).
        self.cache = caches["default"]

    @property
    def client(self):
        return self.cache._cache.get_client(write=True)

    def current(self):
        if not self.breaker.allows():
            return None
        if self.listener_pid != os.getpid():
            self.start_listener()
        now = time.monotonic()
        if self.version is None or now - self.read_at > VERSION_RECHECK_SECONDS:
            messages = self.messages
            try:
                version = self.client.get(REDIS_VERSION_KEY)
                if version is None:
                    version = uuid.uuid4().hex.encode()
                    if not self.client.set(REDIS_VERSION_KEY, version, nx=True):
                        version = self.client.get(REDIS_VERSION_KEY) or version
            except Exception as error:
                self.failed(error, "reading the version")
                return None
            if self.breaker.tripped:
                # Back after an outage: an edit made meanwhile could not replace
                # the version, and pages cached before it are in Redis still.
                self.breaker.tripped = False
                logger.warning("Redis is back: pages cached before now dropped")
                self.bump()
                return self.version if self.breaker.allows() else None
            with self.lock:
                if self.messages == messages:
                    self.version = version.decode()
                    self.read_at = now
        return self.version

    def bump(self, using=None):
        version = uuid.uuid4().hex
        # The editor's own process sees the edit on its next request.
        with self.lock:
            self.version = version
            self.messages += 1
            self.read_at = time.monotonic()
        if not self.breaker.allows():
            logger.warning("Redis is off: pages cached before this edit may show")
            return
        try:
            pipe = self.client.pipeline(transaction=False)
            pipe.set(REDIS_VERSION_KEY, version)
            pipe.publish(REDIS_CHANNEL, version)
            pipe.execute()
        except Exception as error:
            self.failed(error, "replacing the version")

    def after_commit_bump_needed(self):
        return True

    def failed(self, error, doing):
        self.breaker.trip(error, doing)
        with self.lock:
            self.version = None

    def start_listener(self):
        with self.lock:
            if self.listener_pid == os.getpid():
                return
            self.listener_pid = os.getpid()
        threading.Thread(
            target=self.listen, name="page-cache-listener", daemon=True
        ).start()

    def listen(self):
        while pages._version is self:
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(REDIS_CHANNEL)
                # A bump while we were not subscribed is missed: re-read.
                with self.lock:
                    self.read_at = 0.0
                while pages._version is self:
                    message = pubsub.get_message(timeout=VERSION_RECHECK_SECONDS)
                    if message and message["type"] == "message":
                        with self.lock:
                            self.version = message["data"].decode()
                            self.messages += 1
                            self.read_at = time.monotonic()
            except Exception as error:
                self.failed(error, "listening for edits")
                # Not before the breaker lets requests ask Redis again.
                time.sleep(max(self.breaker.closed_after - time.monotonic(), 0.1))
            finally:
                with contextlib.suppress(Exception):
                    pubsub.close()


# Storing and serving pages ----------------------------------------------------


class PageStore:
    """Pages in this process's memory, and with Redis in Redis too."""

    def __init__(self):
        self.local = {}
        self.write_lock = threading.Lock()
        self._version = None

    @property
    def version(self):
        if self._version is None:
            self._version = RedisVersion() if uses_redis() else DatabaseVersion()
        return self._version

    def clear(self):
        """Forget every local page and the version copy (tests; settings change)."""
        self.local.clear()
        self._version = None
        _views.clear()
        for value in _per_version:
            value.forget()

    def get(self, key, version):
        page = self.local.get(key)
        if page is not None and page[0] == version and page[1] > time.monotonic():
            return page[2]
        if isinstance(self.version, RedisVersion):
            try:
                shared = caches["default"].get(f"page:{key}")
            except Exception as error:
                self.version.failed(error, "reading a page")
                return None
            if shared is not None and shared[0] == version:
                self.keep(key, version, shared[1])
                return shared[1]
        return None

    def set(self, key, version, representations):
        self.keep(key, version, representations)
        if isinstance(self.version, RedisVersion):
            try:
                caches["default"].set(
                    f"page:{key}",
                    (version, representations),
                    settings.PAGE_CACHE_SECONDS,
                )
            except Exception as error:
                self.version.failed(error, "storing a page")

    def keep(self, key, version, representations):
        deadline = time.monotonic() + settings.PAGE_CACHE_SECONDS
        with self.write_lock:
            while len(self.local) >= LOCAL_PAGES:
                self.local.pop(next(iter(self.local)), None)
            self.local[key] = (version, deadline, representations)


pages = PageStore()


def content_version():
    """The current content version; None while the cache is out of order."""
    return pages.version.current()


def clear_page_cache():
    pages.clear()


_per_version = []


class PerContentVersion:
    """A value read from the content (e.g. the search index), kept in this
    process while the content version stays the same.

    It is as fresh as a cached page: read again on the first call after any
    save, in every process. While the cache is out of order (no version) it is
    read again on every call: slow, never stale.
    """

    def __init__(self, read):
        self.read = read
        self.kept = (None, None)
        _per_version.append(self)

    def get(self):
        # The version first: an edit committed while reading is read again
        # on the next call, under its own version.
        version = content_version()
        if version is None:
            return self.read()
        kept_version, value = self.kept
        if kept_version != version:
            value = self.read()
            self.kept = (version, value)
        return value

    def forget(self):
        self.kept = (None, None)


_batch = threading.local()


@contextlib.contextmanager
def invalidation_batch(using=DEFAULT_DB_ALIAS):
    """Inside, saves and bump_content_version() replace the version once, at
    the end: an import of a thousand rows is one invalidation, not a thousand."""
    depth = getattr(_batch, "depth", 0)
    _batch.depth = depth + 1
    if depth == 0:
        _batch.changed = False
    try:
        yield
    finally:
        _batch.depth = depth
        if depth == 0 and _batch.changed:
            bump_content_version(using)


def bump_content_version(using=DEFAULT_DB_ALIAS):
    """Make every cached page stale, in every process; never raises."""
    if getattr(_batch, "depth", 0):
        _batch.changed = True
        return
    store = pages.version
    # Now, for reads inside the same transaction (each test runs in one, and
    # its on-commit callbacks never run).
    store.bump(using)
    if store.after_commit_bump_needed() and connections[using].in_atomic_block:
        # And on commit: a bump before it would let a reader in another process
        # cache the old rows under the new version.
        run_on_commit = connections[using].run_on_commit
        if not any(entry[1] is _bump_after_commit for entry in run_on_commit):
            transaction.on_commit(_bump_after_commit, using=using)


def _bump_after_commit():
    pages.version.bump()


def content_changed(sender, using=DEFAULT_DB_ALIAS, action="post_save", **kwargs):
    if action.startswith("post_"):  # m2m_changed also sends pre_add etc.
        bump_content_version(using)


def settings_changed(setting, **kwargs):
    if setting in ("CACHES", "PAGE_CACHE_SECONDS"):
        pages.clear()


def release_migrated(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    # migrate runs on every release: pages rendered by the old code go too.
    if using == DEFAULT_DB_ALIAS:
        bump_content_version(using)


def connect_signals(app_config):
    """Receivers for this app's models only: other models keep fast deletes."""
    for model in app_config.get_models(include_auto_created=True):
        uid = f"page-cache-{model._meta.label_lower}"
        post_save.connect(content_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"{uid}-delete")
        if model._meta.auto_created:
            m2m_changed.connect(
                content_changed, sender=model, dispatch_uid=f"{uid}-m2m"
            )
    post_migrate.connect(release_migrated, sender=app_config)
    setting_changed.connect(settings_changed, dispatch_uid="page-cache-settings")


def accepted_encoding(header, _known={}):  # noqa: B006 (a bounded memo)
    """The best of br, gzip and identity that Accept-Encoding allows."""
    found = _known.get(header)
    if found is None:
        weights = {}
        for part in header.lower().split(","):
            coding, _, parameters = part.partition(";")
            weight = 1.0
            name, _, value = parameters.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
            weights[coding.strip()] = weight
        star = weights.get("*", 0.0)
        found = "identity"
        best = weights.get("identity", 1.0 if star or "*" not in weights else 0.0)
        for coding in ("gzip", "br"):
            weight = weights.get(coding, star)
            if weight > 0 and weight >= best:
                found, best = coding, weight
        if len(_known) < 1000:
            _known[header] = found
    return found


def representations_of(response):
    """Header lists and bodies for each encoding, computed once per render."""
    body = response.content
    patch_vary_headers(response, ["Accept-Encoding"])
    # Browsers revalidate every time (a 304 from the cache is cheap), so an
    # edit shows on the reader's next page view.
    patch_cache_control(response, no_cache=True)
    common = [
        (name, value)
        for name, value in response.items()
        if name.lower() not in {"content-length", "content-encoding", "etag"}
    ]
    digest = hashlib.md5(body, usedforsecurity=False).hexdigest()
    bodies = {"identity": body}
    content_type = response.get("Content-Type", "")
    if content_type.startswith(COMPRESSIBLE_TYPES) and len(body) > MIN_COMPRESS_BYTES:
        bodies["gzip"] = gzip.compress(body, compresslevel=9, mtime=0)
        bodies["br"] = brotli.compress(body, mode=brotli.MODE_TEXT, quality=11)
    representations = {}
    for coding, data in bodies.items():
        if len(data) >= len(body) and coding != "identity":
            continue
        etag = f'"{digest}"' if coding == "identity" else f'"{digest}-{coding}"'
        headers = [*common, ("ETag", etag), ("Content-Length", str(len(data)))]
        if coding != "identity":
            headers.append(("Content-Encoding", coding))
        representations[coding] = (data, headers, etag)
    return representations


def chosen(meta, representations):
    """(status, headers, body) for a request's Accept-Encoding and If-None-Match."""
    coding = accepted_encoding(meta.get("HTTP_ACCEPT_ENCODING", ""))
    body, headers, etag = representations.get(coding) or representations["identity"]
    if_none_match = meta.get("HTTP_IF_NONE_MATCH")
    if if_none_match and matches(if_none_match, etag):
        kept = [(n, v) for n, v in headers if n in ("ETag", "Cache-Control", "Vary")]
        return 304, kept, b""
    return 200, headers, b"" if meta["REQUEST_METHOD"] == "HEAD" else body


def respond(request, representations):
    status, headers, body = chosen(request.META, representations)
    if status == 304:
        response = HttpResponseNotModified()
        for name, value in headers:
            response[name] = value
        return response
    return HttpResponse(body, headers=headers)


def matches(if_none_match, etag):
    if if_none_match.strip() == "*":
        return True
    return any(
        candidate.strip().removeprefix("W/") == etag
        for candidate in if_none_match.split(",")
    )


_views = {}  # path -> the query parameters its view reads, or None


def query_read_by_view(path):
    try:
        return _views[path]
    except KeyError:
        pass
    try:
        query = query_of(resolve(path).func)
    except Resolver404:
        query = None
    if len(_views) > 10_000:  # anyone can invent paths
        _views.clear()
    _views[path] = query
    return query


def page_key(scheme, host, path, query_string, query):
    # Host and scheme too: pages carry absolute canonical links.
    url = f"{scheme}://{host}{path}"
    if query and query_string:
        pairs = parse_qsl(query_string, keep_blank_values=True)
        kept = sorted((pair for pair in pairs if pair[0] in query), key=lambda p: p[0])
        if kept:
            url += "?" + urlencode(kept)
    return hashlib.sha256(url.encode()).hexdigest()


class PageCacheMiddleware:
    """Serve views marked @cache_for_readers from the page cache.

    First in MIDDLEWARE: a hit skips every other middleware, the database and
    the view, and carries the headers they added when the page was rendered
    (the Content-Security-Policy is not built again per hit). The key holds the
    scheme and host, so an http:// request still reaches SecurityMiddleware's
    redirect. A request with a session cookie (every signed-in user; staff see
    drafts) neither reads nor fills the cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method not in ("GET", "HEAD")
            or settings.PAGE_CACHE_SECONDS <= 0
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            return self.get_response(request)
        query = query_read_by_view(request.path_info)
        if query is None:
            return self.get_response(request)
        version = content_version()
        if version is None:
            return self.get_response(request)
        key = page_key(
            request.scheme,
            request.get_host(),
            request.path,
            request.META.get("QUERY_STRING", ""),
            query,
        )
        representations = pages.get(key, version)
        if representations is not None:
            return respond(request, representations)

        response = self.get_response(request)
        if not self.is_storable(request, response):
            return response
        representations = representations_of(response)
        # A HEAD is answered like the GET, but does not fill the cache.
        if request.method == "GET":
            pages.set(key, version, representations)
        return respond(request, representations)

    @staticmethod
    def is_storable(request, response):
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
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Content-Encoding")
            and not (user is not None and user.is_authenticated)
            and not cache_control & {"private", "no-cache", "no-store"}
            # Cookie is safe to ignore: cached pages only go to requests
            # without a session.
            and vary <= {"cookie", "accept-encoding"}
        )


class PageCacheApplication:
    """WSGI: answer page cache hits before Django's request handling.

    A hit here costs a fraction of one through the middleware: no request
    object, no request_started/finished signals (without Redis the version
    read uses the thread's database connection as it is; after an error the
    breaker sends requests through Django, which closes a broken connection).
    Only for requests the middleware would answer from the cache: a path it
    has resolved to a marked view, no session cookie, a key with the same
    scheme and host (a key exists only for a host that Django validated when
    the page was stored). Anything else goes to Django.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        found = self.cached(environ)
        if found is None:
            return self.application(environ, start_response)
        status, headers, body = found
        start_response("200 OK" if status == 200 else "304 Not Modified", headers)
        return [body]

    def cached(self, environ):
        path = environ.get("PATH_INFO", "/")
        query = _views.get(path)
        if (
            query is None
            or environ["REQUEST_METHOD"] not in ("GET", "HEAD")
            or environ.get("SCRIPT_NAME")
            or not path.isascii()
            or settings.SESSION_COOKIE_NAME in environ.get("HTTP_COOKIE", "")
            or settings.PAGE_CACHE_SECONDS <= 0
            or settings.USE_X_FORWARDED_HOST
            or settings.FORCE_SCRIPT_NAME is not None
            or "HTTP_HOST" not in environ
        ):
            return None
        version = pages.version.current()
        if version is None:
            return None
        scheme = environ["wsgi.url_scheme"]
        if settings.SECURE_PROXY_SSL_HEADER:
            header, secure_value = settings.SECURE_PROXY_SSL_HEADER
            if environ.get(header) is not None:
                forwarded = environ[header].split(",", 1)[0].strip()
                scheme = "https" if forwarded == secure_value else "http"
        key = page_key(
            scheme, environ["HTTP_HOST"], path, environ.get("QUERY_STRING"), query
        )
        representations = pages.get(key, version)
        if representations is None:
            return None
        return chosen(environ, representations)


@checks.register(checks.Tags.caches)
def check_page_cache(app_configs, **kwargs):
    errors = []
    if settings.MIDDLEWARE[:1] != ["exercises.cache.PageCacheMiddleware"]:
        errors.append(
            checks.Error(
                "exercises.cache.PageCacheMiddleware must come first in MIDDLEWARE.",
                hint="A hit must skip the rest, and a miss see their headers.",
                id="exercises.E001",
            )
        )
    if not uses_redis() and "page_version" not in settings.CACHES:
        errors.append(
            checks.Error(
                "Without Redis the page cache needs CACHES['page_version'], a "
                "database cache every process shares.",
                id="exercises.E002",
            )
        )
    return errors
