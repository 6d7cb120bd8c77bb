"""Executing, scheduling and undoing a handover (issue 6, engineer 6B).

Execution is one transaction: the handover row is locked and its status moves draft/scheduled
-> done exactly once, so a retry or a second concurrent run changes nothing. The moving rows
are locked in primary-key order (no deadlock with another writer taking them in the same
order), then reassigned with one bulk UPDATE per receiver and kind, logged in one bulk insert,
and the intro tasks are created in one bulk insert: the number of queries depends on the
number of receivers, never on the size of the portfolio.

What moves where comes from the plan (HandoverAssignment per customer, ItemOverride per deal
or task). Items the plan does not cover are caught here and assigned by the default rule:
  - a customer of the departing rep without an assignment (added during the notice period):
    the active rep with the smallest portfolio, same team first; the assignment is saved and
    the customer listed in the report as caught late;
  - an open deal or task of the departing rep on a customer they do not own: to the
    customer's owner when that is an active receiver candidate, else by the same default rule.
Closed deals keep their owner (and credited_to): commission and history stay true, and the new
customer owner still sees them (crm.selectors.deals_visible_to shows every deal on a customer
in the user's portfolio).
"""

import json
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from accounts.models import User
from accounts.selectors import email_language_of
from activities.models import Task
from activities.weeks import user_tz
from crm.choices import OPEN_STAGES, OwnedObject, OwnershipChangeSource
from crm.models import Contact, Customer, Deal, OwnershipChange
from crm.services import OwnerMove, ownership_log_write
from handover.choices import HandoverStatus
from handover.models import Handover, HandoverAssignment
from handover.selectors import (
    HandoverPreview,
    ItemMove,
    can_manage_handover,
    handover_preview,
    key_customers_without_note,
)

UNDO_WINDOW = timedelta(days=30)
INTRO_TASK_WORKING_DAYS = 5
# The intro task is written in the language of whoever executes (the title is stored).
INTRO_TASK_TITLE = gettext_lazy("Introduce yourself to %(name)s, confirm continuity")


# --- Who may act ----------------------------------------------------------------------


def can_execute_handover(*, user: User, handover: Handover) -> bool:
    """Admins, and the departing rep's own manager (the manager of the rep's team)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return can_manage_handover(user=user, handover=handover)


def can_undo_handover(*, user: User) -> bool:
    """Undoing a done handover is for admins only (sales ops owns the audit trail)."""
    return bool(user.is_authenticated and user.is_active and user.is_admin)


# --- Time helpers ----------------------------------------------------------------------


def last_day_end(*, handover: Handover) -> datetime:
    """23:59:59 of the last working day in the departing rep's team time zone."""
    tz = user_tz(handover.departing_rep)
    return datetime.combine(handover.last_day, time(23, 59, 59), tzinfo=tz)


def add_working_days(*, start: date, days: int) -> date:
    """`start` plus `days` working days (Monday to Friday)."""
    current = start
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


# --- The execution ---------------------------------------------------------------------


def _lock_portfolio(*, rep_id: int) -> None:
    """Lock the rows that move, in primary-key order (ids only), so nobody changes them
    between the preview and the UPDATEs, and two writers never deadlock on them."""
    for qs in (
        Customer.objects.filter(owner_id=rep_id),
        Deal.objects.filter(owner_id=rep_id, stage_id__in=OPEN_STAGES),
        Task.objects.filter(assignee_id=rep_id, done=False),
    ):
        list(qs.select_for_update().order_by("pk").values_list("pk", flat=True))


def _bulk_reassign(*, model, owner_field: str, moves: list[ItemMove], rep_id: int, at) -> None:
    """Give each row its receiver; only rows the departing rep still holds are touched.

    PostgreSQL: one UPDATE ... FROM json_to_recordset(pairs) per model, whatever the number
    of rows or receivers (a 20,000-id IN list per receiver took ~250 ms to plan and run).
    Elsewhere: one ORM UPDATE per receiver."""
    if not moves:
        return
    column = model._meta.get_field(owner_field.removesuffix("_id")).column
    touch = any(f.name == "updated_at" for f in model._meta.fields)
    if connection.vendor == "postgresql":
        pairs = json.dumps([{"id": m.object_id, "to_id": m.to_user_id} for m in moves])
        sql = (
            f"UPDATE {model._meta.db_table} AS t SET {column} = v.to_id"
            + (", updated_at = %s" if touch else "")
            + " FROM json_to_recordset(%s::json) AS v(id bigint, to_id bigint)"
            f" WHERE t.id = v.id AND t.{column} = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*([at] if touch else []), pairs, rep_id])
        return
    by_receiver: dict[int, list[int]] = defaultdict(list)
    for move in moves:
        by_receiver[move.to_user_id].append(move.object_id)
    extra = {"updated_at": at} if touch else {}
    for to, ids in by_receiver.items():
        model.objects.filter(pk__in=ids, **{owner_field: rep_id}).update(
            **{owner_field: to}, **extra
        )


@transaction.atomic
def handover_execute(
    *,
    handover: Handover,
    by: User,
    at: datetime | None = None,
    waive_notes_reason: str = "",
) -> Handover:
    """Move the departing rep's whole portfolio to the receivers, all or nothing, exactly as
    handover.selectors.handover_preview says (the single source of truth for what moves
    where; customers the plan missed are placed by the default rule and listed as caught
    late).

    Safe to retry: a done handover is returned unchanged. Refuses (ValidationError) when key
    customers lack a knowledge-transfer note, unless waived with a reason (kept on the
    handover). After commit each receiver is emailed their list; the departing rep is shut
    out now when the last day is over, else by a Celery task at its end."""
    at = at or timezone.now()
    handover = (
        Handover.objects.select_for_update(of=("self",))
        .select_related("departing_rep__team")
        .get(pk=handover.pk)
    )
    if handover.status == HandoverStatus.DONE:
        return handover
    if handover.status not in (HandoverStatus.DRAFT, HandoverStatus.SCHEDULED):
        raise ValidationError({"status": _status_refusal(handover, scheduling=False)})
    if not can_execute_handover(user=by, handover=handover):
        raise PermissionDenied(_("Only an admin or the rep's manager can execute this handover."))
    rep = handover.departing_rep
    waive = (waive_notes_reason or handover.notes_waived_reason or "").strip()

    _lock_portfolio(rep_id=rep.pk)
    missing = list(key_customers_without_note(handover=handover).values_list("name", flat=True))
    if missing and not waive:
        raise ValidationError(
            {
                "waive_notes_reason": _(
                    "These key customers have no knowledge-transfer note yet: %(customers)s. "
                    "Ask the rep to write them, or waive them with a reason."
                )
                % {"customers": ", ".join(missing)}
            }
        )
    preview = handover_preview(handover=handover, by=by)
    if preview.unplaced:
        raise ValidationError(
            {
                # Translators: English keeps "items" for one too; give your language's
                # proper singular and plural.
                "receiver": ngettext(
                    "%(count)s items have no active rep to receive them; "
                    "add a rep to the team or change the plan first.",
                    "%(count)s items have no active rep to receive them; "
                    "add a rep to the team or change the plan first.",
                    len(preview.unplaced),
                )
                % {"count": len(preview.unplaced)}
            }
        )

    _bulk_reassign(
        model=Customer, owner_field="owner_id", moves=preview.customers, rep_id=rep.pk, at=at
    )
    _bulk_reassign(model=Deal, owner_field="owner_id", moves=preview.deals, rep_id=rep.pk, at=at)
    _bulk_reassign(model=Task, owner_field="assignee_id", moves=preview.tasks, rep_id=rep.pk, at=at)
    receiver_of = {m.object_id: m.to_user_id for m in preview.customers}
    if preview.defaulted:
        HandoverAssignment.objects.bulk_create(
            [
                HandoverAssignment(
                    handover=handover, customer_id=pk, receiver_id=receiver_of[pk], proposed=True
                )
                for pk in preview.defaulted
            ],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["handover", "customer"],
            update_fields=["receiver", "proposed"],
        )

    # The ownership log: every change of owner, one insert. Contacts have no owner of their
    # own (they follow their customer, whose move is logged): the report lists them.
    labels = preview.labels
    kinds = (
        (OwnedObject.CUSTOMER, preview.customers),
        (OwnedObject.DEAL, preview.deals),
        (OwnedObject.TASK, preview.tasks),
    )
    ownership_log_write(
        moves=[
            OwnerMove(
                kind,
                m.object_id,
                labels.get((kind.value, m.object_id), ""),
                m.customer_id,
                m.from_user_id,
                m.to_user_id,
            )
            for kind, moves in kinds
            for m in moves
        ],
        by=by,
        source=OwnershipChangeSource.HANDOVER,
        reference=f"handover {handover.pk}",
        at=at,
        handover=handover,
    )

    # Intro tasks: one per key customer, for its new owner, due 5 working days from the
    # execution day (in the team's time zone: receivers are the departing rep's teammates).
    intro_due = add_working_days(
        start=timezone.localtime(at, user_tz(rep)).date(), days=INTRO_TASK_WORKING_DAYS
    )
    intro = Task.objects.bulk_create(
        [
            Task(
                title=(str(INTRO_TASK_TITLE) % {"name": t.customer_name})[:200],
                customer_id=t.customer_id,
                assignee_id=t.to_user_id,
                created_by=by,
                due_date=intro_due,
            )
            for t in preview.intro_tasks
        ]
    )

    deactivate_at = last_day_end(handover=handover)
    deactivate_now = at >= deactivate_at
    handover.report = _execution_report(
        preview=preview,
        intro=intro,
        at=at,
        by=by,
        missing=missing,
        deactivation={
            "at": deactivate_at.isoformat(),
            "done": deactivate_now,
            "was_active": rep.is_active,
        },
    )
    handover.status = HandoverStatus.DONE
    handover.executed_at = at
    handover.executed_by = by
    if missing:
        handover.notes_waived_reason = waive
    handover.save(
        update_fields=["status", "executed_at", "executed_by", "notes_waived_reason", "report"]
    )

    from handover import tasks as handover_tasks

    if deactivate_now:
        from accounts.services import user_deactivate

        if rep.is_active:
            user_deactivate(user=rep)
    else:
        transaction.on_commit(
            lambda: handover_tasks.deactivate_departing_rep.apply_async(
                args=[handover.pk], eta=deactivate_at
            )
        )
    transaction.on_commit(lambda: handover_tasks.notify_receivers.delay(handover.pk))
    return handover


def _execution_report(
    *, preview: HandoverPreview, intro: list[Task], at, by: User, missing, deactivation
) -> dict:
    """What moved where, per receiver, with ids and names (JSON for the report page,
    the CSV, the receivers' emails and the undo)."""
    labels = preview.labels
    key = {t.customer_id for t in preview.intro_tasks}
    defaulted = set(preview.defaulted)
    lots: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for m in preview.customers:
        lots[m.to_user_id]["customers"].append(
            {
                "id": m.object_id,
                "name": labels.get(("customer", m.object_id), ""),
                "is_key": m.object_id in key,
                "late": m.object_id in defaulted,
            }
        )
    for kind, moves in (("deals", preview.deals), ("tasks", preview.tasks)):
        for m in moves:
            lots[m.to_user_id][kind].append(
                {
                    "id": m.object_id,
                    "name": labels.get((kind[:-1], m.object_id), ""),
                    "customer_id": m.customer_id,
                }
            )
    for m in preview.contacts:
        lots[m.to_user_id]["contacts"].append(
            {
                "id": m.object_id,
                "name": labels.get(("contact", m.object_id), ""),
                "customer_id": m.customer_id,
            }
        )
    for task in intro:
        lots[task.assignee_id]["intro_tasks"].append(
            {"id": task.pk, "name": task.title, "customer_id": task.customer_id}
        )
    receivers = preview.receivers
    kinds = ("customers", "deals", "tasks", "contacts", "intro_tasks")
    return {
        "executed_at": at.isoformat(),
        "executed_by": by.pk,
        "departing_rep": preview.departing_rep_id,
        "receivers": [
            {"id": pk, "name": str(receivers[pk]), **{k: lot.get(k, []) for k in kinds}}
            for pk, lot in sorted(lots.items(), key=lambda item: str(receivers[item[0]]))
        ],
        "late_customers": [
            {
                "id": pk,
                "name": labels.get(("customer", pk), ""),
                "receiver_id": next(m.to_user_id for m in preview.customers if m.object_id == pk),
            }
            for pk in preview.defaulted
        ],
        "counts": {
            "customers": len(preview.customers),
            "deals": len(preview.deals),
            "tasks": len(preview.tasks),
            "contacts": len(preview.contacts),
            "intro_tasks": len(intro),
            "closed_deals_staying": len(preview.closed_deals_staying),
        },
        "notes_missing": missing,
        "deactivation": deactivation,
    }


# --- Scheduling ------------------------------------------------------------------------


@transaction.atomic
def handover_schedule(
    *, handover: Handover, by: User, at: datetime, waive_notes_reason: str = ""
) -> Handover:
    """Execute the handover at `at` (e.g. the last day): status scheduled, a Celery task
    with that ETA queued once the transaction commits. The task runs handover_execute as
    `by`; if the notes are still missing then, the failure is kept in the report."""
    handover = Handover.objects.select_for_update(of=("self",)).get(pk=handover.pk)
    if not can_execute_handover(user=by, handover=handover):
        raise PermissionDenied(_("Only an admin or the rep's manager can schedule this handover."))
    if handover.status not in (HandoverStatus.DRAFT, HandoverStatus.SCHEDULED):
        raise ValidationError({"status": _status_refusal(handover, scheduling=True)})
    if timezone.is_naive(at):
        raise ValidationError({"at": _("Give the time with its time zone offset.")})
    handover.status = HandoverStatus.SCHEDULED
    handover.scheduled_for = at
    if waive_notes_reason.strip():
        handover.notes_waived_reason = waive_notes_reason.strip()
    handover.report = {**(handover.report or {}), "scheduled_by": by.pk}
    handover.save(update_fields=["status", "scheduled_for", "notes_waived_reason", "report"])
    from handover import tasks as handover_tasks

    transaction.on_commit(
        lambda: handover_tasks.execute_handover.apply_async(args=[handover.pk], eta=at)
    )
    return handover


def _status_refusal(handover: Handover, *, scheduling: bool) -> str:
    """Why a handover in this status can be neither executed nor scheduled (one whole
    sentence per status, so translators can word each one)."""
    if handover.status == HandoverStatus.DONE:
        if scheduling:
            return _("A done handover cannot be scheduled.")
        return _("A done handover cannot be executed.")
    if handover.status == HandoverStatus.REVERSED:
        if scheduling:
            return _("A reversed handover cannot be scheduled.")
        return _("A reversed handover cannot be executed.")
    status = handover.get_status_display().lower()
    if scheduling:
        return _("A %(status)s handover cannot be scheduled.") % {"status": status}
    return _("A %(status)s handover cannot be executed.") % {"status": status}


def handover_execute_or_schedule(
    *,
    handover: Handover,
    by: User,
    at: datetime | None = None,
    waive_notes_reason: str = "",
) -> tuple[Handover, bool]:
    """No `at`, or a moment already past: execute now. A future `at`: schedule.
    Returns (handover, scheduled)."""
    if at is not None and at > timezone.now():
        return (
            handover_schedule(
                handover=handover, by=by, at=at, waive_notes_reason=waive_notes_reason
            ),
            True,
        )
    return (
        handover_execute(handover=handover, by=by, waive_notes_reason=waive_notes_reason),
        False,
    )


def handover_run_scheduled(*, handover_id: int) -> str:
    """What the scheduled Celery task does: execute if still scheduled (a cancelled, done or
    reversed handover is left alone), keeping any refusal in the report for the admin."""
    handover = Handover.objects.select_related("departing_rep__team").filter(pk=handover_id).first()
    if handover is None or handover.status != HandoverStatus.SCHEDULED:
        return "skipped"
    if handover.scheduled_for and timezone.now() < handover.scheduled_for - timedelta(minutes=1):
        return "not yet"  # delivered early (an eager run in development): do nothing yet
    by = User.objects.filter(pk=(handover.report or {}).get("scheduled_by")).first()
    by = by or handover.created_by
    try:
        if by is None:
            raise PermissionDenied(_("Nobody who scheduled it can still execute it."))
        handover_execute(handover=handover, by=by)
    except (ValidationError, PermissionDenied) as exc:
        message = " ".join(getattr(exc, "messages", None) or [str(exc)])
        Handover.objects.filter(pk=handover.pk).update(
            report={**(handover.report or {}), "execution_error": message}
        )
        return "refused"
    return "done"


def handover_deactivate_if_due(*, handover_id: int, now: datetime | None = None) -> bool:
    """What the end-of-last-day task does: shut the departing rep out if the handover is
    still done (an undone handover leaves them alone) and the last day is over."""
    from accounts.services import user_deactivate

    now = now or timezone.now()
    handover = Handover.objects.select_related("departing_rep__team").filter(pk=handover_id).first()
    if handover is None or handover.status != HandoverStatus.DONE:
        return False
    if now < last_day_end(handover=handover) or not handover.departing_rep.is_active:
        return False
    user_deactivate(user=handover.departing_rep)
    report = dict(handover.report or {})
    report["deactivation"] = {**report.get("deactivation", {}), "done": True}
    Handover.objects.filter(pk=handover.pk).update(report=report)
    return True


# --- Undo ------------------------------------------------------------------------------


# Why an item stayed with its receiver: kept in English in the report (JSON, CSV, API) and
# translated where the report page shows them ({% translate item.reason %}).
REASON_DELETED = gettext_noop("deleted since")
REASON_MOVED_AGAIN = gettext_noop("changed owner again since")
REASON_CLOSED = gettext_noop("closed since (the credit stays with whoever won it)")
REASON_DONE = gettext_noop("done since")
REASON_CUSTOMER_STAYS = gettext_noop("its customer stays with its new owner")

_MODEL_OF = {
    OwnedObject.CUSTOMER: (Customer, "owner_id"),
    OwnedObject.DEAL: (Deal, "owner_id"),
    OwnedObject.TASK: (Task, "assignee_id"),
}


@transaction.atomic
def handover_undo(
    *, handover: Handover, by: User, reactivate: bool = False, at: datetime | None = None
) -> Handover:
    """Give back, within 30 days, every item that still sits with the receiver it was given
    and has not changed owner since (no later entry in the ownership log). Closed deals,
    done tasks, deleted rows and items moved again are listed in the report, not touched.

    The items go back to the departing rep, so they must be active: if this handover
    deactivated them, the admin confirms with `reactivate=True` and they are reactivated
    (same password; tokens and sessions stay revoked). Intro tasks not yet done are deleted.
    """
    at = at or timezone.now()
    if not can_undo_handover(user=by):
        raise PermissionDenied(_("Only an admin can undo a handover."))
    handover = (
        Handover.objects.select_for_update(of=("self",))
        .select_related("departing_rep")
        .get(pk=handover.pk)
    )
    if handover.status != HandoverStatus.DONE:
        raise ValidationError({"status": _("Only a done handover can be undone.")})
    if handover.executed_at and at - handover.executed_at > UNDO_WINDOW:
        raise ValidationError(
            {
                "status": _(
                    "This handover was executed more than 30 days ago; it can no longer be undone."
                )
            }
        )
    rep = handover.departing_rep
    was_inactive = not rep.is_active
    if was_inactive:
        if not reactivate:
            raise ValidationError(
                {
                    "reactivate": _(
                        "%(rep)s has been deactivated. Confirm reactivating them to give "
                        "their portfolio back."
                    )
                    % {"rep": rep}
                }
            )
        from accounts.services import user_reactivate

        user_reactivate(user=rep)

    later = OwnershipChange.objects.filter(
        object_type=OuterRef("object_type"), object_id=OuterRef("object_id"), pk__gt=OuterRef("pk")
    )
    moved = list(
        OwnershipChange.objects.filter(handover=handover, source=OwnershipChangeSource.HANDOVER)
        .annotate(moved_again=Exists(later))
        .order_by("pk")
        .values_list(
            "object_type", "object_id", "object_repr", "customer_id", "to_user_id", "moved_again"
        )
    )
    ids = defaultdict(list)
    for kind, pk, *_rest in moved:
        ids[kind].append(pk)
    current = {
        kind: {
            row[0]: row[1:]
            for row in model.objects.select_for_update()
            .filter(pk__in=ids[kind])
            .order_by("pk")
            .values_list("pk", owner_field, *_state_fields(kind))
        }
        for kind, (model, owner_field) in _MODEL_OF.items()
    }
    back: dict[str, list[int]] = defaultdict(list)
    not_back: list[dict] = []
    moves: list[OwnerMove] = []
    for kind, pk, label, customer_id, to_id, moved_again in moved:
        if kind not in _MODEL_OF:
            continue  # contacts follow their customer
        reason = ""
        row = current[kind].get(pk)
        if row is None:
            reason = REASON_DELETED
        elif moved_again or row[0] != to_id:
            reason = REASON_MOVED_AGAIN
        elif kind == OwnedObject.DEAL and row[1] not in OPEN_STAGES:
            reason = REASON_CLOSED
        elif kind == OwnedObject.TASK and row[1]:
            reason = REASON_DONE
        if reason:
            not_back.append({"type": kind, "id": pk, "name": label, "reason": reason})
            continue
        back[kind].append(pk)
        moves.append(OwnerMove(kind, pk, label, customer_id, to_id, rep.pk))

    # Deals and tasks of a customer that moved with this handover follow it:
    # if the customer stays with its new owner, so do they.
    moved_customers = set(ids[OwnedObject.CUSTOMER])
    returned_customers = set(back[OwnedObject.CUSTOMER])
    kept = {
        (m.object_type, m.object_id)
        for m in moves
        if m.object_type != OwnedObject.CUSTOMER
        and m.customer_id in moved_customers
        and m.customer_id not in returned_customers
    }
    if kept:
        not_back += [
            {
                "type": m.object_type,
                "id": m.object_id,
                "name": m.object_repr,
                "reason": REASON_CUSTOMER_STAYS,
            }
            for m in moves
            if (m.object_type, m.object_id) in kept
        ]
        moves = [m for m in moves if (m.object_type, m.object_id) not in kept]
        back = defaultdict(list)
        for m in moves:
            back[m.object_type].append(m.object_id)

    for kind, (model, owner_field) in _MODEL_OF.items():
        if back[kind]:
            model.objects.filter(pk__in=back[kind]).update(**{owner_field: rep.pk})
    ownership_log_write(
        moves=moves,
        by=by,
        source=OwnershipChangeSource.HANDOVER_UNDO,
        reference=f"handover {handover.pk} undone",
        at=at,
        handover=handover,
    )
    intro_ids = [
        t["id"]
        for r in (handover.report or {}).get("receivers", [])
        for t in r.get("intro_tasks", [])
    ]
    deleted_intro, _per_model = Task.objects.filter(pk__in=intro_ids, done=False).delete()

    report = dict(handover.report or {})
    report["undo"] = {
        "at": at.isoformat(),
        "by": by.pk,
        "reactivated": was_inactive,
        "returned": {
            **{kind: len(back[kind]) for kind in _MODEL_OF},
            # contacts have no owner: they went back with their customer
            OwnedObject.CONTACT.value: Contact.objects.filter(
                customer_id__in=back[OwnedObject.CUSTOMER]
            ).count(),
        },
        "not_returned": not_back,
        "intro_tasks_deleted": deleted_intro,
    }
    handover.report = report
    handover.status = HandoverStatus.REVERSED
    handover.reversed_at = at
    handover.reversed_by = by
    handover.save(update_fields=["report", "status", "reversed_at", "reversed_by"])
    return handover


def _state_fields(kind: str) -> tuple[str, ...]:
    if kind == OwnedObject.DEAL:
        return ("stage_id",)
    if kind == OwnedObject.TASK:
        return ("done",)
    return ()


# --- Telling the receivers -------------------------------------------------------------


def handover_notify_receivers(*, handover_id: int) -> int:
    """Email each receiver the customers, deals, tasks, contacts and intro tasks they now
    own (from the stored report, so a retry sends the same list). Returns emails sent."""
    from django.conf import settings
    from django.core.mail import send_mass_mail
    from django.template.loader import render_to_string

    handover = Handover.objects.select_related("departing_rep").filter(pk=handover_id).first()
    if handover is None or handover.status != HandoverStatus.DONE:
        return 0
    lots = (handover.report or {}).get("receivers", [])
    emails = User.objects.in_bulk([lot["id"] for lot in lots])
    messages = []
    for lot in lots:
        receiver = emails.get(lot["id"])
        if receiver is None or not receiver.email:
            continue
        context = {"handover": handover, "receiver": receiver, "lot": lot}
        # In the receiver's own language when their profile names one, else the default.
        with translation.override(email_language_of(user=receiver)):
            count = len(lot["customers"])
            # Translators: English keeps "customers" for one too; give your language's
            # proper singular and plural.
            subject = ngettext(
                "You now look after %(count)s customers of %(rep)s",
                "You now look after %(count)s customers of %(rep)s",
                count,
            ) % {"count": count, "rep": handover.departing_rep}
            body = render_to_string("handover/email/receiver.txt", context)
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [receiver.email]))
    return send_mass_mail(messages, fail_silently=False) if messages else 0
