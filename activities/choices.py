from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ActivityKind(models.TextChoices):
    # Translators: an activity kind: a phone call with a customer (a noun).
    CALL = "call", pgettext_lazy("activity kind", "Call")
    # Translators: an activity kind: a meeting with a customer.
    MEETING = "meeting", pgettext_lazy("activity kind", "Meeting")
    # Translators: an activity kind: a visit at the customer's site.
    VISIT = "visit", pgettext_lazy("activity kind", "Visit")
    # Translators: an activity kind: an e-mail to or from a customer.
    EMAIL = "email", pgettext_lazy("activity kind", "Email")
    # Translators: an activity kind: a customer recommended to the rep by someone.
    REFERRAL = "referral", pgettext_lazy("activity kind", "Referral")
    # Translators: an activity kind: a written note about a customer.
    NOTE = "note", pgettext_lazy("activity kind", "Note")


class ActivityOutcome(models.TextChoices):
    # Translators: the outcome of a call: the rep reached the person.
    CONNECTED = "connected", _("Connected")
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Left voicemail")
    MEETING_BOOKED = "meeting_booked", _("Meeting booked")
    FOLLOW_UP = "follow_up", _("Follow-up needed")
    NOT_INTERESTED = "not_interested", _("Not interested")
    ORDER = "order", _("Order placed")


class CallReportStatus(models.TextChoices):
    # Translators: status of a weekly call report: being written, not submitted yet.
    DRAFT = "draft", pgettext_lazy("call report status", "Draft")
    # Translators: status of a weekly call report: handed in by the rep for review.
    SUBMITTED = "submitted", pgettext_lazy("call report status", "Submitted")
    # Translators: status of a weekly call report: accepted by the manager.
    APPROVED = "approved", pgettext_lazy("call report status", "Approved")
    # Translators: status of a weekly call report: sent back to the rep to change.
    RETURNED = "returned", pgettext_lazy("call report status", "Returned")
