"""Recognition (issue 13): the team leaderboard and the badges earned with incentives.

Leaderboard: every active rep of one team for one ISO week (the activities' stored week,
i.e. the team's time zone) or one calendar month (team time zone), ranked by activity
points (each activity kind weighs the team's points, TeamRecognition, else
settings.COACHING_POINTS), ties broken by won value (won deals credited to the rep and
closed in the period), then by name. One query for the figures, whatever the team size.
A manager may hide the team's leaderboard: its reps then see a note, managers and admins
still see it.

Badges: the weekly KPI job, once its transaction commits, queues award_badges_task for the
week (reports.kpis.compute_weekly_kpis). award_badges gives each rep in scope one Badge per
(incentive, period) reached: the incentives offered to the rep (their own, their team's,
company-wide; reports.selectors.incentives_for) whose period overlaps the week, earned when
the won revenue credited to the rep in the period reaches `attainment`% of the rep's quota
row for that period (no quota, no badge), exactly as reports.selectors.incentives_earned.
Badges are stored rather than computed on read because an award is an event with a date
that must not vanish or repeat when later data changes (a reopened deal, a quota edited
afterwards); the unique (rep, incentive, period_start) key makes reruns no-ops."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team, User
from activities.weeks import parse_week, week_label, week_monday
from coaching.models import Badge, TeamRecognition
from coaching.models.recognition import POINT_KINDS
from crm.choices import DealStage
from crm.currency import to_company
from crm.ids import parse_id
from crm.models import Deal

MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")
MAX_POINTS = 1000
PERIODS = ("week", "month")


# --- Settings ----------------------------------------------------------------------------


def recognition_settings(*, team: Team) -> TeamRecognition:
    """The team's settings, unsaved defaults when it has none (no write on read)."""
    found = TeamRecognition.objects.filter(team=team).first()
    return found or TeamRecognition(team=team)


def may_manage_recognition(*, user: User, team: Team) -> bool:
    return bool(user.is_admin or (user.is_manager and team.manager_id == user.pk))


def recognition_settings_update(
    *, team: Team, by: User, leaderboard_hidden=None, points: dict | None = None
) -> TeamRecognition:
    """Hide or show the team's leaderboard and set its points per activity kind (a kind
    left out keeps its value; None: back to the default). The team's manager or an admin."""
    if not may_manage_recognition(user=by, team=team):
        raise PermissionDenied(_("Only the team's manager or an admin changes its leaderboard."))
    errors: dict[str, list[str]] = {}
    if leaderboard_hidden is not None and not isinstance(leaderboard_hidden, bool):
        # Translators: true and false are the values the API takes; keep them.
        errors["leaderboard_hidden"] = [_("Give true or false.")]
    points = points or {}
    if not isinstance(points, dict):
        errors["points"] = [_("Give the points as {kind: whole number}.")]
        points = {}
    for kind, value in points.items():
        if kind not in POINT_KINDS:
            errors.setdefault("points", []).append(
                _("“%(kind)s” is not an activity kind (%(kinds)s).")
                % {"kind": kind, "kinds": ", ".join(POINT_KINDS)}
            )
        elif value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POINTS
        ):
            errors.setdefault("points", []).append(
                _("Points for %(kind)s: a whole number from 0 to %(max)s.")
                % {"kind": kind, "max": MAX_POINTS}
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current, _created = TeamRecognition.objects.select_for_update().get_or_create(team=team)
        if leaderboard_hidden is not None:
            current.leaderboard_hidden = leaderboard_hidden
        for kind, value in points.items():
            setattr(current, f"points_{kind}", value)
        current.updated_by = by
        current.save()
    return current


# --- Which team, which period ------------------------------------------------------------


def leaderboard_teams(*, user: User):
    """The teams whose leaderboard the user may open: a rep their own, a manager theirs,
    an admin every team."""
    if user.is_admin:
        return Team.objects.select_related("manager").order_by("name")
    if user.is_manager:
        return Team.objects.filter(manager=user).order_by("name")
    return Team.objects.filter(pk=user.team_id) if user.team_id else Team.objects.none()


def leaderboard_team(*, user: User, team_id=None) -> Team | None:
    """The team asked for (?team=, must be in leaderboard_teams: else None, a 404), or the
    caller's own / first team. A team id that is not a whole number: ValidationError."""
    teams = leaderboard_teams(user=user)
    if team_id in (None, ""):
        own = teams.filter(pk=user.team_id).first() if user.team_id else None
        return own or teams.first()
    pk = parse_id(team_id)
    if pk is None:
        raise ValidationError({"team": [_("Give the team as a whole-number id.")]})
    return teams.filter(pk=pk).first()


@dataclass(frozen=True)
class Period:
    kind: str  # week | month
    label: str  # 2026-W47 | 2026-11
    first_day: date
    last_day: date

    @property
    def previous(self) -> str:
        if self.kind == "week":
            return week_label(self.first_day - timedelta(days=7))
        return (self.first_day - timedelta(days=1)).strftime("%Y-%m")

    @property
    def next(self) -> str:
        if self.kind == "week":
            return week_label(self.first_day + timedelta(days=7))
        return (self.last_day + timedelta(days=1)).strftime("%Y-%m")


def _month_of(text: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        if len(text) != 7 or not 2000 <= year <= 2100:
            raise ValueError
        return date(year, month, 1)
    except (ValueError, TypeError):
        message = _("“%(text)s” is not a month like 2026-11.") % {"text": text}
        raise ValidationError({"month": [message]}) from None


def leaderboard_period(*, team: Team, period=None, week=None, month=None) -> Period:
    """period=week (default) with week=YYYY-Www, or period=month with month=YYYY-MM; an
    absent week or month is the current one in the team's time zone."""
    kind = period or "week"
    if kind not in PERIODS:
        # Translators: week and month are the values of the period parameter; keep them.
        raise ValidationError({"period": [_("The period is week or month.")]})
    today = timezone.localdate(timezone.now(), team.tzinfo)
    if kind == "week":
        label = week or week_label(today)
        try:
            parse_week(label)
        except ValidationError as exc:
            raise ValidationError({"week": exc.messages}) from None
        monday = week_monday(label)
        return Period("week", label, monday, monday + timedelta(days=6))
    first = _month_of(month) if month else today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period("month", first.strftime("%Y-%m"), first, following - timedelta(days=1))


# --- The leaderboard ---------------------------------------------------------------------


@dataclass
class LeaderboardRow:
    rank: int
    rep: User
    points: int
    activities: int
    won_value: Decimal


@dataclass
class Leaderboard:
    team: Team
    period: Period
    points: dict[str, int]
    hidden: bool
    visible: bool  # False for a rep of a team whose manager hid it
    rows: list[LeaderboardRow] = field(default_factory=list)
    badges: list[Badge] = field(default_factory=list)


def _points_case(points: dict[str, int]) -> Case:
    return Case(
        *[When(kind=kind, then=Value(weight)) for kind, weight in points.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def leaderboard_rows(*, team: Team, period: Period, points: dict[str, int]) -> list[LeaderboardRow]:
    """The ranked rows (see the module docstring): ONE query, the reps with their points,
    activity count and won value as grouped subqueries."""
    from activities.models import Activity

    acts = Activity.objects.filter(owner_id=OuterRef("pk"))
    if period.kind == "week":
        acts = acts.filter(week=period.label)
    else:
        tz = team.tzinfo
        start = timezone.make_aware(datetime.combine(period.first_day, time.min), tz)
        end = timezone.make_aware(datetime.combine(period.last_day + timedelta(1), time.min), tz)
        acts = acts.filter(occurred_at__gte=start, occurred_at__lt=end)
    acts = acts.order_by().values("owner_id")
    won = (
        Deal.objects.filter(
            stage_id=DealStage.WON,
            credited_to_id=OuterRef("pk"),
            closed_at__gte=period.first_day,
            closed_at__lte=period.last_day,
        )
        .order_by()
        .values("credited_to_id")
        .annotate(total=Sum(to_company(on="closed_at")))  # company currency
        .values("total")[:1]
    )
    reps = (
        User.objects.filter(team=team, role="rep", is_active=True)
        .annotate(
            lb_points=Coalesce(
                Subquery(
                    acts.annotate(p=Sum(_points_case(points))).values("p")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
            lb_activities=Coalesce(
                Subquery(acts.annotate(n=Count("id")).values("n")[:1], output_field=IntegerField()),
                0,
            ),
            lb_won=Coalesce(Subquery(won, output_field=MONEY), Value(ZERO), output_field=MONEY),
        )
        .order_by("-lb_points", "-lb_won", "first_name", "last_name", "username")
    )
    rows, previous, rank = [], None, 0
    for position, rep in enumerate(reps, start=1):
        key = (rep.lb_points, rep.lb_won)
        if key != previous:
            rank, previous = position, key
        rows.append(
            LeaderboardRow(
                rank=rank,
                rep=rep,
                points=rep.lb_points,
                activities=rep.lb_activities,
                won_value=rep.lb_won,
            )
        )
    return rows


def leaderboard_for(*, user: User, team: Team, period: Period) -> Leaderboard:
    """What `user` sees of the team's leaderboard (team from leaderboard_team): the rows
    and the badges awarded in the period, unless the team hid it from its reps. Three
    queries (settings, figures, badges)."""
    settings_row = recognition_settings(team=team)
    points = settings_row.points()
    hidden = settings_row.leaderboard_hidden
    visible = not hidden or user.is_admin or user.is_manager
    board = Leaderboard(team=team, period=period, points=points, hidden=hidden, visible=visible)
    if visible:
        board.rows = leaderboard_rows(team=team, period=period, points=points)
        board.badges = list(
            Badge.objects.filter(
                rep__team=team,
                awarded_at__date__gte=period.first_day,
                awarded_at__date__lte=period.last_day + timedelta(days=1),
            )
            .select_related("rep", "incentive")
            .order_by("-awarded_at", "-id")[:50]
        )
    return board


def badges_visible_to(*, user: User):
    """A rep their own badges, a manager their team(s)', an admin all."""
    qs = Badge.objects.select_related("rep", "incentive")
    if user.is_admin:
        return qs
    if user.is_manager:
        return qs.filter(rep__team__manager=user)
    return qs.filter(rep=user)


# --- Badges ------------------------------------------------------------------------------


def _period_end(kind: str, start: date) -> date:
    from reports.selectors import period_bounds

    return period_bounds(period=kind, start=start)[1]


def award_badges(*, week: str, team: Team | None = None) -> int:
    """Award the badges earned by the reps of `team` (or of every team) in the incentive
    periods overlapping the ISO week (see the module docstring). Idempotent: a badge
    already awarded is kept as it is. Returns how many were new. At most seven queries
    whatever the number of reps and incentives (reps, incentives, won revenue per period
    in one GROUP BY, quotas, and the insert between two counts)."""
    from reports.kpis import reps_in_scope
    from reports.models import Incentive, Quota

    parse_week(week)
    monday = week_monday(week)
    sunday = monday + timedelta(days=6)
    team_of = dict(reps_in_scope(week=week, team=team).values_list("pk", "team_id"))
    if not team_of:
        return 0
    team_ids = {t for t in team_of.values() if t}
    offered = Q(rep_id__in=list(team_of)) | Q(rep__isnull=True, team__isnull=True)
    if team_ids:
        offered |= Q(rep__isnull=True, team_id__in=team_ids)
    incentives = [
        i
        for i in Incentive.objects.filter(offered, period_start__lte=sunday)
        if _period_end(i.period, i.period_start) >= monday
    ]
    if not incentives:
        return 0
    periods = sorted({(i.period, i.period_start) for i in incentives})
    sums = {
        f"w{n}": Sum(
            "amount",
            filter=Q(closed_at__gte=start, closed_at__lte=_period_end(kind, start)),
        )
        for n, (kind, start) in enumerate(periods)
    }
    won = {
        row["credited_to_id"]: row
        for row in Deal.objects.filter(
            stage_id=DealStage.WON,
            credited_to_id__in=list(team_of),
            closed_at__gte=min(s for _, s in periods),
            closed_at__lte=max(_period_end(k, s) for k, s in periods),
        )
        .order_by()
        .values("credited_to_id")
        .annotate(**sums)
    }
    quota_q = Q()
    for kind, start in periods:
        quota_q |= Q(period=kind, period_start=start)
    quotas = {
        (rep_id, kind, start): revenue
        for rep_id, kind, start, revenue in Quota.objects.filter(
            quota_q, rep_id__in=list(team_of)
        ).values_list("rep_id", "period", "period_start", "revenue")
    }
    now = timezone.now()
    badges = []
    for incentive in incentives:
        key = f"w{periods.index((incentive.period, incentive.period_start))}"
        if incentive.rep_id:
            candidates = [incentive.rep_id] if incentive.rep_id in team_of else []
        elif incentive.team_id:
            candidates = [r for r, t in team_of.items() if t == incentive.team_id]
        else:
            candidates = list(team_of)
        for rep_id in candidates:
            quota = quotas.get((rep_id, incentive.period, incentive.period_start))
            if not quota:
                continue
            value = (won.get(rep_id) or {}).get(key) or ZERO
            attainment = (value * 100 / quota).quantize(Decimal("0.01"))
            if attainment >= incentive.attainment:
                badges.append(
                    Badge(
                        rep_id=rep_id,
                        incentive=incentive,
                        period_start=incentive.period_start,
                        won=value,
                        quota=quota,
                        attainment=attainment,
                        awarded_at=now,
                    )
                )
    if not badges:
        return 0
    with transaction.atomic():
        before = Badge.objects.filter(rep_id__in=list(team_of)).count()
        Badge.objects.bulk_create(badges, ignore_conflicts=True)
        return Badge.objects.filter(rep_id__in=list(team_of)).count() - before


def queue_badge_awards(*, week: str, team_id: int | None) -> None:
    """After the current transaction commits (the KPI job's), award the week's badges in
    their own task: a failure there never rolls back or slows the KPI rows."""
    from coaching.tasks import award_badges_task

    transaction.on_commit(lambda: award_badges_task.delay(week=week, team_id=team_id), robust=True)
