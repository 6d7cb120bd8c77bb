"""Writes of targets and results. Every write checks who may make it (a rep's own manager or an
admin), validates everything before changing anything, and raises ValidationError with field
messages (PermissionDenied for a caller who may not act)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from accounts.models import Team, User
from activities.weeks import date_range_error, parse_week
from reports.choices import ExpectationMetric, PeriodKind
from reports.models import (
    ActivityGoal,
    CommissionPlan,
    CommissionTier,
    ExpectationItem,
    ExpectationProfile,
    Incentive,
    Quota,
)
from reports.selectors import can_set_targets_for, period_start_of

# --- Targets a manager sets (issue 5, area 5A) ---------------------------------------------

QUOTA_VALUE_FIELDS = ("revenue", "new_customers_primary", "new_customers_secondary")
GOAL_VALUE_FIELDS = ("calls", "meetings", "visits", "new_prospects")
MAX_MONEY = Decimal("999999999999.99")
MAX_COUNT = 1_000_000
PROSPECTING = {
    ExpectationMetric.PROSPECTING_COLD_CALLS,
    ExpectationMetric.PROSPECTING_VISITS,
    ExpectationMetric.PROSPECTING_REFERRALS,
}


def _check_may_set(*, by: User, rep: User) -> None:
    if not can_set_targets_for(user=by, rep=rep):
        raise PermissionDenied(_("Only the rep's manager or an admin sets their targets."))


def _money(value, *, field: str, errors: dict, maximum: Decimal = MAX_MONEY) -> Decimal | None:
    """A non-negative Decimal with at most two decimals, or a field error."""
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except (InvalidOperation, ValueError, TypeError):
        errors[field] = _("Enter an amount such as 125000.00.")
        return None
    if not amount.is_finite():
        errors[field] = _("Enter an amount such as 125000.00.")
    elif amount < 0:
        errors[field] = _("Must not be negative.")
    elif amount > maximum:
        errors[field] = _("Must be at most %(limit)s.") % {"limit": maximum}
    elif amount != amount.quantize(Decimal("0.01")):
        errors[field] = _("Use at most two decimal places.")
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def _count(value, *, field: str, errors: dict) -> int | None:
    try:
        number = int(value if value not in (None, "") else 0)
    except (ValueError, TypeError):
        errors[field] = _("Enter a whole number.")
        return None
    if number < 0:
        errors[field] = _("Must not be negative.")
    elif number > MAX_COUNT:
        errors[field] = _("Must be at most %(limit)s.") % {"limit": MAX_COUNT}
    else:
        return number
    return None


def _quota_values(fields: dict, errors: dict) -> dict:
    values = {}
    if "revenue" in fields:
        values["revenue"] = _money(fields["revenue"], field="revenue", errors=errors)
    for name in ("new_customers_primary", "new_customers_secondary"):
        if name in fields:
            values[name] = _count(fields[name], field=name, errors=errors)
    unknown = set(fields) - set(QUOTA_VALUE_FIELDS)
    if unknown:
        errors["non_field_errors"] = _("Unknown fields: %(fields)s.") % {
            "fields": ", ".join(sorted(unknown))
        }
    return values


def _choose_period_message() -> str:
    return _("Choose one of %(choices)s.") % {"choices": ", ".join(PeriodKind.values)}


def _not_first_day_message(*, period: str, first: date, given: date) -> str:
    """One whole sentence per kind of period, so each translates naturally."""
    messages = {
        PeriodKind.MONTH: _("A month starts on its first day: use %(first)s, not %(given)s."),
        PeriodKind.QUARTER: _("A quarter starts on its first day: use %(first)s, not %(given)s."),
        PeriodKind.YEAR: _("A year starts on its first day: use %(first)s, not %(given)s."),
    }
    return messages[period] % {"first": first.isoformat(), "given": given.isoformat()}


def _check_period(*, period: str, period_start, errors: dict) -> None:
    if period not in PeriodKind.values:
        errors["period"] = _choose_period_message()
    elif not isinstance(period_start, date):
        errors["period_start"] = _("Enter the period's first day, e.g. 2026-04-01.")
    elif date_range_error(period_start):
        errors["period_start"] = date_range_error(period_start)
    elif period_start_of(period=period, day=period_start) != period_start:
        first = period_start_of(period=period, day=period_start)
        errors["period_start"] = _not_first_day_message(
            period=period, first=first, given=period_start
        )


@transaction.atomic
def quota_set(*, rep: User, period: str, period_start: date, by: User, **values) -> Quota:
    """Set (create or replace) the rep's quota for one month, quarter or year. Entered by hand,
    so it is no longer a roll-up of the months."""
    errors: dict = {}
    _check_may_set(by=by, rep=rep)
    _check_period(period=period, period_start=period_start, errors=errors)
    clean = _quota_values(values, errors)
    if errors:
        raise ValidationError(errors)
    quota, _created = Quota.objects.update_or_create(
        rep=rep,
        period=period,
        period_start=period_start,
        defaults={**clean, "rolled_up": False, "set_by": by},
    )
    return quota


@transaction.atomic
def quota_update(*, quota: Quota, by: User, **values) -> Quota:
    """Change an existing quota's figures (its rep and period stay)."""
    errors: dict = {}
    _check_may_set(by=by, rep=quota.rep)
    clean = _quota_values(values, errors)
    if errors:
        raise ValidationError(errors)
    for name, value in clean.items():
        setattr(quota, name, value)
    quota.rolled_up = False
    quota.set_by = by
    quota.save()
    return quota


@transaction.atomic
def quota_delete(*, quota: Quota, by: User) -> None:
    _check_may_set(by=by, rep=quota.rep)
    quota.delete()


@transaction.atomic
def quota_roll_up(
    *, rep: User, year: int, by: User, periods: tuple[str, ...] = ("quarter", "year")
) -> list[Quota]:
    """Quarter and/or year quotas as the sum of the year's monthly quotas, computed in SQL
    (one aggregate with a conditional SUM per quarter) and upserted in one statement, marked
    rolled_up. Months without a quota count as zero."""
    _check_may_set(by=by, rep=rep)
    errors: dict = {}
    if not isinstance(year, int) or not 1900 <= year <= 2999:
        errors["year"] = _("Enter a year such as 2026.")
    bad = set(periods) - {PeriodKind.QUARTER, PeriodKind.YEAR}
    if bad or not periods:
        errors["periods"] = _("Roll up quarters and/or the year.")
    if errors:
        raise ValidationError(errors)
    months = Quota.objects.filter(rep=rep, period=PeriodKind.MONTH, period_start__year=year)
    sums = {}
    for q in range(1, 5):
        in_quarter = Q(period_start__month__gte=3 * q - 2, period_start__month__lte=3 * q)
        for name in QUOTA_VALUE_FIELDS:
            sums[f"q{q}_{name}"] = Sum(name, filter=in_quarter, default=0)
    for name in QUOTA_VALUE_FIELDS:
        sums[f"y_{name}"] = Sum(name, default=0)
    totals = months.aggregate(**sums)
    rows = []
    if PeriodKind.QUARTER in periods:
        for q in range(1, 5):
            rows.append(
                Quota(
                    rep=rep,
                    period=PeriodKind.QUARTER,
                    period_start=date(year, 3 * q - 2, 1),
                    rolled_up=True,
                    set_by=by,
                    **{name: totals[f"q{q}_{name}"] for name in QUOTA_VALUE_FIELDS},
                )
            )
    if PeriodKind.YEAR in periods:
        rows.append(
            Quota(
                rep=rep,
                period=PeriodKind.YEAR,
                period_start=date(year, 1, 1),
                rolled_up=True,
                set_by=by,
                **{name: totals[f"y_{name}"] for name in QUOTA_VALUE_FIELDS},
            )
        )
    if any(row.revenue > MAX_MONEY for row in rows):
        raise ValidationError(
            {
                "revenue": _("The months add up to more than %(limit)s, the most a quota holds.")
                % {"limit": f"{MAX_MONEY:,}"}
            }
        )
    Quota.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["rep", "period", "period_start"],
        update_fields=[*QUOTA_VALUE_FIELDS, "rolled_up", "set_by", "updated_at"],
    )
    return list(
        Quota.objects.filter(rep=rep, period__in=periods, period_start__year=year).order_by(
            "period", "period_start"
        )
    )


@transaction.atomic
def quota_grid_save(
    *, rep: User, year: int, by: User, cells: dict[tuple[str, date], dict], roll_up: set[str]
) -> None:
    """Save a year's grid at once: each (period, period_start) cell with its figures; the
    periods named in `roll_up` are then computed from the months instead. All or nothing:
    the first invalid cell raises with the cell's field names prefixed by
    "<period>-<yyyy-mm-dd>-"."""
    _check_may_set(by=by, rep=rep)
    errors: dict = {}
    clean_cells = {}
    for (period, start), values in cells.items():
        if period in roll_up:
            continue
        cell_errors: dict = {}
        _check_period(period=period, period_start=start, errors=cell_errors)
        clean = _quota_values(values, cell_errors)
        prefix = f"{period}-{start.isoformat()}-"
        errors.update({prefix + name: msg for name, msg in cell_errors.items()})
        clean_cells[(period, start)] = clean
    if errors:
        raise ValidationError(errors)
    rows = [
        Quota(rep=rep, period=period, period_start=start, rolled_up=False, set_by=by, **clean)
        for (period, start), clean in clean_cells.items()
    ]
    Quota.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["rep", "period", "period_start"],
        update_fields=[*QUOTA_VALUE_FIELDS, "rolled_up", "set_by", "updated_at"],
    )
    if roll_up:
        quota_roll_up(rep=rep, year=year, by=by, periods=tuple(sorted(roll_up)))


def _may_set_team_default(*, by: User, team: Team) -> bool:
    return by.is_admin or (by.is_manager and team.manager_id == by.pk)


def _goal_errors(*, team: Team | None, rep: User | None, week: str, values: dict) -> tuple:
    errors: dict = {}
    if (team is None) == (rep is None):
        errors["non_field_errors"] = _(
            "A goal is either a team default (team) or a rep's own (rep), not both or neither."
        )
    week = (week or "").strip().upper()
    if week:
        try:
            year, number = parse_week(week)
        except ValidationError as exc:
            errors["week"] = exc.messages[0]
        else:
            week = f"{year}-W{number:02d}"
    clean = {}
    for name in GOAL_VALUE_FIELDS:
        if name in values:
            clean[name] = _count(values[name], field=name, errors=errors)
    unknown = set(values) - set(GOAL_VALUE_FIELDS)
    if unknown:
        errors["non_field_errors"] = _("Unknown fields: %(fields)s.") % {
            "fields": ", ".join(sorted(unknown))
        }
    return week, clean, errors


def _check_goal_permission(*, by: User, team: Team | None, rep: User | None) -> None:
    if rep is not None:
        _check_may_set(by=by, rep=rep)
    elif team is not None and not _may_set_team_default(by=by, team=team):
        raise PermissionDenied(_("Only the team's manager or an admin sets its default goals."))


@transaction.atomic
def activity_goal_set(
    *, by: User, team: Team | None = None, rep: User | None = None, week: str = "", **values
) -> ActivityGoal:
    """Set a team default (team) or a rep's own goal (rep) for one ISO week, or standing for
    every week (week empty). The rep's goal overrides the team default."""
    week, clean, errors = _goal_errors(team=team, rep=rep, week=week, values=values)
    if "non_field_errors" not in errors:
        _check_goal_permission(by=by, team=team, rep=rep)
    if errors:
        raise ValidationError(errors)
    key = {"rep": rep, "week": week} if rep else {"team": team, "rep": None, "week": week}
    goal, _created = ActivityGoal.objects.update_or_create(**key, defaults={**clean, "set_by": by})
    return goal


@transaction.atomic
def activity_goal_update(*, goal: ActivityGoal, by: User, **values) -> ActivityGoal:
    """Change a goal's figures or week; whose goal it is stays."""
    week = values.pop("week", goal.week)
    week, clean, errors = _goal_errors(
        team=None if goal.rep_id else goal.team,
        rep=goal.rep,
        week=week,
        values=values,
    )
    _check_goal_permission(by=by, team=goal.team, rep=goal.rep)
    clash = ActivityGoal.objects.exclude(pk=goal.pk).filter(week=week)
    clash = clash.filter(rep=goal.rep) if goal.rep_id else clash.filter(team=goal.team, rep=None)
    if "week" not in errors and clash.exists():
        errors["week"] = _("There is already a goal for this week; change that one.")
    if errors:
        raise ValidationError(errors)
    goal.week = week
    for name, value in clean.items():
        setattr(goal, name, value)
    goal.set_by = by
    goal.save()
    return goal


@transaction.atomic
def activity_goal_delete(*, goal: ActivityGoal, by: User) -> None:
    _check_goal_permission(by=by, team=None if goal.rep_id else goal.team, rep=goal.rep)
    goal.delete()


def _item_errors(items: list[dict]) -> tuple[list[dict], dict]:
    errors: dict = {}
    seen = set()
    clean_items = []
    for index, item in enumerate(items):
        metric = item.get("metric")
        field = f"items-{index}"
        if metric not in ExpectationMetric.values:
            errors[f"{field}-metric"] = _("Choose what this item measures.")
            continue
        if metric in seen:
            errors[f"{field}-metric"] = _("Each measure appears once.")
            continue
        seen.add(metric)
        maximum = Decimal("100") if metric == ExpectationMetric.TRAVEL_SHARE else MAX_MONEY
        target = _money(item.get("target"), field=f"{field}-target", errors=errors, maximum=maximum)
        weight = _count(item.get("weight", 0), field=f"{field}-weight", errors=errors)
        if weight is not None and weight > 100:
            errors[f"{field}-weight"] = _("A weight is a share in percent: at most 100.")
        if weight and metric not in PROSPECTING:
            errors[f"{field}-weight"] = _("Only prospecting methods carry a weight.")
        clean_items.append(
            {
                "metric": metric,
                "target": target,
                "weight": weight or 0,
                "note": (item.get("note") or "").strip()[:255],
            }
        )
    prospecting = [i for i in clean_items if i["metric"] in PROSPECTING]
    if prospecting and not any(k.endswith("-weight") for k in errors):
        total = sum(i["weight"] for i in prospecting)
        if total != 100:
            errors["weights"] = _(
                "Prospecting weights must add up to 100 (they add up to %(total)s)."
            ) % {"total": total}
    return clean_items, errors


@transaction.atomic
def expectation_profile_save(
    *, rep: User, by: User, starts_on: date, summary: str = "", items: list[dict]
) -> ExpectationProfile:
    """Write the rep's expectation profile: its start and its measurable items (replacing the
    previous items). Prospecting methods carry weights that add up to 100."""
    _check_may_set(by=by, rep=rep)
    clean_items, errors = _item_errors(items)
    if not isinstance(starts_on, date):
        errors["starts_on"] = _("Enter the day the expectations start, e.g. 2026-01-01.")
    elif date_range_error(starts_on):
        errors["starts_on"] = date_range_error(starts_on)
    if errors:
        raise ValidationError(errors)
    profile, _created = ExpectationProfile.objects.update_or_create(
        rep=rep, defaults={"starts_on": starts_on, "summary": summary or "", "set_by": by}
    )
    profile.items.all().delete()
    ExpectationItem.objects.bulk_create(
        [ExpectationItem(profile=profile, **item) for item in clean_items]
    )
    return profile


@transaction.atomic
def commission_plan_save(
    *,
    rep: User,
    by: User,
    base_rate,
    tier_period: str = PeriodKind.QUARTER,
    tiers: list[tuple] = (),
) -> CommissionPlan:
    """Write the rep's commission plan: a base rate (% of a won deal) and optional tiers
    (from N% quota attainment in the tier period, rate R%), replacing previous tiers. A None
    in `tiers` is a row left empty: skipped, but counted, so an error names the row the
    user typed it in ("tiers-2-rate")."""
    _check_may_set(by=by, rep=rep)
    errors: dict = {}
    rate = _money(base_rate, field="base_rate", errors=errors, maximum=Decimal("100"))
    if tier_period not in PeriodKind.values:
        errors["tier_period"] = _choose_period_message()
    clean_tiers = []
    seen = set()
    for index, tier in enumerate(tiers):
        if tier is None:
            continue
        attainment_from, tier_rate = tier
        start = _money(
            attainment_from,
            field=f"tiers-{index}-attainment_from",
            errors=errors,
            maximum=Decimal("9999"),
        )
        r = _money(tier_rate, field=f"tiers-{index}-rate", errors=errors, maximum=Decimal("100"))
        if start is not None and start in seen:
            errors[f"tiers-{index}-attainment_from"] = _("Two tiers start at the same attainment.")
        seen.add(start)
        clean_tiers.append((start, r))
    if errors:
        raise ValidationError(errors)
    plan, _created = CommissionPlan.objects.update_or_create(
        rep=rep, defaults={"base_rate": rate, "tier_period": tier_period}
    )
    plan.tiers.all().delete()
    CommissionTier.objects.bulk_create(
        [CommissionTier(plan=plan, attainment_from=a, rate=r) for a, r in clean_tiers]
    )
    return plan


@transaction.atomic
def incentive_create(
    *,
    by: User,
    name: str,
    reward: str,
    period: str,
    period_start: date,
    attainment=Decimal("100"),
    team: Team | None = None,
    rep: User | None = None,
) -> Incentive:
    """Offer a reward for reaching `attainment`% of a period's quota, to one rep or a team."""
    errors: dict = {}
    if (team is None) == (rep is None):
        errors["non_field_errors"] = _("An incentive is for one rep or for one team.")
    elif rep is not None:
        _check_may_set(by=by, rep=rep)
    elif not _may_set_team_default(by=by, team=team):
        raise PermissionDenied(_("Only the team's manager or an admin offers it incentives."))
    if not (name or "").strip():
        errors["name"] = _("Name the incentive.")
    if not (reward or "").strip():
        errors["reward"] = _("Say what the reward is.")
    _check_period(period=period, period_start=period_start, errors=errors)
    level = _money(attainment, field="attainment", errors=errors, maximum=Decimal("9999"))
    if level is not None and level <= 0:
        # Translators: "%" is a percent sign.
        # xgettext:no-python-format
        errors["attainment"] = _("The level is a share of quota above 0%.")
    if errors:
        raise ValidationError(errors)
    return Incentive.objects.create(
        name=name.strip(),
        reward=reward.strip(),
        period=period,
        period_start=period_start,
        attainment=level,
        team=team,
        rep=rep,
    )
