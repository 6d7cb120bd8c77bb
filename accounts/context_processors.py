"""The navigation each role sees. Pages register here as they are built."""

from django.urls import NoReverseMatch, reverse

# (label, url name, roles allowed)
NAV_ITEMS = [
    ("Home", "home", {"rep", "manager", "admin"}),
    ("My week", "activities:my-week", {"rep", "manager"}),
    ("Customers", "crm:customer-list", {"rep", "manager", "admin"}),
    ("Pipeline", "crm:pipeline", {"rep", "manager", "admin"}),
    ("Deals", "crm:deal-list", {"rep", "manager", "admin"}),
    ("Tasks", "activities:task-list", {"rep", "manager", "admin"}),
    ("Call report", "activities:call-report", {"rep", "manager"}),
    ("Team feed", "activities:feed", {"manager", "admin"}),
    ("Handovers", "handover:list", {"manager", "admin"}),
    ("Dashboard", "reports:dashboard", {"manager", "admin"}),  # issue 5, area 5C
    ("My numbers", "reports:dashboard", {"rep"}),  # issue 5, area 5C
    ("Targets", "reports:targets", {"rep", "manager", "admin"}),  # issue 5, area 5A
    ("Commission", "reports:commissions", {"rep", "manager", "admin"}),  # issue 5, area 5A
    ("Import", "crm:import-start", {"rep", "manager", "admin"}),
    ("API docs", "api-docs", {"manager", "admin"}),
    ("Admin", "admin:index", {"admin"}),
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
        items.append({"label": label, "url": url, "active": request.path == url})
    return {"nav_items": items}
