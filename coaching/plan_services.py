"""Writes of action plans (issue 13). Admins build and approve plan templates once; the rep's
manager (or an admin) starts a plan from an approved template with no further approval, the
steps becoming activities.Task rows in one bulk insert; check-ins freeze the week's figures;
changes beyond the template wait for an approver's decision. Every write validates all its
input first and raises ValidationError {field: message} (or PermissionDenied for a role
that may not act) before changing anything."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from activities.models import Task
from activities.selectors import local_today
from activities.weeks import date_range_error, parse_week, week_label
from coaching.models import (
    ActionPlan,
    PlanChangeRequest,
    PlanCheckIn,
    PlanMeasure,
    PlanStep,
    PlanTemplate,
    PlanTemplateMeasure,
    PlanTemplateStep,
)
from coaching.models.plans import (
    ChangeKind,
    ChangeStatus,
    Comparison,
    PlanKind,
    PlanMetric,
    PlanStatus,
    StepOwner,
)
from coaching.plan_selectors import (
    figures_of,
    kpi_rows_for,
    may_decide,
    may_manage_plan,
    may_manage_rep,
    measure_progress,
    measures_met,
    plan_current_week,
)

MAX_DUE_DAYS = 365
MAX_WEEKS = 52
MAX_THRESHOLD = Decimal("999999999999.99")
ENDINGS = (PlanStatus.MET, PlanStatus.NOT_MET, PlanStatus.CANCELLED)


# --- Parsing the parts of a template or a change -------------------------------------------


def _number(value) -> Decimal:
    """A threshold as a Decimal: a number (not a bool, not NaN), within the column."""
    not_a_number = _("Give the threshold as a number, e.g. 80.")
    if isinstance(value, bool) or value is None or value == "":
        raise ValueError(not_a_number)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(not_a_number) from None
    if not number.is_finite():
        raise ValueError(not_a_number)
    if number < 0 or number > MAX_THRESHOLD:
        raise ValueError(
            _("The threshold must be between 0 and %(max)s.")
            % {"max": number_format(MAX_THRESHOLD, 0, use_l10n=True, force_grouping=True)}
        )
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(_("The threshold takes at most two decimal places."))
    return number


# The messages of a whole number, by what it counts (one whole sentence each).
WHOLE_MESSAGES = {
    "due_in_days": (
        gettext_lazy("Give the days until due as a whole number."),
        gettext_lazy("Give the days until due between %(low)s and %(high)s."),
    ),
    "weeks": (
        gettext_lazy("Give the weeks as a whole number."),
        gettext_lazy("Give the weeks between %(low)s and %(high)s."),
    ),
}


def _whole(value, *, what: str, low: int, high: int) -> int:
    """A whole number within low..high ("1.5", true or "ten" are errors); `what` is a key
    of WHOLE_MESSAGES."""
    not_whole, out_of_range = WHOLE_MESSAGES[what]
    if isinstance(value, bool):
        raise ValueError(str(not_whole))
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not text.isascii() or not text.isdigit():
            raise ValueError(str(not_whole))
        number = int(text)
    if not low <= number <= high:
        raise ValueError(out_of_range % {"low": low, "high": high})
    return number


# "“value” is not a …; choose one of …", by the choices it is about.
CHOICE_MESSAGES = {
    StepOwner: gettext_lazy("“%(value)s” is not a step owner; choose one of %(allowed)s."),
    PlanMetric: gettext_lazy("“%(value)s” is not a KPI figure; choose one of %(allowed)s."),
    Comparison: gettext_lazy("“%(value)s” is not a comparison; choose one of %(allowed)s."),
    PlanKind: gettext_lazy("“%(value)s” is not a plan kind; choose one of %(allowed)s."),
}


def _choice(value, choices) -> str:
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise ValueError(CHOICE_MESSAGES[choices] % {"value": value, "allowed": allowed})
    return value


class PartError(ValueError):
    """One problem with a step, a measure or a change, and the field it is about."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _part(field: str, parse, *args, **kwargs):
    try:
        return parse(*args, **kwargs)
    except PartError:
        raise
    except ValueError as exc:
        raise PartError(field, str(exc)) from None


def clean_step(data: dict) -> dict:
    """{title, owner, due_in_days} checked; PartError with the first problem."""
    if not isinstance(data, dict):
        raise PartError("steps", _("Give each step as {title, owner, due_in_days}."))
    title = str(data.get("title") or "").strip()
    if not title:
        raise PartError("title", _("Say what the step is."))
    if len(title) > 160:
        raise PartError("title", _("Keep the step under 160 characters."))
    owner = data.get("owner") or StepOwner.REP
    return {
        "title": title,
        "owner": _part("owner", _choice, owner, StepOwner),
        "due_in_days": _part(
            "due_in_days",
            _whole,
            data.get("due_in_days"),
            what="due_in_days",
            low=0,
            high=MAX_DUE_DAYS,
        ),
    }


def clean_measure(data: dict) -> dict:
    """{metric, comparison, threshold, weeks} checked; PartError with the first problem."""
    if not isinstance(data, dict):
        raise PartError(
            "measures", _("Give each measure as {metric, comparison, threshold, weeks}.")
        )
    return {
        "metric": _part("metric", _choice, data.get("metric"), PlanMetric),
        "comparison": _part("comparison", _choice, data.get("comparison") or "", Comparison),
        "threshold": _part("threshold", _number, data.get("threshold")),
        "weeks": _part("weeks", _whole, data.get("weeks"), what="weeks", low=1, high=MAX_WEEKS),
    }


# (not a list, one item's problem) by the parts' name
PARTS_MESSAGES = {
    "steps": (
        gettext_lazy("Give the steps as a list."),
        gettext_lazy("Step %(number)s: %(problem)s"),
    ),
    "measures": (
        gettext_lazy("Give the measures as a list."),
        gettext_lazy("Measure %(number)s: %(problem)s"),
    ),
}


def _clean_parts(items, cleaner, *, name: str, errors: dict) -> list[dict]:
    if items is None:
        return []
    not_a_list, item_problem = PARTS_MESSAGES[name]
    if not isinstance(items, list | tuple):
        errors[name] = str(not_a_list)
        return []
    cleaned, problems = [], []
    for number, item in enumerate(items, start=1):
        try:
            cleaned.append(cleaner(item))
        except ValueError as exc:
            problems.append(item_problem % {"number": number, "problem": exc})
    if problems:
        errors[name] = problems
    return cleaned


# --- Templates (admins) ---------------------------------------------------------------------


def _check_admin(by: User, message) -> None:
    """PermissionDenied(message) unless `by` is an approver (an admin)."""
    if not may_decide(user=by):
        raise PermissionDenied(str(message))


def _template_fields(*, name: str, kind: str, errors: dict) -> tuple[str, str]:
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Name the template.")
    elif len(name) > 120:
        errors["name"] = _("Keep the name under 120 characters.")
    try:
        kind = _choice(kind, PlanKind)
    except ValueError as exc:
        errors["kind"] = str(exc)
    return name, kind


@transaction.atomic
def template_create(
    *,
    by: User,
    name: str,
    kind: str,
    description: str = "",
    steps: list[dict] | None = None,
    measures: list[dict] | None = None,
) -> PlanTemplate:
    """A draft template with its steps and measures (admins). It starts no plan until
    approved (template_approve)."""
    _check_admin(by, gettext_lazy("Only admins create plan templates."))
    errors: dict = {}
    name, kind = _template_fields(name=name, kind=kind, errors=errors)
    clean_steps = _clean_parts(steps, clean_step, name="steps", errors=errors)
    clean_measures = _clean_parts(measures, clean_measure, name="measures", errors=errors)
    if errors:
        raise ValidationError(errors)
    template = PlanTemplate.objects.create(
        name=name, kind=kind, description=description or "", created_by=by
    )
    _add_parts(template, clean_steps, clean_measures)
    return template


def _add_parts(template: PlanTemplate, steps: list[dict], measures: list[dict]) -> None:
    start = template.steps.count()
    PlanTemplateStep.objects.bulk_create(
        PlanTemplateStep(template=template, position=start + i, **step)
        for i, step in enumerate(steps)
    )
    PlanTemplateMeasure.objects.bulk_create(
        PlanTemplateMeasure(template=template, **measure) for measure in measures
    )


def _check_draft(template: PlanTemplate) -> None:
    if template.is_approved:
        raise ValidationError(
            {"template": _("This template is approved and frozen; create a new one to change it.")}
        )


@transaction.atomic
def template_add_parts(
    *,
    by: User,
    template: PlanTemplate,
    steps: list[dict] | None = None,
    measures: list[dict] | None = None,
) -> PlanTemplate:
    """Add steps and/or measures to a draft template (admins)."""
    _check_admin(by, gettext_lazy("Only admins change plan templates."))
    template = PlanTemplate.objects.select_for_update().get(pk=template.pk)
    _check_draft(template)
    errors: dict = {}
    clean_steps = _clean_parts(steps, clean_step, name="steps", errors=errors)
    clean_measures = _clean_parts(measures, clean_measure, name="measures", errors=errors)
    if errors:
        raise ValidationError(errors)
    _add_parts(template, clean_steps, clean_measures)
    return template


@transaction.atomic
def template_update(
    *,
    by: User,
    template: PlanTemplate,
    name: str | None = None,
    kind: str | None = None,
    description: str | None = None,
    steps: list[dict] | None = None,
    measures: list[dict] | None = None,
) -> PlanTemplate:
    """Change a draft template (admins); given `steps` / `measures` replace the old ones."""
    _check_admin(by, gettext_lazy("Only admins change plan templates."))
    template = PlanTemplate.objects.select_for_update().get(pk=template.pk)
    _check_draft(template)
    errors: dict = {}
    new_name, new_kind = _template_fields(
        name=template.name if name is None else name,
        kind=template.kind if kind is None else kind,
        errors=errors,
    )
    clean_steps = _clean_parts(steps, clean_step, name="steps", errors=errors)
    clean_measures = _clean_parts(measures, clean_measure, name="measures", errors=errors)
    if errors:
        raise ValidationError(errors)
    template.name, template.kind = new_name, new_kind
    if description is not None:
        template.description = description
    template.save()
    if steps is not None:
        template.steps.all().delete()
    if measures is not None:
        template.measures.all().delete()
    _add_parts(template, clean_steps, clean_measures)
    return template


@transaction.atomic
def template_approve(*, by: User, template: PlanTemplate) -> PlanTemplate:
    """Approve a template once (admins): from now on managers start plans from it with no
    further approval. It needs at least one step and one measure."""
    _check_admin(by, gettext_lazy("Only admins approve plan templates."))
    template = PlanTemplate.objects.select_for_update().get(pk=template.pk)
    if template.is_approved:
        raise ValidationError({"template": _("This template is already approved.")})
    errors = {}
    if not template.steps.exists():
        errors["steps"] = _("Add at least one step before approving.")
    if not template.measures.exists():
        errors["measures"] = _("Add at least one success measure before approving.")
    if errors:
        raise ValidationError(errors)
    template.approved_by, template.approved_at = by, timezone.now()
    template.save(update_fields=["approved_by", "approved_at"])
    return template


@transaction.atomic
def template_retire(*, by: User, template: PlanTemplate) -> PlanTemplate:
    """No new plans from this template (running plans keep their copy)."""
    _check_admin(by, gettext_lazy("Only admins retire plan templates."))
    if template.retired:
        raise ValidationError({"template": _("This template is already retired.")})
    template.retired = True
    template.save(update_fields=["retired"])
    return template


# --- Starting a plan (the rep's manager, or an admin) --------------------------------------


def _check_manages(*, by: User, plan: ActionPlan) -> None:
    if not may_manage_plan(user=by, plan=plan):
        raise PermissionDenied(_("Only the rep's manager or an admin changes this plan."))


def _manager_of(*, rep: User, by: User) -> User | None:
    team = rep.team
    if team is not None and team.manager_id:
        return team.manager
    return by if by.is_manager else None


def _step_task(*, plan: ActionPlan, step: dict, rep: User, manager: User, by: User) -> Task:
    return Task(
        title=f"{plan.name}: {step['title']}"[:200],
        assignee=rep if step["owner"] == StepOwner.REP else manager,
        created_by=by,
        due_date=plan.started_on + timedelta(days=step["due_in_days"]),
        notes=_("Step of %(rep)s's action plan “%(plan)s”.") % {"rep": rep, "plan": plan.name},
    )


def _create_steps(
    *, plan: ActionPlan, steps: list[dict], by: User, from_template: bool, start: int = 0
) -> list[PlanStep]:
    """The steps and their tasks: two bulk INSERTs whatever the number of steps."""
    manager = _manager_of(rep=plan.rep, by=by)
    tasks = Task.objects.bulk_create(
        _step_task(plan=plan, step=step, rep=plan.rep, manager=manager, by=by) for step in steps
    )
    return PlanStep.objects.bulk_create(
        PlanStep(
            plan=plan,
            position=start + i,
            task=task,
            from_template=from_template,
            **step,
        )
        for i, (step, task) in enumerate(zip(steps, tasks, strict=True))
    )


@transaction.atomic
def plan_start(
    *, by: User, rep: User, template: PlanTemplate, started_on: date | None = None
) -> ActionPlan:
    """Start a plan for `rep` from an approved template: no further approval. The plan
    copies the template's steps (each becomes a task for the rep or the manager, due
    `due_in_days` after the start) and its measures. A rep has one active plan at a time."""
    if not (by.is_admin or by.is_manager):
        raise PermissionDenied(_("Only managers and admins start action plans."))
    errors = {}
    if not may_manage_rep(user=by, rep=rep) or not rep.is_rep or not rep.is_active:
        errors["rep"] = _("Choose one of your team's active reps.")
    if not template.is_approved:
        errors["template"] = _(
            "This template is not approved yet; only approved templates start plans."
        )
    elif template.retired:
        errors["template"] = _("This template is retired; choose another.")
    started_on = started_on or local_today(user=rep)
    if not isinstance(started_on, date) or date_range_error(started_on):
        errors["started_on"] = _("Give a real start date.")
    elif started_on > local_today(user=rep):
        errors["started_on"] = _("A plan starts today or on an earlier day, not in the future.")
    if "rep" not in errors and _manager_of(rep=rep, by=by) is None:
        errors["rep"] = _("%(rep)s's team has no manager to own the manager's steps.") % {
            "rep": rep
        }
    if errors:
        raise ValidationError(errors)
    User.objects.select_for_update().filter(pk=rep.pk).first()  # one start at a time per rep
    if ActionPlan.objects.filter(rep=rep, status=PlanStatus.ACTIVE).exists():
        raise ValidationError(
            {"rep": _("%(rep)s already has an active plan; end it first.") % {"rep": rep}}
        )
    steps = [
        {"title": s.title, "owner": s.owner, "due_in_days": s.due_in_days}
        for s in template.steps.all()
    ]
    plan = ActionPlan.objects.create(
        rep=rep,
        template=template,
        name=template.name,
        kind=template.kind,
        started_by=by,
        started_on=started_on,
        start_week=week_label(started_on),
    )
    _create_steps(plan=plan, steps=steps, by=by, from_template=True)
    PlanMeasure.objects.bulk_create(
        PlanMeasure(
            plan=plan,
            metric=m.metric,
            comparison=m.comparison,
            threshold=m.threshold,
            weeks=m.weeks,
        )
        for m in template.measures.all()
    )
    return plan


# --- Check-ins and the end -----------------------------------------------------------------


def _check_active(plan: ActionPlan) -> None:
    if not plan.is_active:
        status = plan.get_status_display().lower()
        raise ValidationError({"plan": _("This plan has ended (%(status)s).") % {"status": status}})


@transaction.atomic
def check_in_write(*, by: User, plan: ActionPlan, week: str, note: str) -> PlanCheckIn:
    """The manager's note for one week of the plan, with that week's figures (every
    measured metric, from the week's WeeklyKPI row) frozen beside it."""
    _check_manages(by=by, plan=plan)
    plan = (
        ActionPlan.objects.select_for_update(of=("self",))
        .select_related("rep__team")
        .get(pk=plan.pk)
    )
    _check_active(plan)
    errors = {}
    try:
        parse_week(week)
    except ValidationError as exc:
        errors["week"] = exc.messages
    else:
        last = plan_current_week(plan=plan)
        if not plan.start_week <= week <= last:
            errors["week"] = _("Choose a week of the plan, %(first)s to %(last)s.") % {
                "first": plan.start_week,
                "last": last,
            }
        elif plan.check_ins.filter(week=week).exists():
            errors["week"] = _("%(week)s already has a check-in.") % {"week": week}
    note = (note or "").strip()
    if not note:
        errors["note"] = _("Write what you discussed.")
    if errors:
        raise ValidationError(errors)
    row = kpi_rows_for(rep_id=plan.rep_id, weeks=[week]).get(week)
    metrics = sorted(set(plan.measures.values_list("metric", flat=True)))
    return PlanCheckIn.objects.create(
        plan=plan, week=week, note=note, author=by, figures=figures_of(row, metrics)
    )


@transaction.atomic
def plan_end(*, by: User, plan: ActionPlan, outcome: str, note: str) -> ActionPlan:
    """End the plan as met, not met or cancelled, with a note (the manager decides; "met"
    only once every measure is met). The plan and its check-ins stay as the rep's history."""
    _check_manages(by=by, plan=plan)
    plan = (
        ActionPlan.objects.select_for_update(of=("self",))
        .select_related("rep__team")
        .get(pk=plan.pk)
    )
    _check_active(plan)
    errors = {}
    if outcome not in ENDINGS:
        # Translators: met, not_met and cancelled are the values the API takes; keep them.
        errors["outcome"] = _("Choose met, not_met or cancelled.")
    elif outcome == PlanStatus.MET and not measures_met(measure_progress(plan=plan)):
        errors["outcome"] = _("The measures are not met yet: end it as not met or cancelled.")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("Say why the plan ends this way.")
    if errors:
        raise ValidationError(errors)
    plan.end_week = plan_current_week(plan=plan)
    plan.status, plan.end_note = outcome, note
    plan.ended_by, plan.ended_at = by, timezone.now()
    plan.save(update_fields=["status", "end_note", "ended_by", "ended_at", "end_week"])
    return plan


# --- Changes beyond the template (approved by an admin) ------------------------------------


def _describe(kind: str, *, step=None, measure=None, data: dict) -> str:
    """The change in words, as stored (in the language of the one who asked)."""
    if kind == ChangeKind.ADD_STEP:
        # Translators: owner is the value "rep" or "manager" as given.
        return _("Add step “%(title)s” (%(owner)s, due in %(days)s days)") % {
            "title": data["title"],
            "owner": data["owner"],
            "days": data["due_in_days"],
        }
    if kind == ChangeKind.REMOVE_STEP:
        return _("Remove step “%(title)s”") % {"title": step.title}
    values = {"metric": measure.get_metric_display()}
    if "threshold" in data:
        values["old_threshold"] = f"{measure.threshold.normalize():f}"
        values["new_threshold"] = f"{data['threshold'].normalize():f}"
    if "weeks" in data:
        values["old_weeks"], values["new_weeks"] = measure.weeks, data["weeks"]
    if "threshold" in data and "weeks" in data:
        text = _(
            "Change “%(metric)s”: threshold %(old_threshold)s → %(new_threshold)s, "
            "weeks %(old_weeks)s → %(new_weeks)s"
        )
    elif "threshold" in data:
        text = _("Change “%(metric)s”: threshold %(old_threshold)s → %(new_threshold)s")
    else:
        text = _("Change “%(metric)s”: weeks %(old_weeks)s → %(new_weeks)s")
    return text % values


def _change_fields(*, plan: ActionPlan, kind: str, step, measure, raw: dict) -> tuple[dict, dict]:
    """(the change's fields, errors) for a request on `plan`."""
    errors: dict = {}
    data: dict = {}
    if kind == ChangeKind.ADD_STEP:
        try:
            data = clean_step(raw)
        except PartError as exc:
            errors[exc.field] = str(exc)
    elif kind == ChangeKind.REMOVE_STEP:
        if step is None or step.plan_id != plan.pk:
            errors["step"] = _("Choose a step of this plan.")
    elif kind == ChangeKind.CHANGE_MEASURE:
        if measure is None or measure.plan_id != plan.pk:
            errors["measure"] = _("Choose a measure of this plan.")
        for name in ("threshold", "weeks"):
            value = raw.get(name)
            if value is None or value == "":
                continue
            try:
                data[name] = (
                    _number(value)
                    if name == "threshold"
                    else _whole(value, what="weeks", low=1, high=MAX_WEEKS)
                )
            except ValueError as exc:
                errors[name] = str(exc)
        if not errors and not data:
            errors["threshold"] = _("Give a new threshold or a new number of weeks.")
        if not errors and all(getattr(measure, k) == v for k, v in data.items()):
            errors["threshold"] = _("That is what the measure already says.")
    else:
        errors["kind"] = _("Choose one of %(kinds)s.") % {"kinds": ", ".join(ChangeKind.values)}
    return data, errors


@transaction.atomic
def change_request_create(
    *,
    by: User,
    plan: ActionPlan,
    kind: str,
    step: PlanStep | None = None,
    measure: PlanMeasure | None = None,
    reason: str = "",
    **raw,
) -> PlanChangeRequest:
    """Ask to change a running plan beyond its template: add or remove a step, change a
    measure's threshold or weeks. Nothing changes until an approver approves it."""
    _check_manages(by=by, plan=plan)
    _check_active(plan)
    unknown = set(raw) - {"title", "owner", "due_in_days", "threshold", "weeks"}
    if unknown:
        raise ValidationError({name: _("This field is not part of a change.") for name in unknown})
    data, errors = _change_fields(plan=plan, kind=kind, step=step, measure=measure, raw=raw)
    if kind == ChangeKind.REMOVE_STEP and not errors:
        pending = plan.change_requests.filter(status=ChangeStatus.PENDING, kind=kind, step=step)
        if pending.exists():
            errors["step"] = _("Removing this step is already waiting for approval.")
    if errors:
        raise ValidationError(errors)
    return PlanChangeRequest.objects.create(
        plan=plan,
        kind=kind,
        step=step if kind == ChangeKind.REMOVE_STEP else None,
        measure=measure if kind == ChangeKind.CHANGE_MEASURE else None,
        reason=(reason or "").strip(),
        summary=_describe(kind, step=step, measure=measure, data=data)[:300],
        requested_by=by,
        **data,
    )


def _apply(*, change: PlanChangeRequest, by: User) -> None:
    plan = change.plan
    if change.kind == ChangeKind.ADD_STEP:
        last = plan.steps.order_by("-position").values_list("position", flat=True).first()
        start = (last or 0) + 1
        step = {"title": change.title, "owner": change.owner, "due_in_days": change.due_in_days}
        _create_steps(plan=plan, steps=[step], by=by, from_template=False, start=start)
    elif change.kind == ChangeKind.REMOVE_STEP:
        step = change.step
        if step is None:
            raise ValidationError({"step": _("The step is gone already.")})
        if step.task_id:  # an open task goes with its step; a done one stays as history
            Task.objects.filter(pk=step.task_id, done=False).delete()
        step.delete()
        change.step = None  # the row is gone (the summary keeps its title)
    else:
        measure = change.measure
        if measure is None:
            raise ValidationError({"measure": _("The measure is gone.")})
        if change.threshold is not None:
            measure.threshold = change.threshold
        if change.weeks is not None:
            measure.weeks = change.weeks
        measure.save(update_fields=["threshold", "weeks"])


@transaction.atomic
def change_request_decide(
    *, by: User, change: PlanChangeRequest, decision: str, comment: str = ""
) -> PlanChangeRequest:
    """The approver (an admin) approves or rejects a pending change, with a comment (a
    rejection needs one). An approved change applies at once; a rejected one changes
    nothing."""
    _check_admin(by, gettext_lazy("Only admins decide plan changes."))
    change = (
        PlanChangeRequest.objects.select_for_update(of=("self",))
        .select_related("plan__rep__team", "step", "measure")
        .get(pk=change.pk)
    )
    if change.status != ChangeStatus.PENDING:
        already = (
            _("This request is already approved.")
            if change.status == ChangeStatus.APPROVED
            else _("This request is already rejected.")
        )
        raise ValidationError({"decision": already})
    errors = {}
    comment = (comment or "").strip()
    if decision not in ("approve", "reject"):
        # Translators: approve and reject are the values the API takes; keep them.
        errors["decision"] = _("Choose approve or reject.")
    elif decision == "reject" and not comment:
        errors["comment"] = _("Say why you reject the change.")
    elif decision == "approve" and not change.plan.is_active:
        errors["decision"] = _("The plan has ended; the change can only be rejected.")
    if errors:
        raise ValidationError(errors)
    if decision == "approve":
        _apply(change=change, by=by)
    change.status = ChangeStatus.APPROVED if decision == "approve" else ChangeStatus.REJECTED
    change.decided_by, change.decided_at, change.comment = by, timezone.now(), comment
    change.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    return change
