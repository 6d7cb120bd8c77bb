from django.db import models


class HandoverReason(models.TextChoices):
    MANAGER_METHODS = "manager_methods", "Distrust of the manager's methods"
    TIRED_OF_FIGHTING = "tired_of_fighting", "Tired of fighting for their vision"
    NO_RECOGNITION = "no_recognition", "No recognition"
    BURNOUT = "burnout", "Burnout (more and more responsibility)"
    INTERNAL_POLITICS = "internal_politics", "Internal politics"
    NO_GROWTH = "no_growth", "No room to grow"
    OTHER = "other", "Other"


class HandoverStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    DONE = "done", "Done"
    REVERSED = "reversed", "Reversed"
