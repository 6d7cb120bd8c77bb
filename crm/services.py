"""Writes of the sales domain. Views, API viewsets, tasks and commands all call these."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from crm.choices import DealStage, OwnedObject, OwnershipChangeSource
from crm.models import Deal, DealStageChange, OwnershipChange, Stage


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
) -> int:
    """Append the moves to the ownership log in one bulk insert; returns how many."""
    at = at or timezone.now()
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
        )
        for m in moves
        if m.from_user_id != m.to_user_id
    ]
    OwnershipChange.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def deal_stage_requirements(
    *, stage: str, closed_at: date | None, lost_reason: str
) -> dict[str, str]:
    """Field errors for moving a deal into `stage`: won needs a close date, lost a reason."""
    errors = {}
    if stage == DealStage.WON and not closed_at:
        errors["closed_at"] = "A won deal needs its close date."
    if stage == DealStage.LOST and not (lost_reason or "").strip():
        errors["lost_reason"] = "A lost deal needs a reason."
    if closed_at and closed_at > timezone.localdate():
        errors["closed_at"] = "The close date cannot be in the future."
    return errors


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
        raise ValidationError({"stage": f"“{stage}” is not a pipeline stage."})
    closed_at = closed_at or (deal.closed_at if stage == deal.stage_id else None)
    lost_reason = lost_reason or (deal.lost_reason if stage == deal.stage_id else "")
    errors = deal_stage_requirements(stage=stage, closed_at=closed_at, lost_reason=lost_reason)
    if errors:
        raise ValidationError(errors)
    previous = deal.stage_id
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
    return deal
