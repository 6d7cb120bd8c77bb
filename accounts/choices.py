from django.db import models


class Role(models.TextChoices):
    REP = "rep", "Rep"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"


class RepType(models.TextChoices):
    INSIDE = "inside", "Inside rep"
    OUTSIDE = "outside", "Outside / independent rep"
