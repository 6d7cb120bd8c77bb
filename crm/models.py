"""The sales domain: customers, the people at them, deals and the pipeline they move through."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from crm.choices import (
    CustomerSource,
    CustomerStatus,
    DealStage,
    OwnedObject,
    OwnershipChangeSource,
    Segment,
)


class Customer(models.Model):
    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="customers"
    )
    segment = models.CharField(max_length=10, choices=Segment.choices, default=Segment.PRIMARY)
    status = models.CharField(
        max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.PROSPECT
    )
    source = models.CharField(
        max_length=20, choices=CustomerSource.choices, default=CustomerSource.COLD_CALL
    )
    is_key = models.BooleanField(
        default=False,
        editable=False,
        help_text="Among the customers bringing 80% of trailing-12-month won revenue.",
    )
    industry = models.CharField(max_length=120, blank=True)
    region = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=120, blank=True)
    website = models.URLField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["owner", "name"]),
            models.Index(fields=["name"]),
            models.Index(fields=["is_key", "name"]),
            # the weekly KPI job's new prospects: customers created in a week
            models.Index(fields=["created_at"], name="crm_customer_created_at_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Stage(models.Model):
    """A pipeline stage; its default probability is configurable in the admin."""

    code = models.CharField(max_length=20, choices=DealStage.choices, unique=True)
    name = models.CharField(max_length=50)
    position = models.PositiveSmallIntegerField(default=0)
    default_probability = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(100)], default=10
    )

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.code not in (DealStage.WON, DealStage.LOST)


class Deal(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="deals")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deals"
    )
    title = models.CharField(max_length=200)
    amount = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    stage = models.ForeignKey(
        Stage,
        to_field="code",
        on_delete=models.PROTECT,
        related_name="deals",
        default=DealStage.LEAD,
    )
    probability = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)], default=10)
    expected_close = models.DateField(null=True, blank=True)
    closed_at = models.DateField(null=True, blank=True, help_text="Close date; required for won.")
    lost_reason = models.CharField(max_length=255, blank=True)
    next_step = models.CharField(max_length=255, blank=True)
    credited_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credited_deals",
        help_text="Who owned the deal when it was won; reports credit this person.",
    )
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["customer", "stage"]),
            models.Index(fields=["stage", "closed_at"]),
            # perf (w3): the board's per-stage top-n ("largest first") walks this index
            models.Index(fields=["stage", "-amount"], name="crm_deal_stage_amount_idx"),
            # the board's open-pipeline totals per owner, read from the index alone
            models.Index(
                fields=["owner", "stage", "amount"],
                name="crm_deal_open_pipeline_idx",
                condition=models.Q(stage__in=["lead", "qualified", "proposal", "negotiation"]),
            ),
            # ...and its recently closed deals per owner (won/lost columns: last 90 days)
            models.Index(
                fields=["owner", "closed_at", "stage", "amount"],
                name="crm_deal_closed_by_owner_idx",
                condition=models.Q(stage__in=["won", "lost"]),
            ),
            # the weekly KPI job: deals created in a week, deals whose stage changed since a
            # week's end, and won revenue to date per credited rep (index-only on
            # PostgreSQL; `include` is ignored elsewhere)
            models.Index(fields=["created_at"], name="crm_deal_created_at_idx"),
            models.Index(fields=["stage_changed_at"], name="crm_deal_stage_changed_at_idx"),
            models.Index(
                fields=["closed_at", "credited_to"],
                include=["amount"],
                name="crm_deal_won_credit_idx",
                condition=models.Q(stage="won"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.stage_id not in (DealStage.WON, DealStage.LOST)


class DealStageChange(models.Model):
    """Append-only stage history of a deal."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=DealStage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=DealStage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["deal", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.from_stage or '—'} → {self.to_stage}"


class OwnershipChange(models.Model):
    """Append-only log of every change of owner: what, from whom, to whom, when, why.

    Its references are not database constraints (as django-simple-history does for its
    history rows): a handover appends tens of thousands of rows at once, and PostgreSQL
    would check and share-lock the same few users, the handover and each customer once per
    row at COMMIT (about a second for 33,000 rows). Django still applies on_delete: a
    customer's deletion clears `customer`, a user or handover in the log cannot be
    deleted. Rows are only written by crm.services.ownership_log_write with ids it has just
    read. The customer is reached through (customer, changed_at), not an index of its own."""

    object_type = models.CharField(max_length=10, choices=OwnedObject.choices)
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=200)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ownership_changes",
        db_constraint=False,
        db_index=False,
        help_text="The customer the object belongs to, for the customer timeline.",
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    changed_at = models.DateTimeField()
    source = models.CharField(max_length=20, choices=OwnershipChangeSource.choices)
    reference = models.CharField(
        max_length=100, blank=True, help_text="e.g. the import job or handover id."
    )
    handover = models.ForeignKey(
        "handover.Handover",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ownership_changes",
        db_constraint=False,
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["customer", "changed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_repr}: {self.from_user_id} → {self.to_user_id}"


# --- CSV import (area: imports) ---------------------------------------------------------
class ImportJob(models.Model):
    """One uploaded CSV: its text, the preview's row errors, and how its commit went.

    The text is kept so the commit can validate again against the data as it is then."""

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", "Customers"
        CONTACTS = "contacts", "Contacts"
        DEALS = "deals", "Deals"

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    csv_text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    total_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text="Row errors: [{row, field, message}], row = CSV line."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import #{self.pk} ({self.file_name})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
