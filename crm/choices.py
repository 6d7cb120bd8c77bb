from django.db import models
from django.utils.translation import gettext_lazy as _


class Segment(models.TextChoices):
    # Translators: a customer segment (primary or secondary market).
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    # Translators: a customer status: no longer a customer.
    FORMER = "former", _("Former")


class CustomerSource(models.TextChoices):
    COLD_CALL = "cold_call", _("Cold call")
    REFERRAL = "referral", _("Referral")
    # Translators: a customer source: the customer contacted us.
    INBOUND = "inbound", _("Inbound")
    # Translators: a customer source: an account the company itself holds, no rep's.
    HOUSE_ACCOUNT = "house_account", _("House account")


class DealStage(models.TextChoices):
    # Translators: a deal stage: a first sales opportunity, not yet qualified.
    LEAD = "lead", _("Lead")
    QUALIFIED = "qualified", _("Qualified")
    # Translators: a deal stage: an offer has been sent.
    PROPOSAL = "proposal", _("Proposal")
    NEGOTIATION = "negotiation", _("Negotiation")
    # Translators: a deal stage: the deal was won (closed, signed).
    WON = "won", _("Won")
    # Translators: a deal stage: the deal was lost.
    LOST = "lost", _("Lost")


OPEN_STAGES = (DealStage.LEAD, DealStage.QUALIFIED, DealStage.PROPOSAL, DealStage.NEGOTIATION)
CLOSED_STAGES = (DealStage.WON, DealStage.LOST)


class OwnedObject(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    CONTACT = "contact", _("Contact")
    DEAL = "deal", _("Deal")
    TASK = "task", _("Task")


class OwnershipChangeSource(models.TextChoices):
    EDIT = "edit", _("Edited by hand")
    IMPORT = "import", _("CSV import")
    API = "api", _("API")
    HANDOVER = "handover", _("Handover")
    HANDOVER_UNDO = "handover_undo", _("Handover reversed")


class AccessChannel(models.TextChoices):
    """Where a customer's data was read (the access log)."""

    # Translators: an access-log channel: a web page.
    PAGE = "page", _("Page")
    API = "api", _("API")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")


class AccessAction(models.TextChoices):
    # Translators: an access-log action: the customer appeared in a list the person saw.
    LIST = "list", _("Listed")
    # Translators: an access-log action: the person opened the customer.
    READ = "read", _("Opened")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")
    REFUSED = "refused", _("Refused (daily limit)")
