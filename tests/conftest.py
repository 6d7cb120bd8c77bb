"""Shared fixtures: a small company (two teams, their managers and reps, an admin) and
API clients authenticated as each of them."""

import importlib
import uuid

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from tests.factories.accounts import AdminFactory, ManagerFactory, RepFactory, TeamFactory

PIPELINE_STAGES = importlib.import_module("crm.migrations.0002_pipeline_stages_data")
DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def _ensure_pipeline_stages(django_db_blocker) -> None:
    from crm.models import Stage

    with django_db_blocker.unblock():
        if Stage.objects.count() < len(PIPELINE_STAGES.STAGES):
            PIPELINE_STAGES.create_stages(apps, schema_editor=None)


@pytest.fixture(autouse=True)
def _pipeline_stages(request, django_db_blocker):
    """The pipeline stages are rows a data migration creates. A transactional test (every
    browser journey) empties all tables when it ends, and a reused test database never runs
    data migrations again: put the stages back around every test that uses the database, so
    no test depends on which ran before it."""
    uses_db = request.node.get_closest_marker("django_db") or DB_FIXTURES & set(
        request.fixturenames
    )
    if uses_db:
        _ensure_pipeline_stages(django_db_blocker)
    yield
    if uses_db:
        _ensure_pipeline_stages(django_db_blocker)


@pytest.fixture(autouse=True)
def _celery_eager(settings):
    """Tasks run in-process unless a test starts a real worker (see test_celery_worker)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from crm.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


UNLIMITED = "1000000/min"


@pytest.fixture(autouse=True)
def _api_throttles_out_of_the_way(monkeypatch):
    """API rate limits never decide an unrelated test: every test counts in its own cache
    namespace (workers share one Redis, many tests call the API as user 1 or from 127.0.0.1)
    at rates no test reaches. tests/test_api_throttling.py sets low rates to prove the 429."""
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "cache_format", f"throttle:{uuid.uuid4().hex}:%(scope)s:%(ident)s"
    )
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"user": UNLIMITED, "anon": UNLIMITED, "auth-token": UNLIMITED},
    )


@pytest.fixture
def company(db):
    """Two teams, each with a manager and two reps; one admin."""
    north_mgr = ManagerFactory(username="north_mgr")
    south_mgr = ManagerFactory(username="south_mgr")
    north = TeamFactory(name="North", manager=north_mgr)
    south = TeamFactory(name="South", manager=south_mgr, time_zone="America/New_York")
    north_mgr.team = north
    north_mgr.save()
    south_mgr.team = south
    south_mgr.save()
    return {
        "north": north,
        "south": south,
        "north_mgr": north_mgr,
        "south_mgr": south_mgr,
        "rep": RepFactory(username="rep_a", team=north),
        "other_rep": RepFactory(username="rep_b", team=north),
        "south_rep": RepFactory(username="rep_c", team=south),
        "admin": AdminFactory(username="admin"),
    }


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as():
    """api_as(user) -> an APIClient authenticated as that user."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
