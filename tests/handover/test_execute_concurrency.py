"""Two executions of the same handover at the same moment apply it once: the second waits
on the handover's row lock and then finds it done."""

import threading

import pytest
from django.db import connections

from activities.models import Task
from crm.models import OwnershipChange
from handover.execution import handover_execute
from handover.models import Handover
from tests.handover.helpers_execute import build_portfolio, start_handover


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_executions_apply_the_handover_once(company):
    build_portfolio(company["rep"], customers=20, key=3)
    handover = start_handover(company)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait()
            handover_execute(handover=Handover(pk=handover.pk), by=company["admin"])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    # 20 customers + 20 open deals + 20 open tasks, logged once
    assert OwnershipChange.objects.filter(handover=handover).count() == 60
    assert Task.objects.filter(title__startswith="Introduce yourself").count() == 3
    done = Handover.objects.get(pk=handover.pk)
    assert done.status == "done"
    assert done.report["counts"]["customers"] == 20  # not overwritten by an empty second run
