"""The reports domain's browser pages, namespaced "reports:"; each views module declares its
own routes and is listed here."""

from reports.views import dashboard, targets

app_name = "reports"

urlpatterns = [
    *targets.urlpatterns,
    *dashboard.urlpatterns,
]
