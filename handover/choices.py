from django.db import models
from django.utils.translation import gettext_lazy as _


class HandoverReason(models.TextChoices):
    MANAGER_METHODS = "manager_methods", _("Distrust of the manager's methods")
    TIRED_OF_FIGHTING = "tired_of_fighting", _("Tired of fighting for their vision")
    NO_RECOGNITION = "no_recognition", _("No recognition")
    BURNOUT = "burnout", _("Burnout (more and more responsibility)")
    INTERNAL_POLITICS = "internal_politics", _("Internal politics")
    NO_GROWTH = "no_growth", _("No room to grow")
    # Translators: an exit reason (why a rep leaves): another reason
    OTHER = "other", _("Other")


class HandoverStatus(models.TextChoices):
    # Translators: status of a handover
    DRAFT = "draft", _("Draft")
    # Translators: status of a handover: set to run later
    SCHEDULED = "scheduled", _("Scheduled")
    # Translators: status of a handover: executed
    DONE = "done", _("Done")
    # Translators: status of a handover: undone after execution
    REVERSED = "reversed", _("Reversed")
