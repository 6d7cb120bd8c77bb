from django.contrib import admin
from django.urls import include, path

from accounts.views.profile import set_language
from crm.health import healthz
from crm.views.home import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    # The header's language switcher: Django's set_language, which also saves a signed-in
    # user's choice on their profile (first, so it answers /i18n/setlang/ and the name).
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("crm.api.urls")),
    path("", include("crm.web_urls")),
    path("", include("activities.urls")),
    path("", include("reports.urls")),
    path("", include("handover.urls")),
    path("", include("coaching.urls")),
]
