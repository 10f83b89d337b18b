"""Queue filters (django-filter), shared by the officer console and the API."""
import django_filters
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal, Category

from .models import Dispatch
from .selectors import overdue_q


class DispatchFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=[("open", _("Open (not resolved)")), *Dispatch.State.choices],
        method="filter_state",
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), field_name="appeal__category", to_field_name="code",
        queryset=Category.objects.filter(is_leaf=True, active=True),
    )
    urgency = django_filters.ChoiceFilter(
        label=_("Urgency"), field_name="appeal__urgency", choices=Appeal.Urgency.choices
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    received_from = django_filters.DateFilter(
        label=_("Dispatched from"), field_name="dispatched_at", lookup_expr="date__gte"
    )
    received_to = django_filters.DateFilter(
        label=_("Dispatched until"), field_name="dispatched_at", lookup_expr="date__lte"
    )
    ordering = django_filters.OrderingFilter(
        label=_("Order by"),
        fields=(("resolve_due", "resolve_due"), ("response_due", "response_due"), ("dispatched_at", "dispatched_at")),
        field_labels={
            "resolve_due": _("Resolve deadline"),
            "response_due": _("Response deadline"),
            "dispatched_at": _("Dispatched at"),
        },
    )

    class Meta:
        model = Dispatch
        fields = ["state", "category", "urgency", "overdue", "received_from", "received_to"]

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(state__in=Dispatch.OPEN_STATES)
        return queryset.filter(state=value) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
