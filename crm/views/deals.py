"""Pages for deals and the pipeline board. Thin: deals_visible_to decides what a user sees,
DealFilter narrows it (board, list, export alike), the services write and keep history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from crm import services
from crm.access_log import access_record, access_record_query
from crm.choices import CLOSED_STAGES, AccessAction, AccessChannel, OwnedObject
from crm.filters import DealFilter
from crm.forms import DealForm, DealMoveForm
from crm.ids import parse_id
from crm.models import Deal, Stage
from crm.selectors import (
    customers_visible_to,
    deal_board,
    deal_stage_history,
    deals_visible_to,
    ownership_changes_visible_to,
    pipeline_deals_for,
)
from crm.web import (
    add_service_errors,
    csv_download,
    int_param,
    querystring,
    render_page,
    sort_columns,
)
from handover.notice import customer_read, in_notice_period, notice_guard_list
from handover.selectors import rep_has_open_handover

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200

# (label, ordering key or None, css class)
LIST_COLUMNS = [
    (gettext_lazy("Title"), "title", ""),
    (gettext_lazy("Customer"), None, ""),
    (gettext_lazy("Owner"), None, ""),
    (gettext_lazy("Stage"), None, ""),
    (gettext_lazy("Amount"), "amount", "num"),
    # Translators: short for "Probability", a table header.
    (gettext_lazy("Prob."), None, "num"),
    (gettext_lazy("Expected close"), "expected_close", ""),
    (gettext_lazy("Updated"), "updated_at", ""),
]
EXPORT_HEADER = [
    "id",
    "title",
    "customer_id",
    "customer",
    "owner",
    "stage",
    "amount",
    "probability",
    "expected_close",
    "closed_at",
    "lost_reason",
    "next_step",
    "updated_at",
]


def _deal_filter(request: HttpRequest) -> DealFilter:
    return DealFilter(request.GET, queryset=deals_visible_to(user=request.user), request=request)


def _filtered(filterset: DealFilter):
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


def _board_context(request: HttpRequest) -> dict:
    notice_guard_list(user=request.user, what=_("Pipeline"))
    filterset = DealFilter(
        request.GET, queryset=pipeline_deals_for(user=request.user), request=request
    )
    columns = deal_board(deals=_filtered(filterset), narrowed=filterset.is_searching)
    access_record(
        user=request.user,
        customer_ids=[card.customer_id for column in columns for card in column.cards],
        channel=AccessChannel.PAGE,
        action=AccessAction.LIST,
    )
    return {
        "filter": filterset,
        "columns": columns,
        "stages": [column.stage for column in columns],
        "querystring": querystring(request),
        "can_filter_owner": not request.user.is_rep,
    }


def _visible_deal(request: HttpRequest, pk: int) -> Deal:
    """One deal in scope, counted as opened (access log; the notice period's limit)."""
    deal = get_object_or_404(
        deals_visible_to(user=request.user).select_related("customer", "owner", "stage"), pk=pk
    )
    customer_read(user=request.user, customer_id=deal.customer_id, channel=AccessChannel.PAGE)
    return deal


@login_required
def pipeline(request: HttpRequest) -> HttpResponse:
    """The board: a column per stage with count, total and the largest deals as cards."""
    context = _board_context(request)
    return render_page(request, "crm/deals/pipeline.html", "crm/deals/_board.html", context)


@login_required
def deal_list(request: HttpRequest) -> HttpResponse:
    notice_guard_list(user=request.user, what=_("Deals"))
    filterset = _deal_filter(request)
    rows = _filtered(filterset).select_related("customer", "owner", "stage")
    page_size = int_param(request, "page_size", default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    page = Paginator(rows, page_size).get_page(request.GET.get("page"))
    access_record(
        user=request.user,
        customer_ids=[deal.customer_id for deal in page],
        channel=AccessChannel.PAGE,
        action=AccessAction.LIST,
    )
    query = querystring(request)
    context = {
        "filter": filterset,
        "page": page,
        "columns": sort_columns(request, LIST_COLUMNS),
        "querystring": query,
        "export_url": f"{reverse('crm:deal-export')}?{query}",
        "can_filter_owner": not request.user.is_rep,
    }
    return render_page(request, "crm/deals/list.html", "crm/deals/_table.html", context)


@login_required
def deal_export(request: HttpRequest) -> HttpResponse:
    """The current filtered list as CSV, streamed in chunks: never the whole table in memory."""
    if rep_has_open_handover(user=request.user):  # issue 6: no export in the notice period
        raise PermissionDenied(_("You cannot export your portfolio during a handover."))
    filterset = _deal_filter(request)
    if not filterset.is_valid():
        return HttpResponse(
            _("Invalid filter: %(errors)s")
            % {"errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items())},
            status=400,
            content_type="text/plain",
        )
    access_record_query(
        user=request.user,
        customer_ids=filterset.qs.values("customer_id"),
        channel=AccessChannel.EXPORT,
    )
    rows = filterset.qs.values_list(
        "id",
        "title",
        "customer_id",
        "customer__name",
        "owner__username",
        "stage_id",
        "amount",
        "probability",
        "expected_close",
        "closed_at",
        "lost_reason",
        "next_step",
        "updated_at",
    )
    return csv_download(
        filename="deals.csv",
        header=EXPORT_HEADER,
        rows=(
            [value.isoformat() if hasattr(value, "isoformat") else value for value in row]
            for row in rows.iterator(chunk_size=2000)
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def deal_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    customer_id = parse_id(request.GET.get("customer"))
    if customer_id is not None:
        customer = customers_visible_to(user=request.user).filter(pk=customer_id).first()
        if customer is not None:
            initial["customer"] = customer.pk
    form = DealForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            deal = services.deal_create(by=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Deal “%(title)s” created.") % {"title": deal.title})
            return redirect("crm:deal-detail", pk=deal.pk)
    return render(request, "crm/deals/form.html", {"form": form, "deal": None})


@login_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _visible_deal(request, pk)
    owners = (
        ownership_changes_visible_to(user=request.user)
        .filter(object_type=OwnedObject.DEAL, object_id=deal.pk)
        .select_related("from_user", "to_user", "changed_by")
    )
    context = {
        "deal": deal,
        "history": deal_stage_history(deal=deal),
        "owner_changes": owners,
    }
    return render(request, "crm/deals/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _visible_deal(request, pk)
    form = DealForm(request.POST or None, instance=deal, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if "stage" in fields:
            # The close fields belong to the stage move: send them along with it.
            fields.setdefault("closed_at", form.cleaned_data["closed_at"])
            fields.setdefault("lost_reason", form.cleaned_data["lost_reason"])
        try:
            deal = services.deal_update(deal=deal, by=request.user, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Deal “%(title)s” saved.") % {"title": deal.title})
            return redirect("crm:deal-detail", pk=deal.pk)
    return render(request, "crm/deals/form.html", {"form": form, "deal": deal})


def _card(request: HttpRequest, deal: Deal, form: DealMoveForm, pending: str = "") -> HttpResponse:
    """One board card: normal, asking for the close date / reason, or showing errors."""
    context = {
        "deal": deal,
        "move_form": form,
        "pending": pending,
        "stages": Stage.objects.order_by("position"),
        "querystring": request.GET.urlencode(),
        "today": timezone.localdate().isoformat(),
    }
    return render(request, "crm/deals/_card.html", context)


@login_required
@require_POST
def deal_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a deal from its board card. Open stages move at once; won and lost first ask
    (in the card) for the close date or the reason, then confirm. Errors re-render the card
    and change nothing; success re-renders the board with the same filters."""
    deal = _visible_deal(request, pk)
    form = DealMoveForm(request.POST)
    if not form.is_valid():
        return _card(request, deal, form, pending=request.POST.get("stage", ""))
    stage = form.cleaned_data["stage"]
    if stage in CLOSED_STAGES and stage != deal.stage_id and not form.cleaned_data["confirm"]:
        ask = DealMoveForm(
            initial={"stage": stage, "closed_at": timezone.localdate(), "confirm": True}
        )
        return _card(request, deal, ask, pending=stage)
    try:
        services.deal_move_stage(
            deal=deal,
            stage=stage,
            by=request.user,
            closed_at=form.cleaned_data["closed_at"],
            lost_reason=form.cleaned_data["lost_reason"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        deal = _visible_deal(request, pk)
        return _card(request, deal, form, pending=stage)
    messages.success(
        request,
        _("“%(title)s” moved to %(stage)s.") % {"title": deal.title, "stage": deal.stage.label},
    )
    if in_notice_period(user=request.user):  # no board in the notice period: the deal's page
        return redirect("crm:deal-detail", pk=deal.pk)
    if not request.htmx:
        return redirect(f"{reverse('crm:pipeline')}?{request.GET.urlencode()}")
    response = render(request, "crm/deals/_board.html", _board_context(request))
    return reswap(retarget(response, "#board"), "outerHTML")


urlpatterns = [
    path("pipeline/", pipeline, name="pipeline"),
    path("deals/", deal_list, name="deal-list"),
    path("deals/new/", deal_create, name="deal-create"),
    path("deals/export.csv", deal_export, name="deal-export"),
    path("deals/<int:pk>/", deal_detail, name="deal-detail"),
    path("deals/<int:pk>/edit/", deal_edit, name="deal-edit"),
    path("deals/<int:pk>/move/", deal_move, name="deal-move"),
]
