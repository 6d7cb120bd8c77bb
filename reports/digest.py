"""The Monday digest (issue 5, area 5B): each manager receives their team's KPI table for
the week that just ended, once per manager and week, led by the reps the KPI job flagged
at risk that week with the reasons (issue 13)."""

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Team
from accounts.selectors import email_language_of
from reports.models import WeeklyKPI
from reports.risk import risk_flags_for
from reports.selectors import kpi_attainment

SENT_KEY = "reports:kpi-digest:{manager}:{week}"
SENT_TTL = 60 * 60 * 24 * 21  # longer than any retry of the same week's digest


def send_team_digest(*, team: Team, week: str) -> bool:
    """Mail the team's manager the week's KPI table (plain text and HTML). Sent once per
    manager and week: a cache key taken atomically (cache.add) records it, and is released
    if sending fails so the next run tries again. Returns whether an email went out."""
    manager = team.manager
    if manager is None or not manager.email or not manager.is_active:
        return False
    key = SENT_KEY.format(manager=manager.pk, week=week)
    if not cache.add(key, 1, SENT_TTL):
        return False
    rows = list(
        WeeklyKPI.objects.filter(week=week, team=team)
        .select_related("rep")
        .order_by("rep__first_name", "rep__last_name", "rep__username")
    )
    flags = risk_flags_for(reps=[row.rep_id for row in rows], week=week)
    context = {
        "team": team,
        "week": week,
        "manager": manager,
        "rows": [(row, kpi_attainment(row)) for row in rows],
        # at-risk reps (issue 13) first in the mail: most flags first, then by name
        "at_risk": sorted(
            ((row.rep, flags[row.rep_id]) for row in rows if row.rep_id in flags),
            key=lambda item: -len(item[1]),
        ),
    }
    # In the manager's own language when their profile names one, else the default.
    with translation.override(email_language_of(user=manager)):
        subject = _("%(team)s: weekly KPIs for %(week)s") % {"team": team.name, "week": week}
        body = render_to_string("reports/email/weekly_kpi_digest.txt", context)
        html = render_to_string("reports/email/weekly_kpi_digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[manager.email],
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        cache.delete(key)
        raise
    return True
