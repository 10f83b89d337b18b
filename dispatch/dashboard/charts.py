"""The dashboard's charts as server-rendered SVG: the geometry is worked out here, the markup is
in templates (dispatch/dashboard/*_chart.html). No script and no inline style is needed (the
content security policy allows neither); colours and fonts come from the site's stylesheet, and
each chart has a <title>, a <desc> and a table of the same figures beside it."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from dispatch.dashboard.figures import DayPoint, DistrictFigures
from dispatch.dashboard.tables import hours

WIDTH = 640


@dataclass(frozen=True)
class Tick:
    at: float  # the x or y coordinate
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # what a pointer hovering on it reads


@dataclass(frozen=True)
class Line:
    css: str
    label: str
    path: str
    points: list[Point]


@dataclass(frozen=True)
class LineChart:
    title: str
    desc: str
    lines: list[Line]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    empty: bool
    width: int = WIDTH
    height: int = 260
    left: int = 52
    top: int = 34
    right: int = WIDTH - 24
    bottom: int = 226

    @property
    def tick_x(self) -> int:  # where the y axis labels end
        return self.left - 6

    @property
    def label_y(self) -> int:  # the baseline of the x axis labels
        return self.bottom + 18

    @property
    def middle(self) -> tuple[int, int]:
        return (self.left + self.right) // 2, (self.top + self.bottom) // 2

    @property
    def legend(self) -> list[tuple[int, Line]]:
        """(x, line) for each series, side by side above the plot."""
        return [(self.left + index * 170, line) for index, line in enumerate(self.lines)]


def nice_step(maximum: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that covers `maximum` in about `ticks`."""
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def response_time_chart(points: list[DayPoint]) -> LineChart:
    """Median and 90th percentile response time per day, in hours."""
    chart = LineChart("", "", [], [], [], empty=True)
    series = [("median", _("Median"), "median_response_seconds"), ("p90", _("90th percentile"), "p90_response_seconds")]
    values = [getattr(p, attr) for p in points for _css, _label, attr in series if getattr(p, attr) is not None]
    top_hours = max((float(hours(v)) for v in values), default=0.0) or 1.0
    step = nice_step(top_hours)
    y_max = step * math.ceil(top_hours / step)
    plot_w, plot_h = chart.right - chart.left, chart.bottom - chart.top
    x_step = plot_w / max(len(points) - 1, 1)

    def y(seconds: int) -> float:
        return round(chart.bottom - float(hours(seconds)) / y_max * plot_h, 1)

    lines = []
    for css, label, attr in series:
        drawn: list[Point] = []
        path, pen_down = [], False
        for index, point in enumerate(points):
            seconds = getattr(point, attr)
            if seconds is None:
                pen_down = False
                continue
            x = round(chart.left + index * x_step, 1)
            path.append(f"{'L' if pen_down else 'M'}{x} {y(seconds)}")
            pen_down = True
            drawn.append(Point(x, y(seconds), _("%(day)s, %(series)s: %(hours)s h") % {
                "day": f"{point.day:%Y-%m-%d}", "series": label, "hours": hours(seconds)}))
        lines.append(Line(css, label, " ".join(path), drawn))
    steps = round(y_max / step)
    y_ticks = [Tick(round(chart.bottom - i * plot_h / steps, 1), _number(i * step)) for i in range(steps + 1)]
    every = max(len(points) // 6, 1)
    x_ticks = [Tick(round(chart.left + i * x_step, 1), f"{point.day:%m-%d}")
               for i, point in enumerate(points) if (len(points) - 1 - i) % every == 0]
    first, last = (f"{points[0].day:%Y-%m-%d}", f"{points[-1].day:%Y-%m-%d}") if points else ("", "")
    return LineChart(
        title=_("Response time per day (hours)"),
        desc=_("Median and 90th percentile of the time from dispatch to response, in hours, of the responses "
               "made each day from %(first)s to %(last)s. The table below gives the same figures.")
        % {"first": first, "last": last},
        lines=lines, x_ticks=x_ticks, y_ticks=y_ticks, empty=not values,
    )


@dataclass(frozen=True)
class Bar:
    css: str
    x: float
    y: float
    width: float
    height: float
    value: str
    label: str

    @property
    def value_x(self) -> float:
        return round(self.x + self.width + 4, 1)

    @property
    def value_y(self) -> float:
        return self.y + self.height - 2


@dataclass(frozen=True)
class BarRow:
    label: str
    y: float  # the label's baseline
    bars: list[Bar] = field(default_factory=list)


@dataclass(frozen=True)
class BarChart:
    title: str
    desc: str
    rows: list[BarRow]
    legend: list[tuple[str, str]]
    empty: bool
    width: int = WIDTH
    height: int = 0
    left: int = 210

    @property
    def label_x(self) -> int:
        return self.left - 8

    @property
    def legend_items(self) -> list[tuple[int, str, str]]:
        """(x, label, css) for each series, side by side above the bars."""
        return [(self.left + index * 120, label, css) for index, (label, css) in enumerate(self.legend)]


ROW_HEIGHT, BAR_HEIGHT, TOP = 34, 12, 30


def open_tickets_chart(districts: list[DistrictFigures]) -> BarChart:
    """Open and overdue tickets per district (the city's total row left out: it would dwarf them)."""
    shown = [d for d in districts if d.code != "*"]
    series = [("open", _("Open tickets"), "bar-open"), ("overdue", _("Overdue"), "bar-overdue")]
    chart = BarChart("", "", [], [], empty=True)
    biggest = max((d.open or 0 for d in shown), default=0) or 1
    room = chart.width - chart.left - 60  # leave space for the value after the longest bar
    rows = []
    for index, district in enumerate(shown):
        top = TOP + index * ROW_HEIGHT
        bars = []
        for offset, (attr, label, css) in enumerate(series):
            count = getattr(district, attr) or 0
            width = round(count / biggest * room, 1)
            bars.append(Bar(css, chart.left, top + offset * (BAR_HEIGHT + 2), width, BAR_HEIGHT, str(count),
                            f"{district.name}, {label}: {count}"))
        rows.append(BarRow(district.name, top + BAR_HEIGHT + 2, bars))
    return BarChart(
        title=_("Open and overdue tickets by district"),
        desc=_("For each district, and for the departments outside any district, the tickets open and the "
               "tickets overdue at the last count. The table below gives the same figures."),
        rows=rows, legend=[(label, css) for _attr, label, css in series],
        empty=not any(d.open for d in shown), height=TOP + len(rows) * ROW_HEIGHT + 8,
    )
