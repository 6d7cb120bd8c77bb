from django.contrib import admin

from activities.models import Activity, Task, WeeklyCallReport, WeeklyPlan


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "kind", "customer", "owner", "outcome", "is_prospecting")
    list_filter = ("kind", "is_prospecting", "is_late")
    raw_id_fields = ("customer", "contact", "deal", "owner")
    list_select_related = ("customer", "owner")
    date_hierarchy = "occurred_at"


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "assignee", "customer", "due_date", "done")
    list_filter = ("done",)
    raw_id_fields = ("customer", "deal", "assignee", "created_by", "from_activity")
    list_select_related = ("assignee", "customer")


@admin.register(WeeklyPlan)
class WeeklyPlanAdmin(admin.ModelAdmin):
    list_display = ("rep", "week", "planned_calls", "planned_meetings", "planned_visits")
    raw_id_fields = ("rep", "customers")


@admin.register(WeeklyCallReport)
class WeeklyCallReportAdmin(admin.ModelAdmin):
    list_display = ("rep", "week", "status", "calls", "meetings", "visits", "submitted_at")
    list_filter = ("status",)
    raw_id_fields = ("rep", "reviewed_by")
