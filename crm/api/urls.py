"""Everything under /api/: token, schema, docs, and every resource's viewset."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api.views import ObtainTokenView, TeamViewSet, UserViewSet
from activities.api.activities import ActivityViewSet
from activities.api.call_reports import CallReportViewSet
from activities.api.tasks import TaskViewSet
from crm.api.customers import ContactViewSet, CustomerViewSet
from crm.api.deals import DealViewSet
from handover.api.handovers import HandoverViewSet
from reports.api.kpis import WeeklyKPIViewSet
from reports.api.targets import ActivityGoalViewSet, QuotaViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("teams", TeamViewSet, basename="team")
router.register("customers", CustomerViewSet, basename="customer")
router.register("contacts", ContactViewSet, basename="contact")
router.register("deals", DealViewSet, basename="deal")
router.register("activities", ActivityViewSet, basename="activity")
router.register("tasks", TaskViewSet, basename="task")
router.register("call-reports", CallReportViewSet, basename="call-report")
router.register("handovers", HandoverViewSet, basename="handover")
router.register("quotas", QuotaViewSet, basename="quota")
router.register("activity-goals", ActivityGoalViewSet, basename="activity-goal")
router.register("reports/weekly-kpi", WeeklyKPIViewSet, basename="weekly-kpi")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]
