"""`manage.py compute_kpis --from 2026-W01 --to 2026-W47 [--team ID]`: run the weekly KPI
job (reports.kpis.compute_weekly_kpis) for a range of ISO weeks, with a progress bar."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from accounts.models import Team
from activities.weeks import parse_week, shift_week
from reports.kpis import compute_weekly_kpis

MAX_WEEKS = 600


def weeks_between(first: str, last: str) -> list[str]:
    """Every ISO week from `first` to `last`, both included; CommandError on bad input."""
    for name, value in (("--from", first), ("--to", last)):
        try:
            parse_week(value)
        except ValidationError as exc:
            raise CommandError(f"{name}: {' '.join(exc.messages)}") from exc
    if first > last:
        raise CommandError(f"--from {first} is after --to {last}.")
    weeks = [first]
    while weeks[-1] < last:
        weeks.append(shift_week(weeks[-1], 1))
        if len(weeks) > MAX_WEEKS:
            raise CommandError(f"At most {MAX_WEEKS} weeks at once.")
    return weeks


class Command(BaseCommand):
    help = (
        "Compute the weekly KPI snapshots for every ISO week in a range (one team or all). "
        "Idempotent: running it again gives the same rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", required=True, help="First week: 2026-W01")
        parser.add_argument("--to", dest="last", help="Last week (default: the --from week)")
        parser.add_argument("--team", type=int, help="Only this team's reps (team id).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, first: str, last: str | None, team: int | None, **options):
        weeks = weeks_between(first.strip(), (last or first).strip())
        team_obj = None
        if team is not None:
            team_obj = Team.objects.filter(pk=team).first()
            if team_obj is None:
                raise CommandError(f"--team: there is no team with id {team}.")
        rows = 0
        bar = tqdm(
            weeks,
            desc="KPI weeks",
            unit="week",
            disable=options["no_progress"],
            file=self.stderr._out,
        )
        for week in bar:
            bar.set_postfix_str(week)
            rows += compute_weekly_kpis(week=week, team=team_obj)
        scope = f"team {team_obj}" if team_obj else "all teams"
        self.stdout.write(
            self.style.SUCCESS(f"Computed {len(weeks)} week(s), {rows} row(s) for {scope}.")
        )
