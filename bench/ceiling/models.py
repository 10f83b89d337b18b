from django.db import models
from django.utils import timezone


class Ping(models.Model):
    """One row per request: the least a write endpoint can do."""

    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
