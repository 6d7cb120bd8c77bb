"""Ids typed into page URLs and forms: digits that are not ASCII ("²" counts as a digit to
str.isdigit() but not to int()) read like any other unknown id, never a 500."""

import pytest

from activities.models import Activity, WeeklyPlan

pytestmark = pytest.mark.django_db

ODD = ["²", "١٢", "9" * 30]


@pytest.mark.parametrize("raw", ODD)
@pytest.mark.parametrize(
    ("who", "method", "url", "data"),
    [
        ("rep", "post", "/activities/log/", {"kind": "call", "customer": "{raw}"}),
        ("rep", "get", "/activities/log/?customer={raw}", None),
        ("rep", "get", "/activities/log/?ql_mode=customer:{raw}", None),
        (
            "rep",
            "post",
            "/week/plan/",
            {
                "week": "2026-W49",
                "planned_calls": 1,
                "planned_meetings": 1,
                "planned_visits": 1,
                "planned_prospects": 1,
                "customers": "{raw}",
            },
        ),
        ("north_mgr", "get", "/week/?rep={raw}", None),
        ("north_mgr", "get", "/reports/calls/team/?team={raw}", None),
        ("north_mgr", "get", "/dashboard/?team={raw}", None),
        ("north_mgr", "get", "/dashboard/export/team.csv?rep={raw}", None),
        ("north_mgr", "post", "/dashboard/recompute/", {"week": "2026-W48", "team": "{raw}"}),
        ("rep", "get", "/deals/new/?customer={raw}", None),
    ],
)
def test_an_id_that_is_not_ascii_digits_is_unknown_not_a_500(
    client, company, who, method, url, data, raw
):
    client.force_login(company[who])
    data = {k: (v.format(raw=raw) if isinstance(v, str) else v) for k, v in (data or {}).items()}

    response = getattr(client, method)(url.format(raw=raw), data)

    assert response.status_code in (200, 302, 400, 404)
    assert not Activity.objects.exists()
    assert not WeeklyPlan.objects.filter(planned_calls=1).exists()
