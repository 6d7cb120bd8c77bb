""" "My week": the rep's home page. This ISO week (team time zone): goals against what was
logged, the weekly plan against what happened, tasks due and overdue, deals gone quiet, and
the quick-log form. Managers and admins open a rep's week with ?rep=<id> (404 outside scope).
Thin: activities.selectors.my_week gathers it all in a fixed number of queries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from activities import services
from activities.forms import WeeklyPlanForm
from activities.selectors import current_week, my_week, week_reps_for
from activities.views.logging import quick_log_context
from activities.weeks import parse_week, requested_week, shift_week
from crm.ids import parse_id


def _week_rep(request: HttpRequest) -> User:
    """The rep whose week is shown: the caller, or ?rep=<id> among the people in scope."""
    raw = request.GET.get("rep", "")
    if not raw or raw == str(request.user.pk):
        return request.user
    if parse_id(raw) is None:
        raise Http404(_("No such rep."))
    rep = week_reps_for(user=request.user).filter(pk=parse_id(raw)).first()
    if rep is None:
        raise Http404(_("No such rep."))
    return rep


def _plan_initial(data, week: str) -> dict:
    plan = data.plan
    if plan is None:
        return {
            "week": week,
            "planned_calls": 0,
            "planned_meetings": 0,
            "planned_visits": 0,
            "planned_prospects": 0,
        }
    return {
        "week": week,
        "planned_calls": plan.planned_calls,
        "planned_meetings": plan.planned_meetings,
        "planned_visits": plan.planned_visits,
        "planned_prospects": plan.planned_prospects,
        "customers": [c.pk for c in data.planned_customers],
        "notes": plan.notes,
    }


def _page(
    request: HttpRequest,
    *,
    rep: User,
    week: str,
    week_error: str = "",
    plan_form=None,
    as_home: bool = False,
) -> HttpResponse:
    data = my_week(rep=rep, week=week)
    own = rep.pk == request.user.pk
    can_plan = own and week >= current_week(user=rep)
    if can_plan and plan_form is None:
        plan_form = WeeklyPlanForm(rep=rep, initial=_plan_initial(data, week))
    rep_param = "" if own else f"&rep={rep.pk}"
    context = {
        "data": data,
        "rep": rep,
        "own": own,
        "week": week,
        "week_error": week_error,
        "plan_form": plan_form if can_plan else None,
        "prev_url": f"?week={shift_week(week, -1)}{rep_param}",
        "next_url": f"?week={shift_week(week, 1)}{rep_param}",
        "this_week_url": reverse("activities:my-week") + ("" if own else f"?rep={rep.pk}"),
        "reps": None if request.user.is_rep else week_reps_for(user=request.user),
        "quick_log": None,
        "as_home": as_home,
    }
    if own:
        context.update(quick_log_context(request))
        context["quick_log"] = True
    return render(request, "activities/week/my_week.html", context)


@login_required
def my_week_view(request: HttpRequest, as_home: bool = False) -> HttpResponse:
    rep = _week_rep(request)
    week, week_error = requested_week(request.GET.get("week"), default=current_week(user=rep))
    return _page(request, rep=rep, week=week, week_error=week_error, as_home=as_home)


@login_required
@require_POST
def week_plan_save(request: HttpRequest) -> HttpResponse:
    """Save the caller's own plan for a week; errors re-render My week with the form."""
    rep = request.user
    form = WeeklyPlanForm(request.POST, rep=rep)
    week = request.POST.get("week", "")
    try:
        parse_week(week)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("activities:my-week")
    if form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("week")
        try:
            services.weekly_plan_save(rep=rep, week=week, by=request.user, **data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Plan for %(week)s saved.") % {"week": week})
            return redirect(f"{reverse('activities:my-week')}?week={week}")
    if week < current_week(user=rep):
        messages.error(request, _("This week is over; plan this week or a later one."))
        return redirect(f"{reverse('activities:my-week')}?week={week}")
    return _page(request, rep=rep, week=week, plan_form=form)


urlpatterns = [
    path("week/", my_week_view, name="my-week"),
    path("week/plan/", week_plan_save, name="week-plan"),
]
