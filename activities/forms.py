"""Forms of the activity domain's pages. Choices are scoped to the user; the services
re-check everything, so a tampered POST still gets a field error, never a save."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import assignable_owners_for
from activities.models import Task
from activities.services import MAX_PLANNED
from crm.ids import parse_id
from crm.widgets import FastSelect, FastSelectMultiple

# --- Tasks and weekly plan (issue 4: engineer B) -----------------------------------------


class TaskForm(forms.ModelForm):
    """Create and edit a task. Assignees are the people the user may assign to (a rep:
    only themself); customers and deals are the user's visible ones."""

    class Meta:
        model = Task
        fields = ["title", "due_date", "assignee", "customer", "deal", "notes"]
        labels = {
            # Translators: the title of a task (what needs doing).
            "title": _("Title"),
            "due_date": _("Due date"),
            "assignee": _("Assignee"),
            "customer": _("Customer"),
            "deal": _("Deal"),
            "notes": _("Notes"),
        }
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user: User, **kwargs):
        from crm.selectors import customers_visible_to, deals_visible_to

        super().__init__(*args, **kwargs)
        assignees = assignable_owners_for(user=user)
        if self.instance.pk is not None:
            assignees = assignees | User.objects.filter(pk=self.instance.assignee_id)
        assignee = self.fields["assignee"]
        assignee.queryset = assignees.distinct().order_by("first_name", "last_name", "username")
        self.fields["customer"].queryset = customers_visible_to(user=user).order_by("name")
        self.fields["deal"].queryset = (
            deals_visible_to(user=user).select_related("customer").order_by("title")
        )
        self.fields["deal"].label_from_instance = lambda d: f"{d.title} ({d.customer.name})"
        if self.instance.pk is None and not user.is_admin:
            self.initial.setdefault("assignee", user.pk)
        if user.is_rep:
            assignee.disabled = True
            assignee.help_text = gettext("Your tasks are assigned to you.")
            if self.instance.pk is None:
                assignee.required = False


class WeeklyPlanForm(forms.Form):
    """The rep's plan for a week: how many of each activity and whom to contact."""

    planned_calls = forms.IntegerField(min_value=0, max_value=MAX_PLANNED, label=_("Calls"))
    planned_meetings = forms.IntegerField(min_value=0, max_value=MAX_PLANNED, label=_("Meetings"))
    planned_visits = forms.IntegerField(min_value=0, max_value=MAX_PLANNED, label=_("Visits"))
    planned_prospects = forms.IntegerField(
        min_value=0, max_value=MAX_PLANNED, label=_("New prospects")
    )
    customers = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Customers to contact"),
        # ~2,000 options for a busy rep: rendered in one join, not a template per option.
        widget=FastSelectMultiple(attrs={"size": 8}),
    )
    notes = forms.CharField(
        required=False, label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2})
    )
    week = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, rep: User, **kwargs):
        from crm.selectors import customer_picker_choices, customers_visible_to

        super().__init__(*args, **kwargs)
        self.fields["customers"].queryset = customers_visible_to(user=rep).order_by("name")
        # the planned customers and the recently touched ones; the search box adds others
        planned = (
            self.data.getlist("customers") if self.is_bound else self.initial.get("customers", [])
        )
        self.fields["customers"].widget.choices = customer_picker_choices(
            user=rep, include_ids=planned
        )


# --- Call reports (issue 4: engineer C) ------------------------------------------------


class CallReportCommentsForm(forms.Form):
    """The rep's comments on the week; the button pressed says save or submit."""

    comments = forms.CharField(
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        label=_("Comments"),
        help_text=_("What happened this week, what is planned next, where you need help."),
    )


class CallReportApproveForm(forms.Form):
    comment = forms.CharField(
        required=False,
        max_length=5_000,
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CallReportReturnForm(forms.Form):
    """The comment is required; the service says so with its own message."""

    comment = forms.CharField(
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Comment"),
        help_text=_("Say what needs to change."),
    )


# --- Activity logging (issue 4: engineer A) ----------------------------------------------


class QuickLogForm(forms.Form):
    """Log an activity in seconds: only the kind and the customer are required. Choices are
    the user's visible customers, and the chosen customer's contacts and deals; anything
    else posted gets the same specific message the service gives. Times are read in the
    user's team time zone."""

    kind = forms.ChoiceField(
        # Translators: the kind of an activity (call, meeting, visit…).
        label=_("Kind"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of activity this was.")},
    )
    customer = forms.ModelChoiceField(
        queryset=None,
        label=_("Customer"),
        # A rep's whole portfolio as options (perf): one string join, not a template per
        # option. Choosing a customer reloads the form with that customer's contacts/deals.
        widget=FastSelect(
            attrs={
                "hx-get": reverse_lazy("activities:quick-log"),
                "hx-include": "closest form",
                "hx-trigger": "change",
                "hx-target": "#quick-log",
                "hx-swap": "outerHTML",
            }
        ),
        error_messages={
            "required": _("Choose the customer."),
            "invalid_choice": _("Choose one of your customers."),
        },
    )
    contact = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Contact"),
        error_messages={"invalid_choice": _("Choose a contact of this customer.")},
    )
    deal = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Deal"),
        error_messages={
            "invalid_choice": _("Choose one of your deals; this one is not visible to you.")
        },
    )
    outcome = forms.ChoiceField(required=False, label=_("Outcome"))
    duration_minutes = forms.IntegerField(
        required=False,
        label=_("Duration (minutes)"),
        widget=forms.NumberInput(attrs={"min": 0, "max": 1440, "step": 1}),
        error_messages={"invalid": _("Enter the duration in whole minutes.")},
    )
    occurred_at = forms.DateTimeField(
        required=False,
        # Translators: the date and time an activity happened.
        label=_("When"),
        help_text=_("Leave empty for now."),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Enter a date and time.")},
    )
    notes = forms.CharField(
        required=False, label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2})
    )
    # Translators: a checkbox: the activity was prospecting (looking for new customers).
    is_prospecting = forms.BooleanField(required=False, label=_("Prospecting"))
    next_step_title = forms.CharField(required=False, max_length=200, label=_("Next step"))
    next_step_due = forms.DateField(
        required=False,
        label=_("Next step due"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a valid date.")},
    )

    def __init__(self, *args, user: User, customer=None, deal=None, **kwargs):
        from activities.choices import ActivityKind, ActivityOutcome
        from crm.selectors import (
            contacts_visible_to,
            customer_picker_choices,
            customers_visible_to,
            deals_visible_to,
        )

        super().__init__(*args, **kwargs)
        self.user = user
        if deal is not None:
            customer = deal.customer
        self.fixed_customer, self.fixed_deal = customer, deal
        self.fields["kind"].choices = ActivityKind.choices
        self.fields["outcome"].choices = [("", "—"), *ActivityOutcome.choices]
        self.fields["customer"].queryset = customers_visible_to(user=user).order_by("name")
        self.fields["contact"].queryset = contacts_visible_to(user=user)
        self.fields["deal"].queryset = deals_visible_to(user=user)
        if customer is not None:
            self.initial["customer"] = customer.pk
            self.fields["customer"].widget = forms.HiddenInput()
            self.fields["customer"].required = False  # clean_customer supplies it
        if deal is not None:
            self.initial["deal"] = deal.pk
            self.fields["deal"].widget = forms.HiddenInput()
        self.initial.setdefault("kind", ActivityKind.CALL)
        chosen = customer.pk if customer is not None else self._chosen_customer_id()
        if customer is None:  # a short list and a search box, not a whole portfolio
            self.fields["customer"].widget.choices = [
                ("", "—"),
                *customer_picker_choices(user=user, include_ids=[chosen] if chosen else []),
            ]
        # Offer only the chosen customer's contacts and deals (validation still accepts any
        # visible one, so the service can say precisely what is wrong with it).
        if chosen is None:
            first = gettext("Choose the customer first")
            self.fields["contact"].widget.choices = [("", first)]
            self.fields["deal"].widget.choices = [("", first)]
        else:
            contacts = contacts_visible_to(user=user).filter(customer_id=chosen)
            self.fields["contact"].widget.choices = [
                ("", "—"),
                *((c.pk, str(c)) for c in contacts.order_by("last_name", "first_name", "id")),
            ]
            if deal is None:
                deals = deals_visible_to(user=user).filter(customer_id=chosen)
                self.fields["deal"].widget.choices = [
                    ("", "—"),
                    *((d.pk, d.title) for d in deals.order_by("-created_at", "id")),
                ]

    def _chosen_customer_id(self) -> int | None:
        raw = self.data.get("customer") if self.is_bound else self.initial.get("customer")
        return parse_id(getattr(raw, "pk", raw))

    def clean_customer(self):
        if self.fixed_customer is not None:
            return self.fixed_customer
        return self.cleaned_data["customer"]

    def clean_deal(self):
        if self.fixed_deal is not None:
            return self.fixed_deal
        return self.cleaned_data["deal"]

    def clean_occurred_at(self):
        """The browser sends a wall-clock time: read it in the user's team time zone."""
        from django.utils import timezone

        from activities.weeks import user_tz

        value = self.cleaned_data["occurred_at"]
        if value is None:
            return None
        naive = timezone.make_naive(value) if timezone.is_aware(value) else value
        return timezone.make_aware(naive, user_tz(self.user))


class ActivityEditForm(QuickLogForm):
    """Correct an activity: its customer stays; no next step here (tasks have their page)."""

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, customer=activity.customer, **kwargs)
        del self.fields["next_step_title"], self.fields["next_step_due"]
        self.fields["occurred_at"].help_text = gettext("Within the same week.")
        if not self.is_bound:
            from django.utils import timezone

            from activities.weeks import user_tz

            self.initial.update(
                kind=activity.kind,
                contact=activity.contact_id,
                deal=activity.deal_id,
                outcome=activity.outcome,
                duration_minutes=activity.duration_minutes,
                occurred_at=timezone.make_naive(activity.occurred_at, user_tz(activity.owner)),
                notes=activity.notes,
                is_prospecting=activity.is_prospecting,
            )
