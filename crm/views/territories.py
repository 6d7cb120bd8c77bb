"""Territory pages (issue 13): the list with each territory's rules and customer count,
create / edit / delete for the team's manager or an admin, "re-assign by rules" per team,
and a customer's territory pinned or given back to the rules from the customer page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from crm import territories as svc
from crm.choices import Segment
from crm.models import Territory, TerritoryRule
from crm.selectors import customers_visible_to
from crm.web import add_service_errors

Kind = TerritoryRule.Kind


def _lines(text: str) -> list[str]:
    """One value a line (or comma-separated); blank entries are dropped."""
    parts = [p.strip() for line in (text or "").splitlines() for p in line.split(",")]
    return [p for p in parts if p]


class TerritoryForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Name"))
    team = forms.ModelChoiceField(queryset=None, empty_label=None, label=_("Team"))
    priority = forms.IntegerField(
        label=_("Priority"),
        min_value=0,
        max_value=32767,
        initial=100,
        help_text=_("Lower first: a customer goes to the first territory it matches."),
    )
    regions = forms.CharField(
        label=_("Regions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One region a line (any of them matches; case does not matter)."),
    )
    postal_prefixes = forms.CharField(
        label=_("Postal prefixes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Postal-code prefixes, one a line or comma-separated."),
    )
    segments = forms.MultipleChoiceField(
        required=False,
        choices=Segment.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Segments"),
    )

    def __init__(self, *args, user, territory: Territory | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = svc.manageable_teams(user=user).order_by("name")
        if territory is not None:
            self.fields["team"].disabled = True
            rules = list(territory.rules.all())
            self.initial.update(
                name=territory.name,
                team=territory.team_id,
                priority=territory.priority,
                regions="\n".join(r.value for r in rules if r.kind == Kind.REGION),
                postal_prefixes="\n".join(r.value for r in rules if r.kind == Kind.POSTAL_PREFIX),
                segments=[r.value for r in rules if r.kind == Kind.SEGMENT],
            )

    def rules(self) -> list[dict]:
        data = self.cleaned_data
        return (
            [{"kind": Kind.REGION, "value": v} for v in _lines(data.get("regions"))]
            + [
                {"kind": Kind.POSTAL_PREFIX, "value": v}
                for v in _lines(data.get("postal_prefixes"))
            ]
            + [{"kind": Kind.SEGMENT, "value": v} for v in data.get("segments") or []]
        )


def _require_manager(request: HttpRequest) -> None:
    if not svc.may_manage_territories(user=request.user):
        raise PermissionDenied(gettext("Territories are managed by managers and admins."))


def _territory(request: HttpRequest, pk: int) -> Territory:
    return get_object_or_404(svc.territories_visible_to(user=request.user), pk=pk)


@login_required
def territory_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    territories = (
        svc.territories_visible_to(user=request.user)
        .annotate(customers_count=Count("customers"))
        .prefetch_related("rules")
        .order_by("team__name", "priority", "id")
    )
    context = {
        "territories": territories,
        "teams": svc.manageable_teams(user=request.user).order_by("name"),
    }
    return render(request, "crm/territories/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def territory_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_manager(request)
    territory = _territory(request, pk) if pk is not None else None
    form = TerritoryForm(request.POST or None, user=request.user, territory=territory)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if territory is None:
                territory = svc.territory_create(
                    by=request.user,
                    team=data["team"],
                    name=data["name"],
                    priority=data["priority"],
                    rules=form.rules(),
                )
            else:
                svc.territory_update(
                    territory=territory,
                    by=request.user,
                    name=data["name"],
                    priority=data["priority"],
                    rules=form.rules(),
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("Territory “%(name)s” saved. Re-assign by rules to move customers.")
                % {"name": territory.name},
            )
            return redirect("crm:territory-list")
    context = {"form": form, "territory": territory}
    return render(request, "crm/territories/form.html", context)


@login_required
@require_POST
def territory_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    territory = _territory(request, pk)
    name = territory.name
    svc.territory_delete(territory=territory, by=request.user)
    messages.success(
        request,
        gettext("Territory “%(name)s” deleted; its customers have none now.") % {"name": name},
    )
    return redirect("crm:territory-list")


@login_required
@require_POST
def territory_assign(request: HttpRequest) -> HttpResponse:
    """Re-assign by rules: one team (?team in the form) or every team the user manages."""
    _require_manager(request)
    teams = svc.manageable_teams(user=request.user)
    team_id = request.POST.get("team", "")
    if team_id:
        teams = teams.filter(pk=int(team_id)) if team_id.isdigit() else teams.none()
        if not teams:
            messages.error(request, gettext("Choose one of your teams."))
            return redirect("crm:territory-list")
    changed = sum(svc.territory_assign_by_rules(team=t, by=request.user) for t in teams)
    messages.success(
        request,
        ngettext(
            "Territories re-assigned by rules: %(count)s customer changed.",
            "Territories re-assigned by rules: %(count)s customers changed.",
            changed,
        )
        % {"count": changed},
    )
    return redirect("crm:territory-list")


@login_required
@require_POST
def customer_territory(request: HttpRequest, pk: int) -> HttpResponse:
    """From the customer page: pin a territory (or none), or give it back to the rules."""
    _require_manager(request)
    customer = get_object_or_404(customers_visible_to(user=request.user), pk=pk)
    manual = request.POST.get("mode") != "rules"
    territory = None
    raw = request.POST.get("territory", "")
    if manual and raw:
        territory = (
            svc.territories_visible_to(user=request.user)
            .filter(pk=int(raw) if raw.isdigit() else -1)
            .first()
        )
        if territory is None:
            messages.error(request, gettext("Choose one of the listed territories."))
            return redirect("crm:customer-detail", pk=customer.pk)
    try:
        svc.customer_territory_set(
            customer=customer, by=request.user, territory=territory, manual=manual
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            gettext("Territory pinned: the rules keep it.")
            if manual
            else gettext("Territory placed by the rules."),
        )
    return redirect("crm:customer-detail", pk=customer.pk)


urlpatterns = [
    path("territories/", territory_list, name="territory-list"),
    path("territories/new/", territory_edit, name="territory-create"),
    path("territories/assign/", territory_assign, name="territory-assign"),
    path("territories/<int:pk>/edit/", territory_edit, name="territory-edit"),
    path("territories/<int:pk>/delete/", territory_delete, name="territory-delete"),
    path("customers/<int:pk>/territory/", customer_territory, name="customer-territory"),
]
