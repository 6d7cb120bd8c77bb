"""seed_demo, issue 4: a believable activity history for the demo team (activities, tasks,
call reports, goals, weekly plans), deterministic, idempotent, consistent with the rules."""

from collections import Counter
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from activities.models import Activity, Task, WeeklyCallReport, WeeklyPlan
from activities.selectors import call_report_figures
from activities.weeks import user_tz, week_of
from crm import demo
from reports.models import ActivityGoal

TODAY = date(2026, 11, 20)  # a Friday; the generator's "now" is 17:00 UTC that day
NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
WEEKS = 6
SMALL = ["--reps", "6", "--customers", "120", "--deals", "200", "--weeks", str(WEEKS)]
FIGURES = ["calls", "meetings", "visits", "emails", "referrals", "prospecting", "new_prospects"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, "--today", TODAY.isoformat(), "--no-progress", stdout=out)
    return out.getvalue()


def activity_counts() -> dict[str, int]:
    return {
        "activities": Activity.objects.count(),
        "tasks": Task.objects.count(),
        "reports": WeeklyCallReport.objects.count(),
        "goals": ActivityGoal.objects.count(),
        "plans": WeeklyPlan.objects.count(),
        "planned customers": WeeklyPlan.customers.through.objects.count(),
    }


def activity_snapshot() -> list:
    """What a user would see of the activity history, independent of database ids."""
    return sorted(
        Activity.objects.values_list(
            "owner__username", "kind", "occurred_at", "outcome", "customer__name", "notes"
        )
    )


@pytest.mark.django_db
class TestActivityHistory:
    def test_every_rep_logs_activities_every_week_of_the_history(self):
        seed(*SMALL)

        reps = User.objects.filter(role="rep").select_related("team")
        for rep in reps:
            weeks = set(Activity.objects.filter(owner=rep).values_list("week", flat=True))
            assert len(weeks) == WEEKS, (rep.username, sorted(weeks))
            assert week_of(NOW, user_tz(rep)) in weeks
        kinds = set(Activity.objects.values_list("kind", flat=True))
        assert kinds == {"call", "meeting", "visit", "email", "referral", "note"}

    def test_inside_reps_call_more_and_outside_reps_visit_more(self):
        seed(*SMALL)

        per_rep = (
            Activity.objects.values("owner__rep_type")
            .annotate(
                reps=Count("owner", distinct=True),
                calls=Count("id", filter=Q(kind="call")),
                visits=Count("id", filter=Q(kind="visit")),
            )
            .order_by()
        )
        avg = {
            row["owner__rep_type"]: (row["calls"] / row["reps"], row["visits"] / row["reps"])
            for row in per_rep
        }
        (inside_calls, inside_visits), (outside_calls, outside_visits) = (
            avg["inside"],
            avg["outside"],
        )
        assert inside_calls > 1.5 * outside_calls
        assert outside_visits > 3 * inside_visits
        # A realistic week: an inside rep makes about a hundred calls.
        assert 70 * WEEKS <= inside_calls <= 130 * WEEKS

    def test_activities_happen_in_working_hours_in_their_team_week_and_never_in_the_future(
        self,
    ):
        seed(*SMALL)

        rows = Activity.objects.select_related("owner__team")
        assert rows.exists()
        for activity in rows:
            tz = user_tz(activity.owner)
            local = timezone.localtime(activity.occurred_at, tz)
            assert activity.week == week_of(activity.occurred_at, tz)
            assert local.weekday() < 5 and 8 <= local.hour < 18, local
            assert activity.occurred_at <= NOW
            assert activity.occurred_at <= activity.created_at <= NOW
            assert not activity.is_late

    def test_activities_link_the_reps_own_customers_contacts_and_deals(self):
        seed(*SMALL)

        activities = Activity.objects.select_related("customer", "contact", "deal")
        for activity in activities:
            assert activity.customer.owner_id == activity.owner_id
            if activity.contact_id:
                assert activity.contact.customer_id == activity.customer_id
            if activity.deal_id:
                assert activity.deal.customer_id == activity.customer_id
        assert activities.filter(contact__isnull=False).count() > activities.count() / 2
        assert activities.filter(deal__isnull=False).exists()
        assert not activities.filter(kind="note", contact__isnull=False).exists()

    def test_cold_calls_to_prospects_are_prospecting_and_new_prospects_get_a_first_call(self):
        seed(*SMALL)

        prospecting = Activity.objects.filter(is_prospecting=True)
        assert prospecting.filter(kind="call", customer__status="prospect").exists()
        assert not prospecting.exclude(kind__in=["call", "visit", "referral"]).exists()
        assert not prospecting.filter(kind="call").exclude(customer__status="prospect").exists()
        assert WeeklyCallReport.objects.filter(new_prospects__gt=0).exists()

    def test_durations_and_outcomes_fit_the_kind(self):
        seed(*SMALL)

        assert not Activity.objects.filter(kind="note").exclude(outcome="").exists()
        assert not Activity.objects.filter(kind="note", duration_minutes__isnull=False).exists()
        assert not Activity.objects.filter(kind="meeting", duration_minutes__lt=30).exists()
        assert not Activity.objects.filter(
            kind="call", outcome="no_answer", duration_minutes__gt=2
        ).exists()
        assert Activity.objects.filter(kind="call", outcome="connected").exists()

    def test_activities_option_sets_the_exact_total(self):
        seed(*SMALL, "--activities", "5000")

        assert Activity.objects.count() == 5000
        assert Activity.objects.values("owner").distinct().count() == 6


@pytest.mark.django_db
class TestTasksReportsGoalsAndPlans:
    def test_tasks_are_follow_ups_some_done_some_open_and_some_overdue(self):
        seed(*SMALL)

        tasks = Task.objects.select_related("from_activity")
        assert tasks.filter(done=True, done_at__isnull=False).exists()
        assert not tasks.filter(done=False, done_at__isnull=False).exists()
        overdue = tasks.filter(done=False, due_date__lt=TODAY).count()
        open_tasks = tasks.filter(done=False).count()
        assert 0 < overdue < open_tasks
        assert tasks.filter(done=False, due_date__gte=TODAY).exists()
        for task in tasks.filter(from_activity__isnull=False):
            assert task.assignee_id == task.from_activity.owner_id
            assert task.customer_id == task.from_activity.customer_id
            assert task.from_activity.outcome in ("follow_up", "meeting_booked")
            assert task.due_date > task.from_activity.occurred_at.date()
        assert not tasks.filter(done=True, done_at__gt=NOW).exists()

    def test_every_rep_has_a_report_per_week_past_ones_handed_in_this_one_a_draft(self):
        seed(*SMALL)

        for rep in User.objects.filter(role="rep").select_related("team"):
            reports = {r.week: r for r in WeeklyCallReport.objects.filter(rep=rep)}
            current = week_of(NOW, user_tz(rep))
            assert len(reports) == WEEKS
            assert reports.pop(current).status == "draft"
            assert {r.status for r in reports.values()} <= {"submitted", "approved", "returned"}
            for report in reports.values():
                assert report.submitted_at is not None and report.submitted_at <= NOW
            for report in reports.values():
                if report.status in ("approved", "returned"):
                    assert report.reviewed_by_id == rep.team.manager_id
                    assert report.submitted_at < report.reviewed_at <= NOW
        statuses = Counter(WeeklyCallReport.objects.values_list("status", flat=True))
        assert statuses["approved"] > statuses["returned"] > 0
        assert not WeeklyCallReport.objects.filter(status="returned", review_comment="").exists()

    def test_report_figures_equal_the_counts_of_their_weeks_activities(self):
        seed(*SMALL)

        reports = WeeklyCallReport.objects.select_related("rep__team")
        assert reports.filter(calls__gt=0).count() == reports.count()
        for report in reports:
            frozen = {name: getattr(report, name) for name in FIGURES}
            week = Activity.objects.filter(owner=report.rep, week=report.week)
            assert frozen["calls"] == week.filter(kind="call").count()
            assert frozen["visits"] == week.filter(kind="visit").count()
            assert frozen["prospecting"] == week.filter(is_prospecting=True).count()
            assert frozen == call_report_figures(rep=report.rep, week=report.week)

    def test_submitted_weeks_hold_no_activity_logged_after_the_submission(self):
        seed(*SMALL)

        for report in WeeklyCallReport.objects.exclude(submitted_at=None):
            assert not Activity.objects.filter(
                owner=report.rep, week=report.week, created_at__gt=report.submitted_at
            ).exists()

    def test_team_default_goals_rep_overrides_and_a_plan_for_this_week(self):
        seed(*SMALL)

        defaults = ActivityGoal.objects.filter(rep__isnull=True, week="")
        assert defaults.count() == 2
        assert set(defaults.values_list("calls", "meetings", "visits", "new_prospects")) == {
            (100, 5, 3, 5)
        }
        outside = User.objects.filter(role="rep", rep_type="outside")
        overrides = ActivityGoal.objects.filter(rep__in=outside, week="")
        assert overrides.count() == outside.count() > 0
        assert all(goal.visits > 3 and goal.calls < 100 for goal in overrides)
        assert ActivityGoal.objects.exclude(week="").filter(rep__isnull=False).count() == 1
        for rep in User.objects.filter(role="rep").select_related("team"):
            plan = WeeklyPlan.objects.get(rep=rep)
            assert plan.week == week_of(NOW, user_tz(rep))
            assert plan.planned_calls > 0
            customers = plan.customers.all()
            assert 5 <= len(customers) <= 10
            assert {c.owner_id for c in customers} == {rep.pk}


@pytest.mark.django_db
class TestDeterministicAndIdempotent:
    def test_running_twice_changes_nothing(self):
        seed(*SMALL)
        before = activity_counts()

        seed(*SMALL)

        assert activity_counts() == before

    def test_each_activity_phase_run_again_adds_nothing(self):
        seed(*SMALL)
        before = activity_counts()
        config = demo.DemoConfig(reps=6, customers=120, deals=200, weeks=WEEKS, today=TODAY)

        for phase in demo.ACTIVITY_PHASES:
            phase(config=config)

        assert activity_counts() == before

    def test_same_seed_gives_the_same_history(self):
        seed(*SMALL, "--seed", "7")
        first = activity_snapshot()

        seed(*SMALL, "--seed", "7", "--reset")

        assert activity_snapshot() == first

    def test_another_seed_gives_another_history(self):
        seed(*SMALL, "--seed", "7")
        first = activity_snapshot()

        seed(*SMALL, "--seed", "8", "--reset")

        assert activity_snapshot() != first

    def test_activity_history_can_be_regenerated_alone_at_another_volume(self):
        seed(*SMALL)
        customers = set(demo._demo_customers().values_list("pk", flat=True))
        config = demo.DemoConfig(
            reps=6, customers=120, deals=200, weeks=WEEKS, today=TODAY, activities=900
        )

        result = demo.seed_activity_history(config=config)

        assert result.counts["activities"] == Activity.objects.count() == 900
        assert set(demo._demo_customers().values_list("pk", flat=True)) == customers
        assert WeeklyCallReport.objects.count() == 6 * WEEKS
        for report in WeeklyCallReport.objects.select_related("rep__team"):
            frozen = {name: getattr(report, name) for name in FIGURES}
            assert frozen == call_report_figures(rep=report.rep, week=report.week)

    def test_reset_removes_the_activity_history_with_the_demo_users(self):
        seed(*SMALL)

        demo.wipe_demo_data()

        assert activity_counts() == dict.fromkeys(activity_counts(), 0)


@pytest.mark.django_db
def test_activities_go_in_in_batches():
    with CaptureQueriesContext(connection) as ctx:
        seed(*SMALL, "--activities", "1200", "--batch-size", "500")

    sql = [q["sql"] for q in ctx.captured_queries]
    inserts = [s for s in sql if s.startswith('INSERT INTO "activities_activity"')]
    assert len(inserts) == 3
    assert Activity.objects.count() == 1200


@pytest.mark.django_db
def test_a_negative_activity_total_is_refused():
    with pytest.raises(CommandError, match="activities"):
        seed("--activities", "-5")

    assert User.objects.count() == 0
