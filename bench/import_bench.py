"""Wall-clock time of import_exercises: free-exercise-db's 873 records and a
generated catalogue of 10,000 exercises.

Builds a throwaway SQLite database (migrate + seed) in a temporary directory, then
runs each import as its own `manage.py import_exercises` process, as an editor
would, on a fresh copy of that database each time. Reports the median of --runs
runs: wall-clock time, and the CPU time of the process (these machines are
shared; when wall time is well above CPU time, something else had the CPU). An
import of an empty file is the baseline: Python and Django starting up.

    .venv/bin/python bench/import_bench.py [--runs 3] [--count 10000]
"""

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FREE_EXERCISE_DB = BASE_DIR.parent / "shared" / "data" / "free-exercise-db"


def manage(*args, env):
    """Run manage.py; return (wall seconds, CPU seconds, last line of output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *map(str, args)],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = result.stdout.strip().splitlines()
    return wall, cpu, lines[-1] if lines else ""


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--count", type=int, default=10_000)
    options = parser.parse_args()

    free_db_file = FREE_EXERCISE_DB / "exercises.json"
    if not free_db_file.exists():
        sys.exit(f"free-exercise-db data not found at {free_db_file}")

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        database = workdir / "bench.sqlite3"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{database}",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        manage("migrate", "--no-input", "--verbosity", "0", env=env)
        manage("seed", "--verbosity", "0", env=env)
        seeded = workdir / "seeded.sqlite3"
        shutil.copy(database, seeded)
        catalogue = workdir / "catalogue.json"
        manage(
            "generate_catalogue",
            "--count",
            options.count,
            "--output",
            catalogue,
            env=env,
        )
        empty = workdir / "empty.json"
        empty.write_text("[]")
        # Every record changed: updates save exercise by exercise.
        changed = workdir / "changed.json"
        records = json.loads(free_db_file.read_text(encoding="utf-8"))
        for record in records:
            record["instructions"].append("Rest, then repeat.")
        changed.write_text(json.dumps(records), encoding="utf-8")

        count = f"{options.count:,}"
        # Label, file imported before the timed run (or None), file timed.
        cases = [
            ("empty file (startup baseline)", None, empty),
            ("free-exercise-db, 873 records, new", None, free_db_file),
            ("free-exercise-db, again (unchanged)", free_db_file, free_db_file),
            ("free-exercise-db, every record changed", free_db_file, changed),
            (f"generated, {count} exercises, new", None, catalogue),
            (f"generated, {count}, again (unchanged)", catalogue, catalogue),
        ]
        print(f"CPUs: {os.cpu_count()} x {cpu_model()}")
        print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
        print(f"load average at start: {os.getloadavg()}")
        print(f"median of {options.runs} runs\n")
        print(f"{'case':<42} {'wall s':>7} {'CPU s':>7}  summary")
        for label, first, timed in cases:
            walls, cpus = [], []
            for _ in range(options.runs):
                shutil.copy(seeded, database)
                if first:
                    manage("import_exercises", first, env=env)
                wall, cpu, summary = manage("import_exercises", timed, env=env)
                walls.append(wall)
                cpus.append(cpu)
            print(
                f"{label:<42} {statistics.median(walls):>7.2f} "
                f"{statistics.median(cpus):>7.2f}  {summary}"
            )
        print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
