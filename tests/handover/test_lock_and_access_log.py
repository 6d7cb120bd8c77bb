"""Lock now and the access log (issue 12): an admin ends a departing rep's access at once
(sessions and tokens revoked together); admins and the rep's manager read who opened,
listed, exported or imported which customer, filtered by person and day, as CSV too."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_issue
from crm.access_log import access_log_purge
from crm.choices import AccessAction
from crm.models import CustomerAccess
from tests.factories.crm import CustomerFactory, DealFactory
from tests.factories.handover import HandoverFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaving(company):
    rep = company["rep"]
    return {
        "rep": rep,
        "handover": HandoverFactory(departing_rep=rep),
        "customer": CustomerFactory(name="Acme", owner=rep),
    }


def _token_client(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


# --- Lock now -----------------------------------------------------------------------------


def test_admin_locks_now_through_the_api_and_the_reps_token_stops_working(
    company, leaving, api_as, client
):
    _, key = api_token_issue(user=leaving["rep"], name="laptop")
    token_api = _token_client(key)
    assert token_api.get(f"/api/customers/{leaving['customer'].pk}/").status_code == 200
    client.force_login(leaving["rep"])

    response = api_as(company["admin"]).post(f"/api/handovers/{leaving['handover'].pk}/lock/")

    assert response.status_code == 200
    assert response.json()["locked_at"]
    assert token_api.get(f"/api/customers/{leaving['customer'].pk}/").status_code == 401
    page = client.get(reverse("crm:customer-detail", args=[leaving["customer"].pk]))
    assert page.status_code == 302 and reverse("accounts:login") in page.url
    leaving["rep"].refresh_from_db()
    assert not leaving["rep"].is_active


def test_admin_locks_now_from_the_handover_page(company, leaving, client):
    rep_browser = type(client)()
    rep_browser.force_login(leaving["rep"])
    client.force_login(company["admin"])
    plan = client.get(reverse("handover:plan", args=[leaving["handover"].pk]))
    assert 'id="lock-now"' in plan.content.decode()

    response = client.post(reverse("handover:lock", args=[leaving["handover"].pk]), follow=True)

    assert "is locked out" in response.content.decode()
    assert 'id="lock-now"' not in response.content.decode()
    assert "Access ended at once" in response.content.decode()
    assert rep_browser.get(reverse("home")).status_code == 302


def test_a_manager_may_not_lock_now(company, leaving, api_as, client):
    assert (
        api_as(company["north_mgr"])
        .post(f"/api/handovers/{leaving['handover'].pk}/lock/")
        .status_code
        == 403
    )
    client.force_login(company["north_mgr"])
    plan = client.get(reverse("handover:plan", args=[leaving["handover"].pk]))
    assert 'id="lock-now"' not in plan.content.decode()
    assert client.post(reverse("handover:lock", args=[leaving["handover"].pk])).status_code == 403
    leaving["rep"].refresh_from_db()
    assert leaving["rep"].is_active


def test_locking_twice_is_refused_with_a_reason(company, leaving, api_as):
    api = api_as(company["admin"])
    assert api.post(f"/api/handovers/{leaving['handover'].pk}/lock/").status_code == 200

    again = api.post(f"/api/handovers/{leaving['handover'].pk}/lock/")

    assert again.status_code == 400
    assert "no access left to lock" in str(again.json())


def test_a_done_handover_cannot_be_locked(company, leaving, api_as):
    leaving["handover"].status = "done"
    leaving["handover"].save()

    response = api_as(company["admin"]).post(f"/api/handovers/{leaving['handover'].pk}/lock/")

    assert response.status_code == 400


# --- The access log --------------------------------------------------------------------------


def test_a_list_page_logs_its_rows_in_one_insert(company, client):
    for i in range(30):
        CustomerFactory(name=f"N{i}", owner=company["rep"])
    client.force_login(company["north_mgr"])
    client.get(reverse("crm:customer-list"))  # warm the session
    CustomerAccess.objects.all().delete()

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("crm:customer-list"), {"page_size": 200})

    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "crm_customeraccess"')]
    assert len(inserts) == 1

    logged = CustomerAccess.objects.filter(user=company["north_mgr"])
    assert logged.count() == 30
    assert set(logged.values_list("action", "channel").distinct()) == {("list", "page")}


def test_an_export_logs_every_exported_customer(company, client):
    for i in range(12):
        DealFactory(customer=CustomerFactory(name=f"E{i}", owner=company["rep"]))
    client.force_login(company["north_mgr"])

    response = client.get(reverse("crm:deal-export"))
    b"".join(response.streaming_content)

    exported = CustomerAccess.objects.filter(user=company["north_mgr"], action="export")
    assert exported.count() == 12
    assert set(exported.values_list("channel", flat=True)) == {"export"}


def test_the_access_log_page_is_for_admins_and_the_reps_manager(company, leaving, client):
    CustomerAccess.objects.create(
        user=leaving["rep"],
        customer=leaving["customer"],
        at=timezone.now(),
        channel="api",
        action="read",
    )
    for who, status, sees in [
        ("admin", 200, True),
        ("north_mgr", 200, True),
        ("south_mgr", 200, False),
        ("rep", 403, False),
    ]:
        client.force_login(company[who])
        response = client.get(reverse("handover:access-log"))
        assert response.status_code == status, who
        if status == 200:
            assert ("Acme" in response.content.decode()) is sees, who


def test_the_access_log_filters_by_person_and_day_and_exports_csv(company, leaving, client):
    yesterday = timezone.now() - timedelta(days=1)
    other = CustomerFactory(name="Globex", owner=company["other_rep"])
    CustomerAccess.objects.bulk_create(
        [
            CustomerAccess(
                user=leaving["rep"],
                customer=leaving["customer"],
                at=timezone.now(),
                channel="page",
                action="read",
            ),
            CustomerAccess(
                user=leaving["rep"], customer=other, at=yesterday, channel="api", action="read"
            ),
            CustomerAccess(
                user=company["other_rep"],
                customer=other,
                at=timezone.now(),
                channel="export",
                action="export",
            ),
        ]
    )
    client.force_login(company["admin"])
    today = timezone.localdate().isoformat()

    page = client.get(reverse("handover:access-log"), {"rep": leaving["rep"].pk, "day": today})
    export = client.get(
        reverse("handover:access-log-export"), {"rep": leaving["rep"].pk, "day": today}
    )

    assert [e.customer.name for e in page.context["page"].object_list] == ["Acme"]
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0] == ["at", "person", "customer_id", "customer", "channel", "action"]
    assert [r[1:] for r in rows[1:]] == [
        ["rep_a", str(leaving["customer"].pk), "Acme", "page", "read"]
    ]


def test_a_bad_filter_is_a_specific_error_not_a_500(company, client):
    client.force_login(company["admin"])

    page = client.get(reverse("handover:access-log"), {"day": "yesterday", "rep": "x"})
    export = client.get(reverse("handover:access-log-export"), {"day": "2026-13-45"})

    assert page.status_code == 200 and "Enter a valid date" in page.content.decode()
    assert export.status_code == 400 and "day" in export.content.decode()


def test_the_access_log_api_is_scoped_and_reps_get_403(company, leaving, api_as):
    CustomerAccess.objects.create(
        user=leaving["rep"],
        customer=leaving["customer"],
        at=timezone.now(),
        channel="api",
        action="read",
    )

    manager = api_as(company["north_mgr"]).get("/api/access-log/", {"rep": leaving["rep"].pk})
    other_manager = api_as(company["south_mgr"]).get("/api/access-log/")

    assert manager.status_code == 200
    assert [r["customer_name"] for r in manager.json()["results"]] == ["Acme"]
    assert other_manager.json()["count"] == 0
    assert api_as(company["rep"]).get("/api/access-log/").status_code == 403


def test_the_handover_page_shows_the_reps_days(company, leaving, client, settings):
    settings.CRM_NOTICE_DAILY_READ_LIMIT = 1
    rep_browser = type(client)()
    rep_browser.force_login(leaving["rep"])
    second = CustomerFactory(name="Second", owner=leaving["rep"])
    rep_browser.get(reverse("crm:customer-detail", args=[leaving["customer"].pk]))
    assert rep_browser.get(reverse("crm:customer-detail", args=[second.pk])).status_code == 429
    client.force_login(company["north_mgr"])

    plan = client.get(reverse("handover:plan", args=[leaving["handover"].pk]))

    days = plan.context["notice_days"]
    assert [(d["customers"], d["refused"]) for d in days] == [(1, 1)]
    assert 'class="over-limit"' in plan.content.decode()


def test_an_import_logs_the_customers_it_wrote(company, client):
    from crm.imports import import_create, import_run

    job = import_create(
        kind="customers",
        file_name="c.csv",
        data=b"name,owner\nImported One,rep_a\nImported Two,rep_a\n",
        by=company["north_mgr"],
    )
    import_run(job_id=job.pk)

    imported = CustomerAccess.objects.filter(user=company["north_mgr"], action="import")
    assert imported.count() == 2


def test_entries_past_the_retention_are_purged(company, leaving, settings):
    settings.CRM_ACCESS_LOG_RETENTION_DAYS = 400
    now = timezone.now()
    CustomerAccess.objects.bulk_create(
        CustomerAccess(
            user=leaving["rep"],
            customer=leaving["customer"],
            at=at,
            channel="page",
            action=AccessAction.READ,
        )
        for at in [now - timedelta(days=401), now - timedelta(days=399)]
    )

    assert access_log_purge(now=now) == 1
    assert CustomerAccess.objects.count() == 1
