"""Counting a page's own queries."""

from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextmanager
def page_queries():
    """Yields the list of the queries made inside, filled in on exit.

    Without Redis every cacheable request also reads the page cache's content
    version from the database: one query, not the page's, left out (as
    tests/test_pages.py count_queries does).
    """
    found = []
    with CaptureQueriesContext(connection) as captured:
        yield found
    found.extend(q for q in captured if "page_cache_version" not in q["sql"])
