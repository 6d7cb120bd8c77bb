"""ISO weeks in a team's time zone: the unit every goal, plan, report and KPI is counted in."""

import re
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

WEEK_RE = re.compile(r"([0-9]{4})-W([0-9]{2})")  # ASCII digits only: not "２０２６-W47"
# Pages step a year and more around the week they show (trends, last year, next week): a
# week far enough from Python's date limits that every such step stays a real date.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_week(value: str) -> tuple[int, int]:
    """'2026-W47' -> (2026, 47); a specific ValidationError for anything else."""
    # No stripping: callers store and compare the value as given, so " 2026-W49" must not
    # pass as a week (it sorts before every real one).
    match = WEEK_RE.fullmatch(value or "")  # whole value: "$" would let "\n" trail
    if not match:
        # The value goes in as a parameter, never into the message: form and filter code
        # formats messages with `%`, which a value like "%s" would break.
        raise ValidationError(
            _("“%(value)s” is not an ISO week; use the form 2026-W47."), params={"value": value}
        )
    year, number = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            _("Choose a week between %(first)s-W01 and %(last)s-W52; %(value)s is out of range."),
            params={"value": value, "first": FIRST_YEAR, "last": LAST_YEAR},
        )
    try:
        date.fromisocalendar(year, number, 1)
    except ValueError as exc:
        raise ValidationError(
            _("%(year)s has no ISO week %(number)s."), params={"year": year, "number": number}
        ) from exc
    return year, number


def date_range_error(day: date) -> str:
    """ "" for a date within the weeks the product counts in, else the message saying so
    (due dates, periods: a year like 1 or 9999 is a typing slip, not a plan)."""
    if FIRST_YEAR <= day.year <= LAST_YEAR:
        return ""
    return _("Give a date between %(first)s and %(last)s.") % {
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
    }


def requested_week(raw: str | None, *, default: str) -> tuple[str, str]:
    """(week, problem): the ISO week a page was asked for, or `default` and the reason when
    the request named something that is not an ISO week."""
    raw = (raw or "").strip()
    if not raw:
        return default, ""
    try:
        parse_week(raw)
    except ValidationError as exc:
        return default, " ".join(exc.messages)
    return raw, ""


def week_label(day: date) -> str:
    year, number, _weekday = day.isocalendar()
    return f"{year:04d}-W{number:02d}"


def week_of(moment: datetime, tz: zoneinfo.ZoneInfo) -> str:
    """The ISO week a moment falls in, seen from the given time zone."""
    return week_label(timezone.localtime(moment, tz).date())


def week_monday(week: str) -> date:
    year, number = parse_week(week)
    return date.fromisocalendar(year, number, 1)


def week_bounds(week: str, tz: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the week as aware datetimes: Monday 00:00 to next Monday 00:00 local."""
    monday = week_monday(week)
    start = datetime.combine(monday, time.min, tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=7), time.min, tzinfo=tz)
    return start, end


def shift_week(week: str, weeks: int) -> str:
    return week_label(week_monday(week) + timedelta(weeks=weeks))


def user_tz(user) -> zoneinfo.ZoneInfo:
    """A user's working time zone is their team's; UTC without a team."""
    team = getattr(user, "team", None)
    return zoneinfo.ZoneInfo(team.time_zone) if team else zoneinfo.ZoneInfo("UTC")
