from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import CompetingLine, Team, User


class CompetingLineInline(admin.TabularInline):
    model = CompetingLine
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "get_full_name", "role", "team", "rep_type", "is_active")
    list_filter = ("role", "team", "rep_type", "is_active")
    list_select_related = ("team",)
    inlines = [CompetingLineInline]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (
            "Sales",
            {"fields": ("role", "team", "rep_type", "commission_rate", "start_date", "last_day")},
        ),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        ("Sales", {"fields": ("role", "team", "rep_type", "email", "first_name", "last_name")}),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "manager", "time_zone")
    list_select_related = ("manager",)
