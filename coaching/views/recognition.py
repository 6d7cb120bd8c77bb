"""The team leaderboard page (issue 13, recognition): ?period=week&week=… or
?period=month&month=…, ?team= for admins and managers of several teams; the manager's
settings form (hide from reps, points per activity kind) on the same page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from coaching import recognition
from coaching.models.recognition import POINT_KINDS

# The points field's label per activity kind (one whole label each).
POINTS_LABELS = {
    "call": _("Points per call"),
    "meeting": _("Points per meeting"),
    "visit": _("Points per visit"),
    "email": _("Points per email"),
    "referral": _("Points per referral"),
    "note": _("Points per note"),
}
# The activity kinds as the leaderboard's points line names them.
KIND_NAMES = {
    "call": pgettext_lazy("activity kind", "call"),
    "meeting": pgettext_lazy("activity kind", "meeting"),
    "visit": pgettext_lazy("activity kind", "visit"),
    "email": pgettext_lazy("activity kind", "email"),
    "referral": pgettext_lazy("activity kind", "referral"),
    "note": pgettext_lazy("activity kind", "note"),
}


class RecognitionSettingsForm(forms.Form):
    leaderboard_hidden = forms.BooleanField(required=False, label=_("Hide from the team's reps"))

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in POINT_KINDS:
            self.fields[f"points_{kind}"] = forms.IntegerField(
                min_value=0,
                max_value=recognition.MAX_POINTS,
                required=False,
                label=POINTS_LABELS.get(kind, kind),
                help_text=_("Empty: the default."),
            )
        if current is not None:
            self.initial["leaderboard_hidden"] = current.leaderboard_hidden
            for kind in POINT_KINDS:
                self.initial[f"points_{kind}"] = getattr(current, f"points_{kind}")


def _team(request: HttpRequest, raw):
    try:
        team = recognition.leaderboard_team(user=request.user, team_id=raw)
    except ValidationError:
        team = None
    if team is None:
        raise Http404(gettext("No such team."))
    return team


@login_required
def leaderboard(request: HttpRequest) -> HttpResponse:
    team = None
    if request.GET.get("team") or recognition.leaderboard_teams(user=request.user).exists():
        team = _team(request, request.GET.get("team"))
    context = {"team": team, "error": None, "board": None}
    if team is not None:
        try:
            period = recognition.leaderboard_period(
                team=team,
                period=request.GET.get("period"),
                week=request.GET.get("week"),
                month=request.GET.get("month"),
            )
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            period = recognition.leaderboard_period(team=team, period="week")
        board = recognition.leaderboard_for(user=request.user, team=team, period=period)
        can_manage = recognition.may_manage_recognition(user=request.user, team=team)
        context.update(
            board=board,
            point_names=[(KIND_NAMES.get(k, k), pts) for k, pts in board.points.items()],
            period=period,
            teams=recognition.leaderboard_teams(user=request.user),
            can_manage=can_manage,
            settings_form=RecognitionSettingsForm(
                current=recognition.recognition_settings(team=team)
            )
            if can_manage
            else None,
        )
    return render(request, "coaching/recognition/leaderboard.html", context)


@login_required
@require_POST
def leaderboard_settings(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team(request, str(team_id))
    form = RecognitionSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            gettext("Points are whole numbers from 0 to %(max)s.")
            % {"max": recognition.MAX_POINTS},
        )
        return redirect(f"{_url()}?team={team.pk}")
    data = form.cleaned_data
    try:
        recognition.recognition_settings_update(
            team=team,
            by=request.user,
            leaderboard_hidden=data["leaderboard_hidden"],
            points={kind: data[f"points_{kind}"] for kind in POINT_KINDS},
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, gettext("Leaderboard settings of %(team)s saved.") % {"team": team}
        )
    return redirect(f"{_url()}?team={team.pk}")


def _url() -> str:
    return reverse("coaching:leaderboard")


urlpatterns = [
    path("leaderboard/", leaderboard, name="leaderboard"),
    path("leaderboard/<int:team_id>/settings/", leaderboard_settings, name="leaderboard-settings"),
]
