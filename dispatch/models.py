"""How appeals move: one Dispatch per assignment of an appeal to a unit.

The dispatch is the unit of accountability: deadlines, response and resolution attach to it, not
to the appeal, so a re-dispatched appeal charges each unit only for its own period.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Dispatch(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be signed for")
        SIGNED = "signed", _("Signed for")
        RESPONDED = "responded", _("Responded")
        RESOLVED = "resolved", _("Resolved")

    class Role(models.TextChoices):
        PRIMARY = "primary", _("Responsible unit")
        COHANDLER = "cohandler", _("Co-handling department")

    OPEN_STATES = (State.PENDING, State.SIGNED, State.RESPONDED)

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.PROTECT, related_name="dispatches")
    unit = models.ForeignKey(
        "streets.Unit", on_delete=models.PROTECT, related_name="dispatches", verbose_name=_("unit")
    )
    district = models.ForeignKey(
        "streets.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="copied_dispatches",
        help_text=_("A street's district, which receives a copy of the street's tickets."),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.PRIMARY)
    is_current = models.BooleanField(
        _("current"), default=True, help_text=_("False once the appeal has left this unit.")
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    dispatched_at = models.DateTimeField(_("dispatched at"), default=timezone.now)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("Empty when routed automatically."),
    )
    response_due = models.DateTimeField(_("respond by"))
    resolve_due = models.DateTimeField(_("resolve by"))
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    answer = models.TextField(_("answer to the resident"), blank=True)

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["resolve_due", "id"]
        indexes = [
            models.Index(fields=["unit", "state", "resolve_due"], name="dispatch_queue"),
            models.Index(fields=["district", "state", "resolve_due"], name="dispatch_district_queue"),
            models.Index(fields=["state", "response_due"], name="dispatch_response_sweep"),
            models.Index(fields=["state", "resolve_due"], name="dispatch_resolve_sweep"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"], condition=models.Q(role="primary", is_current=True),
                name="one_current_primary_dispatch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} -> {self.unit_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def is_response_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.responded_at is None and self.response_due < now

    def is_resolve_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.resolved_at is None and self.resolve_due < now

    @property
    def is_overdue(self) -> bool:
        now = timezone.now()
        return self.is_response_overdue(now) or self.is_resolve_overdue(now)
