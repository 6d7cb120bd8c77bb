"""The activity domain's browser pages, namespaced "activities:"; each views module declares
its own routes and is listed here."""

from activities.views import feed, logging, reports, tasks, week

app_name = "activities"

urlpatterns = [
    *week.urlpatterns,
    *tasks.urlpatterns,
    *reports.urlpatterns,
    *feed.urlpatterns,
    *logging.urlpatterns,
]
