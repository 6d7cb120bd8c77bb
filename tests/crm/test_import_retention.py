"""Uploaded CSV text is deleted after CRM_IMPORT_RAW_RETENTION_DAYS (issue 12); the results
of the import stay, and the import page says when the file was deleted."""

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm import imports
from crm.models import ImportJob
from crm.tasks import delete_import_raw_texts

pytestmark = pytest.mark.django_db

CSV = "name,owner,segment,status,source,industry,region,city,website,phone\n"


def job(*, owner, days_old: float, status=ImportJob.Status.DONE, name="Jana Keller GmbH"):
    """An import of one customer row uploaded `days_old` days ago."""
    created = ImportJob.objects.create(
        kind=ImportJob.Kind.CUSTOMERS,
        created_by=owner,
        file_name="people.csv",
        csv_text=f"{CSV}{name},,primary,active,referral,,,,,\n",
        status=status,
        total_rows=1,
        imported_rows=1 if status == ImportJob.Status.DONE else 0,
        errors=[{"row": 2, "field": "name", "message": "x"}]
        if status == ImportJob.Status.FAILED
        else [],
    )
    ImportJob.objects.filter(pk=created.pk).update(
        created_at=timezone.now() - timedelta(days=days_old)
    )
    created.refresh_from_db()
    return created


def test_old_raw_texts_are_blanked_in_one_update_and_results_stay(company, settings):
    # Given imports of every finished state past the 30-day retention, and a recent one
    settings.CRM_IMPORT_RAW_RETENTION_DAYS = 30
    rep = company["rep"]
    done = job(owner=rep, days_old=31)
    failed = job(owner=rep, days_old=45, status=ImportJob.Status.FAILED)
    abandoned = job(owner=rep, days_old=31, status=ImportJob.Status.PREVIEWED)
    recent = job(owner=rep, days_old=29)
    # When the retention job runs
    with CaptureQueriesContext(connection) as queries:
        deleted = delete_import_raw_texts.delay().get()
    # Then the old uploads' text is gone in a single UPDATE, their results are kept
    assert deleted == 3
    assert len(queries) == 1 and queries[0]["sql"].startswith("UPDATE")
    for old in (done, failed, abandoned):
        old.refresh_from_db()
        assert old.csv_text == "" and old.raw_deleted_at is not None
        assert old.total_rows == 1
    failed.refresh_from_db()
    assert failed.errors == [{"row": 2, "field": "name", "message": "x"}]
    recent.refresh_from_db()
    assert "Jana Keller" in recent.csv_text and recent.raw_deleted_at is None


def test_running_again_changes_nothing_and_keeps_the_first_deletion_time(company):
    old = job(owner=company["rep"], days_old=40)
    assert imports.import_raw_texts_delete() == 1
    old.refresh_from_db()
    first = old.raw_deleted_at
    assert imports.import_raw_texts_delete() == 0
    old.refresh_from_db()
    assert old.raw_deleted_at == first


def test_a_queued_or_running_import_keeps_its_text_until_it_finishes(company):
    queued = job(owner=company["rep"], days_old=40, status=ImportJob.Status.QUEUED)
    running = job(owner=company["rep"], days_old=40, status=ImportJob.Status.RUNNING)
    assert imports.import_raw_texts_delete() == 0
    for pending in (queued, running):
        pending.refresh_from_db()
        assert pending.csv_text and pending.raw_deleted_at is None


def test_the_retention_period_comes_from_the_setting(company, settings):
    settings.CRM_IMPORT_RAW_RETENTION_DAYS = 7
    job(owner=company["rep"], days_old=8)
    job(owner=company["rep"], days_old=6)
    assert imports.import_raw_texts_delete() == 1


def test_the_import_page_says_when_the_file_was_deleted(company, client):
    # Given a preview whose file was deleted by the retention job
    preview = job(owner=company["rep"], days_old=40, status=ImportJob.Status.PREVIEWED)
    imports.import_raw_texts_delete()
    client.force_login(company["rep"])
    # When its owner opens it
    html = client.get(reverse("crm:import-detail", args=[preview.pk])).content.decode()
    # Then the page says the file was deleted, when, and offers no import
    assert "The uploaded file was deleted on" in html
    assert f"{settings.CRM_IMPORT_RAW_RETENTION_DAYS} days after the upload" in html
    assert reverse("crm:import-commit", args=[preview.pk]) not in html


def test_committing_a_preview_whose_file_was_deleted_says_so(company, client):
    preview = job(owner=company["rep"], days_old=40, status=ImportJob.Status.PREVIEWED)
    imports.import_raw_texts_delete()
    client.force_login(company["rep"])
    response = client.post(reverse("crm:import-commit", args=[preview.pk]), follow=True)
    assert response.status_code == 200
    assert "The uploaded file was deleted after" in response.content.decode()
    preview.refresh_from_db()
    assert preview.status == ImportJob.Status.PREVIEWED


def test_the_job_is_scheduled_nightly_with_an_expiry():
    entry = settings.CELERY_BEAT_SCHEDULE["delete-import-raw-texts"]
    assert entry["task"] == "crm.tasks.delete_import_raw_texts"
    assert isinstance(entry["schedule"], crontab)
    assert entry["options"]["expires"] > 0
