"""Coaching's browser pages, namespaced "coaching:"; each views module declares its own routes
and is listed here."""

from coaching.views import plans, ramp, recognition, timelog

app_name = "coaching"

urlpatterns: list = []
urlpatterns += plans.urlpatterns  # action plans (issue 13)
urlpatterns += ramp.urlpatterns  # onboarding ramp (issue 13)
urlpatterns += timelog.urlpatterns  # manager's time log (issue 13)
urlpatterns += recognition.urlpatterns  # leaderboard and badges (issue 13)
