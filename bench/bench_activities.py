"""Activity logging through the API under gunicorn, and the rep's week and customer timeline.

1. Starts gunicorn (3 sync workers, production profile without TLS) on a free port of
   127.0.0.1, logs in a busy demo rep through POST /api/auth/token/ and POSTs activities:
   one at a time (1 client, then 4 concurrent clients: requests/s, p50/p95 latency) and as
   lists of 500 (target < 1 s). Everything it logged is deleted again afterwards, so the
   next run finds the database at its seeded scale.
2. "My week" (/week/) and the customer timeline (/customers/<id>/) for that rep,
   in-process like bench_crm_lists (target < 100 ms at 1,000,000 activities).
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.test import Client
from django.urls import NoReverseMatch, reverse

PAGE_TARGET_MS = 100
BULK_TARGET_MS = 1000
BULK_SIZE = 500
WORKERS = 3
MARKER = "[bench] "  # notes prefix of everything this benchmark logs, deleted at the end
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _busy_rep():
    """The demo rep with the most activities, and their most active customer."""
    from django.db.models import Count

    from activities.models import Activity
    from crm import demo

    row = (
        Activity.objects.filter(owner__in=demo.demo_users().filter(role="rep"))
        .values("owner_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if row is None:
        return None, None
    rep = demo.demo_users().select_related("team").get(pk=row["owner_id"])
    customer = (
        Activity.objects.filter(owner=rep, customer__owner=rep)
        .values("customer_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return rep, customer["customer_id"]


class Gunicorn:
    """gunicorn serving crm.wsgi on a free local port, as a child process."""

    def __init__(self) -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or "bench-only",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SESSION_COOKIE_SECURE": "0",
            "DJANGO_CSRF_COOKIE_SECURE": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "crm.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={WORKERS}",
                "--log-level=warning",
                "--timeout=60",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.process.stderr.read()[-300:]!r}")
            try:
                self.request("GET", "/healthz")  # any answer: it is serving
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 30 s")

    def request(self, method: str, path: str, body=None, token: str | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        try:
            conn.request(
                method, path, body=None if body is None else json.dumps(body), headers=headers
            )
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self) -> None:
        """Stop the gunicorn we started (its own process group: master and workers)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _add_figure(report, name: str, samples: list[float], target_ms: float | None = None):
    harness = sys.modules[type(report).__module__]  # bench/run.py, run as __main__
    figure = harness.Figure(name=name, target_ms=target_ms, n=len(samples))
    figure.p50, figure.p95 = harness.percentile(samples, 50), harness.percentile(samples, 95)
    report.figures.append(figure)
    report._print_row(figure)
    return figure


def _payloads(customer_ids: list[int], count: int, start: int) -> list[dict]:
    """Activities as a phone integration sends them: a few minutes apart, this week."""
    now = datetime.now(UTC)
    kinds = ["call", "call", "call", "email", "meeting"]
    return [
        {
            "kind": kinds[i % len(kinds)],
            "customer": customer_ids[i % len(customer_ids)],
            "occurred_at": (now - timedelta(seconds=i + 1)).isoformat(),
            "duration_minutes": 5,
            "outcome": "connected",
            "notes": f"{MARKER}{start + i}",
        }
        for i in range(start, start + count)
    ]


def _post_many(server, token, payloads: list, clients: int) -> tuple[list[float], float, int]:
    """POST each payload on its own request from `clients` threads: (latencies ms, wall
    seconds, failures)."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    queue = list(payloads)

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                body = queue.pop()
            started = time.perf_counter()
            status, _ = server.request("POST", "/api/activities/", body, token)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                failures[0] += status != 201

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started, failures[0]


def _api_rows(report, rep, customer_ids: list[int], repeat: int) -> None:
    from crm import demo

    names = [
        "API log 1 activity, 1 client",
        "API log 1 activity, 4 clients",
        f"API log list of {BULK_SIZE} activities",
    ]
    server = Gunicorn()
    try:
        server.wait_ready()
        status, body = server.request(
            "POST", "/api/auth/token/", {"username": rep.username, "password": demo.DEMO_PASSWORD}
        )
        if status != 200:
            raise RuntimeError(f"token: HTTP {status}")
        token = json.loads(body)["token"]
        status, body = server.request(
            "POST", "/api/activities/", _payloads(customer_ids, 1, 0)[0], token
        )
        if status == 404:
            for name in names:
                report.not_available(name, "not available (no /api/activities/ yet)")
            return
        if status != 201:
            raise RuntimeError(f"POST /api/activities/: HTTP {status} {body[:120]!r}")
        single = max(repeat, 50)
        offset = 1
        for clients, name in ((1, names[0]), (4, names[1])):
            payloads = _payloads(customer_ids, single * clients, offset)
            offset += len(payloads)
            latencies, seconds, failed = _post_many(server, token, payloads, clients)
            rate = len(latencies) / seconds
            figure = _add_figure(report, f"{name}: {rate:,.0f} req/s", latencies)
            if failed:
                figure.note = f"{failed} requests failed"
        bulk = []
        for _ in range(max(5, repeat // 5)):
            payload = _payloads(customer_ids, BULK_SIZE, offset)
            offset += BULK_SIZE
            started = time.perf_counter()
            status, body = server.request("POST", "/api/activities/", payload, token)
            bulk.append((time.perf_counter() - started) * 1000)
            if status != 201:
                raise RuntimeError(f"bulk POST: HTTP {status} {body[:120]!r}")
        rate = BULK_SIZE * len(bulk) / (sum(bulk) / 1000)
        _add_figure(report, f"{names[2]}: {rate:,.0f} rows/s", bulk, BULK_TARGET_MS)
    finally:
        server.stop()


def _cleanup() -> int:
    from activities.models import Activity

    return Activity.objects.filter(notes__startswith=MARKER).delete()[0]


def _url(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def run(report) -> None:
    from crm.models import Customer

    rep, customer_id = _busy_rep()
    if rep is None:
        report.not_available("activities benchmarks", "not available (no activities seeded)")
        return
    customer_ids = list(
        Customer.objects.filter(owner=rep).order_by("id").values_list("id", flat=True)[:200]
    )
    try:
        _api_rows(report, rep, customer_ids, report.repeat)
    except Exception as exc:  # report, never stop the other benchmarks
        report.not_available("API logging under gunicorn", f"error: {exc}"[:80])
    finally:
        removed = _cleanup()
        print(f"  (removed the {removed:,} activities the benchmark logged)")

    client = Client()
    client.force_login(rep)
    for name, url in (
        ("My week · busy rep", _url("activities:my-week")),
        ("customer timeline · busy rep", _url("crm:customer-detail", pk=customer_id)),
    ):
        if url is None:
            report.not_available(name, "not available (no such URL name yet)")
        else:
            report.measure_get(name, client, url, target_ms=PAGE_TARGET_MS)
