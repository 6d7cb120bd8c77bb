"""ISO weeks are counted in the team's time zone."""

import zoneinfo
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from activities.weeks import parse_week, shift_week, week_bounds, week_of

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def test_sunday_2330_local_belongs_to_the_week_it_ends():
    # Sunday 2026-11-22 23:30 in New York is Monday 04:30 UTC: still week 47 for the team.
    moment = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
    assert week_of(moment, NEW_YORK) == "2026-W47"
    assert week_of(moment, BERLIN) == "2026-W48"


def test_week_bounds_are_local_midnights():
    start, end = week_bounds("2026-W47", BERLIN)
    assert start.isoformat() == "2026-11-16T00:00:00+01:00"
    assert end.isoformat() == "2026-11-23T00:00:00+01:00"


def test_year_boundary_weeks():
    assert week_of(datetime(2027, 1, 1, 12, tzinfo=UTC), BERLIN) == "2026-W53"
    assert shift_week("2026-W53", 1) == "2027-W01"
    assert shift_week("2026-W01", -1) == "2025-W52"


@pytest.mark.parametrize("bad", ["2026-47", "2026-W00", "2025-W53", "W47", "", "2026-W7"])
def test_bad_weeks_are_refused_with_a_message(bad):
    with pytest.raises(ValidationError):
        parse_week(bad)
