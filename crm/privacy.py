"""Personal data of customers and contacts: an admin exports it as JSON or erases it.

Erasure anonymises in place instead of deleting: deals, activities, tasks, the ownership
log and the KPI snapshots keep pointing at the same row, so history and reports stay
reproducible (rules 2 and 3) while the person behind the row is gone. What is cleared:

- a customer: name (-> "Erased customer #id"), phone, website, city, notes; every contact
  at it is erased as below; the free text written about it (activity and task notes,
  handover knowledge notes) and its name copied into the ownership log. Industry, region,
  segment, status, source and owner stay: they classify a business, not a person, and the
  reports and the competing-line check read them.
- a contact: first name (-> "Erased contact #id"), last name, job title, email, phone, and
  the notes of activities logged with that contact.
Deal titles, lost reasons and task titles stay: they are the company's commercial record.

Each erasure appends one `Erasure` row (what, when, by whom, which fields held a value),
never the values. Erasing the same object twice is refused."""

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from activities.models import Activity, Task
from crm.choices import OwnedObject
from crm.models import Contact, Customer, Erasure, OwnershipChange
from handover.models import KnowledgeNote

CUSTOMER_PERSONAL_FIELDS = ("name", "phone", "website", "city", "notes")
CONTACT_PERSONAL_FIELDS = ("first_name", "last_name", "job_title", "email", "phone")
# The erased names and note are stored data, written in English whoever erases: the same
# marker for the whole team, like any other record (not translated).
ERASED_NOTE = "Erased with the customer's personal data."

Kind = Erasure.Kind


def erased_customer_name(pk: int) -> str:
    return f"Erased customer #{pk}"


def erased_contact_name(pk: int) -> str:
    return f"Erased contact #{pk}"


def check_admin(by: User) -> None:
    """Only admins (sales ops) handle data-subject requests; others get a 403."""
    if not by.is_admin:
        raise PermissionDenied(_("Only an admin may export or erase personal data."))


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- Export -------------------------------------------------------------------------------


def _contact_data(contact: Contact) -> dict:
    return {
        "id": contact.pk,
        "customer": contact.customer_id,
        **{name: getattr(contact, name) for name in CONTACT_PERSONAL_FIELDS},
        "is_primary": contact.is_primary,
        "created_at": _iso(contact.created_at),
    }


def _activities_data(activities: QuerySet[Activity]) -> list[dict]:
    return [
        {
            "id": a.pk,
            "kind": a.kind,
            "occurred_at": _iso(a.occurred_at),
            "customer": a.customer_id,
            "contact": a.contact_id,
            "deal": a.deal_id,
            "owner": a.owner.username,
            "duration_minutes": a.duration_minutes,
            "outcome": a.outcome,
            "notes": a.notes,
        }
        for a in activities.select_related("owner").order_by("occurred_at", "id")
    ]


def _erasures_data(erasures: Iterable[Erasure]) -> list[dict]:
    return [
        {
            "kind": e.kind,
            "object_id": e.object_id,
            "erased_at": _iso(e.erased_at),
            "erased_by": e.erased_by.username,
            "fields": e.fields,
        }
        for e in erasures
    ]


def _envelope(*, kind: str, by: User) -> dict:
    return {"kind": kind, "exported_at": _iso(timezone.now()), "exported_by": by.username}


def customer_personal_data(*, customer: Customer, by: User) -> dict:
    """Everything the CRM holds about a customer and the people at it, as JSON-ready data
    (money as decimal strings, times ISO 8601). The caller found `customer` through the
    scoped selector; only admins may export."""
    check_admin(by)
    deals = customer.deals.select_related("owner").order_by("created_at", "id")
    tasks = Task.objects.filter(customer=customer).select_related("assignee").order_by("id")
    notes = KnowledgeNote.objects.filter(customer=customer).order_by("handover_id")
    return {
        **_envelope(kind=Kind.CUSTOMER, by=by),
        "customer": {
            "id": customer.pk,
            **{name: getattr(customer, name) for name in CUSTOMER_PERSONAL_FIELDS},
            "owner": customer.owner.username,
            "segment": customer.segment,
            "status": customer.status,
            "source": customer.source,
            "industry": customer.industry,
            "region": customer.region,
            "created_at": _iso(customer.created_at),
            "updated_at": _iso(customer.updated_at),
        },
        "contacts": [_contact_data(c) for c in customer.contacts.order_by("id")],
        "deals": [
            {
                "id": d.pk,
                "title": d.title,
                "owner": d.owner.username,
                "amount": str(d.amount),
                "stage": d.stage_id,
                "expected_close": _iso(d.expected_close),
                "closed_at": _iso(d.closed_at),
                "lost_reason": d.lost_reason,
                "next_step": d.next_step,
            }
            for d in deals
        ],
        "activities": _activities_data(Activity.objects.filter(customer=customer)),
        "tasks": [
            {
                "id": t.pk,
                "title": t.title,
                "assignee": t.assignee.username,
                "due_date": _iso(t.due_date),
                "done": t.done,
                "notes": t.notes,
            }
            for t in tasks
        ],
        "handover_notes": [{"handover": n.handover_id, "text": n.text} for n in notes],
        "erasures": _erasures_data(customer.erasures.select_related("erased_by")),
    }


def contact_personal_data(*, contact: Contact, by: User) -> dict:
    """What the CRM holds about one person: the contact and the activities logged with them."""
    check_admin(by)
    erasures = Erasure.objects.filter(kind=Kind.CONTACT, object_id=contact.pk)
    return {
        **_envelope(kind=Kind.CONTACT, by=by),
        "contact": _contact_data(contact),
        "activities": _activities_data(Activity.objects.filter(contact=contact)),
        "erasures": _erasures_data(erasures.select_related("erased_by")),
    }


# --- Erasure ------------------------------------------------------------------------------


def _refuse_if_erased(*, kind: str, object_id: int) -> None:
    done = Erasure.objects.filter(kind=kind, object_id=object_id).first()
    if done is not None:
        on = f"{timezone.localtime(done.erased_at):%Y-%m-%d}"
        if kind == Kind.CUSTOMER:
            raise ValidationError(_("This customer was already erased on %(date)s.") % {"date": on})
        raise ValidationError(_("This contact was already erased on %(date)s.") % {"date": on})


def _record(
    *,
    kind: str,
    object_id: int,
    customer_id: int,
    by: User,
    at: datetime,
    fields: list[str],
    related: dict[str, int],
) -> Erasure:
    """Append the erasure record; the unique (kind, object_id) stops a concurrent second."""
    try:
        with transaction.atomic():
            return Erasure.objects.create(
                kind=kind,
                object_id=object_id,
                customer_id=customer_id,
                erased_by=by,
                erased_at=at,
                fields=fields,
                related={k: n for k, n in related.items() if n},
            )
    except IntegrityError:
        if kind == Kind.CUSTOMER:
            raise ValidationError(_("This customer was already erased.")) from None
        raise ValidationError(_("This contact was already erased.")) from None


def _erase_contact(*, contact: Contact, by: User, at: datetime) -> Erasure:
    """Blank a contact's personal fields and the notes of activities logged with them."""
    held = [name for name in CONTACT_PERSONAL_FIELDS if getattr(contact, name)]
    notes = Activity.objects.filter(contact=contact).exclude(notes="").update(notes="")
    Contact.objects.filter(pk=contact.pk).update(
        first_name=erased_contact_name(contact.pk), last_name="", job_title="", email="", phone=""
    )
    return _record(
        kind=Kind.CONTACT,
        object_id=contact.pk,
        customer_id=contact.customer_id,
        by=by,
        at=at,
        fields=held,
        related={"activities.notes": notes},
    )


@transaction.atomic
def contact_erase(*, contact: Contact, by: User) -> Erasure:
    """Anonymise one contact in place (admins only); a second erasure is a ValidationError."""
    check_admin(by)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    _refuse_if_erased(kind=Kind.CONTACT, object_id=contact.pk)
    return _erase_contact(contact=contact, by=by, at=timezone.now())


@transaction.atomic
def customer_erase(*, customer: Customer, by: User) -> Erasure:
    """Anonymise a customer, the people at it and the free text about it, in place (admins
    only). Its deals, activities, tasks, handover plan rows and ownership log stay linked;
    a customer in an open handover is still handed over, under its erased name."""
    check_admin(by)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _refuse_if_erased(kind=Kind.CUSTOMER, object_id=customer.pk)
    at = timezone.now()
    held = [name for name in CUSTOMER_PERSONAL_FIELDS if getattr(customer, name)]
    contacts = list(
        customer.contacts.select_for_update().exclude(
            pk__in=Erasure.objects.filter(kind=Kind.CONTACT).values("object_id")
        )
    )
    name = erased_customer_name(customer.pk)
    related = {
        "contacts": len([_erase_contact(contact=c, by=by, at=at) for c in contacts]),
        "activities.notes": Activity.objects.filter(customer=customer)
        .exclude(notes="")
        .update(notes=""),
        "tasks.notes": Task.objects.filter(customer=customer).exclude(notes="").update(notes=""),
        # the note must stay non-empty: the handover's "key customers need a note" check
        "handover_notes.text": KnowledgeNote.objects.filter(customer=customer).update(
            text=ERASED_NOTE
        ),
        "ownership_log.object_repr": OwnershipChange.objects.filter(
            object_type=OwnedObject.CUSTOMER, object_id=customer.pk
        ).update(object_repr=name),
    }
    Customer.objects.filter(pk=customer.pk).update(
        name=name, phone="", website="", city="", notes="", updated_at=at
    )
    return _record(
        kind=Kind.CUSTOMER,
        object_id=customer.pk,
        customer_id=customer.pk,
        by=by,
        at=at,
        fields=held,
        related=related,
    )


# --- Page state ---------------------------------------------------------------------------


def customer_privacy_state(*, customer: Customer, by: User) -> dict | None:
    """For the customer page: None unless `by` is an admin; else the customer's erasure (or
    None) and the ids of its erased contacts, so the page offers each action only once."""
    if not by.is_admin:
        return None
    erasures = list(customer.erasures.select_related("erased_by"))
    return {
        "erasure": next((e for e in erasures if e.kind == Kind.CUSTOMER), None),
        "erased_contact_ids": {e.object_id for e in erasures if e.kind == Kind.CONTACT},
    }
