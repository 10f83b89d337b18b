"""How appeals move: one Dispatch per assignment of an appeal to a unit.

The dispatch is the unit of accountability: deadlines, response and resolution attach to it, not
to the appeal, so a re-dispatched appeal charges each unit only for its own period.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DispatchQuerySet(models.QuerySet):
    def overdue(self, now=None) -> DispatchQuerySet:
        """Past a deadline it has not met, at `now`: the queue's filter, the dashboard's snapshot."""
        return self.filter(overdue_condition(now))

    def not_overdue(self, now=None) -> DispatchQuerySet:
        return self.exclude(overdue_condition(now))


def overdue_condition(now=None) -> models.Q:
    """The one definition of "overdue": a response or a resolution still missing past its deadline,
    on a dispatch the unit still holds (a returned ticket is not charged to the unit that returned
    it). `Dispatch.is_overdue` evaluates the same clauses on a loaded row."""
    now = now or timezone.now()
    missed = (models.Q(responded_at__isnull=True, response_due__lt=now)
              | models.Q(resolved_at__isnull=True, resolve_due__lt=now))
    return missed & ~models.Q(state=Dispatch.State.RETURNED)


class Dispatch(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be signed for")
        SIGNED = "signed", _("Signed for")
        RESPONDED = "responded", _("Responded")
        RESOLVED = "resolved", _("Resolved")
        RETURNED = "returned", _("Returned to the center")

    class Role(models.TextChoices):
        PRIMARY = "primary", _("Responsible unit")
        COHANDLER = "cohandler", _("Co-handling department")

    OPEN_STATES = (State.PENDING, State.SIGNED, State.RESPONDED)
    UNRESPONDED_STATES = (State.PENDING, State.SIGNED)

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
    # The limits the deadlines were counted from, kept so they can be recounted (provisional
    # calendar years) and audited: the rule in force when the dispatch was made.
    respond_limit = models.CharField(_("response limit"), max_length=16, blank=True)
    resolve_limit = models.CharField(_("resolve limit"), max_length=16, blank=True)
    time_limit = models.ForeignKey(
        "dispatch.TimeLimit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("The city's rule in force at dispatch; empty when the built-in default applied."),
    )
    deadlines_provisional = models.BooleanField(
        _("provisional deadlines"), default=False,
        help_text=_("Counted on a year whose official holidays are not published yet."),
    )
    # When the sweep warns (a share of the time left) and whether it has warned / marked overdue.
    response_warn_at = models.DateTimeField(null=True, blank=True)
    resolve_warn_at = models.DateTimeField(null=True, blank=True)
    response_warned_at = models.DateTimeField(null=True, blank=True)
    resolve_warned_at = models.DateTimeField(null=True, blank=True)
    response_overdue_at = models.DateTimeField(_("response overdue since"), null=True, blank=True)
    resolve_overdue_at = models.DateTimeField(_("resolve overdue since"), null=True, blank=True)
    resolve_extended = models.BooleanField(
        _("deadline extended"), default=False, help_text=_("The resolve deadline was moved by an approved extension.")
    )
    whistle = models.ForeignKey(
        "dispatch.Whistle", null=True, blank=True, on_delete=models.PROTECT, related_name="dispatches",
        help_text=_("For a co-handling department: the summons that brought it in."),
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    reopened_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reopened_as",
        help_text=_("The dispatch whose unsolved, unsatisfying outcome sent the appeal back to the unit."),
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    answer = models.TextField(_("answer to the resident"), blank=True)

    objects = DispatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["resolve_due", "id"]
        # The sweeps read only rows still waiting for a warning or an overdue mark: small partial
        # indexes that empty themselves as tickets move on, whatever the size of the table.
        indexes = [
            models.Index(fields=["unit", "state", "resolve_due"], name="dispatch_queue"),
            models.Index(fields=["district", "state", "resolve_due"], name="dispatch_district_queue"),
            models.Index(
                fields=["response_due"], name="dispatch_response_sweep",
                condition=models.Q(state__in=["pending", "signed"], response_overdue_at__isnull=True),
            ),
            models.Index(
                fields=["resolve_due"], name="dispatch_resolve_sweep",
                condition=models.Q(state__in=["pending", "signed", "responded"], resolve_overdue_at__isnull=True),
            ),
            models.Index(
                fields=["response_warn_at"], name="dispatch_response_warn",
                condition=models.Q(state__in=["pending", "signed"], response_warned_at__isnull=True),
            ),
            models.Index(
                fields=["resolve_warn_at"], name="dispatch_resolve_warn",
                condition=models.Q(state__in=["pending", "signed", "responded"], resolve_warned_at__isnull=True),
            ),
            models.Index(
                fields=["dispatched_at"], name="dispatch_provisional",
                condition=models.Q(deadlines_provisional=True),
            ),
            # Every open ticket by deadline: the supervisors' queue, its first page read in index order
            # and its count (also of the overdue ones) from the index alone; without it, every open
            # ticket is fetched from the table and sorted on every view.
            models.Index(
                fields=["resolve_due", "id"], include=["response_due", "responded_at", "resolved_at"],
                name="dispatch_open_by_due", condition=models.Q(state__in=["pending", "signed", "responded"]),
            ),
            # The dashboard's snapshot of open and overdue tickets by district (metrics/daily.py).
            models.Index(
                fields=["district"], name="dispatch_open_by_district",
                condition=models.Q(state__in=["pending", "signed", "responded"]),
            ),
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

    @property
    def is_cohandling(self) -> bool:
        return self.role == self.Role.COHANDLER

    def is_response_overdue(self, now=None) -> bool:
        """The first clause of `overdue_condition`, on this row."""
        now = now or timezone.now()
        return self.state != self.State.RETURNED and self.responded_at is None and self.response_due < now

    def is_resolve_overdue(self, now=None) -> bool:
        """The second clause of `overdue_condition`, on this row."""
        now = now or timezone.now()
        return self.state != self.State.RETURNED and self.resolved_at is None and self.resolve_due < now

    @property
    def is_due_soon(self) -> bool:
        """Warned by the sweep and not yet overdue: shown as a badge in the queue."""
        if self.is_overdue:
            return False
        if self.state in self.UNRESPONDED_STATES and self.response_warned_at is not None:
            return True
        return self.is_open and self.resolve_warned_at is not None

    @property
    def is_overdue(self) -> bool:
        """`overdue_condition` on this row (tests/test_overdue.py holds the two to the same answers)."""
        now = timezone.now()
        return self.is_response_overdue(now) or self.is_resolve_overdue(now)
