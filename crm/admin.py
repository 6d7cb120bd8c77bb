from django.contrib import admin

from crm.models import (
    Contact,
    Customer,
    Deal,
    DealStageChange,
    ImportJob,
    OwnershipChange,
    Stage,
)


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "position", "default_probability")
    list_editable = ("default_probability",)
    readonly_fields = ("code",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "segment", "status", "source", "is_key")
    list_filter = ("segment", "status", "source", "is_key")
    search_fields = ("name",)
    raw_id_fields = ("owner",)
    list_select_related = ("owner",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("__str__", "customer", "email", "phone")
    search_fields = ("first_name", "last_name", "email")
    raw_id_fields = ("customer",)


class StageChangeInline(admin.TabularInline):
    model = DealStageChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_stage", "to_stage", "changed_by", "changed_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ("title", "customer", "owner", "stage", "amount", "expected_close")
    list_filter = ("stage",)
    search_fields = ("title", "customer__name")
    raw_id_fields = ("customer", "owner", "credited_to")
    list_select_related = ("customer", "owner", "stage")
    inlines = [StageChangeInline]


@admin.register(OwnershipChange)
class OwnershipChangeAdmin(admin.ModelAdmin):
    """Append-only: visible to admins, never edited or deleted."""

    list_display = ("changed_at", "object_type", "object_repr", "from_user", "to_user", "source")
    list_filter = ("object_type", "source")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """CSV imports: for support, read-only (the flow runs through the Import page)."""

    list_display = ("id", "kind", "file_name", "created_by", "created_at", "status", "total_rows")
    list_filter = ("kind", "status")
    list_select_related = ("created_by",)
    search_fields = ("file_name", "created_by__username")
    exclude = ("csv_text",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
