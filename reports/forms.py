"""Forms of the reports pages. Choices are scoped to the user; the services re-check everything."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reports.choices import ExpectationMetric, PeriodKind

# --- Targets a manager sets (issue 5, area 5A) ---------------------------------------------

TARGET_MONEY = {"max_digits": 14, "decimal_places": 2, "required": False}
QUOTA_FIELD_LABELS = {
    "revenue": _("Revenue"),
    "new_customers_primary": _("New primary"),
    "new_customers_secondary": _("New secondary"),
}
TIER_ROWS = 3


def quota_field_name(period: str, start, name: str) -> str:
    return f"{period}-{start.isoformat()}-{name}"


class QuotaGridForm(forms.Form):
    """A rep's year: revenue and new customers per segment for each month, quarter and the
    year, plus "roll up" switches computing quarters or the year from the months. Bounds here
    are only for the widgets: the quota services validate."""

    roll_up_quarters = forms.BooleanField(required=False, label=_("Roll quarters up from months"))
    roll_up_year = forms.BooleanField(required=False, label=_("Roll the year up from months"))

    def __init__(self, *args, cells, **kwargs):
        super().__init__(*args, **kwargs)
        self.cells = cells
        for cell in cells:
            quota = cell.quota
            for name, label in QUOTA_FIELD_LABELS.items():
                key = quota_field_name(cell.period, cell.period_start, name)
                initial = getattr(quota, name) if quota else None
                # Translators: a quota cell's label, e.g. "Jan Revenue": period, then figure.
                cell_label = gettext("%(period)s %(figure)s") % {
                    "period": cell.label,
                    "figure": label,
                }
                if name == "revenue":
                    field = forms.DecimalField(label=cell_label, **TARGET_MONEY)
                else:
                    field = forms.IntegerField(label=cell_label, required=False)
                field.widget.attrs.update({"min": 0, "class": f"quota-{name}"})
                field.initial = initial
                self.fields[key] = field
        for cell in cells:
            if cell.quota and cell.quota.rolled_up:
                self.initial.setdefault(
                    "roll_up_quarters" if cell.period == PeriodKind.QUARTER else "roll_up_year",
                    True,
                )

    def clean(self):
        """Every cell must come back: a grid posted for another year (or cut short) would
        otherwise read as blanks and clear the quotas it does not show."""
        cleaned = super().clean()
        cells = [name for name in self.fields if name not in ("roll_up_quarters", "roll_up_year")]
        if any(name not in self.data for name in cells):
            raise forms.ValidationError(
                _(
                    "This grid came back incomplete or for another year; reload it. "
                    "Nothing was saved."
                )
            )
        return cleaned

    def rows(self):
        """The grid as rows (one per period) of bound fields, for the template."""
        return [
            {
                "cell": cell,
                "fields": [
                    self[quota_field_name(cell.period, cell.period_start, name)]
                    for name in QUOTA_FIELD_LABELS
                ],
            }
            for cell in self.cells
        ]

    def service_cells(self) -> dict:
        """{(period, period_start): {field: value}} for quota_grid_save: a cell left entirely
        empty is skipped (no quota), a partly filled one counts empty figures as zero."""
        cells = {}
        for cell in self.cells:
            values = {
                name: self.cleaned_data.get(quota_field_name(cell.period, cell.period_start, name))
                for name in QUOTA_FIELD_LABELS
            }
            if all(v is None for v in values.values()) and cell.quota is None:
                continue
            cells[(cell.period, cell.period_start)] = {
                k: (v if v is not None else 0) for k, v in values.items()
            }
        return cells

    def roll_up(self) -> set[str]:
        chosen = set()
        if self.cleaned_data.get("roll_up_quarters"):
            chosen.add(PeriodKind.QUARTER.value)
        if self.cleaned_data.get("roll_up_year"):
            chosen.add(PeriodKind.YEAR.value)
        return chosen


class ActivityGoalForm(forms.Form):
    """A team default (choose a team) or a rep's goal (choose a rep), standing or for a week."""

    team = forms.ModelChoiceField(queryset=None, required=False, empty_label="—", label=_("Team"))
    rep = forms.ModelChoiceField(queryset=None, required=False, empty_label="—", label=_("Rep"))
    week = forms.CharField(
        required=False,
        max_length=8,
        label=_("Week"),
        help_text=_("ISO week like 2026-W47; leave empty for every week."),
        widget=forms.TextInput(attrs={"placeholder": _("every week")}),
    )
    calls = forms.IntegerField(min_value=0, initial=0, label=_("Calls"))
    meetings = forms.IntegerField(min_value=0, initial=0, label=_("Meetings"))
    visits = forms.IntegerField(min_value=0, initial=0, label=_("Visits"))
    new_prospects = forms.IntegerField(min_value=0, initial=0, label=_("New prospects"))

    def __init__(self, *args, teams, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["rep"].queryset = reps


class ExpectationProfileForm(forms.Form):
    """The written expectations: a start day, a summary, and a target (weight and note) per
    measure; measures without a target are not part of the profile."""

    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, profile=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = {item.metric: item for item in profile.items.all()} if profile else {}
        if profile is not None:
            self.initial.setdefault("starts_on", profile.starts_on)
            self.initial.setdefault("summary", profile.summary)
        for metric, label in ExpectationMetric.choices:
            item = current.get(metric)
            target = forms.DecimalField(label=label, **TARGET_MONEY)
            target.widget.attrs["min"] = 0
            target.initial = item.target if item else None
            # Translators: "%" is a percent sign.
            # xgettext:no-python-format
            weight = forms.IntegerField(label=_("Weight %"), required=False)
            weight.initial = item.weight if item and item.weight else None
            note = forms.CharField(label=_("Note"), required=False, max_length=255)
            note.initial = item.note if item else ""
            self.fields[f"{metric}-target"] = target
            self.fields[f"{metric}-weight"] = weight
            self.fields[f"{metric}-note"] = note

    def metric_rows(self):
        return [
            {
                "metric": metric,
                "label": label,
                "target": self[f"{metric}-target"],
                "weight": self[f"{metric}-weight"],
                "note": self[f"{metric}-note"],
            }
            for metric, label in ExpectationMetric.choices
        ]

    def clean(self):
        """A weight or note typed for a measure without a target would be dropped: ask."""
        cleaned = super().clean()
        for metric in ExpectationMetric.values:
            typed = cleaned.get(f"{metric}-weight") or cleaned.get(f"{metric}-note")
            if cleaned.get(f"{metric}-target") is None and typed:
                self.add_error(
                    f"{metric}-target",
                    _("Give a target for this measure, or clear its weight and note."),
                )
        return cleaned

    def items(self) -> list[dict]:
        rows = []
        for metric in ExpectationMetric.values:
            target = self.cleaned_data.get(f"{metric}-target")
            if target is None:
                continue
            rows.append(
                {
                    "metric": metric,
                    "target": target,
                    "weight": self.cleaned_data.get(f"{metric}-weight") or 0,
                    "note": self.cleaned_data.get(f"{metric}-note") or "",
                }
            )
        return rows


class CommissionPlanForm(forms.Form):
    """A base rate and up to three tiers (from N% of quota in the tier period: rate R%)."""

    # Translators: "%" is a percent sign.
    # xgettext:no-python-format
    base_rate = forms.DecimalField(max_digits=5, decimal_places=2, label=_("Base rate %"))
    tier_period = forms.ChoiceField(
        choices=PeriodKind.choices, initial=PeriodKind.QUARTER, label=_("Tier period")
    )

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        tiers = list(plan.tiers.all()) if plan else []
        if plan is not None:
            self.initial.setdefault("base_rate", plan.base_rate)
            self.initial.setdefault("tier_period", plan.tier_period)
        for n in range(TIER_ROWS):
            tier = tiers[n] if n < len(tiers) else None
            start = forms.DecimalField(
                label=gettext("Tier %(number)s: from attainment %%") % {"number": n + 1},
                max_digits=6,
                decimal_places=2,
                required=False,
            )
            start.initial = tier.attainment_from if tier else None
            rate = forms.DecimalField(
                label=gettext("Tier %(number)s: rate %%") % {"number": n + 1},
                max_digits=5,
                decimal_places=2,
                required=False,
            )
            rate.initial = tier.rate if tier else None
            self.fields[f"tiers-{n}-attainment_from"] = start
            self.fields[f"tiers-{n}-rate"] = rate

    def tier_rows(self):
        return [
            (self[f"tiers-{n}-attainment_from"], self[f"tiers-{n}-rate"]) for n in range(TIER_ROWS)
        ]

    def clean(self):
        data = super().clean()
        for n in range(TIER_ROWS):
            start = data.get(f"tiers-{n}-attainment_from")
            rate = data.get(f"tiers-{n}-rate")
            if (start is None) != (rate is None) and not self.has_error(f"tiers-{n}-rate"):
                missing = f"tiers-{n}-rate" if rate is None else f"tiers-{n}-attainment_from"
                self.add_error(missing, _("A tier needs both an attainment level and a rate."))
        return data

    def tiers(self) -> list[tuple[Decimal, Decimal] | None]:
        """One entry per row, None for a row left empty (so errors keep their row)."""
        rows = []
        for n in range(TIER_ROWS):
            start = self.cleaned_data.get(f"tiers-{n}-attainment_from")
            rate = self.cleaned_data.get(f"tiers-{n}-rate")
            rows.append((start, rate) if start is not None and rate is not None else None)
        return rows


class IncentiveForm(forms.Form):
    """Reach N% of a period's quota and earn the named reward (one rep or a whole team)."""

    name = forms.CharField(max_length=120, label=_("Name"))
    reward = forms.CharField(max_length=255, label=_("Reward"))
    period = forms.ChoiceField(
        choices=PeriodKind.choices, initial=PeriodKind.QUARTER, label=_("Period")
    )
    period_start = forms.DateField(
        label=_("Period start"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The period's first day."),
    )
    attainment = forms.DecimalField(
        max_digits=6,
        decimal_places=2,
        initial=Decimal("100"),
        # Translators: "%" is a percent sign.
        # xgettext:no-python-format
        label=_("Attainment %"),
    )
    team = forms.ModelChoiceField(queryset=None, required=False, empty_label="—", label=_("Team"))
    rep = forms.ModelChoiceField(queryset=None, required=False, empty_label="—", label=_("Rep"))

    def __init__(self, *args, teams, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["rep"].queryset = reps
