"""A street summoning departments onto its appeal: no one decides it, the departments report."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Whistle(models.Model):
    """A street summons departments to co-handle an appeal ("the street blows the whistle, the
    departments report"). Each summoned department gets its own co-handling dispatch."""

    dispatch = models.ForeignKey("dispatch.Dispatch", on_delete=models.PROTECT, related_name="whistles")
    blown_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    blown_at = models.DateTimeField(_("summoned at"), default=timezone.now)
    note = models.TextField(_("what the departments are needed for"))

    class Meta:
        verbose_name = _("whistle")
        verbose_name_plural = _("whistles")
        ordering = ["blown_at", "id"]

    def __str__(self) -> str:
        return f"{self.dispatch_id} @ {self.blown_at:%Y-%m-%d %H:%M}"
