"""The onboarding ramp (issue 13): a new rep's targets rise by their team's ramp schedule,
and they work through a checklist with a buddy at their side.

The rule. Ramp week 1 is the ISO week of the rep's `start_date`; week n gets the percent of
the first step of the team's schedule with until_week >= n (TeamRamp.steps, or
settings.CRM_RAMP_DEFAULT_SCHEDULE for a team without one: weeks 1-3 40%, 4-6 60%, 7-9 80%,
10-12 100%); before week 1 (not started yet), after the last step and without a start date a
rep is not ramping: 100%. For the week of a KPI snapshot the ramped targets are

- activity goals: percent x the team default goal (rounded half up). A goal set for the rep
  themself is a manager's deliberate choice and is taken as set;
- quota month, quarter and year: percent x the rep's quota (to the cent).

They are applied in ONE place, the goal and quota lookups of the weekly KPI job
(reports.selectors.goals_for_reps and reports.kpis.build_kpi_rows, through ramp_statuses and
ramped_*), so the dashboard's attainment (read from the snapshot), the at-risk flags and "My
week" (reports.selectors.activity_goal_for) all measure a new rep against the same ramped
target. Set-based: a query that loads reps can carry each team's schedule as a correlated
subquery (with_ramp_steps), so the job and the dashboard run no extra query; otherwise
ramp_statuses reads the schedules in one query, and none at all when no rep of the selection
can be ramping."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Team, User
from accounts.selectors import teams_visible_to, users_visible_to
from activities.weeks import week_label, week_monday
from coaching.models import RampChecklistItem, RepRamp, TeamRamp

MAX_RAMP_WEEKS = 52
MAX_STEPS = 12
MAX_CHECKLIST_ITEMS = 30
FALLBACK_SCHEDULE = "3:40,6:60,9:80,12:100"
# The checklist of a team without its own, in the language of whoever reads or copies it.
DEFAULT_CHECKLIST = (
    gettext_lazy("Training modules completed"),
    gettext_lazy("Shadowed calls with the buddy"),
    gettext_lazy("First solo visit"),
)
_MISSING = object()

# --- The schedule ------------------------------------------------------------------------


def validate_steps(steps) -> list[dict]:
    """Steps as [{"until_week": int, "percent": int}], checked and normalised: 1 to 12
    steps, weeks strictly rising within 1..52, percents rising (or equal) within 1..100.
    A specific ValidationError({"steps": [...]}) for anything else."""

    def bad(message: str):
        return ValidationError({"steps": [message]})

    if not isinstance(steps, list) or not steps:
        # Translators: keep the example [{"until_week": 3, "percent": 40}] as it is.
        raise bad(_('Give the schedule as steps, e.g. [{"until_week": 3, "percent": 40}].'))
    if len(steps) > MAX_STEPS:
        raise bad(_("A schedule has at most %(max)s steps.") % {"max": MAX_STEPS})
    clean, last_week, last_percent = [], 0, 0
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or set(step) != {"until_week", "percent"}:
            # Translators: until_week and percent are field names; keep them.
            raise bad(
                _("Step %(number)s: give until_week and percent, nothing else.")
                % {"number": number}
            )
        week, percent = step["until_week"], step["percent"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (week, percent)):
            raise bad(
                _("Step %(number)s: until_week and percent are whole numbers.") % {"number": number}
            )
        if not 1 <= week <= MAX_RAMP_WEEKS:
            raise bad(
                _("Step %(number)s: until_week must be between 1 and %(max)s.")
                % {"number": number, "max": MAX_RAMP_WEEKS}
            )
        if week <= last_week:
            raise bad(
                _("Step %(number)s: week %(week)s must come after week %(last)s.")
                % {"number": number, "week": week, "last": last_week}
            )
        if not 1 <= percent <= 100:
            raise bad(_("Step %(number)s: percent must be between 1 and 100.") % {"number": number})
        if percent < last_percent:
            raise bad(
                _("Step %(number)s: a ramp rises; %(percent)s%% is below %(last)s%%.")
                % {"number": number, "percent": percent, "last": last_percent}
            )
        clean.append({"until_week": week, "percent": percent})
        last_week, last_percent = week, percent
    return clean


def parse_schedule(text: str) -> list[dict]:
    """ "3:40, 6:60, 9:80, 12:100" (until week:percent) -> validated steps."""
    steps = []
    for number, part in enumerate((text or "").split(","), start=1):
        part = part.strip().rstrip("%")
        week, sep, percent = part.partition(":")
        if not sep or not week.strip().isdigit() or not percent.strip().rstrip("%").isdigit():
            message = _("Step %(number)s: “%(part)s” is not week:percent, e.g. 3:40.")
            raise ValidationError({"steps": [message % {"number": number, "part": part}]})
        steps.append({"until_week": int(week), "percent": int(percent.strip().rstrip("%"))})
    return validate_steps(steps)


def format_schedule(steps: list[dict]) -> str:
    return ", ".join(f"{s['until_week']}:{s['percent']}" for s in steps)


def default_steps() -> list[dict]:
    """The schedule of a team without its own (settings.CRM_RAMP_DEFAULT_SCHEDULE; a setting
    that does not parse falls back to 3:40, 6:60, 9:80, 12:100)."""
    try:
        return parse_schedule(settings.CRM_RAMP_DEFAULT_SCHEDULE)
    except ValidationError:
        return parse_schedule(FALLBACK_SCHEDULE)


def schedule_ranges(steps: list[dict]) -> list[dict]:
    """Steps as ranges for display: [{"from": 1, "until": 3, "percent": 40}, ...]."""
    ranges, first = [], 1
    for step in steps:
        ranges.append({"from": first, "until": step["until_week"], "percent": step["percent"]})
        first = step["until_week"] + 1
    return ranges


# --- The rule ----------------------------------------------------------------------------


def ramp_week(*, start_date: date | None, week: str) -> int | None:
    """Which week of the ramp `week` is for a rep who started on `start_date` (1 = the ISO
    week of the start date); None without a start date or before it."""
    if start_date is None:
        return None
    number = (week_monday(week) - week_monday(week_label(start_date))).days // 7 + 1
    return number if number >= 1 else None


def percent_for(*, number: int | None, steps: list[dict]) -> int:
    """The share (%) of the full targets that applies in ramp week `number`."""
    if number is None:
        return 100
    return next((s["percent"] for s in steps if number <= s["until_week"]), 100)


@dataclass(frozen=True)
class RampStatus:
    """A rep in ramp week `week` of `weeks`, measured against `percent`% of the targets."""

    week: int
    percent: int
    weeks: int

    @property
    def label(self) -> str:
        return _("ramp week %(week)s: %(percent)s%% of the team goal") % {
            "week": self.week,
            "percent": self.percent,
        }


def ramp_status(*, start_date: date | None, week: str, steps: list[dict]) -> RampStatus | None:
    """The rep's ramp in `week`, or None when they are not ramping (100%)."""
    number = ramp_week(start_date=start_date, week=week)
    percent = percent_for(number=number, steps=steps)
    if number is None or percent >= 100:
        return None
    return RampStatus(week=number, percent=percent, weeks=steps[-1]["until_week"])


def may_be_ramping(*, start_date: date | None, week: str) -> bool:
    """Cheap check without a query: no schedule is longer than MAX_RAMP_WEEKS."""
    if start_date is None:
        return False
    monday = week_monday(week)
    return monday - timedelta(weeks=MAX_RAMP_WEEKS) < start_date <= monday + timedelta(days=6)


def ramp_steps_subquery(team_field: str = "team_id") -> Subquery:
    """The team's schedule (TeamRamp.steps, NULL for the default) as a correlated subquery,
    to annotate a query that loads reps: `.annotate(ramp_steps=ramp_steps_subquery())`."""
    return Subquery(TeamRamp.objects.filter(team_id=OuterRef(team_field)).values("steps")[:1])


def with_ramp_steps(qs: QuerySet[User]) -> QuerySet[User]:
    return qs.annotate(ramp_steps=ramp_steps_subquery())


def ramp_statuses(*, reps, week: str) -> dict[int, RampStatus]:
    """{rep id: RampStatus} for the reps that are ramping in `week` (the others are at
    100% and left out). No query when no rep can be ramping or every one that can carries
    `ramp_steps` (with_ramp_steps); otherwise one query for their teams' schedules."""
    candidates = [r for r in reps if may_be_ramping(start_date=r.start_date, week=week)]
    if not candidates:
        return {}
    steps_of: dict[int, list | None] = {}
    missing = {
        r.team_id
        for r in candidates
        if r.team_id and getattr(r, "ramp_steps", _MISSING) is _MISSING
    }
    if missing:
        steps_of = dict(
            TeamRamp.objects.filter(team_id__in=missing).values_list("team_id", "steps")
        )
    fallback = default_steps()
    statuses = {}
    for rep in candidates:
        steps = getattr(rep, "ramp_steps", _MISSING)
        if steps is _MISSING:
            steps = steps_of.get(rep.team_id)
        status = ramp_status(start_date=rep.start_date, week=week, steps=steps or fallback)
        if status is not None:
            statuses[rep.pk] = status
    return statuses


def scale_count(value: int, percent: int) -> int:
    return int((Decimal(value) * percent / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def scale_money(value: Decimal, percent: int) -> Decimal:
    return (Decimal(value) * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ramped_goal(goal: dict, status: RampStatus | None) -> dict:
    """A team default goal {calls, meetings, ...} at the rep's ramp percent."""
    if status is None:
        return goal
    return {name: scale_count(value, status.percent) for name, value in goal.items()}


def ramped_quotas(quotas: dict, status: RampStatus | None) -> dict:
    """{quota_month, quota_quarter, quota_year} at the rep's ramp percent."""
    if status is None:
        return quotas
    return {name: scale_money(value, status.percent) for name, value in quotas.items()}


# --- Reads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveRamp:
    team: Team
    steps: list[dict]
    checklist: list[str]
    is_default: bool
    updated_by: User | None = None
    updated_at: object = None

    @property
    def ranges(self) -> list[dict]:
        return schedule_ranges(self.steps)

    @property
    def schedule_text(self) -> str:
        return format_schedule(self.steps)


def _effective(team: Team, ramp: TeamRamp | None) -> EffectiveRamp:
    if ramp is None:
        return EffectiveRamp(
            team=team, steps=default_steps(), checklist=default_checklist(), is_default=True
        )
    return EffectiveRamp(
        team=team,
        steps=ramp.steps or default_steps(),
        checklist=list(ramp.checklist),
        is_default=False,
        updated_by=ramp.updated_by,
        updated_at=ramp.updated_at,
    )


def ramp_teams_visible_to(*, user: User) -> QuerySet[Team]:
    """Teams whose ramp the user sees: an admin all, a manager theirs, a rep their own."""
    return teams_visible_to(user=user).select_related("ramp", "ramp__updated_by")


def team_ramps_for(*, user: User) -> list[EffectiveRamp]:
    """Every visible team's ramp (its own or the default); one query."""
    teams = ramp_teams_visible_to(user=user).order_by("name")
    return [_effective(team, getattr(team, "ramp", None)) for team in teams]


def team_ramp_for(*, team: Team) -> EffectiveRamp:
    return _effective(team, TeamRamp.objects.filter(team=team).first())


def can_manage_ramp_of(*, user: User, team: Team | None) -> bool:
    """The team's own manager and admins edit a ramp, set buddies and checklists."""
    if user.is_admin:
        return True
    return bool(user.is_manager and team is not None and team.manager_id == user.pk)


def ramp_reps_visible_to(*, user: User) -> QuerySet[User]:
    """Reps whose ramp the user sees: a rep themself, a manager their team's, an admin
    all (inactive reps too: their history stays readable)."""
    return users_visible_to(user=user).filter(role="rep")


def checklist_visible_to(*, user: User) -> QuerySet[RampChecklistItem]:
    if user.is_admin:
        return RampChecklistItem.objects.all()
    if user.is_manager:
        return RampChecklistItem.objects.filter(rep__team__manager=user)
    return RampChecklistItem.objects.filter(rep=user)


@dataclass
class RampRow:
    rep: User
    status: RampStatus | None
    items_done: int
    items_total: int
    buddy: User | None

    @property
    def progress(self) -> int | None:
        if not self.items_total:
            return None
        return round(self.items_done * 100 / self.items_total)


def _rows(qs: QuerySet[User], *, week: str) -> list[RampRow]:
    reps = list(
        with_ramp_steps(qs)
        .select_related("team", "ramp__buddy")
        .annotate(
            items_total=Count("ramp_checklist", distinct=True),
            items_done=Count(
                "ramp_checklist", filter=Q(ramp_checklist__done_at__isnull=False), distinct=True
            ),
        )
        .order_by("team__name", "start_date", "first_name", "last_name", "username")
    )
    statuses = ramp_statuses(reps=reps, week=week)
    rows = []
    for rep in reps:
        ramp = getattr(rep, "ramp", None) if _has_ramp(rep) else None
        rows.append(
            RampRow(
                rep=rep,
                status=statuses.get(rep.pk),
                items_done=rep.items_done,
                items_total=rep.items_total,
                buddy=ramp.buddy if ramp else None,
            )
        )
    return rows


def _has_ramp(rep: User) -> bool:
    try:
        rep.ramp  # noqa: B018  (select_related: no query)
    except RepRamp.DoesNotExist:
        return False
    return True


def ramping_reps(*, user: User, week: str, team_id: int | None = None) -> list[RampRow]:
    """The user's active reps who are ramping in `week` (start date within the schedule),
    newest first per team, with the ramp week and percent, checklist progress and buddy.
    One query whatever the number of reps."""
    monday = week_monday(week)
    qs = ramp_reps_visible_to(user=user).filter(
        is_active=True,
        start_date__gt=monday - timedelta(weeks=MAX_RAMP_WEEKS),
        start_date__lte=monday + timedelta(days=6),
    )
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    return [row for row in _rows(qs, week=week) if row.status is not None]


def ramp_row_for(*, rep: User, week: str) -> RampRow:
    """One rep's ramp (also when it is over); one query."""
    return _rows(User.objects.filter(pk=rep.pk), week=week)[0]


def checklist_of(*, rep: User) -> list[RampChecklistItem]:
    return list(RampChecklistItem.objects.filter(rep=rep).select_related("done_by"))


def buddy_choices(*, rep: User) -> QuerySet[User]:
    """Who may be the rep's buddy: another active rep of the same team."""
    if not rep.team_id:
        return User.objects.none()
    return (
        User.objects.filter(team_id=rep.team_id, role="rep", is_active=True)
        .exclude(pk=rep.pk)
        .order_by("first_name", "last_name", "username")
    )


# --- Writes ------------------------------------------------------------------------------


def default_checklist() -> list[str]:
    """DEFAULT_CHECKLIST in the active language."""
    return [str(title) for title in DEFAULT_CHECKLIST]


def _require_manager(*, by: User, team: Team | None, message) -> None:
    """PermissionDenied(message) unless `by` manages the team (or is an admin)."""
    if not can_manage_ramp_of(user=by, team=team):
        raise PermissionDenied(str(message))


def _clean_checklist(titles) -> list[str]:
    if not isinstance(titles, list) or not all(isinstance(t, str) for t in titles):
        raise ValidationError({"checklist": [_("Give the checklist as a list of titles.")]})
    clean, seen = [], set()
    for title in (t.strip() for t in titles):
        if not title or title.lower() in seen:
            continue
        if len(title) > 200:
            message = _("“%(title)s…” is longer than 200.") % {"title": title[:40]}
            raise ValidationError({"checklist": [message]})
        seen.add(title.lower())
        clean.append(title)
    if len(clean) > MAX_CHECKLIST_ITEMS:
        raise ValidationError(
            {
                "checklist": [
                    _("A checklist has at most %(max)s items.") % {"max": MAX_CHECKLIST_ITEMS}
                ]
            }
        )
    return clean


def set_team_ramp(*, by: User, team: Team, steps=None, checklist=None) -> TeamRamp:
    """Set a team's ramp schedule and/or checklist template (what is left out keeps its
    current value, or the default). The team's manager or an admin (else PermissionDenied);
    bad steps or titles: ValidationError with field errors, nothing saved."""
    _require_manager(
        by=by,
        team=team,
        message=gettext_lazy("Only the team's manager or an admin changes the team's ramp."),
    )
    current = team_ramp_for(team=team)
    clean_steps = validate_steps(steps) if steps is not None else current.steps
    clean_list = _clean_checklist(checklist) if checklist is not None else current.checklist
    ramp, _created = TeamRamp.objects.update_or_create(
        team=team,
        defaults={"steps": clean_steps, "checklist": clean_list, "updated_by": by},
    )
    return ramp


def start_checklist(*, by: User, rep: User) -> list[RampChecklistItem]:
    """Give a rep the items of their team's checklist template they do not have yet (safe to
    repeat); the rep's manager or an admin."""
    _require_manager(
        by=by,
        team=rep.team,
        message=gettext_lazy("Only the team's manager or an admin starts a rep's checklist."),
    )
    titles = team_ramp_for(team=rep.team).checklist if rep.team_id else default_checklist()
    have = set(RampChecklistItem.objects.filter(rep=rep).values_list("title", flat=True))
    start = len(have)
    new = [
        RampChecklistItem(rep=rep, title=title, position=start + i)
        for i, title in enumerate(t for t in titles if t not in have)
    ]
    with transaction.atomic():
        RampChecklistItem.objects.bulk_create(new, ignore_conflicts=True)
    return checklist_of(rep=rep)


def add_checklist_item(*, by: User, rep: User, title: str) -> RampChecklistItem:
    _require_manager(
        by=by,
        team=rep.team,
        message=gettext_lazy("Only the team's manager or an admin adds checklist items."),
    )
    title = (title or "").strip() if isinstance(title, str) else ""
    if not title:
        raise ValidationError({"title": [_("Give the item a title.")]})
    if len(title) > 200:
        raise ValidationError({"title": [_("Keep the title within 200 characters.")]})
    if RampChecklistItem.objects.filter(rep=rep, title=title).exists():
        message = _("%(rep)s already has “%(title)s” on their checklist.")
        raise ValidationError({"title": [message % {"rep": rep, "title": title}]})
    position = RampChecklistItem.objects.filter(rep=rep).count()
    try:
        with transaction.atomic():
            return RampChecklistItem.objects.create(rep=rep, title=title, position=position)
    except IntegrityError as exc:  # the same title added at the same moment
        message = _("%(rep)s already has “%(title)s”.") % {"rep": rep, "title": title}
        raise ValidationError({"title": [message]}) from exc


def check_item(*, by: User, item: RampChecklistItem, done: bool) -> RampChecklistItem:
    """Check an item off (or back on): the rep themself, their manager or an admin; who and
    when are kept."""
    rep = item.rep
    if by.pk != rep.pk and not can_manage_ramp_of(user=by, team=rep.team):
        raise PermissionDenied(_("Only the rep or their manager checks items off."))
    if not isinstance(done, bool):
        # Translators: done is a field name, true and false its values; keep them.
        raise ValidationError({"done": [_("Give done as true or false.")]})
    if done and item.done_at is None:
        item.done_at, item.done_by = timezone.now(), by
    elif not done:
        item.done_at, item.done_by = None, None
    item.save(update_fields=["done_at", "done_by"])
    return item


def delete_checklist_item(*, by: User, item: RampChecklistItem) -> None:
    _require_manager(
        by=by,
        team=item.rep.team,
        message=gettext_lazy("Only the team's manager or an admin removes checklist items."),
    )
    item.delete()


def choose_buddy_message(rep: User) -> str:
    """The error for a buddy id that is not one of the reps the caller sees."""
    if rep.team:
        return _("Choose an active rep of %(team)s.") % {"team": rep.team}
    return _("Choose an active rep of the rep’s team.")


def set_buddy(*, by: User, rep: User, buddy: User | None) -> RepRamp:
    """Give a rep a buddy (None: no buddy): the rep's manager or an admin. The buddy must be
    another active rep of the same team; each wrong choice has its own message."""
    _require_manager(
        by=by,
        team=rep.team,
        message=gettext_lazy("Only the team's manager or an admin chooses a buddy."),
    )
    if buddy is not None:
        if buddy.pk == rep.pk:
            raise ValidationError({"buddy": [_("A rep cannot be their own buddy.")]})
        if not buddy.is_active:
            message = _("%(buddy)s is inactive; choose an active rep.")
            raise ValidationError({"buddy": [message % {"buddy": buddy}]})
        if buddy.role != "rep":
            message = _("%(buddy)s is not a rep; a buddy is a fellow rep.")
            raise ValidationError({"buddy": [message % {"buddy": buddy}]})
        if not rep.team_id or buddy.team_id != rep.team_id:
            if rep.team:
                message = _("%(buddy)s is not in %(team)s; choose a rep of the same team.") % {
                    "buddy": buddy,
                    "team": rep.team,
                }
            else:
                message = _(
                    "%(buddy)s is not in the rep’s team; choose a rep of the same team."
                ) % {"buddy": buddy}
            raise ValidationError({"buddy": [message]})
    ramp, _created = RepRamp.objects.update_or_create(
        rep=rep, defaults={"buddy": buddy, "updated_by": by}
    )
    return ramp
