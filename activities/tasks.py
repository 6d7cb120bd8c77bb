"""Celery tasks of the activity domain: thin wrappers that call services."""

from celery import shared_task

from activities import services

# --- Weekly call report (issue 4: engineer C) --------------------------------------------


@shared_task(name="activities.tasks.send_call_report_reminders")
def send_call_report_reminders() -> int:
    """Friday (beat): remind every rep who has not submitted this week's call report.
    Periodic, so it takes no ids; safe to run twice (nobody is reminded twice a week)."""
    return services.call_report_send_reminders()
