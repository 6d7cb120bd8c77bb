"""The manager dashboard, a rep's drill-down (a rep's own "My numbers"), their CSV exports
and the "Recompute this week" button. Thin: reports.dashboard computes and scopes, these
views parse the query string, pick the template and stream the CSV."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from activities.selectors import current_week
from activities.weeks import requested_week, shift_week, week_monday
from crm.ids import parse_id
from crm.territories import territory_kpis_for
from crm.web import csv_download
from reports import dashboard as dash
from reports import kpis

EXPORT_TABLES = ("team", "stuck", "unvisited", "missing")


def _week(request: HttpRequest) -> str:
    """The ?week= asked for, or the current week (with a message saying why) when it is
    not an ISO week."""
    week, problem = requested_week(request.GET.get("week"), default=current_week(user=request.user))
    if problem:
        messages.error(request, _("%(problem)s Showing this week instead.") % {"problem": problem})
    return week


def _team_id(request: HttpRequest, teams: list, source=None) -> int | None:
    """The ?team= asked for; a team outside the user's scope (or no team at all) is 404."""
    source = source if source is not None else request.GET
    raw = (source.get("team") or "").strip()
    if not raw:
        return None
    team_id = parse_id(raw)
    if team_id is None or not any(team.pk == team_id for team in teams):
        raise Http404(_("No such team."))
    return team_id


def _scoped_rep(request: HttpRequest, rep_id) -> User:
    rep = dash.dashboard_rep(user=request.user, rep_id=rep_id)
    if rep is None:
        raise Http404(_("No such rep."))
    return rep


def _context(request: HttpRequest, board: dash.Dashboard, teams: list) -> dict:
    week = board.week
    monday = week_monday(week)
    query = {"week": week}
    if board.team_id:
        query["team"] = board.team_id
    if board.rep is not None and not request.user.is_rep:
        query["rep"] = board.rep.pk
    return {
        "board": board,
        "week": week,
        "monday": monday,
        "sunday": dash.week_end(week),
        "previous_week": shift_week(week, -1),
        "next_week": shift_week(week, 1),
        "this_week": current_week(user=request.user),
        "teams": teams,
        "team_id": board.team_id,
        "rep": board.rep,
        "rows": board.rows,
        # The headline tiles: the team's totals, or the one rep's row; none for an empty team.
        "head": board.totals or (board.rows[0] if board.rows else None),
        "sort": board.sort,
        "computed_at": max(
            (row.kpi.computed_at for row in board.rows if row.kpi is not None), default=None
        ),
        "not_computed": sum(1 for row in board.rows if row.kpi is None),
        "export_query": "&".join(f"{k}={v}" for k, v in query.items()),
        "chart_data": board.chart_data(),
        "can_recompute": kpis.may_recompute_kpis(user=request.user),
        "sort_columns": SORT_COLUMNS,
    }


# (label, sort key, css class) of the team table's header
SORT_COLUMNS = [
    (gettext_lazy("Rep"), "rep", ""),
    (gettext_lazy("Calls"), "calls", "num"),
    (gettext_lazy("Meetings"), "meetings", "num"),
    (gettext_lazy("Visits"), "visits", "num"),
    (gettext_lazy("New prospects"), "new_prospects", "num"),
    (gettext_lazy("Quota MTD"), "mtd", "num"),
    (gettext_lazy("Quota QTD"), "qtd", "num"),
    (gettext_lazy("Quota YTD"), "ytd", "num"),
    (gettext_lazy("Pipeline"), "pipeline", "num"),
    (gettext_lazy("Forecast"), "forecast", "num"),
    (gettext_lazy("Quota left"), "remaining_quota", "num"),
]


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """The team dashboard for the selected week (managers: their team; admins: any team or
    all); a rep gets their own drill-down ("My numbers") at the same address."""
    if request.user.is_rep:
        return _rep_page(request, request.user)
    teams = dash.dashboard_teams(user=request.user)
    team_id = _team_id(request, teams)
    week = _week(request)
    sort = request.GET.get("sort") or "rep"
    reps = dash.dashboard_reps(user=request.user, team_id=team_id)
    if request.htmx and request.GET.get("partial") == "table":
        board = dash.Dashboard(user=request.user, week=week, reps=reps, team_id=team_id)
        board.sort = sort
        board.rows = dash.team_table(reps=reps, week=week, sort=sort)
        board.totals = dash.team_totals(board.rows) if len(board.rows) > 1 else None
        context = _context(request, board, teams)
        return render(request, "reports/dashboard/_team_table.html", context)
    board = dash.build_dashboard(
        user=request.user, week=week, reps=reps, team_id=team_id, sort=sort
    )
    context = _context(request, board, teams)
    # Territory KPIs (issue 13, crm.territories): three queries whatever the territories.
    context["territory_kpis"] = territory_kpis_for(
        user=request.user, team_id=team_id, day=dash.week_end(week)
    )
    return render(request, "reports/dashboard/page.html", context)


def _rep_page(request: HttpRequest, rep: User) -> HttpResponse:
    week = _week(request)
    board = dash.build_dashboard(
        user=request.user, week=week, reps=[rep], team_id=rep.team_id, rep=rep
    )
    context = _context(request, board, teams=[])
    return render(request, "reports/dashboard/page.html", context)


@login_required
def rep_dashboard_view(request: HttpRequest, rep_id: int) -> HttpResponse:
    """One rep's figures and charts: a manager's drill-down, or the rep's own page (a rep
    opening someone else's gets 404, like a manager opening another team's rep)."""
    return _rep_page(request, _scoped_rep(request, rep_id))


def _pct(value) -> str:
    return "" if value is None else str(value)


def _team_rows(board_rows: list[dash.TeamRow]):
    for row in board_rows:
        kpi = row.kpi
        yield [
            row.rep.pk,
            row.rep.username,
            str(row.rep),
            str(row.rep.team or ""),
            "yes" if kpi is not None else "no",
            *(
                value
                for m in row.activity
                for value in (m.actual, m.target, _pct(m.percent), m.level_label)
            ),
            *(value for m in row.attainment for value in (m.actual, m.target, _pct(m.percent))),
            row.pipeline,
            row.forecast,
            row.remaining_quota,
        ]


TEAM_HEADER = [
    "rep_id",
    "username",
    "rep",
    "team",
    "computed",
    *(
        f"{key}_{suffix}"
        for key in ("calls", "meetings", "visits", "new_prospects")
        for suffix in ("actual", "goal", "percent", "status")
    ),
    *(
        f"{key}_{suffix}"
        for key in ("revenue_mtd", "revenue_qtd", "revenue_ytd")
        for suffix in ("actual", "quota", "percent")
    ),
    "pipeline",
    "forecast",
    "quota_left_year",
]


@login_required
def dashboard_export_view(request: HttpRequest, table: str) -> HttpResponse:
    """/dashboard/export/<table>.csv: every row of one of the dashboard's tables, with the
    same scope and parameters as the page (?week=, ?team=, ?rep= for a drill-down)."""
    if table not in EXPORT_TABLES:
        raise Http404(_("No such table."))
    week = _week(request)
    if request.user.is_rep:
        rep = request.user
    elif request.GET.get("rep"):
        rep_id = parse_id(request.GET["rep"])
        if rep_id is None:
            raise Http404(_("No such rep."))
        rep = _scoped_rep(request, rep_id)
    else:
        rep = None
    if rep is not None:
        reps, team_id = [rep], rep.team_id
    else:
        team_id = _team_id(request, dash.dashboard_teams(user=request.user))
        reps = dash.dashboard_reps(user=request.user, team_id=team_id)
    name = f"{table}-{week}" + (f"-{rep.username}" if rep else "") + ".csv"
    now = timezone.now()
    if table == "team":
        rows = dash.team_table(reps=reps, week=week, sort=request.GET.get("sort") or "rep")
        return csv_download(filename=name, header=TEAM_HEADER, rows=_team_rows(rows))
    if table == "stuck":
        deals = dash.reps_deals(user=request.user, reps=reps)
        medians = dash.cached_stage_median_days(now=now)
        stuck = dash.stuck_deals(deals=deals, now=now, medians=medians)
        return csv_download(
            filename=name,
            header=[
                "deal_id",
                "deal",
                "customer",
                "owner",
                "stage",
                "amount",
                "days_in_stage",
                "usual_days",
            ],
            rows=(
                [
                    d.pk,
                    d.title,
                    d.customer.name,
                    d.owner.username,
                    d.stage_id,
                    d.amount,
                    dash.days_since(d.in_stage_since, now),
                    round(d.usual_days, 1),
                ]
                for d in stuck.iterator(chunk_size=500)
            ),
        )
    if table == "unvisited":
        customers = dash.unvisited_key_customers(reps=reps, now=now)
        return csv_download(
            filename=name,
            header=["customer_id", "customer", "owner", "segment", "visits_12m", "visits_target"],
            rows=(
                [c.pk, c.name, c.owner.username, c.segment, c.visits, c.visits_target.normalize()]
                for c in customers.iterator(chunk_size=500)
            ),
        )
    missing = dash.missing_call_reports(reps=reps, week=week)
    return csv_download(
        filename=name,
        header=["rep_id", "username", "rep", "team", "week", "status"],
        rows=(
            [r.rep.pk, r.rep.username, str(r.rep), str(r.rep.team or ""), week, r.status]
            for r in missing
        ),
    )


@login_required
@require_POST
def dashboard_recompute_view(request: HttpRequest) -> HttpResponse:
    """ "Recompute this week": queues the weekly KPI job for the week shown, through the
    same service as the API (reports.kpis.request_kpi_recompute: roles, scope, queued after
    commit). A rep gets 403; a team outside the user's scope 404."""
    if not kpis.may_recompute_kpis(user=request.user):
        raise PermissionDenied(_("Only managers and admins recompute KPIs."))
    team_id = _team_id(request, dash.dashboard_teams(user=request.user), source=request.POST)
    asked = request.POST.get("week", "")
    try:
        kpis.request_kpi_recompute(by=request.user, week=asked, team_id=team_id)
    except ValidationError as exc:  # a bad week queues nothing: say why, show this week
        for text in exc.messages:
            messages.error(request, text)
        week = current_week(user=request.user)
    else:
        week = asked
        messages.success(
            request,
            _("Recomputing the KPIs of %(week)s: refresh in a moment to see them.")
            % {"week": week},
        )
    url = reverse("reports:dashboard") + f"?week={week}" + (f"&team={team_id}" if team_id else "")
    return redirect(url)


urlpatterns = [
    path("dashboard/", dashboard_view, name="dashboard"),
    path("dashboard/rep/<int:rep_id>/", rep_dashboard_view, name="rep-dashboard"),
    path("dashboard/export/<str:table>.csv", dashboard_export_view, name="dashboard-export"),
    path("dashboard/recompute/", dashboard_recompute_view, name="dashboard-recompute"),
]
