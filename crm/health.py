"""/healthz: is the database reachable, is the Celery broker reachable.

Load balancers and `docker compose` poll this without credentials, so it must answer fast
whatever is down: each probe is bounded in time, errors become "error: <kind>" (no hostnames
or passwords leak), and the response is 200 only when everything is "ok", 503 otherwise.
"""

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crm.celery import app as celery_app

BROKER_TIMEOUT_SECONDS = 2.0


def database_status() -> str:
    """One trivial query; a dead server fails within the connect_timeout set in settings."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def _connect_broker(*, timeout: float) -> None:
    with celery_app.connection_for_write(connect_timeout=timeout) as conn:
        # One attempt, no back-off sleep: a health probe reports, it does not wait for recovery.
        conn.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, interval_max=0, timeout=timeout
        )


def broker_status(*, timeout: float = BROKER_TIMEOUT_SECONDS) -> str:
    """Open a broker connection in a worker thread with a hard deadline, so a broker that
    accepts TCP but never answers cannot hang the request."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="healthz-broker")
    future = executor.submit(_connect_broker, timeout=timeout)
    try:
        future.result(timeout=timeout + 0.5)
        return "ok"
    except FutureTimeout:
        return f"error: no answer within {timeout:g} s"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
