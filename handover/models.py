"""Offboarding a departing rep: the plan (who receives what), the knowledge-transfer notes,
and the record of what moved. Every move itself is in crm.OwnershipChange (append-only)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from handover.choices import HandoverReason, HandoverStatus


class Handover(models.Model):
    departing_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handovers"
    )
    last_day = models.DateField()
    reason = models.CharField(max_length=20, choices=HandoverReason.choices)
    reason_detail = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=HandoverStatus.choices, default=HandoverStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes_waived_reason = models.TextField(blank=True)
    locked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When an admin ended the departing rep's access at once."),
    )
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    report = models.JSONField(
        default=dict, blank=True, help_text=_("What moved where, and what could not be reversed.")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["departing_rep"],
                condition=models.Q(status__in=["draft", "scheduled"]),
                name="one_open_handover_per_rep",
            )
        ]

    def __str__(self) -> str:
        return gettext("Handover of %(rep)s (%(status)s)") % {
            "rep": self.departing_rep,
            "status": self.get_status_display(),
        }


class HandoverAssignment(models.Model):
    """The plan: one receiving rep per customer. Deals, open tasks and contacts follow their
    customer unless an ItemOverride says otherwise."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="assignments")
    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE, related_name="+")
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed = models.BooleanField(
        default=True, help_text=_("Set by the proposal rule rather than chosen by a person.")
    )

    class Meta:
        ordering = ["handover_id", "customer_id"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "customer"], name="uniq_handover_customer")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.receiver_id}"


class ItemOverride(models.Model):
    """A deal or open task that goes to someone other than its customer's receiver."""

    class Kind(models.TextChoices):
        DEAL = "deal", _("Deal")
        TASK = "task", _("Task")

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="overrides")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["handover", "kind", "object_id"], name="uniq_handover_item_override"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} → {self.receiver_id}"


class KnowledgeNote(models.Model):
    """What the departing rep knows about a customer that is not in the records."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="notes")
    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["handover", "customer"], name="uniq_handover_note")
        ]

    def __str__(self) -> str:
        return gettext("Note on %(customer)s") % {"customer": self.customer_id}
