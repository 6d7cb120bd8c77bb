"""The manager's time log (issue 13, seed "wrong responsibilities"): a manager logs where their
time goes by category; the month's share spent on coaching is measured against a target
share (the team's CoachingTarget, else settings.CRM_COACHING_TARGET_SHARE, default 40%).

Rules: minutes are a whole number from 1 to 1440 (or hours in 0.25 steps, turned into
minutes by the caller); a day holds at most 24 hours of entries; the date is not after today
(the manager's team time zone) nor before 1900; the category is one of TimeCategory. Who
sees what: a manager their own entries, an admin everyone's, a rep none (403). Totals are
summed in SQL (GROUP BY category, or month and category)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from activities.weeks import date_range_error, user_tz
from coaching.models import CoachingTarget, TimeCategory, TimeEntry

MAX_DAY_MINUTES = 24 * 60
CHART_MONTHS = 6
CATEGORY_LABELS = dict(TimeCategory.choices)
_UNSET = object()

# --- Who may do what ---------------------------------------------------------------------


def may_log_time(*, user: User) -> bool:
    return bool(user.is_manager)


def may_view_time_logs(*, user: User) -> bool:
    """Managers (their own) and admins (everyone's); reps have no time log."""
    return bool(user.is_manager or user.is_admin)


def time_entries_visible_to(*, user: User) -> QuerySet[TimeEntry]:
    """An admin sees every manager's entries, a manager their own, a rep none."""
    if user.is_admin:
        return TimeEntry.objects.all()
    if user.is_manager:
        return TimeEntry.objects.filter(manager=user)
    return TimeEntry.objects.none()


def time_log_managers_for(*, user: User) -> QuerySet[User]:
    """Whose time log the user may open: an admin any manager's, a manager their own."""
    managers = User.objects.filter(role="manager").select_related("team")
    if user.is_admin:
        return managers.order_by("first_name", "last_name", "username")
    if user.is_manager:
        return managers.filter(pk=user.pk)
    return User.objects.none()


def today_for(*, user: User) -> date:
    return timezone.localdate(timezone=user_tz(user))


# --- Months ------------------------------------------------------------------------------


def parse_month(value: str | None) -> date:
    """ "2026-11" -> date(2026, 11, 1); a specific ValidationError({"month": ...}) else."""
    text = value if isinstance(value, str) else ""
    year, sep, month = text.partition("-")
    if not (sep and len(year) == 4 and year.isascii() and year.isdigit()) or not (
        len(month) == 2 and month.isascii() and month.isdigit()
    ):
        message = _("“%(text)s” is not a month; use the form 2026-11.") % {"text": text}
        raise ValidationError({"month": [message]})
    if not 1 <= int(month) <= 12:
        message = _("%(text)s: there is no month %(month)s.") % {"text": text, "month": int(month)}
        raise ValidationError({"month": [message]})
    first = date(int(year), int(month), 1)
    if problem := date_range_error(first):
        raise ValidationError({"month": [problem]})
    return first


def next_month(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


# --- Writes ------------------------------------------------------------------------------


def minutes_from_hours(hours) -> int:
    """Hours in 0.25 steps (e.g. 1.75) -> minutes; a specific error for anything else."""
    try:
        value = Decimal(str(hours))
    except Exception as exc:
        message = _("“%(hours)s” is not a number of hours.") % {"hours": hours}
        raise ValidationError({"hours": [message]}) from exc
    if not value.is_finite() or value <= 0:
        raise ValidationError({"hours": [_("Give more than 0 hours.")]})
    if (value * 4) % 1:
        raise ValidationError({"hours": [_("Give hours in quarter steps (0.25, 0.5, 0.75…).")]})
    return int(value * 60)


def _clean(*, manager: User, day, minutes, category, note, exclude_pk=None) -> dict:
    errors: dict[str, list[str]] = {}
    if not isinstance(day, date):
        # Translators: YYYY-MM-DD is the date format the API takes; keep it.
        errors["date"] = [_("Give the date as YYYY-MM-DD.")]
    elif problem := date_range_error(day):
        errors["date"] = [problem]
    elif day > today_for(user=manager):
        errors["date"] = [
            _("%(date)s is in the future; log time already spent.") % {"date": f"{day:%Y-%m-%d}"}
        ]
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        errors["minutes"] = [_("Give the minutes as a whole number.")]
    elif minutes <= 0:
        errors["minutes"] = [_("Give more than 0 minutes.")]
    elif minutes > MAX_DAY_MINUTES:
        errors["minutes"] = [_("A day has 1440 minutes; give at most that.")]
    if category not in TimeCategory.values:
        choices = ", ".join(TimeCategory.values)
        errors["category"] = [
            _("“%(category)s” is not a category; choose one of %(choices)s.")
            % {"category": category, "choices": choices}
        ]
    note = note if isinstance(note, str) else ""
    if len(note) > 255:
        errors["note"] = [_("Keep the note within 255 characters.")]
    if not errors:
        logged = (
            TimeEntry.objects.filter(manager=manager, date=day)
            .exclude(pk=exclude_pk)
            .aggregate(total=Sum("minutes"))["total"]
            or 0
        )
        if logged + minutes > MAX_DAY_MINUTES:
            left = MAX_DAY_MINUTES - logged
            errors["minutes"] = [
                _("%(date)s already has %(logged)s minutes logged; at most %(left)s more fit.")
                % {"date": f"{day:%Y-%m-%d}", "logged": logged, "left": left}
            ]
    if errors:
        raise ValidationError(errors)
    return {"date": day, "minutes": minutes, "category": category, "note": note.strip()}


def log_time(*, by: User, day, minutes, category, note: str = "") -> TimeEntry:
    """Log `minutes` of `category` on `day` for the manager `by` (PermissionDenied for
    anyone else); bad input is a ValidationError with field errors and saves nothing."""
    if not may_log_time(user=by):
        raise PermissionDenied(_("Only managers keep a time log."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=by.pk).first()  # one writer per manager
        values = _clean(manager=by, day=day, minutes=minutes, category=category, note=note)
        return TimeEntry.objects.create(manager=by, **values)


def update_time_entry(
    *, by: User, entry: TimeEntry, day=_UNSET, minutes=_UNSET, category=_UNSET, note=_UNSET
) -> TimeEntry:
    """Change one of the manager's own entries (what is left out keeps its value)."""
    if entry.manager_id != by.pk:
        raise PermissionDenied(_("Only the manager who logged the time changes it."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=by.pk).first()
        values = _clean(
            manager=by,
            day=entry.date if day is _UNSET else day,
            minutes=entry.minutes if minutes is _UNSET else minutes,
            category=entry.category if category is _UNSET else category,
            note=entry.note if note is _UNSET else note,
            exclude_pk=entry.pk,
        )
        for name, value in values.items():
            setattr(entry, name, value)
        entry.save()
    return entry


def delete_time_entry(*, by: User, entry: TimeEntry) -> None:
    if entry.manager_id != by.pk:
        raise PermissionDenied(_("Only the manager who logged the time removes it."))
    entry.delete()


def set_coaching_target(*, by: User, team, share) -> CoachingTarget | None:
    """An admin sets a team's target coaching share (1-100 %); None/"" removes it, so the
    team follows settings.CRM_COACHING_TARGET_SHARE again."""
    if not by.is_admin:
        raise PermissionDenied(_("Only an admin sets a team's coaching target."))
    if share in (None, ""):
        CoachingTarget.objects.filter(team=team).delete()
        return None
    if isinstance(share, bool) or not isinstance(share, int) or not 1 <= share <= 100:
        message = _("Give the target share as a whole percent, 1 to 100.")
        raise ValidationError({"share": [message]})
    target, _created = CoachingTarget.objects.update_or_create(team=team, defaults={"share": share})
    return target


# --- Reads -------------------------------------------------------------------------------


def week_entries(*, manager: User, today: date | None = None) -> list[TimeEntry]:
    """The manager's entries of this ISO week (Monday to Sunday around `today`)."""
    today = today or today_for(user=manager)
    monday = today - timedelta(days=today.weekday())
    return list(
        TimeEntry.objects.filter(
            manager=manager, date__gte=monday, date__lte=monday + timedelta(days=6)
        ).order_by("-date", "-id")
    )


def target_share_for(*, manager: User) -> int:
    """The coaching share (%) the manager aims at: their team's, else the setting."""
    if manager.team_id:
        share = (
            CoachingTarget.objects.filter(team_id=manager.team_id)
            .values_list("share", flat=True)
            .first()
        )
        if share is not None:
            return share
    return settings.CRM_COACHING_TARGET_SHARE


def _share(part: int, total: int) -> Decimal | None:
    if not total:
        return None
    return (Decimal(part) * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class CategoryTotal:
    category: str
    label: str
    minutes: int
    share: Decimal | None

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class MonthSummary:
    manager: User
    month: date
    categories: list[CategoryTotal]
    total_minutes: int
    coaching_share: Decimal | None
    target_share: int
    history: list[dict]  # [{"month": date, "share": Decimal | None, "minutes": int}]

    @property
    def on_target(self) -> bool | None:
        if self.coaching_share is None:
            return None
        return self.coaching_share >= self.target_share

    @property
    def total_hours(self) -> Decimal:
        return (Decimal(self.total_minutes) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def as_dict(self) -> dict:
        """The API's and the CSV's shape; shares as decimal strings (None without time)."""
        return {
            "manager": self.manager.pk,
            "month": f"{self.month:%Y-%m}",
            "total_minutes": self.total_minutes,
            "coaching_share": _num(self.coaching_share),
            "target_share": self.target_share,
            "on_target": self.on_target,
            "categories": [
                {
                    "category": c.category,
                    "label": c.label,
                    "minutes": c.minutes,
                    "share": _num(c.share),
                }
                for c in self.categories
            ],
        }

    def chart_data(self) -> dict:
        """What the page's charts draw (json_script): the month's minutes per category, and
        the coaching share of each of the last CHART_MONTHS months against the target."""
        return {
            "categories": {
                "labels": [c.label for c in self.categories],
                "minutes": [c.minutes for c in self.categories],
            },
            "share": {
                "labels": [dateformat.format(row["month"], "M Y") for row in self.history],
                "coaching": [_num(row["share"]) for row in self.history],
                "target": self.target_share,
            },
        }


def _num(value) -> str | None:
    return None if value is None else str(value)


def month_summary(*, manager: User, month: date) -> MonthSummary:
    """The manager's minutes per category in `month` with each share, the coaching share
    against the target, and the coaching share of the CHART_MONTHS months ending with
    `month`. Two queries (minutes GROUP BY month and category over the months; the target),
    whatever the number of entries."""
    first = month
    for _month in range(CHART_MONTHS - 1):
        first = previous_month(first)
    rows = (
        TimeEntry.objects.filter(manager=manager, date__gte=first, date__lt=next_month(month))
        .annotate(month=TruncMonth("date"))
        .order_by()
        .values_list("month", "category")
        .annotate(minutes=Sum("minutes"))
    )
    by_month: dict[date, dict[str, int]] = {}
    for row_month, category, minutes in rows:
        by_month.setdefault(row_month.replace(day=1), {})[category] = minutes
    this = by_month.get(month, {})
    total = sum(this.values())
    categories = [
        CategoryTotal(
            category=code,
            label=str(label),
            minutes=this.get(code, 0),
            share=_share(this.get(code, 0), total),
        )
        for code, label in TimeCategory.choices
    ]
    history, cursor = [], first
    while cursor <= month:
        minutes = by_month.get(cursor, {})
        history.append(
            {
                "month": cursor,
                "minutes": sum(minutes.values()),
                "share": _share(minutes.get(TimeCategory.COACHING, 0), sum(minutes.values())),
            }
        )
        cursor = next_month(cursor)
    return MonthSummary(
        manager=manager,
        month=month,
        categories=categories,
        total_minutes=total,
        coaching_share=_share(this.get(TimeCategory.COACHING, 0), total),
        target_share=target_share_for(manager=manager),
        history=history,
    )


def month_entries(*, manager: User, month: date) -> QuerySet[TimeEntry]:
    return TimeEntry.objects.filter(
        manager=manager, date__gte=month, date__lt=next_month(month)
    ).order_by("date", "id")


def export_rows(*, summary: MonthSummary):
    """The CSV: every entry of the month, then the totals per category and the share."""
    for entry in month_entries(manager=summary.manager, month=summary.month):
        yield ["entry", f"{entry.date:%Y-%m-%d}", entry.category, entry.minutes, "", entry.note]
    for c in summary.categories:
        yield ["total", f"{summary.month:%Y-%m}", c.category, c.minutes, _num(c.share) or "", ""]
    yield [
        "total",
        f"{summary.month:%Y-%m}",
        "all",
        summary.total_minutes,
        "100.0" if summary.total_minutes else "",
        "",
    ]
    yield [
        "coaching_share",
        f"{summary.month:%Y-%m}",
        "coaching",
        "",
        _num(summary.coaching_share) or "",
        f"target {summary.target_share}%",
    ]


EXPORT_HEADER = ["row", "date", "category", "minutes", "share_percent", "note"]
