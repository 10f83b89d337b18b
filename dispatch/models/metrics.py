"""Scoring rules and the monthly rollups the rankings are read from."""
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

WEIGHT = {"max_digits": 5, "decimal_places": 4, "validators": [MinValueValidator(0), MaxValueValidator(1)]}


class ScoringRule(models.Model):
    """How a period is scored: the weights of the three rates, the weight of "basically satisfied",
    and where an assessment month starts. Versioned: each period is scored by the rule in force at
    its label month, so changing the rule mid-year never rescores the past."""

    effective_from = models.DateField(
        _("first assessment month"), unique=True,
        help_text=_("The first day of the first month scored by this rule."),
    )
    w_response = models.DecimalField(_("weight of the response rate"), default=Decimal("0.1"), **WEIGHT)
    w_resolution = models.DecimalField(_("weight of the resolution rate"), default=Decimal("0.5"), **WEIGHT)
    w_satisfaction = models.DecimalField(_("weight of the satisfaction rate"), default=Decimal("0.4"), **WEIGHT)
    w_basic = models.DecimalField(_("weight of 'basically satisfied'"), default=Decimal("0.9"), **WEIGHT)
    period_start_day = models.PositiveSmallIntegerField(
        _("assessment month starts on day"), default=1, validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("1 for calendar months; 19 for months that run from the 19th to the 18th."),
    )
    bottom_share = models.DecimalField(
        _("share of units flagged at the bottom"), default=Decimal("0.1"), **WEIGHT,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m}"

    def clean(self):
        if self.effective_from and self.effective_from.day != 1:
            raise ValidationError({"effective_from": _("Give the first day of a month.")})
        total = (self.w_response or 0) + (self.w_resolution or 0) + (self.w_satisfaction or 0)
        if total != 1:
            raise ValidationError(_("The three weights must add up to 1."))


class UnitPeriodStats(models.Model):
    """One unit's counts for one assessment period, kept current by Celery; rates are derived from
    these integers only, so the rollup and a recount from the event log agree to the last digit."""

    unit = models.ForeignKey("streets.Unit", on_delete=models.PROTECT, related_name="period_stats")
    period = models.DateField(_("assessment month"), help_text=_("The first day of the label month."))
    dispatched = models.PositiveIntegerField(default=0)
    due_for_response = models.PositiveIntegerField(default=0)
    responded_on_time = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basic = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    summoned = models.PositiveIntegerField(default=0, help_text=_("Co-handling dispatches (whistles answered)."))
    median_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    as_of = models.DateTimeField(_("counted as of"))

    class Meta:
        verbose_name = _("unit period statistics")
        verbose_name_plural = _("unit period statistics")
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="one_rollup_per_unit_period")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period:%Y-%m}"
