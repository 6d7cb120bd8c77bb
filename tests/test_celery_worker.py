"""A task really travels through Redis to a real Celery worker and back.

The rest of the suite runs tasks eagerly (tests/conftest.py); this module turns that off and
starts an in-process worker consuming from the Redis broker named in the environment.
"""

import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from celery.exceptions import TimeoutError as CeleryTimeout
from celery.result import EagerResult
from celery.schedules import crontab
from django.conf import settings

from crm.celery import app, ping

pytestmark = pytest.mark.celery_worker


@pytest.fixture(autouse=True)
def _celery_eager(settings):
    """Overrides the suite-wide eager mode: tasks here go through the broker."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    yield


def drop_queue(name: str) -> None:
    """Remove a test queue and kombu's bookkeeping for it from Redis."""
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        keys = [name, *client.scan_iter(match=f"_kombu.binding*{name}")]
        client.delete(*keys)
        client.zrem("_kombu.binding_deadlines", name)


@pytest.fixture
def queue():
    """A queue of our own, so parallel test runs sharing this Redis never steal our tasks."""
    name = f"test-ping-{uuid.uuid4().hex}"
    yield name
    drop_queue(name)


@pytest.fixture
def worker(queue):
    assert app.conf.broker_url.startswith("redis://"), "the integration test needs Redis"
    with start_worker(
        app,
        pool="solo",
        concurrency=1,
        queues=[queue],
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=10,
    ) as running:
        yield running


def test_a_task_travels_through_redis_to_a_worker_and_back(worker, queue):
    # Given a real worker consuming from Redis, and eager mode off
    # When the ping task is sent
    result = ping.apply_async(queue=queue)
    # Then it was queued, not run in-process, and the worker's answer comes back in time
    assert not isinstance(result, EagerResult)
    assert result.get(timeout=10) == "pong"
    assert result.state == "SUCCESS"


def test_a_task_nobody_consumes_times_out_instead_of_answering(worker):
    # Given a task sent to a queue no worker listens on
    nobody = f"nobody-{uuid.uuid4().hex}"
    result = ping.apply_async(queue=nobody)
    try:
        # Then waiting for it times out (the round trip above is real, not faked)
        with pytest.raises(CeleryTimeout):
            result.get(timeout=1)
    finally:
        drop_queue(nobody)


def test_beat_schedule_names_registered_tasks_with_crontab_and_expiry():
    # Given every task module the app autodiscovers
    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule, "CELERY_BEAT_SCHEDULE is empty"
    for name, entry in schedule.items():
        # Then each periodic job names a task a worker knows, runs on a crontab, and expires
        assert entry["task"] in app.tasks, f"{name}: task {entry['task']!r} is not registered"
        assert isinstance(entry["schedule"], crontab), f"{name}: schedule is not a crontab"
        expires = (entry.get("options") or {}).get("expires")
        assert expires and expires > 0, f"{name}: options.expires is not set"
    assert app.conf.beat_schedule == schedule, "the Celery app does not use the settings schedule"
