"""{% load money %}: amounts with their currency (issue 14, crm.currency.format_money).

{{ deal.amount|money:deal.currency }}    € 12.500,00 (nl) · Rp 1.250.000 (id)
{{ kpi.won_value|money }}                in the company currency (report figures)
{{ row.pipeline|money_whole }}           the company currency without decimals
"""

from django import template

from crm.currency import company_currency, format_money

register = template.Library()


@register.filter
def money(value, currency=None):
    """The amount with the currency's symbol and decimals, in the active language's number
    format; no currency: the company currency."""
    return format_money(value, currency or company_currency())


@register.filter
def money_whole(value, currency=None):
    """As `money`, rounded to whole units (the dashboard's compact figures)."""
    return format_money(value, currency or company_currency(), decimals=0)


@register.simple_tag
def company_currency_code():
    return company_currency()
