"""Onboarding ramp pages (issue 13): the manager's list of ramping reps with their team's
schedule and checklist template, one rep's ramp (checklist, buddy) and the rep's own "My ramp".
Thin: coaching.ramp scopes, decides and writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from activities.selectors import current_week
from activities.weeks import requested_week
from coaching import ramp as ramps
from crm.ids import parse_id


def _week(request: HttpRequest) -> str:
    week, problem = requested_week(request.GET.get("week"), default=current_week(user=request.user))
    if problem:
        messages.error(request, _("%(problem)s Showing this week instead.") % {"problem": problem})
    return week


def _scoped_rep(request: HttpRequest, rep_id) -> User:
    rep = (
        ramps.ramp_reps_visible_to(user=request.user).filter(pk=rep_id).select_related("team")
    ).first()
    if rep is None:
        raise Http404(_("No such rep."))
    return rep


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def ramp_page(request: HttpRequest) -> HttpResponse:
    """Managers and admins: the reps ramping this week (or ?week=), and each team's ramp."""
    if request.user.is_rep:
        return redirect("coaching:my-ramp")
    week = _week(request)
    team_ramps = ramps.team_ramps_for(user=request.user)
    context = {
        "week": week,
        "rows": ramps.ramping_reps(user=request.user, week=week),
        "team_ramps": [
            {
                "ramp": r,
                "can_edit": ramps.can_manage_ramp_of(user=request.user, team=r.team),
                "checklist_text": "\n".join(r.checklist),
            }
            for r in team_ramps
        ],
    }
    return render(request, "coaching/ramp/page.html", context)


def _rep_page(request: HttpRequest, rep: User) -> HttpResponse:
    week = _week(request)
    can_manage = ramps.can_manage_ramp_of(user=request.user, team=rep.team)
    context = {
        "rep": rep,
        "week": week,
        "row": ramps.ramp_row_for(rep=rep, week=week),
        "team_ramp": ramps.team_ramp_for(team=rep.team) if rep.team_id else None,
        "items": ramps.checklist_of(rep=rep),
        "can_manage": can_manage,
        "can_check": can_manage or request.user.pk == rep.pk,
        "buddy_choices": list(ramps.buddy_choices(rep=rep)) if can_manage else [],
        "is_own": request.user.pk == rep.pk,
    }
    return render(request, "coaching/ramp/rep.html", context)


@login_required
def my_ramp_page(request: HttpRequest) -> HttpResponse:
    return _rep_page(request, request.user)


@login_required
def rep_ramp_page(request: HttpRequest, rep_id: int) -> HttpResponse:
    return _rep_page(request, _scoped_rep(request, rep_id))


def _back(rep: User) -> HttpResponse:
    return redirect(reverse("coaching:rep-ramp", args=[rep.pk]))


@login_required
@require_POST
def team_ramp_save(request: HttpRequest, team_id: int) -> HttpResponse:
    team = ramps.ramp_teams_visible_to(user=request.user).filter(pk=team_id).first()
    if team is None:
        raise Http404(_("No such team."))
    lines = request.POST.get("checklist", "").splitlines()
    try:
        steps = ramps.parse_schedule(request.POST.get("schedule", ""))
        ramps.set_team_ramp(by=request.user, team=team, steps=steps, checklist=lines)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Ramp of %(team)s saved.") % {"team": team})
    return redirect("coaching:ramp")


@login_required
@require_POST
def buddy_save(request: HttpRequest, rep_id: int) -> HttpResponse:
    rep = _scoped_rep(request, rep_id)
    if not ramps.can_manage_ramp_of(user=request.user, team=rep.team):
        raise PermissionDenied(_("Only the team's manager or an admin chooses a buddy."))
    raw = request.POST.get("buddy", "").strip()
    buddy = None
    if raw:
        buddy_id = parse_id(raw)
        buddy = ramps.ramp_reps_visible_to(user=request.user).filter(pk=buddy_id).first()
        if buddy_id is None or buddy is None:
            messages.error(request, ramps.choose_buddy_message(rep))
            return _back(rep)
    try:
        ramps.set_buddy(by=request.user, rep=rep, buddy=buddy)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _("%(buddy)s is %(rep)s's buddy.") % {"buddy": buddy, "rep": rep}
            if buddy
            else _("Buddy removed."),
        )
    return _back(rep)


@login_required
@require_POST
def checklist_start(request: HttpRequest, rep_id: int) -> HttpResponse:
    rep = _scoped_rep(request, rep_id)
    ramps.start_checklist(by=request.user, rep=rep)
    return _back(rep)


@login_required
@require_POST
def checklist_add(request: HttpRequest, rep_id: int) -> HttpResponse:
    rep = _scoped_rep(request, rep_id)
    try:
        ramps.add_checklist_item(by=request.user, rep=rep, title=request.POST.get("title", ""))
    except ValidationError as exc:
        _errors(request, exc)
    return _back(rep)


@login_required
@require_POST
def checklist_toggle(request: HttpRequest, item_id: int) -> HttpResponse:
    item = (
        ramps.checklist_visible_to(user=request.user)
        .select_related("rep__team")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404(_("No such checklist item."))
    done = request.POST.get("done") == "true"
    ramps.check_item(by=request.user, item=item, done=done)  # PermissionDenied: 403
    if request.user.pk == item.rep_id:
        return redirect("coaching:my-ramp")
    return _back(item.rep)


urlpatterns = [
    path("ramp/", ramp_page, name="ramp"),
    path("ramp/me/", my_ramp_page, name="my-ramp"),
    path("ramp/reps/<int:rep_id>/", rep_ramp_page, name="rep-ramp"),
    path("ramp/teams/<int:team_id>/", team_ramp_save, name="team-ramp-save"),
    path("ramp/reps/<int:rep_id>/buddy/", buddy_save, name="ramp-buddy"),
    path("ramp/reps/<int:rep_id>/checklist/start/", checklist_start, name="ramp-checklist-start"),
    path("ramp/reps/<int:rep_id>/checklist/add/", checklist_add, name="ramp-checklist-add"),
    path("ramp/checklist/<int:item_id>/", checklist_toggle, name="ramp-checklist-toggle"),
]
