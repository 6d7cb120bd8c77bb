from django.contrib import admin
from django.urls import include, path

from crm.health import healthz
from crm.views.home import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("crm.api.urls")),
    path("", include("crm.web_urls")),
    path("", include("activities.urls")),
    path("", include("reports.urls")),
    path("", include("handover.urls")),
]
