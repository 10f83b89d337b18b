"""The supervisor dashboard's filters (django-filter), shared by the page, its exports and the API."""
import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from dispatch.metrics.periods import FIRST_LABEL, LAST_LABEL
from streets.models import Unit


class MonthFilter(django_filters.DateFilter):
    """A month written YYYY-MM (the first day of it); it filters nothing itself: the dashboard
    reads it to pick the assessment period (only months whose period can be counted)."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m"], method=lambda queryset, name, value: queryset,
                         widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                         validators=[MinValueValidator(FIRST_LABEL), MaxValueValidator(LAST_LABEL)], **kwargs)


class DashboardFilter(django_filters.FilterSet):
    """The supervisor dashboard's filters, shared by the page, its exports and the API. Over units:
    the ranking tables list the units it lets through."""

    period = MonthFilter(label=_("Assessment month"), help_text=_("YYYY-MM; empty: the running month."))
    district = django_filters.ModelChoiceFilter(
        label=_("District"), field_name="parent", to_field_name="code", empty_label=_("All districts"),
        queryset=Unit.objects.filter(kind=Unit.Kind.DISTRICT).order_by("code"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Ranking"), field_name="kind", empty_label=_("Streets and departments"),
        choices=[(Unit.Kind.STREET, _("Streets / townships")), (Unit.Kind.DEPARTMENT, _("Departments"))],
    )

    class Meta:
        model = Unit
        fields = ["period", "district", "kind"]
