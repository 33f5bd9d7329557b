"""Imports that cannot be read or written end in a clear error and exit 1."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from exercises.models import Exercise
from tests.factories import free_db_record

pytestmark = pytest.mark.django_db


def manage(*args, database):
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key not in {"REDIS_URL", "DATABASE_URL"}
    }
    # timeout: how long SQLite waits for a lock before giving up.
    environ["DATABASE_URL"] = f"sqlite:///{database}?timeout=1"
    environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_json_nested_200000_deep_is_a_clear_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(CommandError, match="nested too deeply"):
        call_command("import_exercises", str(path))
    assert not Exercise.objects.exists()


def test_an_import_while_another_writes_fails_cleanly_and_writes_nothing(tmp_path):
    database = tmp_path / "db.sqlite3"
    assert manage("migrate", "--no-input", database=database).returncode == 0
    loaded = manage("loaddata", "fixtures/muscles.json", database=database)
    assert loaded.returncode == 0, loaded.stderr
    path = tmp_path / "exercises.json"
    path.write_text(json.dumps([free_db_record()]))

    # Another import (or any writer) holds SQLite's write lock meanwhile.
    other = sqlite3.connect(database)
    other.execute("BEGIN IMMEDIATE")
    try:
        result = manage("import_exercises", str(path), database=database)
    finally:
        other.rollback()
        other.close()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "nothing was imported: the database refused the import" in result.stderr
    with sqlite3.connect(database) as check:
        assert check.execute("select count(*) from exercises_exercise").fetchone() == (
            0,
        )

    # Once the other writer is done, the same import goes through.
    result = manage("import_exercises", str(path), database=database)
    assert result.returncode == 0, result.stderr
    assert "created 1" in result.stdout
