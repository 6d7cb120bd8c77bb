"""Forms of the handover pages (area 6A: start, plan, notes). Services re-check everything."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import users_visible_to
from crm.choices import Segment
from handover.choices import HandoverReason

# --- Start, plan and notes (area 6A) -----------------------------------------------------


class HandoverStartForm(forms.Form):
    departing_rep = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Departing rep"), empty_label=_("Choose a rep…")
    )
    last_day = forms.DateField(
        label=_("Last working day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.ChoiceField(
        choices=[("", _("Choose a reason…")), *HandoverReason.choices], label=_("Why they leave")
    )
    reason_detail = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Detail")
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departing_rep"].queryset = (
            users_visible_to(user=user).filter(role="rep", is_active=True).order_by("username")
        )


class ReceiverForm(forms.Form):
    """One receiver chosen among the eligible reps (the plan row and the bulk form)."""

    receiver = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Receiver"), empty_label=_("Choose a receiver…")
    )

    def __init__(self, *args, receivers: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiver"].queryset = receivers


class BulkAssignForm(ReceiverForm):
    segment = forms.ChoiceField(
        choices=[("", _("Any segment")), *Segment.choices], required=False, label=_("Segment")
    )
    is_key = forms.NullBooleanField(
        required=False,
        label=_("Key customer"),
        widget=forms.Select(
            choices=[("", _("Any")), ("true", _("Key only")), ("false", _("Not key"))]
        ),
    )
    region = forms.CharField(required=False, max_length=120, label=_("Region"))


class ItemOverrideForm(forms.Form):
    """A deal or task that goes to someone else; an empty receiver follows the customer."""

    kind = forms.ChoiceField(choices=[("deal", _("Deal")), ("task", _("Task"))])
    object_id = forms.IntegerField(min_value=1)
    receiver = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args, receivers: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiver"].queryset = receivers


class KnowledgeNoteForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        label=_("What the next owner needs to know"),
    )


class DealConfirmForm(forms.Form):
    """The departing rep confirms a deal's stage and next step (crm.services.deal_update)."""

    stage = forms.ChoiceField(choices=[])
    next_step = forms.CharField(max_length=255, label=_("Next step"))

    def __init__(self, *args, **kwargs):
        from crm.choices import OPEN_STAGES, DealStage

        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s, DealStage(s).label) for s in OPEN_STAGES]
