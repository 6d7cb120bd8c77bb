"""Forms for the sales domain's pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import assignable_owners_for
from crm.choices import DealStage
from crm.models import Contact, Customer, Deal, ImportJob, Stage

# --- Customers and contacts (issue 3: customers area) ---------------------------------


class CustomerForm(forms.ModelForm):
    """Owner choices are the people the user may assign to; a rep's owner is fixed to
    themself (the field is shown disabled). The service re-checks all of it."""

    website = forms.URLField(
        required=False, max_length=200, assume_scheme="https", label=_("Website")
    )

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
            "postal_code",
            "website",
            "phone",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}
        labels = {
            "name": _("Name"),
            "owner": _("Owner"),
            "segment": _("Segment"),
            "status": _("Status"),
            "source": _("Source"),
            "industry": _("Industry"),
            "region": _("Region"),
            "city": _("City"),
            "postal_code": _("Postal code"),
            "phone": _("Phone"),
            "notes": _("Notes"),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = assignable_owners_for(user=user)
        if self.instance.pk is None:
            self.initial.setdefault("owner", user.pk)
        if user.is_rep:
            owner.disabled = True
            owner.help_text = _("Your customers are owned by you.")


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "job_title", "email", "phone", "is_primary"]
        labels = {
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "job_title": _("Job title"),
            "email": _("Email"),
            "phone": _("Phone"),
            # Translators: a checkbox: this contact is the customer's main contact.
            "is_primary": _("Is primary"),
        }


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
            "currency",
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
        labels = {
            "customer": _("Customer"),
            "title": _("Title"),
            "owner": _("Owner"),
            "amount": _("Amount"),
            "currency": _("Currency"),
            "stage": _("Stage"),
            "probability": _("Probability"),
            "expected_close": _("Expected close"),
            "closed_at": _("Close date (won or lost)"),
            "lost_reason": _("Lost reason"),
            "next_step": _("Next step"),
        }

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
        probability.help_text = _("Leave empty for the stage's default probability.")
        if self.instance.pk is None:
            self.initial.setdefault("owner", user.pk)
            self.initial.pop("probability", None)
            self.fields["probability"].initial = None
        if user.is_rep:
            owner.disabled = True
            owner.help_text = _("Your deals are owned by you.")
        self.fields["currency"].required = False

    def clean_currency(self) -> str:
        """Left empty: the deal keeps its currency (a new deal: the company's)."""
        from django.conf import settings

        return self.cleaned_data.get("currency") or self.instance.currency or settings.CRM_CURRENCY

    def clean(self):
        """An amount with more decimals than its currency has (IDR: none) is refused with a
        message on the amount, not rounded (crm.currency)."""
        from crm.currency import amount_decimals_error

        data = super().clean()
        message = amount_decimals_error(data.get("amount"), data.get("currency"))
        if message and "amount" not in self.errors:
            self.add_error("amount", message)
        return data


class DealMoveForm(forms.Form):
    """The stage picker on a board card; the close fields appear for won and lost."""

    stage = forms.ChoiceField(choices=DealStage.choices, label=_("Stage"))
    closed_at = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("Close date")
    )
    lost_reason = forms.CharField(required=False, max_length=255, label=_("Reason"))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


# --- CSV import -------------------------------------------------------------------------


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportJob.Kind.choices, label=_("What the file holds"))
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"empty": _("The file is empty."), "required": _("Choose a CSV file.")},
    )
