from django import forms
from django.contrib import admin

from crm.models import (
    Contact,
    Customer,
    Deal,
    DealStageChange,
    ExchangeRate,
    ImportJob,
    OwnershipChange,
    Stage,
    Territory,
    TerritoryRule,
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
    list_display = ("title", "customer", "owner", "stage", "amount", "currency", "expected_close")
    list_filter = ("stage", "currency")
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


# --- Territories (issue 13) ----------------------------------------------------------------
class TerritoryRuleInline(admin.TabularInline):
    model = TerritoryRule
    extra = 1


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    """For support; managers use the Territories page (its rules are checked there)."""

    list_display = ("name", "team", "priority")
    list_filter = ("team",)
    list_select_related = ("team",)
    inlines = [TerritoryRuleInline]


# --- Exchange rates (issue 14) -------------------------------------------------------------
class ExchangeRateForm(forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "rate", "valid_from"]

    def clean(self):
        from crm.currency import exchange_rate_errors

        data = super().clean()
        errors = exchange_rate_errors(
            currency=data.get("currency"), rate=data.get("rate"), valid_from=data.get("valid_from")
        )
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name, message)
        return data


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """The rate table reports convert with: 1 unit of the currency in the company currency,
    from `valid_from` until the currency's next rate."""

    form = ExchangeRateForm
    list_display = ("currency", "rate", "valid_from", "updated_at")
    list_filter = ("currency",)
    ordering = ("currency", "-valid_from")
