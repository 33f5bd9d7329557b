"""The database cache tables that settings.CACHES names.

The failed sign-in counts ("logins") and, without Redis, the page cache's
content version ("page_version") live in tables that Django otherwise makes
only with `manage.py createcachetable`: forgotten, the admin's sign-in answered
500. A copy of what createcachetable does (migrations never import live code),
skipping a table that createcachetable already made.
"""

from django.db import migrations, models

TABLES = ["login_failures", "page_cache_version"]


def create_cache_tables(apps, schema_editor):
    connection = schema_editor.connection
    existing = set(connection.introspection.table_names())
    qn = connection.ops.quote_name
    fields = (
        models.CharField(name="cache_key", max_length=255, unique=True, primary_key=True),
        models.TextField(name="value"),
        models.DateTimeField(name="expires", db_index=True),
    )
    for table in TABLES:
        if table in existing:
            continue
        columns = []
        for field in fields:
            column = f"{qn(field.name)} {field.db_type(connection=connection)} NOT NULL"
            if field.primary_key:
                column += " PRIMARY KEY"
            columns.append(column)
        schema_editor.execute(f"CREATE TABLE {qn(table)} ({', '.join(columns)})")
        schema_editor.execute(
            f"CREATE INDEX {qn(f'{table}_expires')} ON {qn(table)} ({qn('expires')})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0009_markdown_limits"),
    ]

    operations = [
        # Kept on the way back: the tables are createcachetable's too.
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop),
    ]
