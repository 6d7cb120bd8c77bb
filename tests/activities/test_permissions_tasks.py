"""Permission matrix for tasks, the weekly plan and My week: every page and endpoint.
Inside scope works; outside scope is a 404 (never a 403, never a leak); no login, no entry."""

import pytest
from django.urls import reverse

from activities.models import Task
from activities.selectors import current_week, local_today
from activities.services import task_create

pytestmark = pytest.mark.django_db

# who -> whose task they may see (assignee keys in `company`)
SCOPE = {
    "rep": {"rep"},
    "other_rep": {"other_rep"},
    "north_mgr": {"rep", "other_rep"},
    "south_mgr": {"south_rep"},
    "admin": {"rep", "other_rep", "south_rep"},
}
ASSIGNEES = ("rep", "other_rep", "south_rep")
CASES = [(who, assignee) for who in SCOPE for assignee in ASSIGNEES]


@pytest.fixture
def tasks(company):
    return {
        key: task_create(
            by=company[key], title=f"task of {key}", due_date=local_today(user=company[key])
        )
        for key in ASSIGNEES
    }


def page_urls(pk: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("activities:task-edit", args=[pk])),
        ("post", reverse("activities:task-done", args=[pk])),
        ("post", reverse("activities:task-reopen", args=[pk])),
    ]


@pytest.mark.parametrize(("who", "assignee"), CASES)
def test_task_pages_inside_scope_work_outside_are_404(client, company, tasks, who, assignee):
    client.force_login(company[who])
    task = tasks[assignee]
    expected_ok = assignee in SCOPE[who]
    for method, url in page_urls(task.pk):
        status = getattr(client, method)(url).status_code
        assert status == (200 if method == "get" else 302) if expected_ok else status == 404, (
            method,
            url,
            status,
        )
    task.refresh_from_db()
    assert not task.done  # done then reopened, or untouched
    listed = {t.pk for t in client.get(reverse("activities:task-list")).context["page"]}
    assert (task.pk in listed) is expected_ok


@pytest.mark.parametrize(("who", "assignee"), CASES)
def test_task_api_inside_scope_works_outside_is_404(company, api_as, tasks, who, assignee):
    client = api_as(company[who])
    task = tasks[assignee]
    expected = 200 if assignee in SCOPE[who] else 404
    url = f"/api/tasks/{task.pk}/"
    assert client.get(url).status_code == expected
    assert client.patch(url, {"notes": "seen"}, format="json").status_code == expected
    assert client.post(f"{url}complete/").status_code == expected
    assert client.post(f"{url}reopen/").status_code == expected
    ids = {row["id"] for row in client.get("/api/tasks/?page_size=200").json()["results"]}
    assert (task.pk in ids) is (expected == 200)
    task.refresh_from_db()
    assert (task.notes == "seen") is (expected == 200)


@pytest.mark.parametrize(
    ("who", "rep", "expected"),
    [
        ("rep", "rep", 200),
        ("rep", "other_rep", 404),
        ("rep", "south_rep", 404),
        ("north_mgr", "rep", 200),
        ("north_mgr", "other_rep", 200),
        ("north_mgr", "south_rep", 404),
        ("south_mgr", "rep", 404),
        ("south_mgr", "south_rep", 200),
        ("admin", "rep", 200),
        ("admin", "south_rep", 200),
    ],
)
def test_my_week_of_a_rep(client, company, who, rep, expected):
    client.force_login(company[who])
    response = client.get(reverse("activities:my-week"), {"rep": company[rep].pk})
    assert response.status_code == expected


def test_the_plan_is_always_the_callers_own(client, company):
    # A manager posting a plan saves their own, never a rep's: there is no rep parameter
    client.force_login(company["north_mgr"])
    week = current_week(user=company["north_mgr"])
    client.post(
        reverse("activities:week-plan"),
        {
            "week": week,
            "planned_calls": 3,
            "planned_meetings": 0,
            "planned_visits": 0,
            "planned_prospects": 0,
            "rep": company["rep"].pk,
        },
    )
    assert not company["rep"].weekly_plans.exists()
    assert company["north_mgr"].weekly_plans.get().planned_calls == 3


@pytest.mark.parametrize(
    ("method", "url_name", "args"),
    [
        ("get", "activities:my-week", []),
        ("get", "activities:task-list", []),
        ("get", "activities:task-create", []),
        ("get", "activities:task-edit", [1]),
        ("post", "activities:task-done", [1]),
        ("post", "activities:task-reopen", [1]),
        ("post", "activities:week-plan", []),
    ],
)
def test_every_page_needs_a_login(client, method, url_name, args):
    url = reverse(url_name, args=args)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_pages_refuse_the_wrong_method(client, company, tasks):
    client.force_login(company["rep"])
    assert client.get(reverse("activities:task-done", args=[tasks["rep"].pk])).status_code == 405
    assert client.get(reverse("activities:week-plan")).status_code == 405


def test_the_api_needs_credentials(api_client, tasks):
    assert api_client.get("/api/tasks/").status_code == 401
    assert api_client.post("/api/tasks/", {"title": "x"}, format="json").status_code == 401
    assert api_client.get(f"/api/tasks/{tasks['rep'].pk}/").status_code == 401
    assert Task.objects.count() == 3


def test_the_api_does_not_delete(company, api_as, tasks):
    response = api_as(company["admin"]).delete(f"/api/tasks/{tasks['rep'].pk}/")
    assert response.status_code == 405
