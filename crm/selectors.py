"""Reads of the sales domain. The *_visible_to selectors are the one place that decides
what a user may see: every page, endpoint, export and search starts from them."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Cast, Coalesce, RowNumber

from accounts.models import CompetingLine, User
from crm.choices import OPEN_STAGES
from crm.models import Contact, Customer, Deal, DealStageChange, OwnershipChange, Stage


def owner_scope_q(*, user: User, field: str = "owner") -> Q:
    """Q object restricting `field` (a user FK path) to what `user` may see."""
    if user.is_admin:
        return Q()
    if user.is_manager:
        return Q(**{f"{field}__team__manager": user}) | Q(**{field: user})
    return Q(**{field: user})


def customers_visible_to(*, user: User) -> QuerySet[Customer]:
    return Customer.objects.filter(owner_scope_q(user=user))


def contacts_visible_to(*, user: User) -> QuerySet[Contact]:
    return Contact.objects.filter(owner_scope_q(user=user, field="customer__owner"))


class _InSubquery(Func):
    """`column IN (subquery)`, written `column = ANY(ARRAY(subquery))` on PostgreSQL.

    There the subquery runs once into an array and the column's index is probed with it, so
    two such conditions ORed become a BitmapOr of two index scans. A plain `IN (subquery)`
    (or an OR across a join) makes PostgreSQL scan and join the whole table instead."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, subquery: QuerySet):
        super().__init__(F(column), Subquery(subquery))

    def as_sql(self, compiler, connection, **extra):
        column, column_params = compiler.compile(self.source_expressions[0])
        subquery, subquery_params = compiler.compile(self.source_expressions[1])
        template = "%s = ANY(ARRAY%s)" if connection.vendor == "postgresql" else "%s IN %s"
        return template % (column, subquery), (*column_params, *subquery_params)


def deals_visible_to(*, user: User) -> QuerySet[Deal]:
    """Deals the user owns (or their team owns), plus any deal on a customer in their
    portfolio: closed deals keep their original owner but stay visible to the new one.

    Same rows as `owner in scope OR customer.owner in scope`, written as two index probes
    on crm_deal (owner_id, customer_id) instead of an OR across joined tables: on 300,000
    deals the board's totals query drops from ~250 ms to ~100 ms for a manager and from
    ~90 ms to ~40 ms for a rep (EXPLAIN ANALYZE, PostgreSQL 15)."""
    if user.is_admin:
        return Deal.objects.all()
    if user.is_manager:
        people = User.objects.filter(Q(team__manager=user) | Q(pk=user.pk)).order_by().values("pk")
        owned = _InSubquery("owner_id", people)
        portfolio = Customer.objects.filter(_InSubquery("owner_id", people))
    else:
        owned = Q(owner_id=user.pk)
        portfolio = Customer.objects.filter(owner_id=user.pk)
    customers = portfolio.order_by().values("pk")
    return Deal.objects.filter(Q(owned) | Q(_InSubquery("customer_id", customers)))


def ownership_changes_visible_to(*, user: User) -> QuerySet[OwnershipChange]:
    if user.is_admin:
        return OwnershipChange.objects.all()
    return OwnershipChange.objects.filter(
        owner_scope_q(user=user, field="customer__owner")
        | owner_scope_q(user=user, field="to_user")
    )


def with_conflict_flag(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """Annotate `has_conflict`: the owner sells a competing line in the customer's industry."""
    return qs.annotate(
        has_conflict=Exists(
            CompetingLine.objects.filter(
                rep_id=OuterRef("owner_id"), product_line__iexact=OuterRef("industry")
            )
        )
    )


# --- Customers and contacts (issue 3: customers area) ---------------------------------


def customers_for_list(*, user: User) -> QuerySet[Customer]:
    """Visible customers with everything a list row shows, in one query: the owner, the
    conflict flag, and the count and value of open deals as correlated subqueries (so the
    row count never changes the number of queries)."""
    open_deals = Deal.objects.filter(customer_id=OuterRef("pk"), stage_id__in=OPEN_STAGES)
    count_sq = open_deals.order_by().values("customer_id").annotate(n=Count("id")).values("n")[:1]
    value_sq = (
        open_deals.order_by()
        .values("customer_id")
        .annotate(total=Sum("amount"))
        .values("total")[:1]
    )
    money = DecimalField(max_digits=16, decimal_places=2)
    qs = customers_visible_to(user=user).select_related("owner")
    return with_conflict_flag(qs).annotate(
        open_deals_count=Coalesce(Subquery(count_sq, output_field=IntegerField()), 0),
        open_deals_value=Coalesce(
            Subquery(value_sq, output_field=money), Value(Decimal("0.00")), output_field=money
        ),
    )


def customer_competing_lines(*, customer: Customer) -> QuerySet[CompetingLine]:
    """The owner's other principals whose product line is this customer's industry."""
    if not customer.industry:
        return CompetingLine.objects.none()
    return CompetingLine.objects.filter(
        rep_id=customer.owner_id, product_line__iexact=customer.industry
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a customer's history, whatever table it came from."""

    kind: str  # "stage_change" | "ownership_change" | "created" | "activity"
    at: datetime
    actor: User | None
    label: str
    from_text: str
    to_text: str
    from_user: User | None
    to_user: User | None
    ref_id: int | None = None  # the source row's id (activity: to link its edit page)
    is_late: bool = False  # activity logged after its week's call report was submitted

    @property
    def activity_kind(self) -> str:
        """An activity entry's kind as a label (its from_text is the kind code)."""
        from activities.choices import ActivityKind

        return ActivityKind(self.from_text).label if self.from_text in ActivityKind else ""

    @property
    def activity_outcome(self) -> str:
        """An activity entry's outcome as a label (its to_text is the outcome code)."""
        from activities.choices import ActivityOutcome

        return ActivityOutcome(self.to_text).label if self.to_text in ActivityOutcome else ""


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    number: int
    page_size: int
    total: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _timeline_columns(
    *,
    kind: str,
    at: str,
    actor: str | None,
    label,
    from_text=None,
    to_text=None,
    from_user: str | None = None,
    to_user: str | None = None,
    ref: str | None = None,
    flag: str | None = None,
) -> dict:
    text, num = CharField(), IntegerField()
    return {
        "t_kind": Value(kind, output_field=text),
        "t_at": F(at),
        "t_actor": F(actor) if actor else Value(None, output_field=num),
        "t_label": label,
        "t_from": from_text if from_text is not None else Value("", output_field=text),
        "t_to": to_text if to_text is not None else Value("", output_field=text),
        "t_from_user": F(from_user) if from_user else Value(None, output_field=num),
        "t_to_user": F(to_user) if to_user else Value(None, output_field=num),
        # Typed NULL: PostgreSQL would resolve a UNION of untyped NULLs to text.
        "t_ref": F(ref) if ref else Cast(Value(None), output_field=num),
        "t_flag": F(flag) if flag else Value(False, output_field=BooleanField()),
    }


TIMELINE_FIELDS = (
    "t_kind",
    "t_at",
    "t_actor",
    "t_label",
    "t_from",
    "t_to",
    "t_from_user",
    "t_to_user",
    "t_ref",
    "t_flag",
)


def customer_timeline(*, customer: Customer, page: int = 1, page_size: int = 20) -> TimelinePage:
    """The customer's history newest first: deal stage changes, ownership changes and its
    creation, merged by one UNION query (plus a count and one user lookup: 3 queries for
    any page). Activities are one more branch of the same union, late entries flagged."""
    from activities.models import Activity

    text = CharField()
    stage_changes = (
        DealStageChange.objects.filter(deal__customer_id=customer.pk)
        .order_by()
        .annotate(
            **_timeline_columns(
                kind="stage_change",
                at="changed_at",
                actor="changed_by_id",
                label=Cast(F("deal__title"), output_field=text),
                from_text=Cast(F("from_stage"), output_field=text),
                to_text=Cast(F("to_stage"), output_field=text),
            )
        )
        .values_list(*TIMELINE_FIELDS)
    )
    owner_changes = (
        OwnershipChange.objects.filter(customer_id=customer.pk)
        .order_by()
        .annotate(
            **_timeline_columns(
                kind="ownership_change",
                at="changed_at",
                actor="changed_by_id",
                label=Cast(F("object_repr"), output_field=text),
                from_text=Cast(F("object_type"), output_field=text),
                to_text=Cast(F("source"), output_field=text),
                from_user="from_user_id",
                to_user="to_user_id",
            )
        )
        .values_list(*TIMELINE_FIELDS)
    )
    created = (
        Customer.objects.filter(pk=customer.pk)
        .order_by()
        .annotate(
            **_timeline_columns(
                kind="created",
                at="created_at",
                actor=None,
                label=Cast(F("name"), output_field=text),
            )
        )
        .values_list(*TIMELINE_FIELDS)
    )
    activities = (
        Activity.objects.filter(customer_id=customer.pk)
        .order_by()
        .annotate(
            **_timeline_columns(
                kind="activity",
                at="occurred_at",
                actor="owner_id",
                label=Cast(F("notes"), output_field=text),
                from_text=Cast(F("kind"), output_field=text),
                to_text=Cast(F("outcome"), output_field=text),
                ref="id",
                flag="is_late",
            )
        )
        .values_list(*TIMELINE_FIELDS)
    )
    union = stage_changes.union(owner_changes, created, activities, all=True)
    total = union.count()
    page_size = max(1, min(int(page_size), 200))
    num_pages = max(1, -(-total // page_size))
    page = max(1, min(int(page), num_pages))
    offset = (page - 1) * page_size
    rows = list(union.order_by("-t_at", "t_kind")[offset : offset + page_size])
    user_ids = {uid for row in rows for uid in (row[2], row[6], row[7]) if uid}
    users = User.objects.in_bulk(user_ids) if user_ids else {}
    entries = [
        TimelineEntry(
            kind=kind,
            at=at,
            actor=users.get(actor),
            label=label,
            from_text=from_text,
            to_text=to_text,
            from_user=users.get(from_user),
            to_user=users.get(to_user),
            ref_id=ref,
            is_late=bool(flag),
        )
        for kind, at, actor, label, from_text, to_text, from_user, to_user, ref, flag in rows
    ]
    return TimelinePage(entries=entries, number=page, page_size=page_size, total=total)


# --- Deals: the pipeline board and a deal's history ----------------------------------------

BOARD_CARDS_PER_STAGE = 25


@dataclass(frozen=True)
class BoardColumn:
    """One pipeline stage on the board: every deal in scope counted and summed, top cards."""

    stage: Stage
    count: int
    total: Decimal
    cards: list[Deal]


def deal_board(
    *, deals: QuerySet[Deal], per_stage: int = BOARD_CARDS_PER_STAGE
) -> list[BoardColumn]:
    """The board in three queries whatever the pipeline size: the stages; one pass over the
    deals in scope computing, per stage, ROW_NUMBER() (largest first) with the column's
    COUNT and SUM as window aggregates, keeping only the top `per_stage` rows; then those
    cards with their customer and owner by primary key.

    The window pass reads narrow rows only (no joins), so sorting stays cheap on a large
    pipeline. `deals` is already scoped (deals_visible_to) and filtered.
    """
    stages = list(Stage.objects.order_by("position", "id"))
    by_stage = [F("stage_id")]
    ranked = (
        deals.order_by()
        .annotate(
            board_rank=Window(
                RowNumber(),
                partition_by=by_stage,
                order_by=[F("amount").desc(), F("expected_close").asc(nulls_last=True), F("id")],
            ),
            board_count=Window(Count("id"), partition_by=by_stage),
            board_total=Window(Sum("amount"), partition_by=by_stage),
        )
        .filter(board_rank__lte=per_stage)
        .values_list("pk", "stage_id", "board_rank", "board_count", "board_total")
    )
    totals: dict[str, tuple[int, Decimal]] = {}
    rank_of: dict[int, int] = {}
    for pk, stage_id, rank, count, total in ranked:
        totals[stage_id] = (count, total)
        rank_of[pk] = rank
    cards: dict[str, list[Deal]] = {}
    if rank_of:
        chosen = Deal.objects.filter(pk__in=list(rank_of)).select_related("customer", "owner")
        for deal in sorted(chosen, key=lambda d: rank_of[d.pk]):
            cards.setdefault(deal.stage_id, []).append(deal)
    return [
        BoardColumn(
            stage=stage,
            count=totals.get(stage.code, (0, None))[0],
            total=totals.get(stage.code, (0, None))[1] or Decimal("0.00"),
            cards=cards.get(stage.code, []),
        )
        for stage in stages
    ]


def deal_stage_history(*, deal: Deal) -> QuerySet[DealStageChange]:
    """Who moved the deal, when, from which stage to which: newest first."""
    return DealStageChange.objects.filter(deal=deal).select_related("changed_by")
