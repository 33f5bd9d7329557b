"""Requests per second of public pages under load: gunicorn on loopback, wrk.

Builds a throwaway SQLite database with the fixtures and the real catalogue
(free-exercise-db's 873 records, published), collects static files into a
temporary directory, starts Redis (unless --no-redis) and gunicorn with DEBUG
off, then loads each page with wrk. /healthz, a view that only answers "ok"
through the whole middleware stack, is the ceiling: in every round each page is
run right after its own ceiling turn, and the page's figure is the median of
those per-round ratios, so that other load on the machine falls on both alike.
The load average is recorded around every turn.

Also measured, in-process: SQL queries per page with a cold and a warm page
cache, and the CPU time of a cached hit (config.wsgi.application called
directly: no server, no network). After the load: how soon an edit made in another
process shows in the served pages.

With --nginx the pages are served through nginx (docs/deploy.md's front-server
configuration: keep-alive to gunicorn, a 1 s micro-cache), and the ceiling is
nginx serving the same page as a static file.

    .venv/bin/python bench/load_bench.py [--duration 30] [--rounds 3]
        [--connections 64] [--workers 2] [--threads 1] [--no-redis]
        [--no-page-cache] [--nginx]

Needs wrk (apt-get install wrk), redis-server unless --no-redis, and nginx for
--nginx. Traffic goes to 127.0.0.1 only and stops after each run.
"""

import argparse
import gzip
import io
import os
import pwd
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CATALOGUE = BASE_DIR.parent / "shared/data/free-exercise-db/exercises.json"

CEILING = "/healthz"
STATIC_PAGE = "/bench-static/leg-kickbacks.html"
PAGES = [
    ("exercise page", "/exercises/leg-kickbacks/"),
    ("muscle page", "/muscles/glutes/"),
    ("list page", "/exercises/"),
]
# As browsers send it.
ACCEPT_ENCODING = "gzip, deflate, br"
# Settings for the run: the project's, with static files in the temporary
# directory and no HTTPS redirect on loopback, whatever the security settings.
BENCH_SETTINGS = """\
from config.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
"""
# docs/deploy.md's configuration, on loopback and without TLS.
NGINX_CONF = """\
# The temporary directory is the bench user's only (as root: workers too).
user {user};
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    include /etc/nginx/mime.types;

    upstream atlas {{
        server 127.0.0.1:{upstream};
        keepalive 32;
    }}
    proxy_cache_path {tmp}/nginx-cache levels=1:2 keys_zone=atlas:10m
                     max_size=100m inactive=10s use_temp_path=off;
    map $http_cookie $atlas_session {{
        default 0;
        "~(^|;)\\s*sessionid=" 1;
    }}

    server {{
        listen 127.0.0.1:{port};
        location /bench-static/ {{
            root {tmp}/www;
            gzip_static on;
            add_header Vary Accept-Encoding;
        }}
        location / {{
            proxy_pass http://atlas;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Real-IP $remote_addr;

            proxy_cache atlas;
            proxy_cache_key $scheme$host$request_uri;
            proxy_cache_valid 200 301 302 404 1s;
            proxy_ignore_headers Cache-Control Expires;
            proxy_cache_bypass $atlas_session;
            proxy_no_cache $atlas_session;
            proxy_cache_use_stale updating;
            proxy_cache_background_update on;
            proxy_cache_lock on;
            proxy_cache_lock_timeout 50ms;
        }}
        location ~ ^/(healthz$|admin/|markdownx/) {{
            proxy_pass http://atlas;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Real-IP $remote_addr;
        }}
    }}
}}
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read(), response.headers


def wait_until_up(url, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return fetch(url)[0]
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
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
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
        "p50": millis("50"),
        "p99": millis("99"),
        "errors": int(number(r"Non-2xx or 3xx responses: (\d+)"))
        + (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0),
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
        "-H",
        f"Accept-Encoding: {ACCEPT_ENCODING}",
        url,
    ]
    load = os.getloadavg()[0]
    output = subprocess.run(command, capture_output=True, text=True, check=True)
    return {**parse_wrk(output.stdout), "load": load}, " ".join(command)


def in_process_figures(env, hits):
    """Queries per page (cold / warm cache) and CPU per cached hit."""
    os.environ.update(env)
    sys.path[:0] = env["PYTHONPATH"].split(os.pathsep)
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from config.wsgi import application
    from exercises.cache import clear_page_cache

    def call(path):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_ACCEPT_ENCODING": ACCEPT_ENCODING,
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        status = []
        response = application(environ, lambda s, headers: status.append(s))
        body = b"".join(response)
        if hasattr(response, "close"):
            response.close()
        assert status[0].startswith("200"), (path, status)
        return body

    cache.clear()
    clear_page_cache()
    queries = {}
    for _, path in [("ceiling", CEILING), *PAGES]:
        found = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                call(path)
            found.append(len(captured))
        queries[path] = found
    cpu = {}
    for path in [CEILING, PAGES[0][1]]:
        call(path)
        samples = []
        for _ in range(5):
            started = time.process_time()
            for _ in range(hits):
                call(path)
            samples.append((time.process_time() - started) / hits * 1e6)
        cpu[path] = statistics.median(samples)
    cache.clear()
    clear_page_cache()
    connection.close()
    return queries, cpu


EDIT = """
from exercises.models import Exercise
exercise = Exercise.objects.get(slug="leg-kickbacks")
exercise.name = {name!r}
exercise.save()
"""


def edit_visibility(base, env, tries=5, requests=40):
    """Save in another process; then how many served pages were still old."""
    stale = 0
    slowest = 0.0
    for number in range(tries):
        name = f"Leg Kickbacks {number}"
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", EDIT.format(name=name)],
            cwd=BASE_DIR,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        saved = time.monotonic()
        for _ in range(requests):
            _, body, headers = fetch(base + PAGES[0][1])
            if name.encode() not in body:
                stale += 1
                slowest = time.monotonic() - saved
    return stale, tries * requests, slowest


def median(values):
    return statistics.median(values) if values else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per page")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="turns per page")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--threads", type=int, default=1, help="> 1: gunicorn's gthread workers"
    )
    parser.add_argument("--hits", type=int, default=2000, help="in-process hits")
    parser.add_argument(
        "--no-redis",
        action="store_true",
        help="the content version in the database, pages in each worker",
    )
    parser.add_argument(
        "--no-page-cache", action="store_true", help="PAGE_CACHE_SECONDS=0"
    )
    parser.add_argument(
        "--nginx", action="store_true", help="through nginx with its micro-cache"
    )
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE)
    options = parser.parse_args()
    for tool, needed in [
        ("wrk", True),
        ("redis-server", not options.no_redis),
        ("nginx", options.nginx),
    ]:
        if needed and not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install {tool}")

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
            "DJANGO_SITE_URL": "http://127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "PAGE_CACHE_SECONDS": "0" if options.no_page_cache else "600",
            "DJANGO_LOG_LEVEL": "WARNING",
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
            manage("import_exercises", "--publish", str(options.catalogue), env=env)
            manage("collectstatic", "--no-input", "--verbosity", "0", env=env)
            queries, cpu = in_process_figures(env, options.hits)

            port = free_port()
            worker_class = ["--threads", str(options.threads)]
            if options.threads > 1:
                worker_class += ["--worker-class", "gthread"]
            processes.append(
                subprocess.Popen(
                    [BIN / "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
                    + ["--workers", str(options.workers), *worker_class]
                    + ["--log-level", "warning"],
                    cwd=BASE_DIR,
                    env=env,
                )
            )
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base + CEILING)
            for _, path in PAGES:
                for _ in range(5):
                    fetch(base + path, {"Accept-Encoding": ACCEPT_ENCODING})
            served = base
            ceiling = CEILING
            if options.nginx:
                served, ceiling = start_nginx(tmp, port, base, processes)

            # Each page right after a ceiling turn of its own, round after round.
            seconds = max(1, options.duration // options.rounds)
            rounds = {path: [] for _, path in PAGES}
            ceilings = {path: [] for _, path in PAGES}
            for number in range(options.rounds):
                for _, path in PAGES:
                    print(f"round {number + 1}: {path}", file=sys.stderr)
                    ceilings[path].append(
                        run_wrk(served + ceiling, seconds, options)[0]
                    )
                    result, command = run_wrk(served + path, seconds, options)
                    rounds[path].append(result)
            if not options.no_page_cache:
                visibility = edit_visibility(base, env)
        finally:
            for process in reversed(processes):
                process.terminate()
                process.wait(timeout=30)

    report(options, queries, cpu, rounds, ceilings, command, seconds, ceiling)
    if not options.no_page_cache:
        stale, total, slowest = visibility
        print(
            f"\nEdit in another process, then {total // 5} requests right after the "
            f"save returned, 5 times: {stale} of {total} served the old page"
            + (f" (the last {slowest * 1000:.0f} ms after the save)" if stale else "")
        )


def start_nginx(tmp, upstream, base, processes):
    """nginx in front of gunicorn, and the page as a static file beside it."""
    www = tmp / "www" / STATIC_PAGE.strip("/").rsplit("/", 1)[0]
    www.mkdir(parents=True)
    page = fetch(base + PAGES[0][1], {"Accept-Encoding": "identity"})[1]
    (www / "leg-kickbacks.html").write_bytes(page)
    (www / "leg-kickbacks.html.gz").write_bytes(gzip.compress(page, 9))
    port = free_port()
    conf = tmp / "nginx.conf"
    user = pwd.getpwuid(os.getuid()).pw_name
    conf.write_text(NGINX_CONF.format(tmp=tmp, upstream=upstream, port=port, user=user))
    processes.append(subprocess.Popen(["nginx", "-c", str(conf), "-g", "daemon off;"]))
    served = f"http://127.0.0.1:{port}"
    wait_until_up(served + STATIC_PAGE)
    return served, STATIC_PAGE


def report(options, queries, cpu, rounds, ceilings, command, seconds, ceiling):
    cache = (
        "no page cache"
        if options.no_page_cache
        else (
            "content version in the database, pages in each worker"
            if options.no_redis
            else "Redis (version by pub/sub), pages in each worker"
        )
    )
    workers = (
        f"{options.workers} gthread workers x {options.threads} threads"
        if options.threads > 1
        else f"{options.workers} sync workers"
    )
    front = ", through nginx (1 s micro-cache)" if options.nginx else ""
    print(
        f"\ngunicorn {workers}, {cache}{front}; {options.rounds} rounds of "
        f"{seconds} s per page, each after a {seconds} s turn of the ceiling "
        f"`{ceiling}`; wrk at {options.connections} connections: `{command}`\n"
    )
    print(
        "| page | requests/s (median) | ceiling requests/s (median) "
        "| of ceiling: median (rounds) | p50 ms | worst p99 ms "
        "| ceiling worst p99 ms | errors | load average | queries cold / warm |"
    )
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: |")
    for name, path in PAGES:
        results, beside = rounds[path], ceilings[path]
        pairs = list(zip(results, beside, strict=True))
        ratios = [r["rps"] / c["rps"] for r, c in pairs]
        loads = [r["load"] for r in results + beside]
        cold, warm = queries[path]
        print(
            f"| {name} `{path}` | {median([r['rps'] for r in results]):.0f} "
            f"| {median([c['rps'] for c in beside]):.0f} "
            f"| **{median(ratios):.2f}** "
            f"({', '.join(f'{ratio:.2f}' for ratio in ratios)}) "
            f"| {median([r['p50'] for r in results]):.1f} "
            f"| {max(r['p99'] for r in results):.1f} "
            f"| {max(c['p99'] for c in beside):.1f} "
            f"| {sum(r['errors'] + c['errors'] for r, c in pairs)} "
            f"| {min(loads):.1f}–{max(loads):.1f} | {cold} / {warm} |"
        )
    print(
        "\nIn-process CPU per request (config.wsgi.application called directly, "
        f"median of 5 x {options.hits}): `/healthz` {cpu[CEILING]:.0f} µs, "
        f"cached exercise page {cpu[PAGES[0][1]]:.0f} µs."
    )


if __name__ == "__main__":
    main()
