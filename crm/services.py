"""Writes of the sales domain. Views, API viewsets, tasks and commands all call these."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from activities.weeks import FIRST_YEAR
from crm.choices import DealStage, OwnedObject, OwnershipChangeSource
from crm.currency import (
    CURRENCIES,
    amount_decimals_error,
    company_currency,
    unknown_currency_message,
)
from crm.models import (
    Contact,
    Customer,
    Deal,
    DealStageChange,
    ExchangeRate,
    OwnershipChange,
    Stage,
)
from reports.kpis import mark_deal_stale


@dataclass(frozen=True)
class OwnerMove:
    """One object changing hands, as recorded in the ownership log."""

    object_type: OwnedObject
    object_id: int
    object_repr: str
    customer_id: int | None
    from_user_id: int | None
    to_user_id: int | None


def ownership_log_write(
    *,
    moves: Iterable[OwnerMove],
    by: User | None,
    source: OwnershipChangeSource,
    reference: str = "",
    at=None,
    handover=None,
) -> int:
    """Append the moves to the ownership log in one bulk insert; returns how many.
    `handover` (issue 6) links each row to the handover that made the move."""
    at = at or timezone.now()
    if connection.vendor == "postgresql":
        return _ownership_log_insert_arrays(
            moves=[m for m in moves if m.from_user_id != m.to_user_id],
            by=by,
            source=source,
            reference=reference,
            at=at,
            handover=handover,
        )
    rows = [
        OwnershipChange(
            object_type=m.object_type,
            object_id=m.object_id,
            object_repr=m.object_repr[:200],
            customer_id=m.customer_id,
            from_user_id=m.from_user_id,
            to_user_id=m.to_user_id,
            changed_by=by,
            changed_at=at,
            source=source,
            reference=reference,
            handover=handover,
        )
        for m in moves
        if m.from_user_id != m.to_user_id
    ]
    OwnershipChange.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _ownership_log_insert_arrays(
    *, moves: list[OwnerMove], by: User | None, source, reference: str, at, handover
) -> int:
    """PostgreSQL: one INSERT ... SELECT FROM json_to_recordset whatever the number of moves
    (issue 6: a handover logs tens of thousands of moves; building that many model
    instances for bulk_create took seconds, this takes a fraction of one)."""
    if not moves:
        return 0
    meta = OwnershipChange._meta
    columns = [
        meta.get_field(name).column
        for name in (
            "object_type",
            "object_id",
            "object_repr",
            "customer",
            "from_user",
            "to_user",
            "changed_by",
            "changed_at",
            "source",
            "reference",
            "handover",
        )
    ]
    sql = (
        f"INSERT INTO {meta.db_table} ({', '.join(columns)}) "
        "SELECT t.a, t.b, t.c, t.d, t.e, t.f, %s, %s, %s, %s, %s "
        "FROM json_to_recordset(%s::json) AS t(a varchar, b bigint, c varchar, d bigint, "
        "e bigint, f bigint)"
    )
    rows = [
        {
            "a": str(m.object_type),
            "b": m.object_id,
            "c": (m.object_repr or "")[:200],
            "d": m.customer_id,
            "e": m.from_user_id,
            "f": m.to_user_id,
        }
        for m in moves
    ]
    params = [
        getattr(by, "pk", None),
        at,
        str(source),
        reference,
        getattr(handover, "pk", None),
        json.dumps(rows),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return len(moves)


def deal_stage_requirements(
    *, stage: str, closed_at: date | None, lost_reason: str
) -> dict[str, str]:
    """Field errors for moving a deal into `stage`: won needs a close date, lost a reason."""
    errors = {}
    if stage == DealStage.WON and not closed_at:
        errors["closed_at"] = _("A won deal needs its close date.")
    if stage == DealStage.LOST and not (lost_reason or "").strip():
        errors["lost_reason"] = _("A lost deal needs a reason.")
    if closed_at and closed_at > timezone.localdate():
        errors["closed_at"] = _("The close date cannot be in the future.")
    elif closed_at and closed_at.year < FIRST_YEAR:  # reports count it in an ISO week
        errors["closed_at"] = _("Give a close date in %(year)s or later.") % {"year": FIRST_YEAR}
    return errors


def deal_close_field_errors(
    *, stage: str, closed_at: date | None, lost_reason: str
) -> dict[str, str]:
    """Field errors for close fields given with a stage that has none: only won and lost
    deals have a close date, only lost deals a reason (typed values are never dropped)."""
    errors = {}
    if closed_at and stage not in (DealStage.WON, DealStage.LOST):
        errors["closed_at"] = _("Only won or lost deals have a close date.")
    if (lost_reason or "").strip() and stage != DealStage.LOST:
        errors["lost_reason"] = _("Only lost deals have a lost reason.")
    return errors


def _typed_close_field_errors(
    *, deal: Deal, stage: str, closed_at: date | None, lost_reason: str
) -> dict[str, str]:
    """deal_close_field_errors for what was typed now. The stored close date and reason
    that a reopened deal's form sends back unchanged are not typed: the move clears them."""
    return deal_close_field_errors(
        stage=stage,
        closed_at=closed_at if closed_at != deal.closed_at else None,
        lost_reason=lost_reason if (lost_reason or "") != (deal.lost_reason or "") else "",
    )


@transaction.atomic
def deal_move_stage(
    *,
    deal: Deal,
    stage: str,
    by: User,
    closed_at: date | None = None,
    lost_reason: str = "",
) -> Deal:
    """Move a deal to another stage, record who and when, and keep the close fields true.

    Won stores the close date and credits the current owner; reopening clears both.
    """
    if stage not in DealStage.values:
        raise ValidationError(
            {"stage": _("“%(stage)s” is not a pipeline stage.") % {"stage": stage}}
        )
    typed = _typed_close_field_errors(
        deal=deal, stage=stage, closed_at=closed_at, lost_reason=lost_reason
    )
    closed_at = closed_at or (deal.closed_at if stage == deal.stage_id else None)
    lost_reason = lost_reason or (deal.lost_reason if stage == deal.stage_id else "")
    errors = typed | deal_stage_requirements(
        stage=stage, closed_at=closed_at, lost_reason=lost_reason
    )
    if errors:
        raise ValidationError(errors)
    previous = deal.stage_id
    mark_deal_stale(deal=deal)  # reports (5B): the old close date's past weeks are stale
    now = timezone.now()
    target = Stage.objects.get(code=stage)
    deal.stage = target
    if stage == DealStage.WON:
        deal.closed_at, deal.lost_reason = closed_at, ""
        deal.credited_to_id = deal.owner_id
        deal.probability = 100
    elif stage == DealStage.LOST:
        deal.closed_at = closed_at or timezone.localdate()
        deal.lost_reason, deal.credited_to_id = lost_reason.strip(), None
        deal.probability = 0
    else:
        deal.closed_at, deal.lost_reason, deal.credited_to_id = None, "", None
        if previous != stage:
            deal.probability = target.default_probability
    if previous != stage:
        deal.stage_changed_at = now
        DealStageChange.objects.create(
            deal=deal, from_stage=previous or "", to_stage=stage, changed_by=by, changed_at=now
        )
    deal.save()
    mark_deal_stale(deal=deal)  # reports (5B): and so are the new close date's
    return deal


# --- Deals (create / update) ------------------------------------------------------------

DEAL_EDITABLE_FIELDS = frozenset(
    {
        "customer",
        "owner",
        "title",
        "amount",
        "currency",
        "stage",
        "probability",
        "expected_close",
        "closed_at",
        "lost_reason",
        "next_step",
    }
)


def _stage_code(stage) -> str:
    """Accept a Stage row or its code, so forms (rows) and the API (codes) share one path."""
    return getattr(stage, "code", stage) or DealStage.LEAD


def _deal_scope_errors(*, by: User, customer, owner, current_owner_id: int | None = None) -> dict:
    """Field errors when the customer is outside the caller's scope or the owner is not
    someone the caller may assign to. Keeping the current owner is always allowed."""
    from accounts.selectors import assignable_owners_for
    from crm.selectors import customers_visible_to

    errors = {}
    if customer is None:
        errors["customer"] = _("Choose a customer.")
    elif not customers_visible_to(user=by).filter(pk=customer.pk).exists():
        errors["customer"] = _("Choose one of your customers.")
    if owner is None:
        errors["owner"] = _("Choose an owner.")
    elif owner.pk != current_owner_id and not (
        assignable_owners_for(user=by).filter(pk=owner.pk).exists()
    ):
        errors["owner"] = _("You cannot assign deals to this person.")
    return errors


def _deal_value_errors(*, amount, probability, currency=None) -> dict:
    """Amount, probability and currency (crm.currency): a supported currency, and no more
    decimals than it has (IDR amounts are whole rupiah: 1250000.50 is refused)."""
    errors = {}
    if currency is not None and currency not in CURRENCIES:
        errors["currency"] = unknown_currency_message(currency)
    elif amount is not None and (message := amount_decimals_error(amount, currency)):
        errors["amount"] = message
    if amount is not None and Decimal(amount) < 0:
        errors["amount"] = _("The amount cannot be negative.")
    if probability is not None and not 0 <= int(probability) <= 100:
        errors["probability"] = _("The probability is a percentage between 0 and 100.")
    return errors


@transaction.atomic
def deal_create(
    *,
    by: User,
    customer,
    title: str,
    owner: User | None = None,
    amount: Decimal = Decimal("0.00"),
    currency: str | None = None,
    stage="lead",
    probability: int | None = None,
    expected_close: date | None = None,
    closed_at: date | None = None,
    lost_reason: str = "",
    next_step: str = "",
    source: OwnershipChangeSource = OwnershipChangeSource.EDIT,
) -> Deal:
    """Open a deal and start its two audit trails: the initial stage in the stage history
    and the first owner in the ownership log (from nobody), so every later change has a base.

    The owner defaults to the caller; probability defaults to the stage's default.
    """
    owner = owner or by
    code = _stage_code(stage)
    if code not in DealStage.values:
        raise ValidationError(
            {"stage": _("“%(stage)s” is not a pipeline stage.") % {"stage": code}}
        )
    errors = _deal_scope_errors(by=by, customer=customer, owner=owner)
    currency = currency or company_currency()
    errors |= _deal_value_errors(amount=amount, probability=probability, currency=currency)
    errors |= deal_stage_requirements(stage=code, closed_at=closed_at, lost_reason=lost_reason)
    errors |= deal_close_field_errors(stage=code, closed_at=closed_at, lost_reason=lost_reason)
    if not (title or "").strip():
        errors["title"] = _("Give the deal a title.")
    if errors:
        raise ValidationError(errors)
    target = Stage.objects.get(code=code)
    if probability is None:
        probability = target.default_probability
    now = timezone.now()
    deal = Deal.objects.create(
        customer=customer,
        owner=owner,
        title=title.strip(),
        amount=amount,
        currency=currency,
        stage=target,
        probability={DealStage.WON: 100, DealStage.LOST: 0}.get(code, probability),
        expected_close=expected_close,
        closed_at=closed_at,
        lost_reason=(lost_reason or "").strip(),
        next_step=next_step,
        credited_to=owner if code == DealStage.WON else None,
        stage_changed_at=now,
    )
    if code == DealStage.LOST and not deal.closed_at:
        deal.closed_at = timezone.localdate()
        deal.save(update_fields=["closed_at"])
    DealStageChange.objects.create(
        deal=deal, from_stage="", to_stage=code, changed_by=by, changed_at=now
    )
    mark_deal_stale(deal=deal)  # reports (5B): a deal entered as closed in a past week
    _log_owner_change(obj=deal, from_user_id=None, by=by, source=source, at=now)
    return deal


@transaction.atomic
def deal_update(
    *,
    deal: Deal,
    by: User,
    source: OwnershipChangeSource = OwnershipChangeSource.EDIT,
    **fields,
) -> Deal:
    """Change a deal's fields. A new owner is written to the ownership log and a new stage
    goes through deal_move_stage, so both histories stay complete whichever page or
    endpoint made the change. All or nothing: any field error leaves the deal untouched."""
    unknown = set(fields) - DEAL_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    customer = fields.pop("customer", deal.customer)
    owner = fields.pop("owner", deal.owner)
    code = _stage_code(fields.pop("stage", deal.stage_id))
    closed_at = fields.pop("closed_at", deal.closed_at)
    lost_reason = fields.pop("lost_reason", deal.lost_reason) or ""
    probability = fields.pop("probability", None)
    if code not in DealStage.values:
        raise ValidationError(
            {"stage": _("“%(stage)s” is not a pipeline stage.") % {"stage": code}}
        )
    errors = _deal_scope_errors(
        by=by, customer=customer, owner=owner, current_owner_id=deal.owner_id
    )
    errors |= _deal_value_errors(
        amount=fields.get("amount", deal.amount if "currency" in fields else None),
        probability=probability,
        currency=fields.get("currency", deal.currency),
    )
    errors |= deal_stage_requirements(stage=code, closed_at=closed_at, lost_reason=lost_reason)
    errors |= _typed_close_field_errors(
        deal=deal, stage=code, closed_at=closed_at, lost_reason=lost_reason
    )
    if "title" in fields and not (fields["title"] or "").strip():
        errors["title"] = _("Give the deal a title.")
    if errors:
        raise ValidationError(errors)
    previous_owner_id = deal.owner_id
    for name, value in fields.items():
        setattr(deal, name, value)
    deal.customer, deal.owner = customer, owner
    deal = deal_move_stage(
        deal=deal, stage=code, by=by, closed_at=closed_at, lost_reason=lost_reason
    )
    if probability is not None and deal.is_open:
        deal.probability = probability
        deal.save(update_fields=["probability", "updated_at"])
    _log_owner_change(obj=deal, from_user_id=previous_owner_id, by=by, source=source)
    return deal


# --- Customers and contacts (issue 3: customers area) ---------------------------------

CUSTOMER_FIELDS = frozenset(
    {
        "name",
        "owner",
        "segment",
        "status",
        "source",
        "industry",
        "region",
        "city",
        "postal_code",
        "website",
        "phone",
        "notes",
    }
)
CONTACT_FIELDS = frozenset({"first_name", "last_name", "job_title", "email", "phone", "is_primary"})


def _check_fields(*, fields: dict, allowed: frozenset) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in unknown})


def _check_owner_assignable(*, owner: User | None, by: User) -> None:
    """The owner must be someone `by` may hand a customer to (a rep: only themself)."""
    from accounts.selectors import assignable_owners_for

    if owner is None:
        raise ValidationError({"owner": _("Choose who owns this customer.")})
    if not assignable_owners_for(user=by).filter(pk=owner.pk).exists():
        raise ValidationError(
            {"owner": _("You cannot assign customers to %(owner)s.") % {"owner": owner}}
        )


@transaction.atomic
def customer_create(
    *, by: User, log_source: OwnershipChangeSource = OwnershipChangeSource.EDIT, **fields
) -> Customer:
    """Create a customer owned by `fields["owner"]` (default: `by`) and open its ownership
    log with the first owner, so the timeline shows who it started with. `log_source`
    (edit/api/import) is the log's source; `source` stays the customer's own field."""
    _check_fields(fields=fields, allowed=CUSTOMER_FIELDS)
    defaulted = fields.get("owner") is None
    fields["owner"] = fields.get("owner") or by
    try:
        _check_owner_assignable(owner=fields["owner"], by=by)
    except ValidationError:
        if defaulted:  # e.g. an admin, who owns no portfolio: ask, don't blame
            raise ValidationError({"owner": _("Choose who owns this customer.")}) from None
        raise
    customer = Customer(**fields)
    customer.full_clean()
    customer.save()
    _log_owner_change(obj=customer, from_user_id=None, by=by, source=log_source)
    return customer


def _log_owner_change(
    *,
    obj: Customer | Deal,
    from_user_id: int | None,
    by: User,
    source: OwnershipChangeSource,
    at=None,
) -> None:
    """One customer's or deal's change of hands in the ownership log (nothing when the
    owner stayed)."""
    is_deal = isinstance(obj, Deal)
    move = OwnerMove(
        object_type=OwnedObject.DEAL if is_deal else OwnedObject.CUSTOMER,
        object_id=obj.pk,
        object_repr=str(obj),
        customer_id=obj.customer_id if is_deal else obj.pk,
        from_user_id=from_user_id,
        to_user_id=obj.owner_id,
    )
    ownership_log_write(moves=[move], by=by, source=source, at=at)


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    by: User,
    log_source: OwnershipChangeSource = OwnershipChangeSource.EDIT,
    **fields,
) -> Customer:
    """Edit a customer. A new owner must be assignable by `by` and is logged from -> to;
    only the customer moves (moving a whole portfolio is the handover's job)."""
    _check_fields(fields=fields, allowed=CUSTOMER_FIELDS)
    previous_owner_id = customer.owner_id
    new_owner = fields.get("owner")
    if "owner" in fields and (new_owner is None or new_owner.pk != previous_owner_id):
        _check_owner_assignable(owner=new_owner, by=by)
    for name, value in fields.items():
        setattr(customer, name, value)
    customer.full_clean()
    customer.save()
    _log_owner_change(obj=customer, from_user_id=previous_owner_id, by=by, source=log_source)
    return customer


def _check_customer_visible(*, customer: Customer | None, by: User) -> None:
    from crm.selectors import customers_visible_to

    if customer is None or not customers_visible_to(user=by).filter(pk=customer.pk).exists():
        raise ValidationError({"customer": _("Choose one of your customers.")})


@transaction.atomic
def contact_create(*, by: User, customer: Customer, **fields) -> Contact:
    """Add a person at a customer the user may see."""
    _check_fields(fields=fields, allowed=CONTACT_FIELDS)
    _check_customer_visible(customer=customer, by=by)
    contact = Contact(customer=customer, **fields)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, by: User, **fields) -> Contact:
    """Edit a contact; moving it to another customer needs that customer in scope too."""
    _check_fields(fields=fields, allowed=CONTACT_FIELDS | {"customer"})
    if "customer" in fields and fields["customer"] != contact.customer:
        _check_customer_visible(customer=fields["customer"], by=by)
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, by: User) -> None:
    """Remove a contact (the caller has already found it through the scoped selector)."""
    _check_customer_visible(customer=contact.customer, by=by)
    contact.delete()


KEY_CUSTOMERS_SQL = """
    WITH converted AS (
        SELECT d.customer_id,
               CASE WHEN d.currency = %s THEN d.amount
                    ELSE d.amount * (SELECT r.rate FROM {rate} r
                                      WHERE r.currency = d.currency AND r.valid_from <= d.closed_at
                                      ORDER BY r.valid_from DESC LIMIT 1)
               END AS amount
        FROM {deal} d
        WHERE d.stage_id = %s AND d.closed_at >= %s AND d.closed_at <= %s
    ), revenue AS (
        SELECT customer_id, SUM(amount) AS rev
        FROM converted
        GROUP BY customer_id
        HAVING SUM(amount) > 0
    ), ranked AS (
        SELECT customer_id,
               SUM(rev) OVER (ORDER BY rev DESC) - SUM(rev) OVER (PARTITION BY rev) AS before,
               SUM(rev) OVER () AS total
        FROM revenue
    )
    SELECT customer_id FROM ranked WHERE before < total * %s
"""


def recompute_key_customers(*, today: date | None = None) -> int:
    """Flag the customers that together bring CRM_KEY_CUSTOMER_SHARE (80%) of the won
    revenue closed in the last 365 days; returns how many are key now.

    Customers are ranked by that revenue, highest first; a customer is key when the revenue
    of everyone ranked strictly above it is still below 80% of the total. Customers with
    the same revenue are treated alike (all key or none); zero revenue is never key.
    Ranked in SQL with window functions, written by two UPDATEs in one transaction.
    """
    today = today or timezone.localdate()
    share = Decimal(str(settings.CRM_KEY_CUSTOMER_SHARE))
    # Revenue in the company currency at each deal's close-date rate (crm.currency); a deal
    # in a currency without a rate is left out.
    key_sql = KEY_CUSTOMERS_SQL.format(deal=Deal._meta.db_table, rate=ExchangeRate._meta.db_table)
    params = [company_currency(), DealStage.WON, today - timedelta(days=365), today, share]
    table = Customer._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET is_key = %s WHERE is_key = %s AND id IN ({key_sql})",
            [True, False, *params],
        )
        cursor.execute(
            f"UPDATE {table} SET is_key = %s WHERE is_key = %s AND id NOT IN ({key_sql})",
            [False, True, *params],
        )
    return Customer.objects.filter(is_key=True).count()
