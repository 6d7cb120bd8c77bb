"""Benchmark harness: `make bench` (or `python bench/run.py --scale small`).

1. Makes sure the benchmark database exists (PostgreSQL `crm_bench`, never the development
   data), migrates it, and seeds it with `seed_demo` at the chosen scale unless it already
   holds exactly that scale (a database at another scale is dropped and rebuilt).
2. Imports every `bench/bench_*.py` and calls its `run(report)`; a benchmark measures with
   `report.measure(...)` / `report.measure_get(...)` or says `report.not_available(...)`.
3. Prints one table: name, n, p50 ms, p95 ms, queries per request, target, pass/fail.

Benchmarks report, they do not gate: the exit status is 0 whatever the figures say.
"""

import argparse
import importlib.util
import os
import statistics
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

warnings.filterwarnings("ignore", message="No directory at")  # whitenoise, no collectstatic
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench")

SCALES = {
    "small": {"reps": 10, "customers": 2_000, "deals": 6_000, "activities": 50_000},
    "full": {"reps": 50, "customers": 100_000, "deals": 300_000, "activities": 1_000_000},
    # The weekly KPI job (issue 5, bench_kpis): two years of history in its own database.
    "kpi": {
        "reps": 200,
        "customers": 100_000,
        "deals": 300_000,
        "activities": 2_000_000,
        "weeks": 104,
        "database": "crm_bench_kpi",
    },
}
SEED = 42


# ------------------------------------------------------------------ database preparation


def _pg_connect(url, dbname: str):
    import psycopg2

    conn = psycopg2.connect(
        host=url.hostname or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password or None,
        dbname=dbname,
    )
    conn.autocommit = True
    return conn


def _seeded_counts(url, dbname: str) -> tuple[int, int] | None:
    """(customers, deals) in the benchmark database, or None when it has no tables yet."""
    conn = _pg_connect(url, dbname)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('crm_customer'), to_regclass('crm_deal')")
            if None in cur.fetchone():
                return None
            cur.execute(
                "SELECT (SELECT count(*) FROM crm_customer), (SELECT count(*) FROM crm_deal)"
            )
            return tuple(cur.fetchone())
    finally:
        conn.close()


def prepare_database(scale: dict) -> None:
    """Create the PostgreSQL database if missing; drop it when it holds another scale."""
    url = urlparse(os.environ["DATABASE_URL"])
    if not url.scheme.startswith("postgres"):
        print(f"Not PostgreSQL ({url.scheme}); using the database as configured.")
        return
    dbname = url.path.lstrip("/")
    admin = _pg_connect(url, "postgres")
    try:
        with admin.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
            exists = cur.fetchone() is not None
            if exists:
                counts = _seeded_counts(url, dbname)
                wanted = (scale["customers"], scale["deals"])
                if counts not in (None, (0, 0), wanted):
                    print(
                        f"{dbname} holds {counts[0]:,} customers / {counts[1]:,} deals, not "
                        f"{wanted[0]:,} / {wanted[1]:,}: rebuilding it."
                    )
                    cur.execute(f'DROP DATABASE "{dbname}" WITH (FORCE)')
                    exists = False
            if not exists:
                cur.execute(f'CREATE DATABASE "{dbname}"')
                print(f"Created database {dbname}.")
    finally:
        admin.close()


def migrate_and_seed(scale: dict) -> None:
    from django.core.management import call_command

    from activities.models import Activity
    from crm import demo
    from crm.models import Customer, Deal

    call_command("migrate", verbosity=0, interactive=False)
    config = demo.DemoConfig(
        reps=scale["reps"],
        customers=scale["customers"],
        deals=scale["deals"],
        activities=scale["activities"],
        weeks=scale.get("weeks", demo.DemoConfig.weeks),
        seed=SEED,
    )
    if demo.demo_is_seeded() and (Customer.objects.count(), Deal.objects.count()) == (
        scale["customers"],
        scale["deals"],
    ):
        print(f"Already seeded: {scale['customers']:,} customers, {scale['deals']:,} deals.")
        activities = Activity.objects.count()
        if activities != scale["activities"]:
            # A database from before issue 4: add just the activity phases.
            print(f"{activities:,} activities, not {scale['activities']:,}: seeding them ...")
            _print_seeded(demo.seed_activity_history(config=config, progress=True))
        return
    if demo.demo_is_seeded():
        demo.wipe_demo_data()  # e.g. a run that died half-way through seeding
    print(
        f"Seeding {scale['customers']:,} customers / {scale['deals']:,} deals / "
        f"{scale['reps']} reps ..."
    )
    _print_seeded(demo.seed_demo(config=config, progress=True))


def vacuum_analyze() -> None:
    """VACUUM ANALYZE the benchmark database before measuring, whatever was seeded when.

    A production database is kept vacuumed by autovacuum; a freshly bulk-loaded one is not,
    and without a visibility map PostgreSQL cannot count a list with an index-only scan.
    Cheap when nothing changed (all-visible pages are skipped)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")


def _print_seeded(result) -> None:
    for phase, seconds in result.seconds.items():
        print(f"  {phase:<22} {seconds:8.1f} s")
    total = result.total_seconds
    print(
        f"Seeded {result.total_rows:,} rows in {total:.1f} s "
        f"({result.total_rows / max(total, 0.001):,.0f} rows/s): {result.counts}"
    )


# ------------------------------------------------------------------ measuring


@dataclass
class Figure:
    name: str
    n: int = 0
    p50: float | None = None
    p95: float | None = None
    queries: int | None = None
    target_ms: float | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.note:
            return self.note
        if self.target_ms is None or self.p95 is None:
            return "-"
        return "pass" if self.p95 < self.target_ms else "FAIL"


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(pct) - 1]


class Report:
    """What a benchmark module gets: measure things and collect the figures."""

    def __init__(self, *, repeat: int, warmup: int = 5) -> None:
        self.repeat = repeat
        self.warmup = warmup
        self.figures: list[Figure] = []

    def measure(
        self, name: str, fn: Callable[[], object], *, target_ms: float | None = None
    ) -> Figure:
        """Call fn warmup times, once counting SQL queries, then `repeat` timed times."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        figure = Figure(name=name, target_ms=target_ms)
        try:
            for _ in range(self.warmup):
                fn()
            with CaptureQueriesContext(connection) as ctx:
                fn()
            figure.queries = len(ctx.captured_queries)
            samples = []
            for _ in range(self.repeat):
                started = time.perf_counter()
                fn()
                samples.append((time.perf_counter() - started) * 1000)
        except Exception as exc:  # a benchmark reports failures, it does not stop the others
            figure.note = f"error: {type(exc).__name__}: {exc}"[:80]
        else:
            figure.n = len(samples)
            figure.p50, figure.p95 = percentile(samples, 50), percentile(samples, 95)
        self.figures.append(figure)
        self._print_row(figure)
        return figure

    def measure_get(self, name: str, client, url: str, *, target_ms: float | None = None):
        """Time GET url with a django.test.Client; a URL that does not exist yet (404 /
        no route) is reported as not available, any other non-200 as an error."""
        from django.urls import Resolver404, resolve

        try:
            resolve(urlparse(url).path)
        except Resolver404:
            return self.not_available(name, "not available (no such URL yet)")
        try:
            first = client.get(url)
        except Exception as exc:
            return self.not_available(name, f"error: {type(exc).__name__}: {exc}"[:80])
        if first.status_code == 404:
            return self.not_available(name, "not available (404)")
        if first.status_code != 200:
            return self.not_available(name, f"HTTP {first.status_code}")

        def get():
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code}")

        return self.measure(name, get, target_ms=target_ms)

    def not_available(self, name: str, why: str) -> Figure:
        figure = Figure(name=name, note=why)
        self.figures.append(figure)
        self._print_row(figure)
        return figure

    @staticmethod
    def _fmt(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}"

    def _print_row(self, f: Figure) -> None:
        target = "" if f.target_ms is None else f"< {f.target_ms:.0f}"
        print(
            f"{f.name[:58]:<58} {f.n or '':>4} {self._fmt(f.p50):>8} {self._fmt(f.p95):>8} "
            f"{'' if f.queries is None else f.queries:>5} {target:>7}  {f.verdict}",
            flush=True,
        )

    def print_header(self) -> None:
        print(
            f"\n{'benchmark':<58} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>5} "
            f"{'target':>7}  result"
        )
        print("-" * 104)

    def print_table(self) -> None:
        self.print_header()
        for figure in self.figures:
            self._print_row(figure)
        failed = sum(f.verdict == "FAIL" for f in self.figures)
        missing = sum(f.verdict.startswith("not available") for f in self.figures)
        print(f"\n{len(self.figures)} figures, {failed} over target, {missing} not available.")


# ------------------------------------------------------------------ main


def discover(only: str | None) -> list:
    modules = []
    for path in sorted(BENCH_DIR.glob("bench_*.py")):
        name = path.stem
        if only and only not in (name, name.removeprefix("bench_")):
            continue
        spec = importlib.util.spec_from_file_location(f"bench.{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules.append(module)
    return modules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--only", help="run one benchmark, e.g. crm_lists")
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per figure")
    args = parser.parse_args(argv)
    scale = SCALES[args.scale]
    if "database" in scale:  # a scale with its own database never rebuilds another's
        url = urlparse(os.environ["DATABASE_URL"])
        os.environ["DATABASE_URL"] = url._replace(path=f"/{scale['database']}").geturl()

    prepare_database(scale)
    import django

    django.setup()
    migrate_and_seed(scale)
    vacuum_analyze()

    from django.conf import settings

    # Measure like production: no debug template engine or per-query logging (the SQL
    # column is counted explicitly). Security redirects stay off as set at import time.
    settings.DEBUG = False

    report = Report(repeat=max(1, args.repeat))
    modules = discover(args.only)
    if not modules:
        print(f"No benchmark matches {args.only!r}.")
    report.print_header()
    for module in modules:
        print(f"# {module.__name__}: {(module.__doc__ or '').strip().splitlines()[0]}")
        try:
            module.run(report)
        except Exception:
            traceback.print_exc()
            report.not_available(module.__name__, "error: the benchmark crashed")
    report.print_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
