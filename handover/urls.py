"""The handover's browser pages, namespaced "handover:"; each views module declares its own
routes and is listed here."""

from handover.views import access, plan, report

app_name = "handover"

urlpatterns = [
    *plan.urlpatterns,
    *report.urlpatterns,
    *access.urlpatterns,
]
