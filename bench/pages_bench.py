"""Server time of the list, search, filtered list and muscle pages at scale.

Builds a throwaway SQLite database with a synthetic catalogue (10,000 exercises by
default), then times each page in-process through Django's test client, with the
page cache off so every request renders. A trivial view (/healthz) timed in the
same run is the baseline: these machines are shared and noisy.

    .venv/bin/python bench/pages_bench.py [--count 10000] [--requests 200]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

PAGES = [
    ("baseline /healthz", "/healthz"),
    ("list, page 1", "/exercises/"),
    ("list, page 100", "/exercises/?page=100"),
    ("search 'curl'", "/exercises/?q=curl"),
    ("search 'dumbbell press'", "/exercises/?q=dumbbell+press"),
    ("filtered: glutes as target", "/exercises/?muscle=glutes&role=target"),
    (
        "filtered: chest, dumbbell, compound",
        "/exercises/?muscle=chest&equipment=dumbbell&mechanics=compound",
    ),
    ("muscle group page /muscles/glutes/", "/muscles/glutes/"),
    ("muscle page /muscles/gluteus-maximus/", "/muscles/gluteus-maximus/"),
    ("exercise page", None),
]


def manage(*args, env):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True
    )


def build_database(workdir, count):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    catalogue = workdir / "catalogue.json"
    manage("migrate", "--no-input", "--verbosity", "0", env=env)
    # The muscles and search synonyms only: the synthetic catalogue stands in
    # for free-exercise-db and the articles (its names may repeat theirs).
    fixtures = [
        "fixtures/muscles.json",
        "fixtures/muscle-redirects.json",
        "fixtures/search_synonyms.json",
    ]
    manage("loaddata", *fixtures, "--verbosity", "0", env=env)
    manage("generate_catalogue", "--count", str(count), "--output", catalogue, env=env)
    started = time.perf_counter()
    manage("import_exercises", catalogue, "--publish", env=env)
    print(f"imported {count} exercises in {time.perf_counter() - started:.1f} s")
    return env


def django_client(workdir, count):
    """A test client of a production-like Django on a fresh database of count
    exercises: debug off (no query log, no template debug), the page cache
    off so every request renders, plain static storage (no collectstatic)."""
    os.environ.update(build_database(workdir, count))
    os.environ.update(
        {
            "PAGE_CACHE_SECONDS": "0",
            "DJANGO_SETTINGS_MODULE": "config.test_settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-only-" + "x" * 50,
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_ALLOWED_HOSTS": "localhost",
            "DJANGO_SITE_URL": "http://localhost",
        }
    )
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    # Lets the test client see each response's context (the result count).
    setup_test_environment()
    return Client(HTTP_HOST="localhost")


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        client = django_client(Path(tmp), options.count)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from exercises.models import Exercise

        exercise = Exercise.objects.published().order_by("pk")[options.count // 2]
        print(f"\n{options.requests} requests per page, after 10 warm-up requests")
        print(
            f"{'page':40} {'p50 ms':>8} {'p95 ms':>8} {'p95/base':>9} "
            f"{'queries':>8} {'results':>8}"
        )
        baseline_p95 = None
        for name, url in PAGES:
            url = url or exercise.get_absolute_url()
            for _ in range(10):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            # Counted now: the next request empties Django's query log.
            query_count = len(queries)
            page = response.context and response.context.get("page")
            results = page.paginator.count if page else ""
            samples = []
            for _ in range(options.requests):
                started = time.perf_counter()
                client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
            p50, p95 = statistics.median(samples), percentile(samples, 0.95)
            baseline_p95 = baseline_p95 or p95
            print(
                f"{name:40} {p50:8.1f} {p95:8.1f} {p95 / baseline_p95:9.1f} "
                f"{query_count:8} {results!s:>8}"
            )


if __name__ == "__main__":
    main()
