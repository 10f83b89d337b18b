"""The rules the clock runs on: the city's corrections to the official calendar, and the time
limits per category tier or category, each kept with the moment it took effect."""
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appeals.models import Tier


class CalendarDay(models.Model):
    """A day the city declares a working day or a day off, whatever the official schedule says.

    Used to correct the library and to enter a year's schedule before the library knows it."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Day off (public holiday)")
        WORKDAY = "workday", _("Working day (e.g. a make-up day)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("E.g. Spring Festival."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"


class CalendarYear(models.Model):
    """Marks a year whose official schedule the city has entered in full as CalendarDay rows, so
    deadlines in it are no longer provisional even before the library is upgraded."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    complete = models.BooleanField(
        _("schedule complete"), default=True,
        help_text=_("Every public holiday and make-up working day of the year has been entered."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class TimeLimit(models.Model):
    """How long a unit has to respond and to resolve, for a tier or one category.

    Rows are never edited once in force: a new rule is a new row with a later `effective_from`,
    so every dispatch is judged by the rule in force when it was made."""

    Tier = Tier  # one set of tiers, the categories' (appeals.models.Tier)

    class LimitUnit(models.TextChoices):
        HOURS = "h", _("hours, around the clock")
        WORKING_HOURS = "wh", _("hours on working days")
        WORKING_DAYS = "wd", _("working days")

    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, blank=True)
    category = models.ForeignKey(
        "appeals.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="time_limits",
        verbose_name=_("category"), limit_choices_to={"is_leaf": True},
    )
    respond_within = models.PositiveIntegerField(_("respond within"))
    respond_unit = models.CharField(_("unit"), max_length=2, choices=LimitUnit.choices)
    resolve_within = models.PositiveIntegerField(_("resolve within"))
    resolve_unit = models.CharField(_("unit"), max_length=2, choices=LimitUnit.choices)
    effective_from = models.DateTimeField(_("in force from"), default=timezone.now)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        ordering = ["tier", "category", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(category__isnull=True) & ~models.Q(tier=""))
                | (models.Q(category__isnull=False) & models.Q(tier="")),
                name="time_limit_tier_xor_category",
            ),
            models.CheckConstraint(
                condition=models.Q(respond_within__gt=0, resolve_within__gt=0), name="time_limit_positive"
            ),
        ]

    def __str__(self) -> str:
        scope = self.category or self.get_tier_display()
        return f"{scope}: {self.respond_within}{self.respond_unit} / {self.resolve_within}{self.resolve_unit}"

    def clean(self):
        if bool(self.category_id) == bool(self.tier):
            raise ValidationError(_("Choose either a tier or a category."))
        if self._state.adding and self.effective_from < timezone.now() - timezone.timedelta(minutes=5):
            raise ValidationError(
                {"effective_from": _("A new rule cannot take effect in the past: it would rejudge old appeals.")}
            )
