from django.contrib import admin

from reports.models import (
    ActivityGoal,
    CommissionPlan,
    CommissionTier,
    ExpectationItem,
    ExpectationProfile,
    Incentive,
    Quota,
    WeeklyKPI,
)


@admin.register(ActivityGoal)
class ActivityGoalAdmin(admin.ModelAdmin):
    list_display = ("__str__", "team", "rep", "week", "calls", "meetings", "visits")
    list_filter = ("team",)
    raw_id_fields = ("rep",)


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ("rep", "period", "period_start", "revenue", "rolled_up")
    list_filter = ("period",)
    raw_id_fields = ("rep", "set_by")


class ExpectationItemInline(admin.TabularInline):
    model = ExpectationItem
    extra = 0


@admin.register(ExpectationProfile)
class ExpectationProfileAdmin(admin.ModelAdmin):
    list_display = ("rep", "starts_on")
    raw_id_fields = ("rep", "set_by")
    inlines = [ExpectationItemInline]


class CommissionTierInline(admin.TabularInline):
    model = CommissionTier
    extra = 0


@admin.register(CommissionPlan)
class CommissionPlanAdmin(admin.ModelAdmin):
    list_display = ("rep", "base_rate", "tier_period")
    raw_id_fields = ("rep",)
    inlines = [CommissionTierInline]


@admin.register(Incentive)
class IncentiveAdmin(admin.ModelAdmin):
    list_display = ("name", "reward", "period", "period_start", "attainment", "team", "rep")


@admin.register(WeeklyKPI)
class WeeklyKPIAdmin(admin.ModelAdmin):
    list_display = ("rep", "week", "calls", "meetings", "visits", "won_value", "computed_at")
    list_filter = ("week",)
    raw_id_fields = ("rep",)
