"""FastSelect renders what Django's Select renders (perf, w3), only without a template per
option: same name, id, attributes, selected options and escaped labels."""

import re

import pytest
from django import forms

from crm.widgets import FastSelect, FastSelectMultiple

CHOICES = [("", "—"), (1, "Acme <Tools> & Co"), (2, 'Say "hi"'), (3, "Zenith")]


def _options(html: str) -> list[str]:
    return re.findall(r"<option[^>]*>[^<]*</option>", html)


@pytest.mark.parametrize(
    ("slow", "fast", "value"),
    [
        (forms.Select, FastSelect, "2"),
        (forms.Select, FastSelect, None),
        (forms.SelectMultiple, FastSelectMultiple, ["1", "3"]),
    ],
)
def test_fast_select_renders_the_same_options_and_attributes(slow, fast, value):
    attrs = {"id": "id_customer", "required": True}
    expected = slow(choices=CHOICES, attrs={"size": 8}).render("customer", value, attrs)
    actual = fast(choices=CHOICES, attrs={"size": 8}).render("customer", value, attrs)

    assert _options(actual) == _options(expected)
    assert "&lt;Tools&gt; &amp; Co" in actual and "<Tools>" not in actual
    for attribute in ('name="customer"', 'id="id_customer"', 'size="8"', " required"):
        assert attribute in actual
    assert (" multiple" in actual) == (" multiple" in expected)
