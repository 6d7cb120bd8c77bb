"""My week: the rep's home page, computed on a hand-built week."""

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Task, WeeklyPlan
from activities.selectors import my_week
from activities.weeks import week_of
from crm.models import Customer, Deal
from reports.models import ActivityGoal
from tests.factories.crm import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")  # team North's time zone (rep_a)
WEEK = "2026-W47"  # Monday 16 to Sunday 22 November 2026
MY_WEEK = reverse("activities:my-week")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def log(*, owner, customer, kind="call", when, deal=None, prospecting=False) -> Activity:
    """An activity as the logging service stores it: `week` seen from the owner's team."""
    return Activity.objects.create(
        owner=owner,
        customer=customer,
        deal=deal,
        kind=kind,
        occurred_at=when,
        week=week_of(when, zoneinfo.ZoneInfo(owner.team.time_zone)),
        is_prospecting=prospecting,
    )


def created(obj, when: datetime):
    type(obj).objects.filter(pk=obj.pk).update(created_at=when)
    return obj


@pytest.fixture
def week(company):
    """rep_a's week W47, built by hand."""
    rep = company["rep"]
    acme = CustomerFactory(owner=rep, name="Acme")
    quiet = CustomerFactory(owner=rep, name="Quiet Ltd")
    fresh = created(CustomerFactory(owner=rep, name="Fresh", status="prospect"), at(18, 10))
    elsewhere = CustomerFactory(owner=company["other_rep"])
    # In the week: Monday 09:00, and Sunday 23:30 local time (22:30 UTC, still Sunday)
    log(owner=rep, customer=acme, when=at(16, 9))
    log(owner=rep, customer=acme, when=at(22, 23, 30))
    log(owner=rep, customer=acme, kind="meeting", when=at(18, 14))
    log(owner=rep, customer=fresh, kind="visit", when=at(19, 11), prospecting=True)
    log(owner=rep, customer=quiet, kind="note", when=at(20, 16))
    log(owner=rep, customer=acme, kind="email", when=at(20, 17))
    # Outside the week: Sunday before 23:30, and Monday after 00:30 (Sunday 23:30 UTC)
    log(owner=rep, customer=acme, when=at(15, 23, 30))
    log(owner=rep, customer=acme, kind="meeting", when=at(23, 0, 30))
    # Someone else's call in the same week
    log(owner=company["other_rep"], customer=elsewhere, when=at(17, 10))
    ActivityGoal.objects.create(team=company["north"], week=WEEK, calls=10, meetings=2)
    ActivityGoal.objects.create(rep=rep, calls=50, visits=4, new_prospects=1)  # standing
    plan = WeeklyPlan.objects.create(rep=rep, week=WEEK, planned_calls=8, planned_visits=1)
    plan.customers.set([acme, quiet])
    return {"rep": rep, "acme": acme, "quiet": quiet, "fresh": fresh, "plan": plan}


def test_goals_vs_logged_count_the_weeks_activities_in_team_time(week):
    data = my_week(rep=week["rep"], week=WEEK)
    metrics = {m.key: (m.actual, m.goal, m.planned) for m in data.metrics}
    # The rep's own weekly goal (standing) wins over the team default for the week
    assert metrics == {
        "calls": (2, 50, 8),  # Monday 09:00 and Sunday 23:30 local
        "meetings": (1, 0, 0),  # the Monday 00:30 meeting belongs to next week
        "visits": (1, 4, 1),
        "new_prospects": (1, 1, 0),  # Fresh: created this week, visited this week
    }
    assert data.counts["emails"] == 1
    assert data.counts["prospecting"] == 1


def test_plan_vs_actual_shows_which_planned_customers_were_contacted(week):
    data = my_week(rep=week["rep"], week=WEEK)
    contacted = {c.name: c.contacted for c in data.planned_customers}
    # A note is not contact
    assert contacted == {"Acme": True, "Quiet Ltd": False}
    assert data.contacted_count == 1


def test_tasks_due_this_week_and_overdue(company, week):
    rep = week["rep"]

    def task(title, due, done=False, assignee=rep):
        return Task.objects.create(title=title, due_date=due, assignee=assignee, done=done)

    task("due Friday", date(2026, 11, 20))
    task("done Tuesday", date(2026, 11, 17), done=True)
    task("overdue from before", date(2026, 11, 2))
    task("done long ago", date(2026, 11, 2), done=True)
    task("next week", date(2026, 11, 24))
    task("colleague's", date(2026, 11, 20), assignee=company["other_rep"])
    data = my_week(rep=rep, week=WEEK)
    assert [t.title for t in data.tasks] == ["overdue from before", "due Friday", "done Tuesday"]
    # Measured against today (after W47), open tasks of the week are overdue
    assert [t.is_overdue for t in data.tasks] == [True, True, False]


def test_deals_with_no_activity_for_14_days(company, week):
    rep, acme = week["rep"], week["acme"]
    now = timezone.now()
    old = created(DealFactory(customer=acme, owner=rep, title="Gone quiet"), now - timedelta(60))
    log(owner=rep, customer=acme, deal=old, when=now - timedelta(days=20))
    busy = created(DealFactory(customer=acme, owner=rep, title="Busy"), now - timedelta(60))
    log(owner=rep, customer=acme, deal=busy, when=now - timedelta(days=20))
    log(owner=rep, customer=acme, deal=busy, when=now - timedelta(days=2))
    created(DealFactory(customer=acme, owner=rep, title="Never touched"), now - timedelta(30))
    DealFactory(customer=acme, owner=rep, title="Brand new")
    won = DealFactory(customer=acme, owner=rep, title="Won", stage_id="won", probability=100)
    created(won, now - timedelta(90))
    other = DealFactory(customer=CustomerFactory(owner=company["other_rep"]), title="Not mine")
    created(other, now - timedelta(90))
    stale = my_week(rep=rep, week=WEEK).stale_deals
    assert [d.title for d in stale] == ["Never touched", "Gone quiet"]
    assert stale[0].last_activity_at is None
    assert stale[1].last_activity_at < now - timedelta(days=14)


def test_the_page_shows_the_numbers(client, week):
    client.force_login(week["rep"])
    response = client.get(MY_WEEK, {"week": WEEK})
    assert response.status_code == 200
    html = response.content.decode()
    calls_row = html[html.index('id="metric-calls"') :].split("</tr>")[0]
    assert 'metric-actual">2<' in calls_row and 'metric-goal">50<' in calls_row
    assert "contacted: yes" in html and "contacted: no" in html
    assert "My week" in html and WEEK in html


def test_this_week_is_the_default_and_a_bad_week_says_why(client, company):
    client.force_login(company["rep"])
    response = client.get(MY_WEEK)
    assert response.context["data"].is_current
    response = client.get(MY_WEEK, {"week": "2026-W60"})
    assert response.status_code == 200
    assert response.context["data"].is_current
    assert "2026 has no ISO week 60." in response.content.decode()


def test_a_reps_home_page_is_my_week(client, company):
    client.force_login(company["rep"])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "activities/week/my_week.html" in [t.name for t in response.templates]
    client.force_login(company["north_mgr"])
    response = client.get(reverse("home"))
    assert "activities/week/my_week.html" not in [t.name for t in response.templates]


def test_a_manager_opens_a_reps_week_but_not_another_teams(client, company, week):
    client.force_login(company["north_mgr"])
    response = client.get(MY_WEEK, {"rep": week["rep"].pk, "week": WEEK})
    assert response.status_code == 200
    assert response.context["data"].metrics[0].actual == 2
    assert client.get(MY_WEEK, {"rep": company["south_rep"].pk}).status_code == 404
    assert client.get(MY_WEEK, {"rep": "abc"}).status_code == 404
    client.force_login(company["rep"])
    assert client.get(MY_WEEK, {"rep": company["other_rep"].pk}).status_code == 404


def _grow(company, week, n: int) -> None:
    """n more of everything the page lists, for the same rep and week."""
    rep, acme = week["rep"], week["acme"]
    customers = Customer.objects.bulk_create(
        [
            Customer(
                owner=rep,
                name=f"Bulk {i}",
                segment="primary",
                status="prospect",
                source="cold_call",
            )
            for i in range(n)
        ]
    )
    week["plan"].customers.add(*customers)
    Activity.objects.bulk_create(
        [
            Activity(owner=rep, customer=c, kind=kind, occurred_at=at(17, 10), week=WEEK)
            for c in customers
            for kind in ("call", "meeting", "visit")
        ]
    )
    Task.objects.bulk_create(
        [Task(title=f"T{i}", assignee=rep, due_date=date(2026, 11, 18)) for i in range(n)]
    )
    Deal.objects.bulk_create(
        [
            Deal(customer=acme, owner=rep, title=f"D{i}", amount=1, stage_id="lead", probability=10)
            for i in range(n)
        ]
    )
    Deal.objects.filter(owner=rep).update(created_at=timezone.now() - timedelta(days=30))


def test_the_page_runs_a_fixed_number_of_queries(
    client, company, week, django_assert_max_num_queries
):
    client.force_login(week["rep"])
    _grow(company, week, 2)
    with django_assert_max_num_queries(20) as few:
        client.get(MY_WEEK, {"week": WEEK})
    _grow(company, week, 60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(MY_WEEK, {"week": WEEK})
    assert len(response.context["data"].tasks) == 62
    # Only the 20 quietest deals are listed, with the count of all and a link to the list
    assert len(response.context["data"].stale_deals) == 20
    assert response.context["data"].stale_deals_count == 62
    more = response.content.decode().split('id="stale-deals-more"')[1].split("</p>")[0]
    assert "The 20 quietest of 62 deals" in more
    assert f"{reverse('crm:deal-list')}?owner={week['rep'].pk}" in more


def test_stale_deals_list_the_quietest_first_and_count_them_all(company, week):
    # given 25 stale deals of the rep: 22 quiet for 20+ days, 3 never touched since creation
    rep, acme = week["rep"], week["acme"]
    now = timezone.now()
    for i in range(22):
        deal = created(
            DealFactory(customer=acme, owner=rep, title=f"Quiet {i:02d}"), now - timedelta(90)
        )
        log(owner=rep, customer=acme, deal=deal, when=now - timedelta(days=20 + i))
    for i in range(3):
        created(
            DealFactory(customer=acme, owner=rep, title=f"Untouched {i}"), now - timedelta(60 + i)
        )

    # when the rep's week is gathered
    data = my_week(rep=rep, week=WEEK)

    # then the 20 quietest are listed (never touched first, then the longest silence), and
    # the count says how many there are in all
    assert data.stale_deals_count == 25
    titles = [d.title for d in data.stale_deals]
    assert titles[:4] == ["Untouched 2", "Untouched 1", "Untouched 0", "Quiet 21"]
    assert titles[-1] == "Quiet 05"
    assert len(titles) == 20


def test_no_stale_deals_means_a_zero_count_and_no_more_link(client, week):
    client.force_login(week["rep"])
    response = client.get(MY_WEEK, {"week": WEEK})
    assert response.context["data"].stale_deals_count == 0
    assert 'id="stale-deals-more"' not in response.content.decode()


def test_the_quick_log_form_is_on_the_reps_own_week_only(client, company):
    client.force_login(company["rep"])
    assert 'id="week-quick-log"' in client.get(MY_WEEK).content.decode()
    client.force_login(company["north_mgr"])
    html = client.get(MY_WEEK, {"rep": company["rep"].pk}).content.decode()
    assert 'id="week-quick-log"' not in html
