"""/healthz tells a load balancer whether the database and the Celery broker answer.

Runs against the real PostgreSQL and Redis of the test environment; a dead broker is
simulated by pointing the Celery app at a closed port.
"""

import socket
import time

import pytest
from django.db import OperationalError, connection

from crm.celery import app as celery_app

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A local TCP port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_url(monkeypatch):
    """Point the Celery app's broker connection elsewhere for one test.

    The app's configured URL cannot simply be reassigned: Celery prefers the
    CELERY_BROKER_URL environment variable, so the connection factory is overridden."""
    original = celery_app.connection_for_write

    def use(url: str) -> None:
        monkeypatch.setattr(
            celery_app, "connection_for_write", lambda _url=None, **kw: original(url, **kw)
        )

    return use


def test_healthy_when_database_and_broker_answer(client):
    # Given real PostgreSQL and Redis, and nobody logged in
    assert connection.vendor == "postgresql"
    assert celery_app.conf.broker_url.startswith("redis://")
    # When the health URL is polled
    response = client.get("/healthz")
    # Then it answers 200 with every check ok
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_unavailable_with_the_reason_when_the_broker_is_down(client, broker_url):
    # Given a broker URL pointing at a port where nothing listens
    broker_url(f"redis://127.0.0.1:{closed_port()}/0")
    # When the health URL is polled
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started
    # Then it answers 503 quickly, naming the failing part and keeping the healthy one ok
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: "), body
    assert "127.0.0.1" not in body["broker"], "the probe must not leak connection details"
    assert elapsed < 3, f"/healthz took {elapsed:.1f} s with a dead broker"


def test_a_broker_that_never_answers_cannot_hang_the_probe(client, broker_url):
    # Given a broker that accepts TCP connections but never says a word
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        broker_url(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        # When the health URL is polled
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    # Then it gives up within about three seconds and reports the broker as failing
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error: ")
    assert elapsed < 3.5, f"/healthz took {elapsed:.1f} s with a silent broker"


def test_only_get_is_allowed(client):
    # When something tries to POST to the health URL
    response = client.post("/healthz")
    # Then it is refused as a method error, not a 500
    assert response.status_code == 405


def test_unavailable_when_the_database_is_down(client, monkeypatch):
    # Given a database that refuses connections
    class DeadConnection:
        def cursor(self):
            raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr("crm.health.connection", DeadConnection())
    # When the health URL is polled
    response = client.get("/healthz")
    # Then it answers 503 naming the database, without the driver's message
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "error: OperationalError",
        "broker": "ok",
    }
