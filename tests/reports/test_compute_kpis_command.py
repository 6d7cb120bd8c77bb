"""`manage.py compute_kpis`: a range of weeks, one team or all, clear errors."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reports.models import WeeklyKPI


def run(*args) -> str:
    out, err = StringIO(), StringIO()
    call_command("compute_kpis", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_computes_every_week_of_the_range_for_all_teams(company):
    output = run("--from", "2026-W01", "--to", "2026-W03")

    assert "Computed 3 week(s), 9 row(s) for all teams." in output
    assert "KPI weeks" in output  # the progress bar
    assert sorted(set(WeeklyKPI.objects.values_list("week", flat=True))) == [
        "2026-W01",
        "2026-W02",
        "2026-W03",
    ]


def test_a_range_across_the_year_end_and_one_team(company):
    output = run("--from", "2025-W52", "--to", "2026-W01", "--team", str(company["south"].pk))

    assert "Computed 2 week(s), 2 row(s)" in output
    assert set(WeeklyKPI.objects.values_list("rep__username", flat=True)) == {"rep_c"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-47"], "--from: “2026-47” is not an ISO week"),
        (["--from", "2026-W01", "--to", "2026-W54"], "--to: 2026 has no ISO week 54"),
        (["--from", "2026-W10", "--to", "2026-W02"], "--from 2026-W10 is after --to 2026-W02"),
        (["--from", "2026-W01", "--team", "999999"], "there is no team with id 999999"),
    ],
)
def test_bad_input_is_a_clear_error_and_computes_nothing(company, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)

    assert not WeeklyKPI.objects.exists()
