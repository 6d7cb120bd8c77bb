"""The CRM's browser pages, namespaced "crm:"; each views module declares its own routes."""

from crm.views import customers, deals, imports, privacy, territories

app_name = "crm"

urlpatterns = [
    *customers.urlpatterns,
    *deals.urlpatterns,
    *imports.urlpatterns,
    *privacy.urlpatterns,
    *territories.urlpatterns,
]
