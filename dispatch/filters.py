"""Queue filters (django-filter), shared by the officer console and the API."""
import django_filters
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal, Category

from .models import Dispatch
from .selectors import overdue_q


class LatestFirstOrderingFilter(django_filters.OrderingFilter):
    """Names the descending choices in the project's own (translated) words."""

    descending_fmt = _("%s (latest first)")


class DispatchFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=[("open", _("Open (not resolved)")), *Dispatch.State.choices],
        method="filter_state", empty_label=_("All"),
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), field_name="appeal__category", to_field_name="code",
        queryset=Category.objects.filter(is_leaf=True, active=True), empty_label=_("All"),
    )
    urgency = django_filters.ChoiceFilter(
        label=_("Urgency"), field_name="appeal__urgency", choices=Appeal.Urgency.choices, empty_label=_("All"),
    )
    overdue = django_filters.ChoiceFilter(
        label=_("Deadline"), method="filter_overdue", empty_label=_("All"),
        choices=[("yes", _("Overdue")), ("no", _("On time"))],
    )
    received_from = django_filters.DateFilter(
        label=_("Dispatched from"), field_name="dispatched_at", lookup_expr="date__gte"
    )
    received_to = django_filters.DateFilter(
        label=_("Dispatched until"), field_name="dispatched_at", lookup_expr="date__lte"
    )
    ordering = LatestFirstOrderingFilter(
        label=_("Order by"),
        fields=(("resolve_due", "resolve_due"), ("response_due", "response_due"), ("dispatched_at", "dispatched_at")),
        field_labels={
            "resolve_due": _("Resolve deadline"),
            "response_due": _("Response deadline"),
            "dispatched_at": _("Dispatched at"),
        },
        empty_label=_("Resolve deadline (default)"),
    )

    class Meta:
        model = Dispatch
        fields = ["state", "category", "urgency", "overdue", "received_from", "received_to"]

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(state__in=Dispatch.OPEN_STATES)
        return queryset.filter(state=value) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(overdue_q())
        return queryset.exclude(overdue_q()) if value == "no" else queryset
