from django.db import models


class PeriodKind(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"


class ExpectationMetric(models.TextChoices):
    """What an expectation-profile item measures; each has a selector computing the actual."""

    REVENUE_12M = "revenue_12m", "Revenue in the next 12 months"
    NEW_CUSTOMERS_PRIMARY = "new_customers_primary", "New customers, primary market"
    NEW_CUSTOMERS_SECONDARY = "new_customers_secondary", "New customers, secondary market"
    PROSPECTING_COLD_CALLS = "prospecting_cold_calls", "Prospecting by phone cold calls"
    PROSPECTING_VISITS = "prospecting_visits", "Prospecting by face-to-face cold calls"
    PROSPECTING_REFERRALS = "prospecting_referrals", "Prospecting by referrals"
    HOUSE_ACCOUNTS = "house_accounts", "Inherited house accounts worked"
    VISITS_PER_PRIMARY = "visits_per_primary", "Visits per primary customer per year"
    VISITS_PER_SECONDARY = "visits_per_secondary", "Visits per secondary customer per year"
    TRAVEL_SHARE = "travel_share", "Share of time travelling (%)"


class RiskRule(models.TextChoices):
    """Why the weekly KPI job flags a rep as at risk (reports.risk)."""

    ACTIVITY = "activity", "Under the activity goal"
    ATTAINMENT = "attainment", "Quota attainment trails the time elapsed"
    COVERAGE = "coverage", "Too little pipeline for next quarter"
    NEGLECT = "neglect", "Key customer without an activity"
