"""CSV import: upload -> preview with numbered row errors -> all-or-nothing commit, in scope."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm import imports
from crm.models import Contact, Customer, Deal, DealStageChange, ImportJob, OwnershipChange
from tests.factories.crm import CustomerFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
CUSTOMER_HEADER = "name,owner,segment,status,source,industry,region,city,website,phone\n"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def customers_csv(n: int, owner: str = "", prefix: str = "Cust") -> bytes:
    rows = "".join(f"{prefix} {i:05d},{owner},primary,active,referral,,,,,\n" for i in range(n))
    return (CUSTOMER_HEADER + rows).encode()


def upload(client, kind: str, data: bytes, name: str = "upload.csv"):
    return client.post(
        reverse("crm:import-start"),
        {"kind": kind, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def latest_job() -> ImportJob:
    return ImportJob.objects.latest("id")


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


# --- Upload and preview -----------------------------------------------------------------


def test_good_customer_file_imports_everything_with_owners_and_log(company, as_user):
    rep = company["rep"]
    client = as_user(rep)

    response = upload(client, "customers", fixture_bytes("customers_good.csv"), "good.csv")
    job = latest_job()
    assert response.status_code == 302
    assert response.url == reverse("crm:import-detail", args=[job.pk])
    preview = client.get(response.url)
    assert "5 rows" in preview.content.decode()
    assert "Alder Foods" in preview.content.decode()
    assert Customer.objects.count() == 0, "the preview writes nothing"

    response = client.post(reverse("crm:import-commit", args=[job.pk]), follow=True)

    assert "Imported 5 customers" in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.imported_rows, job.errors) == ("done", 5, [])
    customers = Customer.objects.order_by("name")
    assert [c.name for c in customers] == [
        "Alder Foods",
        "Birch Metals",
        "Cedar Logistics",
        "Dogwood Dental",
        "Elm Electric",
    ]
    assert {c.owner_id for c in customers} == {rep.pk}, "a blank owner means the importer"
    alder = customers[0]
    assert (alder.segment, alder.status, alder.source) == ("primary", "active", "referral")
    assert alder.website == "https://alder.example"
    log = OwnershipChange.objects.filter(object_type="customer")
    assert log.count() == 5
    assert {(e.from_user_id, e.to_user_id, e.source, e.reference) for e in log} == {
        (None, rep.pk, "import", f"import:{job.pk}")
    }
    assert {e.customer_id for e in log} == {c.pk for c in customers}


def test_one_bad_row_is_numbered_and_explained_and_nothing_is_imported(company, as_user):
    client = as_user(company["rep"])

    response = upload(client, "customers", fixture_bytes("customers_one_bad_row.csv"))
    job = latest_job()
    page = client.get(response.url).content.decode()

    assert job.errors == [
        {"row": 4, "field": "segment", "message": "“tertiary” is not one of primary, secondary."}
    ]
    assert "Row 4, segment: “tertiary” is not one of primary, secondary." in page
    assert "Nothing will be imported" in page
    assert "disabled" in page
    committed = client.post(reverse("crm:import-commit", args=[job.pk]), follow=True)
    assert "Fix the rows with errors" in committed.content.decode()
    assert Customer.objects.count() == 0
    assert OwnershipChange.objects.count() == 0


def test_the_fixed_file_then_imports_everything(company, as_user):
    client = as_user(company["rep"])
    upload(client, "customers", fixture_bytes("customers_one_bad_row.csv"))
    assert Customer.objects.count() == 0

    upload(client, "customers", fixture_bytes("customers_good.csv"))
    client.post(reverse("crm:import-commit", args=[latest_job().pk]))

    assert Customer.objects.filter(owner=company["rep"]).count() == 5


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("Acme,,primary,nope,,,,,,", "status", "“nope” is not one of prospect, active, former."),
        ("Acme,,,,telepathy,,,,,", "source", "“telepathy” is not one of cold_call, referral"),
        (",,primary,,,,,,,", "name", "This value is required."),
        ("A" * 201 + ",,,,,,,,,", "name", "At most 200 characters allowed (this has 201)."),
        ("Acme,,,,,,,,not a url,", "website", "“not a url” is not a valid web address."),
        ("Acme,nobody,,,,,,,,", "owner", "“nobody” is not someone you can assign work to."),
        ("Acme,,,,", "row", "This row has 5 values but the header has 10."),
    ],
)
def test_each_bad_value_gets_a_specific_row_message(company, row, field, message):
    job = imports.import_create(
        kind="customers",
        file_name="x.csv",
        data=(CUSTOMER_HEADER + row).encode(),
        by=company["rep"],
    )

    assert len(job.errors) == 1
    assert (job.errors[0]["row"], job.errors[0]["field"]) == (2, field)
    assert job.errors[0]["message"].startswith(message)


def test_choice_values_accept_labels_and_any_case(company):
    data = CUSTOMER_HEADER + "Acme,,Secondary,ACTIVE,Cold call,,,,,\n"
    job = imports.import_create(
        kind="customers", file_name="x.csv", data=data.encode(), by=company["rep"]
    )
    imports.import_start_commit(job=job, by=company["rep"])

    acme = Customer.objects.get()
    assert (acme.segment, acme.status, acme.source) == ("secondary", "active", "cold_call")


def test_same_customer_twice_for_the_same_owner_is_an_error(company):
    data = CUSTOMER_HEADER + "Acme,,,,,,,,,\nOther,,,,,,,,,\nacme,,,,,,,,,\n"
    job = imports.import_create(
        kind="customers", file_name="x.csv", data=data.encode(), by=company["rep"]
    )

    assert job.errors == [
        {
            "row": 4,
            "field": "name",
            "message": "“acme” appears twice for owner rep_a (also on row 2).",
        }
    ]


def test_a_customer_the_owner_already_has_is_an_error(company):
    CustomerFactory(name="Acme", owner=company["rep"])
    data = CUSTOMER_HEADER + "Acme,,,,,,,,,\n"
    job = imports.import_create(
        kind="customers", file_name="x.csv", data=data.encode(), by=company["rep"]
    )

    assert job.errors[0]["message"] == "rep_a already has a customer named “Acme”."


# --- File-level problems ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\n\n  \n", "The file is empty."),
        ("name,segment\nCaf\xe9,primary\n".encode("latin-1"), "The file is not UTF-8 text."),
        (b"PK\x03\x04\x00\x00binary", "This is a binary file"),
        (
            b"name,segment\n" + b"Pad Co 00000,primary\n" * 600 + b"Evil\x00Co,primary\n",
            "Line 602 holds a NUL character",
        ),
        (CUSTOMER_HEADER.encode(), "The file has a header but no data rows."),
        (b"name,colour\nAcme,red\n", "Unknown column(s): “colour”."),
        (b"owner,segment\nrep_a,primary\n", "Missing required column(s): “name”."),
        (b"name,name\nAcme,Acme\n", "Column(s) given twice: “name”."),
        (b'name\n"Acme\n', "This is not a readable CSV file"),
    ],
)
def test_file_level_problems_are_form_errors_and_create_nothing(company, as_user, data, message):
    client = as_user(company["rep"])

    response = upload(client, "customers", data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_utf8_with_bom_and_header_case_are_accepted(company):
    data = "\ufeffName,Segment\nCafé Noir,primary\n".encode()
    job = imports.import_create(kind="customers", file_name="x.csv", data=data, by=company["rep"])

    assert (job.total_rows, job.errors) == (1, [])


def test_missing_kind_or_file_shows_field_errors(company, as_user):
    client = as_user(company["rep"])

    response = client.post(reverse("crm:import-start"), {"kind": "invoices"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Select a valid choice" in body
    assert "Choose a CSV file." in body


def test_template_download_has_the_header_and_an_example(company, as_user):
    client = as_user(company["rep"])

    response = client.get(reverse("crm:import-template", args=["deals"]))

    assert response["Content-Type"] == "text/csv"
    lines = response.content.decode().splitlines()
    assert lines[0] == "customer,owner,title,amount,stage,expected_close,closed_at,lost_reason"
    assert client.get("/import/template/invoices.csv").status_code == 404


def test_template_file_imports_cleanly_as_its_own_example(company):
    CustomerFactory(name="Acme Tools", owner=company["rep"])
    for kind in ("contacts", "deals"):
        data = imports.import_template_csv(kind=kind).encode()
        job = imports.import_create(kind=kind, file_name="t.csv", data=data, by=company["rep"])
        assert job.errors == [], kind


# --- Scope ------------------------------------------------------------------------------


def test_a_rep_cannot_import_customers_for_another_rep(company):
    data = CUSTOMER_HEADER + "Mine,rep_a,,,,,,,,\nTheirs,rep_b,,,,,,,,\n"
    job = imports.import_create(
        kind="customers", file_name="x.csv", data=data.encode(), by=company["rep"]
    )

    assert job.errors == [
        {"row": 3, "field": "owner", "message": "“rep_b” is not someone you can assign work to."}
    ]
    with pytest.raises(imports.ValidationError):
        imports.import_start_commit(job=job, by=company["rep"])
    assert Customer.objects.count() == 0


def test_a_manager_imports_for_the_team_but_not_for_another_team(company):
    data = CUSTOMER_HEADER + "One,rep_a,,,,,,,,\nTwo,rep_c,,,,,,,,\n"
    job = imports.import_create(
        kind="customers", file_name="x.csv", data=data.encode(), by=company["north_mgr"]
    )

    assert [(e["row"], e["field"]) for e in job.errors] == [(3, "owner")]


def test_an_admin_must_name_the_owner(company):
    data = CUSTOMER_HEADER + "One,rep_c,,,,,,,,\nTwo,,,,,,,,,\n"
    job = imports.import_create(
        kind="customers", file_name="x.csv", data=data.encode(), by=company["admin"]
    )

    assert [(e["row"], e["field"]) for e in job.errors] == [(3, "owner")]


def test_a_rep_cannot_attach_contacts_or_deals_to_someone_elses_customer(company):
    mine = CustomerFactory(name="Mine", owner=company["rep"])
    theirs = CustomerFactory(name="Theirs", owner=company["other_rep"])
    contacts = f"customer,first_name\nMine,Ann\n{theirs.pk},Bob\nTheirs,Cy\n"
    deals = f"customer,title,amount\n{mine.pk},Ok,10\nTheirs,Nope,10\n"

    contact_job = imports.import_create(
        kind="contacts", file_name="c.csv", data=contacts.encode(), by=company["rep"]
    )
    deal_job = imports.import_create(
        kind="deals", file_name="d.csv", data=deals.encode(), by=company["rep"]
    )

    assert [(e["row"], e["field"]) for e in contact_job.errors] == [
        (3, "customer"),
        (4, "customer"),
    ]
    assert contact_job.errors[0]["message"] == (
        f"No customer “{theirs.pk}” among the customers you can see (give its id or name)."
    )
    assert [(e["row"], e["field"]) for e in deal_job.errors] == [(3, "customer")]
    assert Contact.objects.count() == 0
    assert Deal.objects.count() == 0


def test_a_name_shared_by_two_visible_customers_asks_for_the_id(company):
    CustomerFactory(name="Twin", owner=company["rep"])
    CustomerFactory(name="Twin", owner=company["other_rep"])
    data = b"customer,first_name\nTwin,Ann\n"

    job = imports.import_create(
        kind="contacts", file_name="c.csv", data=data, by=company["north_mgr"]
    )

    assert "matches 2 customers you can see; use the customer id" in job.errors[0]["message"]


# --- Contacts and deals -----------------------------------------------------------------


def test_contacts_import_onto_customers_by_name_or_id(company):
    alder = CustomerFactory(name="Alder Foods", owner=company["rep"])
    birch = CustomerFactory(name="Birch Metals", owner=company["rep"])
    data = fixture_bytes("contacts_good.csv")

    job = imports.import_create(kind="contacts", file_name="c.csv", data=data, by=company["rep"])
    job = imports.import_start_commit(job=job, by=company["rep"])

    assert job.status == "done"
    assert set(Contact.objects.values_list("customer_id", "email")) == {
        (alder.pk, "ada@alder.example"),
        (birch.pk, "grace@birch.example"),
    }


def test_bad_contact_email_is_a_row_error(company):
    CustomerFactory(name="Alder", owner=company["rep"])
    data = b"customer,first_name,email\nAlder,Ann,not-an-email\n"

    job = imports.import_create(kind="contacts", file_name="c.csv", data=data, by=company["rep"])

    assert job.errors == [
        {"row": 2, "field": "email", "message": "“not-an-email” is not a valid email address."}
    ]


def test_deals_import_with_stage_history_credit_and_log(company):
    rep = company["rep"]
    for name in ("Alder Foods", "Birch Metals", "Cedar Logistics"):
        CustomerFactory(name=name, owner=rep)

    job = imports.import_create(
        kind="deals", file_name="d.csv", data=fixture_bytes("deals_good.csv"), by=rep
    )
    assert job.errors == []
    job = imports.import_start_commit(job=job, by=rep)

    assert job.status == "done"
    deals = {d.title: d for d in Deal.objects.all()}
    spring, steel, fleet = deals["Spring order"], deals["Steel frame"], deals["Fleet tracking"]
    assert spring.amount == Decimal("1234.50")
    assert (spring.stage_id, spring.probability, spring.credited_to_id) == ("proposal", 50, None)
    assert (steel.stage_id, steel.probability, steel.credited_to_id) == ("won", 100, rep.pk)
    assert str(steel.closed_at) == "2025-01-15"
    assert (fleet.stage_id, fleet.probability, fleet.lost_reason) == (
        "lost",
        0,
        "Went with a competitor",
    )
    assert fleet.closed_at is not None
    assert {d.owner_id for d in deals.values()} == {rep.pk}, "blank owner: the customer's owner"
    history = set(DealStageChange.objects.values_list("deal__title", "from_stage", "to_stage"))
    assert history == {
        ("Spring order", "", "proposal"),
        ("Steel frame", "", "won"),
        ("Fleet tracking", "", "lost"),
    }
    log = OwnershipChange.objects.filter(object_type="deal", reference=f"import:{job.pk}")
    assert log.count() == 3
    assert set(log.values_list("from_user", "to_user", "source")) == {(None, rep.pk, "import")}


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("C,T,abc,lead,,,", "amount", "“abc” is not an amount (e.g. 1234.50)."),
        ("C,T,-5,lead,,,", "amount", "An amount cannot be negative."),
        ("C,T,NaN,lead,,,", "amount", "“NaN” is not an amount (e.g. 1234.50)."),
        ("C,T,1.234,lead,,,", "amount", "Ensure that there are no more than 2 decimal places."),
        ("C,T,1,closing,,,", "stage", "“closing” is not one of lead, qualified, proposal"),
        ("C,T,1,lead,31/12/2026,,", "expected_close", "“31/12/2026” is not a date in YYYY-MM-DD"),
        ("C,T,1,won,,,", "closed_at", "A won deal needs its close date."),
        ("C,T,1,lost,,,", "lost_reason", "A lost deal needs a reason."),
        ("C,T,1,won,,2999-01-01,", "closed_at", "The close date cannot be in the future."),
        ("C,T,1,lead,,2025-01-01,", "closed_at", "Only won or lost deals have a close date."),
        ("C,T,1,won,,0999-06-01,", "closed_at", "Give a close date in 1900 or later."),
        ("C,T,1,won,,0001-01-01,", "closed_at", "Give a close date in 1900 or later."),
    ],
)
def test_each_bad_deal_value_gets_a_specific_row_message(company, row, field, message):
    CustomerFactory(name="C", owner=company["rep"])
    data = "customer,title,amount,stage,expected_close,closed_at,lost_reason\n" + row + "\n"

    job = imports.import_create(
        kind="deals", file_name="d.csv", data=data.encode(), by=company["rep"]
    )

    assert [(e["row"], e["field"]) for e in job.errors] == [(2, field)]
    assert job.errors[0]["message"].startswith(message)


# --- Commit: revalidation, async path, failure, idempotence -----------------------------


def test_commit_validates_again_and_fails_when_data_changed(company):
    alder = CustomerFactory(name="Alder", owner=company["rep"])
    data = b"customer,first_name\nAlder,Ann\n"
    job = imports.import_create(kind="contacts", file_name="c.csv", data=data, by=company["rep"])
    assert job.errors == []
    alder.owner = company["other_rep"]
    alder.save()

    job = imports.import_start_commit(job=job, by=company["rep"])

    assert job.status == "failed"
    assert [(e["row"], e["field"]) for e in job.errors] == [(2, "customer")]
    assert Contact.objects.count() == 0


def test_large_file_runs_as_a_task_and_progress_reaches_100(
    company, as_user, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.CRM_IMPORT_ASYNC_THRESHOLD = 5
    monkeypatch.setattr(imports, "BATCH_SIZE", 4)
    client = as_user(company["rep"])
    upload(client, "customers", customers_csv(12))
    job = latest_job()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("crm:import-commit", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.status == "queued", "nothing runs until the request's transaction commits"
    page = response.content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert reverse("crm:import-progress", args=[job.pk]) in page
    assert Customer.objects.count() == 0

    for callback in callbacks:
        callback()  # the task, run eagerly as Celery would after the commit

    job.refresh_from_db()
    assert (job.status, job.imported_rows) == ("done", 12)
    assert Customer.objects.count() == 12
    progress = client.get(reverse("crm:import-progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "100%" in progress.content.decode()
    assert 'hx-trigger="every 1s"' not in progress.content.decode(), "polling stops when done"
    assert progress["HX-Refresh"] == "true"


def test_progress_is_published_per_batch_while_the_transaction_runs(company, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_SIZE", 5)
    job = imports.import_create(
        kind="customers", file_name="x.csv", data=customers_csv(15), by=company["rep"]
    )
    seen = []
    real_write = Customer.objects.bulk_create

    def spy(objs, *args, **kwargs):
        seen.append(imports.import_progress(job=ImportJob.objects.get(pk=job.pk))["percent"])
        return real_write(objs, *args, **kwargs)

    monkeypatch.setattr(Customer.objects, "bulk_create", spy)
    imports.import_start_commit(job=job, by=company["rep"])

    assert seen == [0, 33, 66], "each batch starts after the previous one's progress is published"
    assert imports.import_progress(job=ImportJob.objects.get(pk=job.pk))["percent"] == 100


def test_failure_half_way_leaves_the_database_unchanged(company, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_SIZE", 5)
    job = imports.import_create(
        kind="customers", file_name="x.csv", data=customers_csv(12), by=company["rep"]
    )
    calls = []
    real_write = Customer.objects.bulk_create

    def second_batch_breaks(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_write(objs, *args, **kwargs)

    monkeypatch.setattr(Customer.objects, "bulk_create", second_batch_breaks)

    job = imports.import_start_commit(job=job, by=company["rep"])

    assert calls == [5, 5]
    assert job.status == "failed"
    assert "nothing was imported" in job.errors[0]["message"]
    assert Customer.objects.count() == 0
    assert OwnershipChange.objects.count() == 0
    assert imports.import_progress(job=job)["status"] == "failed"


def test_a_job_is_committed_only_once(company, as_user):
    client = as_user(company["rep"])
    upload(client, "customers", fixture_bytes("customers_good.csv"))
    job = latest_job()
    client.post(reverse("crm:import-commit", args=[job.pk]))

    again = client.post(reverse("crm:import-commit", args=[job.pk]), follow=True)

    assert "already done" in again.content.decode()
    assert imports.import_run(job_id=job.pk).status == "done"  # a redelivered task
    assert Customer.objects.count() == 5


def test_validation_query_count_does_not_grow_with_rows(company):
    for i in range(5):
        CustomerFactory(name=f"Existing {i}", owner=company["rep"])

    def count_queries(kind: str, data: bytes) -> int:
        parsed = imports.import_parse(kind=kind, text=data.decode())
        with CaptureQueriesContext(connection) as ctx:
            validation = imports.import_validate(kind=kind, parsed=parsed, importer=company["rep"])
        assert validation.errors == []
        return len(ctx.captured_queries)

    def deals(n: int) -> bytes:
        rows = "".join(f"Existing {i % 5},rep_a,Deal {i},100,lead\n" for i in range(n))
        return ("customer,owner,title,amount,stage\n" + rows).encode()

    assert count_queries("customers", customers_csv(10)) == count_queries(
        "customers", customers_csv(200)
    )
    assert count_queries("deals", deals(10)) == count_queries("deals", deals(200))


# --- Pages and scope of jobs ------------------------------------------------------------


def test_another_users_job_is_404(company, as_user):
    job = imports.import_create(
        kind="customers", file_name="x.csv", data=customers_csv(2), by=company["rep"]
    )
    client = as_user(company["other_rep"])

    assert client.get(reverse("crm:import-detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("crm:import-progress", args=[job.pk])).status_code == 404
    assert client.post(reverse("crm:import-commit", args=[job.pk])).status_code == 404
    assert Customer.objects.count() == 0


def test_an_admin_sees_every_job_but_cannot_commit_someone_elses(company, as_user):
    job = imports.import_create(
        kind="customers", file_name="x.csv", data=customers_csv(2), by=company["rep"]
    )
    client = as_user(company["admin"])

    assert client.get(reverse("crm:import-detail", args=[job.pk])).status_code == 200
    assert "x.csv" in client.get(reverse("crm:import-start")).content.decode()
    assert client.post(reverse("crm:import-commit", args=[job.pk])).status_code == 403
    assert Customer.objects.count() == 0


def test_import_page_lists_only_my_recent_jobs_with_status(company, as_user):
    imports.import_create(
        kind="customers", file_name="mine.csv", data=customers_csv(1), by=company["rep"]
    )
    imports.import_create(
        kind="customers", file_name="theirs.csv", data=customers_csv(1), by=company["other_rep"]
    )
    client = as_user(company["rep"])

    body = client.get(reverse("crm:import-start")).content.decode()

    assert "mine.csv" in body
    assert "Previewed" in body
    assert "theirs.csv" not in body


def test_pages_need_login(client, company):
    job = imports.import_create(
        kind="customers", file_name="x.csv", data=customers_csv(1), by=company["rep"]
    )
    for url in (
        reverse("crm:import-start"),
        reverse("crm:import-detail", args=[job.pk]),
        reverse("crm:import-progress", args=[job.pk]),
        reverse("crm:import-template", args=["customers"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login" in response.url


def test_import_page_and_preview_run_a_fixed_number_of_queries(
    company, as_user, django_assert_max_num_queries
):
    rep = company["rep"]
    for i in range(30):
        imports.import_create(
            kind="customers", file_name=f"f{i}.csv", data=customers_csv(1, prefix=f"P{i}"), by=rep
        )
    big = imports.import_create(
        kind="customers", file_name="big.csv", data=customers_csv(300), by=rep
    )
    client = as_user(rep)

    with django_assert_max_num_queries(6):
        listing = client.get(reverse("crm:import-start"))
    with django_assert_max_num_queries(8):
        detail = client.get(reverse("crm:import-detail", args=[big.pk]))

    assert listing.content.decode().count('class="badge import-') == 20, "the 20 most recent"
    assert "300 rows" in detail.content.decode()
    assert detail.content.decode().count('<tr><td class="num">') == imports.PREVIEW_ROWS
