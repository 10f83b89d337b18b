"""What a unit asks the center to decide about a dispatch: to return it (the operators decide) or to
extend its deadline (a supervisor decides). Each request is decided once, by someone else."""
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
