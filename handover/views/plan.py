"""Handover pages (area 6A): the list with the start form, the plan (per-row and bulk
receivers, per-item overrides, receiver summary, what is missing), the preview, the
departing rep's note page, and a person's profile. Thin: selectors read, services write.

Who: the list, plan and preview are for admins and the departing rep's own manager
(another manager gets 404, a rep 403). The note page is the departing rep's (and their
manager's); it never shows receivers. The profile (/people/<id>/) shows the handovers
and exit reasons to managers and admins only."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import users_visible_to
from crm import services as crm_services
from crm.access_log import access_daily_counts
from crm.choices import OPEN_STAGES, DealStage
from crm.models import Deal
from crm.web import add_service_errors, querystring
from handover import services
from handover.filters import PlanFilter
from handover.forms import (
    BulkAssignForm,
    DealConfirmForm,
    HandoverStartForm,
    ItemOverrideForm,
    KnowledgeNoteForm,
    ReceiverForm,
)
from handover.models import Handover
from handover.selectors import (
    can_manage_handover,
    customer_items,
    departing_rep_worklist,
    handover_customers,
    handover_missing_items,
    handover_preview,
    handovers_visible_to,
    open_handover_for,
    plan_customers,
    receiver_summary,
    receivers_for,
)

PLAN_PAGE_SIZE = 100


def _visible(request: HttpRequest, pk: int) -> Handover:
    return get_object_or_404(handovers_visible_to(user=request.user), pk=pk)


def _managed(request: HttpRequest, pk: int) -> Handover:
    """404 outside scope; 403 for who may see it but not run it (the departing rep)."""
    handover = _visible(request, pk)
    if not can_manage_handover(user=request.user, handover=handover):
        raise PermissionDenied(_("Only an admin or the rep's manager may see the plan."))
    return handover


def _list_context(request: HttpRequest, form: HandoverStartForm) -> dict:
    return {"handovers": handovers_visible_to(user=request.user), "form": form}


@login_required
def handover_list(request: HttpRequest) -> HttpResponse:
    if request.user.is_rep:
        mine = open_handover_for(user=request.user)
        if mine is None:
            raise PermissionDenied(_("Handovers are run by managers and admins."))
        return redirect("handover:notes", pk=mine.pk)
    form = HandoverStartForm(user=request.user)
    return render(request, "handover/list.html", _list_context(request, form))


@login_required
@require_POST
def handover_start(request: HttpRequest) -> HttpResponse:
    if request.user.is_rep:
        raise PermissionDenied(_("Handovers are run by managers and admins."))
    form = HandoverStartForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            handover = services.handover_start(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            count = handover.assignments.count()
            messages.success(
                request,
                # Translators: English keeps "customers have" for one too; give your
                # language's proper singular and plural.
                ngettext(
                    "Handover of %(rep)s started; %(count)s customers have a proposed receiver.",
                    "Handover of %(rep)s started; %(count)s customers have a proposed receiver.",
                    count,
                )
                % {"rep": handover.departing_rep, "count": count},
            )
            return redirect("handover:plan", pk=handover.pk)
    return render(request, "handover/list.html", _list_context(request, form), status=400)


def _plan_context(request: HttpRequest, handover: Handover) -> dict:
    receivers = list(
        receivers_for(departing_rep=handover.departing_rep, by=request.user).order_by("username")
    )
    filterset = PlanFilter(request.GET, queryset=plan_customers(handover=handover))
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(rows, PLAN_PAGE_SIZE).get_page(request.GET.get("page"))
    by_id = {r.pk: r for r in receivers}
    for row in page.object_list:
        row.receiver = by_id.get(row.receiver_id)
    return {
        "handover": handover,
        "filter": filterset,
        "page": page,
        "querystring": querystring(request),
        "receivers": receivers,
        "summary": receiver_summary(handover=handover),
        "missing": handover_missing_items(handover=handover, limit=10),
        "bulk_form": BulkAssignForm(
            receivers=receivers_for(departing_rep=handover.departing_rep, by=request.user)
        ),
        "is_open": handover.status in ("draft", "scheduled"),
        **_notice_context(request, handover),
    }


def _notice_context(request: HttpRequest, handover: Handover) -> dict:
    """The notice period panel: what the rep opened per day, and "lock now" for admins."""
    rep = handover.departing_rep
    is_open = handover.status in ("draft", "scheduled")
    return {
        "notice_days": access_daily_counts(user=request.user, rep=rep),
        "read_limit": settings.CRM_NOTICE_DAILY_READ_LIMIT,
        "can_lock": request.user.is_admin and is_open and rep.is_active,
    }


@login_required
def handover_plan(request: HttpRequest, pk: int) -> HttpResponse:
    handover = _managed(request, pk)
    context = _plan_context(request, handover)
    template = "handover/_plan_table.html" if request.htmx else "handover/plan.html"
    return render(request, template, context)


@login_required
@require_POST
def plan_assign(request: HttpRequest, pk: int, customer_id: int) -> HttpResponse:
    """One row's receiver (htmx): the row comes back with the new choice or its error."""
    handover = _managed(request, pk)
    receivers = receivers_for(departing_rep=handover.departing_rep, by=request.user)
    form = ReceiverForm(request.POST, receivers=receivers)
    error = ""
    if form.is_valid():
        try:
            services.handover_plan_update(
                handover=handover,
                assignments=[
                    {"customer": customer_id, "receiver": form.cleaned_data["receiver"].pk}
                ],
                by=request.user,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(e for errs in form.errors.values() for e in errs)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Receiver changed."))
        return redirect("handover:plan", pk=handover.pk)
    row = plan_customers(handover=handover).filter(pk=customer_id).first()
    if row is None:
        raise Http404(_("No such customer in this handover."))
    receivers = list(receivers.order_by("username"))
    row.receiver = next((r for r in receivers if r.pk == row.receiver_id), None)
    context = {
        "handover": handover,
        "c": row,
        "receivers": receivers,
        "row_error": error,
        "is_open": True,
    }
    return render(request, "handover/_plan_row.html", context, status=400 if error else 200)


@login_required
@require_POST
def plan_bulk_assign(request: HttpRequest, pk: int) -> HttpResponse:
    handover = _managed(request, pk)
    try:  # a closed plan page has no bulk form to show the error in: say it on top
        services.ensure_plan_open(handover=handover)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("handover:plan", pk=handover.pk)
    form = BulkAssignForm(
        request.POST,
        receivers=receivers_for(departing_rep=handover.departing_rep, by=request.user),
    )
    if form.is_valid():
        try:
            n = services.handover_bulk_assign(
                handover=handover, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                # Translators: English keeps "customers" for one too; give your language's
                # proper singular and plural.
                ngettext(
                    "%(count)s customers now go to %(receiver)s.",
                    "%(count)s customers now go to %(receiver)s.",
                    n,
                )
                % {"count": n, "receiver": form.cleaned_data["receiver"]},
            )
            return redirect("handover:plan", pk=handover.pk)
    context = _plan_context(request, handover)
    context["bulk_form"] = form
    return render(request, "handover/plan.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def plan_items(request: HttpRequest, pk: int, customer_id: int) -> HttpResponse:
    """A customer's open deals and tasks with per-item overrides (htmx detail row)."""
    handover = _managed(request, pk)
    customer = get_object_or_404(plan_customers(handover=handover), pk=customer_id)
    receivers = receivers_for(departing_rep=handover.departing_rep, by=request.user)
    items = customer_items(handover=handover, customer=customer)
    listed = {("deal", d.pk) for d in items["deals"]} | {("task", t.pk) for t in items["tasks"]}
    error = ""
    if request.method == "POST":
        form = ItemOverrideForm(request.POST, receivers=receivers)
        if not form.is_valid():
            error = " ".join(e for errs in form.errors.values() for e in errs)
        elif (form.cleaned_data["kind"], form.cleaned_data["object_id"]) not in listed:
            error = _("That is not an open deal or task of %(customer)s in this handover.") % {
                "customer": customer.name
            }
        else:
            receiver = form.cleaned_data["receiver"]
            try:
                services.handover_plan_update(
                    handover=handover,
                    overrides=[
                        {
                            "kind": form.cleaned_data["kind"],
                            "object_id": form.cleaned_data["object_id"],
                            "receiver": receiver.pk if receiver else None,
                        }
                    ],
                    by=request.user,
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                items = customer_items(handover=handover, customer=customer)  # the new override
        if not request.htmx:
            if error:
                messages.error(request, error)
            else:
                messages.success(request, _("Override saved."))
            return redirect("handover:plan", pk=handover.pk)
    context = {
        "handover": handover,
        "customer": customer,
        "receivers": list(receivers.order_by("username")),
        "items": items,
        "item_error": error,
        "is_open": handover.status in ("draft", "scheduled"),
    }
    return render(request, "handover/_items.html", context, status=400 if error else 200)


@login_required
def handover_preview_page(request: HttpRequest, pk: int) -> HttpResponse:
    handover = _managed(request, pk)
    preview = handover_preview(handover=handover, by=request.user)
    context = {
        "handover": handover,
        "preview": preview,
        "counts": preview.counts,
        "rows": preview.receiver_rows(),
        "missing": handover_missing_items(handover=handover, limit=10),
    }
    return render(request, "handover/preview.html", context)


def _notes_context(handover: Handover) -> dict:
    key_customers, deals = departing_rep_worklist(handover=handover)
    return {
        "handover": handover,
        "key_customers": key_customers,
        "deals": deals,
        "stage_choices": _stage_choices(),
        "is_open": handover.status in ("draft", "scheduled"),
    }


def _stage_choices() -> list[tuple[str, str]]:
    """The open stages a deal can be confirmed in, with their (translated) labels."""
    return [(stage, DealStage(stage).label) for stage in OPEN_STAGES]


def _note_page_handover(request: HttpRequest, pk: int) -> Handover:
    handover = _visible(request, pk)
    is_rep = request.user.pk == handover.departing_rep_id
    if not (is_rep or can_manage_handover(user=request.user, handover=handover)):
        raise PermissionDenied(_("Only the departing rep or their manager writes these notes."))
    return handover


@login_required
def my_handover(request: HttpRequest) -> HttpResponse:
    mine = open_handover_for(user=request.user)
    if mine is None:
        messages.info(request, _("You have no open handover."))
        return redirect("home")
    return redirect("handover:notes", pk=mine.pk)


@login_required
def handover_notes(request: HttpRequest, pk: int) -> HttpResponse:
    """Key customers with note forms and open deals to confirm; never the receivers."""
    handover = _note_page_handover(request, pk)
    return render(request, "handover/notes.html", _notes_context(handover))


@login_required
@require_POST
def note_save(request: HttpRequest, pk: int, customer_id: int) -> HttpResponse:
    handover = _note_page_handover(request, pk)
    # Only the handover's own customers: any other id is a 404, never a page naming it.
    customer = get_object_or_404(handover_customers(handover=handover), pk=customer_id)
    form = KnowledgeNoteForm(request.POST)
    note = None
    if form.is_valid():
        try:
            note = services.knowledge_note_save(
                handover=handover,
                customer=customer,
                text=form.cleaned_data["text"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    if not request.htmx:
        if note:
            messages.success(request, _("Note on %(customer)s saved.") % {"customer": customer})
        else:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("handover:notes", pk=handover.pk)
    customer.note = note
    context = {
        "handover": handover,
        "c": customer,
        "form": form,
        "saved": note is not None,
        "is_open": True,
    }
    return render(request, "handover/_note.html", context, status=200 if note else 400)


@login_required
@require_POST
def deal_confirm(request: HttpRequest, pk: int, deal_id: int) -> HttpResponse:
    """The departing rep confirms a deal's stage and next step (a normal deal update)."""
    handover = _note_page_handover(request, pk)
    deal = get_object_or_404(
        Deal.objects.select_related("customer", "stage"),
        pk=deal_id,
        owner_id=handover.departing_rep_id,
        stage_id__in=OPEN_STAGES,
    )
    form = DealConfirmForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            deal = crm_services.deal_update(
                deal=deal,
                by=request.user,
                stage=form.cleaned_data["stage"],
                next_step=form.cleaned_data["next_step"].strip(),
            )
            saved = True
        except ValidationError as exc:
            add_service_errors(form, exc)
    if not request.htmx:
        if saved:
            messages.success(request, _("“%(deal)s” confirmed.") % {"deal": deal.title})
        else:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("handover:notes", pk=handover.pk)
    deal = Deal.objects.select_related("customer", "stage").get(pk=deal.pk)
    deal.up_to_date = bool(deal.next_step) and deal.updated_at >= handover.created_at
    context = {
        "handover": handover,
        "d": deal,
        "form": form,
        "saved": saved,
        "is_open": True,
        "stage_choices": _stage_choices(),
    }
    return render(request, "handover/_deal_confirm.html", context, status=200 if saved else 400)


@login_required
def rep_profile(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's profile. Their handovers and exit reasons show to managers and admins."""
    person = get_object_or_404(users_visible_to(user=request.user), pk=pk)
    can_see = request.user.is_admin or request.user.is_manager
    handovers = (
        handovers_visible_to(user=request.user).filter(departing_rep=person) if can_see else []
    )
    context = {"person": person, "handovers": handovers, "can_see_handovers": can_see}
    return render(request, "handover/profile.html", context)


urlpatterns = [
    path("handovers/", handover_list, name="list"),
    path("handovers/start/", handover_start, name="start"),
    path("handovers/mine/", my_handover, name="mine"),
    path("handovers/<int:pk>/", handover_plan, name="plan"),
    path("handovers/<int:pk>/assign/<int:customer_id>/", plan_assign, name="assign"),
    path("handovers/<int:pk>/bulk-assign/", plan_bulk_assign, name="bulk-assign"),
    path("handovers/<int:pk>/customers/<int:customer_id>/items/", plan_items, name="items"),
    path("handovers/<int:pk>/preview/", handover_preview_page, name="preview"),
    path("handovers/<int:pk>/notes/", handover_notes, name="notes"),
    path("handovers/<int:pk>/notes/<int:customer_id>/", note_save, name="note-save"),
    path("handovers/<int:pk>/deals/<int:deal_id>/confirm/", deal_confirm, name="deal-confirm"),
    path("people/<int:pk>/", rep_profile, name="rep-profile"),
]
