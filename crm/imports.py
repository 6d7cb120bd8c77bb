"""CSV import of customers, contacts and deals: parse, validate, preview, commit, progress.

The flow is upload -> preview (every row validated, bad rows numbered by CSV line) -> commit
(all or nothing, validated again because data may have changed since the preview). Large files
commit in a Celery task; progress goes through the cache because the rows being written stay
invisible to other connections until the single transaction commits.
"""

import csv
import io
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator, EmailValidator, URLValidator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import assignable_owners_for
from crm.access_log import access_record
from crm.choices import (
    AccessAction,
    AccessChannel,
    CustomerSource,
    CustomerStatus,
    DealStage,
    OwnedObject,
    OwnershipChangeSource,
    Segment,
)
from crm.ids import parse_id
from crm.models import Contact, Customer, Deal, DealStageChange, ImportJob, Stage
from crm.selectors import customers_visible_to
from crm.services import (
    OwnerMove,
    deal_close_field_errors,
    deal_stage_requirements,
    ownership_log_write,
)

logger = logging.getLogger(__name__)

Kind = ImportJob.Kind
Status = ImportJob.Status

BATCH_SIZE = 500
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
PREVIEW_ROWS = 10
PROGRESS_TTL = 60 * 60 * 24

# Columns per kind, in template order; the required ones must be in the header.
COLUMNS: dict[str, tuple[str, ...]] = {
    Kind.CUSTOMERS: (
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
    ),
    Kind.CONTACTS: ("customer", "first_name", "last_name", "job_title", "email", "phone"),
    Kind.DEALS: (
        "customer",
        "owner",
        "title",
        "amount",
        "stage",
        "expected_close",
        "closed_at",
        "lost_reason",
    ),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    Kind.CUSTOMERS: ("name",),
    Kind.CONTACTS: ("customer", "first_name"),
    Kind.DEALS: ("customer", "title"),
}
TEMPLATE_EXAMPLES: dict[str, tuple[str, ...]] = {
    Kind.CUSTOMERS: (
        "Acme Tools",
        "",
        "primary",
        "active",
        "referral",
        "Manufacturing",
        "North",
        "Springfield",
        "https://acme.example",
        "+1 555 0100",
    ),
    Kind.CONTACTS: ("Acme Tools", "Ada", "Lovelace", "Buyer", "ada@acme.example", "+1 555 0101"),
    Kind.DEALS: ("Acme Tools", "", "Spring order", "1,234.50", "proposal", "2026-06-30", "", ""),
}


@dataclass(frozen=True)
class RowError:
    row: int | None  # the CSV line number (header = line 1); None for the whole file
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class ParsedFile:
    """The header and the data rows of a CSV, each row with the line it starts on."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]


@dataclass
class Validation:
    """Rows ready to write (model field values) and every problem found, in line order."""

    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


# --- Reading the file -------------------------------------------------------------------


def import_decode(*, data: bytes) -> str:
    """Turn the uploaded bytes into text, or say in one sentence why they are not a CSV."""
    if not data or not data.strip():
        raise ValidationError({"file": _("The file is empty.")})
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(size)s MB.")
                % {"size": MAX_FILE_BYTES // (1024 * 1024)}
            }
        )
    nul = data.find(b"\x00")
    if 0 <= nul < 8192:
        raise ValidationError(
            {
                "file": _(
                    "This is a binary file (e.g. an Excel workbook), not a CSV. "
                    "Save it as “CSV UTF-8” and upload again."
                )
            }
        )
    if nul >= 0:  # text that a NUL byte spoils further down: say where
        line = data.count(b"\n", 0, nul) + 1
        raise ValidationError(
            {
                "file": _("Line %(line)s holds a NUL character, which no CSV field may contain.")
                % {"line": line}
            }
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": _("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload again.")}
        ) from None
    if not text.strip():
        raise ValidationError({"file": _("The file is empty.")})
    return text


def _normalise_header(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def import_parse(*, kind: str, text: str) -> ParsedFile:
    """Check the header against the kind's columns and read every data row.

    Blank lines are skipped; a row with more or fewer values than the header is kept
    with a marker so validation reports it by line number."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise ValidationError({"file": _("The file is empty.")})
        columns = [_normalise_header(c) for c in header]
        header_errors = _header_errors(kind=kind, columns=columns)
        if header_errors:
            raise ValidationError({"file": header_errors})
        rows: list[tuple[int, dict[str, str]]] = []
        start = reader.line_num + 1
        for values in reader:
            line, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationError(
                    {
                        "file": _(
                            "The file has more than %(count)s rows; split it and upload "
                            "the parts one at a time."
                        )
                        % {"count": number_format(MAX_ROWS, force_grouping=True)}
                    }
                )
            row = dict(zip(columns, (v.strip() for v in values), strict=False))
            if len(values) != len(columns):
                row["__width__"] = str(len(values))
            rows.append((line, row))
    except csv.Error as exc:
        raise ValidationError(
            {
                "file": _("This is not a readable CSV file (line %(line)s: %(error)s).")
                % {"line": reader.line_num, "error": exc}
            }
        ) from None
    if not rows:
        raise ValidationError({"file": _("The file has a header but no data rows.")})
    return ParsedFile(columns=columns, rows=rows)


def _header_errors(*, kind: str, columns: list[str]) -> list[str]:
    allowed = COLUMNS[kind]
    errors = []
    # Translators: stands for a CSV column with a blank header.
    unknown = [c or _("(blank)") for c in columns if c not in allowed]
    if unknown:
        errors.append(
            # Translators: %(kind)s is the CSV kind code (customers, contacts or deals).
            _("Unknown column(s): %(unknown)s. The columns for %(kind)s are: %(allowed)s.")
            % {
                "unknown": ", ".join(f"“{c}”" for c in unknown),
                "kind": kind,
                "allowed": ", ".join(allowed),
            }
        )
    duplicated = [c for c, n in Counter(columns).items() if n > 1 and c]
    if duplicated:
        errors.append(
            _("Column(s) given twice: %(columns)s.")
            % {"columns": ", ".join(f"“{c}”" for c in duplicated)}
        )
    missing = [c for c in REQUIRED[kind] if c not in columns]
    if missing:
        errors.append(
            _("Missing required column(s): %(columns)s.")
            % {"columns": ", ".join(f"“{c}”" for c in missing)}
        )
    return errors


def import_template_csv(*, kind: str) -> str:
    """A template a user can fill in: the header and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS[kind])
    writer.writerow(TEMPLATE_EXAMPLES[kind])
    return out.getvalue()


# --- Cleaning single values -------------------------------------------------------------


class _Bad(Exception):
    """A value problem in one cell: the message the user sees."""


def _text(model, name: str) -> Callable[[str], str]:
    max_length = model._meta.get_field(name).max_length

    def clean(value: str) -> str:
        if max_length and len(value) > max_length:
            raise _Bad(
                _("At most %(max)s characters allowed (this has %(length)s).")
                % {"max": max_length, "length": len(value)}
            )
        return value

    return clean


def _choice(choices) -> Callable[[str], str]:
    """A code, or a label in English or in the importer's language (case-insensitive)."""
    values = list(choices.values)

    def labels() -> dict[str, str]:
        by_label = {str(label).lower(): value for value, label in choices.choices}
        with translation.override("en"):
            english = {str(label).lower(): value for value, label in choices.choices}
        return english | by_label

    by_language: dict[str | None, dict[str, str]] = {}

    def clean(value: str) -> str:
        key = value.lower().replace(" ", "_").replace("-", "_")
        if key in values:
            return key
        language = translation.get_language()
        if language not in by_language:
            by_language[language] = labels()
        by_label = by_language[language]
        if value.lower() in by_label:
            return by_label[value.lower()]
        raise _Bad(
            _("“%(value)s” is not one of %(choices)s.")
            % {"value": value, "choices": ", ".join(values)}
        )

    return clean


_email_validator = EmailValidator()
_url_validator = URLValidator()
_amount_validator = DecimalValidator(max_digits=14, decimal_places=2)


def _email(value: str) -> str:
    _text(Contact, "email")(value)
    try:
        _email_validator(value)
    except ValidationError:
        raise _Bad(_("“%(value)s” is not a valid email address.") % {"value": value}) from None
    return value


def _website(value: str) -> str:
    url = value if "://" in value else f"https://{value}"
    _text(Customer, "website")(url)
    try:
        _url_validator(url)
    except ValidationError:
        raise _Bad(_("“%(value)s” is not a valid web address.") % {"value": value}) from None
    return url


def _date(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise _Bad(
            _("“%(value)s” is not a date in YYYY-MM-DD form (e.g. 2026-03-31).") % {"value": value}
        ) from None


def _amount(value: str) -> Decimal:
    try:
        amount = Decimal(value.replace(",", "").replace(" ", ""))
    except InvalidOperation:
        raise _Bad(_("“%(value)s” is not an amount (e.g. 1234.50).") % {"value": value}) from None
    if not amount.is_finite():
        raise _Bad(_("“%(value)s” is not an amount (e.g. 1234.50).") % {"value": value})
    if amount < 0:
        raise _Bad(_("An amount cannot be negative."))
    try:
        _amount_validator(amount)
    except ValidationError as exc:
        raise _Bad(exc.messages[0]) from None
    return amount.quantize(Decimal("0.01"))


CLEANERS: dict[str, dict[str, Callable[[str], object]]] = {
    Kind.CUSTOMERS: {
        "name": _text(Customer, "name"),
        "segment": _choice(Segment),
        "status": _choice(CustomerStatus),
        "source": _choice(CustomerSource),
        "industry": _text(Customer, "industry"),
        "region": _text(Customer, "region"),
        "city": _text(Customer, "city"),
        "postal_code": _text(Customer, "postal_code"),
        "website": _website,
        "phone": _text(Customer, "phone"),
    },
    Kind.CONTACTS: {
        "first_name": _text(Contact, "first_name"),
        "last_name": _text(Contact, "last_name"),
        "job_title": _text(Contact, "job_title"),
        "email": _email,
        "phone": _text(Contact, "phone"),
    },
    Kind.DEALS: {
        "title": _text(Deal, "title"),
        "amount": _amount,
        "stage": _choice(DealStage),
        "expected_close": _date,
        "closed_at": _date,
        "lost_reason": _text(Deal, "lost_reason"),
    },
}


# --- Validating every row ---------------------------------------------------------------


@dataclass
class _Lookups:
    """Everything the rows refer to, fetched in a fixed number of queries."""

    owners: dict[str, User]
    owners_by_id: dict[int, User]
    customers_by_id: dict[int, Customer]
    customers_by_name: dict[str, list[Customer]]
    existing_names: set[tuple[int, str]]
    probabilities: dict[str, int]


def _load_lookups(*, kind: str, rows: list[tuple[int, dict]], importer: User) -> _Lookups:
    usernames = {r.get("owner", "") for _, r in rows} - {""}
    refs = {r.get("customer", "") for _, r in rows} - {""}
    customers_by_id: dict[int, Customer] = {}
    customers_by_name: dict[str, list[Customer]] = {}
    if refs:
        ids = {pk for pk in map(parse_id, refs) if pk is not None}
        for customer in customers_visible_to(user=importer).filter(
            Q(pk__in=ids) | Q(name__in=refs)
        ):
            customers_by_id[customer.pk] = customer
            customers_by_name.setdefault(customer.name, []).append(customer)
    owners: list[User] = []
    if kind != Kind.CONTACTS:
        owner_q = Q(username__in=usernames) | Q(pk=importer.pk)
        if kind == Kind.DEALS:
            owner_q |= Q(pk__in={c.owner_id for c in customers_by_id.values()})
        owners = list(assignable_owners_for(user=importer).filter(owner_q))
    existing: set[tuple[int, str]] = set()
    if kind == Kind.CUSTOMERS:
        names = {r.get("name", "").lower() for _, r in rows} - {""}
        existing = set(
            Customer.objects.annotate(lname=Lower("name"))
            .filter(owner__in=owners, lname__in=names)
            .values_list("owner_id", "lname")
        )
    probabilities = {}
    if kind == Kind.DEALS:
        probabilities = dict(Stage.objects.values_list("code", "default_probability"))
    return _Lookups(
        owners={u.username: u for u in owners},
        owners_by_id={u.pk: u for u in owners},
        customers_by_id=customers_by_id,
        customers_by_name=customers_by_name,
        existing_names=existing,
        probabilities=probabilities,
    )


def _resolve_customer(value: str, lookups: _Lookups) -> Customer:
    pk = parse_id(value)
    if pk in lookups.customers_by_id:
        return lookups.customers_by_id[pk]
    matches = lookups.customers_by_name.get(value, [])
    if len(matches) > 1:
        raise _Bad(
            _("“%(value)s” matches %(count)s customers you can see; use the customer id instead.")
            % {"value": value, "count": len(matches)}
        )
    if not matches:
        raise _Bad(
            _("No customer “%(value)s” among the customers you can see (give its id or name).")
            % {"value": value}
        )
    return matches[0]


def _resolve_owner(value: str, lookups: _Lookups) -> User:
    owner = lookups.owners.get(value)
    if owner is None:
        raise _Bad(_("“%(value)s” is not someone you can assign work to.") % {"value": value})
    return owner


def import_validate(
    *, kind: str, parsed: ParsedFile, importer: User, check_duplicates: bool = True
) -> Validation:
    """Validate every row against the kind's rules and the importer's scope.

    Lookups (owners, customers, stages, existing names) take a fixed number of queries
    whatever the row count."""
    lookups = _load_lookups(kind=kind, rows=parsed.rows, importer=importer)
    result = Validation()
    seen_names: dict[tuple[int, str], int] = {}
    cleaners = CLEANERS[kind]
    width = len(parsed.columns)
    for line, raw in parsed.rows:
        errors: list[RowError] = []

        def bad(name: str, message: str, line: int = line, errors: list = errors) -> None:
            errors.append(RowError(row=line, field=name, message=message))

        if "__width__" in raw:
            bad(
                "row",
                _("This row has %(values)s values but the header has %(width)s.")
                % {"values": raw["__width__"], "width": width},
            )
            result.errors.extend(errors)
            continue
        values: dict = {}
        for name, clean in cleaners.items():
            value = raw.get(name, "")
            if not value:
                continue
            try:
                values[name] = clean(value)
            except _Bad as exc:
                bad(name, str(exc))
        for name in REQUIRED[kind]:
            if not raw.get(name):
                bad(name, _("This value is required."))
        if raw.get("customer"):
            try:
                values["customer"] = _resolve_customer(raw["customer"], lookups)
            except _Bad as exc:
                bad("customer", str(exc))
        if kind in (Kind.CUSTOMERS, Kind.DEALS):
            _clean_owner(
                kind=kind, raw=raw, values=values, importer=importer, lookups=lookups, bad=bad
            )
        if kind == Kind.CUSTOMERS and "owner" in values and values.get("name"):
            key = (values["owner"].pk, values["name"].lower())
            if check_duplicates and key in seen_names:
                bad(
                    "name",
                    _("“%(name)s” appears twice for owner %(owner)s (also on row %(row)s).")
                    % {
                        "name": values["name"],
                        "owner": values["owner"].username,
                        "row": seen_names[key],
                    },
                )
            elif check_duplicates and key in lookups.existing_names:
                bad(
                    "name",
                    _("%(owner)s already has a customer named “%(name)s”.")
                    % {"owner": values["owner"].username, "name": values["name"]},
                )
            seen_names.setdefault(key, line)
        if kind == Kind.DEALS:
            _clean_deal_stage(values=values, lookups=lookups, bad=bad)
        if errors:
            result.errors.extend(errors)
        else:
            result.rows.append((line, values))
    return result


def _clean_owner(*, kind, raw, values, importer, lookups, bad) -> None:
    """Owner: a username the importer may assign to; blank means the importer (customers)
    or the customer's owner (deals)."""
    if raw.get("owner"):
        try:
            values["owner"] = _resolve_owner(raw["owner"], lookups)
        except _Bad as exc:
            bad("owner", str(exc))
        return
    if kind == Kind.DEALS:
        customer = values.get("customer")
        if customer is None:
            return
        owner = lookups.owners_by_id.get(customer.owner_id)
        if owner is None:
            bad("owner", _("Give the owner's username: the customer's owner cannot take deals."))
        else:
            values["owner"] = owner
        return
    owner = lookups.owners_by_id.get(importer.pk)
    if owner is None:
        bad("owner", _("Give the owner's username: admins import on behalf of a rep or manager."))
    else:
        values["owner"] = owner


def _clean_deal_stage(*, values, lookups, bad) -> None:
    stage = values.setdefault("stage", DealStage.LEAD)
    closed_at = values.get("closed_at")
    lost_reason = values.get("lost_reason", "")
    for rule in (deal_stage_requirements, deal_close_field_errors):
        for name, message in rule(
            stage=stage, closed_at=closed_at, lost_reason=lost_reason
        ).items():
            bad(name, message)
    if stage == DealStage.WON:
        values["probability"] = 100
    elif stage == DealStage.LOST:
        values["probability"] = 0
        values.setdefault("closed_at", timezone.localdate())
    else:
        values["probability"] = lookups.probabilities.get(stage, 10)


# --- Jobs: create, preview, commit ------------------------------------------------------


def import_jobs_visible_to(*, user: User) -> QuerySet[ImportJob]:
    """A user sees only their own import jobs; admins see everyone's."""
    qs = ImportJob.objects.select_related("created_by")
    return qs if user.is_admin else qs.filter(created_by=user)


def import_create(*, kind: str, file_name: str, data: bytes, by: User) -> ImportJob:
    """Read the upload, validate every row and store the job as a preview.

    File-level problems (empty, not UTF-8, not a CSV, wrong columns) raise ValidationError
    on "file" and store nothing; row problems are stored on the job for the preview."""
    if kind not in Kind.values:
        raise ValidationError(
            {
                "kind": _("“%(value)s” is not one of %(choices)s.")
                % {"value": kind, "choices": ", ".join(Kind.values)}
            }
        )
    text = import_decode(data=data)
    parsed = import_parse(kind=kind, text=text)
    validation = import_validate(kind=kind, parsed=parsed, importer=by)
    return ImportJob.objects.create(
        kind=kind,
        created_by=by,
        file_name=(file_name or "upload.csv")[:255],
        csv_text=text,
        status=Status.PREVIEWED,
        total_rows=len(parsed.rows),
        errors=[e.as_dict() for e in validation.errors],
    )


def import_preview(*, job: ImportJob, limit: int = PREVIEW_ROWS) -> list[dict]:
    """The first rows as they will be written: display strings per column, in column order."""
    try:
        parsed = import_parse(kind=job.kind, text=job.csv_text)
    except ValidationError:
        return []
    parsed.rows = parsed.rows[:limit]
    validation = import_validate(
        kind=job.kind, parsed=parsed, importer=job.created_by, check_duplicates=False
    )
    shown = []
    for line, values in validation.rows:
        cells = []
        for name in COLUMNS[job.kind]:
            value = values.get(name, "")
            if isinstance(value, User):
                value = value.username
            cells.append("" if value is None else str(value))
        shown.append({"row": line, "cells": cells})
    return shown


def import_start_commit(*, job: ImportJob, by: User) -> ImportJob:
    """Commit a clean preview: inline for small files, as a Celery task for large ones."""
    if job.created_by_id != by.pk:
        raise ValidationError(_("Only the person who uploaded the file can import it."))
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != Status.PREVIEWED:
            raise ValidationError(
                _("This import is already %(status)s.")
                % {"status": job.get_status_display().lower()}
            )
        if job.raw_deleted_at:
            raise ValidationError(
                _("The uploaded file was deleted after %(days)s days; upload it again.")
                % {"days": settings.CRM_IMPORT_RAW_RETENTION_DAYS}
            )
        if job.errors:
            raise ValidationError(_("Fix the rows with errors and upload the file again."))
        async_run = job.total_rows > settings.CRM_IMPORT_ASYNC_THRESHOLD
        job.status = Status.QUEUED if async_run else Status.RUNNING
        job.save(update_fields=["status"])
        _publish(job=job, done=0)
        if async_run:
            from crm import tasks

            transaction.on_commit(lambda: tasks.run_import.delay(job.pk))
            return job
    return import_run(job_id=job.pk, by=by)


def import_run(*, job_id: int, by: User | None = None) -> ImportJob:
    """Validate the stored CSV again and write it all in one transaction, or nothing.

    Safe to run twice (a redelivered task): a job already done or failed is left alone."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.is_finished:
        return job
    by = by or job.created_by
    job.status = Status.RUNNING
    job.save(update_fields=["status"])
    _publish(job=job, done=0)
    parsed = import_parse(kind=job.kind, text=job.csv_text)
    validation = import_validate(kind=job.kind, parsed=parsed, importer=job.created_by)
    if validation.errors:
        return _fail(job=job, errors=validation.errors)
    try:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.is_finished:
                return locked
            written = WRITERS[job.kind](job=job, rows=[v for _, v in validation.rows], by=by)
            job.status, job.imported_rows = Status.DONE, written
            job.errors, job.finished_at = [], timezone.now()
            job.save(update_fields=["status", "imported_rows", "errors", "finished_at"])
    except Exception:
        logger.exception("Import job %s failed while writing", job.pk)
        job.refresh_from_db()
        return _fail(
            job=job,
            errors=[
                RowError(
                    row=None,
                    field="file",
                    message=_(
                        "The import stopped with an unexpected error; nothing was "
                        "imported. Try again, and tell an admin if it happens again."
                    ),
                )
            ],
        )
    _publish(job=job, done=written)
    return job


def _fail(*, job: ImportJob, errors: list[RowError]) -> ImportJob:
    job.status, job.imported_rows, job.finished_at = Status.FAILED, 0, timezone.now()
    job.errors = [e.as_dict() for e in errors]
    job.save(update_fields=["status", "imported_rows", "errors", "finished_at"])
    _publish(job=job, done=0)
    return job


def _batches(rows: list, size: int) -> Iterable[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _write_customers(*, job: ImportJob, rows: list[dict], by: User) -> int:
    done = 0
    for batch in _batches(rows, BATCH_SIZE):
        customers = Customer.objects.bulk_create([Customer(**values) for values in batch])
        ownership_log_write(
            moves=[
                OwnerMove(OwnedObject.CUSTOMER, c.pk, c.name, c.pk, None, c.owner_id)
                for c in customers
            ],
            by=by,
            source=OwnershipChangeSource.IMPORT,
            reference=f"import:{job.pk}",
        )
        _log_import(by=by, customer_ids=[c.pk for c in customers])
        done += len(customers)
        _publish(job=job, done=done)
    return done


def _write_contacts(*, job: ImportJob, rows: list[dict], by: User) -> int:
    done = 0
    for batch in _batches(rows, BATCH_SIZE):
        contacts = Contact.objects.bulk_create([Contact(**values) for values in batch])
        _log_import(by=by, customer_ids=[c.customer_id for c in contacts])
        done += len(contacts)
        _publish(job=job, done=done)
    return done


def _write_deals(*, job: ImportJob, rows: list[dict], by: User) -> int:
    done = 0
    now = timezone.now()
    for batch in _batches(rows, BATCH_SIZE):
        deals = Deal.objects.bulk_create(
            [
                Deal(
                    **{k: v for k, v in values.items() if k != "stage"},
                    stage_id=values["stage"],
                    credited_to=values["owner"] if values["stage"] == DealStage.WON else None,
                    stage_changed_at=now,
                )
                for values in batch
            ]
        )
        DealStageChange.objects.bulk_create(
            [
                DealStageChange(
                    deal=d, from_stage="", to_stage=d.stage_id, changed_by=by, changed_at=now
                )
                for d in deals
            ]
        )
        ownership_log_write(
            moves=[
                OwnerMove(OwnedObject.DEAL, d.pk, d.title, d.customer_id, None, d.owner_id)
                for d in deals
            ],
            by=by,
            source=OwnershipChangeSource.IMPORT,
            reference=f"import:{job.pk}",
            at=now,
        )
        _log_import(by=by, customer_ids=[d.customer_id for d in deals])
        done += len(deals)
        _publish(job=job, done=done)
    return done


def _log_import(*, by: User, customer_ids: list[int]) -> None:
    """The access log: the importer wrote these customers' data (one INSERT a batch)."""
    access_record(
        user=by, customer_ids=customer_ids, channel=AccessChannel.IMPORT, action=AccessAction.IMPORT
    )


WRITERS = {
    Kind.CUSTOMERS: _write_customers,
    Kind.CONTACTS: _write_contacts,
    Kind.DEALS: _write_deals,
}


# --- Retention --------------------------------------------------------------------------


def import_raw_texts_delete(*, now: datetime | None = None) -> int:
    """Blank the uploaded CSV text of imports older than CRM_IMPORT_RAW_RETENTION_DAYS, in
    one UPDATE; returns how many. The uploaded rows may hold personal data, and a finished
    or abandoned import needs only its result (counts, row errors), which stays. Jobs still
    queued or running keep their text until they finish."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CRM_IMPORT_RAW_RETENTION_DAYS)
    return ImportJob.objects.filter(
        created_at__lt=cutoff,
        raw_deleted_at__isnull=True,
        status__in=[Status.PREVIEWED, Status.DONE, Status.FAILED],
    ).update(csv_text="", raw_deleted_at=now)


# --- Progress ---------------------------------------------------------------------------


def _progress_key(job: ImportJob) -> str:
    """Keyed by id and upload time, so a reused id (another database) never reads stale data."""
    return f"crm:import:{job.pk}:{int(job.created_at.timestamp() * 1_000_000)}:progress"


def _publish(*, job: ImportJob, done: int) -> None:
    """Progress goes to the cache: other connections cannot see the uncommitted rows."""
    cache.set(
        _progress_key(job),
        {"status": job.status, "done": done, "total": job.total_rows},
        PROGRESS_TTL,
    )


def import_progress(*, job: ImportJob) -> dict:
    """Status, rows written so far and percent; a finished job's row is the final word."""
    total = job.total_rows
    if job.is_finished:
        done = job.imported_rows if job.status == Status.DONE else 0
        status = job.status
    else:
        published = cache.get(_progress_key(job)) or {}
        done = int(published.get("done", 0))
        status = published.get("status", job.status)
        if status in (Status.DONE, Status.FAILED):
            status = Status.RUNNING  # the row is not committed yet
    percent = 100 if status == Status.DONE else (int(done * 100 / total) if total else 0)
    return {"status": status, "done": done, "total": total, "percent": min(percent, 100)}
