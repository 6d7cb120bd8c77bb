"""Rows that migrations create (pipeline stages, content types, permissions) survive
transactional tests.

pytest-django runs a transactional test (live_server, transactional_db, or
django_db(transaction=True)) on real commits and empties every table afterwards. Rows a data
migration created are then gone for the rest of the run and, with --reuse-db, for every later
run on the same test database. This hook puts them back right after the flush, from the
snapshot pytest-django takes when any collected test asks for serialized rollback (the browser
harness's app_url fixture does).

Hooks in a conftest only see tests below it: import this name into a conftest to cover its
folder; tests/conftest.py imports it, so it covers the whole suite.
"""

import pytest
from django.db import connections
from pytest_django.fixtures import validate_django_db
from pytest_django.plugin import blocking_manager_key

RESTORED = pytest.StashKey[bool]()


def is_transactional(item: pytest.Item) -> bool:
    """Does pytest-django run this test on a transactional database (emptied afterwards)?"""
    if {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and validate_django_db(marker)[0])


def pytest_fixture_post_finalizer(fixturedef, request) -> None:
    """Runs right after pytest-django's database fixture is torn down (the flush), while the
    test database is still the current one."""
    if fixturedef.argname != "_django_db_helper" or not is_transactional(request.node):
        return
    if request.node.stash.get(RESTORED, False):  # imported by more than one conftest
        return
    request.node.stash[RESTORED] = True
    with request.config.stash[blocking_manager_key].unblock():
        for conn in connections.all(initialized_only=True):
            contents = getattr(conn, "_test_serialized_contents", None)
            if contents:
                conn.creation.deserialize_db_from_string(contents)
