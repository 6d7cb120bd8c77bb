"""Journey: a manager opens Monday's dashboard, sees the charts drawn, sorts the team
table, drills into a rep and downloads the team table as CSV (issue 5, area 5C)."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from activities.weeks import shift_week
from crm.models import DealStageChange, Stage
from tests.factories.accounts import PASSWORD, ManagerFactory, RepFactory, TeamFactory
from tests.factories.crm import CustomerFactory, DealFactory
from tests.factories.reports import QuotaFactory, WeeklyKPIFactory

WEEK = "2026-W47"
SCREENSHOT = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def _seed() -> dict:
    """A team of four reps with 12 weeks of KPIs, monthly quotas, won deals this year and
    last, a funnel history and one stuck deal."""
    for position, (code, name) in enumerate(
        [
            ("lead", "Lead"),
            ("qualified", "Qualified"),
            ("proposal", "Proposal"),
            ("negotiation", "Negotiation"),
            ("won", "Won"),
            ("lost", "Lost"),
        ]
    ):
        Stage.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    manager = ManagerFactory(username="mona", first_name="Mona", last_name="Manager")
    team = TeamFactory(name="North", manager=manager, time_zone="Europe/Berlin")
    manager.team = team
    manager.save()
    names = [("Ana", "Alves"), ("Ben", "Brook"), ("Cleo", "Chen"), ("Dev", "Diaz")]
    reps = [
        RepFactory(username=f"rep{i}", first_name=first, last_name=last, team=team)
        for i, (first, last) in enumerate(names)
    ]
    now = timezone.now()
    for i, rep in enumerate(reps):
        for back in range(12):
            WeeklyKPIFactory(
                rep=rep,
                week=shift_week(WEEK, -back),
                calls=60 + 15 * i + 3 * back,
                meetings=2 + i,
                visits=1 + (i + back) % 3,
                new_prospects=i % 3,
                revenue_mtd=Decimal(4000 + 2500 * i),
                quota_month=Decimal(10000),
                revenue_qtd=Decimal(15000 + 6000 * i),
                quota_quarter=Decimal(30000),
                revenue_ytd=Decimal(70000 + 20000 * i),
                quota_year=Decimal(120000),
                pipeline_value=Decimal(40000 + 5000 * i),
                forecast=Decimal(12000 + 4000 * i),
            )
        customer = CustomerFactory(owner=rep, name=f"{rep.first_name}'s key account")
        for month in range(1, 12):
            QuotaFactory(rep=rep, period_start=date(2026, month, 1), revenue=Decimal(10000))
            swing = (month % 2) * 8000 if i == 3 else 0
            for year in (2025, 2026):
                DealFactory(
                    customer=customer,
                    stage_id="won",
                    credited_to=rep,
                    amount=Decimal(6000 + 1000 * i + swing - (year == 2025) * 1500),
                    closed_at=date(year, month, 10),
                )
        for stage in ("lead", "qualified", "proposal"):
            deal = DealFactory(customer=customer, stage_id=stage, stage_changed_at=now)
            moment = now - timedelta(days=20)
            for step in ("lead", "qualified", "proposal")[
                : ("lead", "qualified", "proposal").index(stage) + 1
            ]:
                DealStageChange.objects.create(deal=deal, to_stage=step, changed_at=moment)
                moment += timedelta(days=2)
    stuck = DealFactory(
        customer=CustomerFactory(owner=reps[1]),
        stage_id="negotiation",
        title="Big stuck deal",
        amount=Decimal("48000"),
        stage_changed_at=now - timedelta(days=120),
    )
    DealStageChange.objects.create(
        deal=stuck, to_stage="negotiation", changed_at=now - timedelta(days=120)
    )
    return {"manager": manager, "reps": reps}


def _charts_drawn(page) -> list[str]:
    return page.evaluate(
        """() => Object.entries(window.dashboardCharts || {})
              .filter(([, c]) => c.canvas.width > 0 && c.canvas.height > 0)
              .map(([name]) => name).sort()"""
    )


def test_manager_reads_the_dashboard_drills_down_and_exports(page, login, settings):
    settings.DASHBOARD_MEDIANS_CACHE_SECONDS = 0  # figures from this test's data only
    settings.DASHBOARD_CACHE_SECONDS = 0
    data = _seed()
    login(page, "mona", PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Team dashboard")).to_be_visible()
    page.goto(f"/dashboard/?week={WEEK}")
    expect(page.get_by_role("heading", name="Team dashboard")).to_be_visible()
    expect(page.locator("#dash-team-table tbody tr")).to_have_count(4)
    page.wait_for_function(
        "() => window.dashboardCharts && Object.keys(window.dashboardCharts).length === 4"
    )
    assert _charts_drawn(page) == ["attainment", "funnel", "trend", "yoy"]
    expect(page.locator("#dash-stuck")).to_contain_text("Big stuck deal")
    SCREENSHOT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT / "dashboard_team.png"), full_page=True)

    # sort by calls, highest first (htmx swaps the table in place)
    page.locator("#dash-team-table thead").get_by_role("link", name="Calls").click()
    page.locator("#dash-team-table thead").get_by_role("link", name="Calls ↑").click()
    expect(page.locator("#dash-team-table tbody tr").first).to_have_attribute("data-rep", "rep3")

    # CSV export of the team table
    with page.expect_download() as download_info:
        team_card = page.locator("section.card").filter(has=page.locator("#dash-team-table"))
        team_card.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"team-{WEEK}.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text())))
    assert {row["username"] for row in rows} == {"rep0", "rep1", "rep2", "rep3"}

    # drill into a rep: the same charts, for that rep only
    page.get_by_role("link", name="Ben Brook").click()
    expect(page.get_by_role("heading", name="Ben Brook")).to_be_visible()
    expect(page.locator("#dash-team-table tbody tr")).to_have_count(1)
    page.wait_for_function(
        "() => window.dashboardCharts && Object.keys(window.dashboardCharts).length === 4"
    )
    assert _charts_drawn(page) == ["attainment", "funnel", "trend", "yoy"]
    assert f"/dashboard/rep/{data['reps'][1].pk}/" in page.url

    # phones: the table scrolls sideways inside its frame, the page does not
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/dashboard/?week={WEEK}")
    overflow = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
             .filter(e => !e.closest('.table-wrap')
                     && e.getBoundingClientRect().right > window.innerWidth + 1)
             .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id)"""
    )
    assert overflow, f"the page itself scrolls horizontally on a phone: {wide}"
    page.screenshot(path=str(SCREENSHOT / "dashboard_phone.png"), full_page=True)
