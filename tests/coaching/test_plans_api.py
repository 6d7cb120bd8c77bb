"""The action plan API (issue 13): /api/plan-templates/, /api/plans/ (+ check-ins, end,
progress) and /api/plan-change-requests/ (+ decide), with the permission matrix (rep, other
rep, manager, other team's manager, admin) and the bad paths (400 with field errors,
nothing changed)."""

import pytest

from activities.models import Task
from coaching import plan_services as svc
from coaching.models import ActionPlan, PlanChangeRequest, PlanCheckIn, PlanTemplate
from tests.coaching.plan_helpers import kpi, make_template, start_plan, weeks_ago
from tests.factories.coaching import PlanTemplateFactory

pytestmark = pytest.mark.django_db

TEMPLATES = "/api/plan-templates/"
PLANS = "/api/plans/"
CHANGES = "/api/plan-change-requests/"


@pytest.fixture
def template(db):
    return make_template()


# --- Templates ----------------------------------------------------------------------------


def test_an_admin_creates_and_approves_a_template(company, api_as):
    api = api_as(company["admin"])
    response = api.post(
        TEMPLATES,
        {
            "name": "Calls ramp",
            "kind": "activity_ramp",
            "steps": [{"title": "Shadow calls", "owner": "rep", "due_in_days": 7}],
            "measures": [{"metric": "calls", "comparison": "gte", "threshold": "80", "weeks": 4}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["is_approved"] is False
    assert body["measures"][0] | {"id": 0} == {
        "id": 0,
        "metric": "calls",
        "comparison": "gte",
        "threshold": "80.00",
        "weeks": 4,
    }
    approved = api.post(f"{TEMPLATES}{body['id']}/approve/")
    assert approved.status_code == 200 and approved.json()["is_approved"] is True
    again = api.post(f"{TEMPLATES}{body['id']}/approve/")
    assert again.status_code == 400 and "already approved" in again.json()["template"][0]


def test_a_threshold_that_is_not_a_number_is_a_400(company, api_as):
    response = api_as(company["admin"]).post(
        TEMPLATES,
        {
            "name": "X",
            "kind": "training",
            "measures": [{"metric": "calls", "comparison": "gte", "threshold": "many", "weeks": 4}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "Give the threshold as a number" in response.json()["measures"][0]
    assert not PlanTemplate.objects.exists()


def test_an_unknown_kind_is_a_400(company, api_as):
    response = api_as(company["admin"]).post(TEMPLATES, {"name": "X", "kind": "vacation"})
    assert response.status_code == 400 and "kind" in response.json()


@pytest.mark.parametrize(
    "who, listed, create_status",
    [
        ("rep", None, 403),
        ("other_rep", None, 403),
        ("north_mgr", ["approved"], 403),
        ("south_mgr", ["approved"], 403),
        ("admin", ["approved", "draft"], 201),
    ],
)
def test_templates_permission_matrix(company, api_as, who, listed, create_status):
    PlanTemplateFactory(name="approved")
    PlanTemplateFactory(name="draft", approved_at=None)
    api = api_as(company[who])
    response = api.get(TEMPLATES)
    if listed is None:
        assert response.status_code == 403
    else:
        assert sorted(r["name"] for r in response.json()["results"]) == sorted(listed)
    created = api.post(TEMPLATES, {"name": "New", "kind": "training"}, format="json")
    assert created.status_code == create_status


def test_a_manager_cannot_open_or_approve_a_draft(company, api_as):
    draft = PlanTemplateFactory(approved_at=None)
    api = api_as(company["north_mgr"])
    assert api.get(f"{TEMPLATES}{draft.pk}/").status_code == 404
    assert api.post(f"{TEMPLATES}{draft.pk}/approve/").status_code == 404
    assert not PlanTemplate.objects.get(pk=draft.pk).is_approved


def test_an_approved_template_is_frozen(company, api_as, template):
    response = api_as(company["admin"]).patch(
        f"{TEMPLATES}{template.pk}/", {"name": "Renamed"}, format="json"
    )
    assert response.status_code == 400 and "frozen" in response.json()["template"][0]


# --- Plans ------------------------------------------------------------------------------------


def test_a_manager_starts_a_plan_from_a_template(company, api_as, template):
    rep = company["rep"]
    response = api_as(company["north_mgr"]).post(
        PLANS, {"rep": rep.pk, "template": template.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["rep"] == rep.pk and body["status"] == "active"
    assert [(s["title"], s["assignee"], s["done"]) for s in body["steps"]] == [
        ("Shadow two calls", rep.pk, False),
        ("Joint visit with the manager", company["north_mgr"].pk, False),
    ]
    assert Task.objects.filter(pk__in=[s["task"] for s in body["steps"]]).count() == 2


def test_an_unapproved_template_is_a_400(company, api_as):
    draft = make_template(approved_at=None)
    for who in ("north_mgr", "admin"):  # the manager cannot see it, the admin may not use it
        response = api_as(company[who]).post(
            PLANS, {"rep": company["rep"].pk, "template": draft.pk}, format="json"
        )
        assert response.status_code == 400 and "template" in response.json()
    assert not ActionPlan.objects.exists()


def test_another_teams_rep_is_a_400_and_a_rep_may_not_start(company, api_as, template):
    response = api_as(company["north_mgr"]).post(
        PLANS, {"rep": company["south_rep"].pk, "template": template.pk}, format="json"
    )
    assert response.status_code == 400 and "rep" in response.json()
    response = api_as(company["rep"]).post(
        PLANS, {"rep": company["rep"].pk, "template": template.pk}, format="json"
    )
    assert response.status_code == 403
    assert not ActionPlan.objects.exists()


@pytest.mark.parametrize(
    "who, sees",
    [
        ("rep", True),
        ("other_rep", False),
        ("north_mgr", True),
        ("south_mgr", False),
        ("admin", True),
    ],
)
def test_plans_permission_matrix(company, api_as, template, who, sees):
    plan = start_plan(company, template)
    api = api_as(company[who])
    assert [r["id"] for r in api.get(PLANS).json()["results"]] == ([plan.pk] if sees else [])
    assert api.get(f"{PLANS}{plan.pk}/").status_code == (200 if sees else 404)
    assert api.get(f"{PLANS}{plan.pk}/progress/").status_code == (200 if sees else 404)
    assert api.get(f"{PLANS}{plan.pk}/check-ins/").status_code == (200 if sees else 404)


@pytest.mark.parametrize(
    "who, status",
    [("rep", 403), ("other_rep", 404), ("north_mgr", 201), ("south_mgr", 404), ("admin", 201)],
)
def test_who_checks_in(company, api_as, template, who, status):
    plan = start_plan(company, template)
    response = api_as(company[who]).post(
        f"{PLANS}{plan.pk}/check-ins/",
        {"week": weeks_ago(company["rep"], 0), "note": "Weekly talk."},
        format="json",
    )
    assert response.status_code == status
    assert PlanCheckIn.objects.count() == (1 if status == 201 else 0)


def test_a_check_in_freezes_the_figures_and_a_bad_one_is_a_400(company, api_as, template):
    rep = company["rep"]
    plan = start_plan(company, template, weeks_back=1)
    kpi(rep, weeks_ago(rep, 1), calls=77)
    api = api_as(company["north_mgr"])
    url = f"{PLANS}{plan.pk}/check-ins/"
    response = api.post(url, {"week": weeks_ago(rep, 1), "note": "Close."}, format="json")
    assert response.status_code == 201 and response.json()["figures"] == {"calls": "77"}
    bad = api.post(url, {"week": "2026-W99", "note": ""}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"week", "note"}
    assert [c["week"] for c in api.get(url).json()] == [weeks_ago(rep, 1)]


def test_progress_gives_the_live_figures(company, api_as, template):
    rep = company["rep"]
    plan = start_plan(company, template, weeks_back=1)
    kpi(rep, weeks_ago(rep, 1), calls=90)
    kpi(rep, weeks_ago(rep, 0), calls=100)
    body = api_as(rep).get(f"{PLANS}{plan.pk}/progress/").json()
    assert body["all_met"] is True
    assert [(w["value"], w["met"]) for w in body["measures"][0]["weeks"]] == [
        ("90", True),
        ("100", True),
    ]


def test_the_plan_ends_once_and_met_needs_met_measures(company, api_as, template):
    plan = start_plan(company, template)
    api = api_as(company["north_mgr"])
    url = f"{PLANS}{plan.pk}/end/"
    not_yet = api.post(url, {"outcome": "met", "note": "Done"}, format="json")
    assert not_yet.status_code == 400 and "not met yet" in not_yet.json()["outcome"][0]
    ended = api.post(url, {"outcome": "not_met", "note": "Below goal."}, format="json")
    assert ended.status_code == 200 and ended.json()["status"] == "not_met"
    twice = api.post(url, {"outcome": "cancelled", "note": "Again"}, format="json")
    assert twice.status_code == 400 and "has ended" in twice.json()["plan"][0]
    assert (
        api_as(company["rep"]).post(url, {"outcome": "cancelled", "note": "x"}).status_code == 403
    )


def test_the_plan_list_runs_a_fixed_number_of_queries(
    company, api_as, template, django_assert_max_num_queries
):
    from tests.factories.accounts import RepFactory

    api = api_as(company["admin"])
    for n in range(8):
        rep = RepFactory(username=f"extra{n}", team=company["north"])
        svc.plan_start(by=company["north_mgr"], rep=rep, template=template)
    with django_assert_max_num_queries(5):  # count, plans, steps+tasks, measures, check-ins
        response = api.get(PLANS)
    assert response.json()["count"] == 8


# --- Change requests -------------------------------------------------------------------------


def test_a_change_request_is_decided_by_an_admin_with_a_comment(company, api_as, template):
    plan = start_plan(company, template)
    measure = plan.measures.get()
    manager = api_as(company["north_mgr"])
    response = manager.post(
        CHANGES,
        {"plan": plan.pk, "kind": "change_measure", "measure": measure.pk, "weeks": 3},
        format="json",
    )
    assert response.status_code == 201, response.json()
    change_id = response.json()["id"]
    assert response.json()["status"] == "pending"
    assert manager.post(f"{CHANGES}{change_id}/decide/", {"decision": "approve"}).status_code == 403

    admin = api_as(company["admin"])
    assert [r["id"] for r in admin.get(CHANGES, {"status": "pending"}).json()["results"]] == [
        change_id
    ]
    decided = admin.post(
        f"{CHANGES}{change_id}/decide/", {"decision": "approve", "comment": "Three is fair."}
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved" and decided.json()["comment"] == "Three is fair."
    measure.refresh_from_db()
    assert measure.weeks == 3
    again = admin.post(f"{CHANGES}{change_id}/decide/", {"decision": "reject", "comment": "No"})
    assert again.status_code == 400


def test_a_threshold_that_is_not_a_number_in_a_change_is_a_400(company, api_as, template):
    plan = start_plan(company, template)
    response = api_as(company["north_mgr"]).post(
        CHANGES,
        {
            "plan": plan.pk,
            "kind": "change_measure",
            "measure": plan.measures.get().pk,
            "threshold": "eighty",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "Give the threshold as a number" in response.json()["threshold"][0]
    assert not PlanChangeRequest.objects.exists()


@pytest.mark.parametrize(
    "who, status", [("rep", 403), ("other_rep", 403), ("south_mgr", 400), ("admin", 201)]
)
def test_who_asks_for_a_change(company, api_as, template, who, status):
    plan = start_plan(company, template)
    response = api_as(company[who]).post(
        CHANGES,
        {"plan": plan.pk, "kind": "add_step", "title": "Call review", "due_in_days": 5},
        format="json",
    )
    assert response.status_code == status
    assert PlanChangeRequest.objects.count() == (1 if status == 201 else 0)


def test_change_requests_are_scoped(company, api_as, template):
    plan = start_plan(company, template)
    change = svc.change_request_create(
        by=company["north_mgr"], plan=plan, kind="add_step", title="x", owner="rep", due_in_days=1
    )
    assert api_as(company["south_mgr"]).get(f"{CHANGES}{change.pk}/").status_code == 404
    assert api_as(company["north_mgr"]).get(f"{CHANGES}{change.pk}/").status_code == 200
    assert api_as(company["rep"]).get(CHANGES).status_code == 403


def test_a_draft_template_is_changed_with_patch_and_its_steps_replaced(company, api_as):
    draft = make_template(approved_at=None)
    response = api_as(company["admin"]).patch(
        f"{TEMPLATES}{draft.pk}/",
        {
            "name": "Joint visits",
            "steps": [{"title": "Visit A", "owner": "manager", "due_in_days": 3}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Joint visits"
    assert [s["title"] for s in response.json()["steps"]] == ["Visit A"]
    assert len(response.json()["measures"]) == 1  # not given: kept
