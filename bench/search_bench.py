"""Server time of searches at scale: relevance order, typos, synonyms, hints.

Builds the same throwaway SQLite database as pages_bench.py (a synthetic
catalogue, 10,000 exercises by default, plus the seeded search synonyms), then
times each search in-process through Django's test client with the page cache
off, so every request searches and renders. /healthz is the baseline. The load
average is printed before and after: these machines are shared, and under load
wall-clock times grow with the queue for the CPU, so the process's CPU time per
request (time.process_time) is printed too. Each process keeps the search index
(exercises/search_index.py) while nothing changes; the time to read it again,
which the first search after an edit pays in each process, is printed last.

    .venv/bin/python bench/search_bench.py [--count 10000] [--requests 200]
"""

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from pages_bench import django_client, percentile

SEARCHES = [
    ("baseline /healthz", "/healthz"),
    ("list, no search", "/exercises/"),
    ("'curl' (many results)", "/exercises/?q=curl"),
    ("'a' (a word of almost every name)", "/exercises/?q=a"),
    ("'hip thrust' (ranked)", "/exercises/?q=hip+thrust"),
    ("'dumbbell press'", "/exercises/?q=dumbbell+press"),
    ("'push up' (joined spelling)", "/exercises/?q=push+up"),
    ("'rdl' (synonym)", "/exercises/?q=rdl"),
    ("'db curl' (synonym)", "/exercises/?q=db+curl"),
    ("'sqaut' (typo corrected)", "/exercises/?q=sqaut"),
    ("'dumbell curl' (typo corrected)", "/exercises/?q=dumbell+curl"),
    ("'hip thrust plank' (did you mean)", "/exercises/?q=hip+thrust+plank"),
    ("'squat', glutes, barbell", "/exercises/?q=squat&muscle=glutes&equipment=barbell"),
]


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        client = django_client(Path(tmp), options.count)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        print(f"\nload average (1, 5, 15 min) before: {load_average()}")
        print(f"{options.requests} requests per search, after 10 warm-up requests")
        print(
            f"{'search':38} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
            f"{'cpu p95':>7} {'queries':>7} {'results':>7}  first result / note"
        )
        for name, url in SEARCHES:
            for _ in range(10):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            query_count = len(queries)
            context = response.context
            page = context and context.get("page")
            results = page.paginator.count if page is not None else ""
            note = ""
            if page and page.object_list:
                note = page.object_list[0].name
            if context and context.get("corrected"):
                note += f" (for “{context['corrected']}”)"
            if context and context.get("suggestions"):
                note = "did you mean " + ", ".join(n for n, _ in context["suggestions"])
            samples, cpu = [], []
            for _ in range(options.requests):
                started, started_cpu = time.perf_counter(), time.process_time()
                client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            print(
                f"{name:38} {statistics.median(samples):7.1f} "
                f"{percentile(samples, 0.95):7.1f} {percentile(samples, 0.99):7.1f} "
                f"{percentile(cpu, 0.95):7.1f} {query_count:7} {results!s:>7}  {note}"
            )
        from exercises.finder import Catalogue

        builds = []
        for _ in range(5):
            started = time.process_time()
            Catalogue()
            builds.append((time.process_time() - started) * 1000)
        print(
            "reading the search index again (the first search in each process "
            f"after an edit): {statistics.median(builds):.0f} ms CPU, median of 5"
        )
        print(f"load average (1, 5, 15 min) after: {load_average()}")


if __name__ == "__main__":
    main()
