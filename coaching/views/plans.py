"""Action plan pages (issue 13): the team's plans, starting a plan from an approved template
in two clicks (choose → confirm), a plan's page (steps as tasks, measures with live
figures, check-ins, the end, changes beyond the template), "My plan" for the rep, a rep's
past plans, the template catalogue and the approver's "Approvals" page.

Thin: coaching.plan_selectors scopes and computes, coaching.plan_services writes. An object
outside the viewer's scope is 404; a role that may not act is 403; a service's field errors
come back on the page (400) with nothing changed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import users_visible_to
from activities.selectors import current_week
from coaching import plan_selectors as sel
from coaching import plan_services as svc
from coaching.models.plans import (
    ChangeKind,
    Comparison,
    PlanKind,
    PlanMetric,
    PlanStatus,
    StepOwner,
)
from crm.ids import parse_id

# forms of the plan page that show their errors beside their fields (others: at the top)
INLINE_FORMS = ("check_in", "end", "change-add_step-")


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}


def _visible_plan(request: HttpRequest, plan_id: int):
    plan = sel.plans_visible_to(user=request.user).filter(pk=plan_id).first()
    if plan is None:
        raise Http404(_("No such plan."))
    return plan


def _scoped_rep(request: HttpRequest, rep_id: int):
    rep = sel.plannable_reps_for(user=request.user).filter(pk=rep_id).first()
    if rep is None:
        raise Http404(_("No such rep."))
    return rep


def _plan_context(request: HttpRequest, page: sel.PlanPage, **extra) -> dict:
    plan = page.plan
    manages = sel.may_manage_plan(user=request.user, plan=plan)
    endings = [(s.value, s.label) for s in (PlanStatus.NOT_MET, PlanStatus.CANCELLED)]
    if page.all_met:
        endings.insert(0, (PlanStatus.MET.value, PlanStatus.MET.label))
    form = extra.get("form", "")
    return {
        "errors_on_top": bool(extra.get("errors")) and form not in INLINE_FORMS,
        "page": page,
        "plan": plan,
        "manages": manages and plan.is_active,
        "endings": endings,
        "this_week": min(current_week(user=plan.rep), page.weeks[-1]),
        "owners": StepOwner.choices,
        "errors": {},
        "form": "",
        "posted": {},
        **extra,
    }


def _render_plan(request, page, *, template="coaching/plans/detail.html", status=200, **extra):
    return render(request, template, _plan_context(request, page, **extra), status=status)


def _plan_page_or_404(request: HttpRequest, plan_id: int) -> sel.PlanPage:
    page = sel.plan_page(user=request.user, plan_id=plan_id)
    if page is None:
        raise Http404(_("No such plan."))
    return page


# --- Lists ----------------------------------------------------------------------------------


@login_required
def plan_list_view(request: HttpRequest) -> HttpResponse:
    """Managers and admins: the plans of the reps they see, active first, and the reps
    they may start one for. A rep goes to "My plan"."""
    if request.user.is_rep:
        return redirect("coaching:my-plan")
    plans = list(sel.plans_for_list(user=request.user).order_by("status", "-started_on", "-id"))
    busy = {p.rep_id for p in plans if p.is_active}
    reps = [r for r in sel.plannable_reps_for(user=request.user) if r.pk not in busy]
    return render(
        request,
        "coaching/plans/list.html",
        {
            "active": [p for p in plans if p.is_active],
            "ended": [p for p in plans if not p.is_active][:50],
            "reps": reps,
        },
    )


@login_required
def my_plan_view(request: HttpRequest) -> HttpResponse:
    """The rep's current plan (steps, live measures, check-ins) and their past plans."""
    history = list(sel.plan_history(viewer=request.user, rep=request.user))
    active = next((p for p in history if p.is_active), None)
    past = [p for p in history if not p.is_active]
    if active is None:
        return render(request, "coaching/plans/mine_none.html", {"past": past})
    page = sel.plan_page(user=request.user, plan_id=active.pk)
    return _render_plan(request, page, template="coaching/plans/mine.html", past=past)


@login_required
def rep_history_view(request: HttpRequest, rep_id: int) -> HttpResponse:
    """A rep's plans, newest first (the rep their own; a manager their team's reps')."""
    # every rep the viewer sees, also one who has left (their history stays)
    rep = users_visible_to(user=request.user).filter(role="rep", pk=rep_id).first()
    if rep is None:
        raise Http404(_("No such rep."))
    plans = list(sel.plan_history(viewer=request.user, rep=rep))
    return render(request, "coaching/plans/history.html", {"rep": rep, "plans": plans})


# --- Starting a plan: choose a template, confirm ---------------------------------------------


@login_required
def plan_start_view(request: HttpRequest, rep_id: int) -> HttpResponse:
    """Click 1: choose one of the approved templates; click 2: confirm (POST) and the plan
    starts with its tasks, no further approval."""
    if not (request.user.is_manager or request.user.is_admin):
        raise PermissionDenied(_("Only managers and admins start action plans."))
    rep = _scoped_rep(request, rep_id)
    templates = sel.with_parts(sel.usable_templates())
    source = request.POST if request.method == "POST" else request.GET
    chosen = None
    if source.get("template"):
        template_id = parse_id(source["template"])
        chosen = templates.filter(pk=template_id).first() if template_id else None
        if chosen is None:
            raise Http404(_("No such approved template."))
    errors: dict = {}
    if request.method == "POST":
        if chosen is None:
            errors = {"template": [_("Choose a template.")]}
        else:
            try:
                plan = svc.plan_start(by=request.user, rep=rep, template=chosen)
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(
                    request,
                    _("Plan “%(plan)s” started for %(rep)s.") % {"plan": plan.name, "rep": rep},
                )
                return redirect("coaching:plan-detail", plan_id=plan.pk)
    active = sel.active_plan_of(rep=rep)
    return render(
        request,
        "coaching/plans/start.html",
        {
            "rep": rep,
            "templates": list(templates.order_by("kind", "name")),
            "chosen": chosen,
            "active": active,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# --- One plan ---------------------------------------------------------------------------------


@login_required
def plan_detail_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _render_plan(request, _plan_page_or_404(request, plan_id))


def _act(request, plan_id: int, *, form: str, action, success: str) -> HttpResponse:
    """Run one write on a plan from its page: 404 outside scope, 403 for who may not act,
    the page again with the field errors (400) when the service refuses."""
    plan = _visible_plan(request, plan_id)
    if not sel.may_manage_plan(user=request.user, plan=plan):
        raise PermissionDenied(_("Only the rep's manager or an admin changes this plan."))
    try:
        action(plan)
    except ValidationError as exc:
        page = _plan_page_or_404(request, plan_id)
        return _render_plan(
            request, page, status=400, errors=_errors(exc), form=form, posted=request.POST
        )
    messages.success(request, success)
    return redirect("coaching:plan-detail", plan_id=plan_id)


@login_required
@require_POST
def plan_check_in_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _act(
        request,
        plan_id,
        form="check_in",
        success=_("Check-in saved with this week's figures."),
        action=lambda plan: svc.check_in_write(
            by=request.user,
            plan=plan,
            week=request.POST.get("week", "").strip(),
            note=request.POST.get("note", ""),
        ),
    )


@login_required
@require_POST
def plan_end_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _act(
        request,
        plan_id,
        form="end",
        success=_("Plan ended."),
        action=lambda plan: svc.plan_end(
            by=request.user,
            plan=plan,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        ),
    )


@login_required
@require_POST
def plan_change_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Ask for a change beyond the template; it waits for the approver."""
    post = request.POST

    def ask(plan):
        kind = post.get("kind", "")
        step = measure = None
        if kind == ChangeKind.REMOVE_STEP:
            step = plan.steps.filter(pk=parse_id(post.get("step")) or 0).first()
        if kind == ChangeKind.CHANGE_MEASURE:
            measure = plan.measures.filter(pk=parse_id(post.get("measure")) or 0).first()
        fields = {
            name: post[name]
            for name in ("title", "owner", "due_in_days", "threshold", "weeks")
            if name in post
        }
        return svc.change_request_create(
            by=request.user,
            plan=plan,
            kind=kind,
            step=step,
            measure=measure,
            reason=post.get("reason", ""),
            **fields,
        )

    return _act(
        request,
        plan_id,
        form=f"change-{post.get('kind', '')}-{post.get('step') or post.get('measure') or ''}",
        success=_("Change requested: it applies once an approver approves it."),
        action=ask,
    )


# --- Templates and approvals ------------------------------------------------------------------


@login_required
def template_list_view(request: HttpRequest) -> HttpResponse:
    """The catalogue: admins see drafts too and create templates; managers the approved."""
    if request.user.is_rep:
        raise PermissionDenied(_("Plan templates are for managers and admins."))
    errors: dict = {}
    if request.method == "POST":
        try:
            template = svc.template_create(
                by=request.user,
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", ""),
                description=request.POST.get("description", ""),
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Template created: add its steps and measures."))
            return redirect("coaching:template-detail", template_id=template.pk)
    templates = sel.with_parts(sel.templates_visible_to(user=request.user))
    return render(
        request,
        "coaching/templates/list.html",
        {
            "templates": list(templates),
            "kinds": PlanKind.choices,
            "errors": errors,
            "posted": request.POST,
            "can_edit": sel.may_decide(user=request.user),
        },
        status=400 if errors else 200,
    )


def _visible_template(request, template_id: int):
    template = (
        sel.with_parts(sel.templates_visible_to(user=request.user)).filter(pk=template_id).first()
    )
    if template is None:
        raise Http404(_("No such template."))
    return template


@login_required
def template_detail_view(request: HttpRequest, template_id: int) -> HttpResponse:
    """A template's steps and measures; admins add parts to a draft and approve it."""
    template = _visible_template(request, template_id)
    errors: dict = {}
    form = ""
    if request.method == "POST":
        form = request.POST.get("part", "")
        try:
            if form == "step":
                step = {k: request.POST.get(k, "") for k in ("title", "owner", "due_in_days")}
                svc.template_add_parts(by=request.user, template=template, steps=[step])
            elif form == "measure":
                measure = {
                    k: request.POST.get(k, "")
                    for k in ("metric", "comparison", "threshold", "weeks")
                }
                svc.template_add_parts(by=request.user, template=template, measures=[measure])
            elif form == "approve":
                svc.template_approve(by=request.user, template=template)
            elif form == "retire":
                svc.template_retire(by=request.user, template=template)
            else:
                errors = {"__all__": [_("Nothing to do.")]}
        except ValidationError as exc:
            errors = _errors(exc)
        if not errors:
            messages.success(request, _("Template saved."))
            return redirect("coaching:template-detail", template_id=template.pk)
        template = _visible_template(request, template_id)
    return render(
        request,
        "coaching/templates/detail.html",
        {
            "template": template,
            "can_edit": sel.may_decide(user=request.user),
            "owners": StepOwner.choices,
            "metrics": PlanMetric.choices,
            "comparisons": Comparison.choices,
            "errors": errors,
            "form": form,
            "posted": request.POST,
        },
        status=400 if errors else 200,
    )


@login_required
def approvals_view(request: HttpRequest) -> HttpResponse:
    """The approver's queue: pending plan changes (decide each with a comment) and draft
    templates. A manager sees the state of the changes they asked for."""
    if request.user.is_rep:
        raise PermissionDenied(_("Approvals are for managers and admins."))
    decider = sel.may_decide(user=request.user)
    requests = sel.change_requests_visible_to(user=request.user)
    pending = list(requests.filter(status="pending").order_by("requested_at", "id"))
    decided = list(requests.exclude(status="pending").order_by("-decided_at", "-id")[:25])
    drafts = (
        list(sel.templates_visible_to(user=request.user).filter(approved_at__isnull=True))
        if decider
        else []
    )
    return render(
        request,
        "coaching/approvals.html",
        {"pending": pending, "decided": decided, "drafts": drafts, "decider": decider},
    )


@login_required
@require_POST
def change_decide_view(request: HttpRequest, change_id: int) -> HttpResponse:
    change = sel.change_requests_visible_to(user=request.user).filter(pk=change_id).first()
    if change is None:
        raise Http404(_("No such change request."))
    try:
        svc.change_request_decide(
            by=request.user,
            change=change,
            decision=request.POST.get("decision", ""),
            comment=request.POST.get("comment", ""),
        )
    except ValidationError as exc:
        for field_errors in _errors(exc).values():
            for text in field_errors:
                messages.error(request, text)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect(reverse("coaching:approvals"))


urlpatterns = [
    path("coaching/plans/", plan_list_view, name="plan-list"),
    path("coaching/plans/mine/", my_plan_view, name="my-plan"),
    path("coaching/plans/<int:plan_id>/", plan_detail_view, name="plan-detail"),
    path("coaching/plans/<int:plan_id>/check-in/", plan_check_in_view, name="plan-check-in"),
    path("coaching/plans/<int:plan_id>/end/", plan_end_view, name="plan-end"),
    path("coaching/plans/<int:plan_id>/changes/", plan_change_view, name="plan-change"),
    path("coaching/reps/<int:rep_id>/start-plan/", plan_start_view, name="plan-start"),
    path("coaching/reps/<int:rep_id>/plans/", rep_history_view, name="rep-plans"),
    path("coaching/templates/", template_list_view, name="template-list"),
    path("coaching/templates/<int:template_id>/", template_detail_view, name="template-detail"),
    path("coaching/approvals/", approvals_view, name="approvals"),
    path("coaching/approvals/<int:change_id>/decide/", change_decide_view, name="change-decide"),
]
