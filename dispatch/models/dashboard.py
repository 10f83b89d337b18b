"""Daily rollups behind the supervisor dashboard: one row per local day for the city, and one per
day and district.

Why a rollup rather than live queries: with a year of ~25 million appeals, today's intake is
tens of thousands of rows, the open tickets hundreds of thousands, and a percentile of response
times cannot be read from an index at all; grouping them on every page view would cost seconds.
The beat task that refreshes the rankings (every few minutes) recounts today's and yesterday's
figures into these rows, so the dashboard reads a few dozen small rows whatever the volume, and
shows when they were counted.

Intake and response times are flows (recounted from the appeals and the response events of the
day, so a late refresh still gets a past day right); open and overdue are a snapshot taken at
`as_of` (for a past day: at the last refresh of that day; None when never taken).
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class DayFigures(models.Model):
    """What the city row and the district rows both carry."""

    day = models.DateField(_("day"))
    open = models.PositiveIntegerField(_("open"), null=True, blank=True)
    overdue = models.PositiveIntegerField(_("overdue"), null=True, blank=True)
    responded = models.PositiveIntegerField(_("responses"), default=0)
    median_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    p90_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    as_of = models.DateTimeField(_("counted as of"))

    class Meta:
        abstract = True


class DailyStats(DayFigures):
    """The whole city on one day: appeals received by channel, tickets open and overdue (every
    unit's), and the time from dispatch to response of the responses made that day."""

    received_web = models.PositiveIntegerField(default=0)
    received_phone = models.PositiveIntegerField(default=0)
    received_api = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily statistics")
        verbose_name_plural = _("daily statistics")
        constraints = [models.UniqueConstraint(fields=["day"], name="one_daily_stats_per_day")]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}"

    @property
    def received(self) -> int:
        return self.received_web + self.received_phone + self.received_api


class DistrictDailyStats(DayFigures):
    """One district's streets on one day; `district` empty: the units outside any district (the
    departments), so the rows of a day add up to the city's open and overdue tickets."""

    district = models.ForeignKey(
        "streets.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("district"),
    )

    class Meta:
        verbose_name = _("daily statistics of a district")
        verbose_name_plural = _("daily statistics of districts")
        constraints = [
            models.UniqueConstraint(fields=["day", "district"], name="one_district_stats_per_day",
                                    condition=models.Q(district__isnull=False)),
            models.UniqueConstraint(fields=["day"], name="one_departments_stats_per_day",
                                    condition=models.Q(district__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.district_id or '-'}"
