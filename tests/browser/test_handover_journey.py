"""Browser journey of a handover (issue 6): an admin starts it and overrides one receiver, the
missing note blocks execution, the departing rep writes it, the admin executes, the receiver
finds the customer and the intro task on "My week", and after the last day the departing rep
can no longer log in."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Task
from activities.weeks import week_label
from crm.models import Customer
from handover.execution import handover_deactivate_if_due, last_day_end
from handover.models import Handover, HandoverAssignment
from tests.factories.accounts import PASSWORD, RepFactory
from tests.factories.crm import CustomerFactory, DealFactory


def _settled(tab) -> None:
    """Wait until htmx has finished the last swap, as a person would."""
    tab.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling,"
        " .htmx-added')"
    )


def test_admin_hands_over_a_leaving_reps_portfolio(page, login, company, browser, app_url):
    # given: rep_a (North) leaves today; rep_b and rep_d stay; one key customer, one small one
    leaver, rep_b = company["rep"], company["other_rep"]
    rep_d = RepFactory(username="rep_d", team=company["north"], first_name="Dora", last_name="D")
    key = CustomerFactory(owner=leaver, name="Keystone Foods")
    Customer.objects.filter(pk=key.pk).update(is_key=True)
    DealFactory(customer=key, owner=leaver, stage_id="proposal", amount=Decimal("8000.00"))
    small = CustomerFactory(owner=leaver, name="Corner Shop")

    # the admin starts the handover
    login(page, "admin", PASSWORD)
    page.goto("/handovers/")
    form = page.locator("#start-handover")
    form.get_by_label("Departing rep").select_option(str(leaver.pk))
    form.get_by_label("Last working day").fill(timezone.localdate().isoformat())
    form.get_by_label("Why they leave").select_option("burnout")
    form.get_by_role("button", name="Start a handover").click()
    expect(page.locator(".messages")).to_contain_text("started")
    handover = Handover.objects.get(departing_rep=leaver)

    # ... and overrides the proposed receiver of the small customer
    proposed = HandoverAssignment.objects.get(handover=handover, customer=small).receiver
    chosen = rep_b if proposed == rep_d else rep_d
    with page.expect_response(lambda r: "/assign/" in r.url):
        page.get_by_label("Receiver for Corner Shop").select_option(str(chosen.pk))
    _settled(page)
    # (the plan's filter form also refreshes the table on any select's change, racing the
    # row's own swap: reload to read the plan as saved)
    page.reload()
    expect(page.locator(f"#plan-row-{small.pk}")).to_contain_text("chosen")
    assert HandoverAssignment.objects.get(handover=handover, customer=small).receiver == chosen

    # the missing note on the key customer blocks execution
    page.get_by_role("link", name="Execute…").click()
    expect(page.locator("#missing-notes")).to_contain_text("Keystone Foods")
    page.get_by_role("button", name="Execute handover").click()
    expect(page.locator(".field-error")).to_contain_text("no knowledge-transfer note yet")
    assert Handover.objects.get(pk=handover.pk).status == "draft"

    # the departing rep writes it
    rep_context = browser.new_context(base_url=app_url)
    rep_page = rep_context.new_page()
    login(rep_page, leaver.username, PASSWORD)
    rep_page.goto("/handovers/mine/")
    note = rep_page.locator(f"#note-{key.pk}")
    note.get_by_label("What the next owner needs to know").fill("Buyer is Ana; renews in March.")
    note.get_by_role("button", name="Save note").click()
    expect(rep_page.locator(f"#note-{key.pk}")).to_contain_text("note written")

    # the admin executes
    page.goto(f"/handovers/{handover.pk}/execute/")
    expect(page.locator("#missing-notes")).to_have_count(0)
    page.get_by_role("button", name="Execute handover").click()
    expect(page.locator(".messages")).to_contain_text("Handover executed: 2 customers moved.")
    expect(page.locator(f"#receiver-{chosen.pk}")).to_contain_text("Corner Shop")
    assert not Customer.objects.filter(owner=leaver).exists()

    # the receiver of the key customer finds it, and the intro task, on "My week"
    key.refresh_from_db()
    receiver = key.owner
    assert receiver in (rep_b, rep_d) and receiver != leaver
    intro = Task.objects.get(customer=key, title__startswith="Introduce yourself")
    receiver_context = browser.new_context(base_url=app_url)
    receiver_page = receiver_context.new_page()
    login(receiver_page, receiver.username, PASSWORD)
    receiver_page.goto(f"/week/?week={week_label(intro.due_date)}")
    tasks = receiver_page.locator("#week-tasks")
    expect(tasks).to_contain_text("Introduce yourself to Keystone Foods, confirm continuity")
    expect(tasks).to_contain_text("Keystone Foods")
    receiver_page.goto(f"/customers/{key.pk}/")
    expect(receiver_page.get_by_role("heading", level=1)).to_contain_text("Keystone Foods")

    # at the end of the last day the departing rep is shut out: the open session is over ...
    end = last_day_end(handover=handover)
    assert handover_deactivate_if_due(handover_id=handover.pk, now=end + timedelta(seconds=1))
    rep_page.goto("/week/")
    expect(rep_page).to_have_url(f"{app_url}/accounts/login/?next=/week/")
    # ... and logging in again is refused
    login(rep_page, leaver.username, PASSWORD)
    expect(rep_page.get_by_role("alert")).to_be_visible()
    expect(rep_page).to_have_url(f"{app_url}/accounts/login/")
    rep_context.close()
    receiver_context.close()
