"""Demo and benchmark data: a realistic sales organisation generated from a seed.

The generator is a sequence of small phase functions (teams and users, customers, contacts,
deals, stage history). Each phase reads what it needs from the database in one query, draws
from its own `random.Random` (so adding a phase never changes the data of the others) and
writes with `bulk_create` in batches inside a transaction, so the same code seeds ten reps
for a newcomer and 100,000 customers for the benchmarks. Later issues add phases
(activities, quotas, ...) by writing another `seed_*` function and listing it in `PHASES`.
"""

import functools
import inspect
import random
import time
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from tqdm import tqdm

from accounts.choices import RepType, Role
from accounts.models import CompetingLine, Team, User
from activities.choices import ActivityKind, ActivityOutcome, CallReportStatus
from activities.models import Activity, Task, WeeklyCallReport, WeeklyPlan
from activities.weeks import shift_week, week_monday, week_of
from crm.choices import OPEN_STAGES, CustomerSource, CustomerStatus, DealStage, Segment
from crm.models import Contact, Customer, Deal, DealStageChange, Stage, Territory, TerritoryRule
from reports.models import ActivityGoal

DEMO_PASSWORD = "demo1234"
DEMO_EMAIL_DOMAIN = "demo.example.com"
DEMO_ADMIN = "admin"

# name, time zone, legal forms, phone prefix, regions with cities
TEAM_SPECS = [
    (
        "North",
        "Europe/Berlin",
        ["GmbH", "AG", "KG", "GmbH & Co. KG"],
        "+49",
        {
            "Hamburg": ["Hamburg", "Lübeck", "Kiel"],
            "Lower Saxony": ["Hanover", "Bremen", "Oldenburg", "Osnabrück"],
            "Berlin-Brandenburg": ["Berlin", "Potsdam", "Cottbus"],
            "North Rhine-Westphalia": ["Cologne", "Düsseldorf", "Dortmund", "Münster"],
        },
    ),
    (
        "South",
        "America/New_York",
        ["Inc.", "LLC", "Corp.", "Co."],
        "+1",
        {
            "Georgia": ["Atlanta", "Savannah", "Augusta"],
            "Florida": ["Miami", "Orlando", "Tampa", "Jacksonville"],
            "Carolinas": ["Charlotte", "Raleigh", "Charleston", "Greenville"],
            "Tennessee": ["Nashville", "Memphis", "Knoxville"],
        },
    ),
    (
        "West",
        "America/Los_Angeles",
        ["Inc.", "LLC", "Corp."],
        "+1",
        {
            "California": ["San Diego", "Sacramento", "Fresno", "San Jose"],
            "Pacific Northwest": ["Seattle", "Portland", "Spokane"],
        },
    ),
    (
        "East",
        "Asia/Singapore",
        ["Pte. Ltd.", "Ltd."],
        "+65",
        {"Singapore": ["Singapore"], "Malaysia": ["Kuala Lumpur", "Penang", "Johor Bahru"]},
    ),
]

# Issue 14: a demo company per language (`seed_demo --language id|nl|nb`): local teams in the
# country's time zone, company forms, phone prefixes, regions and cities; people's names from
# Faker's locale. A legal form with "{}" goes around the name ("PT {}"), others after it.
LANGUAGE_SPECS = {
    "id": {
        "faker": "id_ID",
        "teams": [
            (
                "Jakarta",
                "Asia/Jakarta",
                ["PT {}", "PT {} Tbk", "CV {}"],
                "+62",
                {
                    "DKI Jakarta": ["Jakarta Pusat", "Jakarta Selatan", "Jakarta Utara"],
                    "Jawa Barat": ["Bandung", "Bekasi", "Bogor", "Depok"],
                    "Banten": ["Tangerang", "Serang", "Cilegon"],
                },
            ),
            (
                "Surabaya",
                "Asia/Jakarta",
                ["PT {}", "CV {}", "UD {}"],
                "+62",
                {
                    "Jawa Timur": ["Surabaya", "Malang", "Sidoarjo", "Kediri"],
                    "Jawa Tengah": ["Semarang", "Solo", "Magelang"],
                    "DI Yogyakarta": ["Yogyakarta", "Sleman", "Bantul"],
                },
            ),
            (
                "Medan",
                "Asia/Jakarta",
                ["PT {}", "CV {}"],
                "+62",
                {"Sumatera Utara": ["Medan", "Binjai", "Pematangsiantar"], "Riau": ["Pekanbaru"]},
            ),
            (
                "Makassar",
                "Asia/Jakarta",
                ["PT {}", "CV {}"],
                "+62",
                {"Sulawesi Selatan": ["Makassar", "Parepare"], "Bali": ["Denpasar", "Badung"]},
            ),
        ],
    },
    "nl": {
        "faker": "nl_NL",
        "teams": [
            (
                "Randstad",
                "Europe/Amsterdam",
                ["B.V.", "N.V.", "V.O.F."],
                "+31",
                {
                    "Noord-Holland": ["Amsterdam", "Haarlem", "Zaandam", "Hilversum"],
                    "Zuid-Holland": ["Rotterdam", "Den Haag", "Leiden", "Delft"],
                    "Utrecht": ["Utrecht", "Amersfoort", "Nieuwegein"],
                },
            ),
            (
                "Zuid",
                "Europe/Amsterdam",
                ["B.V.", "V.O.F."],
                "+31",
                {
                    "Noord-Brabant": ["Eindhoven", "Tilburg", "Breda", "'s-Hertogenbosch"],
                    "Limburg": ["Maastricht", "Venlo", "Heerlen"],
                    "Zeeland": ["Middelburg", "Vlissingen", "Goes"],
                },
            ),
            (
                "Noord",
                "Europe/Amsterdam",
                ["B.V.", "N.V."],
                "+31",
                {"Groningen": ["Groningen", "Delfzijl"], "Friesland": ["Leeuwarden", "Sneek"]},
            ),
            (
                "Oost",
                "Europe/Amsterdam",
                ["B.V."],
                "+31",
                {"Gelderland": ["Arnhem", "Nijmegen", "Apeldoorn"], "Overijssel": ["Zwolle"]},
            ),
        ],
    },
    "nb": {
        "faker": "no_NO",
        "teams": [
            (
                "Oslo",
                "Europe/Oslo",
                ["AS", "ASA", "ANS"],
                "+47",
                {
                    "Oslo": ["Oslo"],
                    "Akershus": ["Lillestrøm", "Bærum", "Asker", "Lørenskog"],
                    "Østfold": ["Fredrikstad", "Sarpsborg", "Moss"],
                },
            ),
            (
                "Vest",
                "Europe/Oslo",
                ["AS", "ASA"],
                "+47",
                {
                    "Vestland": ["Bergen", "Førde", "Voss"],
                    "Rogaland": ["Stavanger", "Sandnes", "Haugesund"],
                    "Agder": ["Kristiansand", "Arendal", "Grimstad"],
                },
            ),
            (
                "Midt",
                "Europe/Oslo",
                ["AS"],
                "+47",
                {"Trøndelag": ["Trondheim", "Steinkjer"], "Møre og Romsdal": ["Ålesund", "Molde"]},
            ),
            (
                "Nord",
                "Europe/Oslo",
                ["AS"],
                "+47",
                {"Nordland": ["Bodø", "Narvik"], "Troms": ["Tromsø", "Harstad"]},
            ),
        ],
    },
}
DEMO_LANGUAGES = ["en", *LANGUAGE_SPECS]


def team_specs(config: "DemoConfig") -> list[tuple]:
    """The teams of the demo company in the config's language (English: TEAM_SPECS)."""
    spec = LANGUAGE_SPECS.get(config.language)
    return (spec["teams"] if spec else TEAM_SPECS)[: config.teams]


@functools.cache
def _local_names(language: str) -> tuple[list[str], list[str]]:
    """First and last names of the language's country, from Faker's locale, in a fixed
    order (deterministic: drawn from a generator seeded for this purpose alone)."""
    from faker import Faker

    fake = Faker(LANGUAGE_SPECS[language]["faker"])
    fake.seed_instance(f"demo-names:{language}")
    firsts = list(dict.fromkeys(fake.first_name() for _ in range(300)))
    lasts = list(dict.fromkeys(fake.last_name() for _ in range(300)))
    return firsts[:80], lasts[:80]


INDUSTRIES = [
    "Manufacturing",
    "Logistics",
    "Construction",
    "Food & Beverage",
    "Healthcare",
    "Retail",
    "Automotive",
    "Chemicals",
    "Energy",
    "Agriculture",
    "Hospitality",
    "Printing",
    "Packaging",
    "Electronics",
    "Textiles",
    "Pharmaceuticals",
    "Furniture",
    "Metalworking",
]
# Product lines of other principals that match no customer industry (no conflict).
OTHER_LINES = ["Marine coatings", "Office supplies", "Garden tools", "Sports equipment"]
PRINCIPALS = [
    "Atlas Industrial Supply",
    "Brennecke Werkzeuge",
    "Cobalt Fastening Systems",
    "Delta Process Equipment",
    "Everline Packaging",
    "Fairmont Safety Products",
    "Granite Pumps & Valves",
    "Hollister Lighting",
]


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Anna Ben Clara David Emma Felix Greta Hannah Isaac Julia Karl Lena Marco Nina Oliver "
    "Paula Quentin Rosa Simon Tara Ulrich Vera William Xenia Yusuf Zoe Amelia Brian Chloe "
    "Daniel Elena Frank Grace Henry Irene Jacob Katrin Lucas Maria Noah Olivia Peter Rachel "
    "Samuel Sofia Thomas Ursula Victor Wendy Aaron Bianca Carlos Diana Ethan Fiona George "
    "Helen Ivan Jasmine Kevin Laura Martin Naomi Oscar Priya Robert Sarah Tobias Valerie"
)
LAST_NAMES = _words(
    "Adams Becker Carter Dietrich Evans Fischer Garcia Hoffmann Ingram Jensen Keller Lambert "
    "Meyer Novak Olsen Parker Quinn Richter Schneider Turner Ulrich Vogel Walker Young "
    "Zimmermann Baker Collins Douglas Engel Foster Graham Hartmann Jackson Krause Lehmann "
    "Morgan Neumann Ortiz Patel Reed Schmidt Thompson Vargas Wagner Weber Brooks Coleman "
    "Dunn Ellis Fleming Gibson Hughes Kennedy Lawson Mitchell Nolan Owens Porter Russell "
    "Sullivan Tanaka Wolff Yamada Brandt Curtis Dalton Fuchs Hale Kramer Lorenz"
)
NAME_ROOTS = _words(
    "Blue Bright Cedar Clear Copper Crest Delta Eagle Elm Fern Forge Golden Granite Harbor "
    "Iron Keystone Lake Maple Meridian North Oak Orion Pine Prime Quarry River Silver Stone "
    "Summit Sun Terra Tide Union Vale Vertex West Willow Zenith Alpen Rhein Elbe Harz"
)
NAME_TAILS = _words(
    "field gate line point ridge wood works stone bridge way view brook haven mark port"
)
INDUSTRY_WORDS = {
    "Manufacturing": ["Manufacturing", "Industries", "Fabrication"],
    "Logistics": ["Logistics", "Freight", "Transport"],
    "Construction": ["Construction", "Builders", "Bau"],
    "Food & Beverage": ["Foods", "Beverages", "Bakeries"],
    "Healthcare": ["Health", "Clinics", "Medical"],
    "Retail": ["Retail", "Stores", "Markets"],
    "Automotive": ["Automotive", "Motors", "Auto Parts"],
    "Chemicals": ["Chemicals", "Coatings", "Polymers"],
    "Energy": ["Energy", "Power", "Solar"],
    "Agriculture": ["Farms", "Agrar", "Growers"],
    "Hospitality": ["Hotels", "Hospitality", "Resorts"],
    "Printing": ["Print", "Press", "Graphics"],
    "Packaging": ["Packaging", "Containers", "Verpackung"],
    "Electronics": ["Electronics", "Devices", "Circuits"],
    "Textiles": ["Textiles", "Fabrics", "Apparel"],
    "Pharmaceuticals": ["Pharma", "Laboratories", "Life Sciences"],
    "Furniture": ["Furniture", "Interiors", "Möbel"],
    "Metalworking": ["Metalworks", "Steel", "Machining"],
}
JOB_TITLES = [
    "Purchasing Manager",
    "Head of Procurement",
    "Managing Director",
    "Operations Manager",
    "Plant Manager",
    "Buyer",
    "CFO",
    "Technical Director",
    "Office Manager",
    "Owner",
]
DEAL_TITLES = [
    "Annual supply contract",
    "Framework agreement",
    "Replacement order",
    "Pilot installation",
    "Service & maintenance plan",
    "Capacity expansion",
    "Spare parts stock",
    "New site fit-out",
    "Upgrade programme",
    "Trial order",
]
LOST_REASONS = [
    "Price too high",
    "Went with a competitor",
    "No budget this year",
    "Project cancelled",
    "No decision / went silent",
    "Delivery time too long",
    "Chose to keep the incumbent supplier",
]
NEXT_STEPS = [
    "Send revised quote",
    "Book site visit",
    "Call buyer to confirm volumes",
    "Demo for the technical team",
    "Follow up on trial results",
    "",
]

# Final stage of a deal: weights for customers that buy and for prospects (who cannot have won).
STAGE_WEIGHTS = {
    DealStage.LEAD: 14,
    DealStage.QUALIFIED: 11,
    DealStage.PROPOSAL: 9,
    DealStage.NEGOTIATION: 7,
    DealStage.WON: 36,
    DealStage.LOST: 23,
}


@dataclass(frozen=True)
class DemoConfig:
    """How much to generate; the same config and seed always give the same data."""

    reps: int = 10
    customers: int = 400
    deals: int | None = None  # default: 3 per customer
    weeks: int = 26
    seed: int = 42
    today: date | None = None
    teams: int = 2
    batch_size: int = 5000
    activities: int | None = None  # default: natural weekly volumes per rep and week
    language: str = ""  # issue 14: "id", "nl", "nb" (local names, cities, time zones) or English

    @property
    def deal_count(self) -> int:
        return self.customers * 3 if self.deals is None else self.deals

    @property
    def reference_date(self) -> date:
        return self.today or timezone.localdate()

    @property
    def now(self) -> datetime:
        """The generator's 'now': late afternoon of the reference date, UTC."""
        return datetime.combine(self.reference_date, datetime.min.time(), tzinfo=UTC).replace(
            hour=17
        )


@dataclass
class SeedResult:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def _rng(config: DemoConfig, phase: str) -> random.Random:
    """One generator per phase, so phases stay independent of each other."""
    return random.Random(f"{config.seed}:{phase}")


def _progress(total: int, desc: str, enabled: bool) -> tqdm:
    return tqdm(total=total, desc=f"{desc:<10}", unit=" rows", disable=not enabled, leave=True)


@contextmanager
def _explicit_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let bulk_create store the generated created_at/updated_at instead of 'now':
    history only looks real if rows were created across the weeks it covers."""
    fields = [
        f
        for m in model_classes
        for f in m._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _chunks(rows: list, size: int) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _bulk_insert(
    model: type[models.Model], rows: list, *, config: DemoConfig, bar: tqdm
) -> list[models.Model]:
    """Insert in batches of config.batch_size, advancing the progress bar per batch."""
    created = []
    for chunk in _chunks(rows, config.batch_size):
        created.extend(model.objects.bulk_create(chunk, batch_size=config.batch_size))
        bar.update(len(chunk))
    return created


def _person(
    rng: random.Random, names: tuple[list[str], list[str]] | None = None
) -> tuple[str, str]:
    firsts, lasts = names or (FIRST_NAMES, LAST_NAMES)
    return rng.choice(firsts), rng.choice(lasts)


_MAIL_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "å": "a", "é": "e", "ë": "e", "ï": "i"})


def _mail_name(name: str) -> str:
    """A name as an e-mail address part: "Van der Berg" -> "vanderberg", "Bjørn" -> "bjorn"."""
    letters = name.lower().translate(_MAIL_LETTERS)
    return "".join(ch for ch in letters if ch.isascii() and ch.isalnum())


def _names_for(config: DemoConfig) -> tuple[list[str], list[str]] | None:
    return _local_names(config.language) if config.language in LANGUAGE_SPECS else None


def _company_name(
    rng: random.Random,
    industry: str,
    legal_forms: list[str],
    names: tuple[list[str], list[str]] | None = None,
) -> str:
    last_names = names[1] if names else LAST_NAMES
    word = rng.choice(INDUSTRY_WORDS[industry])
    pattern = rng.random()
    if pattern < 0.35:
        base = f"{rng.choice(last_names)} {word}"
    elif pattern < 0.7:
        base = f"{rng.choice(NAME_ROOTS)}{rng.choice(NAME_TAILS)} {word}"
    elif pattern < 0.85:
        base = f"{rng.choice(last_names)} & {rng.choice(last_names)}"
    else:
        base = f"{rng.choice(NAME_ROOTS)} {rng.choice(last_names)} {word}"
    form = rng.choice(legal_forms)
    return form.format(base) if "{}" in form else f"{base} {form}"


def _slug(name: str) -> str:
    return _mail_name(name.lower().split(" ")[0]) or "company"


def _phone(rng: random.Random, prefix: str) -> str:
    return f"{prefix} {rng.randint(20, 989)} {rng.randint(1000000, 9999999)}"


# --------------------------------------------------------------------------- phases


def demo_users() -> models.QuerySet[User]:
    """Everyone the generator created (recognised by the demo e-mail domain)."""
    return User.objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}")


def demo_is_seeded() -> bool:
    return demo_users().filter(username=DEMO_ADMIN).exists()


def planned_usernames(config: DemoConfig) -> list[str]:
    teams = [spec[0] for spec in team_specs(config)]
    return [
        DEMO_ADMIN,
        *(f"{t.lower()}_mgr" for t in teams),
        *(f"rep{i:02d}" for i in range(1, config.reps + 1)),
    ]


def seed_teams_and_users(*, config: DemoConfig, progress: bool = False) -> dict[str, int]:
    """Teams with managers in their own time zones, one admin, inside and outside reps
    (outside reps also sell competing lines, some in customer industries: conflicts).
    The password is hashed once and the hash shared: hashing per user is slow."""
    rng = _rng(config, "users")
    password = make_password(DEMO_PASSWORD)
    today = config.reference_date
    specs = team_specs(config)
    names = _names_for(config)
    language = config.language if config.language in LANGUAGE_SPECS else ""

    def user(username: str, role: str, **extra) -> User:
        first, last = _person(rng, names)
        return User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@{DEMO_EMAIL_DOMAIN}",
            password=password,
            role=role,
            start_date=today - timedelta(days=rng.randint(200, 3000)),
            language=language,
            **extra,
        )

    with transaction.atomic():
        teams = Team.objects.bulk_create([Team(name=s[0], time_zone=s[1]) for s in specs])
        admin = user(DEMO_ADMIN, Role.ADMIN, is_staff=True, is_superuser=True)
        managers = [user(f"{t.name.lower()}_mgr", Role.MANAGER, team=t) for t in teams]
        reps = [
            user(
                f"rep{i:02d}",
                Role.REP,
                team=teams[(i - 1) % len(teams)],
                rep_type=RepType.OUTSIDE if i % 3 == 0 else RepType.INSIDE,
                commission_rate=Decimal(rng.choice(["3.00", "4.00", "5.00", "6.50", "8.00"])),
            )
            for i in range(1, config.reps + 1)
        ]
        User.objects.bulk_create([admin, *managers, *reps])
        for team, manager in zip(teams, managers, strict=True):
            team.manager = manager
        Team.objects.bulk_update(teams, ["manager"])
        lines = []
        for rep in reps:
            if rep.rep_type != RepType.OUTSIDE:
                continue
            for principal in rng.sample(PRINCIPALS, rng.randint(1, 2)):
                pool = INDUSTRIES if rng.random() < 0.7 else OTHER_LINES
                lines.append(
                    CompetingLine(rep=rep, principal=principal, product_line=rng.choice(pool))
                )
        CompetingLine.objects.bulk_create(lines)
    return {"teams": len(teams), "users": 1 + len(managers) + len(reps), "lines": len(lines)}


def seed_customers(*, config: DemoConfig, progress: bool = False) -> dict[str, int]:
    """Portfolios of uneven size per rep, both segments, a few house accounts, cities in
    the owner's team region; about a third created inside the history window."""
    rng = _rng(config, "customers")
    specs_by_team = {s[0]: s for s in team_specs(config)}
    names = _names_for(config)
    reps = list(
        demo_users().filter(role=Role.REP).order_by("username").values_list("id", "team__name")
    )
    weights = [rng.uniform(0.6, 1.4) for _ in reps]
    owners = rng.choices(reps, weights=weights, k=config.customers)
    now = config.now
    window = config.weeks * 7
    # Postal codes from a generator of their own, so every other figure stays as before:
    # the first digit follows the region (what the demo territories' prefix rules use).
    postal_rng = _rng(config, "postal_codes")
    rows = []
    for owner_id, team_name in owners:
        _, _, legal_forms, phone_prefix, regions = specs_by_team[team_name]
        industry = rng.choice(INDUSTRIES)
        name = _company_name(rng, industry, legal_forms, names)
        region = rng.choice(sorted(regions))
        house = rng.random() < 0.03
        if house:
            source, status, segment = CustomerSource.HOUSE_ACCOUNT, CustomerStatus.ACTIVE, "primary"
        else:
            source = rng.choices(
                [CustomerSource.COLD_CALL, CustomerSource.REFERRAL, CustomerSource.INBOUND],
                weights=[45, 28, 27],
            )[0]
            status = rng.choices(
                [CustomerStatus.PROSPECT, CustomerStatus.ACTIVE, CustomerStatus.FORMER],
                weights=[35, 55, 10],
            )[0]
            segment = Segment.PRIMARY if rng.random() < 0.35 else Segment.SECONDARY
        days_ago = rng.randint(0, window) if rng.random() < 0.3 else rng.randint(window, 1500)
        created = now - timedelta(days=days_ago, minutes=rng.randint(0, 600))
        rows.append(
            Customer(
                name=name,
                owner_id=owner_id,
                segment=segment,
                status=status,
                source=source,
                industry=industry,
                region=region,
                city=rng.choice(regions[region]),
                postal_code=_postal_code(postal_rng, sorted(regions).index(region)),
                website=f"https://www.{_slug(name)}{rng.randint(1, 999)}.example",
                phone=_phone(rng, phone_prefix),
                created_at=created,
                updated_at=created,
            )
        )
    with (
        transaction.atomic(),
        _explicit_timestamps(Customer),
        _progress(len(rows), "customers", progress) as bar,
    ):
        _bulk_insert(Customer, rows, config=config, bar=bar)
    return {"customers": len(rows), "territories": seed_territories(team_specs(config))}


def _postal_code(rng: random.Random, region_index: int) -> str:
    return f"{2 * region_index + 1}{rng.randint(0, 9999):04d}"


def seed_territories(specs: list[tuple] = TEAM_SPECS) -> int:
    """Territories (issue 13): one per region of each demo team, matched by the region's
    postal-code prefix, then every team's customers placed by the rules."""
    from crm.territories import territory_assign_by_rules

    teams = {t.name: t for t in Team.objects.filter(name__in=[s[0] for s in specs])}
    made = 0
    for team_name, _, _, _, regions in specs:
        team = teams.get(team_name)
        if team is None:
            continue
        for index, region in enumerate(sorted(regions)):
            territory, created = Territory.objects.get_or_create(
                team=team, name=region, defaults={"priority": 10 * (index + 1)}
            )
            if created:
                TerritoryRule.objects.create(
                    territory=territory, kind="postal_prefix", value=str(2 * index + 1)
                )
                made += 1
        territory_assign_by_rules(team=team)
    return made


def _demo_customers() -> models.QuerySet[Customer]:
    return Customer.objects.filter(owner__in=demo_users()).order_by("id")


def seed_contacts(*, config: DemoConfig, progress: bool = False) -> dict[str, int]:
    """One to three people per customer, the first one primary, e-mail at the company domain."""
    rng = _rng(config, "contacts")
    names = _names_for(config)
    customers = list(_demo_customers().values_list("id", "website", "phone", "created_at"))
    rows = []
    for customer_id, website, phone, created in customers:
        domain = website.removeprefix("https://www.")
        for i in range(rng.choices([1, 2, 3], weights=[45, 35, 20])[0]):
            first, last = _person(rng, names)
            rows.append(
                Contact(
                    customer_id=customer_id,
                    first_name=first,
                    last_name=last,
                    job_title=rng.choice(JOB_TITLES),
                    email=f"{_mail_name(first)}.{_mail_name(last)}@{domain}",
                    phone=phone[:-2] + f"{rng.randint(10, 99)}",
                    is_primary=i == 0,
                    created_at=created,
                )
            )
    with (
        transaction.atomic(),
        _explicit_timestamps(Contact),
        _progress(len(rows), "contacts", progress) as bar,
    ):
        _bulk_insert(Contact, rows, config=config, bar=bar)
    return {"contacts": len(rows)}


def _amount(rng: random.Random, segment: str) -> Decimal:
    base = rng.lognormvariate(9.0, 0.9) * (2.5 if segment == Segment.PRIMARY else 1.0)
    return Decimal(min(round(base, -1), 4_000_000)).quantize(Decimal("0.01"))


def seed_deals(*, config: DemoConfig, progress: bool = False) -> dict[str, int]:
    """Deals in every stage, owned by the customer's owner. A few customers get many deals
    (80/20); won and lost deals closed inside the history window, won credited to the owner;
    probabilities come from the Stage table."""
    rng = _rng(config, "deals")
    probability = dict(Stage.objects.values_list("code", "default_probability"))
    customers = list(_demo_customers().values_list("id", "owner_id", "status", "segment"))
    if not customers or not config.deal_count:
        return {"deals": 0}
    status_weight = {"active": 3.0, "prospect": 1.0, "former": 1.5}
    weights = [status_weight[c[2]] * rng.paretovariate(1.6) for c in customers]
    picks = rng.choices(customers, weights=weights, k=config.deal_count)
    stages, stage_weights = list(STAGE_WEIGHTS), list(STAGE_WEIGHTS.values())
    prospect_stages = [s for s in stages if s != DealStage.WON]
    prospect_weights = [STAGE_WEIGHTS[s] for s in prospect_stages]
    now, today, window = config.now, config.reference_date, config.weeks * 7
    rows = []
    for customer_id, owner_id, status, segment in picks:
        if status == CustomerStatus.PROSPECT:
            stage = rng.choices(prospect_stages, weights=prospect_weights)[0]
        else:
            stage = rng.choices(stages, weights=stage_weights)[0]
        deal = Deal(
            customer_id=customer_id,
            owner_id=owner_id,
            title=rng.choice(DEAL_TITLES),
            amount=_amount(rng, segment),
            stage_id=stage,
            probability=probability.get(stage, 0),
        )
        if stage in OPEN_STAGES:
            created = now - timedelta(days=rng.randint(1, window), minutes=rng.randint(0, 900))
            changed = created
            if stage != DealStage.LEAD:  # a lead has not moved since it was created
                changed += (now - created) * rng.uniform(0.2, 1.0)
            deal.expected_close = today + timedelta(days=rng.randint(-21, 120))
            deal.next_step = rng.choice(NEXT_STEPS)
        else:
            closed = today - timedelta(days=rng.randint(0, window - 1))
            created = datetime.combine(closed, datetime.min.time(), tzinfo=UTC) - timedelta(
                days=rng.randint(7, 150), hours=rng.randint(0, 8)
            )
            changed = datetime.combine(closed, datetime.min.time(), tzinfo=UTC).replace(
                hour=rng.randint(8, 16), minute=rng.randint(0, 59)
            )
            deal.closed_at = closed
            deal.expected_close = closed + timedelta(days=rng.randint(-20, 20))
            if stage == DealStage.WON:
                deal.credited_to_id = owner_id
            else:
                deal.lost_reason = rng.choice(LOST_REASONS)
        deal.created_at, deal.stage_changed_at, deal.updated_at = created, changed, changed
        rows.append(deal)
    with (
        transaction.atomic(),
        _explicit_timestamps(Deal),
        _progress(len(rows), "deals", progress) as bar,
    ):
        _bulk_insert(Deal, rows, config=config, bar=bar)
    return {"deals": len(rows)}


def _stage_path(rng: random.Random, final: str) -> list[str]:
    """The stages a deal passed through to reach `final`, starting at lead."""
    opens = list(OPEN_STAGES)
    if final in OPEN_STAGES:
        return opens[: opens.index(final) + 1]
    if final == DealStage.WON:
        path = [s for s in opens if s == DealStage.LEAD or rng.random() < 0.8]
    else:
        path = opens[: rng.randint(1, len(opens))]
    return [*path, final]


def seed_stage_history(*, config: DemoConfig, progress: bool = False) -> dict[str, int]:
    """Stage history consistent with each deal's final stage: created as lead, then each
    move in order, the last one exactly at the deal's stage_changed_at."""
    rng = _rng(config, "history")
    deals = (
        Deal.objects.filter(owner__in=demo_users())
        .order_by("id")
        .values_list("id", "owner_id", "stage_id", "created_at", "stage_changed_at")
    )
    total = deals.count()
    written = 0
    with (
        transaction.atomic(),
        _progress(total, "history", progress) as bar,
    ):
        batch: list[DealStageChange] = []
        for deal_id, owner_id, final, created, changed in deals.iterator(
            chunk_size=config.batch_size
        ):
            path = _stage_path(rng, final)
            moves = len(path) - 1
            times = sorted(created + (changed - created) * rng.random() for _ in range(moves))
            times = [created, *times[:-1], changed] if moves else [created]
            previous = ""
            for stage, at in zip(path, times, strict=True):
                batch.append(
                    DealStageChange(
                        deal_id=deal_id,
                        from_stage=previous,
                        to_stage=stage,
                        changed_by_id=owner_id,
                        changed_at=at,
                    )
                )
                previous = stage
            bar.update(1)
            if len(batch) >= config.batch_size:
                DealStageChange.objects.bulk_create(batch, batch_size=config.batch_size)
                written += len(batch)
                batch = []
        DealStageChange.objects.bulk_create(batch, batch_size=config.batch_size)
        written += len(batch)
    return {"stage_changes": written}


# --------------------------------------------------------------------------- activity phases
# Issue 4: what reps do all week. Volumes are per rep and ISO week of the team's time zone;
# --activities N spreads exactly N over the same (rep, week) slots in the same proportions.

WORK_START, WORK_END = 8 * 60, 18 * 60  # local working hours, minutes after midnight
# Natural weekly volume per kind: (low, high) for inside and outside reps.
WEEKLY_VOLUME = {
    RepType.INSIDE: {
        ActivityKind.CALL: (85, 120),
        ActivityKind.MEETING: (3, 7),
        ActivityKind.VISIT: (0, 1),
        ActivityKind.EMAIL: (15, 30),
        ActivityKind.NOTE: (2, 6),
        ActivityKind.REFERRAL: (0, 2),
    },
    RepType.OUTSIDE: {
        ActivityKind.CALL: (30, 50),
        ActivityKind.MEETING: (3, 7),
        ActivityKind.VISIT: (8, 15),
        ActivityKind.EMAIL: (8, 18),
        ActivityKind.NOTE: (3, 8),
        ActivityKind.REFERRAL: (1, 3),
    },
}
OUTCOMES = {
    ActivityKind.CALL: {
        ActivityOutcome.CONNECTED: 38,
        ActivityOutcome.NO_ANSWER: 22,
        ActivityOutcome.VOICEMAIL: 15,
        ActivityOutcome.MEETING_BOOKED: 8,
        ActivityOutcome.FOLLOW_UP: 10,
        ActivityOutcome.NOT_INTERESTED: 5,
        ActivityOutcome.ORDER: 2,
    },
    ActivityKind.MEETING: {
        ActivityOutcome.CONNECTED: 30,
        ActivityOutcome.FOLLOW_UP: 40,
        ActivityOutcome.MEETING_BOOKED: 10,
        ActivityOutcome.ORDER: 15,
        ActivityOutcome.NOT_INTERESTED: 5,
    },
    ActivityKind.EMAIL: {"": 80, ActivityOutcome.FOLLOW_UP: 20},
}
OUTCOMES[ActivityKind.VISIT] = OUTCOMES[ActivityKind.MEETING]
DURATIONS = {
    ActivityKind.MEETING: [30, 45, 60, 60, 90],
    ActivityKind.VISIT: [45, 60, 90, 120],
}
ACTIVITY_NOTES = {
    ActivityKind.CALL: [
        "Asked about current suppliers and volumes.",
        "Buyer on holiday until next week.",
        "Interested in the new catalogue; sending it today.",
        "Discussed delivery times for the next order.",
        "Cold call: introduced our lines, asked for a meeting.",
        "Price check on last quote.",
    ],
    ActivityKind.MEETING: [
        "Walked through the proposal with purchasing.",
        "Quarterly review: volumes up, asked for better terms.",
        "Demo for the technical team.",
        "Negotiated the framework agreement.",
    ],
    ActivityKind.VISIT: [
        "Site visit: saw the production line, two new needs.",
        "Dropped off samples at reception.",
        "Face-to-face cold call, met the plant manager.",
        "Visited with the service technician.",
    ],
    ActivityKind.EMAIL: [
        "Sent the revised quote.",
        "Sent product data sheets.",
        "Confirmed the meeting by e-mail.",
    ],
    ActivityKind.REFERRAL: [
        "Referred by an existing customer.",
        "Referral from a trade fair contact.",
    ],
    ActivityKind.NOTE: [
        "New purchasing manager starts next month.",
        "Budget for next year approved in October.",
        "Competitor offered 5% below our price.",
        "Prefers calls in the morning.",
    ],
}
TASK_TITLES = [
    "Send revised quote",
    "Book site visit",
    "Call buyer to confirm volumes",
    "Follow up on trial results",
    "Send samples",
    "Prepare proposal",
    "Chase the open invoice question",
    "Introduce the service technician",
]
REP_COMMENTS = [
    "Good week: most planned customers reached.",
    "Trade fair on Wednesday, fewer calls.",
    "Two new prospects from referrals.",
    "Half the week on site visits in the north.",
    "Several buyers on holiday; rebooked for next week.",
    "",
]
RETURN_COMMENTS = [
    "Calls well below the goal: what happened on Wednesday?",
    "Please add comments on the lost deals.",
    "No new prospects this week; plan some cold calls.",
]
APPROVE_COMMENTS = ["Good week.", "Thanks, keep the pace.", "", ""]
TEAM_GOAL = {"calls": 100, "meetings": 5, "visits": 3, "new_prospects": 5}
OUTSIDE_GOAL = {"calls": 40, "meetings": 5, "visits": 10, "new_prospects": 4}


@dataclass(frozen=True)
class _Rep:
    id: int
    tz: zoneinfo.ZoneInfo
    rep_type: str
    team_id: int | None
    manager_id: int | None


def _demo_reps() -> list[_Rep]:
    rows = (
        demo_users()
        .filter(role=Role.REP)
        .order_by("username")
        .values_list("id", "team__time_zone", "rep_type", "team_id", "team__manager_id")
    )
    return [
        _Rep(pk, zoneinfo.ZoneInfo(tz or "UTC"), rep_type, team_id, manager_id)
        for pk, tz, rep_type, team_id, manager_id in rows
    ]


def _history_weeks(config: DemoConfig, tz: zoneinfo.ZoneInfo) -> list[str]:
    """The --weeks ISO weeks of the history, oldest first, ending with the current one."""
    current = week_of(config.now, tz)
    return [shift_week(current, -back) for back in range(config.weeks - 1, -1, -1)]


def _working_days(week: str, config: DemoConfig, tz: zoneinfo.ZoneInfo) -> list[tuple]:
    """(day, first minute, last minute) of the week's working hours up to config.now."""
    now_local = config.now.astimezone(tz)
    minute_now = now_local.hour * 60 + now_local.minute
    days = []
    for offset in range(5):
        day = week_monday(week) + timedelta(days=offset)
        end = WORK_END
        if day > now_local.date():
            continue
        if day == now_local.date():
            end = min(WORK_END, minute_now)
        if end > WORK_START:
            days.append((day, WORK_START, end))
    return days


def _local(day: date, minute: int, tz: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=tz).replace(
        hour=minute // 60, minute=minute % 60
    )


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Split `total` into whole parts proportional to weights (largest remainder, exact)."""
    weight_sum = sum(weights)
    if not weight_sum:
        return [0] * len(weights)
    shares = [total * w / weight_sum for w in weights]
    parts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - shares[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _activity_plan(config: DemoConfig, reps: list[_Rep], has_customers: set[int]) -> list:
    """[(rep, week, working days, kind weights, count)] for every slot. Drawn from its own
    generator so the volumes depend on reps, weeks and seed only."""
    rng = _rng(config, "activity-volume")
    slots = []
    for rep in reps:
        volume = WEEKLY_VOLUME.get(rep.rep_type, WEEKLY_VOLUME[RepType.INSIDE])
        for week in _history_weeks(config, rep.tz):
            mix = {kind: rng.randint(low, high) for kind, (low, high) in volume.items()}
            if rng.random() < 0.05:  # holiday or trade-fair week
                mix = {kind: n // 5 for kind, n in mix.items()}
            days = _working_days(week, config, rep.tz)
            open_share = sum(end - start for _, start, end in days) / (5 * (WORK_END - WORK_START))
            natural = round(sum(mix.values()) * open_share) if rep.id in has_customers else 0
            slots.append([rep, week, days, mix, natural])
    if config.activities is not None:
        counts = _apportion(config.activities, [slot[4] for slot in slots])
        for slot, count in zip(slots, counts, strict=True):
            slot[4] = count
    return slots


def _portfolios(reps: list[_Rep]) -> dict[int, list[tuple]]:
    """Each rep's customers as (id, created_at, status), oldest first: one query."""
    portfolios: dict[int, list[tuple]] = {rep.id: [] for rep in reps}
    rows = _demo_customers().order_by("created_at", "id")
    for pk, owner_id, created, status in rows.values_list("id", "owner_id", "created_at", "status"):
        portfolios[owner_id].append((pk, created, status))
    return portfolios


def _first_contact(created: datetime, tz: zoneinfo.ZoneInfo) -> datetime:
    """The first working minute at or after a new prospect was entered: the cold call."""
    local = created.astimezone(tz)
    day, minute = local.date(), max(local.hour * 60 + local.minute + 5, WORK_START)
    if minute >= WORK_END or day.weekday() >= 5:
        day, minute = day + timedelta(days=1), WORK_START + 5
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return _local(day, minute, tz)


class _ActivityMaker:
    """Builds one rep's activities: the customer, contact, deal, outcome and notes of each."""

    def __init__(self, config, rng, rep, customers, contacts, deals, window_start) -> None:
        self.rng, self.rep, self.contacts, self.deals = rng, rep, contacts, deals
        self.now = config.now
        self.old = [c for c in customers if c[1] < window_start] or customers[:1]
        # Active customers are contacted most, prospects are prospected, formers won back.
        self.pool = [c for c in customers for _ in range({"active": 3, "prospect": 2}.get(c[2], 1))]
        self.prospects = [c for c in customers if c[2] == CustomerStatus.PROSPECT]

    def customer(self, kind: str, at: datetime) -> tuple:
        rng = self.rng
        cold = kind in (ActivityKind.CALL, ActivityKind.REFERRAL) and rng.random() < 0.3
        picked = rng.choice(self.prospects if cold and self.prospects else self.pool)
        return picked if picked[1] <= at else rng.choice(self.old)

    def make(self, kind: str, at: datetime, customer: tuple | None = None) -> Activity:
        rng = self.rng
        customer_id, _, status = customer or self.customer(kind, at)
        outcome = ""
        if kind in OUTCOMES:
            table = OUTCOMES[kind]
            outcome = rng.choices(list(table), weights=list(table.values()))[0]
        duration = None
        if kind == ActivityKind.CALL:
            quick = outcome in (ActivityOutcome.NO_ANSWER, ActivityOutcome.VOICEMAIL)
            duration = 1 if quick else rng.randint(3, 25)
        elif kind in DURATIONS:
            duration = rng.choice(DURATIONS[kind])
        elif kind == ActivityKind.EMAIL and rng.random() < 0.3:
            duration = 5
        prospect = status == CustomerStatus.PROSPECT
        prospecting = (
            kind == ActivityKind.REFERRAL
            or (kind == ActivityKind.CALL and prospect and rng.random() < 0.9)
            or (kind == ActivityKind.VISIT and prospect and rng.random() < 0.5)
        )
        people = self.contacts.get(customer_id, ())
        contact_id = None
        if people and kind != ActivityKind.NOTE and rng.random() < 0.85:
            contact_id = rng.choice(people)
        deal_id = None
        linkable = kind in (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.VISIT)
        if linkable and rng.random() < 0.35:
            started = [d for d, created in self.deals.get(customer_id, ()) if created <= at]
            deal_id = rng.choice(started) if started else None
        logged = min(at + timedelta(minutes=rng.randint(0, 25)), max(at, self.now))
        return Activity(
            kind=kind,
            customer_id=customer_id,
            contact_id=contact_id,
            deal_id=deal_id,
            owner_id=self.rep.id,
            occurred_at=at,
            week=week_of(at, self.rep.tz),
            duration_minutes=duration,
            outcome=outcome,
            notes=rng.choice(ACTIVITY_NOTES[kind]) if rng.random() < 0.6 else "",
            is_prospecting=prospecting,
            created_at=logged,
            updated_at=logged,
        )


def _rep_activities(config, rng, rep, slots, maker, customers) -> Iterator[Activity]:
    """One rep's activities, week by week: the cold call that created each new prospect
    first (it counts as one of the week's calls), then the week's other activities."""
    window_start = min(d[0] for s in slots for d in s[2]) if any(s[2] for s in slots) else None
    firsts: dict[str, list] = {}
    for customer in customers:
        if window_start is None or customer[1].astimezone(rep.tz).date() < window_start:
            continue
        at = _first_contact(customer[1], rep.tz)
        if at <= config.now and rng.random() < 0.85:
            firsts.setdefault(week_of(at, rep.tz), []).append((at, customer))
    for _, week, days, mix, count in slots:
        if not days or not count:
            continue
        first = firsts.get(week, [])[:count]
        for at, customer in first:
            yield maker.make(ActivityKind.CALL, at, customer)
        kinds, weights = list(mix), list(mix.values())
        spans = [end - start for _, start, end in days]
        for _ in range(count - len(first)):
            kind = rng.choices(kinds, weights=weights)[0] if sum(weights) else ActivityKind.CALL
            day, start, end = rng.choices(days, weights=spans)[0]
            yield maker.make(kind, _local(day, rng.randrange(start, end), rep.tz))


def _activity_phase_done(model: type[models.Model], field: str) -> bool:
    """A phase already ran when its rows exist for demo users (running it again adds
    nothing)."""
    return model.objects.filter(**{f"{field}__in": demo_users()}).exists()


def seed_activities(*, config: DemoConfig, progress: bool = False) -> dict[str, int]:
    """Every rep's calls, meetings, visits, e-mails, referrals and notes, week by week in
    working hours of the team's time zone, each with `week` = week_of(occurred_at, team tz);
    linked to the rep's customers, their contacts and sometimes a deal; cold calls and
    visits to prospects flagged as prospecting. Streamed in batches: a million rows never
    sit in memory at once."""
    if _activity_phase_done(Activity, "owner"):
        return {"activities": Activity.objects.filter(owner__in=demo_users()).count()}
    rng = _rng(config, "activities")
    reps = _demo_reps()
    portfolios = _portfolios(reps)
    slots = _activity_plan(config, reps, {r for r, cs in portfolios.items() if cs})
    contacts: dict[int, list[int]] = {}
    for customer_id, pk in (
        Contact.objects.filter(customer__owner__in=demo_users())
        .order_by("id")
        .values_list("customer_id", "id")
    ):
        contacts.setdefault(customer_id, []).append(pk)
    deals: dict[int, list[tuple]] = {}
    for customer_id, pk, created in (
        Deal.objects.filter(owner__in=demo_users())
        .order_by("id")
        .values_list("customer_id", "id", "created_at")
    ):
        deals.setdefault(customer_id, []).append((pk, created))
    by_rep: dict[int, list] = {}
    for slot in slots:
        by_rep.setdefault(slot[0].id, []).append(slot)
    total = sum(slot[4] for slot in slots)
    written = 0
    with (
        transaction.atomic(),
        _explicit_timestamps(Activity),
        _progress(total, "activities", progress) as bar,
    ):
        batch: list[Activity] = []
        for rep in reps:
            customers = portfolios[rep.id]
            if not customers:
                continue
            window_start = config.now - timedelta(weeks=config.weeks)
            maker = _ActivityMaker(config, rng, rep, customers, contacts, deals, window_start)
            for activity in _rep_activities(config, rng, rep, by_rep[rep.id], maker, customers):
                batch.append(activity)
                if len(batch) >= config.batch_size:
                    Activity.objects.bulk_create(batch, batch_size=config.batch_size)
                    written += len(batch)
                    bar.update(len(batch))
                    batch = []
        Activity.objects.bulk_create(batch, batch_size=config.batch_size)
        written += len(batch)
        bar.update(len(batch))
    return {"activities": written}


def _working_moment(rng, day: date, tz, *, not_after: datetime) -> datetime:
    return min(_local(day, rng.randrange(WORK_START, WORK_END), tz), not_after)


def seed_tasks(*, config: DemoConfig, progress: bool = False) -> dict[str, int]:
    """Follow-ups: two to five a week per rep, most created from a follow-up call or
    meeting; past ones mostly done, some still open and overdue; a few open for next week."""
    if _activity_phase_done(Task, "assignee"):
        return {"tasks": Task.objects.filter(assignee__in=demo_users()).count()}
    rng = _rng(config, "tasks")
    reps = _demo_reps()
    followups: dict[tuple[int, str], list[tuple]] = {}
    rows = (
        Activity.objects.filter(
            owner__in=demo_users(),
            outcome__in=[ActivityOutcome.FOLLOW_UP, ActivityOutcome.MEETING_BOOKED],
        )
        .order_by("id")
        .values_list("id", "owner_id", "week", "customer_id", "deal_id", "occurred_at")
    )
    for pk, owner_id, week, customer_id, deal_id, at in rows.iterator(chunk_size=config.batch_size):
        candidates = followups.setdefault((owner_id, week), [])
        if len(candidates) < 20:
            candidates.append((pk, customer_id, deal_id, at))
    tasks = []
    for rep in reps:
        today = config.now.astimezone(rep.tz).date()
        for week in _history_weeks(config, rep.tz):
            candidates = followups.get((rep.id, week), [])
            for pk, customer_id, deal_id, at in rng.sample(
                candidates, min(len(candidates), rng.randint(2, 5))
            ):
                due = at.astimezone(rep.tz).date() + timedelta(days=rng.randint(1, 10))
                # Old follow-ups are nearly all done; the last two weeks' some are overdue.
                done_share = 0.98 if due < today - timedelta(days=14) else 0.75
                done = rng.random() < (done_share if due < today else 0.15)
                done_at = None
                if done:
                    done_day = min(due - timedelta(days=rng.randint(0, 2)), today)
                    done_at = max(_working_moment(rng, done_day, rep.tz, not_after=config.now), at)
                tasks.append(
                    Task(
                        title=rng.choice(TASK_TITLES),
                        customer_id=customer_id,
                        deal_id=deal_id,
                        assignee_id=rep.id,
                        created_by_id=rep.id,
                        from_activity_id=pk,
                        due_date=due,
                        done=done,
                        done_at=done_at,
                        created_at=at + timedelta(minutes=rng.randint(1, 30)),
                    )
                )
        for _ in range(rng.randint(1, 3)):  # open tasks of their own, due soon
            tasks.append(
                Task(
                    title=rng.choice(["Plan next week's visits", "Update the pipeline"]),
                    assignee_id=rep.id,
                    created_by_id=rep.manager_id or rep.id,
                    due_date=today + timedelta(days=rng.randint(0, 9)),
                    created_at=config.now - timedelta(days=rng.randint(1, 5)),
                )
            )
    with (
        transaction.atomic(),
        _explicit_timestamps(Task),
        _progress(len(tasks), "tasks", progress) as bar,
    ):
        _bulk_insert(Task, tasks, config=config, bar=bar)
    return {"tasks": len(tasks)}


def _week_figures(reps: list[_Rep], *, since: datetime) -> dict[tuple[int, str], dict[str, int]]:
    """The call-report figures of every (rep, week), computed from the stored activities in
    two queries, counted the way the report counts them (activities.selectors): per kind,
    prospecting activities, and new prospects = distinct customers of the rep touched in
    the week that were created in that week (team time zone). Only customers created
    `since` the window began can be new, which keeps the second query small."""
    kind_field = {
        ActivityKind.CALL: "calls",
        ActivityKind.MEETING: "meetings",
        ActivityKind.VISIT: "visits",
        ActivityKind.EMAIL: "emails",
        ActivityKind.REFERRAL: "referrals",
    }
    mine = Activity.objects.filter(owner__in=demo_users()).order_by()
    figures: dict[tuple[int, str], dict[str, int]] = {}

    def row(key):
        return figures.setdefault(
            key, {name: 0 for name in [*kind_field.values(), "prospecting", "new_prospects"]}
        )

    counted = mine.values("owner_id", "week").annotate(
        **{name: Count("id", filter=Q(kind=kind)) for kind, name in kind_field.items()},
        prospecting=Count("id", filter=Q(is_prospecting=True)),
    )
    for counts in counted:
        row((counts.pop("owner_id"), counts.pop("week"))).update(counts)
    tz = {rep.id: rep.tz for rep in reps}
    new_customers = (
        mine.filter(customer__owner_id=F("owner_id"), customer__created_at__gte=since)
        .values_list("owner_id", "week", "customer_id", "customer__created_at")
        .distinct()
    )
    for owner_id, week, _customer_id, created in new_customers:  # distinct rows
        if owner_id in tz and week_of(created, tz[owner_id]) == week:
            row((owner_id, week))["new_prospects"] += 1
    return figures


def seed_call_reports(*, config: DemoConfig, progress: bool = False) -> dict[str, int]:
    """A report for every rep and week of the history: past weeks mostly approved or
    submitted (Friday evening, now and then on Monday morning), some returned with a
    comment; the current week a draft. Figures equal the counts of the week's activities."""
    if _activity_phase_done(WeeklyCallReport, "rep"):
        return {"call_reports": WeeklyCallReport.objects.filter(rep__in=demo_users()).count()}
    rng = _rng(config, "call-reports")
    reps = _demo_reps()
    figures = _week_figures(reps, since=config.now - timedelta(weeks=config.weeks + 1))
    empty = dict.fromkeys(
        ["calls", "meetings", "visits", "emails", "referrals", "prospecting", "new_prospects"], 0
    )
    reports = []
    for rep in reps:
        weeks = _history_weeks(config, rep.tz)
        for age, week in enumerate(reversed(weeks)):
            report = WeeklyCallReport(
                rep_id=rep.id, week=week, **figures.get((rep.id, week), empty)
            )
            reports.append(report)
            if age == 0:
                continue  # this week: still a draft
            weights = [35, 55, 10] if age == 1 else [8, 80, 12]
            status = rng.choices(
                [CallReportStatus.SUBMITTED, CallReportStatus.APPROVED, CallReportStatus.RETURNED],
                weights=weights,
            )[0]
            friday = week_monday(week) + timedelta(days=4)
            # After the last activity is logged (work ends 18:00, logged within 25 minutes).
            submitted = _local(friday, 18 * 60 + rng.randint(30, 120), rep.tz)
            if rng.random() < 0.15:  # forgot on Friday, submitted first thing on Monday
                monday = _local(friday + timedelta(days=3), 8 * 60 + rng.randint(0, 90), rep.tz)
                submitted = monday if monday <= config.now else submitted
            report.comments = rng.choice(REP_COMMENTS)
            report.submitted_at = submitted
            reviewed = submitted + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 4))
            if status == CallReportStatus.SUBMITTED or reviewed > config.now:
                report.status = CallReportStatus.SUBMITTED
                continue
            report.status = status
            report.reviewed_by_id, report.reviewed_at = rep.manager_id, reviewed
            comments = RETURN_COMMENTS if status == CallReportStatus.RETURNED else APPROVE_COMMENTS
            report.review_comment = rng.choice(comments)
    with transaction.atomic(), _progress(len(reports), "reports", progress) as bar:
        _bulk_insert(WeeklyCallReport, reports, config=config, bar=bar)
    return {"call_reports": len(reports)}


def seed_goals_and_plans(*, config: DemoConfig, progress: bool = False) -> dict[str, int]:
    """Team default goals (100 calls, 5 meetings, 3 visits, 5 new prospects a week), a
    standing override for every outside rep (fewer calls, more visits), a push week for one
    inside rep; and every rep's plan for the current week with customers to contact."""
    if _activity_phase_done(WeeklyPlan, "rep"):
        return {
            "goals": ActivityGoal.objects.filter(
                Q(rep__in=demo_users()) | Q(team__manager__in=demo_users())
            ).count(),
            "plans": WeeklyPlan.objects.filter(rep__in=demo_users()).count(),
        }
    rng = _rng(config, "plans")
    reps = _demo_reps()
    teams = {rep.team_id: rep.manager_id for rep in reps if rep.team_id}
    goals = [
        ActivityGoal(team_id=team_id, week="", set_by_id=manager_id, **TEAM_GOAL)
        for team_id, manager_id in sorted(teams.items())
    ]
    goals += [
        ActivityGoal(rep_id=rep.id, week="", set_by_id=rep.manager_id, **OUTSIDE_GOAL)
        for rep in reps
        if rep.rep_type == RepType.OUTSIDE
    ]
    inside = [rep for rep in reps if rep.rep_type != RepType.OUTSIDE]
    if inside:
        rep = inside[0]
        push = {**TEAM_GOAL, "calls": 120, "new_prospects": 8}
        week = week_of(config.now, rep.tz)
        goals.append(ActivityGoal(rep_id=rep.id, week=week, set_by_id=rep.manager_id, **push))
    portfolios = _portfolios(reps)
    plans, picks = [], []
    for rep in reps:
        outside = rep.rep_type == RepType.OUTSIDE
        plans.append(
            WeeklyPlan(
                rep_id=rep.id,
                week=week_of(config.now, rep.tz),
                planned_calls=rng.randint(35, 45) if outside else rng.randint(95, 115),
                planned_meetings=rng.randint(4, 6),
                planned_visits=rng.randint(9, 12) if outside else rng.randint(0, 1),
                planned_prospects=rng.randint(3, 6),
                notes=rng.choice(["Focus on key customers.", "Follow up last week's quotes.", ""]),
            )
        )
        customers = [c[0] for c in portfolios[rep.id] if c[2] != CustomerStatus.FORMER]
        picks.append(rng.sample(customers, min(len(customers), rng.randint(5, 10))))
    with transaction.atomic(), _progress(len(goals) + len(plans), "plans", progress) as bar:
        _bulk_insert(ActivityGoal, goals, config=config, bar=bar)
        plans = _bulk_insert(WeeklyPlan, plans, config=config, bar=bar)
        through = WeeklyPlan.customers.through
        links = [
            through(weeklyplan_id=plan.pk, customer_id=customer_id)
            for plan, chosen in zip(plans, picks, strict=True)
            for customer_id in chosen
        ]
        through.objects.bulk_create(links, batch_size=config.batch_size)
    return {"goals": len(goals), "plans": len(plans)}


ACTIVITY_PHASES: list = [seed_activities, seed_tasks, seed_call_reports, seed_goals_and_plans]


def wipe_activity_data() -> None:
    """Delete what the activity phases made for demo users (activities, tasks, reports,
    plans, goals), leaving customers and deals: e.g. to reseed them at another volume."""
    users = demo_users()
    with transaction.atomic():
        Task.objects.filter(assignee__in=users).delete()
        Activity.objects.filter(owner__in=users).delete()
        WeeklyCallReport.objects.filter(rep__in=users).delete()
        WeeklyPlan.objects.filter(rep__in=users).delete()
        ActivityGoal.objects.filter(Q(rep__in=users) | Q(team__manager__in=users)).delete()


def seed_activity_history(*, config: DemoConfig, progress: bool = False) -> SeedResult:
    """(Re)generate only the activity phases on top of seeded customers and deals; the
    benchmark uses it when a database from an earlier issue lacks them."""
    wipe_activity_data()
    result = SeedResult()
    for phase in ACTIVITY_PHASES:
        started = time.perf_counter()
        result.counts.update(phase(config=config, progress=progress))
        result.seconds[phase.__name__] = time.perf_counter() - started
    started = time.perf_counter()
    finish_seeding(config=config)
    result.seconds["finish_seeding"] = time.perf_counter() - started
    return result


Phase = Callable[..., dict[str, int]]
PHASES: list[Phase] = [
    seed_teams_and_users,
    seed_customers,
    seed_contacts,
    seed_deals,
    seed_stage_history,
    *ACTIVITY_PHASES,
]


def finish_seeding(*, config: DemoConfig) -> None:
    """Derived data and planner statistics: key-customer flags (when that service exists)
    and VACUUM ANALYZE on PostgreSQL so the first benchmark does not see an empty-table plan
    and, like a production database autovacuum keeps, the visibility map lets COUNT(*) of a
    paginated list use an index-only scan (perf, round 2). Inside a transaction (tests)
    VACUUM is not allowed: ANALYZE only."""
    from activities.services import customers_refresh_last_activity
    from crm import services

    customers_refresh_last_activity(lock=False)
    recompute = getattr(services, "recompute_key_customers", None)
    if recompute is not None:
        if "today" in inspect.signature(recompute).parameters:
            recompute(today=config.reference_date)
        else:
            recompute()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")


def seed_demo(*, config: DemoConfig, progress: bool = False) -> SeedResult:
    """Run every phase in order, then the derived data; returns rows and seconds per phase."""
    result = SeedResult()
    for phase in PHASES:
        started = time.perf_counter()
        counts = phase(config=config, progress=progress)
        result.seconds[phase.__name__] = time.perf_counter() - started
        result.counts.update(counts)
    started = time.perf_counter()
    finish_seeding(config=config)
    result.seconds["finish_seeding"] = time.perf_counter() - started
    return result


def wipe_demo_data() -> int:
    """Delete everything the generator made (and anything since attached to demo users),
    leaving other users and their data alone. Returns how many demo users were removed."""
    users = demo_users()
    with transaction.atomic():
        Deal.objects.filter(Q(owner__in=users) | Q(customer__owner__in=users)).delete()
        Customer.objects.filter(owner__in=users).delete()
        # Rows of other models that protect a demo user from deletion (tasks, activities,
        # teams they manage, logs ...) belong to the demo too.
        for rel in User._meta.related_objects:
            if rel.on_delete is models.PROTECT and rel.related_model is not User:
                rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": users}).delete()
        return users.delete()[1].get(User._meta.label, 0)


def demo_logins() -> list[dict[str, str]]:
    """The demo accounts to print: admin, managers, reps, in that order."""
    order = {Role.ADMIN: 0, Role.MANAGER: 1, Role.REP: 2}
    rows = demo_users().select_related("team").order_by("username")
    logins = [
        {
            "username": u.username,
            "role": u.role,
            "team": u.team.name if u.team else "",
            "kind": u.get_rep_type_display() if u.role == Role.REP else "",
            "name": u.get_full_name(),
        }
        for u in rows
    ]
    return sorted(logins, key=lambda row: order.get(row["role"], 3))


# --------------------------------------------------------------------------- reports phases
# (issue 5, area 5B: quotas for every demo rep, and the weekly KPI snapshots of recent weeks)

KPI_SNAPSHOT_WEEKS = 12


def seed_quotas(*, config: DemoConfig, progress: bool = False) -> dict[str, int]:
    """Monthly revenue quotas for every demo rep over the years the history covers, set
    near what the rep actually wins (so attainment swings around 100%, steadier for some
    reps than others), with quarter and year quotas rolled up from the months."""
    from reports.choices import PeriodKind
    from reports.models import Quota

    users = demo_users()
    if Quota.objects.filter(rep__in=users).exists():
        return {"quotas": Quota.objects.filter(rep__in=users).count()}
    rng = _rng(config, "quotas")
    reps = _demo_reps()
    first_day = config.reference_date - timedelta(weeks=config.weeks)
    months_seen = max(config.weeks * 7 / 30.4, 1)
    won = dict(
        Deal.objects.filter(
            stage_id=DealStage.WON,
            credited_to_id__in=[rep.id for rep in reps],
            closed_at__gte=first_day,
        )
        .order_by()
        .values_list("credited_to_id")
        .annotate(total=models.Sum("amount"))
    )
    rows = []
    for rep in reps:
        average = Decimal(won.get(rep.id) or 0) / Decimal(months_seen)
        base = max(average * Decimal(rng.uniform(0.85, 1.25)), Decimal("10000"))
        for year in range(first_day.year, config.reference_date.year + 1):
            months = []
            for month in range(1, 13):
                amount = (base * Decimal(rng.uniform(0.9, 1.1)) / 1000).quantize(Decimal(1))
                months.append(amount * 1000)
                rows.append(
                    Quota(
                        rep_id=rep.id,
                        period=PeriodKind.MONTH,
                        period_start=date(year, month, 1),
                        revenue=amount * 1000,
                        new_customers_primary=rng.randint(0, 2),
                        new_customers_secondary=rng.randint(0, 3),
                        set_by_id=rep.manager_id,
                    )
                )
            for quarter in range(4):
                rows.append(
                    Quota(
                        rep_id=rep.id,
                        period=PeriodKind.QUARTER,
                        period_start=date(year, 3 * quarter + 1, 1),
                        revenue=sum(months[3 * quarter : 3 * quarter + 3]),
                        rolled_up=True,
                        set_by_id=rep.manager_id,
                    )
                )
            rows.append(
                Quota(
                    rep_id=rep.id,
                    period=PeriodKind.YEAR,
                    period_start=date(year, 1, 1),
                    revenue=sum(months),
                    rolled_up=True,
                    set_by_id=rep.manager_id,
                )
            )
    with transaction.atomic(), _progress(len(rows), "quotas", progress) as bar:
        _bulk_insert(Quota, rows, config=config, bar=bar)
    return {"quotas": len(rows)}


def seed_weekly_kpis(*, config: DemoConfig, progress: bool = False) -> dict[str, int]:
    """The KPI snapshots of the last KPI_SNAPSHOT_WEEKS weeks and the current one, as the
    Monday job would have left them (reports.kpis; idempotent, so reseeding is harmless)."""
    from reports.kpis import compute_weekly_kpis

    current = week_of(config.now, zoneinfo.ZoneInfo("UTC"))
    count = min(config.weeks, KPI_SNAPSHOT_WEEKS)
    weeks = [shift_week(current, -back) for back in range(count, -1, -1)]
    rows = 0
    with _progress(len(weeks), "weekly KPIs", progress) as bar:
        for week in weeks:
            rows += compute_weekly_kpis(week=week)
            bar.update(1)
    return {"weekly_kpis": rows}


PHASES.extend([seed_quotas, seed_weekly_kpis])
