"""The manager dashboard and the rep's "My numbers": what each figure shows, given data
whose answer is known in advance. KPI rows are built directly (WeeklyKPIFactory), so these
tests do not depend on the weekly KPI job."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, WeeklyCallReport
from crm.models import DealStageChange
from reports import dashboard
from tests.factories.accounts import ManagerFactory, RepFactory, TeamFactory
from tests.factories.crm import CustomerFactory, DealFactory
from tests.factories.reports import (
    ExpectationItemFactory,
    ExpectationProfileFactory,
    QuotaFactory,
    WeeklyKPIFactory,
)
from tests.helpers import csv_dicts

WEEK = "2026-W47"  # Monday 16 Nov - Sunday 22 Nov 2026
URL = "/dashboard/"


@pytest.fixture(autouse=True)
def _no_medians_cache(settings):
    """Each test computes its figures from its own data (the cache is shared)."""
    settings.DASHBOARD_MEDIANS_CACHE_SECONDS = 0
    settings.DASHBOARD_CACHE_SECONDS = 0


def _rows(response) -> list[dict]:
    return csv_dicts(response)


def _kpi(rep, **fields):
    return WeeklyKPIFactory(rep=rep, week=WEEK, **fields)


# --- The team table ----------------------------------------------------------------------


def test_team_table_colours_each_figure_against_its_goal(client, company):
    """Given rep_a made 100 of 100 calls, 4 of 5 meetings and 1 of 3 visits,
    when the manager opens the dashboard, then calls are on track, meetings behind and
    visits far behind, each with the percentage written out (not colour alone)."""
    _kpi(company["rep"], calls=100, meetings=4, visits=1, new_prospects=0, goal_new_prospects=0)
    client.force_login(company["north_mgr"])

    response = client.get(URL, {"week": WEEK})

    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r.rep == company["rep"])
    calls, meetings, visits, prospects = row.activity
    assert (calls.percent, calls.level) == (100, "ok")
    assert (meetings.percent, meetings.level) == (80, "warn")
    assert (visits.percent, visits.level) == (33, "bad")
    assert prospects.level == "none"
    html = response.content.decode()
    assert "80%" in html and "behind" in html and "far behind" in html


def test_quota_attainment_and_forecast_against_remaining_quota(client, company):
    """Given 6,000 won of a 10,000 month quota, 30,000 of 40,000 in the quarter and
    90,000 of 120,000 in the year, and a 15,000 weighted forecast, the row shows 60 % MTD,
    75 % QTD, 75 % YTD, 30,000 still to make this year and the forecast covering 50 % of it."""
    _kpi(
        company["rep"],
        revenue_mtd=Decimal("6000"),
        quota_month=Decimal("10000"),
        revenue_qtd=Decimal("30000"),
        quota_quarter=Decimal("40000"),
        revenue_ytd=Decimal("90000"),
        quota_year=Decimal("120000"),
        pipeline_value=Decimal("50000"),
        forecast=Decimal("15000"),
    )
    client.force_login(company["north_mgr"])

    row = next(
        r for r in client.get(URL, {"week": WEEK}).context["rows"] if r.rep == company["rep"]
    )

    assert [m.percent for m in row.attainment] == [60, 75, 75]
    assert [m.level for m in row.attainment] == ["bad", "warn", "warn"]
    assert row.remaining_quota == Decimal("30000")
    assert row.forecast_cover == 50
    assert row.pipeline == Decimal("50000")


def test_manager_sees_only_their_team_and_a_rep_without_kpis_is_marked(client, company):
    _kpi(company["rep"], calls=10)
    _kpi(company["south_rep"], calls=99)
    client.force_login(company["north_mgr"])

    response = client.get(URL, {"week": WEEK})

    reps = [row.rep for row in response.context["rows"]]
    assert reps == sorted([company["rep"], company["other_rep"]], key=lambda u: str(u).lower())
    missing_kpi = next(r for r in response.context["rows"] if r.rep == company["other_rep"])
    assert missing_kpi.kpi is None
    assert "not computed" in response.content.decode()
    assert "rep_c" not in response.content.decode()


def test_a_manager_of_a_team_without_reps_gets_an_empty_dashboard_not_an_error(client, db):
    # Given a new team whose manager has no reps yet
    manager = ManagerFactory(username="new_mgr")
    team = TeamFactory(name="Brand new", manager=manager)
    manager.team = team
    manager.save()
    client.force_login(manager)

    # When they open the dashboard
    response = client.get(URL, {"week": WEEK})

    # Then the page renders without headline tiles and without rows
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert 'class="kpi-tiles"' not in response.content.decode()


def test_sorting_by_a_column_descending(client, company):
    _kpi(company["rep"], calls=10)
    _kpi(company["other_rep"], calls=90)
    client.force_login(company["north_mgr"])

    rows = client.get(URL, {"week": WEEK, "sort": "-calls"}).context["rows"]
    assert [r.rep for r in rows] == [company["other_rep"], company["rep"]]
    rows = client.get(URL, {"week": WEEK, "sort": "calls"}).context["rows"]
    assert [r.rep for r in rows] == [company["rep"], company["other_rep"]]
    # an unknown column falls back to the rep's name, never a 500
    assert client.get(URL, {"week": WEEK, "sort": "drop table"}).status_code == 200


def test_sorting_through_htmx_returns_the_table_only(client, company):
    _kpi(company["rep"], calls=10)
    client.force_login(company["north_mgr"])

    response = client.get(
        URL, {"week": WEEK, "sort": "-calls", "partial": "table"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="team-table"' in html and "<html" not in html


def test_admin_picks_a_team_and_sees_every_team_by_default(client, company):
    client.force_login(company["admin"])

    everyone = client.get(URL, {"week": WEEK}).context["rows"]
    south = client.get(URL, {"week": WEEK, "team": company["south"].pk}).context["rows"]

    assert {r.rep for r in everyone} == {
        company["rep"],
        company["other_rep"],
        company["south_rep"],
    }
    assert [r.rep for r in south] == [company["south_rep"]]


def test_a_bad_week_says_so_and_shows_this_week(client, company):
    client.force_login(company["north_mgr"])

    response = client.get(URL, {"week": "2026-W99"}, follow=True)

    assert response.status_code == 200
    assert "2026 has no ISO week 99" in response.content.decode()
    assert response.context["week"] != "2026-W99"


def test_week_picker_links_to_the_previous_and_next_week(client, company):
    client.force_login(company["north_mgr"])
    html = client.get(URL, {"week": WEEK}).content.decode()
    assert "?week=2026-W46" in html and "?week=2026-W48" in html


# --- Charts ------------------------------------------------------------------------------


def test_activity_trend_covers_twelve_weeks_summed_over_the_team(company):
    _kpi(company["rep"], calls=10, goal_calls=100)
    _kpi(company["other_rep"], calls=5, goal_calls=100)
    WeeklyKPIFactory(rep=company["rep"], week="2026-W36", calls=7)  # the trend's first week
    WeeklyKPIFactory(rep=company["rep"], week="2026-W35", calls=1000)  # too old
    WeeklyKPIFactory(rep=company["south_rep"], week=WEEK, calls=1000)  # not in the selection

    trend = dashboard.activity_trend(reps=[company["rep"], company["other_rep"]], week=WEEK)

    assert len(trend["labels"]) == 12
    assert trend["labels"][0] == "2026-W36" and trend["labels"][-1] == WEEK
    assert trend["calls"][0] == 7 and trend["calls"][-1] == 15
    assert trend["goal_calls"][-1] == 200
    assert sum(trend["calls"]) == 22


def test_monthly_attainment_and_consistency_spread(company):
    """A steady rep (90 %, 90 %) has no spread; a swinging one (150 %, 30 %) a large one.
    Won revenue counts for the rep credited at close, even if the deal moved since."""
    steady, swinging = company["rep"], company["other_rep"]
    end = date(2026, 11, 22)
    for rep in (steady, swinging):
        for month in (10, 11):
            QuotaFactory(rep=rep, period_start=date(2026, month, 1), revenue=Decimal("1000"))
    customer = CustomerFactory(owner=steady)
    for amount, day in (("900", date(2026, 10, 5)), ("900", date(2026, 11, 3))):
        DealFactory(
            customer=customer,
            stage_id="won",
            amount=Decimal(amount),
            closed_at=day,
            credited_to=steady,
        )
    other_customer = CustomerFactory(owner=company["south_rep"])  # handed over later
    DealFactory(
        customer=other_customer,
        owner=company["south_rep"],
        stage_id="won",
        amount=Decimal("1500"),
        closed_at=date(2026, 10, 20),
        credited_to=swinging,
    )
    DealFactory(
        customer=other_customer,
        owner=company["south_rep"],
        stage_id="won",
        amount=Decimal("300"),
        closed_at=date(2026, 11, 20),
        credited_to=swinging,
    )

    result = dashboard.monthly_attainment(reps=[steady, swinging], end=end)

    assert result["months"][-1] == date(2026, 11, 1) and len(result["months"]) == 12
    by_rep = {c.rep: c for c in result["reps"]}
    assert by_rep[steady].percents[-2:] == [90, 90]
    assert by_rep[steady].percents[0] is None  # no quota that month
    assert (by_rep[steady].mean, by_rep[steady].spread) == (90, 0)
    assert by_rep[steady].label == "steady"
    assert by_rep[swinging].percents[-2:] == [150, 30]
    assert by_rep[swinging].spread == 67  # pstdev 60 / mean 90
    assert by_rep[swinging].label == "swinging"
    assert result["team"][-2:] == [120, 60]  # (900 + 1500) / 2000, (900 + 300) / 2000


def test_year_over_year_won_revenue_per_month(company):
    customer = CustomerFactory(owner=company["rep"])
    for day, amount in (
        (date(2026, 3, 10), "500"),
        (date(2025, 3, 1), "200"),
        (date(2024, 3, 1), "999"),
    ):
        DealFactory(
            customer=customer,
            stage_id="won",
            amount=Decimal(amount),
            closed_at=day,
            credited_to=company["rep"],
        )

    yoy = dashboard.year_over_year(reps=[company["rep"]], year=2026)

    assert yoy["this_year"][2] == Decimal("500")
    assert yoy["last_year"][2] == Decimal("200")
    assert sum(yoy["this_year"]) + sum(yoy["last_year"]) == Decimal("700")


def _history(deal, *stages, start=None):
    """Stage changes one day apart, starting `start` (default 30 days ago)."""
    moment = start or timezone.now() - timedelta(days=30)
    previous = ""
    for stage in stages:
        DealStageChange.objects.create(
            deal=deal, from_stage=previous, to_stage=stage, changed_at=moment
        )
        previous, moment = stage, moment + timedelta(days=1)


def test_funnel_counts_how_far_deals_got_and_the_conversion(company):
    """Four deals: one still a lead, one lost after qualifying, one in proposal, one won.
    All four were leads, three qualified (75 %), two reached proposal (67 %), ..."""
    customer = CustomerFactory(owner=company["rep"])
    lead = DealFactory(customer=customer, stage_id="lead")
    _history(lead, "lead")
    lost = DealFactory(customer=customer, stage_id="lost")
    _history(lost, "lead", "qualified", "lost")
    proposal = DealFactory(customer=customer, stage_id="proposal")
    _history(proposal, "lead", "qualified", "proposal")
    won = DealFactory(customer=customer, stage_id="won")
    _history(won, "lead", "qualified", "proposal", "negotiation", "won")
    from crm.selectors import deals_visible_to

    steps = dashboard.funnel(
        deals=deals_visible_to(user=company["north_mgr"]),
        since=timezone.localdate() - timedelta(days=365),
    )

    assert [(s.code, s.reached) for s in steps] == [
        ("lead", 4),
        ("qualified", 3),
        ("proposal", 2),
        ("negotiation", 1),
        ("won", 1),
    ]
    assert [s.conversion for s in steps] == [75, 67, 50, 100, None]


def test_chart_data_is_embedded_as_json(client, company):
    _kpi(company["rep"], calls=12)
    client.force_login(company["north_mgr"])
    response = client.get(URL, {"week": WEEK})
    html = response.content.decode()
    assert 'id="dashboard-data"' in html
    assert "vendor/chartjs/chart.umd.js" in html
    data = response.context["chart_data"]
    assert data["trend"]["calls"][-1] == 12
    assert set(data) == {"words", "trend", "attainment", "funnel", "yoy"}
    assert [
        c
        for c in ("chart-trend", "chart-attainment", "chart-funnel", "chart-yoy")
        if f'id="{c}"' not in html
    ] == []


# --- Lists that call for action -----------------------------------------------------------


def test_stuck_deals_are_those_twice_as_long_as_usual_in_their_stage(company):
    """Deals usually spend 2 days in proposal (history of three other deals): a proposal
    untouched for 10 days is stuck, one entered 3 days ago is not."""
    now = timezone.now()
    customer = CustomerFactory(owner=company["rep"])
    for _ in range(3):
        past = DealFactory(customer=customer, stage_id="won")
        for offset, (frm, to) in enumerate((("", "proposal"), ("proposal", "won"))):
            DealStageChange.objects.create(
                deal=past,
                from_stage=frm,
                to_stage=to,
                changed_at=now - timedelta(days=40) + timedelta(days=2 * offset),
            )
    stuck = DealFactory(
        customer=customer,
        stage_id="proposal",
        title="Stuck one",
        stage_changed_at=now - timedelta(days=10),
    )
    DealFactory(
        customer=customer,
        stage_id="proposal",
        title="Fresh one",
        stage_changed_at=now - timedelta(days=3),
    )
    other_team = DealFactory(
        customer=CustomerFactory(owner=company["south_rep"]),
        stage_id="proposal",
        stage_changed_at=now - timedelta(days=50),
    )
    from crm.selectors import deals_visible_to

    medians = dashboard.stage_median_days(since=now - timedelta(days=365))
    deals = deals_visible_to(user=company["north_mgr"])
    found = list(dashboard.stuck_deals(deals=deals, now=now, medians=medians))

    assert medians["proposal"] == Decimal(2)
    assert [d.pk for d in found] == [stuck.pk]
    assert other_team.pk not in [d.pk for d in found]


@pytest.fixture
def local_cache(settings):
    """The cache on, in this process's memory only (the shared Redis is left alone)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(uuid.uuid4()),
        }
    }
    settings.DASHBOARD_MEDIANS_CACHE_SECONDS = 60
    settings.DASHBOARD_CACHE_SECONDS = 60


def test_stage_medians_are_cached_between_requests(company, local_cache, django_assert_num_queries):
    """Given the cache is on, the second dashboard of the day reads the medians from it."""
    now = timezone.now()
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]), stage_id="qualified")
    _history(deal, "lead", "qualified")

    with django_assert_num_queries(1):
        first = dashboard.cached_stage_median_days(now=now)
    with django_assert_num_queries(0):
        second = dashboard.cached_stage_median_days(now=now)

    assert first == second == {"lead": Decimal(1)}


def test_twelve_month_figures_are_cached_per_selection_of_reps(client, company, local_cache):
    """The second request of a manager reads attainment, year over year, funnel and key
    customers from the cache; another selection (one rep's drill-down) is computed anew."""
    from django.test.utils import CaptureQueriesContext

    customer = CustomerFactory(owner=company["rep"])
    DealFactory(
        customer=customer,
        stage_id="won",
        amount=Decimal("500"),
        closed_at=date(2026, 11, 2),
        credited_to=company["rep"],
    )
    client.force_login(company["north_mgr"])

    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, {"week": WEEK})
        counts.append(len(ctx.captured_queries))
    drill_down = client.get(
        reverse("reports:rep-dashboard", args=[company["other_rep"].pk]), {"week": WEEK}
    )

    # medians 1, stuck deals 2, attainment 2, year over year 1, funnel 1, key customers 1,
    # the exchange rates the figures were converted with 1
    assert counts[1] == counts[0] - 9
    assert response.context["chart_data"]["yoy"]["this_year"][10] == "500.00"
    assert drill_down.context["chart_data"]["yoy"]["this_year"][10] == "0.00"


def test_key_customers_visited_less_than_the_profile_asks(company):
    """rep_a's profile asks 4 visits a year per primary customer; rep_b has no profile, so
    PRODUCT.md's 3 per primary and 1 per secondary apply."""
    now = timezone.now()
    profile = ExpectationProfileFactory(rep=company["rep"])
    ExpectationItemFactory(profile=profile, metric="visits_per_primary", target=Decimal("4"))

    def key(owner, segment, visits, name):
        customer = CustomerFactory(owner=owner, segment=segment, name=name)
        customer.__class__.objects.filter(pk=customer.pk).update(is_key=True)
        for i in range(visits):
            Activity.objects.create(
                kind="visit",
                customer=customer,
                owner=owner,
                week=WEEK,
                occurred_at=now - timedelta(days=10 + i),
            )
        return customer

    under_profile = key(company["rep"], "primary", 3, "A under profile")
    key(company["rep"], "primary", 4, "B enough")
    default_primary = key(company["other_rep"], "primary", 2, "C under default")
    key(company["other_rep"], "secondary", 1, "D secondary enough")
    CustomerFactory(owner=company["rep"], segment="primary", name="E not key")
    old = key(company["other_rep"], "secondary", 0, "F only an old visit")
    Activity.objects.create(
        kind="visit",
        customer=old,
        owner=company["other_rep"],
        week=WEEK,
        occurred_at=now - timedelta(days=400),
    )

    found = list(
        dashboard.unvisited_key_customers(reps=[company["rep"], company["other_rep"]], now=now)
    )

    assert [(c.name, c.visits, int(c.visits_target)) for c in found] == [
        ("F only an old visit", 0, 1),
        ("C under default", 2, 3),
        ("A under profile", 3, 4),
    ]
    assert under_profile in found and default_primary in found


def test_reps_with_an_unsubmitted_call_report_are_listed(client, company):
    WeeklyCallReport.objects.create(
        rep=company["rep"], week=WEEK, status="submitted", submitted_at=timezone.now()
    )
    client.force_login(company["north_mgr"])

    response = client.get(URL, {"week": WEEK})

    missing = [row.rep for row in response.context["board"].missing]
    assert missing == [company["other_rep"]]
    assert 'data-rep="rep_b"' in response.content.decode()


# --- The rep's own version and the drill-down --------------------------------------------


def test_a_rep_gets_their_own_numbers_at_the_dashboard_address(client, company):
    _kpi(company["rep"], calls=42)
    _kpi(company["other_rep"], calls=77)
    client.force_login(company["rep"])

    response = client.get(URL, {"week": WEEK})

    assert response.status_code == 200
    assert [r.rep for r in response.context["rows"]] == [company["rep"]]
    assert response.context["rep"] == company["rep"]
    html = response.content.decode()
    assert "My numbers" in html and "Recompute" not in html
    assert "rep_b" not in html


def test_manager_drills_into_a_rep(client, company):
    _kpi(company["rep"], calls=42)
    client.force_login(company["north_mgr"])

    response = client.get(
        reverse("reports:rep-dashboard", args=[company["rep"].pk]), {"week": WEEK}
    )

    assert response.status_code == 200
    assert [r.rep for r in response.context["rows"]] == [company["rep"]]
    assert response.context["chart_data"]["trend"]["calls"][-1] == 42
    assert "Team dashboard" in response.content.decode()


def test_team_dashboard_links_each_rep_to_their_drill_down(client, company):
    client.force_login(company["north_mgr"])
    html = client.get(URL, {"week": WEEK}).content.decode()
    assert reverse("reports:rep-dashboard", args=[company["rep"].pk]) in html


# --- CSV export --------------------------------------------------------------------------


def test_team_table_export(client, company):
    _kpi(company["rep"], calls=80, goal_calls=100)
    client.force_login(company["north_mgr"])

    response = client.get(reverse("reports:dashboard-export", args=["team"]), {"week": WEEK})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"team-{WEEK}.csv" in response["Content-Disposition"]
    rows = {row["username"]: row for row in _rows(response)}
    assert set(rows) == {"rep_a", "rep_b"}
    assert rows["rep_a"]["calls_actual"] == "80"
    assert rows["rep_a"]["calls_percent"] == "80"
    assert rows["rep_a"]["calls_status"] == "behind"
    assert rows["rep_b"]["computed"] == "no"


def test_action_list_exports(client, company):
    now = timezone.now()
    customer = CustomerFactory(owner=company["rep"], name="Key Co")
    customer.__class__.objects.filter(pk=customer.pk).update(is_key=True)
    DealFactory(
        customer=customer,
        stage_id="lead",
        title="Old lead",
        stage_changed_at=now - timedelta(days=200),
    )
    client.force_login(company["north_mgr"])

    def export(table):
        return _rows(client.get(reverse("reports:dashboard-export", args=[table]), {"week": WEEK}))

    assert [r["deal"] for r in export("stuck")] == ["Old lead"]
    assert [(r["customer"], r["visits_12m"], r["visits_target"]) for r in export("unvisited")] == [
        ("Key Co", "0", "3")
    ]
    assert {r["username"] for r in export("missing")} == {"rep_a", "rep_b"}


def _record_delay(monkeypatch) -> list[dict]:
    """Replace the KPI task's delay() with a recorder of its keyword arguments."""
    calls = []
    from reports import tasks

    monkeypatch.setattr(
        tasks.compute_weekly_kpis_task, "delay", lambda **kwargs: calls.append(kwargs)
    )
    return calls


def test_recompute_queues_the_kpi_job_for_the_managers_team(
    client, company, monkeypatch, django_capture_on_commit_callbacks
):
    calls = _record_delay(monkeypatch)
    client.force_login(company["north_mgr"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:dashboard-recompute"), {"week": WEEK}, follow=True)

    assert calls == [{"week": WEEK, "team_id": company["north"].pk}]
    assert f"Recomputing the KPIs of {WEEK}" in response.content.decode()


def test_recompute_from_the_page_is_queued_only_once_the_request_commits(
    client, company, monkeypatch, django_capture_on_commit_callbacks
):
    """The page goes through the API's service (reports.kpis.request_kpi_recompute): the job
    is queued after commit, for the manager's own team; an admin's "all teams" is one job."""
    calls = _record_delay(monkeypatch)
    client.force_login(company["north_mgr"])

    # when the manager recomputes but the request's transaction has not committed yet
    with django_capture_on_commit_callbacks(execute=False) as pending:
        client.post(reverse("reports:dashboard-recompute"), {"week": WEEK})
    # then nothing is queued until it commits, and then only North's job
    assert calls == []
    for callback in pending:
        callback()
    assert calls == [{"week": WEEK, "team_id": company["north"].pk}]

    # when an admin recomputes every team
    client.force_login(company["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:dashboard-recompute"), {"week": WEEK})
    assert calls[1:] == [{"week": WEEK, "team_id": None}]


def test_a_rep_recomputing_from_the_page_is_403_and_queues_nothing(
    client, company, monkeypatch, django_capture_on_commit_callbacks
):
    calls = _record_delay(monkeypatch)
    client.force_login(company["rep"])

    with django_capture_on_commit_callbacks(execute=True) as pending:
        response = client.post(
            reverse("reports:dashboard-recompute"), {"week": WEEK, "team": company["north"].pk}
        )

    assert response.status_code == 403
    assert (pending, calls) == ([], [])


def test_recompute_with_a_bad_week_says_why_and_queues_nothing(
    client, company, monkeypatch, django_capture_on_commit_callbacks
):
    calls = _record_delay(monkeypatch)
    client.force_login(company["north_mgr"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:dashboard-recompute"), {"week": "junk"}, follow=True
        )

    assert response.status_code == 200
    assert "is not an ISO week" in response.content.decode()
    assert calls == []


def test_navigation_shows_dashboard_to_managers_and_my_numbers_to_reps(client, company):
    client.force_login(company["north_mgr"])
    assert "Dashboard" in [i["label"] for i in client.get("/").context["nav_items"]]
    client.force_login(company["rep"])
    labels = [i["label"] for i in client.get(URL).context["nav_items"]]
    assert "My numbers" in labels and "Dashboard" not in labels


# --- Fixed number of queries -------------------------------------------------------------


def _team_with(n, team, week=WEEK):
    reps = RepFactory.create_batch(n, team=team)
    for rep in reps:
        WeeklyKPIFactory(rep=rep, week=week, calls=10)
        QuotaFactory(rep=rep, period_start=date(2026, 11, 1))
        customer = CustomerFactory(owner=rep)
        customer.__class__.objects.filter(pk=customer.pk).update(is_key=True)
        deal = DealFactory(
            customer=customer,
            stage_id="proposal",
            stage_changed_at=timezone.now() - timedelta(days=90),
        )
        _history(deal, "lead", "qualified", "proposal")
        DealFactory(customer=customer, stage_id="won", closed_at=date(2026, 11, 2), credited_to=rep)
    return reps


@pytest.mark.parametrize("size", [5, 25])
def test_dashboard_runs_a_fixed_number_of_queries(
    client, company, size, django_assert_max_num_queries
):
    """5 reps or 25 reps: the same number of queries (the bound holds for both)."""
    _team_with(size, company["north"])
    client.force_login(company["north_mgr"])
    client.get(URL, {"week": WEEK})  # warm up session, content types

    with django_assert_max_num_queries(20):
        response = client.get(URL, {"week": WEEK})

    assert len(response.context["rows"]) == size + 2
    assert response.context["board"].stuck_total == size


def test_query_count_does_not_grow_with_the_team(client, company, django_assert_num_queries):
    from django.test.utils import CaptureQueriesContext

    client.force_login(company["north_mgr"])
    counts = []
    for size in (5, 20):
        _team_with(size, company["north"])
        client.get(URL, {"week": WEEK})
        with CaptureQueriesContext(connection) as ctx:
            client.get(URL, {"week": WEEK})
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_rep_drill_down_runs_a_fixed_number_of_queries(
    client, company, django_assert_max_num_queries
):
    _team_with(10, company["north"])
    client.force_login(company["north_mgr"])
    url = reverse("reports:rep-dashboard", args=[company["rep"].pk])
    client.get(url, {"week": WEEK})
    with django_assert_max_num_queries(20):
        assert client.get(url, {"week": WEEK}).status_code == 200
