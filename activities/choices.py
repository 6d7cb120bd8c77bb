from django.db import models


class ActivityKind(models.TextChoices):
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    VISIT = "visit", "Visit"
    EMAIL = "email", "Email"
    REFERRAL = "referral", "Referral"
    NOTE = "note", "Note"


class ActivityOutcome(models.TextChoices):
    CONNECTED = "connected", "Connected"
    NO_ANSWER = "no_answer", "No answer"
    VOICEMAIL = "voicemail", "Left voicemail"
    MEETING_BOOKED = "meeting_booked", "Meeting booked"
    FOLLOW_UP = "follow_up", "Follow-up needed"
    NOT_INTERESTED = "not_interested", "Not interested"
    ORDER = "order", "Order placed"


class CallReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"
