"""Targets a manager sets: the targets overview, a rep's quota grid for a year, activity goals
(team defaults and rep overrides), a rep's expectation profile against what happened, the
commission plan, and commission per won deal with incentives earned.

Thin: reports.selectors decide whom the user sees (404 outside it) and compute the figures,
reports.services decide who may write (403 for a rep or another team's manager) and validate."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.selectors import teams_visible_to
from crm.currency import company_currency
from crm.ids import parse_id
from crm.web import add_service_errors
from reports import services
from reports.forms import (
    ActivityGoalForm,
    CommissionPlanForm,
    ExpectationProfileForm,
    IncentiveForm,
    QuotaGridForm,
)
from reports.models import CommissionPlan, ExpectationProfile
from reports.selectors import (
    activity_goals_visible_to,
    can_set_targets_for,
    commissions_for_reps,
    expectation_progress,
    incentives_for,
    incentives_visible_to,
    quota_grid,
    reps_with_targets,
    target_reps_for,
)

TARGET_YEARS = range(2000, 2101)  # the years the targets pages offer


def _asked_year(source) -> int | None:
    """The year in `source` (query or form), or None when missing or nonsense."""
    year = parse_id(source.get("year"))
    return year if year in TARGET_YEARS else None


def _year(request: HttpRequest) -> int:
    """The ?year= asked for; this year when missing or nonsense (pages only: a form posted
    for a bad year is refused, see quota_grid_page)."""
    return _asked_year(request.GET) or timezone.localdate().year


def _rep(request: HttpRequest, rep_id: int) -> User:
    """A rep in the user's scope, else 404 (never reveal that they exist)."""
    return get_object_or_404(target_reps_for(user=request.user).select_related("team"), pk=rep_id)


def _check_may_set(request: HttpRequest, rep: User) -> None:
    if not can_set_targets_for(user=request.user, rep=rep):
        raise PermissionDenied(_("Only the rep's manager or an admin sets their targets."))


@login_required
def targets_overview(request: HttpRequest) -> HttpResponse:
    """Every rep in scope with this year's quota and whether a profile and plan exist: one
    query whatever the team size."""
    year = _year(request)
    reps = reps_with_targets(user=request.user, year=year)
    return render(
        request,
        "reports/targets/overview.html",
        {"reps": reps, "year": year, "can_edit": not request.user.is_rep},
    )


@login_required
@require_http_methods(["GET", "POST"])
def quota_grid_page(request: HttpRequest, rep_id: int) -> HttpResponse:
    rep = _rep(request, rep_id)
    year = _year(request)
    posted_year = None
    if request.method == "POST":
        _check_may_set(request, rep)
        posted_year = _asked_year(request.POST)
        year = posted_year or year
    cells = quota_grid(rep=rep, year=year)
    form = QuotaGridForm(request.POST or None, cells=cells)
    valid = request.method == "POST" and form.is_valid()
    if request.method == "POST" and posted_year is None:
        # Never save a grid under a year it was not posted for: its cells would be blanks.
        form.add_error(
            None,
            _("Choose a year from %(first)s to %(last)s; nothing was saved.")
            % {"first": TARGET_YEARS[0], "last": TARGET_YEARS[-1]},
        )
        valid = False
    if valid:
        try:
            services.quota_grid_save(
                rep=rep,
                year=year,
                by=request.user,
                cells=form.service_cells(),
                roll_up=form.roll_up(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Quotas for %(rep)s in %(year)s saved.") % {"rep": rep, "year": year}
            )
            url = reverse("reports:quota-grid", args=[rep.pk])
            return redirect(f"{url}?year={year}")
    context = {
        "rep": rep,
        "year": year,
        "form": form,
        "can_edit": can_set_targets_for(user=request.user, rep=rep),
        "prev_year": year - 1,
        "next_year": year + 1,
    }
    return render(request, "reports/targets/quota_grid.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def activity_goals_page(request: HttpRequest) -> HttpResponse:
    """Team defaults and rep overrides in scope; managers and admins add or replace one."""
    user = request.user
    can_edit = not user.is_rep
    form = None
    if can_edit:
        form = ActivityGoalForm(
            request.POST or None,
            teams=teams_visible_to(user=user),
            reps=target_reps_for(user=user),
        )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Only a manager or an admin sets activity goals."))
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                goal = services.activity_goal_set(
                    by=user,
                    team=data.pop("team"),
                    rep=data.pop("rep"),
                    week=data.pop("week"),
                    **data,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Goal saved: %(goal)s.") % {"goal": goal})
                return redirect("reports:activity-goals")
    goals = (
        activity_goals_visible_to(user=user)
        .select_related("team", "rep")
        .order_by("rep_id", "team__name", "-week")
    )
    return render(
        request,
        "reports/targets/goals.html",
        {"goals": goals, "form": form, "can_edit": can_edit},
    )


@login_required
@require_POST
def activity_goal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(activity_goals_visible_to(user=request.user), pk=pk)
    services.activity_goal_delete(goal=goal, by=request.user)
    messages.success(request, _("Goal removed."))
    return redirect("reports:activity-goals")


@login_required
def expectations_page(request: HttpRequest, rep_id: int) -> HttpResponse:
    """Each written expectation against what actually happened since it started."""
    rep = _rep(request, rep_id)
    profile = ExpectationProfile.objects.filter(rep=rep).prefetch_related("items").first()
    rows = expectation_progress(profile=profile) if profile else []
    return render(
        request,
        "reports/targets/expectations.html",
        {
            "rep": rep,
            "profile": profile,
            "rows": rows,
            "can_edit": can_set_targets_for(user=request.user, rep=rep),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def expectations_edit(request: HttpRequest, rep_id: int) -> HttpResponse:
    rep = _rep(request, rep_id)
    _check_may_set(request, rep)
    profile = ExpectationProfile.objects.filter(rep=rep).first()
    form = ExpectationProfileForm(request.POST or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        items = form.items()
        try:
            services.expectation_profile_save(
                rep=rep,
                by=request.user,
                starts_on=form.cleaned_data["starts_on"],
                summary=form.cleaned_data["summary"],
                items=items,
            )
        except ValidationError as exc:
            errors = exc.message_dict
            for key, messages_ in errors.items():
                parts = key.split("-")
                if parts[0] == "items" and len(parts) == 3:
                    key = f"{items[int(parts[1])]['metric']}-{parts[2]}"
                form.add_error(key if key in form.fields else None, messages_)
        else:
            messages.success(request, _("Expectations for %(rep)s saved.") % {"rep": rep})
            return redirect("reports:expectations", rep.pk)
    return render(
        request,
        "reports/targets/expectations_form.html",
        {"rep": rep, "form": form, "profile": profile},
    )


@login_required
@require_http_methods(["GET", "POST"])
def commission_plan_edit(request: HttpRequest, rep_id: int) -> HttpResponse:
    rep = _rep(request, rep_id)
    _check_may_set(request, rep)
    plan = CommissionPlan.objects.filter(rep=rep).prefetch_related("tiers").first()
    form = CommissionPlanForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.commission_plan_save(
                rep=rep,
                by=request.user,
                base_rate=form.cleaned_data["base_rate"],
                tier_period=form.cleaned_data["tier_period"],
                tiers=form.tiers(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Commission plan for %(rep)s saved.") % {"rep": rep})
            return redirect(f"{reverse('reports:commissions')}?rep={rep.pk}")
    return render(
        request, "reports/targets/commission_plan.html", {"rep": rep, "form": form, "plan": plan}
    )


@login_required
def commissions_page(request: HttpRequest) -> HttpResponse:
    """Commission per won deal: a rep's own, a manager's team, an admin's everyone; narrowed
    to one rep with ?rep=, whose incentives are then listed too. A fixed number of queries."""
    year = _year(request)
    reps = target_reps_for(user=request.user).select_related("team")
    rep = None
    if request.user.is_rep:
        rep = request.user
    elif request.GET.get("rep"):
        try:
            rep = _rep(request, int(request.GET["rep"]))
        except ValueError:
            rep = None
    rep_ids = [rep.pk] if rep else list(reps.values_list("pk", flat=True))
    deals = commissions_for_reps(rep_ids=rep_ids, start=date(year, 1, 1), end=date(year, 12, 31))
    # Per rep in the currency their plan pays in, the grand total in the company currency
    # (crm.currency: deals in another currency are converted; without a rate, left out and
    # counted in `unconverted`).
    totals: dict[int, dict] = {}
    grand_total, unconverted = 0, 0
    for deal in deals:
        row = totals.setdefault(
            deal.credited_to_id,
            {"rep": deal.credited_to, "won": 0, "commission": 0, "deals": 0, "currency": None},
        )
        row["deals"] += 1
        if deal.c_commission_paid is None:
            unconverted += 1
            continue
        row["currency"] = deal.c_currency
        row["won"] += deal.c_amount_paid
        row["commission"] += deal.c_commission_paid
        grand_total += deal.c_commission_company
    incentives = list(incentives_for(rep=rep, year=year)) if rep else []
    plan = CommissionPlan.objects.filter(rep=rep).prefetch_related("tiers").first() if rep else None
    return render(
        request,
        "reports/targets/commissions.html",
        {
            "year": year,
            "rep": rep,
            "reps": reps if not request.user.is_rep else [],
            "deals": deals,
            "totals": sorted(totals.values(), key=lambda r: -r["commission"]),
            "grand_total": grand_total,
            "grand_total_currency": company_currency(),
            "unconverted": unconverted,
            "incentives": incentives,
            "plan": plan,
            "can_edit": bool(rep) and can_set_targets_for(user=request.user, rep=rep),
            "prev_year": year - 1,
            "next_year": year + 1,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def incentive_create(request: HttpRequest) -> HttpResponse:
    if request.user.is_rep:
        raise PermissionDenied(_("Only a manager or an admin offers incentives."))
    form = IncentiveForm(
        request.POST or None,
        teams=teams_visible_to(user=request.user),
        reps=target_reps_for(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            incentive = services.incentive_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Incentive “%(name)s” offered.") % {"name": incentive.name})
            return redirect("reports:incentives")
    incentives = incentives_visible_to(user=request.user).select_related("team", "rep")
    return render(
        request, "reports/targets/incentives.html", {"form": form, "incentives": incentives}
    )


urlpatterns = [
    path("targets/", targets_overview, name="targets"),
    path("targets/quotas/<int:rep_id>/", quota_grid_page, name="quota-grid"),
    path("targets/goals/", activity_goals_page, name="activity-goals"),
    path("targets/goals/<int:pk>/delete/", activity_goal_delete, name="activity-goal-delete"),
    path("targets/expectations/<int:rep_id>/", expectations_page, name="expectations"),
    path("targets/expectations/<int:rep_id>/edit/", expectations_edit, name="expectations-edit"),
    path("targets/commission/<int:rep_id>/", commission_plan_edit, name="commission-plan"),
    path("targets/incentives/", incentive_create, name="incentives"),
    path("commissions/", commissions_page, name="commissions"),
]
