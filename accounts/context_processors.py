"""The navigation each role sees. Pages register here as they are built."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# (label, url name, roles allowed)
NAV_ITEMS = [
    (_("Home"), "home", {"rep", "manager", "admin"}),
    (_("My week"), "activities:my-week", {"rep", "manager"}),
    (_("Customers"), "crm:customer-list", {"rep", "manager", "admin"}),
    # Translators: the sales pipeline (the board of open deals by stage).
    (pgettext_lazy("navigation", "Pipeline"), "crm:pipeline", {"rep", "manager", "admin"}),
    (_("Deals"), "crm:deal-list", {"rep", "manager", "admin"}),
    (_("Tasks"), "activities:task-list", {"rep", "manager", "admin"}),
    (_("Call report"), "activities:call-report", {"rep", "manager"}),
    (_("Team feed"), "activities:feed", {"manager", "admin"}),
    (_("Handovers"), "handover:list", {"manager", "admin"}),
    (_("Dashboard"), "reports:dashboard", {"manager", "admin"}),  # issue 5, area 5C
    (_("My numbers"), "reports:dashboard", {"rep"}),  # issue 5, area 5C
    (_("Targets"), "reports:targets", {"rep", "manager", "admin"}),  # issue 5, area 5A
    (_("Commission"), "reports:commissions", {"rep", "manager", "admin"}),  # issue 5, area 5A
    (_("Plans"), "coaching:plan-list", {"manager", "admin"}),  # issue 13, action plans
    (_("My plan"), "coaching:my-plan", {"rep"}),  # issue 13, action plans
    (_("Approvals"), "coaching:approvals", {"admin"}),  # issue 13, action plans
    (_("Ramp"), "coaching:ramp", {"manager", "admin"}),  # issue 13, onboarding ramp
    (_("My ramp"), "coaching:my-ramp", {"rep"}),  # issue 13, onboarding ramp
    (_("Time log"), "coaching:time-log", {"manager"}),  # issue 13, manager's time log
    (_("Time logs"), "coaching:time-report", {"admin"}),  # issue 13, manager's time log
    (_("Territories"), "crm:territory-list", {"manager", "admin"}),  # issue 13, territories
    # issue 13, recognition
    (_("Leaderboard"), "coaching:leaderboard", {"rep", "manager", "admin"}),
    # Translators: the CSV import page (a noun in the menu).
    (pgettext_lazy("navigation", "Import"), "crm:import-start", {"rep", "manager", "admin"}),
    (_("API docs"), "api-docs", {"manager", "admin"}),
    # Translators: the Django admin site (the menu item).
    (pgettext_lazy("navigation", "Admin"), "admin:index", {"admin"}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, url_name, roles in NAV_ITEMS:
        if user.effective_role not in roles:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append(
            {"label": str(label), "url": url, "url_name": url_name, "active": request.path == url}
        )
    return {"nav_items": items}
