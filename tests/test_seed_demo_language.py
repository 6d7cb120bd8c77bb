"""seed_demo --language: a demo company of the team's country (issue 14)."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Team, User
from crm import demo
from crm.models import Contact, Customer

TODAY = date(2026, 11, 20)
SMALL = ["--reps", "4", "--customers", "40", "--deals", "60", "--weeks", "4"]
ZONES = {"id": "Asia/Jakarta", "nl": "Europe/Amsterdam", "nb": "Europe/Oslo"}


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, "--today", TODAY.isoformat(), "--no-progress", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["id", "nl", "nb"])
def test_a_demo_company_per_language(language):
    out = seed(*SMALL, "--language", language)
    spec = demo.LANGUAGE_SPECS[language]
    teams = list(Team.objects.order_by("name"))
    assert {t.name for t in teams} == {s[0] for s in spec["teams"][:2]}
    assert {t.time_zone for t in teams} == {ZONES[language]}
    users = demo.demo_users()
    assert set(users.values_list("language", flat=True)) == {language}
    firsts, lasts = demo._local_names(language)
    assert all(u.first_name in firsts and u.last_name in lasts for u in users)
    cities = {c for s in spec["teams"] for cs in s[4].values() for c in cs}
    assert set(Customer.objects.values_list("city", flat=True)) <= cities
    prefix = spec["teams"][0][3]
    assert all(p.startswith(prefix) for p in Customer.objects.values_list("phone", flat=True))
    assert all(
        "@" in e and " " not in e and e.isascii()
        for e in Contact.objects.values_list("email", flat=True)
    )
    manager = f"{spec['teams'][0][0].lower()}_mgr"
    assert manager in out and User.objects.filter(username=manager).exists()
    if language == "id":  # Indonesian company forms come first: "PT Sinar Logistics"
        assert all(
            n.split()[0] in {"PT", "CV", "UD"}
            for n in Customer.objects.values_list("name", flat=True)
        )


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_company_and_english_stays_the_default():
    seed(*SMALL, "--language", "nl")
    first = sorted(Customer.objects.values_list("name", "city"))
    seed(*SMALL, "--language", "nl", "--reset")
    assert sorted(Customer.objects.values_list("name", "city")) == first
    seed(*SMALL, "--reset")
    assert set(
        Team.objects.filter(members__in=demo.demo_users()).values_list("name", flat=True)
    ) <= {
        "North",
        "South",
    }
    assert set(demo.demo_users().values_list("language", flat=True)) == {""}
