"""Forms for the sales domain's pages."""

from django import forms

from accounts.models import User
from accounts.selectors import assignable_owners_for
from crm.choices import DealStage
from crm.models import Contact, Customer, Deal, ImportJob, Stage

# --- Customers and contacts (issue 3: customers area) ---------------------------------


class CustomerForm(forms.ModelForm):
    """Owner choices are the people the user may assign to; a rep's owner is fixed to
    themself (the field is shown disabled). The service re-checks all of it."""

    website = forms.URLField(required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Customer
        fields = [
            "name",
            "owner",
            "segment",
            "status",
            "source",
            "industry",
            "region",
            "city",
            "website",
            "phone",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = assignable_owners_for(user=user)
        if self.instance.pk is None:
            self.initial.setdefault("owner", user.pk)
        if user.is_rep:
            owner.disabled = True
            owner.help_text = "Your customers are owned by you."


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "job_title", "email", "phone", "is_primary"]


# --- Deals (issue 3: deals and pipeline area) ---------------------------------------------


class DealForm(forms.ModelForm):
    """Create and edit a deal. Owners are the people the user may assign to (a rep: only
    themself); customers are the user's visible customers. The services re-check both and
    route a stage change through deal_move_stage so the history is recorded."""

    class Meta:
        model = Deal
        fields = [
            "customer",
            "title",
            "owner",
            "amount",
            "stage",
            "probability",
            "expected_close",
            "closed_at",
            "lost_reason",
            "next_step",
        ]
        widgets = {
            "expected_close": forms.DateInput(attrs={"type": "date"}),
            "closed_at": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"closed_at": "Close date (won or lost)", "lost_reason": "Lost reason"}

    def __init__(self, *args, user: User, **kwargs):
        from crm.selectors import customers_visible_to

        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers_visible_to(user=user).order_by("name")
        owners = assignable_owners_for(user=user)
        if self.instance.pk is not None:
            # Keeping the current owner is always allowed, even if not assignable now.
            owners = owners | User.objects.filter(pk=self.instance.owner_id)
        owner = self.fields["owner"]
        owner.queryset = owners.distinct()
        stage = self.fields["stage"]
        stage.queryset = Stage.objects.order_by("position")
        stage.empty_label = None
        probability = self.fields["probability"]
        probability.required = False
        probability.help_text = "Leave empty for the stage's default probability."
        if self.instance.pk is None:
            self.initial.setdefault("owner", user.pk)
            self.initial.pop("probability", None)
            self.fields["probability"].initial = None
        if user.is_rep:
            owner.disabled = True
            owner.help_text = "Your deals are owned by you."


class DealMoveForm(forms.Form):
    """The stage picker on a board card; the close fields appear for won and lost."""

    stage = forms.ChoiceField(choices=DealStage.choices)
    closed_at = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Close date"
    )
    lost_reason = forms.CharField(required=False, max_length=255, label="Reason")
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


# --- CSV import -------------------------------------------------------------------------


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportJob.Kind.choices, label="What the file holds")
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"empty": "The file is empty.", "required": "Choose a CSV file."},
    )
