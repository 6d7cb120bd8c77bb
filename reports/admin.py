from django.contrib import admin

from reports.models import ActivityGoal


@admin.register(ActivityGoal)
class ActivityGoalAdmin(admin.ModelAdmin):
    list_display = ("__str__", "team", "rep", "week", "calls", "meetings", "visits")
    list_filter = ("team",)
    raw_id_fields = ("rep",)
