"""Customer list page, customer API list and pipeline board, for a rep and a manager (issue 3).

Server time in-process: django.test.Client, logged in with force_login, warmed up first.
Target: p95 under 100 ms for each figure.

Searches: "ha" is shorter than crm.search.MIN_SUBSTRING_LENGTH and matches the start of a
name (the commonest start at full scale: about 3,800 customers),
"mach" a substring (about 1,500 customer names contain it at full scale).
"""

from django.test import Client
from django.urls import NoReverseMatch, reverse

TARGET_MS = 100


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _people():
    """The first demo rep (a typical portfolio) and the manager of that rep's team."""
    from crm import demo

    rep = demo.demo_users().filter(role="rep").select_related("team__manager").first()
    return rep, rep.team.manager


def _middle_page(user) -> int:
    """A page deep in the user's list (page 50 at full scale), that exists for any page size
    up to 100."""
    from crm.selectors import customers_visible_to

    visible = customers_visible_to(user=user).count()
    return max(1, min(50, visible // 100))


def run(report) -> None:
    rep, manager = _people()
    pages = {
        "customers page": _url("crm:customer-list"),
        "customers API": "/api/customers/",
        "pipeline board": _url("crm:pipeline"),
    }
    for who, user in (("rep", rep), ("manager", manager)):
        client = Client()
        client.force_login(user)
        page = _middle_page(user)
        variants = {
            "customers page": [
                "",
                "?search=ha",
                "?search=mach",
                "?segment=primary",
                f"?page={page}",
            ],
            "customers API": [
                "",
                "?search=ha",
                "?search=mach",
                "?segment=primary",
                f"?page={page}",
            ],
            "pipeline board": ["", "?search=ha", "?search=mach"]
            + ([f"?owner={rep.pk}"] if who == "manager" else []),
        }
        for label, base in pages.items():
            for query in variants[label]:
                name = f"{label} {query or '(plain)'} · {who}"
                if base is None:
                    report.not_available(name, "not available (no such URL name yet)")
                    continue
                report.measure_get(name, client, base + query, target_ms=TARGET_MS)
