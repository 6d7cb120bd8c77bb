"""Pages of the weekly call report: the rep's report for a week (comments, submit), the
manager's review (approve / return with a comment, htmx) and the team's "Call reports" page.
Thin: the selectors compute and scope, the services write and enforce who may do what."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, re_path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import teams_visible_to
from activities import services
from activities.choices import CallReportStatus
from activities.forms import CallReportApproveForm, CallReportCommentsForm, CallReportReturnForm
from activities.models import WeeklyCallReport
from activities.selectors import (
    call_report_activities,
    call_report_for_week,
    call_report_is_frozen,
    call_report_late_entries,
    call_report_shown_figures,
    call_reports_visible_to,
    current_week,
    team_report_status,
)
from activities.weeks import parse_week, shift_week, week_monday
from crm.ids import parse_id
from crm.web import add_service_errors


def _require_reviewer(request: HttpRequest) -> None:
    """Managers and admins review; a rep may not (403, whatever the report)."""
    if request.user.is_rep:
        raise PermissionDenied(_("Only managers and admins review call reports."))


def _valid_week(request: HttpRequest, week: str) -> str | None:
    try:
        parse_week(week)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    return week


def _report_context(report: WeeklyCallReport) -> dict:
    """What the report body shows, rep and manager alike: a fixed number of queries."""
    return {
        "report": report,
        "figures": call_report_shown_figures(report=report),
        "frozen": call_report_is_frozen(report),
        "activities": list(call_report_activities(report=report)),
        "late_entries": list(call_report_late_entries(report=report)),
        "monday": week_monday(report.week),
    }


@login_required
def call_report_current(request: HttpRequest) -> HttpResponse:
    """/reports/calls/: the rep's report for this week; managers land on their team's page."""
    week = current_week(user=request.user)
    if request.user.is_rep:
        return redirect("activities:call-report", week=week)
    return redirect(f"{reverse('activities:call-report-team')}?week={week}")


@login_required
@require_http_methods(["GET", "POST"])
def call_report_week(request: HttpRequest, week: str) -> HttpResponse:
    """The rep's report for one week: live figures while a draft, the week's activities,
    late entries, the comments form, Save and Submit (locked once submitted)."""
    if _valid_week(request, week) is None:
        return redirect("activities:call-report-current")
    if not request.user.is_rep:
        return redirect(f"{reverse('activities:call-report-team')}?week={week}")
    report = call_report_for_week(rep=request.user, week=week)
    form = CallReportCommentsForm(request.POST or None, initial={"comments": report.comments})
    if request.method == "POST" and form.is_valid():
        comments = form.cleaned_data["comments"]
        try:
            report = services.call_report_get_or_create(rep=request.user, week=week)
            if "submit" in request.POST:
                services.call_report_submit(report=report, by=request.user, comments=comments)
                messages.success(
                    request,
                    _("Call report for %(week)s submitted; the week is locked.") % {"week": week},
                )
            else:
                services.call_report_save_comments(
                    report=report, by=request.user, comments=comments
                )
                messages.success(request, _("Comments saved."))
        except ValidationError as exc:
            add_service_errors(form, exc)
            report = call_report_for_week(rep=request.user, week=week)
        else:
            return redirect("activities:call-report", week=week)
    context = {
        **_report_context(report),
        "form": form,
        "editable": report.status in services.EDITABLE_REPORT_STATUSES,
        "is_future": week > current_week(user=request.user),
        "previous_week": shift_week(week, -1),
        "next_week": shift_week(week, 1),
    }
    return render(request, "activities/reports/report.html", context)


@login_required
def call_report_team(request: HttpRequest) -> HttpResponse:
    """The manager's "Call reports" page: every rep of the team(s) with their report's
    status for the week (missing = not started) and the week's figures."""
    _require_reviewer(request)
    week = request.GET.get("week") or current_week(user=request.user)
    if _valid_week(request, week) is None:
        week = current_week(user=request.user)
    teams = list(teams_visible_to(user=request.user))
    team_id = parse_id(request.GET.get("team"))
    team_id = team_id if any(t.pk == team_id for t in teams) else None
    rows = team_report_status(manager=request.user, week=week, team_id=team_id)
    context = {
        "week": week,
        "monday": week_monday(week),
        "rows": rows,
        "teams": teams,
        "team_id": team_id,
        "submitted": sum(1 for row in rows if row.status in ("submitted", "approved")),
        "previous_week": shift_week(week, -1),
        "next_week": shift_week(week, 1),
    }
    return render(request, "activities/reports/team.html", context)


def _visible_report(request: HttpRequest, pk: int) -> WeeklyCallReport:
    return get_object_or_404(call_reports_visible_to(user=request.user), pk=pk)


def _review_panel(
    request: HttpRequest, report: WeeklyCallReport, *, approve=None, give_back=None, notice=""
) -> HttpResponse:
    context = {
        "report": report,
        "approve_form": approve or CallReportApproveForm(),
        "return_form": give_back or CallReportReturnForm(),
        "notice": notice,
    }
    return render(request, "activities/reports/_review.html", context)


@login_required
def call_report_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager's review page of one report: the report and the approve / return panel."""
    _require_reviewer(request)
    report = _visible_report(request, pk)
    context = {
        **_report_context(report),
        "approve_form": CallReportApproveForm(),
        "return_form": CallReportReturnForm(),
    }
    return render(request, "activities/reports/review.html", context)


def _review_action(request: HttpRequest, pk: int, *, approve: bool) -> HttpResponse:
    _require_reviewer(request)
    report = _visible_report(request, pk)
    form_class = CallReportApproveForm if approve else CallReportReturnForm
    form = form_class(request.POST)
    forms = {"approve": form} if approve else {"give_back": form}
    # A report not waiting for review: the service's refusal is what the manager must read,
    # whatever the comment holds (the panel then shows no comment box to mark).
    if form.is_valid() or report.status != CallReportStatus.SUBMITTED:
        comment = form.cleaned_data.get("comment", "")
        try:
            if approve:
                report = services.call_report_approve(
                    report=report, by=request.user, comment=comment
                )
                notice = _("%(rep)s's report for %(week)s approved.") % {
                    "rep": report.rep,
                    "week": report.week,
                }
            else:
                report = services.call_report_return(
                    report=report, by=request.user, comment=comment
                )
                notice = _("%(rep)s's report for %(week)s returned with your comment.") % {
                    "rep": report.rep,
                    "week": report.week,
                }
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not request.htmx:
                messages.success(request, notice)
                return redirect("activities:call-report-review", pk=report.pk)
            return _review_panel(request, report, notice=notice)
    if not request.htmx:
        context = {**_report_context(report), "approve_form": CallReportApproveForm()}
        context["return_form"] = CallReportReturnForm()
        context.update({"approve_form" if approve else "return_form": form})
        return render(request, "activities/reports/review.html", context)
    return _review_panel(request, report, **forms)


@login_required
@require_POST
def call_report_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_action(request, pk, approve=True)


@login_required
@require_POST
def call_report_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_action(request, pk, approve=False)


urlpatterns = [
    path("reports/calls/", call_report_current, name="call-report"),
    path("reports/calls/", call_report_current, name="call-report-current"),
    path("reports/calls/team/", call_report_team, name="call-report-team"),
    path("reports/calls/review/<int:pk>/", call_report_review, name="call-report-review"),
    path("reports/calls/review/<int:pk>/approve/", call_report_approve, name="call-report-approve"),
    path("reports/calls/review/<int:pk>/return/", call_report_return, name="call-report-return"),
    re_path(r"^reports/calls/(?P<week>\d{4}-W\d{2})/$", call_report_week, name="call-report"),
]
