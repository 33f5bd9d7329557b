"""CPU per read: redis-py's client-side caching against the page cache's pub/sub copy.

Starts a throwaway Redis on 127.0.0.1, then times, in this process:
- a GET of the content version and of a 10 KB page through redis-py with
  client-side caching on (RESP3, server-assisted invalidation), after the first
  read has filled its cache;
- a plain GET (a network round trip), for scale;
- exercises.cache's check of its own copy of the version (RedisVersion.current).
And whether a read right after another client's write sees the new value.
redis-py 8 refuses client-side caching with a Redis server older than 7.4
(Debian 12 ships 7.0): the script then says so and measures the rest.

    .venv/bin/python bench/client_cache_bench.py
"""

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_per_call(function, calls):
    samples = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(calls):
            function()
        samples.append((time.process_time() - started) / calls * 1e6)
    return statistics.median(samples)


def main():
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"]
        + ["--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
    )
    try:
        run(port)
    finally:
        server.terminate()
        server.wait(timeout=30)


def client_side(port, plain, CacheConfig):
    import redis

    cached = redis.Redis(port=port, protocol=3, cache_config=CacheConfig())
    cached.get("version")
    cached.get("page")
    version = cpu_per_call(lambda: cached.get("version"), 20_000)
    page = cpu_per_call(lambda: cached.get("page"), 20_000)
    print(f"redis-py client-side cache, GET of the version: {version:.1f}")
    print(f"redis-py client-side cache, GET of a 10 KB page: {page:.1f}")
    stale = 0
    for number in range(200):
        plain.set("version", f"v{number}")
        if cached.get("version") != f"v{number}".encode():
            stale += 1
    print(f"client-side cache, reads right after another's write: {stale} of 200 stale")


def run(port):
    import redis
    from redis.cache import CacheConfig

    for _ in range(50):
        try:
            redis.Redis(port=port).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    plain = redis.Redis(port=port)
    plain.set("version", "0123456789abcdef0123456789abcdef")
    plain.set("page", b"x" * 10_000)
    print(f"load average {os.getloadavg()[0]:.1f}; µs of CPU per call, median of 5")
    round_trip = cpu_per_call(lambda: plain.get("version"), 5_000)
    print(f"plain GET of the version (a round trip): {round_trip:.1f}")
    try:
        client_side(port, plain, CacheConfig)
    except redis.ConnectionError as error:
        # redis-py 8 refuses client-side caching on servers before Redis 7.4.
        version = plain.info("server")["redis_version"]
        print(f"redis-py client-side caching unavailable with Redis {version}: {error}")

    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        REDIS_URL=f"redis://127.0.0.1:{port}/0",
    )
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from exercises.cache import pages

    pages.version.current()
    check = cpu_per_call(pages.version.current, 20_000)
    print(f"exercises.cache pub/sub copy, version check: {check:.2f}")


if __name__ == "__main__":
    main()
