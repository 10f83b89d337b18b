"""Supervision orders: the escalation on an overdue or repeated appeal, seen by the unit's head."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SupervisionOrder(models.Model):
    class Reason(models.TextChoices):
        RESPONSE_OVERDUE = "response_overdue", _("Response deadline missed")
        RESOLVE_OVERDUE = "resolve_overdue", _("Resolve deadline missed")
        MANUAL = "manual", _("Opened by a supervisor")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        REPLIED = "replied", _("Replied")

    dispatch = models.ForeignKey("dispatch.Dispatch", on_delete=models.PROTECT, related_name="supervision_orders")
    unit = models.ForeignKey("streets.Unit", on_delete=models.PROTECT, related_name="supervision_orders")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.TextField(_("instructions"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("Empty when opened by the deadline sweep."),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    reply_due = models.DateTimeField(_("reply by"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-opened_at", "-id"]
        constraints = [
            # The sweep opens at most one order per missed deadline, however often it runs.
            models.UniqueConstraint(
                fields=["dispatch", "reason"], condition=~models.Q(reason="manual"),
                name="one_sweep_order_per_missed_deadline",
            ),
        ]
        indexes = [models.Index(fields=["unit", "state", "opened_at"], name="supervision_unit_queue")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.dispatch_id})"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_reply_overdue(self) -> bool:
        return self.is_open and self.reply_due < timezone.now()
