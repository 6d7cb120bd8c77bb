from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # Translators: a role: a sales representative
    REP = "rep", _("Rep")
    # Translators: a role: a sales manager, who leads a team of reps
    MANAGER = "manager", _("Manager")
    # Translators: a role: an administrator of the CRM
    ADMIN = "admin", _("Admin")


class RepType(models.TextChoices):
    # Translators: a sales rep employed by the company (works from the office)
    INSIDE = "inside", _("Inside rep")
    # Translators: an independent sales agent who may also sell for other principals
    OUTSIDE = "outside", _("Outside / independent rep")
