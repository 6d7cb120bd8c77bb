"""At-risk reps (issue 13): the weekly KPI job flags reps by four rules on hand-built weeks
whose flags are known in advance; each rule fires past its boundary and not at it, every
flag carries its figures, and recomputing a week replaces its flags."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Activity
from activities.weeks import week_monday
from crm.models import Customer, Deal, DealStageChange
from reports.digest import send_team_digest
from reports.kpis import compute_weekly_kpis
from reports.models import ActivityGoal, Quota, RiskFlag, WeeklyKPI
from reports.risk import risk_flags_for
from tests.factories.accounts import RepFactory
from tests.factories.crm import CustomerFactory, DealFactory

WEEK = "2026-W47"  # Monday 16 Nov - Sunday 22 Nov 2026; Q4 day 53 of 92 on the Sunday
BERLIN = ZoneInfo("Europe/Berlin")  # North
NEW_YORK = ZoneInfo("America/New_York")  # South


def berlin(y, m, d, hour=10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=BERLIN)


def flags_of(rep, week=WEEK) -> dict:
    return {f.rule: f.figures for f in RiskFlag.objects.filter(rep=rep, week=week)}


def compute(week=WEEK, team=None):
    return compute_weekly_kpis(week=week, team=team)


def calls(rep, week, n):
    """n calls logged by the rep on the Wednesday of the ISO week."""
    wednesday = week_monday(week) + timedelta(days=2)
    customer = CustomerFactory(owner=rep)
    for _ in range(n):
        Activity.objects.create(
            owner=rep,
            customer=customer,
            kind="call",
            occurred_at=datetime.combine(wednesday, time(10), tzinfo=BERLIN),
            week=week,
        )


def won(rep, amount, closed_at=date(2026, 11, 10)):
    return DealFactory(
        customer=CustomerFactory(owner=rep),
        owner=rep,
        amount=Decimal(amount),
        stage_id="won",
        closed_at=closed_at,
        credited_to=rep,
    )


def open_deal(rep, amount, expected_close, *, stage="proposal", created=None):
    deal = DealFactory(
        customer=CustomerFactory(owner=rep),
        owner=rep,
        amount=Decimal(amount),
        stage_id=stage,
        expected_close=expected_close,
        closed_at=expected_close if stage in ("won", "lost") else None,
        credited_to=rep if stage == "won" else None,
    )
    Deal.objects.filter(pk=deal.pk).update(created_at=created or berlin(2026, 11, 1))
    return deal


def quota(rep, period, start, revenue):
    return Quota.objects.create(
        rep=rep, period=period, period_start=start, revenue=Decimal(revenue)
    )


def key_customer(rep, name, *, created=None):
    customer = CustomerFactory(owner=rep, name=name)
    Customer.objects.filter(pk=customer.pk).update(
        is_key=True, created_at=created or berlin(2026, 1, 5)
    )
    return customer


def touch(customer, when, *, owner=None, kind="visit", stored=True):
    """An activity on the customer; `stored` keeps Customer.last_activity_at as the
    activity services do (False: the column is left unknown, as after a raw insert)."""
    from activities.services import customers_refresh_last_activity
    from activities.weeks import week_of

    activity = Activity.objects.create(
        owner=owner or customer.owner,
        customer=customer,
        kind=kind,
        occurred_at=when,
        week=week_of(when, BERLIN),
    )
    if stored:
        customers_refresh_last_activity(customer_ids=[customer.pk])
    return activity


# --- activity: under the goal in 3 of the last 4 weeks -----------------------------------


@pytest.fixture
def calls_goal(company):
    return ActivityGoal.objects.create(rep=company["rep"], week="", calls=5)


def _weeks(company, made: dict):
    rep = company["rep"]
    for week, n in made.items():
        calls(rep, week, n)
    for week in made:
        compute(week=week, team=company["north"])


def test_under_the_goal_in_3_of_the_last_4_weeks_fires(company, calls_goal):
    _weeks(company, {"2026-W44": 5, "2026-W45": 4, "2026-W46": 0, "2026-W47": 2})

    assert flags_of(company["rep"])["activity"] == {
        "missed": 3,
        "window": 4,
        "weeks": ["2026-W45", "2026-W46", "2026-W47"],
    }
    assert flags_of(company["other_rep"]) == {}  # no goal, nothing missed


def test_under_the_goal_in_2_of_the_last_4_weeks_does_not_fire(company, calls_goal):
    _weeks(company, {"2026-W44": 5, "2026-W45": 6, "2026-W46": 0, "2026-W47": 2})

    assert "activity" not in flags_of(company["rep"])


def test_a_missed_week_outside_the_window_does_not_count(company, calls_goal):
    _weeks(
        company,
        {"2026-W43": 0, "2026-W44": 0, "2026-W45": 5, "2026-W46": 0, "2026-W47": 5},
    )

    assert "activity" not in flags_of(company["rep"])
    assert flags_of(company["rep"], "2026-W46")["activity"]["missed"] == 3  # W43, W44, W46


def test_the_window_and_the_missed_weeks_come_from_the_settings(company, calls_goal, settings):
    settings.CRM_RISK_GOAL_MISSED_WEEKS = 2
    settings.CRM_RISK_WINDOW_WEEKS = 2
    _weeks(company, {"2026-W45": 0, "2026-W46": 0, "2026-W47": 0})

    assert flags_of(company["rep"])["activity"] == {
        "missed": 2,
        "window": 2,
        "weeks": ["2026-W46", "2026-W47"],
    }


# --- attainment: quarter to date trails the quarter elapsed by more than 20 points ------
# W47's Sunday is day 53 of Q4's 92 days: 57.6% elapsed. A 9,200 quarter quota makes
# attainment = revenue / 92, so 3,460 is exactly 20 points behind.


def test_exactly_20_points_behind_does_not_fire(company):
    rep = company["rep"]
    quota(rep, "quarter", date(2026, 10, 1), 9200)
    won(rep, "3460.00")

    compute(team=company["north"])

    assert "attainment" not in flags_of(rep)


def test_a_cent_more_than_20_points_behind_fires_with_the_figures(company):
    rep = company["rep"]
    quota(rep, "quarter", date(2026, 10, 1), 9200)
    won(rep, "3459.99")

    compute(team=company["north"])

    assert flags_of(rep)["attainment"] == {
        "attainment": 37.6,
        "elapsed": 57.6,
        "gap": 20.0,
        "margin": 20.0,
    }


def test_attainment_far_behind_names_the_gap(company):
    rep = company["rep"]
    quota(rep, "quarter", date(2026, 10, 1), 9200)
    won(rep, "2000.00")
    won(rep, "5000.00", closed_at=date(2026, 9, 30))  # last quarter: not this quarter's

    compute(team=company["north"])

    assert flags_of(rep)["attainment"] == {
        "attainment": 21.7,
        "elapsed": 57.6,
        "gap": 35.9,
        "margin": 20.0,
    }


def test_without_a_quarter_quota_attainment_does_not_fire(company):
    compute(team=company["north"])

    assert "attainment" not in flags_of(company["rep"])


# --- coverage: next quarter's pipeline under 3x its quota --------------------------------


def test_pipeline_of_exactly_3x_next_quarters_quota_does_not_fire(company):
    rep = company["rep"]
    quota(rep, "quarter", date(2027, 1, 1), 10000)
    open_deal(rep, "20000.00", date(2027, 1, 15))
    open_deal(rep, "10000.00", date(2027, 3, 31), stage="negotiation")

    compute(team=company["north"])

    assert "coverage" not in flags_of(rep)


def test_pipeline_under_3x_fires_with_the_figures(company):
    rep = company["rep"]
    quota(rep, "quarter", date(2027, 1, 1), 10000)
    open_deal(rep, "18000.00", date(2027, 2, 15))
    # none of these is next quarter's open pipeline as of W47:
    open_deal(rep, "50000.00", date(2027, 4, 1))  # the quarter after
    open_deal(rep, "50000.00", date(2026, 12, 20))  # this quarter
    open_deal(rep, "50000.00", date(2027, 2, 1), stage="won")  # not open
    open_deal(rep, "50000.00", date(2027, 2, 1), created=berlin(2026, 11, 30))  # after W47

    compute(team=company["north"])

    assert flags_of(rep)["coverage"] == {
        "coverage": 1.8,
        "needed": 3.0,
        "pipeline": "18000.00",
        "quota": "10000.00",
        "quarter": "2027-Q1",
    }


def test_coverage_reads_the_pipeline_open_at_the_weeks_end_from_the_kpi_row(company):
    """A deal open in W47 and won since still counts for W47, as in pipeline_value."""
    rep = company["rep"]
    quota(rep, "quarter", date(2027, 1, 1), 10000)
    later_won = open_deal(rep, "12000.00", date(2027, 1, 20), stage="won")
    Deal.objects.filter(pk=later_won.pk).update(stage_changed_at=berlin(2026, 12, 1))
    DealStageChange.objects.create(
        deal=later_won, to_stage="proposal", changed_at=berlin(2026, 11, 2)
    )
    DealStageChange.objects.create(deal=later_won, to_stage="won", changed_at=berlin(2026, 12, 1))

    compute(team=company["north"])

    row = WeeklyKPI.objects.get(rep=rep, week=WEEK)
    assert (row.pipeline_next_quarter, row.quota_next_quarter) == (
        Decimal("12000.00"),
        Decimal("10000.00"),
    )
    assert flags_of(rep)["coverage"]["coverage"] == 1.2


def test_next_quarters_quota_is_rolled_up_from_its_months(company):
    rep, other = company["rep"], company["other_rep"]
    for month in (1, 2, 3):
        quota(rep, "month", date(2027, month, 1), 2000)
        quota(other, "month", date(2027, month, 1), 2000)
    open_deal(rep, "18000.00", date(2027, 1, 10))  # 3 x 6,000: covered
    open_deal(other, "17999.99", date(2027, 1, 10))

    compute(team=company["north"])

    assert "coverage" not in flags_of(rep)
    assert flags_of(other)["coverage"]["quota"] == "6000.00"


def test_without_next_quarters_quota_coverage_does_not_fire(company):
    compute(team=company["north"])

    assert "coverage" not in flags_of(company["rep"])


# --- neglect: a key customer without an activity for 30 days ------------------------------
# W47's Sunday is 22 Nov 2026: 30 days after 23 Oct.


def test_a_key_customer_untouched_for_30_days_fires(company):
    rep = company["rep"]
    acme = key_customer(rep, "Acme")
    touch(acme, berlin(2026, 10, 23, 18))
    touch(acme, berlin(2026, 11, 25))  # after the week: not seen by W47

    compute(team=company["north"])

    assert flags_of(rep)["neglect"] == {
        "customer": "Acme",
        "customer_id": acme.pk,
        "days": 30,
        "count": 1,
        "customers": [{"customer": "Acme", "customer_id": acme.pk, "days": 30, "never": False}],
    }


def test_a_key_customer_touched_29_days_ago_does_not_fire(company):
    rep = company["rep"]
    acme = key_customer(rep, "Acme")
    touch(acme, berlin(2026, 10, 24, 8), owner=company["other_rep"])  # anyone's activity

    compute(team=company["north"])

    assert "neglect" not in flags_of(rep)


@pytest.mark.parametrize("stored", [True, False], ids=["last-activity-stored", "unknown"])
def test_the_last_activity_before_the_weeks_end_decides_not_a_later_one(company, stored):
    """The stored last activity (25 Nov) is after W47: the rule reads the activities for
    the last one before the week's end (23 Oct: 30 days), and so it does when the stored
    value is unknown; one touched inside the window stays unflagged either way."""
    rep = company["rep"]
    acme = key_customer(rep, "Acme")
    touch(acme, berlin(2026, 10, 23, 18), stored=stored)
    touch(acme, berlin(2026, 11, 25), stored=stored)
    busy = key_customer(rep, "Busy")
    touch(busy, berlin(2026, 11, 2), stored=stored)

    compute(team=company["north"])

    figures = flags_of(rep)["neglect"]
    assert [(c["customer"], c["days"]) for c in figures["customers"]] == [("Acme", 30)]
    stored_at = Customer.objects.get(pk=acme.pk).last_activity_at
    assert stored_at == (berlin(2026, 11, 25) if stored else None)


def test_every_neglected_key_customer_is_listed_worst_first(company):
    rep = company["rep"]
    acme = key_customer(rep, "Acme")
    touch(acme, berlin(2026, 10, 12))  # 41 days
    never = key_customer(rep, "Bolt", created=berlin(2026, 9, 1))  # never touched: 82 days
    busy = key_customer(rep, "Cobalt")
    touch(busy, berlin(2026, 11, 20))
    plain = CustomerFactory(owner=rep, name="Plain")  # not key: never flagged
    Customer.objects.filter(pk=plain.pk).update(created_at=berlin(2026, 1, 1))
    key_customer(company["other_rep"], "Theirs")

    compute(team=company["north"])

    figures = flags_of(rep)["neglect"]
    assert (figures["customer"], figures["days"]) == ("Bolt", 82)
    assert figures["customers"] == [
        {"customer": "Bolt", "customer_id": never.pk, "days": 82, "never": True},
        {"customer": "Acme", "customer_id": acme.pk, "days": 41, "never": False},
    ]
    assert flags_of(company["other_rep"])["neglect"]["customer"] == "Theirs"


def test_a_neglect_flag_lists_the_ten_worst_and_counts_them_all(company):
    rep = company["rep"]
    for n in range(12):
        key_customer(rep, f"Key {n:02d}", created=berlin(2026, 9, 1 + n))

    compute(team=company["north"])

    (flag,) = RiskFlag.objects.filter(rep=rep, week=WEEK, rule="neglect")
    assert flag.figures["count"] == 12
    assert [c["customer"] for c in flag.figures["customers"]] == [f"Key {n:02d}" for n in range(10)]
    assert flag.reason == "No activity on key customer Key 00 for 82 days and 11 more key customers"


def test_neglect_counts_days_in_the_reps_team_time_zone(company):
    """03:00 UTC on 24 Oct is still 23 Oct in New York (30 days) but 24 Oct in Berlin (29)."""
    south_rep, north_rep = company["south_rep"], company["rep"]
    moment = datetime(2026, 10, 24, 3, tzinfo=UTC)
    touch(key_customer(south_rep, "Gotham"), moment)
    touch(key_customer(north_rep, "Bremen"), moment)

    compute()

    assert flags_of(south_rep)["neglect"]["days"] == 30
    assert "neglect" not in flags_of(north_rep)


# --- stored by a keyed upsert: recomputing replaces the week's flags ---------------------


def test_recomputing_the_same_data_gives_the_same_rows(company):
    rep = company["rep"]
    key_customer(rep, "Acme")
    quota(rep, "quarter", date(2026, 10, 1), 9200)

    compute(team=company["north"])
    first = list(
        RiskFlag.objects.order_by("pk").values_list("pk", "rep", "week", "rule", "figures")
    )
    compute(team=company["north"])
    compute()

    again = list(
        RiskFlag.objects.order_by("pk").values_list("pk", "rep", "week", "rule", "figures")
    )
    assert again == first
    assert {row[3] for row in first} == {"attainment", "neglect"}


def test_a_recompute_of_unchanged_data_writes_no_flag(company):
    rep = company["rep"]
    key_customer(rep, "Acme")
    compute(team=company["north"])
    before = RiskFlag.objects.get(rep=rep, week=WEEK, rule="neglect").computed_at

    with CaptureQueriesContext(connection) as ctx:
        compute(team=company["north"])

    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if "reports_riskflag" in q["sql"] and not q["sql"].startswith("SELECT")
    ]
    assert writes == []
    assert RiskFlag.objects.get(rep=rep, week=WEEK, rule="neglect").computed_at == before


def test_a_recompute_removes_the_flags_that_no_longer_fire(company):
    rep = company["rep"]
    acme = key_customer(rep, "Acme")
    key_customer(company["south_rep"], "Gotham")
    compute(team=company["north"])
    compute(team=company["south"])
    compute(week="2026-W46", team=company["north"])
    assert set(flags_of(rep)) == {"neglect"}

    touch(acme, berlin(2026, 11, 20))  # a visit logged late, inside the window
    compute(team=company["north"])

    assert flags_of(rep) == {}
    assert "neglect" in flags_of(rep, "2026-W46")  # another week: untouched
    assert "neglect" in flags_of(company["south_rep"])  # another team: untouched


def test_a_rep_who_moved_teams_loses_the_old_teams_flag_of_the_week(company):
    rep = company["rep"]
    key_customer(rep, "Acme")
    compute(team=company["north"])
    rep.team = company["south"]
    rep.save()

    compute(team=company["north"])

    assert flags_of(rep) == {}


def test_a_bad_week_is_refused_and_nothing_is_written(company):
    key_customer(company["rep"], "Acme")
    with pytest.raises(ValidationError) as exc:
        compute(week="2026-W99")

    assert "week" in exc.value.message_dict
    assert not RiskFlag.objects.exists()


# --- a fixed number of queries whatever the number of reps --------------------------------


def _flagged_team(n, company):
    """n North reps each firing all four rules in W47."""
    reps = [RepFactory(team=company["north"]) for _ in range(n)]
    for rep in reps:
        ActivityGoal.objects.create(rep=rep, week="", calls=5)
        for week in ("2026-W45", "2026-W46"):
            WeeklyKPI.objects.create(
                rep=rep, team=rep.team, week=week, goal_calls=5, computed_at=berlin(2026, 11, 1)
            )
        quota(rep, "quarter", date(2026, 10, 1), 9200)
        quota(rep, "quarter", date(2027, 1, 1), 10000)
        key_customer(rep, f"Key {rep.pk}")
    return reps


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_the_job_runs_the_same_number_of_queries_for_2_and_20_flagged_reps(
    company, django_assert_max_num_queries
):
    north = company["north"]
    _flagged_team(2, company)
    with django_assert_max_num_queries(25):  # 20 for the KPI rows, at most 5 for flags
        small = _count(lambda: compute(team=north))
    _flagged_team(18, company)

    large = _count(lambda: compute(team=north))

    assert large == small
    assert RiskFlag.objects.filter(week=WEEK, team=north).count() == 20 * 4


# --- the selector other areas use (coaching: "a manager sees a flagged rep") -------------


def test_risk_flags_for_gives_each_flagged_reps_flags_in_rule_order(
    company, django_assert_num_queries
):
    rep = company["rep"]
    key_customer(rep, "Acme")
    quota(rep, "quarter", date(2026, 10, 1), 9200)
    compute(team=company["north"])

    with django_assert_num_queries(1):
        found = risk_flags_for(reps=[rep, company["other_rep"]], week=WEEK)

    assert list(found) == [rep.pk]
    assert [f.rule for f in found[rep.pk]] == ["attainment", "neglect"]
    assert found[rep.pk][0].reason == (
        "Quota attainment 0.0% with 57.6% of the quarter elapsed (57.6 points behind)"
    )
    assert found[rep.pk][1].reason.startswith("No activity on key customer Acme for ")
    assert risk_flags_for(reps=[], week=WEEK) == {}
    with pytest.raises(ValidationError):
        risk_flags_for(reps=[rep], week="2026-47")


# --- the Monday digest lists them ---------------------------------------------------------


@pytest.fixture
def local_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(uuid.uuid4()),
        }
    }


def test_the_monday_digest_lists_the_flagged_reps_with_the_reasons(company, local_cache):
    rep = company["rep"]
    rep.first_name, rep.last_name = "Ann", "Able"
    rep.save()
    touch(key_customer(rep, "Acme"), berlin(2026, 10, 12))
    compute(team=company["north"])

    assert send_team_digest(team=company["north"], week=WEEK) is True

    message = mail.outbox[0]
    assert "At risk (1):" in message.body
    assert "- Ann Able: No activity on key customer Acme for 41 days" in message.body
    html = message.alternatives[0][0]
    assert f'id="risk-{rep.pk}"' in html
    assert "No activity on key customer Acme for 41 days" in html


def test_the_digest_says_when_nobody_is_at_risk(company, local_cache):
    compute(team=company["north"])

    send_team_digest(team=company["north"], week=WEEK)

    assert "Nobody at risk this week." in mail.outbox[0].body
