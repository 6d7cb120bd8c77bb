from django.contrib import admin
from django.urls import include, path

from crm import views
from crm.health import healthz

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("crm.api.urls")),
]
