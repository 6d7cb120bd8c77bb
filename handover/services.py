"""Writes of the handover. Area 6A: starting one, its plan (proposal, overrides, bulk
assignment) and the knowledge-transfer notes. Area 6B: execution and undo (below)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from crm.choices import OPEN_STAGES
from crm.models import Customer, Deal
from handover.choices import HandoverReason, HandoverStatus
from handover.models import Handover, HandoverAssignment, ItemOverride, KnowledgeNote
from handover.selectors import (
    OPEN_STATUSES,
    can_manage_handover,
    can_manage_handover_of,
    propose_receivers,
    receivers_for,
    unassigned_customers,
)

# --- Start, plan and notes (area 6A) -----------------------------------------------------


def _check_manager(*, handover: Handover, by: User) -> None:
    if not can_manage_handover(user=by, handover=handover):
        raise PermissionDenied(
            _("Only an admin or the rep's own manager may change this handover.")
        )


def ensure_plan_open(*, handover: Handover) -> None:
    """ValidationError({"handover": ...}) once the handover is done or reversed."""
    if handover.status not in OPEN_STATUSES:
        if handover.status == HandoverStatus.DONE:
            message = _("This handover is done: its plan can no longer change.")
        elif handover.status == HandoverStatus.REVERSED:
            message = _("This handover is reversed: its plan can no longer change.")
        else:
            message = _("This handover is %(status)s: its plan can no longer change.") % {
                "status": handover.get_status_display().lower()
            }
        raise ValidationError({"handover": message})


@transaction.atomic
def handover_start(
    *,
    departing_rep: User | None,
    last_day: date | None,
    reason: str,
    reason_detail: str = "",
    by: User,
) -> Handover:
    """Open a handover for a rep who is leaving and draft its plan right away, so the
    manager starts from a balanced proposal instead of an empty page.

    Only admins and the rep's own manager may; the rep must be an active rep without an
    open handover; the last day cannot be in the past."""
    errors: dict[str, str] = {}
    if departing_rep is None:
        errors["departing_rep"] = _("Choose the rep who is leaving.")
    elif not can_manage_handover_of(user=by, rep=departing_rep):
        raise PermissionDenied(_("Only an admin or the rep's own manager may start a handover."))
    elif not (departing_rep.is_active and departing_rep.is_rep):
        errors["departing_rep"] = _("Only an active rep can be handed over.")
    elif Handover.objects.filter(departing_rep=departing_rep, status__in=OPEN_STATUSES).exists():
        errors["departing_rep"] = _("%(rep)s already has an open handover.") % {
            "rep": departing_rep
        }
    if last_day is None:
        errors["last_day"] = _("Give the last working day.")
    elif last_day < timezone.localdate():
        errors["last_day"] = _("The last day cannot be in the past.")
    if reason not in HandoverReason.values:
        errors["reason"] = _("Choose why the rep is leaving.")
    elif reason == HandoverReason.OTHER and not (reason_detail or "").strip():
        errors["reason_detail"] = _("Say why, when the reason is “other”.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            handover = Handover.objects.create(
                departing_rep=departing_rep,
                last_day=last_day,
                reason=reason,
                reason_detail=(reason_detail or "").strip(),
                created_by=by,
            )
    except IntegrityError:  # a concurrent start won the race
        raise ValidationError(
            {"departing_rep": _("%(rep)s already has an open handover.") % {"rep": departing_rep}}
        ) from None
    handover_propose_plan(handover=handover, by=by)
    return handover


@transaction.atomic
def handover_propose_plan(*, handover: Handover, by: User) -> int:
    """Give every customer of the departing rep that the plan does not cover yet a
    receiver by the default rule (same team first, balancing value and count), in one bulk
    insert. Returns how many were assigned. Existing choices are never touched."""
    rows = unassigned_customers(handover=handover).values_list(
        "pk", "open_value", "territory_id", "territory__team_id"
    )
    loose, territories = [], {}
    for pk, value, territory_id, team_id in rows:
        loose.append((pk, value))
        if territory_id:
            territories[pk] = (territory_id, team_id)
    if not loose:
        return 0
    chosen = propose_receivers(
        departing_rep=handover.departing_rep, customers=loose, by=by, territories=territories
    )
    rows = [
        HandoverAssignment(handover=handover, customer_id=cid, receiver_id=rid, proposed=True)
        for cid, rid in chosen.items()
    ]
    HandoverAssignment.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def _receivers_by_id(*, handover: Handover, ids: set[int], by: User) -> dict[int, User]:
    if not ids:
        return {}
    return receivers_for(departing_rep=handover.departing_rep, by=by).in_bulk(list(ids))


def _repeats(keys) -> set[int]:
    """Indexes of the entries whose key an earlier entry already gave (None: no key)."""
    seen, repeats = set(), set()
    for index, key in enumerate(keys):
        if key is not None and key in seen:
            repeats.add(index)
        seen.add(key)
    return repeats


def _receiver_error(*, row: int, receiver, by: User) -> str:
    """A plan row naming someone who may not receive work (admins: any active rep;
    managers: an active rep of their team)."""
    values = {"row": row, "receiver": receiver}
    if by.is_admin:
        return (
            _("Row %(row)s: receiver %(receiver)s is not an active rep who can receive work.")
            % values
        )
    return (
        _(
            "Row %(row)s: receiver %(receiver)s is not an active rep who can receive work in your "
            "team."
        )
        % values
    )


@transaction.atomic
def handover_plan_update(
    *,
    handover: Handover,
    assignments: list[dict] | None = None,
    overrides: list[dict] | None = None,
    by: User,
) -> dict[str, int]:
    """Change the plan: per-customer receivers ({"customer", "receiver"}) and per-item
    overrides ({"kind": "deal"|"task", "object_id", "receiver"}; receiver None removes the
    override, so the item follows its customer again). All or nothing: every entry is
    validated first and any error changes nothing. A customer a person assigned is no
    longer "proposed". Fixed number of queries whatever the number of entries."""
    from activities.models import Task

    _check_manager(handover=handover, by=by)
    ensure_plan_open(handover=handover)
    assignments, overrides = list(assignments or []), list(overrides or [])
    errors: dict[str, list[str]] = {}
    receiver_ids = {e.get("receiver") for e in [*assignments, *overrides]} - {None}
    bad_ids = {r for r in receiver_ids if not isinstance(r, int) or isinstance(r, bool)}
    receivers = _receivers_by_id(handover=handover, ids=receiver_ids - bad_ids, by=by)
    rep_id = handover.departing_rep_id
    customer_ids = {e.get("customer") for e in assignments}
    portfolio = set(
        Customer.objects.filter(
            owner_id=rep_id, pk__in=[c for c in customer_ids if _is_id(c)]
        ).values_list("pk", flat=True)
    ) | set(
        HandoverAssignment.objects.filter(
            handover=handover, customer_id__in=[c for c in customer_ids if _is_id(c)]
        ).values_list("customer_id", flat=True)
    )
    # JSON may hold anything, lists included: only ids can repeat
    twice = _repeats(e.get("customer") if _is_id(e.get("customer")) else None for e in assignments)
    for i, entry in enumerate(assignments):
        cid, rid = entry.get("customer"), entry.get("receiver")
        if i in twice:
            errors.setdefault("assignments", []).append(
                _("Row %(row)s: customer %(customer)s is given twice; give each customer once.")
                % {"row": i + 1, "customer": cid}
            )
        if not _is_id(cid) or cid not in portfolio:
            errors.setdefault("assignments", []).append(
                _("Row %(row)s: customer %(customer)s is not in this handover.")
                % {"row": i + 1, "customer": cid}
            )
        if not _is_id(rid) or rid not in receivers:
            errors.setdefault("assignments", []).append(
                _receiver_error(row=i + 1, receiver=rid, by=by)
            )
    deal_ids = {e.get("object_id") for e in overrides if e.get("kind") == "deal"}
    task_ids = {e.get("object_id") for e in overrides if e.get("kind") == "task"}
    own_deals = set(
        Deal.objects.filter(
            owner_id=rep_id, stage_id__in=OPEN_STAGES, pk__in=[d for d in deal_ids if _is_id(d)]
        ).values_list("pk", flat=True)
    )
    own_tasks = set(
        Task.objects.filter(
            assignee_id=rep_id, done=False, pk__in=[t for t in task_ids if _is_id(t)]
        ).values_list("pk", flat=True)
    )
    twice = _repeats(
        (e.get("kind"), e.get("object_id"))
        if _is_id(e.get("object_id")) and e.get("kind") in ItemOverride.Kind.values
        else None
        for e in overrides
    )
    for i, entry in enumerate(overrides):
        kind, oid, rid = entry.get("kind"), entry.get("object_id"), entry.get("receiver")
        if i in twice:
            errors.setdefault("overrides", []).append(
                (
                    _("Row %(row)s: deal %(id)s is given twice; give each item once.")
                    if kind == "deal"
                    else _("Row %(row)s: task %(id)s is given twice; give each item once.")
                )
                % {"row": i + 1, "id": oid}
            )
        if kind not in ItemOverride.Kind.values:
            errors.setdefault("overrides", []).append(
                _("Row %(row)s: kind must be “deal” or “task”.") % {"row": i + 1}
            )
        elif oid not in (own_deals if kind == "deal" else own_tasks):
            errors.setdefault("overrides", []).append(
                (
                    _("Row %(row)s: deal %(id)s is not an open deal of the departing rep.")
                    if kind == "deal"
                    else _("Row %(row)s: task %(id)s is not an open task of the departing rep.")
                )
                % {"row": i + 1, "id": oid}
            )
        if rid is not None and (not _is_id(rid) or rid not in receivers):
            errors.setdefault("overrides", []).append(
                _receiver_error(row=i + 1, receiver=rid, by=by)
            )
    if not assignments and not overrides:
        errors["assignments"] = [_("Nothing to change: give assignments or overrides.")]
    if errors:
        raise ValidationError(errors)

    chosen = {e["customer"]: e["receiver"] for e in assignments}
    if chosen:
        HandoverAssignment.objects.bulk_create(
            [
                HandoverAssignment(handover=handover, customer_id=c, receiver_id=r, proposed=False)
                for c, r in chosen.items()
            ],
            update_conflicts=True,
            unique_fields=["handover", "customer"],
            update_fields=["receiver", "proposed"],
        )
    removed = [(e["kind"], e["object_id"]) for e in overrides if e.get("receiver") is None]
    kept = {(e["kind"], e["object_id"]): e["receiver"] for e in overrides if e.get("receiver")}
    for kind in ItemOverride.Kind.values:
        ids = [oid for k, oid in removed if k == kind]
        if ids:
            ItemOverride.objects.filter(handover=handover, kind=kind, object_id__in=ids).delete()
    if kept:
        ItemOverride.objects.bulk_create(
            [
                ItemOverride(handover=handover, kind=k, object_id=oid, receiver_id=rid)
                for (k, oid), rid in kept.items()
            ],
            update_conflicts=True,
            unique_fields=["handover", "kind", "object_id"],
            update_fields=["receiver"],
        )
    return {"assignments": len(chosen), "overrides": len(kept), "removed": len(removed)}


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


@transaction.atomic
def handover_bulk_assign(
    *,
    handover: Handover,
    receiver: User | None,
    segment: str = "",
    is_key: bool | None = None,
    region: str = "",
    by: User,
) -> int:
    """Give every customer of the plan that matches the filter (segment, key flag, region;
    empty means any) to one receiver, in one UPDATE plus one bulk insert for customers the
    plan did not cover yet. Returns how many customers now go to the receiver."""
    _check_manager(handover=handover, by=by)
    ensure_plan_open(handover=handover)
    if (
        receiver is None
        or not receivers_for(departing_rep=handover.departing_rep, by=by)
        .filter(pk=receiver.pk)
        .exists()
    ):
        message = (
            _("Choose an active rep who can receive work.")
            if by.is_admin
            else _("Choose an active rep who can receive work in your team.")
        )
        raise ValidationError({"receiver": message})
    customers = Customer.objects.filter(owner_id=handover.departing_rep_id)
    if segment:
        customers = customers.filter(segment=segment)
    if is_key is not None:
        customers = customers.filter(is_key=is_key)
    if region:
        customers = customers.filter(region__iexact=region.strip())
    ids = list(customers.values_list("pk", flat=True))
    if not ids:
        raise ValidationError({"receiver": _("No customer of this handover matches the filter.")})
    HandoverAssignment.objects.bulk_create(
        [
            HandoverAssignment(handover=handover, customer_id=c, receiver=receiver, proposed=False)
            for c in ids
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["handover", "customer"],
        update_fields=["receiver", "proposed"],
    )
    return len(ids)


@transaction.atomic
def knowledge_note_save(
    *, handover: Handover, customer: Customer | None, text: str, by: User
) -> KnowledgeNote:
    """What the departing rep knows about a customer that is not in the records: one note
    per customer, written by the rep (or their manager/an admin), saved again to edit."""
    is_rep = by.pk == handover.departing_rep_id
    if not (is_rep or can_manage_handover(user=by, handover=handover)):
        raise PermissionDenied(_("Only the departing rep or their manager may write notes."))
    ensure_plan_open(handover=handover)
    errors = {}
    in_plan = customer is not None and (
        customer.owner_id == handover.departing_rep_id
        or HandoverAssignment.objects.filter(handover=handover, customer=customer).exists()
    )
    if not in_plan:
        errors["customer"] = _("Choose a customer of this handover.")
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Write what the next owner needs to know.")
    elif len(text) > 20000:
        errors["text"] = _("Keep the note under 20,000 characters.")
    if errors:
        raise ValidationError(errors)
    note, _created = KnowledgeNote.objects.update_or_create(
        handover=handover, customer=customer, defaults={"text": text, "written_by": by}
    )
    return note


# --- Lock now (issue 12) -----------------------------------------------------------------


@transaction.atomic
def handover_lock_now(*, handover: Handover, by: User) -> Handover:
    """End the departing rep's access at once, before the last day: the account is
    deactivated and every session and API token revoked in this one transaction (their
    next request is a 401 or the login page). The plan goes on; executing it later moves
    the portfolio as usual. Admins only; a handover that is done or reversed, or a rep
    already locked out, is refused with a reason."""
    from accounts.services import user_deactivate

    if not by.is_admin:
        raise PermissionDenied(_("Only an admin may lock a departing rep out at once."))
    handover = (
        Handover.objects.select_for_update().select_related("departing_rep").get(pk=handover.pk)
    )
    ensure_plan_open(handover=handover)
    rep = handover.departing_rep
    if handover.locked_at is not None or not rep.is_active:
        raise ValidationError({"handover": _("%(rep)s has no access left to lock.") % {"rep": rep}})
    user_deactivate(user=rep)
    handover.locked_at = timezone.now()
    handover.locked_by = by
    handover.save(update_fields=["locked_at", "locked_by"])
    return handover
