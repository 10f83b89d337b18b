"""The dashboard's tables, defined once: the page shows them, and exports write exactly the same
rows and columns (with the same filters), as CSV or Excel. Values stay raw (Decimals, seconds,
dates) until shown or written, so an export keeps the exact rates."""
from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appeals.models import Appeal
from appeals.privacy import contact_for
from dispatch.dashboard.figures import Dashboard, DistrictFigures
from dispatch.metrics.counts import COUNT_FIELDS
from dispatch.metrics.ranking import RankingRow
from streets.models import Unit

HOURS = Decimal("0.01")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # text, int, rate (a fraction shown as %), score, hours (from seconds), day, time, yes (a flag)
    kind: str = "int"


@dataclass
class Row:
    values: dict
    link: str = ""  # where the first cell leads (the drill-down)
    flagged: bool = False  # the flagged bottom of a ranking
    total: bool = False


@dataclass
class Table:
    slug: str
    title: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    name: str = ""  # the export's file name, without extension
    link_key: str = ""  # the column whose cells lead to the row's link

    def cells(self, row: Row) -> list:
        return [row.values.get(column.key) for column in self.columns]

    def shown(self) -> list[dict]:
        """The rows as the page shows them: each row's cells as HTML (each cell's text, its kind as
        class and, on the link column, a link). Built here rather than cell by cell in the template:
        a month's ranking has thousands of cells, and the template engine took most of the page's time."""
        return [{"row": row, "html": mark_safe("".join(  # noqa: S308 (every piece is escaped)
            _cell(display(value, column.kind), column.kind, row.link if column.key == self.link_key else "")
            for value, column in zip(self.cells(row), self.columns, strict=True)
        ))} for row in self.rows]


def _cell(text: str, kind: str, link: str) -> str:
    """One cell's HTML; `kind` is one of the Column kinds (a fixed word), text and link are escaped."""
    text = html.escape(text)
    if link:
        text = f'<a href="{html.escape(link)}">{text}</a>'
    return f'<td class="{kind}">{text}</td>'


def hours(seconds: int | None) -> Decimal | None:
    """Seconds as hours with two decimals (how durations are shown and exported)."""
    return None if seconds is None else (Decimal(seconds) / 3600).quantize(HOURS, rounding=ROUND_HALF_UP)


def display(value, kind: str) -> str:
    """A raw cell as the page shows it."""
    if value is None or value == "":
        return "—" if kind != "yes" else ""
    if kind == "rate":
        return f"{value * 100:.2f}%"
    if kind == "score":
        return f"{value:.4f}"
    if kind == "hours":
        return f"{hours(value)}"
    if kind == "day":
        return f"{value:%Y-%m-%d}"
    if kind == "time":
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if kind == "yes":
        return _("yes") if value else ""
    return str(value)


# --- the tables --------------------------------------------------------------------------------


def intake_table(dashboard: Dashboard) -> Table:
    received = dashboard.intake()
    rows = [Row({"channel": label, "appeals": received[value]}) for value, label in Appeal.Channel.choices]
    rows.append(Row({"channel": _("Total"), "appeals": sum(received.values())}, total=True))
    return Table(
        "intake", _("Appeals received today (%(day)s)") % {"day": f"{dashboard.filters.today:%Y-%m-%d}"},
        [Column("channel", _("Channel"), "text"), Column("appeals", _("Appeals"))], rows,
        name=f"intake-{dashboard.filters.today:%Y-%m-%d}",
    )


def first_contact_table(dashboard: Dashboard) -> Table:
    """The period's consultations answered at first contact from the knowledge base: the city's
    share, then by channel and by category."""
    figures = dashboard.first_contact

    def row(group: str, name: str, consultations: int, answered: int, total: bool = False) -> Row:
        share = (Decimal(answered) / Decimal(consultations)).quantize(Decimal("0.0001")) if consultations else None
        return Row({"group": group, "name": name, "consultations": consultations, "answered": answered,
                    "share": share}, total=total)

    rows = [row(_("Whole city"), "", figures.consultations, figures.answered, total=True)]
    rows += [row(_("Channel"), name, n, a) for name, n, a in figures.by_channel]
    rows += [row(_("Category"), name, n, a) for name, n, a in figures.by_category]
    period = dashboard.filters.period
    return Table(
        "first-contact", _("Consultations answered at first contact (%(period)s)") % {"period": period.key},
        [Column("group", _("Figures for"), "text"), Column("name", _("Name"), "text"),
         Column("consultations", _("Consultations")), Column("answered", _("Answered from the knowledge base")),
         Column("share", _("Share answered at first contact"), "rate")],
        rows, name=f"first-contact-{period.key}",
    )


DAY_COLUMNS = [
    Column("responded", gettext_lazy("Responses")),
    Column("median_response_seconds", gettext_lazy("Median response time (hours)"), "hours"),
    Column("p90_response_seconds", gettext_lazy("90th percentile response time (hours)"), "hours"),
]


def district_table(dashboard: Dashboard) -> Table:
    def row(figures: DistrictFigures) -> Row:
        return Row({"district": figures.name, "open": figures.open, "overdue": figures.overdue,
                    **{column.key: getattr(figures, column.key) for column in DAY_COLUMNS}},
                   total=figures.code == "*")

    return Table(
        "districts", _("Open and overdue tickets by district"),
        [Column("district", _("District"), "text"), Column("open", _("Open tickets")), Column("overdue", _("Overdue")),
         *DAY_COLUMNS],
        [row(figures) for figures in dashboard.districts],
        name=f"districts-{dashboard.filters.today:%Y-%m-%d}{_district_suffix(dashboard)}",
    )


def series_table(dashboard: Dashboard) -> Table:
    points = dashboard.series
    return Table(
        "response-times", _("Response time per day, last %(days)d days") % {"days": len(points)},
        [Column("day", _("Day"), "day"), *DAY_COLUMNS],
        [Row({"day": point.day, **{column.key: getattr(point, column.key) for column in DAY_COLUMNS}})
         for point in points],
        name=f"response-times-{points[0].day:%Y-%m-%d}-{points[-1].day:%Y-%m-%d}{_district_suffix(dashboard)}",
    )


COUNT_LABELS = {
    "dispatched": gettext_lazy("Dispatched"), "summoned": gettext_lazy("Co-handling"),
    "due_for_response": gettext_lazy("Due for response"), "responded_on_time": gettext_lazy("Responded on time"),
    "rated": gettext_lazy("Rated"), "solved": gettext_lazy("Solved"), "satisfied": gettext_lazy("Satisfied"),
    "basic": gettext_lazy("Basically satisfied"), "dissatisfied": gettext_lazy("Dissatisfied"),
    "overdue": gettext_lazy("Overdue"), "returned": gettext_lazy("Returned"), "reopened": gettext_lazy("Reopened"),
}
RANKING_TITLES = {Unit.Kind.STREET: gettext_lazy("Ranking of streets and townships, %(period)s"),
                  Unit.Kind.DEPARTMENT: gettext_lazy("Ranking of departments, %(period)s")}


def ranking_table(dashboard: Dashboard, kind: str) -> Table:
    period = dashboard.filters.period
    columns = [
        Column("rank", _("Rank")), Column("unit", _("Unit"), "text"), Column("district", _("District"), "text"),
        Column("response", _("Response rate"), "rate"), Column("resolution", _("Resolution rate"), "rate"),
        Column("satisfaction", _("Satisfaction rate"), "rate"), Column("composite", _("Composite score"), "score"),
        *(Column(name, str(COUNT_LABELS[name])) for name in COUNT_FIELDS),
        Column("median_response_seconds", _("Median response time (hours)"), "hours"),
        Column("bottom", _("Flagged at the bottom"), "yes"),
        Column("kb_stale", _("Knowledge entries past review")),
    ]

    link = drill_down(dashboard)
    stale = dashboard.knowledge_stale

    def row(ranked: RankingRow) -> Row:
        rates = ranked.rates
        return Row(
            {"rank": ranked.rank, "unit": ranked.name, "district": ranked.district, "response": rates.response,
             "resolution": rates.resolution, "satisfaction": rates.satisfaction, "composite": rates.composite,
             **ranked.counts, "median_response_seconds": ranked.median_response_seconds, "bottom": ranked.bottom,
             "kb_stale": stale.get(ranked.unit_id, 0)},
            link=link(ranked.code), flagged=ranked.bottom,
        )

    return Table(
        f"ranking-{kind}s", str(RANKING_TITLES[kind]) % {"period": period.key}, columns,
        [row(ranked) for ranked in dashboard.rankings.get(kind, [])],
        name=f"ranking-{kind}s-{period.key}{_district_suffix(dashboard)}", link_key="unit",
    )


def drill_down(dashboard: Dashboard) -> Callable[[str], str]:
    """unit code -> the queue filtered on the unit's tickets dispatched in the period (any state).
    The period's part of the address is built once per table, not once per unit."""
    period = dashboard.filters.period
    last_day = (period.end - timedelta(days=1)).date()  # the end is the next period's first midnight
    rest = urlencode({"state": "", "dispatched_from": f"{period.start:%Y-%m-%d}",
                      "dispatched_to": f"{last_day:%Y-%m-%d}"})
    queue = reverse("console:queue")
    return lambda unit_code: f"{queue}?{urlencode({'unit': unit_code})}&{rest}"


def _district_suffix(dashboard: Dashboard) -> str:
    return f"-{dashboard.filters.district.code}" if dashboard.filters.district else ""


TABLES: dict[str, Callable[[Dashboard], Table]] = {
    "intake": intake_table,
    "districts": district_table,
    "response-times": series_table,
    "first-contact": first_contact_table,
    "ranking-streets": lambda dashboard: ranking_table(dashboard, Unit.Kind.STREET),
    "ranking-departments": lambda dashboard: ranking_table(dashboard, Unit.Kind.DEPARTMENT),
}


def table_slugs(filters) -> list[str]:
    """The tables the filters ask for (a ranking only for the kinds chosen)."""
    return [slug for slug in TABLES if not slug.startswith("ranking-")] + [
        f"ranking-{kind}s" for kind in filters.kinds
    ]


def tables_for(dashboard: Dashboard) -> dict[str, Table]:
    return {slug: TABLES[slug](dashboard) for slug in table_slugs(dashboard.filters)}


def ticket_table(dispatches, *, name: str) -> Table:
    """A list of tickets for export; the resident's name and phone always masked (an export leaves
    the console, and nobody calls from a spreadsheet)."""
    columns = [
        Column("number", _("Appeal"), "text"), Column("received", _("Received at"), "time"),
        Column("category", _("Category"), "text"), Column("urgency", _("Urgency"), "text"),
        Column("unit", _("Unit"), "text"), Column("state", _("State"), "text"),
        Column("dispatched", _("Dispatched at"), "time"), Column("response_due", _("Respond by"), "time"),
        Column("responded", _("Responded at"), "time"), Column("resolve_due", _("Resolve by"), "time"),
        Column("resolved", _("Resolved at"), "time"), Column("overdue", _("Overdue"), "yes"),
        Column("contact_name", _("Contact name (masked)"), "text"),
        Column("contact_phone", _("Contact phone (masked)"), "text"),
    ]
    rows = []
    for dispatch in dispatches:
        appeal = dispatch.appeal
        contact = contact_for(appeal, reveal=False)
        rows.append(Row({
            "number": appeal.number, "received": appeal.created_at,
            "category": appeal.category.display_name if appeal.category_id else "",
            "urgency": appeal.get_urgency_display(), "unit": dispatch.unit.display_name,
            "state": dispatch.get_state_display(), "dispatched": dispatch.dispatched_at,
            "response_due": dispatch.response_due, "responded": dispatch.responded_at,
            "resolve_due": dispatch.resolve_due, "resolved": dispatch.resolved_at, "overdue": dispatch.is_overdue,
            "contact_name": contact.name, "contact_phone": contact.phone,
        }))
    return Table("tickets", _("Tickets"), columns, rows, name=name)
