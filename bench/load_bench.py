"""Requests per second of public pages under load: gunicorn on loopback, wrk.

Builds a throwaway SQLite database with the fixtures, collects static files into
a temporary directory, starts Redis (the shared page cache) and gunicorn with
DEBUG off and one worker per CPU, then loads each page with wrk in turn. /healthz,
a view that does nothing, is the ceiling: the other pages are also given as a
fraction of it. SQL queries per page are counted separately, in-process.

    .venv/bin/python bench/load_bench.py [--duration 30] [--connections 64]
        [--rounds 3] [--no-redis] [--no-page-cache]

Needs wrk (apt-get install wrk) and redis-server (apt-get install redis-server)
unless --no-redis. Traffic goes to 127.0.0.1 only and stops after each run.
"""

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

CEILING = "/healthz"
PAGES = [
    ("exercise page", "/exercises/leg-kickbacks/"),
    ("muscle page", "/muscles/glutes/"),
    ("list page", "/exercises/"),
]
# Settings for the run: the project's, with static files in the temporary
# directory and no HTTPS redirect on loopback, whatever the security settings.
BENCH_SETTINGS = """\
from config.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wait_for_port(port, seconds=10):
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def manage(*args, env):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True
    )


def parse_wrk(output):
    def number(pattern, default=0.0):
        match = re.search(pattern, output)
        return float(match.group(1)) if match else default

    def millis(label):
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": int(number(r"(\d+) requests in")),
        "p50": millis("50"),
        "p99": millis("99"),
        "non_2xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
        "socket_errors": (
            sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
        ),
        "socket_detail": socket_errors.group(0) if socket_errors else "none",
    }


def run_wrk(url, seconds, options):
    threads = min(os.cpu_count() or 1, options.connections, 4)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{options.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(output.stdout), " ".join(command)


def combine(rounds, seconds):
    """One page's rounds as one result: the worst round's p99, the median p50."""
    p50s = sorted(result["p50"] for result in rounds)
    return {
        "rps": sum(result["requests"] for result in rounds) / (seconds * len(rounds)),
        "p50": p50s[len(p50s) // 2],
        "p99": max(result["p99"] for result in rounds),
        "non_2xx": sum(result["non_2xx"] for result in rounds),
        "socket_errors": sum(result["socket_errors"] for result in rounds),
        "socket_detail": "; ".join(result["socket_detail"] for result in rounds),
    }


def count_queries(env):
    """Queries per page with a cold and with a warm page cache, in-process."""
    os.environ.update(env)
    sys.path[:0] = env["PYTHONPATH"].split(os.pathsep)
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    cache.clear()
    for _, path in [("ceiling", CEILING), *PAGES]:
        found = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200, path
            found.append(len(queries))
        counts[path] = found
    cache.clear()
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per page")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--rounds", type=int, default=3, help="split each page's time into turns"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--no-redis",
        action="store_true",
        help="each worker caches pages in its own memory",
    )
    parser.add_argument(
        "--no-page-cache", action="store_true", help="PAGE_CACHE_SECONDS=0"
    )
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    if not options.no_redis and not shutil.which("redis-server"):
        sys.exit("redis-server is missing: apt-get install redis-server, or --no-redis")

    processes = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "bench_settings.py").write_text(
            BENCH_SETTINGS.format(static_root=str(tmp / "static"))
        )
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(tmp), str(BASE_DIR)]),
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "PAGE_CACHE_SECONDS": "0" if options.no_page_cache else "600",
        }
        env.pop("REDIS_URL", None)
        try:
            if not options.no_redis:
                redis_port = free_port()
                processes.append(
                    subprocess.Popen(
                        ["redis-server", "--port", str(redis_port), "--save", ""]
                        + ["--appendonly", "no", "--bind", "127.0.0.1"],
                        stdout=subprocess.DEVNULL,
                    )
                )
                wait_for_port(redis_port)
                env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            manage("migrate", "--no-input", "--verbosity", "0", env=env)
            manage("seed", "--verbosity", "0", env=env)
            manage("collectstatic", "--no-input", "--verbosity", "0", env=env)
            queries = count_queries(env)

            port = free_port()
            processes.append(
                subprocess.Popen(
                    [BIN / "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
                    + ["--workers", str(options.workers), "--log-level", "warning"],
                    cwd=BASE_DIR,
                    env=env,
                )
            )
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base + CEILING)
            for _, path in [("ceiling", CEILING), *PAGES]:
                for _ in range(5):
                    assert wait_until_up(base + path) == 200, path

            # Pages take turns, round after round, so that a change in the
            # machine's other load falls on all of them alike.
            seconds = max(1, options.duration // options.rounds)
            rounds = {path: [] for _, path in [("ceiling", CEILING), *PAGES]}
            for number in range(options.rounds):
                for path, results in rounds.items():
                    print(f"round {number + 1}: wrk {path}", file=sys.stderr)
                    result, command = run_wrk(base + path, seconds, options)
                    results.append(result)
            results = {path: combine(found, seconds) for path, found in rounds.items()}
        finally:
            for process in reversed(processes):
                process.terminate()
                process.wait(timeout=30)

    cache = (
        "no page cache"
        if options.no_page_cache
        else ("page cache in each worker's memory" if options.no_redis else "Redis")
    )
    ceiling = results[CEILING]["rps"]
    print(
        f"\n{options.workers} gunicorn sync workers, {cache}; wrk "
        f"{options.connections} connections, {options.duration} s per page in "
        f"{options.rounds} rounds: `{command}`\n"
    )
    print(
        "| page | requests/s | of ceiling | p50 ms | worst p99 ms | errors "
        "| queries cold / warm |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, path in [("ceiling: /healthz", CEILING), *PAGES]:
        result = results[path]
        errors = result["non_2xx"] + result["socket_errors"]
        cold, warm = queries[path]
        print(
            f"| {name} `{path}` | {result['rps']:.0f} | "
            f"{result['rps'] / ceiling:.2f} | {result['p50']:.1f} | "
            f"{result['p99']:.1f} | {errors} | {cold} / {warm} |"
        )
    for path, result in results.items():
        if result["non_2xx"] or result["socket_errors"]:
            print(f"{path}: {result['non_2xx']} non-2xx/3xx, {result['socket_detail']}")


if __name__ == "__main__":
    main()
