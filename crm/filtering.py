"""Filter pieces every filterset shares (pages and API alike): a value that cannot mean
anything is a field error, never quietly dropped or rounded."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})
# A Select passes the raw value on, so the field below can refuse what it does not know.
YES_NO_ANY = forms.Select(
    # Translators: a yes/no filter's empty choice: either yes or no
    choices=[("", pgettext_lazy("yes/no filter", "Any")), ("true", _("Yes")), ("false", _("No"))]
)


class YesNoField(forms.NullBooleanField):
    """true/false (also 1/0, yes/no, on/off), or empty for either; anything else is an
    error. Django's NullBooleanField reads every unknown word as "either"."""

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in ("", "unknown"):
            return None
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValidationError(
            _("“%(value)s” is not true or false."), code="invalid", params={"value": value}
        )


class BooleanFilter(django_filters.BooleanFilter):
    field_class = YesNoField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YES_NO_ANY)
        super().__init__(*args, **kwargs)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an id, a year): "1.5" is an error, not id 1."""

    field_class = forms.IntegerField


class FilterSet(django_filters.FilterSet):
    """The project's filterset: a model's boolean fields get the strict BooleanFilter."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
    }
