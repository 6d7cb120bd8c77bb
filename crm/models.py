"""The sales domain: customers, the people at them, deals and the pipeline they move through."""

import functools
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from crm.choices import (
    AccessAction,
    AccessChannel,
    CustomerSource,
    CustomerStatus,
    DealStage,
    OwnedObject,
    OwnershipChangeSource,
    Segment,
)
from crm.currency import CURRENCY_MAX_LENGTH, company_currency, currency_choices


@functools.cache
def _stock_stage_names() -> dict[str, str]:
    """The stages' labels in English (the names the pipeline data migration gave them)."""
    with translation.override("en"):
        return {code: str(label) for code, label in DealStage.choices}


@functools.cache
def _stock_stage_label(code: str, language: str | None) -> str:
    """A stock stage's label in `language`, once per process: the board asks for every
    stage on each of its cards' menus."""
    with translation.override(language):
        return str(DealStage(code).label)


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
        # xgettext:no-python-format
        help_text=_("Among the customers bringing 80% of trailing-12-month won revenue."),
    )
    industry = models.CharField(max_length=120, blank=True)
    region = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=120, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    # Territories (issue 13): set by the rules (crm.territories.territory_assign_by_rules)
    # unless a person pinned it (territory_manual), which the rules then leave alone.
    territory = models.ForeignKey(
        "crm.Territory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
    )
    territory_manual = models.BooleanField(
        default=False, help_text=_("Territory chosen by a person: the rules keep it.")
    )
    website = models.URLField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    notes = models.TextField(blank=True)
    # When its latest activity happened (activities.services keeps it; the at-risk neglect
    # rule reads it instead of probing the activities of every key customer). NULL: none
    # known, so readers that need certainty look at the activities.
    last_activity_at = models.DateTimeField(null=True, blank=True, editable=False)
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
        return self.label

    @property
    def is_open(self) -> bool:
        return self.code not in (DealStage.WON, DealStage.LOST)

    @property
    def label(self) -> str:
        """The name to show: the stage's label in the user's language while the name is the
        stock English one (the pipeline data migration's), else the name an admin gave it."""
        if self.name != _stock_stage_names().get(self.code):
            return self.name
        return _stock_stage_label(self.code, translation.get_language())


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
    currency = models.CharField(
        max_length=CURRENCY_MAX_LENGTH,
        choices=currency_choices(),
        default=company_currency,
        help_text=_("The currency of the amount (crm.currency); reports convert it."),
    )
    probability = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)], default=10)
    expected_close = models.DateField(null=True, blank=True)
    closed_at = models.DateField(
        null=True, blank=True, help_text=_("Close date; required for won.")
    )
    lost_reason = models.CharField(max_length=255, blank=True)
    next_step = models.CharField(max_length=255, blank=True)
    credited_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credited_deals",
        help_text=_("Who owned the deal when it was won; reports credit this person."),
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
            # the board's open-pipeline totals per owner, read from the index alone (the
            # currency too: totals convert amounts in other currencies)
            models.Index(
                fields=["owner", "stage", "amount", "currency"],
                name="crm_deal_open_pipeline_idx",
                condition=models.Q(stage__in=["lead", "qualified", "proposal", "negotiation"]),
            ),
            # ...and its recently closed deals per owner (won/lost columns: last 90 days)
            models.Index(
                fields=["owner", "closed_at", "stage", "amount", "currency"],
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
        help_text=_("The customer the object belongs to, for the customer timeline."),
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
        max_length=100, blank=True, help_text=_("e.g. the import job or handover id.")
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


class CustomerAccess(models.Model):
    """The access log: who read, exported or imported which customer, when and how.

    Append-only and written in bulk (one INSERT per list page, export or import, never one
    per row), so its references are not database constraints, as in OwnershipChange; a
    deleted customer leaves its rows (the log outlives the record). Rows older than
    CRM_ACCESS_LOG_RETENTION_DAYS are deleted by a nightly job."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.DO_NOTHING,
        null=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    at = models.DateTimeField()
    channel = models.CharField(max_length=10, choices=AccessChannel.choices)
    action = models.CharField(max_length=10, choices=AccessAction.choices)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "at"], name="crm_access_user_at_idx"),
            models.Index(fields=["at"], name="crm_access_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.customer_id} ({self.channel})"


# --- CSV import (area: imports) ---------------------------------------------------------
class ImportJob(models.Model):
    """One uploaded CSV: its text, the preview's row errors, and how its commit went.

    The text is kept so the commit can validate again against the data as it is then."""

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        CONTACTS = "contacts", _("Contacts")
        DEALS = "deals", _("Deals")

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    csv_text = models.TextField(help_text=_("Blanked after CRM_IMPORT_RAW_RETENTION_DAYS."))
    raw_deleted_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the retention job blanked csv_text.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    total_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Row errors: [{row, field, message}], row = CSV line."),
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


# --- Privacy: erasure of personal data (issue 12) ------------------------------------------
class Erasure(models.Model):
    """Append-only record that a customer's or contact's personal data was erased in place:
    what, when, by whom and which fields held a value, never the values themselves.

    Written only by crm.privacy; one row per object (a second erasure is refused)."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        CONTACT = "contact", _("Contact")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="erasures",
        help_text=_("The customer erased, or the one the erased contact belonged to."),
    )
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    erased_at = models.DateTimeField()
    fields = models.JSONField(default=list, help_text=_("Names of the fields that were cleared."))
    related = models.JSONField(
        default=dict, help_text=_('Related rows cleared too, e.g. {"activities.notes": 3}.')
    )

    class Meta:
        ordering = ["-erased_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="crm_erasure_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.object_id} erased {self.erased_at:%Y-%m-%d}"


# --- Territories (issue 13) ----------------------------------------------------------------
class Territory(models.Model):
    """A team's slice of the market. Customers of the team's reps are placed by the rules
    (crm.territories): the first territory by (priority, id) whose rules match wins."""

    name = models.CharField(max_length=100)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="territories")
    priority = models.PositiveSmallIntegerField(
        default=100, help_text=_("Lower first: the first matching territory gets the customer.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team_id", "priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="crm_territory_team_name")
        ]

    def __str__(self) -> str:
        return self.name


class TerritoryRule(models.Model):
    """One value a customer may match: values of one kind are alternatives (any of them),
    kinds combine (all kinds the territory has must match)."""

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        POSTAL_PREFIX = "postal_prefix", _("Postal-code prefix")
        SEGMENT = "segment", _("Segment")

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.CharField(max_length=120)

    class Meta:
        ordering = ["territory_id", "kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "kind", "value"], name="crm_territory_rule_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


# --- Exchange rates (issue 14) -------------------------------------------------------------
class ExchangeRate(models.Model):
    """What one unit of a currency is worth in the company currency (settings.CRM_CURRENCY),
    from `valid_from` until the next rate of that currency. An admin keeps the table (admin
    page, /api/exchange-rates/); reports convert with the rate valid on a deal's close date
    (open deals: on the report's day), quotas on their period's first day."""

    currency = models.CharField(max_length=CURRENCY_MAX_LENGTH, choices=currency_choices())
    rate = models.DecimalField(
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
        help_text=_("1 unit of the currency in the company currency, e.g. 0.0857 for NOK in EUR."),
    )
    valid_from = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "valid_from"], name="crm_exchange_rate_once_a_day"
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gt=0), name="crm_exchange_rate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} from {self.valid_from:%Y-%m-%d}"
