"""The CRM's browser pages, namespaced "crm:"; each views module declares its own routes."""

from crm.views import customers, deals, imports

app_name = "crm"

urlpatterns = [*customers.urlpatterns, *deals.urlpatterns, *imports.urlpatterns]
