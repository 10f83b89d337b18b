"""The supervisor dashboard, its exports, and the export of a filtered ticket list (supervisors
only). The figures come from dispatch/dashboard/: these views only read the filters and render."""
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.console.views import form_errors, queue_filter, role_or_403
from dispatch.dashboard.charts import open_tickets_chart, response_time_chart
from dispatch.dashboard.exports import export
from dispatch.dashboard.figures import Dashboard, filters_from
from dispatch.dashboard.tables import TABLES, table_slugs, tables_for, ticket_table
from streets.models import Officer

EXPORT_MAX_ROWS = 10_000


@login_required
def dashboard(request):
    officer = role_or_403(request, Officer.Role.SUPERVISOR)
    filterset, filters = filters_from(request.GET)
    if filters is None:  # show the errors beside the figures of the default filters
        filters = filters_from({})[1]
    figures = Dashboard(filters)
    tables = tables_for(figures)
    return render(
        request, "dispatch/dashboard.html",
        {"officer": officer, "filter": filterset, "filters": filters, "dashboard": figures,
         "intake_table": tables["intake"], "district_table": tables["districts"],
         "series_table": tables["response-times"], "first_contact_table": tables["first-contact"],
         "ranking_tables": [table for slug, table in tables.items() if slug.startswith("ranking-")],
         "intake_total": sum(figures.intake().values()),
         "line_chart": response_time_chart(figures.series), "bar_chart": open_tickets_chart(figures.districts),
         "query": request.GET.urlencode()},
        status=400 if filterset.errors else 200,
    )


@login_required
def dashboard_export(request, table: str, fmt: str):
    role_or_403(request, Officer.Role.SUPERVISOR)
    filterset, filters = filters_from(request.GET)
    if filters is None:
        return HttpResponse(form_errors(filterset.form), status=400, content_type="text/plain; charset=utf-8")
    if table not in table_slugs(filters):
        raise Http404
    return export(TABLES[table](Dashboard(filters)), fmt)


@login_required
def queue_export(request, fmt: str):
    """The supervisor's queue with its filters (e.g. one unit's tickets from the drill-down)."""
    officer = role_or_403(request, Officer.Role.SUPERVISOR)
    dispatch_filter = queue_filter(request, officer)
    if not dispatch_filter.is_valid():
        return HttpResponse(form_errors(dispatch_filter.form), status=400, content_type="text/plain; charset=utf-8")
    dispatches = dispatch_filter.qs
    total = dispatches.count()
    if total > EXPORT_MAX_ROWS:
        message = _("%(count)d tickets match: narrow the filters to at most %(max)d to export them.") % {
            "count": total, "max": EXPORT_MAX_ROWS}
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    unit = dispatch_filter.form.cleaned_data.get("unit")
    name = f"tickets-{unit.code if unit else 'all'}-{timezone.localtime():%Y-%m-%d-%H%M}"
    return export(ticket_table(dispatches, name=name), fmt)
