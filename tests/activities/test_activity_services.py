"""Logging activities through the services: only kind and customer are required, every bad
input gets its own message and saves nothing, a week whose report is submitted takes late
entries instead of refusing them, and mistakes are corrected only by the owner, during the
week, until the report is submitted. Batches are all or nothing in a fixed number of queries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities import services
from activities.models import Activity, Task, WeeklyCallReport
from activities.selectors import activities_visible_to, is_week_locked
from activities.weeks import user_tz, week_of
from tests.factories.crm import ContactFactory, CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(company):
    rep = company["rep"]
    customer = CustomerFactory(name="Acme", owner=rep)
    other = CustomerFactory(name="Other", owner=rep)
    south = CustomerFactory(name="South Co", owner=company["south_rep"])
    return {
        **company,
        "customer": customer,
        "other_customer": other,
        "contact": ContactFactory(customer=customer),
        "other_contact": ContactFactory(customer=other),
        "deal": DealFactory(customer=customer, owner=rep),
        "other_deal": DealFactory(customer=other, owner=rep),
        "south_deal": DealFactory(customer=south, owner=company["south_rep"]),
        "south_customer": south,
    }


def this_week(user) -> str:
    return week_of(timezone.now(), user_tz(user))


def submit_report(rep, week, status="submitted"):
    return WeeklyCallReport.objects.create(
        rep=rep, week=week, status=status, submitted_at=timezone.now()
    )


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


# --- logging -------------------------------------------------------------------------------


def test_only_kind_and_customer_are_needed_and_time_defaults_to_now(world):
    rep = world["rep"]
    before = timezone.now()

    activity = services.activity_log(by=rep, kind="call", customer=world["customer"])

    assert activity.owner == rep
    assert before <= activity.occurred_at <= timezone.now()
    assert activity.week == this_week(rep)
    assert activity.is_late is False
    assert Activity.objects.count() == 1


def test_week_is_the_iso_week_in_the_owners_team_time_zone(world):
    """Sunday 23:30 in New York is already Monday in UTC: it counts for the Sunday's week."""
    south_rep = world["south_rep"]
    customer = CustomerFactory(owner=south_rep)
    from datetime import datetime
    from zoneinfo import ZoneInfo

    sunday_night = datetime(2026, 11, 22, 23, 30, tzinfo=ZoneInfo("America/New_York"))

    activity = services.activity_log(
        by=south_rep, kind="visit", customer=customer, occurred_at=sunday_night
    )

    assert activity.week == "2026-W47"


def test_links_and_details_are_stored(world):
    activity = services.activity_log(
        by=world["rep"],
        kind="meeting",
        customer=world["customer"],
        contact=world["contact"],
        deal=world["deal"],
        duration_minutes=45,
        outcome="meeting_booked",
        notes="Went well",
        is_prospecting=True,
    )
    activity.refresh_from_db()
    assert (activity.contact, activity.deal, activity.duration_minutes) == (
        world["contact"],
        world["deal"],
        45,
    )
    assert activity.outcome == "meeting_booked" and activity.is_prospecting


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ({"occurred_at": "far future"}, "occurred_at", "cannot be logged in the future"),
        ({"duration_minutes": -5}, "duration_minutes", "cannot be negative"),
        ({"duration_minutes": 24 * 60 + 1}, "duration_minutes", "at most 24 hours"),
        ({"contact": "other_contact"}, "contact", "works at another customer"),
        ({"deal": "other_deal"}, "deal", "belongs to another customer"),
        ({"deal": "south_deal"}, "deal", "not visible to you"),
        ({"customer": "south_customer"}, "customer", "Choose one of your customers"),
        ({"kind": "fax"}, "kind", "is not an activity kind"),
        ({"outcome": "maybe"}, "outcome", "is not an outcome"),
        ({"next_step_title": "Call back"}, "next_step_due", "due date"),
    ],
)
def test_bad_input_gets_its_own_message_and_saves_nothing(world, extra, field, message):
    data = {"kind": "call", "customer": world["customer"]}
    for name, value in extra.items():
        data[name] = world.get(value, value) if isinstance(value, str) else value
    if data.get("occurred_at") == "far future":
        data["occurred_at"] = timezone.now() + timedelta(days=3)

    with pytest.raises(ValidationError) as exc_info:
        services.activity_log(by=world["rep"], **data)

    assert message in " ".join(errors_of(exc_info)[field])
    assert Activity.objects.count() == 0
    assert Task.objects.count() == 0


@pytest.mark.parametrize(
    "when",
    [datetime(1, 1, 1, tzinfo=UTC), datetime(1899, 12, 31, 10, tzinfo=UTC)],
    ids=["year 1", "1899"],
)
def test_an_activity_before_1900_is_refused_and_marks_no_week_stale(world, when):
    from reports.models import StaleWeek

    with pytest.raises(ValidationError) as exc_info:
        services.activity_log(
            by=world["rep"], kind="call", customer=world["customer"], occurred_at=when
        )

    assert errors_of(exc_info)["occurred_at"] == ["Give a date in 1900 or later."]
    assert not Activity.objects.exists()
    assert not StaleWeek.objects.exists()


def test_later_today_and_tomorrow_morning_are_accepted(world):
    """Reps log a meeting they are about to have; only more than a day ahead is refused."""
    soon = timezone.now() + timedelta(hours=20)
    activity = services.activity_log(
        by=world["rep"], kind="meeting", customer=world["customer"], occurred_at=soon
    )
    assert activity.pk


def test_activity_for_a_submitted_week_is_saved_as_a_late_entry(world):
    rep = world["rep"]
    submit_report(rep, this_week(rep))

    activity = services.activity_log(by=rep, kind="call", customer=world["customer"])

    assert activity.pk and activity.is_late is True


def test_returned_report_unlocks_the_week(world):
    rep = world["rep"]
    submit_report(rep, this_week(rep), status="returned")

    assert is_week_locked(rep=rep, week=this_week(rep)) is False
    activity = services.activity_log(by=rep, kind="call", customer=world["customer"])
    assert activity.is_late is False


def test_next_step_becomes_a_task_for_the_owner(world):
    rep = world["rep"]
    due = timezone.localdate() + timedelta(days=2)

    activity = services.activity_log(
        by=rep,
        kind="call",
        customer=world["customer"],
        deal=world["deal"],
        next_step_title="Send the offer",
        next_step_due=due,
    )

    task = Task.objects.get()
    assert (task.title, task.due_date, task.assignee, task.from_activity) == (
        "Send the offer",
        due,
        rep,
        activity,
    )
    assert task.customer == world["customer"] and task.deal == world["deal"]


def test_manager_may_log_for_a_rep_of_the_team_but_not_for_another_team(world):
    mgr = world["north_mgr"]
    activity = services.activity_log(
        by=mgr, kind="visit", customer=world["customer"], owner=world["rep"]
    )
    assert activity.owner == world["rep"]

    with pytest.raises(ValidationError) as exc_info:
        services.activity_log(
            by=mgr, kind="visit", customer=world["customer"], owner=world["south_rep"]
        )
    assert "cannot log activities for" in errors_of(exc_info)["owner"][0]


def test_admin_logging_for_a_rep_on_a_customer_the_rep_cannot_see_is_refused(world):
    with pytest.raises(ValidationError) as exc_info:
        services.activity_log(
            by=world["admin"], kind="call", customer=world["south_customer"], owner=world["rep"]
        )
    assert "cannot see this customer" in errors_of(exc_info)["customer"][0]
    assert Activity.objects.count() == 0


# --- correcting and deleting -----------------------------------------------------------------


def make_activity(owner, customer, *, days_ago=0, **fields):
    at = timezone.now() - timedelta(days=days_ago)
    return Activity.objects.create(
        owner=owner,
        customer=customer,
        kind=fields.pop("kind", "call"),
        occurred_at=at,
        week=week_of(at, user_tz(owner)),
        **fields,
    )


def test_owner_corrects_an_activity_during_its_week(world):
    activity = make_activity(world["rep"], world["customer"])

    services.activity_update(
        activity=activity, by=world["rep"], kind="meeting", duration_minutes=30, notes="fixed"
    )

    activity.refresh_from_db()
    assert (activity.kind, activity.duration_minutes, activity.notes) == ("meeting", 30, "fixed")


def test_editing_a_locked_week_is_refused_and_changes_nothing(world):
    rep = world["rep"]
    activity = make_activity(rep, world["customer"], notes="original")
    submit_report(rep, activity.week)

    with pytest.raises(ValidationError) as exc_info:
        services.activity_update(activity=activity, by=rep, notes="changed")
    assert exc_info.value.messages == ["This week's report is submitted; the activity is locked."]
    with pytest.raises(ValidationError):
        services.activity_delete(activity=activity, by=rep)

    activity.refresh_from_db()
    assert activity.notes == "original"


def test_an_activity_of_an_earlier_week_cannot_be_changed(world):
    rep = world["rep"]
    activity = make_activity(rep, world["customer"], days_ago=8, notes="original")

    with pytest.raises(ValidationError) as exc_info:
        services.activity_update(activity=activity, by=rep, notes="changed")
    assert "only be changed during the week they happened" in exc_info.value.messages[0]
    with pytest.raises(ValidationError):
        services.activity_delete(activity=activity, by=rep)
    assert Activity.objects.filter(notes="original").count() == 1


def test_a_correction_cannot_move_an_activity_into_another_week(world):
    rep = world["rep"]
    activity = make_activity(rep, world["customer"])

    with pytest.raises(ValidationError) as exc_info:
        services.activity_update(
            activity=activity, by=rep, occurred_at=timezone.now() - timedelta(days=8)
        )
    assert "Keep the activity within" in errors_of(exc_info)["occurred_at"][0]


def test_a_correction_is_validated_like_a_new_entry(world):
    rep = world["rep"]
    activity = make_activity(rep, world["customer"])
    with pytest.raises(ValidationError) as exc_info:
        services.activity_update(activity=activity, by=rep, contact=world["other_contact"])
    assert "works at another customer" in errors_of(exc_info)["contact"][0]
    activity.refresh_from_db()
    assert activity.contact is None


def test_only_the_owner_changes_or_deletes(world):
    activity = make_activity(world["rep"], world["customer"])
    for someone in (world["north_mgr"], world["admin"]):
        with pytest.raises(PermissionDenied):
            services.activity_update(activity=activity, by=someone, notes="x")
        with pytest.raises(PermissionDenied):
            services.activity_delete(activity=activity, by=someone)

    services.activity_delete(activity=activity, by=world["rep"])
    assert Activity.objects.count() == 0


# --- batches -----------------------------------------------------------------------------


def _items(world, n: int) -> list[dict]:
    customers = [world["customer"].pk, world["other_customer"].pk]
    return [
        {"kind": "call", "customer": customers[i % 2], "duration_minutes": i % 60} for i in range(n)
    ]


def test_batch_of_500_is_saved(world):
    rows = services.activities_bulk_log(by=world["rep"], items=_items(world, 500))
    assert len(rows) == 500
    assert Activity.objects.filter(owner=world["rep"]).count() == 500


def test_batch_of_501_is_refused(world):
    with pytest.raises(ValidationError) as exc_info:
        services.activities_bulk_log(by=world["rep"], items=_items(world, 501))
    assert "at most 500" in exc_info.value.messages[0]
    assert Activity.objects.count() == 0


def test_batch_with_one_bad_item_saves_nothing_and_names_the_item(world):
    items = _items(world, 10)
    assert items[3]["customer"] == world["other_customer"].pk
    items[3]["contact"] = world["contact"].pk  # works at Acme, not at Other
    items[7]["duration_minutes"] = -1

    with pytest.raises(services.ActivityBatchError) as exc_info:
        services.activities_bulk_log(by=world["rep"], items=items)

    assert exc_info.value.item_errors == {
        "3": {"contact": ["This contact works at another customer."]},
        "7": {"duration_minutes": ["The duration cannot be negative."]},
    }
    assert Activity.objects.count() == 0


def test_batch_marks_items_for_a_submitted_week_as_late(world):
    rep = world["rep"]
    submit_report(rep, week_of(timezone.now() - timedelta(days=7), user_tz(rep)))
    items = [
        {"kind": "call", "customer": world["customer"].pk},
        {
            "kind": "call",
            "customer": world["customer"].pk,
            "occurred_at": timezone.now() - timedelta(days=7),
        },
    ]
    rows = services.activities_bulk_log(by=rep, items=items)
    assert [r.is_late for r in rows] == [False, True]


def _count_queries(world, n: int) -> int:
    items = _items(world, n)
    for i, item in enumerate(items):
        item["contact"] = world["contact"].pk if item["customer"] == world["customer"].pk else None
        item["deal"] = world["deal"].pk if item["customer"] == world["customer"].pk else None
        if i % 5 == 0:
            item["next_step_title"] = "Follow up"
            item["next_step_due"] = timezone.localdate() + timedelta(days=3)
    rep = type(world["rep"]).objects.get(pk=world["rep"].pk)  # nothing cached on the user
    with CaptureQueriesContext(connection) as ctx:
        services.activities_bulk_log(by=rep, items=items)
    return len(ctx.captured_queries)


def test_batch_validation_runs_a_fixed_number_of_queries(world):
    small = _count_queries(world, 10)
    large = _count_queries(world, 200)
    assert small == large
    assert small <= 12


def test_visibility_follows_the_owner_and_the_portfolio(world):
    """A rep sees what they logged, a manager the team's, an admin all; after a handover the
    new owner also sees the customer's earlier history."""
    mine = make_activity(world["rep"], world["customer"])
    south = make_activity(world["south_rep"], world["south_customer"])

    def ids(who):
        return set(activities_visible_to(user=world[who]).values_list("pk", flat=True))

    assert ids("rep") == {mine.pk}
    assert ids("other_rep") == set()
    assert ids("north_mgr") == {mine.pk}
    assert ids("south_mgr") == {south.pk}
    assert ids("admin") == {mine.pk, south.pk}

    world["customer"].owner = world["other_rep"]
    world["customer"].save()
    assert ids("other_rep") == {mine.pk}


# --- the customer's last activity (kept for the at-risk neglect rule, issue 13) ------------


def last_activity_of(customer):
    return type(customer).objects.get(pk=customer.pk).last_activity_at


def test_logging_sets_the_customers_last_activity_and_an_older_one_leaves_it(world):
    rep, acme = world["rep"], world["customer"]
    now = timezone.now()
    assert last_activity_of(acme) is None

    services.activity_log(by=rep, kind="call", customer=acme, occurred_at=now)
    services.activity_log(by=rep, kind="call", customer=acme, occurred_at=now - timedelta(days=3))

    assert last_activity_of(acme) == now
    assert last_activity_of(world["other_customer"]) is None


def test_deleting_the_latest_activity_falls_back_to_the_one_before(world):
    rep, acme = world["rep"], world["customer"]
    now = timezone.now()
    earlier = services.activity_log(by=rep, kind="call", customer=acme, occurred_at=now)
    latest = services.activity_log(by=rep, kind="visit", customer=acme)

    services.activity_delete(activity=latest, by=rep)
    assert last_activity_of(acme) == earlier.occurred_at

    services.activity_delete(activity=earlier, by=rep)
    assert last_activity_of(acme) is None


def test_moving_an_activity_to_another_customer_updates_both(world):
    rep, acme, other = world["rep"], world["customer"], world["other_customer"]
    activity = services.activity_log(by=rep, kind="call", customer=acme)

    services.activity_update(activity=activity, by=rep, customer=other)

    assert last_activity_of(acme) is None
    assert last_activity_of(other) == activity.occurred_at


def test_a_batch_sets_each_customers_latest(world):
    rep, acme, other = world["rep"], world["customer"], world["other_customer"]
    now = timezone.now()
    services.activities_bulk_log(
        by=rep,
        items=[
            {"kind": "call", "customer": acme.pk, "occurred_at": now - timedelta(hours=2)},
            {"kind": "call", "customer": acme.pk, "occurred_at": now - timedelta(hours=1)},
            {"kind": "email", "customer": other.pk, "occurred_at": now - timedelta(hours=3)},
        ],
    )

    assert last_activity_of(acme) == now - timedelta(hours=1)
    assert last_activity_of(other) == now - timedelta(hours=3)


def test_a_refresh_of_every_customer_repairs_values_written_around_the_services(world):
    acme = world["customer"]
    activity = make_activity(world["rep"], acme)  # a raw insert: the column is not kept
    assert last_activity_of(acme) is None

    services.customers_refresh_last_activity(lock=False)

    assert last_activity_of(acme) == activity.occurred_at


def test_the_backfill_migration_sets_every_customers_latest_activity(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("crm.migrations.0015_backfill_customer_last_activity")
    acme = world["customer"]
    make_activity(world["rep"], acme, days_ago=2)
    latest = make_activity(world["rep"], acme)

    migration.backfill(apps, None)

    assert last_activity_of(acme) == latest.occurred_at
    assert last_activity_of(world["other_customer"]) is None
