"""Celery tasks of the coaching domain: thin wrappers that call one service each."""

from celery import shared_task


@shared_task(name="coaching.tasks.award_badges_task", acks_late=True)
def award_badges_task(week: str, team_id: int | None = None) -> int:
    """Queued by the weekly KPI job once its rows are committed: award the week's badges
    (coaching.recognition.award_badges). Safe to run twice. Returns how many were new."""
    from accounts.models import Team
    from coaching.recognition import award_badges

    team = Team.objects.filter(pk=team_id).first() if team_id is not None else None
    if team_id is not None and team is None:
        return 0
    return award_badges(week=week, team=team)
