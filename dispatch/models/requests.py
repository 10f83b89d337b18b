"""What a unit asks of the center about a dispatch: to return it, to extend its deadline, or (a
street) to summon departments onto it. Each request is decided once, by someone else."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Decision(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class DecidedRequest(models.Model):
    Decision = Decision

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    state = models.CharField(_("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        return self.state == Decision.PENDING


class ReturnRequest(DecidedRequest):
    """A unit says "not ours"; the operators re-dispatch (approve) or send it back (refuse)."""

    class Reason(models.TextChoices):
        DUTY = "duty", _("Not ours by duty (another unit's responsibility)")
        PLACE = "place", _("Not ours by place (outside our area)")

    dispatch = models.ForeignKey("dispatch.Dispatch", on_delete=models.PROTECT, related_name="returns")
    reason = models.CharField(_("reason"), max_length=8, choices=Reason.choices)
    note = models.TextField(_("explanation"))
    suggested_unit = models.ForeignKey(
        "streets.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("suggested unit"),
    )
    new_dispatch = models.OneToOneField(
        "dispatch.Dispatch", null=True, blank=True, on_delete=models.PROTECT, related_name="return_origin"
    )

    class Meta:
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispatch"], condition=models.Q(state="pending"), name="one_pending_return_per_dispatch"
            ),
        ]
        indexes = [models.Index(fields=["state", "requested_at"], name="return_queue")]


class ExtensionRequest(DecidedRequest):
    """A unit asks for more time on a complex appeal; a supervisor decides."""

    dispatch = models.ForeignKey("dispatch.Dispatch", on_delete=models.PROTECT, related_name="extensions")
    reason = models.TextField(_("reason"))
    proposed_due = models.DateTimeField(_("proposed deadline"))
    previous_due = models.DateTimeField(_("deadline before"))

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispatch"], condition=models.Q(state="pending"),
                name="one_pending_extension_per_dispatch",
            ),
        ]
        indexes = [models.Index(fields=["state", "requested_at"], name="extension_queue")]


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
