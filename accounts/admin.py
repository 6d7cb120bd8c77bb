from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, CompetingLine, Team, TwoFactorPolicy, User


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
            _("Sales"),
            {"fields": ("role", "team", "rep_type", "commission_rate", "start_date", "last_day")},
        ),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (_("Sales"), {"fields": ("role", "team", "rep_type", "email", "first_name", "last_name")}),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "manager", "time_zone")
    list_select_related = ("manager",)


@admin.register(TwoFactorPolicy)
class TwoFactorPolicyAdmin(admin.ModelAdmin):
    """Admins set per role whether two-factor sign-in is required (also on a CRM page)."""

    list_display = ("role", "required", "updated_by", "updated_at")
    readonly_fields = ("updated_by", "updated_at")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Look up and revoke (delete) a user's tokens; a token is issued by its owner only,
    the key never passes through here."""

    list_display = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "name", "prefix")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at")
    fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at")

    def has_add_permission(self, request) -> bool:
        return False
