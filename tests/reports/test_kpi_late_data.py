"""Late data: an activity or deal change landing in a past week marks that week stale, and
the recompute brings the snapshot up to date. Time-zone edges of the week."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from activities.selectors import current_week
from activities.services import activity_log
from crm.services import deal_create, deal_move_stage
from reports.kpis import compute_weekly_kpis
from reports.models import StaleWeek, WeeklyKPI
from reports.tasks import recompute_stale_weeks
from tests.factories.crm import CustomerFactory, DealFactory

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = "2026-W45"  # Monday 2 to Sunday 8 November 2026; "today" is later in these tests


def stale(team) -> set[str]:
    return set(StaleWeek.objects.filter(team=team).values_list("week", flat=True))


def test_sunday_2330_local_counts_in_the_week_and_monday_0030_does_not(company):
    rep = company["rep"]  # North: Europe/Berlin
    customer = CustomerFactory(owner=rep)
    activity_log(
        by=rep,
        kind="call",
        customer=customer,
        occurred_at=datetime(2026, 11, 8, 23, 30, tzinfo=BERLIN),
    )
    activity_log(
        by=rep,
        kind="call",
        customer=customer,
        occurred_at=datetime(2026, 11, 9, 0, 30, tzinfo=BERLIN),
    )

    compute_weekly_kpis(week=WEEK)
    compute_weekly_kpis(week="2026-W46")

    assert WeeklyKPI.objects.get(rep=rep, week=WEEK).calls == 1
    assert WeeklyKPI.objects.get(rep=rep, week="2026-W46").calls == 1


def test_a_late_activity_marks_the_week_stale_and_the_recompute_shows_it(company):
    rep, north = company["rep"], company["north"]
    customer = CustomerFactory(owner=rep)
    compute_weekly_kpis(week=WEEK)
    assert WeeklyKPI.objects.get(rep=rep, week=WEEK).meetings == 0

    activity_log(
        by=rep, kind="meeting", customer=customer, occurred_at=datetime(2026, 11, 4, tzinfo=BERLIN)
    )

    assert stale(north) == {WEEK}
    assert WeeklyKPI.objects.get(rep=rep, week=WEEK).meetings == 0  # the snapshot until then
    assert recompute_stale_weeks.delay().get() == 1
    assert WeeklyKPI.objects.get(rep=rep, week=WEEK).meetings == 1
    assert not StaleWeek.objects.exists()


def test_an_activity_in_the_running_week_marks_nothing(company):
    rep = company["rep"]
    customer = CustomerFactory(owner=rep)

    activity_log(by=rep, kind="call", customer=customer)

    assert not StaleWeek.objects.exists()


def test_winning_a_deal_with_a_past_close_date_marks_that_week_and_the_later_ones(company):
    rep, north = company["rep"], company["north"]
    deal = DealFactory(customer=CustomerFactory(owner=rep), amount=Decimal("800"))
    compute_weekly_kpis(week=WEEK)

    deal_move_stage(deal=deal, stage="won", by=rep, closed_at=date(2026, 11, 5))

    # Its week and every later week of the year that is over (their revenue YTD includes it).
    marked = stale(north)
    assert {WEEK, "2026-W46", "2026-W47"} <= marked
    assert all(WEEK <= week < current_week(user=rep) for week in marked)
    recompute_stale_weeks()
    row = WeeklyKPI.objects.get(rep=rep, week=WEEK)
    assert (row.deals_won, row.won_value) == (1, Decimal("800.00"))
    assert WeeklyKPI.objects.get(rep=rep, week="2026-W47").revenue_ytd == Decimal("800.00")


def test_reopening_a_deal_won_in_a_past_week_marks_the_old_close_week(company):
    rep, north = company["rep"], company["north"]
    deal = DealFactory(customer=CustomerFactory(owner=rep), amount=Decimal("800"))
    deal_move_stage(deal=deal, stage="won", by=rep, closed_at=date(2026, 11, 5))
    StaleWeek.objects.all().delete()

    deal_move_stage(deal=deal, stage="negotiation", by=rep)

    assert WEEK in stale(north)


def test_a_deal_entered_as_won_in_the_past_marks_its_week(company):
    rep = company["rep"]

    deal_create(
        by=rep,
        customer=CustomerFactory(owner=rep),
        title="Backdated",
        amount=Decimal("10"),
        stage="won",
        closed_at=date(2026, 11, 3),
    )

    assert WEEK in stale(company["north"])


def test_a_refused_late_activity_marks_nothing(company):
    rep = company["rep"]
    with pytest.raises(ValidationError):
        activity_log(by=rep, kind="bogus", customer=CustomerFactory(owner=rep))

    assert not StaleWeek.objects.exists()


def test_a_stale_mark_for_a_week_no_page_can_show_is_dropped_and_the_others_recomputed(company):
    # given: an old mark for 1899-W52 (refused today, possible in older data) before a real one
    north = company["north"]
    StaleWeek.objects.create(team=north, week="1899-W52")
    StaleWeek.objects.create(team=north, week="2026-W10")

    # when
    recompute_stale_weeks()

    # then: no mark is left and the real week has its rows
    assert not StaleWeek.objects.exists()
    assert WeeklyKPI.objects.filter(week="2026-W10", team=north).exists()
