from django.contrib import admin

from handover.models import Handover, HandoverAssignment, ItemOverride, KnowledgeNote


class AssignmentInline(admin.TabularInline):
    model = HandoverAssignment
    extra = 0
    raw_id_fields = ("customer", "receiver")


class NoteInline(admin.StackedInline):
    model = KnowledgeNote
    extra = 0
    raw_id_fields = ("customer", "written_by")


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    list_display = ("departing_rep", "last_day", "reason", "status", "executed_at")
    list_filter = ("status", "reason")
    raw_id_fields = ("departing_rep", "created_by", "executed_by", "reversed_by")
    inlines = [AssignmentInline, NoteInline]


@admin.register(ItemOverride)
class ItemOverrideAdmin(admin.ModelAdmin):
    list_display = ("handover", "kind", "object_id", "receiver")
    raw_id_fields = ("handover", "receiver")
