"""The busy pages run a fixed number of queries, whatever the number of rows they show: each is
rendered with a few rows and again with ten times as many, and the counts must be equal and small.
A page whose count grows with its rows (an N+1) is slow on a year of appeals however it is indexed."""
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appeals.models import AppealEvent
from appeals.services import submit_appeal
from appeals.tracking import compact_upper
from dispatch.handling import actions, returns, supervision
from dispatch.models import UnitPeriodStats
from dispatch.routing.route import route_appeal
from streets.models import Unit

from .factories import UnitFactory
from .scenarios import routed_tickets

FEW, MANY = 3, 30


def count_queries(client, user, path: str, *, method: str = "get", data=None) -> int:
    """Queries of one request (after signing in, so the login itself is not counted)."""
    if user is not None:
        client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, data or {})
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


def work(dispatches, officers) -> None:
    """Move the tickets along, so the pages show every state: signed, responded, resolved (and its
    callback), a return asked, a supervision order."""
    officer = officers["officer_a1"]
    for i, dispatch in enumerate(dispatches):
        if i % 4 == 0:
            actions.sign_dispatch(dispatch_id=dispatch.pk, officer=officer)
        elif i % 4 == 1:
            actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officer, note="已联系")
            actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officer, answer="已处理")
        elif i % 4 == 2:
            returns.request_return(dispatch_id=dispatch.pk, officer=officer, reason="duty", note="不属本街道")
        supervision.open_manual_order(dispatch_id=dispatch.pk, supervisor=officers["supervisor"], note="请加快")


def grows(measure, add_rows) -> tuple[int, int]:
    """(queries with FEW rows, queries with MANY rows)."""
    add_rows(FEW)
    few = measure()
    add_rows(MANY - FEW)
    return few, measure()


# The ceilings are today's exact counts: a new query on a busy page should be a decision, not an accident.
@pytest.mark.parametrize("who, path, ceiling", [
    ("officer_a1", "/console/queue/", 6),
    ("officer_a1", "/console/queue/?state=&ordering=-dispatched_at", 6),
    ("district_a", "/console/queue/", 6),
    ("supervisor", "/console/queue/?unit=DA-S1", 8),
    ("officer_a1", "/api/v1/dispatches/", 5),
    ("supervisor", "/console/supervision/", 5),
    ("head_a1", "/api/v1/supervision-orders/", 5),
    ("operator", "/console/returns/", 5),
    ("operator", "/api/v1/returns/", 5),
    ("operator", "/console/callbacks/", 5),
])
def test_console_lists_run_the_same_queries_for_3_or_30_tickets(client, city, officers, who, path, ceiling):
    few, many = grows(lambda: count_queries(client, officers[who].user, path),
                      lambda n: work(routed_tickets(city, n), officers))
    assert few == many <= ceiling


@pytest.mark.parametrize("path", ["/console/triage/", "/api/v1/triage/"])
def test_the_operators_manual_queue_runs_the_same_queries_for_3_or_30_appeals(client, city, officers, path):
    few, many = grows(lambda: count_queries(client, officers["operator"].user, path),
                      lambda n: routed_tickets(city, n, category=city.no_duty))
    assert few == many <= 5


def long_history(dispatch, officers, notes: int) -> None:
    """An appeal with a long public and internal timeline (notes, then the answer)."""
    for i in range(notes):
        actions.add_progress_note(dispatch_id=dispatch.pk, officer=officers["officer_a1"], note=f"进展{i}")


@pytest.mark.parametrize("method, path", [("post", "/track/"), ("get", "/api/v1/appeals/track/")])
def test_tracking_runs_the_same_queries_for_3_or_30_events(client, city, officers, method, path):
    submitted = submit_appeal(text="路灯不亮", category_code=city.noise.code, latitude=39.95, longitude=116.05,
                              contact_phone="13800138000")
    dispatch = route_appeal(appeal_id=submitted.appeal.pk)
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"], note="已联系")
    lookup = {"number": compact_upper(submitted.appeal.number), "code": submitted.access_code}
    few, many = grows(lambda: count_queries(client, None, path, method=method, data=lookup),
                      lambda n: long_history(dispatch, officers, n))
    assert AppealEvent.objects.filter(appeal=submitted.appeal).count() > MANY
    assert few == many <= 6


def rollups(n: int, *, start: list) -> None:
    """n more streets and departments, with their month's rollups and the dashboard's daily rows."""
    for i in range(start[0], start[0] + n):
        district = UnitFactory(code=f"DQ{i}", kind=Unit.Kind.DISTRICT)
        for unit in (UnitFactory(code=f"DQ{i}-S", kind=Unit.Kind.STREET, parent=district),
                     UnitFactory(code=f"DEP-Q{i}", kind=Unit.Kind.DEPARTMENT)):
            UnitPeriodStats.objects.create(unit=unit, period=date(2026, 10, 1), as_of="2026-11-01T00:00Z",
                                           dispatched=i + 1, due_for_response=i + 1, responded_on_time=i, rated=2,
                                           solved=1, satisfied=1, basic=1, median_response_seconds=600 + i)
    start[0] += n


@pytest.mark.parametrize("path, ceiling", [
    # The pages: +2 for the knowledge base (the first-contact rollup, the entries past review per unit).
    ("/console/dashboard/", 17),
    ("/console/dashboard/?period=2026-10", 16),
    ("/console/dashboard/?period=2026-10&kind=street", 14),
    ("/console/dashboard/?period=2026-10&kind=department", 14),
    ("/api/v1/rankings/?period=2026-10", 9),
    ("/api/v1/dashboard/", 10),  # +1: the first-contact rollup
])
def test_the_dashboard_and_the_monthly_rankings_run_the_same_queries_for_3_or_30_units(
        client, city, officers, path, ceiling):
    start = [0]
    few, many = grows(lambda: count_queries(client, officers["supervisor"].user, path),
                      lambda n: rollups(n, start=start))
    assert few == many <= ceiling


def test_the_rankings_never_read_the_dispatches_or_the_events(client, city, officers):
    """The ranking is served from the rollups: no query of the month touches the big tables."""
    rollups(FEW, start=[0])
    client.force_login(officers["supervisor"].user)
    for path in ("/console/dashboard/?period=2026-10", "/api/v1/rankings/?period=2026-10"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        big = [q["sql"] for q in queries if any(table in q["sql"] for table in (
            '"dispatch_dispatch"', '"appeals_appealevent"', '"appeals_appeal"', '"dispatch_callback"'))]
        assert big == [], path
