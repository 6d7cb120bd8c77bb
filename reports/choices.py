from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class ExpectationMetric(models.TextChoices):
    """What an expectation-profile item measures; each has a selector computing the actual."""

    REVENUE_12M = "revenue_12m", _("Revenue in the next 12 months")
    NEW_CUSTOMERS_PRIMARY = "new_customers_primary", _("New customers, primary market")
    NEW_CUSTOMERS_SECONDARY = "new_customers_secondary", _("New customers, secondary market")
    PROSPECTING_COLD_CALLS = "prospecting_cold_calls", _("Prospecting by phone cold calls")
    PROSPECTING_VISITS = "prospecting_visits", _("Prospecting by face-to-face cold calls")
    PROSPECTING_REFERRALS = "prospecting_referrals", _("Prospecting by referrals")
    HOUSE_ACCOUNTS = "house_accounts", _("Inherited house accounts worked")
    VISITS_PER_PRIMARY = "visits_per_primary", _("Visits per primary customer per year")
    VISITS_PER_SECONDARY = "visits_per_secondary", _("Visits per secondary customer per year")
    # xgettext:no-python-format
    TRAVEL_SHARE = "travel_share", _("Share of time travelling (%)")


class RiskRule(models.TextChoices):
    """Why the weekly KPI job flags a rep as at risk (reports.risk)."""

    ACTIVITY = "activity", _("Under the activity goal")
    ATTAINMENT = "attainment", _("Quota attainment trails the time elapsed")
    COVERAGE = "coverage", _("Too little pipeline for next quarter")
    NEGLECT = "neglect", _("Key customer without an activity")
