"""The weekly call report: figures computed from the week's activities, submission freezes
them and locks the week, the manager approves or returns, late entries stay visible, and
the Friday reminder reaches exactly the reps who have not submitted, once."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from activities import services
from activities.models import Activity, WeeklyCallReport
from activities.selectors import (
    call_report_figures,
    call_report_late_entries,
    call_report_shown_figures,
    team_report_status,
)
from activities.tasks import send_call_report_reminders
from activities.weeks import user_tz, week_bounds, week_of
from crm.models import Customer
from tests.factories.accounts import RepFactory
from tests.factories.crm import CustomerFactory

pytestmark = pytest.mark.django_db

WEEK = "2026-W45"  # Monday 2026-11-02 .. Sunday 2026-11-08, in the past


def log(rep, customer, kind="call", *, at=None, week=WEEK, day=1, **fields):
    """An activity as the logging service stores it: `week` in the owner's team time zone."""
    if at is None:
        start, _ = week_bounds(week, user_tz(rep))
        at = start + timedelta(days=day, hours=10)
    return Activity.objects.create(
        owner=rep,
        customer=customer,
        kind=kind,
        occurred_at=at,
        week=week_of(at, user_tz(rep)),
        **fields,
    )


def created_in_week(customer, week=WEEK, day=0):
    start, _ = week_bounds(week, user_tz(customer.owner))
    Customer.objects.filter(pk=customer.pk).update(created_at=start + timedelta(days=day, hours=9))


@pytest.fixture
def week_of_work(company):
    """rep_a's hand-built week: 3 calls (2 prospecting), 1 meeting, 2 visits, 1 email,
    1 referral, 1 note, on one old and two brand-new customers; plus noise that must not
    count (another rep's call, rep_a's call the week before)."""
    rep = company["rep"]
    old = CustomerFactory(owner=rep, name="Old customer")
    new1 = CustomerFactory(owner=rep, name="New one", status="prospect")
    new2 = CustomerFactory(owner=rep, name="New two", status="prospect")
    created_in_week(new1, day=0)
    created_in_week(new2, day=2)
    Customer.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    log(rep, new1, "call", is_prospecting=True)
    log(rep, new2, "call", is_prospecting=True, day=3)
    log(rep, old, "call")
    log(rep, old, "meeting")
    log(rep, old, "visit")
    log(rep, new1, "visit", day=2)
    log(rep, old, "email")
    log(rep, old, "referral")
    log(rep, old, "note")
    log(company["other_rep"], CustomerFactory(owner=company["other_rep"]), "call")
    log(rep, old, "call", week="2026-W44")
    return rep


EXPECTED = {
    "calls": 3,
    "meetings": 1,
    "visits": 2,
    "emails": 1,
    "referrals": 1,
    "prospecting": 2,
    "new_prospects": 2,
}


def test_figures_of_a_hand_built_week_come_from_one_aggregate_query(
    week_of_work, django_assert_num_queries
):
    with django_assert_num_queries(1):
        figures = call_report_figures(rep=week_of_work, week=WEEK)
    assert figures == EXPECTED


def test_a_draft_shows_live_figures_and_submitting_freezes_them(company, week_of_work):
    rep = week_of_work
    report = services.call_report_get_or_create(rep=rep, week=WEEK)
    assert report.status == "draft"
    assert dict((n, v) for _, n, v in call_report_shown_figures(report=report)) == EXPECTED

    report = services.call_report_submit(report=report, by=rep, comments="  Busy week.  ")

    report.refresh_from_db()
    assert report.status == "submitted"
    assert report.submitted_at is not None
    assert report.comments == "Busy week."
    assert {name: getattr(report, name) for name in EXPECTED} == EXPECTED


def test_get_or_create_returns_the_same_draft_and_refuses_bad_or_future_weeks(company):
    rep = company["rep"]
    first = services.call_report_get_or_create(rep=rep, week=WEEK)
    assert services.call_report_get_or_create(rep=rep, week=WEEK).pk == first.pk
    with pytest.raises(ValidationError) as bad:
        services.call_report_get_or_create(rep=rep, week="2026-47")
    assert "ISO week" in str(bad.value.message_dict["week"])
    future = week_of(timezone.now() + timedelta(days=14), user_tz(rep))
    with pytest.raises(ValidationError) as later:
        services.call_report_get_or_create(rep=rep, week=future)
    assert "has not started yet" in str(later.value.message_dict["week"])
    assert WeeklyCallReport.objects.count() == 1


def test_submit_locks_the_week_and_the_report(company, week_of_work):
    from activities.selectors import is_week_locked

    rep = week_of_work
    report = services.call_report_get_or_create(rep=rep, week=WEEK)
    assert not is_week_locked(rep=rep, week=WEEK)
    services.call_report_submit(report=report, by=rep)
    assert is_week_locked(rep=rep, week=WEEK)

    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.call_report_submit(report=report, by=rep)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.call_report_save_comments(report=report, by=rep, comments="edit")
    report.refresh_from_db()
    assert report.comments == ""


def test_only_the_rep_submits_their_report(company):
    report = services.call_report_get_or_create(rep=company["rep"], week=WEEK)
    for intruder in ("other_rep", "north_mgr", "admin"):
        with pytest.raises(PermissionDenied):
            services.call_report_submit(report=report, by=company[intruder])
    report.refresh_from_db()
    assert report.status == "draft" and report.submitted_at is None


def test_the_reps_manager_approves_a_submitted_report(company):
    rep, manager = company["rep"], company["north_mgr"]
    report = services.call_report_get_or_create(rep=rep, week=WEEK)
    with pytest.raises(ValidationError, match="Only a submitted report"):
        services.call_report_approve(report=report, by=manager)
    services.call_report_submit(report=report, by=rep)

    report = services.call_report_approve(report=report, by=manager, comment="Good work")

    assert report.status == "approved"
    assert report.reviewed_by == manager and report.reviewed_at is not None
    assert report.review_comment == "Good work"
    with pytest.raises(ValidationError, match="this one is approved"):
        services.call_report_return(report=report, by=manager, comment="Too late")


@pytest.mark.parametrize("who", ["rep", "other_rep", "south_mgr"])
def test_nobody_but_the_reps_manager_or_an_admin_reviews(company, who):
    report = services.call_report_get_or_create(rep=company["rep"], week=WEEK)
    services.call_report_submit(report=report, by=company["rep"])
    with pytest.raises(PermissionDenied):
        services.call_report_approve(report=report, by=company[who])
    with pytest.raises(PermissionDenied):
        services.call_report_return(report=report, by=company[who], comment="No")
    report.refresh_from_db()
    assert report.status == "submitted" and report.reviewed_by is None


def test_an_admin_may_review_any_report(company):
    report = services.call_report_get_or_create(rep=company["south_rep"], week=WEEK)
    services.call_report_submit(report=report, by=company["south_rep"])
    assert services.call_report_approve(report=report, by=company["admin"]).status == "approved"


def test_return_needs_a_comment_and_the_rep_can_edit_and_resubmit(company, week_of_work):
    from activities.selectors import is_week_locked

    rep, manager = week_of_work, company["north_mgr"]
    report = services.call_report_get_or_create(rep=rep, week=WEEK)
    services.call_report_submit(report=report, by=rep)

    with pytest.raises(ValidationError) as missing:
        services.call_report_return(report=report, by=manager, comment="   ")
    assert "needs a comment" in str(missing.value.message_dict["comment"])
    report.refresh_from_db()
    assert report.status == "submitted"

    report = services.call_report_return(report=report, by=manager, comment="Add the visit")
    assert report.status == "returned" and report.review_comment == "Add the visit"
    assert not is_week_locked(rep=rep, week=WEEK)

    log(rep, CustomerFactory(owner=rep), "visit")
    services.call_report_save_comments(report=report, by=rep, comments="Added the visit.")
    report = services.call_report_submit(report=report, by=rep)
    assert report.status == "submitted" and report.visits == EXPECTED["visits"] + 1
    assert report.comments == "Added the visit."


def test_a_late_entry_is_listed_not_added_to_the_frozen_figures(company, week_of_work):
    rep = week_of_work
    report = services.call_report_get_or_create(rep=rep, week=WEEK)
    report = services.call_report_submit(report=report, by=rep)
    assert list(call_report_late_entries(report=report)) == []

    late = log(rep, CustomerFactory(owner=rep), "call", is_late=True, notes="Forgot this one")

    report.refresh_from_db()
    assert list(call_report_late_entries(report=report)) == [late]
    shown = dict((n, v) for _, n, v in call_report_shown_figures(report=report))
    assert shown["calls"] == EXPECTED["calls"]
    assert report.calls == EXPECTED["calls"]


def test_team_status_lists_every_rep_with_missing_as_not_started(
    company, week_of_work, django_assert_max_num_queries
):
    services.call_report_submit(
        report=services.call_report_get_or_create(rep=company["rep"], week=WEEK),
        by=company["rep"],
    )
    for i in range(5):
        RepFactory(username=f"extra{i}", team=company["north"])
    RepFactory(username="gone", team=company["north"], is_active=False)

    with django_assert_max_num_queries(4):
        rows = team_report_status(manager=company["north_mgr"], week=WEEK)

    statuses = {row.rep.username: row.status for row in rows}
    assert statuses == {
        "rep_a": "submitted",
        "rep_b": "missing",
        **{f"extra{i}": "missing" for i in range(5)},
    }
    by_name = {row.rep.username: row for row in rows}
    assert by_name["rep_a"].figures["calls"] == 3
    assert by_name["rep_b"].status_label == "Not started"
    assert by_name["rep_b"].figures["calls"] == 1  # live: logged, not reported


# --- The Friday reminder ----------------------------------------------------------------


@pytest.fixture
def friday():
    return datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def test_reminder_goes_only_to_reps_without_a_submitted_report_and_only_once(
    company, friday, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    week = "2026-W47"
    done = services.call_report_get_or_create(rep=company["rep"], week=week)
    services.call_report_submit(report=done, by=company["rep"])
    returned = WeeklyCallReport.objects.create(
        rep=company["south_rep"], week=week, status="returned", review_comment="Fix it"
    )
    RepFactory(username="leaver", team=company["north"], is_active=False)

    sent = services.call_report_send_reminders(now=friday)

    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["rep_b@example.com", "rep_c@example.com"]
    assert all(week in m.subject for m in mail.outbox)
    returned.refresh_from_db()
    assert returned.reminder_sent_at == friday
    draft = WeeklyCallReport.objects.get(rep=company["other_rep"], week=week)
    assert draft.status == "draft" and draft.reminder_sent_at == friday

    assert services.call_report_send_reminders(now=friday + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 2


def test_reminder_task_runs_the_service_for_this_week(company, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_call_report_reminders.delay().get() == 3
    assert send_call_report_reminders.delay().get() == 0
    assert len(mail.outbox) == 3
    weeks = set(WeeklyCallReport.objects.values_list("week", flat=True))
    assert weeks == {
        week_of(timezone.now(), user_tz(company["rep"])),
        week_of(timezone.now(), user_tz(company["south_rep"])),
    }


def test_the_reminder_is_scheduled_every_friday_with_an_expiry(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["call-report-reminders"]
    assert entry["task"] == "activities.tasks.send_call_report_reminders"
    assert entry["schedule"].day_of_week == {5}
    assert entry["options"]["expires"] > 0
