"""Reads of the handover: who may see or run one, the plan page's rows, what is still
missing, and the preview that execution applies (the single source of truth for "what
moves where"). Every function here runs a fixed number of queries whatever the portfolio."""

import heapq
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from crm.choices import CLOSED_STAGES, OPEN_STAGES
from crm.currency import to_company
from crm.models import Contact, Customer, Deal
from handover.choices import HandoverStatus
from handover.models import Handover, HandoverAssignment, ItemOverride, KnowledgeNote

OPEN_STATUSES = (HandoverStatus.DRAFT, HandoverStatus.SCHEDULED)
MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")


# --- Who (area 6A) ---------------------------------------------------------------------


def handovers_visible_to(*, user: User) -> QuerySet[Handover]:
    """Admins see every handover; a manager those of their team's reps; a rep only their
    own (for the note-writing page: never the plan's receivers)."""
    qs = Handover.objects.select_related("departing_rep", "departing_rep__team", "created_by")
    if user.is_admin:
        return qs
    if user.is_manager:
        return qs.filter(departing_rep__team__manager=user)
    return qs.filter(departing_rep=user)


def can_manage_handover_of(*, user: User, rep: User) -> bool:
    """Only admins and the departing rep's own manager start, change or execute it."""
    if user.is_admin:
        return True
    return bool(user.is_manager and rep.team_id and rep.team.manager_id == user.pk)


def can_manage_handover(*, user: User, handover: Handover) -> bool:
    return can_manage_handover_of(user=user, rep=handover.departing_rep)


def rep_has_open_handover(*, user: User) -> bool:
    """A rep in their notice period: they may not export their portfolio."""
    if not user.is_authenticated:
        return False
    return Handover.objects.filter(departing_rep_id=user.pk, status__in=OPEN_STATUSES).exists()


def open_handover_for(*, user: User) -> Handover | None:
    """The departing rep's own open handover (the "My handover" page), if any."""
    return (
        Handover.objects.filter(departing_rep_id=user.pk, status__in=OPEN_STATUSES)
        .select_related("departing_rep")
        .first()
    )


def eligible_receivers(*, departing_rep: User) -> QuerySet[User]:
    """Who may receive a departing rep's work: active reps, never the departing rep, never
    a rep who is leaving too (an open handover of their own, or a done one while they work
    out their last days: they are still active until the end of the last day)."""
    leaving = Handover.objects.filter(
        departing_rep_id=OuterRef("pk"), status__in=[*OPEN_STATUSES, HandoverStatus.DONE]
    )
    return (
        User.objects.filter(is_active=True, role="rep", is_superuser=False)
        .exclude(pk=departing_rep.pk)
        .exclude(Exists(leaving))
        .select_related("team")
    )


def receivers_for(*, departing_rep: User, by: User) -> QuerySet[User]:
    """The eligible receivers `by` may hand work to: an admin any of them, a manager those
    of their own team(s). Moving customers into another team is sales ops' decision, and a
    manager sees no other team's people or portfolios (accounts.selectors)."""
    from accounts.selectors import users_visible_to

    pool = eligible_receivers(departing_rep=departing_rep)
    if by.is_admin:
        return pool
    return pool.filter(pk__in=users_visible_to(user=by).values("pk"))


def _load_annotations(receivers: QuerySet[User]) -> QuerySet[User]:
    value_sq = (
        Deal.objects.filter(owner_id=OuterRef("pk"), stage_id__in=OPEN_STAGES)
        .order_by()
        .values("owner_id")
        .annotate(total=Sum(to_company(on=timezone.localdate())))
        .values("total")[:1]
    )
    count_sq = (
        Customer.objects.filter(owner_id=OuterRef("pk"))
        .order_by()
        .values("owner_id")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    return receivers.order_by().annotate(
        load_value=Coalesce(Subquery(value_sq, output_field=MONEY), Value(ZERO)),
        load_count=Coalesce(Subquery(count_sq, output_field=IntegerField()), 0),
    )


def receiver_loads(*, receivers: QuerySet[User]) -> dict[int, tuple[Decimal, int]]:
    """Each receiver's current portfolio as (sum of open deal amounts, customer count), in
    one aggregate query (correlated subqueries, so no join fan-out)."""
    rows = _load_annotations(receivers).values_list("pk", "load_value", "load_count")
    return {pk: (value, count) for pk, value, count in rows}


@dataclass
class ReceiverPool:
    """Receivers' loads plus, for the territory preference (issue 13), each one's team and
    the territories of the customers they own now."""

    loads: dict[int, tuple[Decimal, int]] = field(default_factory=dict)
    teams: dict[int, int | None] = field(default_factory=dict)
    territories: dict[int, set[int]] = field(default_factory=dict)


def receiver_pool(*, receivers: QuerySet[User]) -> ReceiverPool:
    """receiver_loads with each receiver's team and customers' territories, still ONE query:
    one row per (receiver, territory among their customers), the loads as subqueries."""
    rows = (
        _load_annotations(receivers)
        .values_list("pk", "team_id", "load_value", "load_count", "customers__territory_id")
        .distinct()
    )
    pool = ReceiverPool()
    for pk, team_id, value, count, territory_id in rows:
        pool.loads[pk] = (value, count)
        pool.teams[pk] = team_id
        owned = pool.territories.setdefault(pk, set())
        if territory_id is not None:
            owned.add(territory_id)
    return pool


def propose_receivers(
    *,
    departing_rep: User,
    customers: list[tuple[int, Decimal]],
    by: User,
    planned: dict[int, tuple[Decimal, int]] | None = None,
    territories: dict[int, tuple[int, int | None]] | None = None,
) -> dict[int, int]:
    """The default rule: customer id -> receiver id, among the receivers `by` may choose
    (receivers_for). Same team first (other teams only when the departing rep's team has no
    eligible rep, so only for an admin); customers by value, largest first, each onto the
    receiver with the lowest running (portfolio value, customer count).

    Territory first (issue 13): `territories` maps a customer to (its territory id, that
    territory's team id). Such a customer goes to the lightest receiver of the pool who
    owns other customers in the same territory; failing that, to the lightest receiver of
    the territory's team; failing that, by the rule above.

    `planned` adds what the plan already gives each receiver to their current load, so
    customers caught late are balanced against the plan. Two queries; none when empty."""
    if not customers:
        return {}
    territories = {cid: t for cid, t in (territories or {}).items() if t and t[0] is not None}
    read = receiver_pool if territories else None
    pool_qs = receivers_for(departing_rep=departing_rep, by=by)
    pool = ReceiverPool()

    def load(qs: QuerySet[User]) -> ReceiverPool:
        if read is not None:
            return read(receivers=qs)
        return ReceiverPool(loads=receiver_loads(receivers=qs))

    if departing_rep.team_id:
        pool = load(pool_qs.filter(team_id=departing_rep.team_id))
    if not pool.loads:
        pool = load(pool_qs)
    if not pool.loads:
        return {}
    planned = planned or {}
    current: dict[int, tuple[Decimal, int]] = {}
    heap = []
    for pk, (value, count) in pool.loads.items():
        extra_value, extra_count = planned.get(pk, (ZERO, 0))
        current[pk] = (value + extra_value, count + extra_count)
        heapq.heappush(heap, (*current[pk], pk))

    def lightest() -> int:
        while True:  # entries are (load, pk) as pushed; a stale one (load grew) is skipped
            load_value, load_count, pk = heapq.heappop(heap)
            if current[pk] == (load_value, load_count):
                return pk

    result = {}
    for customer_id, value in sorted(customers, key=lambda c: (-c[1], c[0])):
        pk = None
        if customer_id in territories:
            territory_id, team_id = territories[customer_id]
            near = [r for r, owned in pool.territories.items() if territory_id in owned]
            near = near or [r for r, t in pool.teams.items() if team_id and t == team_id]
            if near:
                pk = min(near, key=lambda r: (*current[r], r))
        if pk is None:
            pk = lightest()
        result[customer_id] = pk
        load_value, load_count = current[pk]
        current[pk] = (load_value + value, load_count + 1)
        heapq.heappush(heap, (*current[pk], pk))
    return result


def _open_value_sq(outer: str = "pk") -> Subquery:
    return Subquery(
        Deal.objects.filter(customer_id=OuterRef(outer), stage_id__in=OPEN_STAGES)
        .order_by()
        .values("customer_id")
        .annotate(total=Sum(to_company(on=timezone.localdate())))  # company currency, today's rate
        .values("total")[:1],
        output_field=MONEY,
    )


def unassigned_customers(*, handover: Handover) -> QuerySet[Customer]:
    """Customers of the departing rep the plan does not cover yet (e.g. added during the
    notice period), with their open deal value for the default rule."""
    planned = HandoverAssignment.objects.filter(handover=handover, customer_id=OuterRef("pk"))
    return (
        Customer.objects.filter(owner_id=handover.departing_rep_id)
        .exclude(Exists(planned))
        .annotate(open_value=Coalesce(_open_value_sq(), Value(ZERO), output_field=MONEY))
    )


# --- The plan page (area 6A) -------------------------------------------------------------


def handover_customers(*, handover: Handover) -> QuerySet[Customer]:
    """The handover's portfolio: the departing rep's current customers plus the plan's
    customers (after execution they belong to the receivers)."""
    in_plan = HandoverAssignment.objects.filter(handover=handover).values("customer_id")
    return Customer.objects.filter(Q(owner_id=handover.departing_rep_id) | Q(pk__in=in_plan))


def plan_customers(*, handover: Handover) -> QuerySet[Customer]:
    """The whole portfolio in the plan, one row per customer with everything the plan page
    shows as annotations: open deals (count, value), open tasks, last activity, the
    receiver and whether a person chose it, and whether a knowledge note exists (the
    portfolio: handover_customers)."""
    from activities.models import Activity, Task

    assignment = HandoverAssignment.objects.filter(handover=handover, customer_id=OuterRef("pk"))
    open_deals = Deal.objects.filter(customer_id=OuterRef("pk"), stage_id__in=OPEN_STAGES)
    open_tasks = Task.objects.filter(customer_id=OuterRef("pk"), done=False)
    last_activity = (
        Activity.objects.filter(customer_id=OuterRef("pk"))
        .order_by()
        .values("customer_id")
        .annotate(last=Max("occurred_at"))
        .values("last")[:1]
    )
    return (
        handover_customers(handover=handover)
        .annotate(
            open_deals_count=Coalesce(
                Subquery(
                    open_deals.order_by()
                    .values("customer_id")
                    .annotate(n=Count("id"))
                    .values("n")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
            open_deals_value=Coalesce(_open_value_sq(), Value(ZERO), output_field=MONEY),
            open_tasks_count=Coalesce(
                Subquery(
                    open_tasks.order_by()
                    .values("customer_id")
                    .annotate(n=Count("id"))
                    .values("n")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
            latest_activity_at=Subquery(last_activity),
            receiver_id=Subquery(assignment.values("receiver_id")[:1]),
            proposed=Subquery(assignment.values("proposed")[:1]),
            has_note=Exists(
                KnowledgeNote.objects.filter(handover=handover, customer_id=OuterRef("pk"))
            ),
        )
        .order_by("-is_key", "-open_deals_value", "name", "id")
    )


@dataclass(frozen=True)
class ReceiverSummary:
    receiver: User
    customers: int
    open_deal_value: Decimal
    key_customers: int


def receiver_summary(*, handover: Handover) -> list[ReceiverSummary]:
    """Per receiver in the plan: how many customers, how many key, and the open deal value
    they will take over. One grouped query plus one user lookup."""
    rows = (
        HandoverAssignment.objects.filter(handover=handover)
        .annotate(value=Coalesce(_open_value_sq("customer_id"), Value(ZERO), output_field=MONEY))
        .order_by()
        .values("receiver_id")
        .annotate(
            n=Count("id"),
            total=Sum("value"),
            keys=Count("id", filter=Q(customer__is_key=True)),
        )
    )
    rows = list(rows)
    users = User.objects.in_bulk([r["receiver_id"] for r in rows])
    summary = [
        ReceiverSummary(
            receiver=users[r["receiver_id"]],
            customers=r["n"],
            open_deal_value=r["total"] or ZERO,
            key_customers=r["keys"],
        )
        for r in rows
    ]
    return sorted(summary, key=lambda s: (-s.open_deal_value, str(s.receiver)))


def plan_overrides(*, handover: Handover) -> QuerySet[ItemOverride]:
    return ItemOverride.objects.filter(handover=handover).order_by("kind", "object_id")


def customer_items(*, handover: Handover, customer: Customer) -> dict:
    """A customer's open deals and open tasks of the departing rep with their overrides,
    for the per-item override row on the plan page (three queries)."""
    from activities.models import Task

    rep_id = handover.departing_rep_id
    overrides = {
        (kind, oid): rid
        for kind, oid, rid in ItemOverride.objects.filter(handover=handover).values_list(
            "kind", "object_id", "receiver_id"
        )
    }
    deals = list(
        Deal.objects.filter(customer=customer, owner_id=rep_id, stage_id__in=OPEN_STAGES).order_by(
            "-amount", "id"
        )
    )
    tasks = list(
        Task.objects.filter(customer=customer, assignee_id=rep_id, done=False).order_by(
            "due_date", "id"
        )
    )
    for deal in deals:
        deal.override_receiver_id = overrides.get((ItemOverride.Kind.DEAL, deal.pk))
    for task in tasks:
        task.override_receiver_id = overrides.get((ItemOverride.Kind.TASK, task.pk))
    return {"deals": deals, "tasks": tasks}


# --- What is still missing (area 6A) -----------------------------------------------------

MISSING_LIST_LIMIT = 50


@dataclass(frozen=True)
class MissingItems:
    """What blocks or weakens the execution. A deal counts as up to date when its next step
    is filled in and it was saved after the handover started (the rep confirmed stage and
    next step during the notice period)."""

    key_without_note: list[Customer]
    key_without_note_count: int
    stale_deals: list[Deal]
    stale_deals_count: int
    unassigned: list[Customer]
    unassigned_count: int

    @property
    def total(self) -> int:
        return self.key_without_note_count + self.stale_deals_count + self.unassigned_count


def _not_up_to_date_q(*, handover: Handover) -> Q:
    """An open deal is up to date once its next step is written and it was saved (stage and
    next step confirmed) after the handover began."""
    return Q(next_step="") | Q(updated_at__lt=handover.created_at)


def stale_deals(*, handover: Handover) -> QuerySet[Deal]:
    """Open deals of the departing rep not brought up to date since the handover began."""
    return Deal.objects.filter(
        _not_up_to_date_q(handover=handover),
        owner_id=handover.departing_rep_id,
        stage_id__in=OPEN_STAGES,
    )


NOTES_PAGE_DEALS = 200


def departing_rep_worklist(*, handover: Handover) -> tuple[list[Customer], list[Deal]]:
    """What the departing rep owes during the notice period: every key customer with its
    knowledge-transfer note (or None), and the open deals (largest first) each marked
    `up_to_date`. Three queries."""
    notes = {n.customer_id: n for n in KnowledgeNote.objects.filter(handover=handover)}
    customers = list(
        Customer.objects.filter(owner_id=handover.departing_rep_id, is_key=True).order_by("name")
    )
    for customer in customers:
        customer.note = notes.get(customer.pk)
    deals = list(
        Deal.objects.filter(owner_id=handover.departing_rep_id, stage_id__in=OPEN_STAGES)
        .annotate(
            up_to_date=Case(
                When(_not_up_to_date_q(handover=handover), then=Value(False)),
                default=Value(True),
            )
        )
        .select_related("customer", "stage")
        .order_by("-amount", "id")[:NOTES_PAGE_DEALS]
    )
    return customers, deals


def key_customers_without_note(*, handover: Handover) -> QuerySet[Customer]:
    noted = KnowledgeNote.objects.filter(handover=handover, customer_id=OuterRef("pk"))
    return (
        Customer.objects.filter(owner_id=handover.departing_rep_id, is_key=True)
        .exclude(Exists(noted))
        .order_by("name", "id")
    )


def handover_missing_items(*, handover: Handover, limit: int = MISSING_LIST_LIMIT) -> MissingItems:
    """Counts and the first `limit` of each list (six queries whatever the portfolio).
    Execution must refuse while key customers lack a note, unless notes are waived."""
    keys = key_customers_without_note(handover=handover)
    stale = stale_deals(handover=handover).select_related("customer", "stage")
    stale = stale.order_by("-amount", "id")
    loose = unassigned_customers(handover=handover).order_by("name", "id")
    return MissingItems(
        key_without_note=list(keys[:limit]),
        key_without_note_count=keys.count(),
        stale_deals=list(stale[:limit]),
        stale_deals_count=stale.count(),
        unassigned=list(loose[:limit]),
        unassigned_count=loose.count(),
    )


# --- Preview: what the execution will change (area 6A; applied by 6B) --------------------


class ItemMove(NamedTuple):
    """One object changing hands (for closed deals: staying, from == to)."""

    object_id: int
    from_user_id: int
    to_user_id: int
    customer_id: int | None


class IntroTask(NamedTuple):
    """An intro task to create: the new owner introduces themself to a key customer."""

    customer_id: int
    to_user_id: int
    customer_name: str


@dataclass
class ReceiverCounts:
    customers: int = 0
    deals: int = 0
    deal_value: Decimal = ZERO
    tasks: int = 0
    contacts: int = 0
    intro_tasks: int = 0


@dataclass
class HandoverPreview:
    """Every change the execution will make. `labels[(object_type, id)]` is each object's
    display text (name, title) for the ownership log; `defaulted` lists customers the plan
    did not cover, placed by the default rule; `unplaced` lists objects with no eligible
    receiver at all (execution must refuse while it is not empty)."""

    departing_rep_id: int
    customers: list[ItemMove] = field(default_factory=list)
    deals: list[ItemMove] = field(default_factory=list)
    tasks: list[ItemMove] = field(default_factory=list)
    contacts: list[ItemMove] = field(default_factory=list)
    intro_tasks: list[IntroTask] = field(default_factory=list)
    closed_deals_staying: list[ItemMove] = field(default_factory=list)
    defaulted: list[int] = field(default_factory=list)
    unplaced: list[tuple[str, int]] = field(default_factory=list)
    labels: dict[tuple[str, int], str] = field(default_factory=dict)
    per_receiver: dict[int, ReceiverCounts] = field(default_factory=dict)
    receivers: dict[int, User] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "customers": len(self.customers),
            "deals": len(self.deals),
            "tasks": len(self.tasks),
            "contacts": len(self.contacts),
            "intro_tasks": len(self.intro_tasks),
            "closed_deals_staying": len(self.closed_deals_staying),
            "defaulted": len(self.defaulted),
            "unplaced": len(self.unplaced),
        }

    def receiver_rows(self) -> list[tuple[User, ReceiverCounts]]:
        rows = [(self.receivers[pk], c) for pk, c in self.per_receiver.items()]
        return sorted(rows, key=lambda r: (-r[1].customers, str(r[0])))


def handover_preview(*, handover: Handover, by: User) -> HandoverPreview:
    """What the execution moves where, computed from the plan as it stands now, as `by`
    (who looks at it or executes it) would place what the plan misses.

    Customers of the departing rep go to their planned receiver (customers the plan misses
    get the default rule among the receivers `by` may choose, and are listed in
    `defaulted`). Open deals and open tasks of the
    departing rep follow their customer unless an ItemOverride names someone else; a deal
    or task whose customer is not in the portfolio goes to that customer's owner when they
    are an eligible receiver, else to the default receiver. Contacts follow their customer.
    Closed deals keep their owner (credit and commission) and are listed as staying. Each
    moved key customer gets one intro task for its new owner.

    About ten queries whatever the portfolio size (values_list reads, no per-row lookups).
    """
    from activities.models import Task

    rep = handover.departing_rep
    rep_id = rep.pk
    preview = HandoverPreview(departing_rep_id=rep_id)
    # A receiver who left or went inactive since the plan was drafted no longer counts:
    # their customers fall back to the default rule, their overrides to the customer's.
    eligible_ids = set(eligible_receivers(departing_rep=rep).values_list("pk", flat=True))
    plan = {
        cid: rid
        for cid, rid in HandoverAssignment.objects.filter(handover=handover).values_list(
            "customer_id", "receiver_id"
        )
        if rid in eligible_ids
    }
    overrides = {
        (kind, oid): rid
        for kind, oid, rid in ItemOverride.objects.filter(handover=handover).values_list(
            "kind", "object_id", "receiver_id"
        )
        if rid in eligible_ids
    }
    customers = list(
        Customer.objects.filter(owner_id=rep_id)
        .annotate(open_value=Coalesce(_open_value_sq(), Value(ZERO), output_field=MONEY))
        .order_by("id")
        .values_list("pk", "name", "is_key", "open_value", "territory_id", "territory__team_id")
    )
    deals = list(
        Deal.objects.filter(owner_id=rep_id)
        .order_by("id")
        # the amount in the company currency at today's rate (None without a rate)
        .annotate(amount_c=to_company(on=timezone.localdate()))
        .values_list("pk", "title", "customer_id", "customer__owner_id", "stage_id", "amount_c")
    )
    tasks = list(
        Task.objects.filter(assignee_id=rep_id, done=False)
        .order_by("id")
        .values_list("pk", "title", "customer_id", "customer__owner_id", "deal__customer_id")
    )
    contacts = list(
        Contact.objects.filter(customer__owner_id=rep_id)
        .order_by("id")
        .values_list("pk", "first_name", "last_name", "customer_id")
    )

    planned_loads: dict[int, tuple[Decimal, int]] = {}
    values = {pk: value for pk, _, _, value, _, _ in customers}
    for cid, rid in plan.items():
        v, n = planned_loads.get(rid, (ZERO, 0))
        planned_loads[rid] = (v + values.get(cid, ZERO), n + 1)
    loose = [(pk, value) for pk, _, _, value, _, _ in customers if pk not in plan]
    territories = {pk: (t, team) for pk, _, _, _, t, team in customers if pk not in plan and t}
    # One extra entry ("default receiver") for items whose customer is outside the portfolio.
    defaults = propose_receivers(
        departing_rep=rep,
        customers=[*loose, (0, ZERO)],
        by=by,
        planned=planned_loads,
        territories=territories,
    )
    fallback = defaults.pop(0, None)

    receiver_of: dict[int, int | None] = {}
    for pk, name, is_key, _value, _, _ in customers:
        to = plan.get(pk)
        if to is None:
            to = defaults.get(pk)
            if to is not None:
                preview.defaulted.append(pk)
        receiver_of[pk] = to
        preview.labels[("customer", pk)] = name
        if to is None:
            preview.unplaced.append(("customer", pk))
            continue
        preview.customers.append(ItemMove(pk, rep_id, to, pk))
        counts = preview.per_receiver.setdefault(to, ReceiverCounts())
        counts.customers += 1
        if is_key:
            preview.intro_tasks.append(IntroTask(pk, to, name))
            counts.intro_tasks += 1

    def outside(owner_id: int | None) -> int | None:
        return owner_id if owner_id in eligible_ids else fallback

    for pk, title, cid, owner_id, stage, amount in deals:
        preview.labels[("deal", pk)] = title
        if stage in CLOSED_STAGES:
            if cid in receiver_of:
                preview.closed_deals_staying.append(ItemMove(pk, rep_id, rep_id, cid))
            continue
        to = overrides.get(("deal", pk)) or (
            receiver_of.get(cid) if cid in receiver_of else outside(owner_id)
        )
        if to is None:
            preview.unplaced.append(("deal", pk))
            continue
        preview.deals.append(ItemMove(pk, rep_id, to, cid))
        counts = preview.per_receiver.setdefault(to, ReceiverCounts())
        counts.deals += 1
        counts.deal_value += amount or ZERO

    for pk, title, cid, owner_id, deal_cid in tasks:
        preview.labels[("task", pk)] = title
        to = overrides.get(("task", pk))
        if to is None:
            if cid in receiver_of:
                to = receiver_of[cid]
            elif cid is not None:
                to = outside(owner_id)
            elif deal_cid in receiver_of:
                to = receiver_of[deal_cid]
            else:
                to = fallback
        if to is None:
            preview.unplaced.append(("task", pk))
            continue
        preview.tasks.append(ItemMove(pk, rep_id, to, cid or deal_cid))
        preview.per_receiver.setdefault(to, ReceiverCounts()).tasks += 1

    for pk, first, last, cid in contacts:
        to = receiver_of.get(cid)
        preview.labels[("contact", pk)] = f"{first} {last}".strip()
        if to is None:
            continue
        preview.contacts.append(ItemMove(pk, rep_id, to, cid))
        preview.per_receiver[to].contacts += 1

    preview.receivers = User.objects.in_bulk(list(preview.per_receiver))
    return preview
