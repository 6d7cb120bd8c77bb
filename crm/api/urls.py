"""Everything under /api/: token, schema, docs, and every resource's viewset."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api.profile import MeView
from accounts.api.tokens import ApiTokenViewSet, UserSessionViewSet
from accounts.api.views import ObtainTokenView, TeamViewSet, TwoFactorPolicyView, UserViewSet
from activities.api.activities import ActivityViewSet
from activities.api.call_reports import CallReportViewSet
from activities.api.tasks import TaskViewSet
from coaching.api.plans import PlanChangeRequestViewSet, PlanTemplateViewSet, PlanViewSet
from coaching.api.ramp import RampChecklistViewSet, RampViewSet, TeamRampViewSet
from coaching.api.recognition import BadgeViewSet, LeaderboardViewSet
from coaching.api.timelog import TimeEntryViewSet
from crm.api import privacy
from crm.api.access_log import AccessLogViewSet
from crm.api.customers import ContactViewSet, CustomerViewSet
from crm.api.deals import DealViewSet
from crm.api.exchange_rates import ExchangeRateViewSet
from crm.api.territories import TerritoryViewSet
from handover.api.handovers import HandoverViewSet
from reports.api.kpis import WeeklyKPIViewSet
from reports.api.risk import RiskFlagViewSet
from reports.api.targets import ActivityGoalViewSet, QuotaViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("teams", TeamViewSet, basename="team")
router.register("auth/tokens", ApiTokenViewSet, basename="auth-token")
router.register("auth/sessions", UserSessionViewSet, basename="auth-session")
router.register("customers", CustomerViewSet, basename="customer")
router.register("contacts", ContactViewSet, basename="contact")
router.register("deals", DealViewSet, basename="deal")
router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")  # issue 14
router.register("activities", ActivityViewSet, basename="activity")
router.register("tasks", TaskViewSet, basename="task")
router.register("call-reports", CallReportViewSet, basename="call-report")
router.register("handovers", HandoverViewSet, basename="handover")
router.register("access-log", AccessLogViewSet, basename="access-log")
router.register("quotas", QuotaViewSet, basename="quota")
router.register("activity-goals", ActivityGoalViewSet, basename="activity-goal")
router.register("reports/weekly-kpi", WeeklyKPIViewSet, basename="weekly-kpi")
router.register("territories", TerritoryViewSet, basename="territory")  # issue 13 territories
router.register("leaderboard", LeaderboardViewSet, basename="leaderboard")  # issue 13 recognition
router.register("badges", BadgeViewSet, basename="badge")
router.register("ramp-schedules", TeamRampViewSet, basename="ramp-schedule")  # issue 13 ramp
router.register("ramps", RampViewSet, basename="ramp")
router.register("ramp-checklist", RampChecklistViewSet, basename="ramp-checklist")
router.register("time-entries", TimeEntryViewSet, basename="time-entry")  # issue 13 time log
router.register("plan-templates", PlanTemplateViewSet, basename="plan-template")  # issue 13 plans
router.register("plans", PlanViewSet, basename="plan")
router.register("plan-change-requests", PlanChangeRequestViewSet, basename="plan-change-request")
router.register("reports/risk-flags", RiskFlagViewSet, basename="risk-flag")

# Swagger UI comes from its CDN and styles itself inline; its init script is served by the
# split view from this same URL (?script), so no inline script is needed even here.
SWAGGER_CDN = "https://cdn.jsdelivr.net"
api_docs = csp_update(
    {
        "script-src": [SWAGGER_CDN],
        "style-src": [SWAGGER_CDN, "'unsafe-inline'"],
        "img-src": [SWAGGER_CDN],
    }
)(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/two-factor-policy/", TwoFactorPolicyView.as_view(), name="api-two-factor-policy"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", api_docs, name="api-docs"),
    # personal data (admins): export and erasure, beside the resources' own routes
    path(
        "customers/<int:pk>/personal-data/",
        privacy.CustomerPersonalDataView.as_view(),
        name="api-customer-personal-data",
    ),
    path(
        "customers/<int:pk>/erase/", privacy.CustomerEraseView.as_view(), name="api-customer-erase"
    ),
    path(
        "contacts/<int:pk>/personal-data/",
        privacy.ContactPersonalDataView.as_view(),
        name="api-contact-personal-data",
    ),
    path("contacts/<int:pk>/erase/", privacy.ContactEraseView.as_view(), name="api-contact-erase"),
    # The caller's own profile (issue 14), before the router's users/<pk>/.
    path("users/me/", MeView.as_view(), name="api-users-me"),
    path("", include(router.urls)),
]
