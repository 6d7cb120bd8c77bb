"""The manager's time log pages (issue 13): quick entry with this week's entries, the monthly
report (chart of the coaching share against the target, totals per category) and its CSV.
A manager sees their own, an admin any manager's (picked with ?manager=), a rep gets 403;
another manager's log is a 404. Thin: coaching.timelog validates, sums and scopes."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import User
from coaching import timelog
from coaching.models import TimeCategory
from crm.ids import parse_id
from crm.web import add_service_errors, csv_download


class TimeEntryForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(
        label=_("Hours"),
        min_value=None,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.25", "max": "24"}),
        help_text=_("In quarter hours: 0.25, 0.5, 1.75 …"),
    )
    category = forms.CharField(
        label=_("Category"), widget=forms.Select(choices=TimeCategory.choices)
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


def _require_manager(request: HttpRequest) -> None:
    if not timelog.may_log_time(user=request.user):
        raise PermissionDenied(gettext("Only managers keep a time log."))


def _require_viewer(request: HttpRequest) -> None:
    if not timelog.may_view_time_logs(user=request.user):
        raise PermissionDenied(gettext("Only managers and admins see time logs."))


@login_required
def time_log_page(request: HttpRequest) -> HttpResponse:
    """Quick entry (managers) and this week's entries."""
    if request.user.is_admin and not request.user.is_manager:
        return redirect("coaching:time-report")
    _require_manager(request)
    today = timelog.today_for(user=request.user)
    form = TimeEntryForm(request.POST or None, initial={"date": today, "category": "coaching"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            timelog.log_time(
                by=request.user,
                day=data["date"],
                minutes=timelog.minutes_from_hours(data["hours"]),
                category=data["category"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("Time logged."))
            return redirect("coaching:time-log")
    entries = timelog.week_entries(manager=request.user, today=today)
    context = {
        "form": form,
        "entries": entries,
        "week_minutes": sum(e.minutes for e in entries),
        "today": today,
    }
    return render(
        request, "coaching/timelog/page.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def time_entry_delete(request: HttpRequest, entry_id: int) -> HttpResponse:
    _require_manager(request)
    entry = timelog.time_entries_visible_to(user=request.user).filter(pk=entry_id).first()
    if entry is None:
        raise Http404(gettext("No such entry."))
    timelog.delete_time_entry(by=request.user, entry=entry)
    messages.success(request, gettext("Entry removed."))
    return redirect("coaching:time-log")


def _month(request: HttpRequest) -> date:
    raw = (request.GET.get("month") or "").strip()
    if not raw:
        return timelog.today_for(user=request.user).replace(day=1)
    try:
        return timelog.parse_month(raw)
    except ValidationError as exc:
        problem = " ".join(exc.messages)
        messages.error(
            request, gettext("%(problem)s Showing this month instead.") % {"problem": problem}
        )
        return timelog.today_for(user=request.user).replace(day=1)


def _manager(request: HttpRequest, managers, source=None) -> User:
    """The ?manager= asked for (admins), else the caller; outside the scope: 404."""
    raw = ((source if source is not None else request.GET).get("manager") or "").strip()
    if not raw:
        if request.user.is_manager:
            return request.user
        first = managers.first()
        if first is None:
            raise Http404(gettext("No manager has a time log yet."))
        return first
    manager_id = parse_id(raw)
    manager = managers.filter(pk=manager_id).first() if manager_id is not None else None
    if manager is None:
        raise Http404(gettext("No such manager."))
    return manager


@login_required
def time_report_page(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    managers = timelog.time_log_managers_for(user=request.user)
    manager = _manager(request, managers)
    month = _month(request)
    summary = timelog.month_summary(manager=manager, month=month)
    query = f"month={month:%Y-%m}&manager={manager.pk}"
    context = {
        "summary": summary,
        "manager": manager,
        "managers": list(managers) if request.user.is_admin else [],
        "month": month,
        "previous_month": f"{timelog.previous_month(month):%Y-%m}",
        "next_month": f"{timelog.next_month(month):%Y-%m}",
        "chart_data": summary.chart_data(),
        "export_url": f"{reverse('coaching:time-export')}?{query}",
        "can_set_target": request.user.is_admin and manager.team_id is not None,
    }
    return render(request, "coaching/timelog/report.html", context)


@login_required
def time_export(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    manager = _manager(request, timelog.time_log_managers_for(user=request.user))
    month = _month(request)
    summary = timelog.month_summary(manager=manager, month=month)
    return csv_download(
        filename=f"time-log-{manager.username}-{month:%Y-%m}.csv",
        header=timelog.EXPORT_HEADER,
        rows=timelog.export_rows(summary=summary),
    )


@login_required
@require_POST
def coaching_target_save(request: HttpRequest) -> HttpResponse:
    """Admins: a manager's team's target coaching share (empty: back to the default)."""
    if not request.user.is_admin:
        raise PermissionDenied(gettext("Only an admin sets a team's coaching target."))
    manager = _manager(
        request, timelog.time_log_managers_for(user=request.user), source=request.POST
    )
    if manager.team_id is None:
        messages.error(
            request,
            gettext("%(manager)s leads no team: the default target applies.")
            % {"manager": manager},
        )
    else:
        raw = (request.POST.get("share") or "").strip()
        share = int(raw) if raw.isascii() and raw.isdigit() else (raw or None)
        try:
            timelog.set_coaching_target(by=request.user, team=manager.team, share=share)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, gettext("Coaching target of %(team)s saved.") % {"team": manager.team}
            )
    month = (request.POST.get("month") or "").strip()
    return redirect(f"{reverse('coaching:time-report')}?month={month}&manager={manager.pk}")


urlpatterns = [
    path("time/", time_log_page, name="time-log"),
    path("time/<int:entry_id>/delete/", time_entry_delete, name="time-entry-delete"),
    path("time/report/", time_report_page, name="time-report"),
    path("time/report/export.csv", time_export, name="time-export"),
    path("time/report/target/", coaching_target_save, name="time-target"),
]
