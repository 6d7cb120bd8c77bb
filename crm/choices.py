from django.db import models


class Segment(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    ACTIVE = "active", "Active"
    FORMER = "former", "Former"


class CustomerSource(models.TextChoices):
    COLD_CALL = "cold_call", "Cold call"
    REFERRAL = "referral", "Referral"
    INBOUND = "inbound", "Inbound"
    HOUSE_ACCOUNT = "house_account", "House account"


class DealStage(models.TextChoices):
    LEAD = "lead", "Lead"
    QUALIFIED = "qualified", "Qualified"
    PROPOSAL = "proposal", "Proposal"
    NEGOTIATION = "negotiation", "Negotiation"
    WON = "won", "Won"
    LOST = "lost", "Lost"


OPEN_STAGES = (DealStage.LEAD, DealStage.QUALIFIED, DealStage.PROPOSAL, DealStage.NEGOTIATION)
CLOSED_STAGES = (DealStage.WON, DealStage.LOST)


class OwnedObject(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    CONTACT = "contact", "Contact"
    DEAL = "deal", "Deal"
    TASK = "task", "Task"


class OwnershipChangeSource(models.TextChoices):
    EDIT = "edit", "Edited by hand"
    IMPORT = "import", "CSV import"
    API = "api", "API"
    HANDOVER = "handover", "Handover"
    HANDOVER_UNDO = "handover_undo", "Handover reversed"
