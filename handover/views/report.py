"""Handover pages of area 6B: execute (now or on the last day), the report of what moved
where (page and CSV), and undo. Thin: handover.execution does the work.

Who: execute and the report are for admins and the departing rep's own manager (the rep
gets 403, anyone outside scope 404); undo is for admins only."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from crm.web import add_service_errors, csv_download
from handover.execution import (
    UNDO_WINDOW,
    can_execute_handover,
    can_undo_handover,
    handover_execute_or_schedule,
    handover_undo,
    last_day_end,
)
from handover.models import Handover
from handover.selectors import handover_missing_items, handover_preview, handovers_visible_to

REPORT_KINDS = (
    ("customers", gettext_lazy("Customers")),
    ("deals", gettext_lazy("Open deals")),
    ("tasks", gettext_lazy("Open tasks")),
    ("contacts", gettext_lazy("Contacts")),
    ("intro_tasks", gettext_lazy("Intro tasks")),
)


class ExecuteForm(forms.Form):
    WHEN = (("now", gettext_lazy("Now")), ("last_day", gettext_lazy("At the end of the last day")))
    when = forms.ChoiceField(
        choices=WHEN, initial="now", widget=forms.RadioSelect, label=gettext_lazy("When")
    )
    waive_notes_reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("Waive the missing notes, because…"),
        help_text=gettext_lazy(
            "Only needed when key customers still have no knowledge-transfer note."
        ),
    )


class UndoForm(forms.Form):
    reactivate = forms.BooleanField(
        required=False,
        label=gettext_lazy("Reactivate the departing rep to give their portfolio back"),
    )


def _runnable(request: HttpRequest, pk: int) -> Handover:
    """404 outside scope; 403 for who may see it but not run it (the departing rep)."""
    handover = get_object_or_404(handovers_visible_to(user=request.user), pk=pk)
    if not can_execute_handover(user=request.user, handover=handover):
        raise PermissionDenied(_("Only an admin or the rep's manager may execute a handover."))
    return handover


def _can_undo(*, user: User, handover: Handover) -> bool:
    return (
        can_undo_handover(user=user)
        and handover.status == "done"
        and handover.executed_at is not None
        and timezone.now() - handover.executed_at <= UNDO_WINDOW
    )


@login_required
def handover_execute_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview's counts with the execute form under them (the preview page's
    `execute` block); executing sends to the report, scheduling back to the plan."""
    handover = _runnable(request, pk)
    if handover.status == "done":
        return redirect("handover:report", pk=handover.pk)
    form = ExecuteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        at = last_day_end(handover=handover) if form.cleaned_data["when"] == "last_day" else None
        try:
            handover, scheduled = handover_execute_or_schedule(
                handover=handover,
                by=request.user,
                at=at,
                waive_notes_reason=form.cleaned_data["waive_notes_reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if scheduled:
                when = timezone.localtime(handover.scheduled_for)
                messages.success(
                    request,
                    _("Handover scheduled for %(when)s.") % {"when": f"{when:%Y-%m-%d %H:%M}"},
                )
                return redirect("handover:plan", pk=handover.pk)
            count = handover.report["counts"]["customers"]
            messages.success(
                request,
                # Translators: English keeps "customers" for one too; give your language's
                # proper singular and plural.
                ngettext(
                    "Handover executed: %(count)s customers moved.",
                    "Handover executed: %(count)s customers moved.",
                    count,
                )
                % {"count": count},
            )
            return redirect("handover:report", pk=handover.pk)
    preview = handover_preview(handover=handover, by=request.user)
    context = {
        "handover": handover,
        "preview": preview,
        "counts": preview.counts,
        "rows": preview.receiver_rows(),
        "missing": handover_missing_items(handover=handover, limit=10),
        "form": form,
        "last_day_end": last_day_end(handover=handover),
    }
    return render(
        request, "handover/report_execute.html", context, status=400 if form.errors else 200
    )


@login_required
def handover_report(request: HttpRequest, pk: int) -> HttpResponse:
    """What moved where, per receiver, with links; what an undo could not give back."""
    handover = _runnable(request, pk)
    report = handover.report or {}
    people = User.objects.in_bulk(
        [pk for pk in (report.get("executed_by"), (report.get("undo") or {}).get("by")) if pk]
    )
    context = {
        "handover": handover,
        "report": report,
        "kinds": REPORT_KINDS,
        "executed_by": people.get(report.get("executed_by")),
        "can_undo": _can_undo(user=request.user, handover=handover),
    }
    return render(request, "handover/report.html", context)


@login_required
def handover_report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as CSV: one line per object moved (and per object an undo left)."""
    handover = _runnable(request, pk)
    report = handover.report or {}

    def rows():
        for lot in report.get("receivers", []):
            for kind, _label in REPORT_KINDS:
                for item in lot.get(kind, []):
                    late, key = item.get("late"), item.get("is_key")
                    note = "caught late" if late else ("key" if key else "")
                    yield [
                        lot["id"],
                        lot["name"],
                        kind.rstrip("s"),
                        item["id"],
                        item["name"],
                        item.get("customer_id", item["id"]),
                        note,
                    ]
        for item in (report.get("undo") or {}).get("not_returned", []):
            yield ["", "", item["type"], item["id"], item["name"], "", item["reason"]]

    return csv_download(
        filename=f"handover-{handover.pk}.csv",
        header=["receiver_id", "receiver", "type", "id", "name", "customer_id", "note"],
        rows=rows(),
    )


@login_required
def handover_undo_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then give back what still sits with its receiver (admins, 30 days)."""
    handover = get_object_or_404(handovers_visible_to(user=request.user), pk=pk)
    if not can_undo_handover(user=request.user):
        raise PermissionDenied(_("Only an admin can undo a handover."))
    form = UndoForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            handover = handover_undo(
                handover=handover, by=request.user, reactivate=form.cleaned_data["reactivate"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            undo = handover.report["undo"]
            messages.success(
                request,
                _("Handover undone: %(returned)s items went back, %(kept)s could not.")
                % {"returned": sum(undo["returned"].values()), "kept": len(undo["not_returned"])},
            )
            return redirect("handover:report", pk=handover.pk)
    context = {
        "handover": handover,
        "form": form,
        "can_undo": _can_undo(user=request.user, handover=handover),
        "counts": (handover.report or {}).get("counts", {}),
    }
    return render(request, "handover/report_undo.html", context, status=400 if form.errors else 200)


urlpatterns = [
    path("handovers/<int:pk>/execute/", handover_execute_page, name="execute"),
    path("handovers/<int:pk>/report/", handover_report, name="report"),
    path("handovers/<int:pk>/report.csv", handover_report_csv, name="report-csv"),
    path("handovers/<int:pk>/undo/", handover_undo_page, name="undo"),
]
