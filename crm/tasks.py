"""Celery tasks of the sales domain: thin wrappers that call services."""

from celery import shared_task

from crm import services


@shared_task(name="crm.tasks.recompute_key_customers")
def recompute_key_customers() -> int:
    """Nightly (beat) and on demand: re-flag the customers bringing 80% of won revenue."""
    return services.recompute_key_customers()


@shared_task(name="crm.tasks.delete_import_raw_texts")
def delete_import_raw_texts() -> int:
    """Nightly (beat): blank the uploaded CSV text of imports past their retention period."""
    from crm.imports import import_raw_texts_delete

    return import_raw_texts_delete()


@shared_task(name="crm.tasks.run_import", acks_late=True)
def run_import(job_id: int) -> str:
    """Commit a large CSV import (queued on commit of the request); returns the final status."""
    from crm.imports import import_run

    return import_run(job_id=job_id).status


@shared_task(name="crm.tasks.purge_access_log")
def purge_access_log() -> int:
    """Nightly (beat): delete access-log entries past CRM_ACCESS_LOG_RETENTION_DAYS."""
    from crm.access_log import access_log_purge

    return access_log_purge()


@shared_task(name="crm.tasks.assign_territories_by_rules")
def assign_territories_by_rules() -> int:
    """Nightly (beat): place every team's customers by its territory rules (issue 13)."""
    from crm.territories import territory_assign_all_teams

    return territory_assign_all_teams()
