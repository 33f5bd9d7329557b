"""Migrations are frozen history: they never import the app's live code."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

MIGRATIONS = sorted(
    (Path(settings.BASE_DIR) / "exercises" / "migrations").glob("0*.py")
)


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda path: path.name)
def test_migration_imports_no_live_code_of_the_app(path):
    live = [
        module
        for module in imported_modules(path)
        if module.startswith(("exercises", "."))
    ]
    assert live == []
