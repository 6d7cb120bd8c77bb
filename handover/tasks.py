"""Celery tasks of the handover (issue 6, engineer 6B): thin wrappers around
handover.execution. Each takes ids only and is safe to run twice."""

from celery import shared_task


@shared_task(name="handover.tasks.execute_handover")
def execute_handover(handover_id: int) -> str:
    """Run a scheduled handover at its ETA (the last day); a handover no longer scheduled
    (done, reversed, back to draft) is skipped."""
    from handover.execution import handover_run_scheduled

    return handover_run_scheduled(handover_id=handover_id)


@shared_task(name="handover.tasks.deactivate_departing_rep")
def deactivate_departing_rep(handover_id: int) -> bool:
    """At the end of the last day: no login, API tokens revoked, sessions ended."""
    from handover.execution import handover_deactivate_if_due

    return handover_deactivate_if_due(handover_id=handover_id)


@shared_task(name="handover.tasks.notify_receivers")
def notify_receivers(handover_id: int) -> int:
    """Email each receiver the customers, deals and tasks they now own."""
    from handover.execution import handover_notify_receivers

    return handover_notify_receivers(handover_id=handover_id)


@shared_task(name="handover.tasks.notify_read_limit")
def notify_read_limit(rep_id: int, count: int) -> int:
    """Tell the rep's manager and the admins that a rep in their notice period reached the
    daily limit of customers opened."""
    from handover.notice import notice_read_limit_notify

    return notice_read_limit_notify(rep_id=rep_id, count=count)
