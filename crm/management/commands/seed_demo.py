"""`manage.py seed_demo`: load the demo sales organisation (or benchmark-sized data) once."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from crm import demo


def _positive(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Generate a realistic demo team (teams, managers, reps, customers, contacts, deals and "
        "their stage history, activities, tasks, call reports, goals and weekly plans). "
        "Deterministic for a seed; running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reps", type=_positive, default=10, help="Sales reps (10).")
        parser.add_argument("--customers", type=_positive, default=400, help="Customers (400).")
        parser.add_argument("--deals", type=_positive, default=None, help="Deals (3 per customer).")
        parser.add_argument("--weeks", type=_positive, default=26, help="Weeks of history (26).")
        parser.add_argument(
            "--activities",
            type=_positive,
            default=None,
            help="Activities in total (default: realistic weekly volumes per rep and week).",
        )
        parser.add_argument("--teams", type=int, default=2, choices=range(1, 5), help="Teams (2).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (42).")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="Reference date YYYY-MM-DD the history ends on (today).",
        )
        parser.add_argument("--batch-size", type=int, default=5000, help="Rows per INSERT.")
        parser.add_argument(
            "--language",
            choices=demo.DEMO_LANGUAGES,
            default="en",
            help="The demo company's language (en): local names, cities, team time zones "
            "(Asia/Jakarta, Europe/Amsterdam, Europe/Oslo) and every demo user's language.",
        )
        parser.add_argument("--reset", action="store_true", help="Wipe the demo data first.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args, **opts) -> None:
        if opts["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        if opts["weeks"] < 1:
            raise CommandError("--weeks must be at least 1.")
        if opts["reps"] < 1 and opts["customers"]:
            raise CommandError("Customers need at least one rep (--reps 1 or more).")
        config = demo.DemoConfig(
            reps=opts["reps"],
            customers=opts["customers"],
            deals=opts["deals"],
            weeks=opts["weeks"],
            seed=opts["seed"],
            today=opts["today"],
            teams=opts["teams"],
            batch_size=opts["batch_size"],
            activities=opts["activities"],
            language="" if opts["language"] == "en" else opts["language"],
        )
        if opts["reset"]:
            removed = demo.wipe_demo_data()
            self.stdout.write(f"Removed the demo data ({removed} demo users).")
        elif demo.demo_is_seeded():
            self.stdout.write("Demo data is already loaded; nothing to do (--reset reloads it).")
            self._print_logins()
            return
        taken = set(
            User.objects.filter(username__in=demo.planned_usernames(config)).values_list(
                "username", flat=True
            )
        )
        if taken:
            raise CommandError(
                f"These usernames exist and are not demo users: {', '.join(sorted(taken))}. "
                "Use an empty database or remove them."
            )
        result = demo.seed_demo(config=config, progress=not opts["no_progress"])
        seconds = max(result.total_seconds, 0.001)
        counts = ", ".join(f"{n:,} {name}" for name, n in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {counts} in {seconds:.1f}s ({result.total_rows / seconds:,.0f} rows/s)."
            )
        )
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD}):")
        for row in demo.demo_logins():
            detail = " · ".join(filter(None, [row["team"], row["kind"], row["name"]]))
            self.stdout.write(f"  {row['username']:<12} {row['role']:<8} {detail}")
