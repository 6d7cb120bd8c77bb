"""seed_demo: a realistic, deterministic demo organisation, loaded once, in batches."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import CompetingLine, Team, User
from crm.choices import CustomerSource, DealStage, Segment
from crm.demo import DEMO_PASSWORD, wipe_demo_data
from crm.models import Contact, Customer, Deal, DealStageChange, Stage
from crm.selectors import with_conflict_flag
from tests.factories.accounts import RepFactory
from tests.factories.crm import CustomerFactory

TODAY = date(2026, 11, 20)
SMALL = ["--reps", "4", "--customers", "60", "--deals", "150", "--weeks", "12"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, "--today", TODAY.isoformat(), "--no-progress", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "teams": Team.objects.count(),
        "users": User.objects.count(),
        "lines": CompetingLine.objects.count(),
        "customers": Customer.objects.count(),
        "contacts": Contact.objects.count(),
        "deals": Deal.objects.count(),
        "history": DealStageChange.objects.count(),
    }


def snapshot() -> tuple[list, list, list]:
    """What a user would see of the generated data, independent of database ids."""
    return (
        sorted(Customer.objects.values_list("name", "segment", "status", "city")),
        sorted(Deal.objects.values_list("amount", "stage_id", "closed_at", "title")),
        sorted(Contact.objects.values_list("first_name", "last_name", "email")),
    )


@pytest.mark.django_db
class TestSmallRun:
    def test_creates_teams_managers_admin_and_reps_with_one_shared_password(self):
        out = seed(*SMALL)

        teams = {t.name: t for t in Team.objects.select_related("manager")}
        assert set(teams) == {"North", "South"}
        assert teams["North"].time_zone == "Europe/Berlin"
        assert teams["South"].time_zone == "America/New_York"
        for team in teams.values():
            assert team.manager.role == "manager" and team.manager.team_id == team.id
        assert User.objects.filter(role="admin").count() == 1
        reps = User.objects.filter(role="rep")
        assert reps.count() == 4
        assert {r.rep_type for r in reps} == {"inside", "outside"}
        assert len({u.password for u in User.objects.all()}) == 1  # hashed once
        assert User.objects.get(username="rep01").check_password(DEMO_PASSWORD)
        for username in ("admin", "north_mgr", "south_mgr", "rep01", "rep04", DEMO_PASSWORD):
            assert username in out

    def test_creates_the_requested_customers_contacts_and_deals(self):
        seed(*SMALL)

        c = counts()
        assert (c["customers"], c["deals"]) == (60, 150)
        assert 60 <= c["contacts"] <= 180
        assert not Customer.objects.filter(contacts__isnull=True).exists()
        assert Contact.objects.filter(is_primary=True).count() == 60
        assert {s for s in Customer.objects.values_list("segment", flat=True)} == set(Segment)
        assert Customer.objects.filter(owner__role="rep").count() == 60
        sources = set(Customer.objects.values_list("source", flat=True))
        assert CustomerSource.COLD_CALL in sources and CustomerSource.REFERRAL in sources

    def test_outside_reps_sell_competing_lines_that_collide_with_some_customers(self):
        seed("--reps", "9", "--customers", "300", "--deals", "0", "--seed", "3")

        lines = CompetingLine.objects.select_related("rep")
        assert lines.exists()
        assert {line.rep.rep_type for line in lines} == {"outside"}
        assert with_conflict_flag(Customer.objects.all()).filter(has_conflict=True).exists()

    def test_deals_are_consistent_with_stage_rules_and_history(self):
        seed(*SMALL)

        probability = dict(Stage.objects.values_list("code", "default_probability"))
        window_start = TODAY - timedelta(weeks=12)
        deals = Deal.objects.prefetch_related("stage_changes")
        assert {d.stage_id for d in deals} == set(DealStage)
        for deal in deals:
            assert isinstance(deal.amount, Decimal) and deal.amount > 0
            assert deal.probability == probability[deal.stage_id]
            assert deal.owner_id == deal.customer.owner_id
            history = sorted(deal.stage_changes.all(), key=lambda ch: (ch.changed_at, ch.id))
            assert (history[0].from_stage, history[0].to_stage) == ("", DealStage.LEAD)
            assert history[-1].to_stage == deal.stage_id
            assert history[-1].changed_at == deal.stage_changed_at
            for before, after in zip(history, history[1:], strict=False):
                assert after.from_stage == before.to_stage
            if deal.stage_id == DealStage.WON:
                assert deal.credited_to_id == deal.owner_id
                assert window_start <= deal.closed_at <= TODAY
            elif deal.stage_id == DealStage.LOST:
                assert deal.lost_reason and deal.credited_to_id is None
                assert window_start <= deal.closed_at <= TODAY
            else:
                assert deal.closed_at is None and deal.credited_to_id is None

    def test_history_is_spread_over_the_window_not_stamped_now(self):
        seed(*SMALL)

        created = Deal.objects.values_list("created_at", flat=True)
        assert len({c.date() for c in created}) > 20
        assert max(created).date() <= TODAY


@pytest.mark.django_db
class TestIdempotentAndDeterministic:
    def test_running_twice_changes_nothing_and_prints_the_logins_again(self):
        seed(*SMALL)
        before = counts()

        out = seed(*SMALL)

        assert counts() == before
        assert "already loaded" in out and "north_mgr" in out

    def test_same_seed_gives_the_same_data(self):
        seed(*SMALL, "--seed", "7")
        first = snapshot()

        seed(*SMALL, "--seed", "7", "--reset")

        assert snapshot() == first
        assert counts()["customers"] == 60

    def test_another_seed_gives_other_data(self):
        seed(*SMALL, "--seed", "7")
        first = snapshot()

        seed(*SMALL, "--seed", "8", "--reset")

        assert snapshot()[0] != first[0]
        assert snapshot()[1] != first[1]

    def test_reset_keeps_data_that_is_not_demo_data(self):
        rep = RepFactory(username="real_rep")
        CustomerFactory(name="Real Customer Ltd", owner=rep)
        seed(*SMALL)

        seed(*SMALL, "--reset")

        assert Customer.objects.filter(name="Real Customer Ltd", owner=rep).exists()
        assert counts()["customers"] == 61


@pytest.mark.django_db
class TestBadInput:
    def test_an_existing_non_demo_user_with_a_demo_username_stops_it_before_any_write(self):
        RepFactory(username="admin")

        with pytest.raises(CommandError, match="admin"):
            seed(*SMALL)

        assert Customer.objects.count() == 0 and Team.objects.count() == 0

    @pytest.mark.parametrize(
        "args, message",
        [
            (["--batch-size", "0"], "batch-size"),
            (["--weeks", "0"], "weeks"),
            (["--reps", "0"], "at least one rep"),
        ],
    )
    def test_bad_sizes_are_refused_with_a_specific_message(self, args, message):
        with pytest.raises(CommandError, match=message):
            seed(*args)

        assert User.objects.count() == 0

    def test_a_bad_date_is_refused(self):
        with pytest.raises(CommandError, match="today"):
            call_command("seed_demo", "--today", "2026-13-01", "--no-progress", stdout=StringIO())


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_row_count():
    """Ten times the rows, about the same number of statements: rows go in bulk, in batches
    (a few more batches for the phases that cross a batch boundary, never one per row)."""

    def statements(customers: int) -> tuple[int, int]:
        wipe_demo_data()
        with CaptureQueriesContext(connection) as ctx:
            seed("--reps", "3", "--customers", str(customers))
        sql = [q["sql"] for q in ctx.captured_queries]
        return len(sql), sum(s.startswith('INSERT INTO "crm_customer"') for s in sql)

    small_total, small_inserts = statements(50)
    large_total, large_inserts = statements(500)

    assert small_inserts == large_inserts == 1
    # 450 more customers bring ~4,000 more rows (contacts, deals, history): a query per row
    # would add thousands of statements; batching adds at most a handful
    assert abs(large_total - small_total) <= 6, (small_total, large_total)


@pytest.mark.django_db
def test_batches_split_large_inserts():
    with CaptureQueriesContext(connection) as ctx:
        seed("--reps", "2", "--customers", "250", "--deals", "0", "--batch-size", "100")

    inserts = [q for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "crm_customer"')]
    assert len(inserts) == 3
