"""Celery tasks of the sales domain: thin wrappers that call services."""

from celery import shared_task

from crm import services


@shared_task(name="crm.tasks.recompute_key_customers")
def recompute_key_customers() -> int:
    """Nightly (beat) and on demand: re-flag the customers bringing 80% of won revenue."""
    return services.recompute_key_customers()


@shared_task(name="crm.tasks.run_import", acks_late=True)
def run_import(job_id: int) -> str:
    """Commit a large CSV import (queued on commit of the request); returns the final status."""
    from crm.imports import import_run

    return import_run(job_id=job_id).status
