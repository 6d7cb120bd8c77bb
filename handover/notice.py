"""The notice period (issue 12): a rep with an open handover goes on working their own
records one at a time, but can no longer page out the portfolio.

- Lists and searches of customers, contacts, deals, activities and tasks are refused
  (`notice_guard_list`): pages show NOTICE_MESSAGE where the list would be, the API a 403.
- Every single record they open is counted per day by its customer (`customer_read`); past
  CRM_NOTICE_DAILY_READ_LIMIT distinct customers a day further customers are refused (429)
  and their manager and the admins are told, once a day.

The notice period starts when the handover is opened and lasts until it is executed (the
account is deactivated at the end of the last day) or an admin locks the account at once."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from accounts.selectors import email_language_of
from crm.access_log import access_record, day_bounds
from crm.choices import AccessAction
from crm.models import CustomerAccess
from handover.selectors import rep_has_open_handover

# Lazy: read it with str() (or let the template render it) so it is in the reader's language.
NOTICE_MESSAGE = _("Your access is limited during your notice period; ask your manager.")
_CACHE_ATTR = "_in_notice_period"


class NoticePeriodLimited(PermissionDenied):
    """A list or search refused to a rep in their notice period (403)."""

    def __init__(self, what: str = ""):
        self.what = what
        # Translated when raised, in the language of the request that is refused.
        super().__init__(
            gettext("Your access is limited during your notice period; ask your manager.")
        )


class NoticeReadLimitReached(Exception):
    """The rep has opened the daily limit of distinct customers (429)."""

    def __init__(self, *, count: int):
        self.count = count
        # Translated when raised, in the language of the request that is refused.
        super().__init__(
            # Translators: English keeps "customers" for one too; give your language's
            # proper singular and plural.
            ngettext(
                "Your access is limited during your notice period: you have opened "
                "%(count)s customers today, the daily limit; ask your manager.",
                "Your access is limited during your notice period: you have opened "
                "%(count)s customers today, the daily limit; ask your manager.",
                count,
            )
            % {"count": count}
        )


def in_notice_period(*, user: User) -> bool:
    """Whether the user is a rep with an open handover; asked once per request (the answer
    is kept on the request's user object)."""
    if not (user.is_authenticated and user.is_rep):
        return False
    if not hasattr(user, _CACHE_ATTR):
        setattr(user, _CACHE_ATTR, rep_has_open_handover(user=user))
    return getattr(user, _CACHE_ATTR)


def notice_guard_list(*, user: User, what: str = "") -> None:
    """Refuse a list or a search of `what` to a rep in their notice period."""
    if in_notice_period(user=user):
        raise NoticePeriodLimited(what)


def customer_read(*, user: User, customer_id: int | None, channel: str) -> None:
    """Log one single-record read of a customer's data. For a rep in their notice period,
    count it first: a customer already opened today is always allowed; a new one past the
    daily limit is refused (logged as refused; the first refusal of the day notifies)."""
    if customer_id is None or not user.is_authenticated:
        return
    if not in_notice_period(user=user):
        access_record(
            user=user, customer_ids=[customer_id], channel=channel, action=AccessAction.READ
        )
        return
    refused_count = _counted_read(user=user, customer_id=customer_id, channel=channel)
    if refused_count is not None:
        raise NoticeReadLimitReached(count=refused_count)


@transaction.atomic
def _counted_read(*, user: User, customer_id: int, channel: str) -> int | None:
    """Record the read, or the refusal; None when allowed, today's count when refused.
    The rep's row is locked so two parallel requests cannot both take the last read."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
    start, end = _today(user=user)
    today = CustomerAccess.objects.filter(
        user_id=user.pk,
        at__gte=start,
        at__lt=end,
        action__in=[AccessAction.READ, AccessAction.REFUSED],
    ).aggregate(
        customers=Count("customer_id", distinct=True, filter=Q(action=AccessAction.READ)),
        this_one=Count("pk", filter=Q(action=AccessAction.READ, customer_id=customer_id)),
        refusals=Count("pk", filter=Q(action=AccessAction.REFUSED)),
    )
    limit = settings.CRM_NOTICE_DAILY_READ_LIMIT
    if today["this_one"] or today["customers"] < limit:
        access_record(
            user=user, customer_ids=[customer_id], channel=channel, action=AccessAction.READ
        )
        return None
    access_record(
        user=user, customer_ids=[customer_id], channel=channel, action=AccessAction.REFUSED
    )
    if not today["refusals"]:
        from handover.tasks import notify_read_limit

        count = today["customers"]
        transaction.on_commit(lambda: notify_read_limit.delay(user.pk, count))
    return today["customers"]


def _today(*, user: User) -> tuple[datetime, datetime]:
    """Today in the rep's team's time zone (API requests have no activated zone)."""
    tz = user.team.tzinfo if user.team_id else timezone.get_default_timezone()
    return day_bounds(day=timezone.localdate(timezone=tz), tz=tz)


def notice_read_limit_notify(*, rep_id: int, count: int) -> int:
    """E-mail the rep's manager and every active admin that the rep reached today's limit,
    each in their own language (one e-mail per language). Returns the number sent."""
    from django.core.mail import send_mass_mail

    rep = User.objects.select_related("team__manager").filter(pk=rep_id).first()
    if rep is None:
        return 0
    recipients = list(
        User.objects.filter(is_active=True)
        .filter(Q(role=Role.ADMIN) | Q(is_superuser=True))
        .exclude(email="")
    )
    manager = rep.team.manager if rep.team_id else None
    if manager is not None and manager.email:
        recipients.append(manager)
    by_language: dict[str, set[str]] = {}
    for user in recipients:
        by_language.setdefault(email_language_of(user=user), set()).add(user.email)
    messages = []
    for language, to in sorted(by_language.items()):
        with translation.override(language):
            subject, body = _read_limit_email(rep=rep, count=count)
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, sorted(to)))
    return send_mass_mail(messages, fail_silently=False) if messages else 0


def _read_limit_email(*, rep: User, count: int) -> tuple[str, str]:
    subject = gettext("%(rep)s reached the daily read limit during their notice period") % {
        "rep": rep
    }
    body = (
        # Translators: English keeps "customers" for one too; give your language's proper
        # singular and plural.
        ngettext(
            "%(rep)s (%(username)s) opened %(count)s different customers today, the daily "
            "limit of %(limit)s during a notice period, and was refused the next one.",
            "%(rep)s (%(username)s) opened %(count)s different customers today, the daily "
            "limit of %(limit)s during a notice period, and was refused the next one.",
            count,
        )
        % {
            "rep": rep,
            "username": rep.username,
            "count": count,
            "limit": settings.CRM_NOTICE_DAILY_READ_LIMIT,
        }
        + "\n\n"
        + gettext(
            "The access log on their handover page shows what they opened. "
            "An admin can end their access at once with “Lock now”."
        )
    )
    return subject, body
