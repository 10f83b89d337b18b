"""The benchmark generator (bench/data) writes what the real code expects: a few hundred generated
appeals in the test database, checked with the project's own readers. PostgreSQL only (COPY)."""
import io
from collections import Counter, defaultdict
from datetime import timedelta
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from appeals.models import Appeal, AppealEvent
from appeals.selectors import appeal_for_tracking
from dispatch.metrics import ledger
from dispatch.metrics.counts import row_of
from dispatch.metrics.periods import period_for_label
from dispatch.models import Callback, Dispatch, SupervisionOrder, UnitPeriodStats
from streets.demo import DEMO_STREET_CODE
from streets.demo.builder import load_demo_city
from streets.models import Officer

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator writes with COPY")

APPEALS = 400
DAYS = 75


def quiet(*args, **kwargs):
    pass


@pytest.fixture
def generated(db):
    """A demo city with APPEALS appeals over DAYS days, and the rollups production would have counted."""
    from bench.data.generate import generate
    from bench.data.rollups import count_rollups

    load_demo_city(stdout=io.StringIO())
    done = generate(appeals=APPEALS, days=DAYS, seed=7, progress=False, report=quiet)
    count_rollups(first_day=done["first_day"], now=done["now"], report=quiet)
    return done


@postgresql_only
def test_every_row_is_written_and_no_constraint_is_violated(generated):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign keys are checked now
    assert generated["appeals"] == Appeal.objects.count() == APPEALS
    assert Dispatch.objects.count() >= APPEALS * 0.95
    statuses = Counter(Appeal.objects.values_list("status", flat=True))
    assert statuses["closed"] > APPEALS / 2  # most are done; some are still in the queues
    assert statuses["dispatched"] + statuses["responded"] + statuses["resolved"] > 0
    assert Appeal.objects.values("number").distinct().count() == APPEALS
    assert Callback.objects.filter(state=Callback.State.RATED).exists()
    assert SupervisionOrder.objects.exists() and Dispatch.objects.exclude(response_overdue_at=None).exists()
    # The sequences moved past the copied ids: the ORM inserts after them.
    dispatch = Dispatch.objects.first()
    event = AppealEvent.objects.create(appeal=dispatch.appeal, dispatch=dispatch, kind=AppealEvent.Kind.NOTE)
    assert event.pk > AppealEvent.objects.exclude(pk=event.pk).order_by("-pk").first().pk


@postgresql_only
def test_each_status_is_where_its_events_lead_and_each_dispatch_matches_its_events(generated):
    events = defaultdict(list)
    for appeal_id, kind, from_status, to_status, dispatch_id in AppealEvent.objects.order_by(
            "created_at", "id").values_list("appeal_id", "kind", "from_status", "to_status", "dispatch_id"):
        events[appeal_id].append((kind, from_status, to_status, dispatch_id))
    for appeal in Appeal.objects.all():
        story = events[appeal.pk]
        assert story[0][:2] == (AppealEvent.Kind.RECEIVED, Appeal.Status.RECEIVED)
        assert all(later[1] == earlier[2] for earlier, later in pairwise(story))
        assert story[-1][2] == appeal.status, appeal.number
        assert (appeal.routed_at is None) == (len(story) == 1)
    officers_acted = AppealEvent.objects.filter(kind__in=[AppealEvent.Kind.SIGNED, AppealEvent.Kind.RESPONDED,
                                                          AppealEvent.Kind.RESOLVED])
    assert officers_acted.exists() and not officers_acted.filter(actor=None).exists()  # every unit has officers
    kinds = defaultdict(Counter)
    for dispatch_id, kind in AppealEvent.objects.exclude(dispatch=None).values_list("dispatch_id", "kind"):
        kinds[dispatch_id][kind] += 1
    for dispatch in Dispatch.objects.select_related("callback"):
        seen = kinds[dispatch.pk]
        assert seen[AppealEvent.Kind.DISPATCHED] == 1
        assert seen[AppealEvent.Kind.SIGNED] == (dispatch.signed_at is not None)
        assert seen[AppealEvent.Kind.RESPONDED] == (dispatch.responded_at is not None)
        assert seen[AppealEvent.Kind.RESOLVED] == (dispatch.resolved_at is not None)
        assert seen[AppealEvent.Kind.OVERDUE] == (dispatch.response_overdue_at is not None) + (
            dispatch.resolve_overdue_at is not None)
        callback = getattr(dispatch, "callback", None)
        assert seen[AppealEvent.Kind.CALLBACK_OPENED] == (callback is not None)
        assert seen[AppealEvent.Kind.RATED] == (callback is not None and callback.state == Callback.State.RATED)
        assert dispatch.is_current == (seen[AppealEvent.Kind.REOPENED] == 0)


@postgresql_only
def test_the_rollups_agree_with_the_event_log_month_by_month(generated):
    labels = sorted(set(UnitPeriodStats.objects.values_list("period", flat=True)))
    assert len(labels) >= 3
    for label in labels:
        period = period_for_label(label)
        stored = {row.unit_id: row_of(row) for row in UnitPeriodStats.objects.filter(period=label)}
        as_of = UnitPeriodStats.objects.filter(period=label).first().as_of
        recounted = {unit_id: counts.as_row() for unit_id, counts in ledger.recount(period, as_of=as_of).items()}
        assert recounted == stored, label
        call_command("recount_period", f"{label:%Y-%m}", check=True, stdout=io.StringIO())


@postgresql_only
def test_the_demo_officer_works_the_generated_queue_and_residents_track_their_appeals(generated, client):
    from bench.data.generate import ACCESS_CODE

    officer = Officer.objects.select_related("user").filter(unit__code=DEMO_STREET_CODE, is_head=False).first()
    client.force_login(officer.user)
    response = client.get("/console/queue/")
    assert response.status_code == 200
    open_tickets = Dispatch.objects.filter(unit=officer.unit, state__in=Dispatch.OPEN_STATES)
    for dispatch in open_tickets.select_related("appeal")[:5]:
        assert dispatch.appeal.number in response.content.decode()
    closed = Dispatch.objects.filter(unit=officer.unit, state=Dispatch.State.RESOLVED).first()
    assert client.get(f"/console/dispatches/{closed.pk}/").status_code == 200

    appeal = Appeal.objects.order_by("?").first()
    assert appeal_for_tracking(number=appeal.number, code=ACCESS_CODE) == appeal
    page = client.post("/track/", {"number": appeal.number, "code": ACCESS_CODE})
    assert page.status_code == 200 and appeal.number in page.content.decode()


@postgresql_only
def test_the_supervisor_dashboard_reads_the_generated_rollups(generated, client):
    supervisor = Officer.objects.select_related("user").get(role=Officer.Role.SUPERVISOR)
    client.force_login(supervisor.user)
    last_month = (timezone.localdate(generated["now"]).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    response = client.get("/console/dashboard/", {"period": last_month, "kind": "street"})
    assert response.status_code == 200
    ranked = [row for row in response.context["ranking_tables"][0].rows if row.values["rank"] is not None]
    assert ranked


def test_parallel_jobs_share_the_days_evenly_and_never_share_an_id():
    from bench.data.jobs import PER_APPEAL, plan_jobs, split

    counts = [5, 0, 7, 3, 9, 1, 4, 6]
    ranges = split(counts, 3)
    assert [day for days in ranges for day in days] == list(range(len(counts)))  # every day once, in order
    assert max(sum(counts[d] for d in days) for days in ranges) <= 16
    jobs = plan_jobs(counts, dict.fromkeys(PER_APPEAL, 100), 3)
    for earlier, later in pairwise(jobs):
        appeals = sum(counts[day] for day in earlier.day_indexes)
        for table, most in PER_APPEAL.items():
            assert later.ids[table] - earlier.ids[table] == most * appeals
