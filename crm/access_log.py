"""The access log (issue 12): who read, exported or imported which customer, and when.

Writes are one statement whatever the number of customers: a list page is one bulk INSERT of
its rows' customers, an export or an import one INSERT ... SELECT over the same query the
download or the import used. Reads are scoped like everything else: admins see everyone's
entries, a manager those of their team's people, a rep none."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from crm.choices import AccessAction
from crm.models import CustomerAccess

DELETE_BATCH = 10_000


def access_record(
    *,
    user: User,
    customer_ids: Iterable[int | None],
    channel: str,
    action: str,
    at: datetime | None = None,
) -> int:
    """Log that `user` saw these customers (duplicates and blanks dropped): one INSERT."""
    if not user.is_authenticated:
        return 0
    at = at or timezone.now()
    rows = [
        CustomerAccess(user_id=user.pk, customer_id=pk, at=at, channel=channel, action=action)
        for pk in dict.fromkeys(pk for pk in customer_ids if pk is not None)
    ]
    CustomerAccess.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def access_record_query(
    *, user: User, customer_ids: QuerySet, channel: str, action: str = AccessAction.EXPORT
) -> int:
    """Log every customer of a query (a `values("<customer id>")` queryset) in one
    INSERT ... SELECT: an export of 100,000 rows costs one statement, not 100,000."""
    select_sql, params = customer_ids.order_by().distinct().query.sql_with_params()
    table = CustomerAccess._meta.db_table
    sql = (
        f"INSERT INTO {table} (user_id, customer_id, at, channel, action) "
        f"SELECT %s, ids.*, %s, %s, %s FROM ({select_sql}) ids"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, timezone.now(), channel, action, *params])
        return cursor.rowcount


def access_log_purge(*, now: datetime | None = None) -> int:
    """Delete entries older than CRM_ACCESS_LOG_RETENTION_DAYS, in batches so the nightly
    job never holds one long lock on a big table. Returns the number deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.CRM_ACCESS_LOG_RETENTION_DAYS)
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(
                CustomerAccess.objects.filter(at__lt=cutoff).values_list("pk", flat=True)[
                    :DELETE_BATCH
                ]
            )
            if not batch:
                return deleted
            deleted += CustomerAccess.objects.filter(pk__in=batch).delete()[0]


# --- Reads ---------------------------------------------------------------------------------


def access_log_people(*, user: User) -> QuerySet[User]:
    """Whose entries the user may read: everyone for an admin, a manager's own team (and
    themselves), nobody for a rep."""
    if user.is_admin:
        return User.objects.all()
    if user.is_manager:
        return User.objects.filter(Q(team__manager=user) | Q(pk=user.pk))
    return User.objects.none()


def access_log_visible_to(*, user: User) -> QuerySet[CustomerAccess]:
    qs = CustomerAccess.objects.select_related("user", "customer")
    if user.is_admin:
        return qs
    return qs.filter(user_id__in=access_log_people(user=user).values("pk"))


def access_daily_counts(*, user: User, rep: User, days: int = 14) -> list[dict]:
    """The rep's last `days` days: distinct customers opened, entries, refusals (one
    GROUP BY query), newest day first; days are the rep's team's days."""
    tz = rep.team.tzinfo if rep.team_id else timezone.get_default_timezone()
    since = timezone.now() - timedelta(days=days)
    rows = (
        access_log_visible_to(user=user)
        .filter(user_id=rep.pk, at__gte=since)
        .annotate(day=TruncDate("at", tzinfo=tz))
        .values("day")
        .annotate(
            customers=Count("customer_id", distinct=True, filter=Q(action=AccessAction.READ)),
            entries=Count("pk"),
            refused=Count("pk", filter=Q(action=AccessAction.REFUSED)),
        )
        .order_by("-day")
    )
    return list(rows)


def day_bounds(*, day: date, tz) -> tuple[datetime, datetime]:
    """The first instant of `day` and of the next day in time zone `tz`."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
