"""Knowledge-transfer notes and deal confirmation by the departing rep; what is missing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from handover import services
from handover.models import KnowledgeNote
from handover.selectors import handover_missing_items
from tests.factories.crm import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def setup(company):
    key = CustomerFactory(owner=company["rep"], is_key=True, name="Keyco")
    plain = CustomerFactory(owner=company["rep"], name="Plainco")
    deal = DealFactory(customer=key, amount=Decimal("500.00"), stage_id="qualified")
    handover = services.handover_start(
        departing_rep=company["rep"],
        last_day=timezone.localdate() + timedelta(days=7),
        reason="no_growth",
        by=company["admin"],
    )
    return {"key": key, "plain": plain, "deal": deal, "handover": handover, **company}


def test_missing_items_lists_key_customers_without_note_stale_deals_and_late_customers(setup):
    handover = setup["handover"]
    late = CustomerFactory(owner=setup["rep"], name="Lateco")
    missing = handover_missing_items(handover=handover)
    assert [c.pk for c in missing.key_without_note] == [setup["key"].pk]
    assert [d.pk for d in missing.stale_deals] == [setup["deal"].pk]
    assert [c.pk for c in missing.unassigned] == [late.pk]
    assert missing.total == 3


def test_a_note_and_a_confirmed_deal_clear_the_missing_items(setup):
    handover = setup["handover"]
    services.knowledge_note_save(
        handover=handover, customer=setup["key"], text="Buys in March.", by=setup["rep"]
    )
    # a next step alone, set before the handover started, does not count as confirmed
    from crm.models import Deal

    Deal.objects.filter(pk=setup["deal"].pk).update(
        next_step="Send offer", updated_at=handover.created_at - timedelta(days=1)
    )
    assert handover_missing_items(handover=handover).stale_deals_count == 1
    from crm.services import deal_update

    deal_update(deal=setup["deal"], by=setup["rep"], next_step="Send offer v2")
    missing = handover_missing_items(handover=handover)
    assert (missing.key_without_note_count, missing.stale_deals_count) == (0, 0)


def test_saving_again_replaces_the_note(setup):
    h = setup["handover"]
    services.knowledge_note_save(handover=h, customer=setup["key"], text="v1", by=setup["rep"])
    services.knowledge_note_save(
        handover=h, customer=setup["key"], text="v2", by=setup["north_mgr"]
    )
    note = KnowledgeNote.objects.get()
    assert (note.text, note.written_by) == ("v2", setup["north_mgr"])


def test_note_bad_input(setup):
    h = setup["handover"]
    outsider = CustomerFactory(owner=setup["other_rep"])
    for customer, text, field in [
        (setup["key"], "   ", "text"),
        (outsider, "x", "customer"),
        (None, "x", "customer"),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.knowledge_note_save(handover=h, customer=customer, text=text, by=setup["rep"])
        assert field in exc.value.message_dict
    assert not KnowledgeNote.objects.exists()


def test_only_the_rep_and_their_managers_write_notes(setup):
    h = setup["handover"]
    for outsider in (setup["other_rep"], setup["south_mgr"]):
        with pytest.raises(PermissionDenied):
            services.knowledge_note_save(handover=h, customer=setup["key"], text="x", by=outsider)


def test_notes_page_shows_key_customers_and_deals_but_no_receivers(client, setup):
    client.force_login(setup["rep"])
    response = client.get(reverse("handover:list"), follow=True)
    body = response.content.decode()
    assert "Keyco" in body and "Plainco" not in body
    assert setup["deal"].title in body
    assert str(setup["other_rep"]) not in body  # the receiver


def test_rep_saves_a_note_with_htmx(client, setup):
    client.force_login(setup["rep"])
    h, key = setup["handover"], setup["key"]
    url = reverse("handover:note-save", args=[h.pk, key.pk])
    response = client.post(url, {"text": "CFO signs."}, **HTMX)
    assert response.status_code == 200
    assert "note written" in response.content.decode()
    assert KnowledgeNote.objects.get().text == "CFO signs."
    empty = client.post(url, {"text": ""}, **HTMX)
    assert empty.status_code == 400 and "field-error" in empty.content.decode()
    assert KnowledgeNote.objects.get().text == "CFO signs."


@pytest.mark.parametrize("htmx", [HTMX, {}], ids=["htmx", "plain"])
def test_a_note_on_a_customer_outside_the_handover_is_a_404_that_names_nobody(client, setup, htmx):
    # given: a customer of another rep, in no plan
    outsider = CustomerFactory(owner=setup["south_rep"], name="Elsewhere Holdings")
    client.force_login(setup["rep"])
    url = reverse("handover:note-save", args=[setup["handover"].pk, outsider.pk])

    # when: the departing rep posts a note for it, empty or not
    responses = [client.post(url, {"text": text}, **htmx) for text in ("", "Hello")]

    # then: not found, the name is not shown, nothing saved
    for response in responses:
        assert response.status_code == 404
        assert "Elsewhere" not in response.content.decode()
    assert not KnowledgeNote.objects.exists()


def test_rep_confirms_stage_and_next_step(client, setup):
    client.force_login(setup["rep"])
    h, deal = setup["handover"], setup["deal"]
    url = reverse("handover:deal-confirm", args=[h.pk, deal.pk])
    response = client.post(url, {"stage": "proposal", "next_step": "Call CFO"}, **HTMX)
    assert response.status_code == 200
    assert "up to date" in response.content.decode()
    deal.refresh_from_db()
    assert (deal.stage_id, deal.next_step) == ("proposal", "Call CFO")
    bad = client.post(url, {"stage": "won", "next_step": ""}, **HTMX)
    assert bad.status_code == 400
    deal.refresh_from_db()
    assert deal.stage_id == "proposal"
