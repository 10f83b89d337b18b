"""The supervisor dashboard: daily figures rolled up by the beat refresh, the page with its charts,
rankings and drill-down, exports, the API, and who may see what."""
import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from appeals.services import submit_appeal
from dispatch.dashboard.charts import nice_step, response_time_chart
from dispatch.dashboard.figures import DayPoint
from dispatch.metrics.daily import percentile_disc
from dispatch.models import DailyStats, DistrictDailyStats, UnitPeriodStats
from dispatch.routing import route
from dispatch.tasks import refresh_rankings
from streets.models import Unit

from .factories import UnitFactory
from .scenarios import Month, local

pytestmark = pytest.mark.django_db

TUESDAY = local(2026, 11, 10, 18, 0)  # an ordinary working day
THURSDAY = local(2026, 11, 12, 10, 0)


@pytest.fixture
def day(city, officers):
    """One Tuesday of tickets (see the comments), counted by the beat refresh at 18:00."""
    m = Month(city, officers)
    d = {}
    d["a1"] = m.dispatch(local(2026, 11, 10, 9, 0))  # responded after 1 h, resolved, rated well
    m.respond(d["a1"], local(2026, 11, 10, 10, 0))
    m.resolve(d["a1"], local(2026, 11, 10, 11, 0))
    m.rate(d["a1"], local(2026, 11, 10, 12, 0), True, "satisfied")
    d["a1_late"] = m.dispatch(local(2026, 11, 10, 9, 30))  # never responded
    d["b1"] = m.dispatch(local(2026, 11, 10, 9, 0), place=city.POINT_B1)  # responded after 4 h
    m.respond(d["b1"], local(2026, 11, 10, 13, 0))
    d["water"] = m.dispatch(local(2026, 11, 10, 10, 0), category=city.water_outage)  # after 30 min
    m.respond(d["water"], local(2026, 11, 10, 10, 30))
    with m.at(local(2026, 11, 10, 14, 0)):
        phone = submit_appeal(text="电话反映路灯不亮", channel="phone", category_code=city.noise.code,
                              latitude=39.95, longitude=116.15, contact_name="王五", contact_phone="13900000001")
        d["a2_phone"] = route.route_appeal(appeal_id=phone.appeal.pk)  # street A2, never responded
        submit_appeal(text="第三方应用提交", channel="api", contact_phone="13900000002")  # no category: triage
    with time_machine.travel(TUESDAY, tick=False):
        refresh_rankings()
    return d


def test_percentiles_are_postgresqls_percentile_disc():
    assert percentile_disc([], 0.5) is None
    assert percentile_disc([3600, 1800, 14400], 0.5) == 3600
    assert percentile_disc([1, 2, 3, 4], 0.5) == 2  # the lower middle, as statistics.median_low
    assert percentile_disc(list(range(1, 11)), 0.9) == 9
    assert percentile_disc(list(range(1, 12)), 0.9) == 10


def test_the_refresh_counts_the_day_by_channel_district_and_response_time(day, city):
    city_day = DailyStats.objects.get(day=date(2026, 11, 10))
    assert (city_day.received_web, city_day.received_phone, city_day.received_api) == (4, 1, 1)
    # responses after 30 min, 1 h and 4 h
    assert (city_day.responded, city_day.median_response_seconds, city_day.p90_response_seconds) == (3, 3600, 14400)
    assert (city_day.open, city_day.overdue, city_day.as_of) == (4, 0, TUESDAY)
    rows = {row.district_id: row for row in DistrictDailyStats.objects.filter(day=date(2026, 11, 10))}
    a, b, departments = rows[city.district_a.pk], rows[city.district_b.pk], rows[None]
    assert (a.open, a.overdue, a.responded, a.median_response_seconds, a.p90_response_seconds) == (2, 0, 1, 3600, 3600)
    assert (b.open, b.responded, b.median_response_seconds) == (1, 1, 14400)
    assert (departments.open, departments.responded, departments.median_response_seconds) == (1, 1, 1800)


def test_a_later_refresh_keeps_the_past_days_snapshot_and_counts_overdue_today(day, city):
    with time_machine.travel(THURSDAY, tick=False):
        refresh_rankings()
    tuesday = DailyStats.objects.get(day=date(2026, 11, 10))
    assert (tuesday.open, tuesday.overdue, tuesday.responded) == (4, 0, 3)  # the snapshot taken on Tuesday
    thursday = DailyStats.objects.get(day=date(2026, 11, 12))
    # A1's and A2's never responded (due Wednesday); the water outage was due to be resolved in 24 h
    assert (thursday.open, thursday.overdue, thursday.responded, thursday.received) == (4, 3, 0, 0)
    assert DistrictDailyStats.objects.get(day=date(2026, 11, 12), district=None).overdue == 1
    # Wednesday's flows were counted the day after, but nobody saw its open tickets: unknown, not zero
    wednesday = DailyStats.objects.get(day=date(2026, 11, 11))
    assert (wednesday.responded, wednesday.open, wednesday.overdue) == (0, None, None)


def get_as(client, officer, path, **params):
    client.force_login(officer.user)
    with time_machine.travel(TUESDAY, tick=False):
        return client.get(path, params, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("path", ["/console/dashboard/", "/console/dashboard/ranking-streets.csv",
                                  "/console/dashboard/districts.xlsx", "/console/queue/export.csv",
                                  "/api/v1/rankings/", "/api/v1/dashboard/"])
def test_only_supervisors_see_the_dashboard_its_exports_and_its_api(client, officers, path):
    for name in ("officer_a1", "head_a1", "district_a", "water", "operator"):
        assert get_as(client, officers[name], path).status_code == 403, name
    assert get_as(client, officers["supervisor"], path).status_code == 200
    client.logout()
    anonymous = client.get(path)
    if path.startswith("/api/"):
        assert anonymous.status_code == 403  # the API refuses
    else:  # the page sends to the login
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_the_dashboard_shows_today_the_districts_the_times_and_the_rankings(client, officers, day, city):
    response = get_as(client, officers["supervisor"], "/console/dashboard/")
    assert response.status_code == 200
    page = response.content.decode()
    tables = response.context["ranking_tables"]
    assert [t.slug for t in tables] == ["ranking-streets", "ranking-departments"]
    streets = {row.values["unit"]: row for row in tables[0].rows}
    donghua = streets["Donghua"]
    assert (donghua.values["rank"], donghua.values["response"], donghua.values["satisfaction"],
            donghua.values["composite"]) == (1, Decimal("1.0000"), Decimal("1.0000"), Decimal("1.0000"))
    assert streets["Nanqiao"].values["rank"] is None and streets["Nanqiao"].values["response"] == Decimal("1.0000")
    assert '<strong id="intake-total">6</strong>' in page
    assert "100.00%" in page and "Ranking of streets and townships, 2026-11" in page
    districts = response.context["district_table"].rows
    assert [(r.values["district"], r.values["open"], r.values["overdue"]) for r in districts] == [
        ("District A", 2, 0), ("District B", 1, 0), ("Departments (no district)", 1, 0), ("Whole city", 4, 0)]
    series = response.context["series_table"].rows
    assert len(series) == 30 and series[-1].values["median_response_seconds"] == 3600
    assert series[0].values["responded"] == 0 and series[0].values["median_response_seconds"] is None


def test_the_charts_are_accessible_svg_without_inline_style_or_script(client, officers, day):
    page = get_as(client, officers["supervisor"], "/console/dashboard/").content.decode()
    assert page.count('role="img"') == 2
    assert '<title id="chart-times-title">Response time per day (hours)</title>' in page
    assert '<desc id="chart-districts-desc">' in page and 'aria-labelledby="chart-times-title chart-times-desc"' in page
    assert "style=" not in page and "<script>" not in page  # the content security policy allows neither
    assert '<path class="line median" d="M' in page


def test_the_chart_scales_to_round_hours_and_leaves_gaps_for_days_without_figures():
    assert [nice_step(v) for v in (1, 4, 7.5, 30)] == [0.25, 1, 2, 10]
    points = [DayPoint(date(2026, 11, d), 1, s, s and s * 2) for d, s in ((1, 3600), (2, None), (3, 7200))]
    chart = response_time_chart(points)
    median, p90 = chart.lines
    assert median.path.count("M") == 2  # the pen lifts over the day without figures
    assert [t.label for t in chart.y_ticks] == ["0", "1", "2", "3", "4"]  # the p90 peak is 4 h
    assert p90.points[-1].y == chart.top and chart.y_ticks[0].at == chart.bottom
    assert "2026-11-03" in p90.points[-1].label and "4.00" in p90.points[-1].label


def test_the_filters_narrow_the_dashboard_to_a_district_a_kind_and_a_month(client, officers, day, city):
    response = get_as(client, officers["supervisor"], "/console/dashboard/", district="DB", kind="street")
    tables = response.context["ranking_tables"]
    assert [t.slug for t in tables] == ["ranking-streets"]
    assert [row.values["unit"] for row in tables[0].rows] == ["Nanqiao"]
    assert [row.values["district"] for row in response.context["district_table"].rows] == ["District B"]
    assert response.context["series_table"].rows[-1].values["median_response_seconds"] == 14400

    october = get_as(client, officers["supervisor"], "/console/dashboard/", period="2026-10")
    assert "Ranking of streets and townships, 2026-10" in october.content.decode()
    assert all(row.values["rank"] is None for row in october.context["ranking_tables"][0].rows)

    wrong = get_as(client, officers["supervisor"], "/console/dashboard/", period="November", district="XX")
    assert wrong.status_code == 400 and wrong.context["filter"].errors.keys() == {"period", "district"}


def test_the_dashboard_page_runs_a_bounded_number_of_queries(client, officers, day, city):
    def count() -> int:
        client.force_login(officers["supervisor"].user)
        with time_machine.travel(TUESDAY, tick=False), CaptureQueriesContext(connection) as queries:
            assert client.get("/console/dashboard/").status_code == 200
        return len(queries)

    before = count()
    for n in range(20):  # a bigger city: more districts, streets, departments and their rollups
        district = UnitFactory(code=f"DX{n}", kind=Unit.Kind.DISTRICT)
        street = UnitFactory(code=f"DX{n}-S", kind=Unit.Kind.STREET, parent=district)
        department = UnitFactory(code=f"DEP-X{n}", kind=Unit.Kind.DEPARTMENT)
        for unit in (street, department):
            UnitPeriodStats.objects.create(unit=unit, period=date(2026, 11, 1), as_of=TUESDAY, dispatched=n + 1,
                                           due_for_response=n + 1, responded_on_time=n, rated=1, solved=1)
        DistrictDailyStats.objects.create(day=date(2026, 11, 10), district=district, open=n, overdue=0,
                                          as_of=TUESDAY)
    assert count() == before <= 20


def test_a_ranked_unit_drills_down_to_its_tickets_and_a_ticket_to_its_full_history(client, officers, day, city):
    response = get_as(client, officers["supervisor"], "/console/dashboard/")
    donghua = next(r for r in response.context["ranking_tables"][0].rows if r.values["unit"] == "Donghua")
    assert "unit=DA-S1" in donghua.link and "dispatched_from=2026-11-01" in donghua.link
    assert f'<a href="{donghua.link.replace("&", "&amp;")}">Donghua</a>' in response.content.decode()

    with time_machine.travel(TUESDAY, tick=False):
        queue = client.get(donghua.link).content.decode()
    assert day["a1"].appeal.number in queue and day["a1_late"].appeal.number in queue  # any state
    assert day["b1"].appeal.number not in queue and day["a2_phone"].appeal.number not in queue
    assert '/console/queue/export.xlsx?unit=DA-S1&amp;state=&amp;dispatched_from=2026-11-01' in queue

    detail = client.get(f"/console/dispatches/{day['a1'].pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for label in ("Dispatched", "The unit contacted the resident", "Resolved", "The resident gave feedback",
                  "Closed"):
        assert label in detail
    assert "13800130001" not in detail  # the supervisor does not call: the contact stays masked


def test_the_unit_filter_of_the_queue_is_for_supervisors_only(client, api_as, officers, day):
    officer = officers["officer_a1"]
    page = get_as(client, officer, "/console/queue/", unit="DB-S1").content.decode()
    assert day["a1_late"].appeal.number in page and 'name="unit"' not in page  # ignored, not offered
    assert "/console/queue/export" not in page
    listed = api_as(officer).get("/api/v1/dispatches/", {"unit": "DB-S1"}).json()
    assert {row["unit"] for row in listed["results"]} == {"DA-S1"}
    supervised = api_as(officers["supervisor"]).get("/api/v1/dispatches/", {"unit": "DB-S1", "state": ""}).json()
    assert [row["appeal_number"] for row in supervised["results"]] == [day["b1"].appeal.number]


def test_every_table_exports_as_csv_with_a_bom_and_as_excel_with_the_filters_applied(client, officers, day):
    supervisor = officers["supervisor"]
    response = get_as(client, supervisor, "/console/dashboard/ranking-streets.csv", district="DA")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ranking-streets-2026-11-DA.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Rank", "Unit", "District", "Response rate"]
    assert [row[1] for row in rows[1:]] == ["Donghua", "Xiliu"]  # District A's streets only
    assert rows[1][:7] == ["1", "Donghua", "District A", "1.0000", "1.0000", "1.0000", "1.0000"]

    client.force_login(supervisor.user)
    with time_machine.travel(TUESDAY, tick=False):
        chinese = client.get("/console/dashboard/districts.csv", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "甲区" in chinese.content.decode("utf-8-sig")

    xlsx = get_as(client, supervisor, "/console/dashboard/ranking-streets.xlsx")
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx["Content-Disposition"] == 'attachment; filename="ranking-streets-2026-11.xlsx"'
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header = [cell.value for cell in sheet[1]]
    first = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert first["Unit"].value == "Donghua" and first["Response rate"].value == 1
    assert first["Response rate"].number_format == "0.00%"
    assert first["Median response time (hours)"].value == 1  # one hour

    for slug in ("intake", "districts", "response-times", "ranking-departments"):
        for fmt in ("csv", "xlsx"):
            assert get_as(client, supervisor, f"/console/dashboard/{slug}.{fmt}").status_code == 200, (slug, fmt)
    assert get_as(client, supervisor, "/console/dashboard/ranking-departments.csv", kind="street").status_code == 404
    assert get_as(client, supervisor, "/console/dashboard/ranking-streets.csv", period="13/2026").status_code == 400


def test_an_exported_ticket_list_masks_the_residents_contact(client, officers, day):
    response = get_as(client, officers["supervisor"], "/console/queue/export.csv", unit="DA-S2", state="")
    assert response["Content-Disposition"].startswith('attachment; filename="tickets-DA-S2-')
    text = response.content.decode("utf-8-sig")
    assert day["a2_phone"].appeal.number in text
    assert "13900000001" not in text and "139****0001" in text and "王*" in text and "王五" not in text
    assert day["a1"].appeal.number not in text


def test_the_api_gives_the_same_figures_as_the_page(api_as, officers, day):
    supervisor = api_as(officers["supervisor"])
    with time_machine.travel(TUESDAY, tick=False):
        ranking = supervisor.get("/api/v1/rankings/", {"period": "2026-11", "kind": "street"}).json()
        dashboard = supervisor.get("/api/v1/dashboard/").json()
        bad = supervisor.get("/api/v1/rankings/", {"period": "2026-13", "kind": "district"})
    assert ranking["period"] == "2026-11" and ranking["rule"]["w_basic"] == "0.900"
    first = ranking["rows"][0]
    assert (first["kind"], first["rank"], first["unit"], first["bottom"]) == ("street", 1, "DA-S1", True)
    assert first["rates"] == {"response": "1.0000", "resolution": "1.0000", "satisfaction": "1.0000",
                              "composite": "1.0000"}
    assert first["counts"]["dispatched"] == 2 and first["median_response_seconds"] == 3600
    assert {row["kind"] for row in ranking["rows"]} == {"street"}

    assert dashboard["intake"] == {"total": 6, "web": 4, "phone": 1, "api": 1}
    assert [(d["district"], d["open"]) for d in dashboard["districts"]] == [("DA", 2), ("DB", 1), (None, 1)]
    assert dashboard["city"]["p90_response_seconds"] == 14400
    assert len(dashboard["response_times"]) == 30 and dashboard["response_times"][-1]["responded"] == 3
    assert bad.status_code == 400 and set(bad.json()) == {"period", "kind"}


def test_the_dashboard_speaks_chinese_by_default(client, officers, day):
    client.force_login(officers["supervisor"].user)
    with time_machine.travel(TUESDAY, tick=False):
        page = client.get("/console/dashboard/").content.decode()
    for text in ("监督看板", "街道乡镇排名（2026-11）", "东花街道", "甲区", "每日响应时长（小时）", "响应率", "导出"):
        assert text in page, text
    assert "Ranking of streets" not in page


def test_an_export_defuses_text_a_spreadsheet_would_run_as_a_formula(client, officers, day, city):
    UnitFactory(code="DA-S9", kind=Unit.Kind.STREET, parent=city.district_a, name="=HYPERLINK(1)",
                name_en="=HYPERLINK(1)")
    text = get_as(client, officers["supervisor"], "/console/dashboard/ranking-streets.csv").content.decode()
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text


def test_the_command_counts_the_days_before_the_beat_task_ran(day, city):
    DailyStats.objects.all().delete()
    DistrictDailyStats.objects.all().delete()
    with time_machine.travel(THURSDAY, tick=False):
        call_command("count_daily_stats", "--days", "3", stdout=io.StringIO())
    assert [(row.day.day, row.responded, row.open) for row in DailyStats.objects.order_by("day")] == [
        (9, 0, None), (10, 3, None), (11, 0, None), (12, 0, 4)]  # only today's snapshot can be taken now
    with pytest.raises(CommandError):
        call_command("count_daily_stats", "--days", "-1")
