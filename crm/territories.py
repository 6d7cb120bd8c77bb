"""Territories (issue 13): who may see and change them, their rules, placing customers by
the rules (with a person's choice kept), and the figures per territory on the dashboard.

The rules of a territory are TerritoryRule rows: values of one kind are alternatives (the
customer's region is any of the regions, its postal code starts with any of the prefixes,
its segment is any of the segments); the kinds a territory has must all match. A territory
without rules takes no customer by rule (people place customers in it by hand). A
customer of a team's rep goes to the first of that team's territories, by (priority, id),
whose rules it matches, or to none; a customer whose territory a person chose
(`territory_manual`) keeps it."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team, User
from crm.choices import OPEN_STAGES, DealStage, Segment
from crm.currency import to_company
from crm.models import Customer, Deal, Territory, TerritoryRule

MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")
KEY_COVERAGE_DAYS = 30
MAX_RULES = 200
Kind = TerritoryRule.Kind


# --- Who ---------------------------------------------------------------------------------


def territories_visible_to(*, user: User) -> QuerySet[Territory]:
    """An admin sees every territory, a manager their team(s)', a rep their own team's
    (to read and filter by; only managers and admins change them)."""
    qs = Territory.objects.select_related("team")
    if user.is_admin:
        return qs
    if user.is_manager:
        return qs.filter(team__manager=user)
    return qs.filter(team_id=user.team_id) if user.team_id else qs.none()


def may_manage_territories(*, user: User) -> bool:
    """Managers (their own teams' territories) and admins (any) create, change and run them."""
    return bool(user.is_admin or user.is_manager)


def manageable_teams(*, user: User) -> QuerySet[Team]:
    if user.is_admin:
        return Team.objects.all()
    if user.is_manager:
        return Team.objects.filter(manager=user)
    return Team.objects.none()


def _check_may_manage(*, by: User, team: Team | None = None) -> None:
    if not may_manage_territories(user=by):
        raise PermissionDenied(_("Only managers and admins manage territories."))
    if team is not None and not by.is_admin and team.manager_id != by.pk:
        raise PermissionDenied(_("You manage territories of your own team only."))


# --- Rules -------------------------------------------------------------------------------


def clean_rules(rules) -> list[tuple[str, str]]:
    """[(kind, value)] from [{"kind", "value"}]: kinds known, values stripped and non-empty
    (a postal-code prefix is letters, digits, spaces or dashes; a segment one of the
    segments), duplicates dropped. ValidationError {"rules": [...]} otherwise."""
    if rules is None:
        return []
    if not isinstance(rules, list | tuple):
        raise ValidationError({"rules": [_("Give the rules as a list of {kind, value}.")]})
    if len(rules) > MAX_RULES:
        raise ValidationError(
            {"rules": [_("At most %(count)s rules per territory.") % {"count": MAX_RULES}]}
        )
    errors, cleaned = [], []
    for number, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict):
            errors.append(_("Rule %(number)s: give a kind and a value.") % {"number": number})
            continue
        kind, value = rule.get("kind"), rule.get("value")
        if kind not in Kind.values:
            errors.append(
                _("Rule %(number)s: the kind is one of %(kinds)s.")
                % {"number": number, "kinds": ", ".join(Kind.values)}
            )
            continue
        value = value.strip() if isinstance(value, str) else ""
        if not value:
            empty = {
                Kind.REGION: _("Rule %(number)s: the region cannot be empty."),
                Kind.POSTAL_PREFIX: _("Rule %(number)s: the postal-code prefix cannot be empty."),
            }.get(kind, _("Rule %(number)s: the segment cannot be empty."))
            errors.append(empty % {"number": number})
        elif len(value) > 120:
            errors.append(_("Rule %(number)s: at most 120 characters.") % {"number": number})
        elif kind == Kind.POSTAL_PREFIX and not all(c.isalnum() or c in " -" for c in value):
            errors.append(
                _("Rule %(number)s: a postal-code prefix is letters and digits.")
                % {"number": number}
            )
        elif kind == Kind.SEGMENT and value not in Segment.values:
            errors.append(
                _("Rule %(number)s: the segment is one of %(segments)s.")
                % {"number": number, "segments": ", ".join(Segment.values)}
            )
        else:
            if kind == Kind.POSTAL_PREFIX:
                value = value.upper()
            if (kind, value) not in cleaned:
                cleaned.append((kind, value))
    if errors:
        raise ValidationError({"rules": errors})
    return cleaned


def rules_q(rules: list[tuple[str, str]]) -> Q | None:
    """The customers a territory's rules match; None when it has no rules (matches none)."""
    by_kind: dict[str, list[str]] = {}
    for kind, value in rules:
        by_kind.setdefault(kind, []).append(value)
    if not by_kind:
        return None
    match = Q()
    for kind, values in by_kind.items():
        any_of = Q()
        for value in values:
            if kind == Kind.REGION:
                any_of |= Q(region__iexact=value)
            elif kind == Kind.POSTAL_PREFIX:
                any_of |= Q(postal_code__istartswith=value)
            else:
                any_of |= Q(segment=value)
        match &= any_of
    return match


def _rule_case(*, team_id: int) -> Case | None:
    """CASE WHEN <rules of the 1st territory> THEN its id WHEN … END for the team's
    territories in priority order (two queries); None when no territory has rules."""
    territories = list(
        Territory.objects.filter(team_id=team_id).order_by("priority", "id").values_list("pk")
    )
    rules: dict[int, list[tuple[str, str]]] = {pk: [] for (pk,) in territories}
    for tid, kind, value in TerritoryRule.objects.filter(territory__team_id=team_id).values_list(
        "territory_id", "kind", "value"
    ):
        rules[tid].append((kind, value))
    whens = [When(q, then=Value(pk)) for pk, r in rules.items() if (q := rules_q(r)) is not None]
    if not whens:
        return None
    return Case(*whens, default=Value(None), output_field=Territory._meta.pk)


# --- Writes ------------------------------------------------------------------------------


def _territory_fields(*, name, priority) -> tuple[dict, dict]:
    errors, fields = {}, {}
    if name is not None:
        name = name.strip() if isinstance(name, str) else ""
        if not name:
            errors["name"] = [_("Name the territory.")]
        elif len(name) > 100:
            errors["name"] = [_("At most 100 characters.")]
        fields["name"] = name
    if priority is not None:
        if (
            isinstance(priority, bool)
            or not isinstance(priority, int)
            or not 0 <= priority <= 32767
        ):
            errors["priority"] = [_("The priority is a whole number from 0 to 32767.")]
        fields["priority"] = priority
    return fields, errors


def _save_rules(*, territory: Territory, rules: list[tuple[str, str]]) -> None:
    TerritoryRule.objects.filter(territory=territory).delete()
    TerritoryRule.objects.bulk_create(
        [TerritoryRule(territory=territory, kind=k, value=v) for k, v in rules]
    )


def territory_create(
    *, by: User, team: Team, name: str, priority: int = 100, rules=None
) -> Territory:
    """A new territory of `team` with its rules (see clean_rules). The team's manager or an
    admin; customers move only when the rules are run (territory_assign_by_rules)."""
    _check_may_manage(by=by, team=team)
    fields, errors = _territory_fields(name=name or "", priority=priority)
    try:
        cleaned = clean_rules(rules)
    except ValidationError as exc:
        errors |= exc.message_dict
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            territory = Territory.objects.create(team=team, **fields)
            _save_rules(territory=territory, rules=cleaned)
    except IntegrityError:
        raise ValidationError({"name": [_("The team has a territory of that name.")]}) from None
    return territory


def territory_update(
    *, territory: Territory, by: User, name=None, priority=None, rules=None
) -> Territory:
    """Change the name, priority or (all of) the rules; what is not given stays."""
    _check_may_manage(by=by, team=territory.team)
    fields, errors = _territory_fields(name=name, priority=priority)
    cleaned = None
    if rules is not None:
        try:
            cleaned = clean_rules(rules)
        except ValidationError as exc:
            errors |= exc.message_dict
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            for key, value in fields.items():
                setattr(territory, key, value)
            if fields:
                territory.save(update_fields=list(fields))
            if cleaned is not None:
                _save_rules(territory=territory, rules=cleaned)
    except IntegrityError:
        raise ValidationError({"name": [_("The team has a territory of that name.")]}) from None
    return territory


def territory_delete(*, territory: Territory, by: User) -> None:
    """Its customers are left without a territory (and unpinned: the rules place them)."""
    _check_may_manage(by=by, team=territory.team)
    with transaction.atomic():
        Customer.objects.filter(territory=territory).update(territory=None, territory_manual=False)
        territory.delete()


def territory_assign_by_rules(*, team: Team, by: User | None = None) -> int:
    """Place the customers of the team's reps by the team's rules, in ONE UPDATE (the
    rules as one CASE, first matching territory by priority), leaving customers a person
    placed (`territory_manual`) alone. Rerunnable: only rows whose territory changes are
    written, and their number is returned (a second run returns 0)."""
    if by is not None:
        _check_may_manage(by=by, team=team)
    case = _rule_case(team_id=team.pk)
    customers = Customer.objects.filter(
        owner_id__in=User.objects.filter(team_id=team.pk).values("pk"), territory_manual=False
    )
    with transaction.atomic():
        if case is None:  # no rules: no customer of the team keeps a rule territory
            return customers.filter(territory__isnull=False).update(territory=None)
        changed = customers.annotate(new_territory=case).filter(
            Q(territory__isnull=True, new_territory__isnull=False)
            | Q(territory__isnull=False, new_territory__isnull=True)
            | (
                Q(territory__isnull=False, new_territory__isnull=False)
                & ~Q(territory_id=F("new_territory"))
            )
        )
        return Customer.objects.filter(pk__in=changed.values("pk")).update(territory=case)


def territory_assign_all_teams() -> int:
    """The nightly run: every team's rules; returns how many customers moved."""
    return sum(territory_assign_by_rules(team=team) for team in Team.objects.order_by("pk"))


def customer_territory_set(
    *, customer: Customer, by: User, territory: Territory | None, manual: bool = True
) -> Customer:
    """A person's choice for one customer. `manual` pins `territory` (None: no territory)
    so the rules keep it; `manual=False` unpins and places the customer by the rules now.
    The territory must be one of the customer's team's, and `by` its manager or an admin."""
    team_id = User.objects.filter(pk=customer.owner_id).values_list("team_id", flat=True).first()
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise ValidationError({"customer": [_("The customer's owner is in no team.")]})
    _check_may_manage(by=by, team=team)
    if not manual:
        customer.territory_manual = False
        case = _rule_case(team_id=team.pk)
        Customer.objects.filter(pk=customer.pk).update(
            territory_manual=False, territory=case if case is not None else None
        )
        customer.refresh_from_db(fields=["territory", "territory_manual"])
        return customer
    if territory is not None and territory.team_id != team.pk:
        raise ValidationError(
            {"territory": [_("Choose one of the customer's team's territories.")]}
        )
    customer.territory = territory
    customer.territory_manual = True
    customer.save(update_fields=["territory", "territory_manual", "updated_at"])
    return customer


# --- Figures -----------------------------------------------------------------------------


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class TerritoryKPI:
    territory: Territory
    customers: int
    pipeline_value: Decimal
    won_quarter: Decimal
    key_customers: int
    key_covered: int

    @property
    def coverage_percent(self) -> Decimal | None:
        if not self.key_customers:
            return None
        return (Decimal(self.key_covered) * 100 / self.key_customers).quantize(Decimal("1"))


def territory_kpis(
    *, territories: QuerySet[Territory], day: date | None = None
) -> list[TerritoryKPI]:
    """Per territory: open pipeline value, value won in the quarter of `day` up to `day`,
    and key customers covered (an activity in the KEY_COVERAGE_DAYS days up to `day`) out
    of all its key customers. Three queries whatever the number of territories or
    customers: the territories, one GROUP BY territory over deals, one over customers."""
    from activities.models import Activity

    day = day or timezone.localdate()
    rows = list(territories.order_by("team__name", "priority", "id"))
    ids = [t.pk for t in rows]
    if not ids:
        return []
    deals = (
        Deal.objects.filter(customer__territory_id__in=ids)
        .filter(
            Q(stage_id__in=OPEN_STAGES)
            | Q(stage_id=DealStage.WON, closed_at__gte=quarter_start(day))
        )
        .order_by()
        .values("customer__territory_id")
        .annotate(
            # company currency (crm.currency): open at today's rate, won at the close date's
            open=Sum(to_company(on=timezone.localdate()), filter=Q(stage_id__in=OPEN_STAGES)),
            won=Sum(
                to_company(on="closed_at"),
                filter=Q(
                    stage_id=DealStage.WON,
                    closed_at__gte=quarter_start(day),
                    closed_at__lte=day,
                ),
            ),
        )
    )
    money = {r["customer__territory_id"]: (r["open"] or ZERO, r["won"] or ZERO) for r in deals}
    tz = timezone.get_current_timezone()
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), tz)
    recent = Activity.objects.filter(
        customer_id=OuterRef("pk"),
        occurred_at__gte=end - timedelta(days=KEY_COVERAGE_DAYS),
        occurred_at__lt=end,
    )
    counts = {
        r["territory_id"]: r
        for r in Customer.objects.filter(territory_id__in=ids)
        .annotate(recent=Exists(recent))
        .order_by()
        .values("territory_id")
        .annotate(
            n=Count("id"),
            keys=Count("id", filter=Q(is_key=True)),
            covered=Count("id", filter=Q(is_key=True, recent=True)),
        )
    }
    result = []
    for territory in rows:
        open_value, won = money.get(territory.pk, (ZERO, ZERO))
        c = counts.get(territory.pk, {})
        result.append(
            TerritoryKPI(
                territory=territory,
                customers=c.get("n", 0),
                pipeline_value=_money(open_value),
                won_quarter=_money(won),
                key_customers=c.get("keys", 0),
                key_covered=c.get("covered", 0),
            )
        )
    return result


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def territory_choices_for(*, customer: Customer, user: User) -> list[Territory] | None:
    """The territories `user` may pin on the customer (its owner's team's), or None when
    they may not pin at all (reps; a manager of another team). One query at most."""
    if not may_manage_territories(user=user):
        return None
    team_id = customer.owner.team_id
    if not team_id or not (user.is_admin or customer.owner.team.manager_id == user.pk):
        return None
    return list(Territory.objects.filter(team_id=team_id).order_by("priority", "id"))


def territory_kpis_for(*, user: User, team_id: int | None, day: date) -> list[TerritoryKPI]:
    """The dashboard's territory table: the user's territories (one team when chosen)."""
    territories = territories_visible_to(user=user)
    if team_id:
        territories = territories.filter(team_id=team_id)
    return territory_kpis(territories=territories, day=day)
