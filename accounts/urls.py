from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.views import passwords, profile, security, sign_in, two_factor

app_name = "accounts"

urlpatterns = [
    *sign_in.urlpatterns,
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    *passwords.urlpatterns,
    *two_factor.urlpatterns,
    *security.urlpatterns,
    *profile.urlpatterns,
]
