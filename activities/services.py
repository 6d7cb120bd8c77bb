"""Writes of what reps do all week. Every write re-checks scope (the caller may only link
customers and deals they can see, and assign work to people they may assign to), validates
everything before changing anything, and raises ValidationError with field messages."""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from accounts.selectors import email_language_of
from activities.models import Activity, Task, WeeklyPlan
from activities.weeks import FIRST_YEAR, date_range_error, parse_week, user_tz, week_of
from crm.models import Customer, Deal
from reports.kpis import mark_activities_stale

# --- Tasks and weekly plan (issue 4: engineer B) -----------------------------------------

TASK_FIELDS = frozenset({"title", "due_date", "assignee", "customer", "deal", "notes", "done"})
PLAN_NUMBER_FIELDS = ("planned_calls", "planned_meetings", "planned_visits", "planned_prospects")
MAX_PLANNED = 10_000


def _task_errors(
    *,
    by: User,
    title: str,
    due_date: date | None,
    assignee: User | None,
    customer: Customer | None,
    deal: Deal | None,
    current_assignee_id: int | None = None,
) -> dict:
    """Field errors for a task as it would be saved. The assignee must be someone `by` may
    assign to (keeping the current one is allowed); the customer and deal must be in the
    caller's scope and in the assignee's, so a task never shows anyone a customer outside
    their portfolio; a deal belongs to the task's customer."""
    from accounts.selectors import assignable_owners_for
    from crm.selectors import customers_visible_to, deals_visible_to

    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Say what needs doing.")
    if due_date is None:
        errors["due_date"] = _("Give the task a due date.")
    elif not isinstance(due_date, date):
        errors["due_date"] = _("Enter a valid date.")
    elif date_range_error(due_date):
        errors["due_date"] = date_range_error(due_date)
    if assignee is None:
        errors["assignee"] = _("Choose who does this task.")
    elif assignee.pk != current_assignee_id and (
        not assignable_owners_for(user=by).filter(pk=assignee.pk).exists()
    ):
        errors["assignee"] = _("You cannot assign tasks to %(person)s.") % {"person": assignee}
    if customer is not None:
        if not customers_visible_to(user=by).filter(pk=customer.pk).exists():
            errors["customer"] = _("Choose one of your customers.")
        elif (
            assignee is not None
            and "assignee" not in errors
            and not customers_visible_to(user=assignee).filter(pk=customer.pk).exists()
        ):
            errors["customer"] = _(
                "%(person)s cannot see this customer; assign it to its owner."
            ) % {"person": assignee}
    if deal is not None:
        if not deals_visible_to(user=by).filter(pk=deal.pk).exists():
            errors["deal"] = _("Choose one of your deals.")
        elif customer is not None and deal.customer_id != customer.pk:
            errors["deal"] = _("This deal belongs to another customer.")
    return errors


@transaction.atomic
def task_create(
    *,
    by: User,
    title: str,
    due_date: date | None,
    assignee: User | None = None,
    customer: Customer | None = None,
    deal: Deal | None = None,
    notes: str = "",
    from_activity=None,
) -> Task:
    """Create a follow-up. The assignee defaults to the caller (an admin, who has no
    portfolio, must choose one); a deal without a customer brings its customer along."""
    defaulted = assignee is None
    assignee = assignee or (None if by.is_admin else by)
    if deal is not None and customer is None:
        customer = deal.customer
    errors = _task_errors(
        by=by, title=title, due_date=due_date, assignee=assignee, customer=customer, deal=deal
    )
    if defaulted and "assignee" in errors:
        errors["assignee"] = _("Choose who does this task.")
    if errors:
        raise ValidationError(errors)
    return Task.objects.create(
        title=title.strip(),
        due_date=due_date,
        assignee=assignee,
        customer=customer,
        deal=deal,
        notes=notes or "",
        created_by=by,
        from_activity=from_activity,
    )


@transaction.atomic
def task_update(*, task: Task, by: User, **fields) -> Task:
    """Change a task's fields; all or nothing. `done` goes through task_complete /
    task_reopen so done_at stays right."""
    unknown = set(fields) - TASK_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    _check_task_visible(task=task, by=by)
    task = Task.objects.select_for_update().get(pk=task.pk)
    merged = {
        name: fields.get(name, getattr(task, name))
        for name in ("title", "due_date", "assignee", "customer", "deal")
    }
    if merged["deal"] is not None and merged["customer"] is None:
        merged["customer"] = merged["deal"].customer
    errors = _task_errors(by=by, current_assignee_id=task.assignee_id, **merged)
    if errors:
        raise ValidationError(errors)
    for name, value in merged.items():
        setattr(task, name, value.strip() if name == "title" else value)
    if "notes" in fields:
        task.notes = fields["notes"] or ""
    task.save()
    if "done" in fields and bool(fields["done"]) != task.done:
        task = (task_complete if fields["done"] else task_reopen)(task=task, by=by)
    return task


def _check_task_visible(*, task: Task, by: User) -> None:
    from activities.selectors import tasks_visible_to

    if not tasks_visible_to(user=by).filter(pk=task.pk).exists():
        raise PermissionDenied(_("This task is not yours to change."))


@transaction.atomic
def task_complete(*, task: Task, by: User) -> Task:
    """Mark done now (idempotent: completing a done task keeps its first done_at)."""
    _check_task_visible(task=task, by=by)
    if not task.done:
        task.done, task.done_at = True, timezone.now()
        task.save(update_fields=["done", "done_at"])
    return task


@transaction.atomic
def task_reopen(*, task: Task, by: User) -> Task:
    _check_task_visible(task=task, by=by)
    if task.done:
        task.done, task.done_at = False, None
        task.save(update_fields=["done", "done_at"])
    return task


@transaction.atomic
def weekly_plan_save(
    *,
    rep: User,
    week: str,
    by: User,
    planned_calls: int = 0,
    planned_meetings: int = 0,
    planned_visits: int = 0,
    planned_prospects: int = 0,
    customers=(),
    notes: str = "",
) -> WeeklyPlan:
    """Set the rep's plan for an ISO week (their weekly sprint). Only the rep plans their
    own week, for this week or a later one (a plan written afterwards measures nothing);
    the customers to contact must be in the rep's portfolio. Saving again replaces it."""
    from activities.selectors import current_week
    from crm.selectors import customers_visible_to

    if by.pk != rep.pk:
        raise PermissionDenied(_("Reps plan their own week."))
    errors = {}
    try:
        parse_week(week)
    except ValidationError as exc:
        errors["week"] = exc.messages
    else:
        if week < current_week(user=rep):
            errors["week"] = _("This week is over; plan this week or a later one.")
    numbers = {
        "planned_calls": planned_calls,
        "planned_meetings": planned_meetings,
        "planned_visits": planned_visits,
        "planned_prospects": planned_prospects,
    }
    for name, value in numbers.items():
        if value is None:
            numbers[name] = 0
        elif not isinstance(value, int) or isinstance(value, bool):
            errors[name] = _("Enter a whole number.")
        elif value < 0:
            errors[name] = _("Plan zero or more, not a negative number.")
        elif value > MAX_PLANNED:
            errors[name] = _("Plan at most %(max)s.") % {
                "max": number_format(MAX_PLANNED, force_grouping=True)
            }
    try:
        customer_ids = {int(getattr(c, "pk", c)) for c in customers or ()}
    except (TypeError, ValueError):
        errors["customers"] = _("Choose customers by id.")
        customer_ids = set()
    if customer_ids:
        mine = set(
            customers_visible_to(user=rep).filter(pk__in=customer_ids).values_list("pk", flat=True)
        )
        if mine != customer_ids:
            errors["customers"] = _("Plan only customers in your portfolio.")
    if errors:
        raise ValidationError(errors)
    plan, _created = WeeklyPlan.objects.update_or_create(
        rep=rep, week=week, defaults={**numbers, "notes": notes or ""}
    )
    plan.customers.set(customer_ids)
    return plan


# --- Weekly call report (issue 4: engineer C) --------------------------------------------

EDITABLE_REPORT_STATUSES = ("draft", "returned")


def _may_review(*, report, by: User) -> bool:
    """Only the rep's team manager or an admin reviews a report (never the rep themself)."""
    if by.pk == report.rep_id:
        return False
    if by.is_admin:
        return True
    team = report.rep.team
    return by.is_manager and team is not None and team.manager_id == by.pk


def call_report_get_or_create(*, rep: User, week: str):
    """The rep's report for an ISO week, created as a draft on first use. Figures stay live
    (computed from the activities) until the rep submits. A week that has not started yet
    has nothing to report: refused."""
    from activities.models import WeeklyCallReport
    from activities.selectors import current_week

    try:
        parse_week(week)
    except ValidationError as exc:
        raise ValidationError({"week": exc.messages}) from exc
    if week > current_week(user=rep):
        raise ValidationError(
            {"week": _("%(week)s has not started yet; report on it from then.") % {"week": week}}
        )
    report, _created = WeeklyCallReport.objects.get_or_create(rep=rep, week=week)
    return report


def _check_rep_may_edit(*, report, by: User) -> None:
    if by.pk != report.rep_id:
        raise PermissionDenied(_("Only the rep writes and submits their own call report."))
    if report.status not in EDITABLE_REPORT_STATUSES:
        raise ValidationError(
            # Translators: %(status)s is the report's status in lower case, e.g. "submitted".
            _("This report is %(status)s; it can no longer be changed.")
            % {"status": report.get_status_display().lower()}
        )


@transaction.atomic
def call_report_save_comments(*, report, by: User, comments: str):
    """The rep's comments on a draft (or returned) report; submitted reports are locked."""
    report = type(report).objects.select_for_update().get(pk=report.pk)
    _check_rep_may_edit(report=report, by=by)
    report.comments = (comments or "").strip()
    report.save(update_fields=["comments"])
    return report


@transaction.atomic
def call_report_submit(*, report, by: User, comments: str | None = None):
    """Submit the week: freeze the figures computed from the activities, stamp submitted_at.
    From then on the week is locked (is_week_locked) and anything logged for it is a late
    entry. Only the rep; only a draft or a returned report."""
    from activities.selectors import CALL_REPORT_FIGURES, call_report_figures

    report = (
        type(report).objects.select_for_update(of=("self",)).select_related("rep").get(pk=report.pk)
    )
    _check_rep_may_edit(report=report, by=by)
    if comments is not None:
        report.comments = comments.strip()
    figures = call_report_figures(rep=report.rep, week=report.week)
    for _label, name in CALL_REPORT_FIGURES:
        setattr(report, name, figures[name])
    report.status = "submitted"
    report.submitted_at = timezone.now()
    report.reviewed_by, report.reviewed_at = None, None
    report.save()
    return report


def _review(*, report, by: User, status: str, comment: str, comment_required: bool = False):
    report = (
        type(report)
        .objects.select_for_update(of=("self",))
        .select_related("rep", "rep__team")
        .get(pk=report.pk)
    )
    if not _may_review(report=report, by=by):
        raise PermissionDenied(_("Only the rep's manager or an admin reviews a call report."))
    if report.status != "submitted":
        raise ValidationError(
            # Translators: %(status)s is the report's status in lower case, e.g. "approved".
            _("Only a submitted report can be reviewed; this one is %(status)s.")
            % {"status": report.get_status_display().lower()}
        )
    if comment_required and not comment:  # after the status: a draft is the first problem
        raise ValidationError(
            {"comment": _("Say what needs to change: a returned report needs a comment.")}
        )
    report.status = status
    report.reviewed_by = by
    report.reviewed_at = timezone.now()
    report.review_comment = comment
    report.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    return report


@transaction.atomic
def call_report_approve(*, report, by: User, comment: str = ""):
    """The manager accepts the submitted week; it stays locked."""
    return _review(report=report, by=by, status="approved", comment=(comment or "").strip())


@transaction.atomic
def call_report_return(*, report, by: User, comment: str):
    """The manager sends the report back with a comment saying what to change; the rep can
    then edit and resubmit it (the week unlocks until then)."""
    return _review(
        report=report,
        by=by,
        status="returned",
        comment=(comment or "").strip(),
        comment_required=True,
    )


def _reminder_email(*, report, rep: User):
    """The Friday reminder to one rep, written in the rep's language."""
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django.utils import translation

    with translation.override(email_language_of(user=rep)):
        subject = _("Your call report for %(week)s is due today") % {"week": report.week}
        body = _(
            "Hello %(name)s,\n\n"
            "your weekly call report for %(week)s has not been submitted yet. "
            "Please add your comments and submit it today: %(url)s\n"
        ) % {
            "name": rep.first_name or rep.username,
            "week": report.week,
            "url": f"/reports/calls/{report.week}/",
        }
    return EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[rep.email]
    )


@transaction.atomic
def call_report_send_reminders(*, now=None) -> int:
    """Friday reminder: email every active rep who has not submitted the report for the week
    `now` falls in (their team's time zone), once per week. The draft report records
    reminder_sent_at, so running twice sends nothing twice. Returns how many were sent.

    A fixed number of queries whatever the head count: reps, one insert of missing drafts,
    the due reports (locked), one update. The emails go out through one connection; if
    sending fails nothing is recorded and the next run tries again."""
    from django.core.mail import get_connection

    from activities.models import WeeklyCallReport
    from activities.selectors import reps_due_a_reminder

    now = now or timezone.now()
    pairs = reps_due_a_reminder(now=now)
    if not pairs:
        return 0
    week_of_rep = {rep.pk: week for rep, week in pairs}
    reps = {rep.pk: rep for rep, _ in pairs}
    WeeklyCallReport.objects.bulk_create(
        [WeeklyCallReport(rep_id=rep_id, week=week) for rep_id, week in week_of_rep.items()],
        ignore_conflicts=True,
    )
    candidates = WeeklyCallReport.objects.select_for_update().filter(
        rep_id__in=list(reps),
        week__in=set(week_of_rep.values()),
        status__in=EDITABLE_REPORT_STATUSES,
        reminder_sent_at__isnull=True,
    )
    due = [r for r in candidates if week_of_rep.get(r.rep_id) == r.week]
    if not due:
        return 0
    emails = [_reminder_email(report=r, rep=reps[r.rep_id]) for r in due]
    get_connection().send_messages(emails)
    WeeklyCallReport.objects.filter(pk__in=[r.pk for r in due]).update(reminder_sent_at=now)
    return len(due)


# --- Activity logging (issue 4: engineer A) ----------------------------------------------

MAX_BULK_ACTIVITIES = 500
MAX_DURATION_MINUTES = 24 * 60
MAX_NOTES = 10_000
FUTURE_GRACE = timedelta(days=1)
ACTIVITY_FIELDS = frozenset(
    {
        "kind",
        "customer",
        "contact",
        "deal",
        "occurred_at",
        "duration_minutes",
        "outcome",
        "notes",
        "is_prospecting",
    }
)
MSG_FUTURE = gettext_lazy("An activity cannot be logged in the future (more than a day ahead).")
MSG_LOCKED = gettext_lazy("This week's report is submitted; the activity is locked.")
MSG_OTHER_WEEK = gettext_lazy("Activities can only be changed during the week they happened.")
MSG_NOT_OWNER = gettext_lazy("Only the person who logged an activity may change it.")
_BAD_ID = -1


class ActivityBatchError(ValidationError):
    """A batch with invalid items: `item_errors` maps each bad item's index (as a string)
    to its field errors, {"3": {"contact": ["…"]}}. Nothing of the batch was saved."""

    def __init__(self, item_errors: dict[str, dict[str, list[str]]]):
        self.item_errors = item_errors
        count = len(item_errors)
        super().__init__(
            ngettext(
                "Nothing was saved: %(count)s of the activities is invalid.",
                "Nothing was saved: %(count)s of the activities are invalid.",
                count,
            )
            % {"count": count}
        )


def _pk(value) -> int | None:
    """An instance or an id as an int; None when absent; _BAD_ID when it is no id at all
    (it then reads exactly like an id nobody may see)."""
    value = getattr(value, "pk", value)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _BAD_ID
    try:
        return int(value)
    except (TypeError, ValueError):
        return _BAD_ID


def _sees_customer(*, user: User, customer: Customer) -> bool:
    """crm.selectors.owner_scope_q evaluated on a loaded customer (its owner and team
    selected), so a batch checks every item's owner without a query per item."""
    if user.is_admin or customer.owner_id == user.pk:
        return True
    team = customer.owner.team
    return user.is_manager and team is not None and team.manager_id == user.pk


def _validate_activities(*, by: User, items: list[dict], now: datetime) -> tuple[list, dict]:
    """Resolve and check a batch in a fixed number of queries whatever its size: the
    customers, contacts, deals and owners of all items are each fetched in scope by id in
    one query, then every item is checked in Python. Returns (resolved items, errors by
    index). An id outside the caller's scope reads exactly like one that does not exist."""
    from accounts.selectors import assignable_owners_for
    from activities.choices import ActivityKind, ActivityOutcome
    from crm.selectors import contacts_visible_to, customers_visible_to, deals_visible_to

    ids: dict[str, set[int]] = {"customer": set(), "contact": set(), "deal": set(), "owner": set()}
    for item in items:
        for name, found in ids.items():
            pk = _pk(item.get(name))
            if pk is not None and pk != _BAD_ID:
                found.add(pk)
    customers = contacts = deals = owners = {}
    if ids["customer"]:
        customers = (
            customers_visible_to(user=by).select_related("owner__team").in_bulk(ids["customer"])
        )
    if ids["contact"]:
        contacts = contacts_visible_to(user=by).in_bulk(ids["contact"])
    if ids["deal"]:
        deals = deals_visible_to(user=by).in_bulk(ids["deal"])
    ids["owner"].discard(by.pk)
    if ids["owner"]:
        owners = assignable_owners_for(user=by).select_related("team").in_bulk(ids["owner"])
    owners = {**owners, by.pk: by}
    kinds, outcomes = ActivityKind.values, ActivityOutcome.values
    resolved, errors = [], {}
    for index, item in enumerate(items):
        unknown = set(item) - ACTIVITY_FIELDS - {"owner", "next_step_title", "next_step_due"}
        err: dict[str, str] = {name: _("This field cannot be set here.") for name in unknown}
        kind = item.get("kind") or ""
        if not kind:
            err["kind"] = _("Choose what kind of activity this was.")
        elif kind not in kinds:
            err["kind"] = _("“%(value)s” is not an activity kind; use one of %(choices)s.") % {
                "value": kind,
                "choices": ", ".join(kinds),
            }
        customer_pk = _pk(item.get("customer"))
        customer = customers.get(customer_pk)
        if customer_pk is None:
            err["customer"] = _("Choose the customer.")
        elif customer is None:
            err["customer"] = _("Choose one of your customers.")
        owner_pk = _pk(item.get("owner"))
        owner = by if owner_pk is None else owners.get(owner_pk)
        if owner is None:
            err["owner"] = _("You cannot log activities for this person.")
        elif (
            customer is not None
            and owner.pk != by.pk
            and not _sees_customer(user=owner, customer=customer)
        ):
            err["customer"] = _("%(person)s cannot see this customer.") % {"person": owner}
        contact_pk = _pk(item.get("contact"))
        contact = contacts.get(contact_pk)
        if contact_pk is not None:
            if contact is None:
                err["contact"] = _("Choose a contact of this customer.")
            elif customer is not None and contact.customer_id != customer.pk:
                err["contact"] = _("This contact works at another customer.")
        deal_pk = _pk(item.get("deal"))
        deal = deals.get(deal_pk)
        if deal_pk is not None:
            if deal is None:
                err["deal"] = _("Choose one of your deals; this one is not visible to you.")
            elif customer is not None and deal.customer_id != customer.pk:
                err["deal"] = _("This deal belongs to another customer.")
        tz = user_tz(owner or by)
        occurred_at = item.get("occurred_at") or now
        if not isinstance(occurred_at, datetime):
            err["occurred_at"] = _("Enter a date and time.")
        else:
            if timezone.is_naive(occurred_at):
                occurred_at = timezone.make_aware(occurred_at, tz)
            if occurred_at > now + FUTURE_GRACE:
                err["occurred_at"] = MSG_FUTURE
            elif occurred_at < datetime(FIRST_YEAR, 1, 1, tzinfo=tz):  # weeks start there
                err["occurred_at"] = _("Give a date in %(year)s or later.") % {"year": FIRST_YEAR}
        duration = item.get("duration_minutes")
        if duration is not None:
            if isinstance(duration, bool) or not isinstance(duration, int):
                err["duration_minutes"] = _("Enter the duration in whole minutes.")
            elif duration < 0:
                err["duration_minutes"] = _("The duration cannot be negative.")
            elif duration > MAX_DURATION_MINUTES:
                err["duration_minutes"] = _("An activity lasts at most 24 hours (1440 minutes).")
        outcome = item.get("outcome") or ""
        if outcome and outcome not in outcomes:
            err["outcome"] = _("“%(value)s” is not an outcome; use one of %(choices)s.") % {
                "value": outcome,
                "choices": ", ".join(outcomes),
            }
        notes = item.get("notes") or ""
        if len(notes) > MAX_NOTES:
            err["notes"] = _("Keep the notes under %(max)s characters.") % {
                "max": number_format(MAX_NOTES, force_grouping=True)
            }
        step_title = (item.get("next_step_title") or "").strip()
        step_due = item.get("next_step_due")
        if isinstance(step_due, datetime):
            step_due = step_due.date()
        if step_title and step_due is None:
            err["next_step_due"] = _("Give the next step a due date.")
        elif step_due is not None and not step_title:
            err["next_step_title"] = _("Say what the next step is.")
        elif step_due is not None and not isinstance(step_due, date):
            err["next_step_due"] = _("Enter a valid date.")
        elif step_due is not None and step_due < timezone.localdate(now, tz):
            err["next_step_due"] = _("The next step cannot be due in the past.")
        elif step_due is not None and date_range_error(step_due):
            err["next_step_due"] = date_range_error(step_due)
        if len(step_title) > 200:
            err["next_step_title"] = _("Keep the next step under 200 characters.")
        if err:
            errors[str(index)] = {name: [message] for name, message in err.items()}
            resolved.append(None)
            continue
        resolved.append(
            {
                "kind": kind,
                "customer": customer,
                "contact": contact,
                "deal": deal,
                "owner": owner,
                "occurred_at": occurred_at,
                "week": week_of(occurred_at, tz),
                "duration_minutes": duration,
                "outcome": outcome,
                "notes": notes,
                "is_prospecting": bool(item.get("is_prospecting")),
                "next_step": (step_title, step_due) if step_title else None,
            }
        )
    return resolved, errors


def customers_refresh_last_activity(*, customer_ids=None, lock: bool = True) -> None:
    """Set Customer.last_activity_at from the customers' activities after a write to them
    (customer_ids None: every customer, for seeding and repairs). The rows are first locked
    in primary-key order (FOR NO KEY UPDATE, which does not wait for the activity inserts'
    key-share locks), so the UPDATE's fresh snapshot sees every activity committed before
    it: two reps logging on one customer cannot leave it stale. `lock=False` for
    single-writer bulk work."""
    customers = Customer.objects.all()
    if customer_ids is not None:
        ids = sorted({int(pk) for pk in customer_ids if pk is not None})
        if not ids:
            return
        customers = customers.filter(pk__in=ids)
    if lock:
        list(customers.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))
    latest = (
        Activity.objects.filter(customer_id=OuterRef("pk"))
        .order_by()
        .values("customer_id")
        .annotate(latest=Max("occurred_at"))
        .values("latest")
    )
    customers.update(last_activity_at=Subquery(latest))


@transaction.atomic
def activities_bulk_log(*, by: User, items: list[dict]) -> list[Activity]:
    """Log up to MAX_BULK_ACTIVITIES activities at once (phone and calendar integrations):
    all or nothing. Validation runs in a fixed number of queries; the rows (and their next
    steps) are written with bulk_create. An activity for a week whose call report is already
    submitted is saved as a late entry (is_late), never silently folded into the report.

    Items are dicts of activity_log's arguments plus `owner`; links may be ids or objects.
    Raises ActivityBatchError with errors per item index."""
    from activities.selectors import locked_weeks

    items = list(items)
    if not items:
        raise ValidationError(_("Send at least one activity."))
    if len(items) > MAX_BULK_ACTIVITIES:
        raise ValidationError(
            _("Send at most %(max)s activities at once; this batch has %(count)s.")
            % {"max": MAX_BULK_ACTIVITIES, "count": len(items)}
        )
    now = timezone.now()
    resolved, errors = _validate_activities(by=by, items=items, now=now)
    if errors:
        raise ActivityBatchError(errors)
    locked = locked_weeks(
        rep_ids={r["owner"].pk for r in resolved}, weeks={r["week"] for r in resolved}
    )
    rows = [
        Activity(
            kind=r["kind"],
            customer=r["customer"],
            contact=r["contact"],
            deal=r["deal"],
            owner=r["owner"],
            occurred_at=r["occurred_at"],
            week=r["week"],
            duration_minutes=r["duration_minutes"],
            outcome=r["outcome"],
            notes=r["notes"],
            is_prospecting=r["is_prospecting"],
            is_late=(r["owner"].pk, r["week"]) in locked,
        )
        for r in resolved
    ]
    Activity.objects.bulk_create(rows, batch_size=1000)
    customers_refresh_last_activity(customer_ids={row.customer_id for row in rows})
    mark_activities_stale(activities=rows)  # reports (5B): late entries make past weeks stale
    steps = [
        Task(
            title=r["next_step"][0],
            due_date=r["next_step"][1],
            assignee=r["owner"],
            created_by=by,
            customer=r["customer"],
            deal=r["deal"],
            from_activity=row,
        )
        for r, row in zip(resolved, rows, strict=True)
        if r["next_step"]
    ]
    if steps:
        Task.objects.bulk_create(steps, batch_size=1000)
    return rows


def activity_log(
    *,
    by: User,
    kind: str,
    customer: Customer,
    occurred_at: datetime | None = None,
    contact=None,
    deal: Deal | None = None,
    duration_minutes: int | None = None,
    outcome: str = "",
    notes: str = "",
    is_prospecting: bool = False,
    next_step_title: str = "",
    next_step_due: date | None = None,
    owner: User | None = None,
) -> Activity:
    """Log one call, meeting, visit, email, referral or note: only the kind and the customer
    are required; the time defaults to now and the week is the ISO week of that moment in
    the owner's team time zone. `owner` (default: the caller) lets a manager or admin log
    for someone in their scope. An optional next step becomes a task for the owner.
    Raises ValidationError with field errors and saves nothing."""
    item = {
        "kind": kind,
        "customer": customer,
        "occurred_at": occurred_at,
        "contact": contact,
        "deal": deal,
        "duration_minutes": duration_minutes,
        "outcome": outcome,
        "notes": notes,
        "is_prospecting": is_prospecting,
        "next_step_title": next_step_title,
        "next_step_due": next_step_due,
        "owner": owner,
    }
    try:
        return activities_bulk_log(by=by, items=[item])[0]
    except ActivityBatchError as exc:
        raise ValidationError(exc.item_errors["0"]) from exc


def _check_activity_changeable(*, activity: Activity, by: User, now: datetime) -> None:
    """Only the owner, only during the week it happened (their time zone), and only while
    that week's call report is not submitted."""
    from activities.selectors import activity_lock_reason

    reason = activity_lock_reason(activity=activity, user=by, now=now)
    if reason == MSG_NOT_OWNER:
        raise PermissionDenied(reason)
    if reason:
        raise ValidationError(reason)


@transaction.atomic
def activity_update(*, activity: Activity, by: User, **fields) -> Activity:
    """Correct a mistake in an activity: same rules as logging it, and it stays in its
    week (a change may not move it into another, already counted, week)."""
    unknown = set(fields) - ACTIVITY_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    now = timezone.now()
    _check_activity_changeable(activity=activity, by=by, now=now)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    was_customer_id = activity.customer_id
    links = {"customer", "contact", "deal"}
    merged = {
        name: getattr(activity, f"{name}_id" if name in links else name) for name in ACTIVITY_FIELDS
    } | fields
    resolved, errors = _validate_activities(by=by, items=[merged], now=now)
    if errors:
        raise ValidationError(errors["0"])
    values = resolved[0]
    if values["week"] != activity.week:
        raise ValidationError(
            {
                "occurred_at": _(
                    "Keep the activity within %(week)s. Activities can only be changed during "
                    "the week they happened."
                )
                % {"week": activity.week}
            }
        )
    for name in ACTIVITY_FIELDS:
        setattr(activity, name, values[name])
    activity.save()
    customers_refresh_last_activity(customer_ids={was_customer_id, activity.customer_id})
    mark_activities_stale(activities=[activity])  # reports (5B): no-op in a running week
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, by: User) -> None:
    """Remove a mistaken entry: owner only, during its week, while the week is unlocked.
    Its next-step tasks stay (they only lose the link)."""
    _check_activity_changeable(activity=activity, by=by, now=timezone.now())
    activity.delete()
    customers_refresh_last_activity(customer_ids=[activity.customer_id])
    mark_activities_stale(activities=[activity])  # reports (5B): no-op in a running week
