"""The coaching records in Django's admin: an admin can look every one of them up (lists and
a plan with its steps, measures and check-ins), but cannot add, change or delete there: the
coaching services, which carry the approval rules, are the only writers."""

import pytest
from django.urls import reverse

from coaching import plan_services as svc
from tests.coaching.plan_helpers import make_template, start_plan

pytestmark = pytest.mark.django_db

MODELS = [
    "plantemplate",
    "actionplan",
    "planchangerequest",
    "teamramp",
    "repramp",
    "rampchecklistitem",
    "timeentry",
    "coachingtarget",
    "teamrecognition",
    "badge",
]


@pytest.fixture
def plan(company):
    plan = start_plan(company, make_template())
    svc.check_in_write(
        by=company["north_mgr"], plan=plan, week=plan.start_week, note="Good start on the calls."
    )
    return plan


@pytest.mark.parametrize("model", MODELS)
def test_an_admin_lists_each_coaching_record_but_cannot_add_one(client, company, plan, model):
    client.force_login(company["admin"])

    assert client.get(reverse(f"admin:coaching_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:coaching_{model}_add")).status_code == 403


def test_a_plan_opens_with_its_steps_and_check_ins_read_only(client, company, plan):
    client.force_login(company["admin"])

    response = client.get(reverse("admin:coaching_actionplan_change", args=[plan.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Shadow two calls" in html and "Good start on the calls." in html
    assert 'name="_save"' not in html  # no save button: view only
    deleted = client.post(
        reverse("admin:coaching_actionplan_delete", args=[plan.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 403
    assert type(plan).objects.filter(pk=plan.pk).exists()


def test_a_manager_is_kept_out(client, company, plan):
    client.force_login(company["north_mgr"])

    response = client.get(reverse("admin:coaching_actionplan_changelist"))

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
