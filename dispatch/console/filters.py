"""Queue filters (django-filter), shared by the officer console and the API (the dashboard's are
dispatch/dashboard/filters.py)."""
import django_filters
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal, Category
from dispatch.models import Dispatch
from streets.models import Unit
from streets.roles import officer_of
from streets.selectors import DISPATCH_TARGET_KINDS

LATEST_FIRST = gettext_noop("%s (latest first)")
_latest_first = lazy(lambda label: gettext(LATEST_FIRST) % label, str)


class LatestFirstOrderingFilter(django_filters.OrderingFilter):
    """Names the descending choices in the project's own words, translated when a page is drawn
    (django-filter formats them once, at import, in whatever language is active then)."""

    descending_fmt = LATEST_FIRST

    def build_choices(self, fields, labels):
        choices = super().build_choices(fields, labels)
        ascending = dict(choices)
        return [(value, _latest_first(ascending[value[1:]]) if value.startswith("-") else label)
                for value, label in choices]


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
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), field_name="unit", to_field_name="code", empty_label=_("All"),
        # every unit that can have tickets, closed ones too (their past tickets stay searchable)
        queryset=Unit.objects.filter(kind__in=DISPATCH_TARGET_KINDS).order_by("kind", "code")
        .only("code", "kind", "name", "name_en"),  # not the streets' boundaries: only names are listed
    )  # supervisors only: the drill-down from the dashboard's rankings
    dispatched_from = django_filters.DateFilter(
        label=_("Dispatched from"), field_name="dispatched_at", lookup_expr="date__gte"
    )
    dispatched_to = django_filters.DateFilter(
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
        fields = ["state", "category", "urgency", "overdue", "unit", "dispatched_from", "dispatched_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        officer = officer_of(self.request.user) if self.request is not None else None
        if officer is None or not officer.is_supervisor:
            del self.filters["unit"]  # everyone else sees one unit's tickets (or a district's copies)

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(state__in=Dispatch.OPEN_STATES)
        return queryset.filter(state=value) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value == "yes":
            return queryset.overdue()
        return queryset.not_overdue() if value == "no" else queryset
