"""Money has a currency (issue 14).

- The company currency is settings.CRM_CURRENCY (env, default EUR, one of CURRENCIES). New
  deals, quotas and commission plans get it; every report sums in it.
- Each currency has a symbol, a number of decimals and a side for the symbol (CURRENCIES).
  Amounts are shown by format_money (the `money` template filter): the active language's
  number format with grouping, the currency's decimals (IDR none), and the symbol before
  the number ("Rp 1.234.567", "€ 1.234,50", "$ 1,234.50", "£ 1,234.50") or after it for the
  Scandinavian kroner ("1 234,50 kr" in nb, "1,234.50 kr" in en), always joined by a
  no-break space. The side depends on the currency only, never on the language: simple,
  and the same amount reads the same to the whole team.
- Reports never add amounts of different currencies: they convert into the company
  currency with the rate table an admin keeps (crm.ExchangeRate: 1 unit of the currency =
  `rate` units of the company currency, valid from a day until the next rate of that
  currency). to_company() is the SQL expression every sum uses: the amount as it is in the
  company currency, amount x the rate valid on the given day otherwise, NULL without such a
  rate, so SUM leaves the amount out instead of adding it raw (the dashboard says which
  currencies lacked a rate: rates_missing()).

Only the stdlib and lazy translations at import time: crm.settings imports CURRENCIES.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

NBSP = "\u00a0"


@dataclass(frozen=True)
class Currency:
    code: str
    symbol: str
    decimals: int
    name: object  # a lazy translation
    symbol_after: bool = False

    @property
    def label(self) -> str:
        return f"{self.code} – {self.name}"


CURRENCIES: dict[str, Currency] = {
    c.code: c
    for c in (
        Currency("EUR", "€", 2, _("Euro")),
        Currency("IDR", "Rp", 0, _("Indonesian rupiah")),
        Currency("NOK", "kr", 2, _("Norwegian krone"), symbol_after=True),
        Currency("SEK", "kr", 2, _("Swedish krona"), symbol_after=True),
        Currency("DKK", "kr", 2, _("Danish krone"), symbol_after=True),
        Currency("USD", "$", 2, _("US dollar")),
        Currency("GBP", "£", 2, _("Pound sterling")),
    )
}
CURRENCY_CODES = tuple(CURRENCIES)
CURRENCY_MAX_LENGTH = 3


def currency_choices() -> list[tuple[str, str]]:
    return [(c.code, c.label) for c in CURRENCIES.values()]


def company_currency() -> str:
    """settings.CRM_CURRENCY: the default of every deal, quota and commission plan, and the
    currency every report sums in. (A callable default: migrations do not freeze it.)"""
    from django.conf import settings

    return settings.CRM_CURRENCY


def currency_of(code: str | None) -> Currency:
    return CURRENCIES.get((code or "").upper()) or CURRENCIES[company_currency()]


# --- Input ------------------------------------------------------------------------------


def unknown_currency_message(value) -> str:
    from django.utils.translation import gettext

    return gettext("“%(value)s” is not a supported currency; use one of %(codes)s.") % {
        "value": value,
        "codes": ", ".join(CURRENCY_CODES),
    }


def amount_decimals_error(amount, currency: str | None) -> str | None:
    """The message for an amount with more decimals than its currency has (IDR: none, so
    1250000.50 rupiah is refused rather than rounded), else None."""
    from django.utils.translation import gettext

    cur = CURRENCIES.get((currency or "").upper())
    if cur is None or amount in (None, ""):
        return None
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite():
        return None
    if value == value.quantize(Decimal(1).scaleb(-cur.decimals)):
        return None
    if cur.decimals == 0:
        return gettext(
            "%(currency)s amounts have no decimals: enter a whole number such as 1250000."
        ) % {"currency": cur.code}
    return gettext("%(currency)s amounts have at most %(decimals)s decimals.") % {
        "currency": cur.code,
        "decimals": cur.decimals,
    }


# --- Display ----------------------------------------------------------------------------


def format_money(value, currency: str | None = None, *, decimals: int | None = None) -> str:
    """`value` with the currency's symbol and decimals in the active language's number
    format with grouping: "€ 1.234,50" (nl), "$ 1,234.50" (en), "Rp 1.234.567" (id),
    "1 234,50 kr" (nb). Rounded half-up to the currency's decimals (`decimals` overrides,
    e.g. 0 for the dashboard's whole figures). None or "" → "—"."""
    from django.utils.formats import number_format

    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    cur = currency_of(currency)
    places = cur.decimals if decimals is None else decimals
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = number_format(abs(number), decimal_pos=places, use_l10n=True, force_grouping=True)
    if cur.symbol_after:
        return f"{sign}{text}{NBSP}{cur.symbol}"
    return f"{sign}{cur.symbol}{NBSP}{text}"


# --- Conversion into the company currency (SQL) ------------------------------------------


def _rate_field():
    from django.db.models import DecimalField

    return DecimalField(max_digits=18, decimal_places=8)


def _money_field():
    from django.db.models import DecimalField

    return DecimalField(max_digits=24, decimal_places=8)


def rate_subquery(*, currency, on):
    """The rate (to the company currency) of `currency` valid on `on`: the latest rate with
    valid_from <= on. Both may be expressions (OuterRef("currency"), OuterRef("closed_at"),
    Value(date)). NULL when the table has none."""
    from django.db.models import Subquery

    from crm.models import ExchangeRate

    rates = ExchangeRate.objects.filter(currency=currency, valid_from__lte=on).order_by(
        "-valid_from"
    )
    return Subquery(rates.values("rate")[:1], output_field=_rate_field())


def to_company(amount: str = "amount", *, currency: str = "currency", on):
    """`amount` (a field of the queried model, in its `currency` field's currency) in the
    company currency on the day `on` (a field name, an expression or a date): as it is
    when the currency is the company's, x the rate valid that day otherwise, NULL when no
    rate is: SUM then leaves it out. No query of its own (a correlated subquery, evaluated
    only for rows in another currency)."""
    from datetime import date

    from django.db.models import Case, ExpressionWrapper, F, OuterRef, Value, When

    if isinstance(on, str):
        on = OuterRef(on)
    elif isinstance(on, date):
        on = Value(on)
    money = _money_field()
    rate = rate_subquery(currency=OuterRef(currency), on=on)
    return Case(
        When(**{currency: company_currency()}, then=F(amount)),
        default=ExpressionWrapper(F(amount) * rate, output_field=money),
        output_field=money,
    )


def rate_to_company(*, currency: str = "currency", on):
    """The factor that turns an amount in the row's `currency` into the company currency
    on `on` (1 for the company currency, NULL without a rate)."""
    from datetime import date

    from django.db.models import Case, OuterRef, Value, When

    if isinstance(on, str):
        on = OuterRef(on)
    elif isinstance(on, date):
        on = Value(on)
    return Case(
        When(**{currency: company_currency()}, then=Value(Decimal(1))),
        default=rate_subquery(currency=OuterRef(currency), on=on),
        output_field=_rate_field(),
    )


def rates_missing(*, deals, on) -> list[str]:
    """The currencies of `deals` (a Deal queryset) that have no rate for some of those deals
    (closed deals: on their close date; open deals: on `on`), so the converted sums leave
    those deals out. One query."""
    from django.db.models import DateField, Exists, OuterRef, Value
    from django.db.models.functions import Coalesce

    from crm.models import ExchangeRate

    day = Coalesce(OuterRef("closed_at"), Value(on), output_field=DateField())
    has_rate = ExchangeRate.objects.filter(currency=OuterRef("currency"), valid_from__lte=day)
    rows = (
        deals.exclude(currency=company_currency())
        .filter(~Exists(has_rate))
        .order_by()
        .values_list("currency", flat=True)
        .distinct()
    )
    return sorted(rows)


# --- The rate table (admin page, /api/exchange-rates/) ------------------------------------


def exchange_rate_errors(*, currency, rate, valid_from) -> dict:
    """Field errors of a rate an admin types: a supported currency other than the company's,
    a rate above zero (a zero or negative rate would silently wipe amounts out of every
    report), a valid-from day between 1900 and 2999."""
    from datetime import date

    from django.utils.translation import gettext

    from activities.weeks import date_range_error

    errors = {}
    code = (currency or "").upper() if isinstance(currency, str) else currency
    if code not in CURRENCIES:
        errors["currency"] = unknown_currency_message(currency)
    elif code == company_currency():
        errors["currency"] = gettext(
            "%(currency)s is the company currency: its rate is always 1."
        ) % {"currency": code}
    try:
        value = Decimal(str(rate))
    except (InvalidOperation, ValueError, TypeError):
        value = None
    if value is None or not value.is_finite():
        errors["rate"] = gettext("Enter the rate as a number such as 0.0857.")
    elif value <= 0:
        errors["rate"] = gettext(
            "A rate must be above zero: it is what one unit is worth in %(currency)s."
        ) % {"currency": company_currency()}
    elif value != value.quantize(Decimal("0.00000001")) or value >= Decimal("10000000000"):
        errors["rate"] = gettext("Use at most 10 digits before and 8 after the decimal point.")
    if not isinstance(valid_from, date):
        errors["valid_from"] = gettext("Enter the first day the rate applies, e.g. 2026-01-01.")
    elif date_range_error(valid_from):
        errors["valid_from"] = date_range_error(valid_from)
    return errors


def exchange_rate_save(*, by, currency, rate, valid_from, instance=None):
    """Create (or, with `instance`, change) a rate; admins only. A rate for the same
    currency and day replaces that day's rate. ValidationError with field errors,
    PermissionDenied for anyone but an admin."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils.translation import gettext

    from crm.models import ExchangeRate

    if not getattr(by, "is_admin", False):
        raise PermissionDenied(gettext("Only admins keep the exchange rates."))
    errors = exchange_rate_errors(currency=currency, rate=rate, valid_from=valid_from)
    if errors:
        raise ValidationError(errors)
    code, value = currency.upper(), Decimal(str(rate))
    if instance is None:
        instance, _ = ExchangeRate.objects.update_or_create(
            currency=code, valid_from=valid_from, defaults={"rate": value}
        )
        return instance
    clash = ExchangeRate.objects.filter(currency=code, valid_from=valid_from).exclude(
        pk=instance.pk
    )
    if clash.exists():
        raise ValidationError(
            {"valid_from": gettext("There is already a rate for this currency from this day.")}
        )
    instance.currency, instance.rate, instance.valid_from = code, value, valid_from
    instance.save()
    return instance
