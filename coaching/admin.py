"""The coaching records in Django's admin, to look up and support. Read-only: every write
goes through the coaching pages and API, whose services carry the rules (approval of
templates and changes, frozen check-in figures, ramp schedules validated)."""

from django.contrib import admin

from coaching.models import (
    ActionPlan,
    Badge,
    CoachingTarget,
    PlanChangeRequest,
    PlanCheckIn,
    PlanMeasure,
    PlanStep,
    PlanTemplate,
    PlanTemplateMeasure,
    PlanTemplateStep,
    RampChecklistItem,
    RepRamp,
    TeamRamp,
    TeamRecognition,
    TimeEntry,
)


class ReadOnly:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0


class TemplateStepInline(ReadOnlyInline):
    model = PlanTemplateStep


class TemplateMeasureInline(ReadOnlyInline):
    model = PlanTemplateMeasure


@admin.register(PlanTemplate)
class PlanTemplateAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("name", "kind", "approved_by", "approved_at", "retired")
    list_filter = ("kind", "retired")
    search_fields = ("name",)
    inlines = [TemplateStepInline, TemplateMeasureInline]


class StepInline(ReadOnlyInline):
    model = PlanStep


class MeasureInline(ReadOnlyInline):
    model = PlanMeasure


class CheckInInline(ReadOnlyInline):
    model = PlanCheckIn


@admin.register(ActionPlan)
class ActionPlanAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("name", "rep", "kind", "status", "started_on", "ended_at")
    list_filter = ("status", "kind")
    search_fields = ("name", "rep__username", "rep__last_name")
    list_select_related = ("rep",)
    inlines = [StepInline, MeasureInline, CheckInInline]


@admin.register(PlanChangeRequest)
class PlanChangeRequestAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("summary", "plan", "status", "requested_by", "decided_by", "decided_at")
    list_filter = ("status", "kind")
    list_select_related = ("plan", "requested_by", "decided_by")


@admin.register(TeamRamp)
class TeamRampAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("team", "updated_by", "updated_at")


@admin.register(RepRamp)
class RepRampAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("rep", "buddy", "updated_at")
    list_select_related = ("rep", "buddy")


@admin.register(RampChecklistItem)
class RampChecklistItemAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("rep", "title", "position", "done_at", "done_by")
    list_select_related = ("rep", "done_by")


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("manager", "date", "category", "minutes", "note")
    list_filter = ("category",)
    date_hierarchy = "date"
    list_select_related = ("manager",)


@admin.register(CoachingTarget)
class CoachingTargetAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("team", "share")


@admin.register(TeamRecognition)
class TeamRecognitionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("team", "leaderboard_hidden", "updated_by", "updated_at")


@admin.register(Badge)
class BadgeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("rep", "incentive", "period_start", "attainment", "awarded_at")
    list_select_related = ("rep", "incentive")
