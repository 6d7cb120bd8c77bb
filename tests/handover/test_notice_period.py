"""The notice period (issue 12): a rep with an open handover works their own records one at
a time, but no list, search or export pages out the portfolio; past the daily limit of
distinct customers they are refused (429) and their manager and the admins are told."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from activities.models import Task
from crm.choices import AccessAction
from crm.models import CustomerAccess
from handover.notice import notice_read_limit_notify
from tests.factories.crm import ContactFactory, CustomerFactory, DealFactory
from tests.factories.handover import HandoverFactory

pytestmark = pytest.mark.django_db

NOTICE = "access is limited during your notice period; ask your manager"
API_LISTS = ["/api/customers/", "/api/contacts/", "/api/deals/", "/api/activities/", "/api/tasks/"]
PAGE_LISTS = ["crm:customer-list", "crm:deal-list", "crm:pipeline", "activities:task-list"]


@pytest.fixture
def notice(company):
    """rep_a has given notice: an open handover, last day in 30 days. They own a customer
    with a contact, a deal and a task; rep_b owns another customer."""
    rep = company["rep"]
    handover = HandoverFactory(
        departing_rep=rep, last_day=timezone.localdate() + timedelta(days=30)
    )
    own = CustomerFactory(name="Own Co", owner=rep)
    deal = DealFactory(customer=own, owner=rep, title="Own deal")
    task = Task.objects.create(
        title="Call back", assignee=rep, customer=own, created_by=rep, due_date=timezone.localdate()
    )
    return {
        "handover": handover,
        "rep": rep,
        "own": own,
        "contact": ContactFactory(customer=own),
        "deal": deal,
        "task": task,
        "other": CustomerFactory(name="Not yours", owner=company["other_rep"]),
    }


# --- Lists and searches ----------------------------------------------------------------------


@pytest.mark.parametrize("url", API_LISTS)
def test_api_lists_answer_403_with_the_reason_for_a_departing_rep(notice, api_as, url):
    response = api_as(notice["rep"]).get(url)

    assert response.status_code == 403
    assert NOTICE in response.json()["detail"].lower()


@pytest.mark.parametrize("url", API_LISTS)
def test_api_lists_still_work_for_a_colleague_without_a_handover(company, notice, api_as, url):
    assert api_as(company["other_rep"]).get(url).status_code == 200


@pytest.mark.parametrize("name", PAGE_LISTS)
def test_pages_show_the_sentence_where_the_list_would_be(notice, client, name):
    client.force_login(notice["rep"])

    response = client.get(reverse(name))

    assert response.status_code == 403
    text = response.content.decode()
    assert NOTICE in text.lower()
    assert "Own Co" not in text and "Own deal" not in text
    assert 'class="topbar"' in text  # the normal layout, not a bare error page


def test_an_htmx_list_refresh_gets_the_sentence_as_a_fragment(notice, client):
    client.force_login(notice["rep"])

    response = client.get(reverse("crm:customer-list"), {"search": "Own"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 403
    assert NOTICE in response.content.decode().lower()
    assert "<html" not in response.content.decode()


def test_the_customer_picker_search_returns_nothing(notice, client):
    client.force_login(notice["rep"])

    response = client.get(reverse("crm:customer-options"), {"q": "Own"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 403
    assert "Own Co" not in response.content.decode()


def test_exports_stay_blocked(notice, client):
    client.force_login(notice["rep"])

    assert client.get(reverse("crm:customer-export")).status_code == 403
    assert client.get(reverse("crm:deal-export")).status_code == 403


def test_a_done_handover_ends_the_limits_for_a_reactivated_rep(notice, api_as):
    notice["handover"].status = "reversed"
    notice["handover"].save()

    assert api_as(notice["rep"]).get("/api/customers/").status_code == 200


# --- Single records: the work goes on ------------------------------------------------------


def test_the_rep_opens_and_works_their_own_records(notice, api_as, client):
    api = api_as(notice["rep"])
    own, deal = notice["own"], notice["deal"]

    assert api.get(f"/api/customers/{own.pk}/").json()["name"] == "Own Co"
    assert api.get(f"/api/contacts/{notice['contact'].pk}/").status_code == 200
    moved = api.patch(f"/api/deals/{deal.pk}/", {"stage": "proposal"}, format="json")
    assert moved.status_code == 200, moved.json()
    logged = api.post(
        "/api/activities/", {"kind": "call", "customer": own.pk, "notes": "Hand-over call"}
    )
    assert logged.status_code == 201, logged.json()
    client.force_login(notice["rep"])
    assert client.get(reverse("crm:customer-detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("crm:deal-detail", args=[deal.pk])).status_code == 200


def test_guessing_another_reps_ids_is_a_404_and_counts_nothing(notice, api_as, client):
    api = api_as(notice["rep"])
    other = notice["other"]

    assert api.get(f"/api/customers/{other.pk}/").status_code == 404
    client.force_login(notice["rep"])
    assert client.get(reverse("crm:customer-detail", args=[other.pk])).status_code == 404
    assert not CustomerAccess.objects.filter(customer_id=other.pk).exists()


@pytest.fixture
def portfolio(notice):
    rep = notice["rep"]
    return [CustomerFactory(name=f"C{i:02d}", owner=rep) for i in range(61)]


def test_the_61st_customer_of_the_day_is_refused_and_the_manager_told(
    company, notice, portfolio, api_as, settings, django_capture_on_commit_callbacks
):
    settings.CRM_NOTICE_DAILY_READ_LIMIT = 60
    company["north_mgr"].email = "north@example.com"
    company["north_mgr"].save()
    company["admin"].email = "admin@example.com"
    company["admin"].save()
    api = api_as(notice["rep"])
    for customer in portfolio[:60]:
        assert api.get(f"/api/customers/{customer.pk}/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        refused = api.get(f"/api/customers/{portfolio[60].pk}/")

    assert refused.status_code == 429
    assert "notice period" in refused.json()["detail"]
    assert "60 customers today" in refused.json()["detail"]
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {"north@example.com", "admin@example.com"}
    assert "rep_a" in mail.outbox[0].body and "60" in mail.outbox[0].body
    # a customer opened earlier today stays open; a second refusal sends no second mail
    assert api.get(f"/api/customers/{portfolio[0].pk}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert api.get(f"/api/deals/{notice['deal'].pk}/").status_code == 429
    assert len(mail.outbox) == 1
    assert (
        CustomerAccess.objects.filter(user=notice["rep"], action=AccessAction.REFUSED).count() == 2
    )


def test_the_limit_mail_is_written_in_each_recipients_language(company, notice, settings):
    # Given a Dutch-speaking manager and an admin without a profile language
    settings.CRM_NOTICE_DAILY_READ_LIMIT = 60
    company["north_mgr"].email, company["north_mgr"].language = "north@example.com", "nl"
    company["north_mgr"].save()
    company["admin"].email = "admin@example.com"
    company["admin"].save()

    # When the rep's refusal is reported
    sent = notice_read_limit_notify(rep_id=notice["rep"].pk, count=60)

    # Then each gets one e-mail in their own language
    assert sent == 2
    by_recipient = {tuple(m.to): m for m in mail.outbox}
    dutch, english = by_recipient[("north@example.com",)], by_recipient[("admin@example.com",)]
    assert "heeft tijdens de opzegtermijn de daglimiet voor inzien bereikt" in dutch.subject
    assert "reached the daily read limit during their notice period" in english.subject
    assert "rep_a" in dutch.body and "60" in dutch.body


def test_the_limit_counts_pages_too_and_answers_a_page_with_429(
    notice, portfolio, client, settings
):
    settings.CRM_NOTICE_DAILY_READ_LIMIT = 2
    client.force_login(notice["rep"])
    for customer in portfolio[:2]:
        assert client.get(reverse("crm:customer-detail", args=[customer.pk])).status_code == 200

    response = client.get(reverse("crm:customer-detail", args=[portfolio[2].pk]))

    assert response.status_code == 429
    assert "daily limit" in response.content.decode()
    assert portfolio[2].name not in response.content.decode()


def test_yesterdays_reads_do_not_count_today(notice, portfolio, api_as, settings):
    settings.CRM_NOTICE_DAILY_READ_LIMIT = 2
    yesterday = timezone.now() - timedelta(days=1, hours=1)
    CustomerAccess.objects.bulk_create(
        CustomerAccess(user=notice["rep"], customer=c, at=yesterday, channel="api", action="read")
        for c in portfolio[:10]
    )

    assert api_as(notice["rep"]).get(f"/api/customers/{portfolio[20].pk}/").status_code == 200


def test_colleagues_have_no_daily_limit(company, notice, portfolio, api_as, settings):
    settings.CRM_NOTICE_DAILY_READ_LIMIT = 1
    manager = api_as(company["north_mgr"])

    statuses = {manager.get(f"/api/customers/{c.pk}/").status_code for c in portfolio[:5]}

    assert statuses == {200}
