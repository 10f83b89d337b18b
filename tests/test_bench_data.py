"""The benchmark generator (bench/data) writes what the real code expects: a few hundred generated
appeals in the test database, checked with the project's own readers. PostgreSQL only (COPY)."""
import io
import re
from collections import Counter, defaultdict
from datetime import timedelta
from itertools import pairwise

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from appeals.models import AccessCode, Appeal, AppealEvent, AppealPhoto
from appeals.selectors import appeal_for_tracking
from dispatch.deadlines.due import warn_at
from dispatch.handling.selectors import dispatch_dossier, extension_requests, return_requests
from dispatch.metrics import ledger
from dispatch.metrics.counts import row_of
from dispatch.metrics.periods import period_for_label
from dispatch.models import (
    Callback,
    Dispatch,
    ExtensionRequest,
    ReturnRequest,
    SupervisionOrder,
    UnitPeriodStats,
    Whistle,
)
from streets.demo import DEMO_STREET_CODE
from streets.demo.builder import load_demo_city
from streets.models import Officer, Unit

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
def test_contacts_and_answers_are_what_intake_would_have_stored(generated):
    from appeals.validation import clean_attributes, clean_phone

    asked = 0
    for appeal in Appeal.objects.select_related("category").prefetch_related("category__attributes"):
        if appeal.contact_phone:
            assert clean_phone(appeal.contact_phone) == appeal.contact_phone
        assert clean_attributes(appeal.category, appeal.attributes) == appeal.attributes
        asked += bool(appeal.attributes)
    assert asked  # some generated appeals are of categories that ask questions


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
        primary = dispatch.role == Dispatch.Role.PRIMARY
        assert seen[AppealEvent.Kind.DISPATCHED] == 1
        assert seen[AppealEvent.Kind.SIGNED] == (dispatch.signed_at is not None)
        assert seen[AppealEvent.Kind.RESPONDED] == (dispatch.responded_at is not None)
        finished = AppealEvent.Kind.RESOLVED if primary else AppealEvent.Kind.REPORTED  # a department reports
        assert seen[finished] == (dispatch.resolved_at is not None)
        assert seen[AppealEvent.Kind.RETURN_APPROVED] == (dispatch.state == Dispatch.State.RETURNED)
        assert seen[AppealEvent.Kind.OVERDUE] == (dispatch.response_overdue_at is not None) + (
            dispatch.resolve_overdue_at is not None)
        callback = getattr(dispatch, "callback", None)
        assert seen[AppealEvent.Kind.CALLBACK_OPENED] == (callback is not None)
        assert seen[AppealEvent.Kind.RATED] == (callback is not None and callback.state == Callback.State.RATED)
        assert dispatch.is_current == (seen[AppealEvent.Kind.REOPENED] == 0 and dispatch.returned_at is None)
        assert seen[AppealEvent.Kind.RETURN_REQUESTED] == dispatch.returns.count()
        assert seen[AppealEvent.Kind.EXTENSION_REQUESTED] == dispatch.extensions.count()
        assert seen[AppealEvent.Kind.WHISTLE] == dispatch.whistles.count()


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


@postgresql_only
def test_returns_are_decided_as_the_operators_would_and_the_readers_count_them(generated, client):
    returns = ReturnRequest.objects.select_related("dispatch", "new_dispatch")
    states = Counter(returns.values_list("state", flat=True))
    assert states[ReturnRequest.Decision.APPROVED] and states[ReturnRequest.Decision.REFUSED]
    window = timedelta(hours=settings.RETURN_WINDOW_HOURS)
    for request in returns:
        old = request.dispatch
        assert old.role == Dispatch.Role.PRIMARY and old.dispatched_at < request.requested_at
        assert request.requested_at <= old.dispatched_at + window
        if request.state == ReturnRequest.Decision.PENDING:
            assert old.state == Dispatch.State.SIGNED  # no response while the operators decide
        assert old.responded_at is None or old.responded_at > request.decided_at
        if request.state == ReturnRequest.Decision.APPROVED:
            new = request.new_dispatch
            assert old.state == Dispatch.State.RETURNED and not old.is_current
            assert old.returned_at == request.decided_at == new.dispatched_at and new.unit_id != old.unit_id
            assert new.dispatched_by_id == request.decided_by_id
            assert old.events.get(kind=AppealEvent.Kind.RETURN_APPROVED).created_at == old.returned_at
        elif request.state == ReturnRequest.Decision.REFUSED:
            assert old.state != Dispatch.State.RETURNED and request.decision_note
    # The operators' queue and the detail page read them; the rollups count the approved ones.
    assert return_requests(state=None).count() == returns.count()
    operator = Officer.objects.select_related("user").filter(role=Officer.Role.OPERATOR).first()
    client.force_login(operator.user)
    assert client.get("/console/returns/").status_code == 200
    assert client.get(f"/console/returns/{returns.first().pk}/").status_code == 200
    assert UnitPeriodStats.objects.aggregate(n=Sum("returned"))["n"] > 0  # each month agrees with the ledger


@postgresql_only
def test_whistles_summon_departments_that_report_without_moving_the_appeal(generated, client):
    whistles = list(Whistle.objects.select_related("dispatch", "dispatch__unit"))
    assert whistles
    for whistle in whistles:
        street = whistle.dispatch
        assert street.unit.kind == Unit.Kind.STREET and street.role == Dispatch.Role.PRIMARY
        assert street.responded_at <= whistle.blown_at and (street.resolved_at or whistle.blown_at) >= whistle.blown_at
        summoned = list(whistle.dispatches.select_related("unit"))
        assert summoned and all(d.role == Dispatch.Role.COHANDLER and d.unit.kind == Unit.Kind.DEPARTMENT
                                and d.dispatched_at == whistle.blown_at for d in summoned)
        event = street.events.get(kind=AppealEvent.Kind.WHISTLE)
        assert event.public and event.created_at == whistle.blown_at
        assert event.note == ", ".join(d.unit.display_name for d in sorted(summoned, key=lambda d: d.unit.code))
    cohandling = AppealEvent.objects.filter(dispatch__role=Dispatch.Role.COHANDLER)
    assert cohandling.filter(kind=AppealEvent.Kind.REPORTED).exists()
    assert not cohandling.exclude(from_status=F("to_status")).exists()  # the street's status stands
    assert not Callback.objects.filter(dispatch__role=Dispatch.Role.COHANDLER).exists()
    assert UnitPeriodStats.objects.aggregate(n=Sum("summoned"))["n"] > 0
    # The street's ticket page lists its co-handlers; a department sees its part in its queue.
    street = whistles[0].dispatch
    assert dispatch_dossier(street, viewer=None)["cohandlers"]
    officer = Officer.objects.select_related("user").filter(unit=street.unit, role=Officer.Role.OFFICER).first()
    client.force_login(officer.user)
    assert client.get(f"/console/dispatches/{street.pk}/").status_code == 200


@postgresql_only
def test_extensions_move_the_resolve_deadline_only_when_approved(generated, client):
    extensions = ExtensionRequest.objects.select_related("dispatch")
    states = Counter(extensions.values_list("state", flat=True))
    assert states[ExtensionRequest.Decision.APPROVED] and states[ExtensionRequest.Decision.REFUSED]
    for request in extensions:
        dispatch = request.dispatch
        assert request.previous_due < request.proposed_due
        assert request.proposed_due <= request.previous_due + timedelta(days=settings.EXTENSION_MAX_DAYS)
        assert dispatch.responded_at <= request.requested_at < request.previous_due
        if request.state == ExtensionRequest.Decision.APPROVED:
            assert dispatch.resolve_extended and dispatch.resolve_due == request.proposed_due
            assert dispatch.resolve_warn_at == warn_at(dispatch.dispatched_at, dispatch.resolve_due)
            approved = dispatch.events.get(kind=AppealEvent.Kind.EXTENSION_APPROVED)
            assert approved.public and approved.created_at == request.decided_at
            assert parse_datetime(approved.data["resolve_due"]) == request.proposed_due
        else:
            assert not dispatch.resolve_extended and dispatch.resolve_due == request.previous_due
        if request.decided_at is not None:
            assert dispatch.resolved_at is None or dispatch.resolved_at > request.decided_at
    assert extension_requests(state=None).count() == extensions.count()
    supervisor = Officer.objects.select_related("user").get(role=Officer.Role.SUPERVISOR)
    client.force_login(supervisor.user)
    assert client.get("/console/extensions/").status_code == 200


@postgresql_only
def test_folded_repeats_give_a_further_code_that_tracks_the_appeal(generated):
    from appeals.services import FOLDED_NOTE
    from bench.data.generate import ACCESS_CODE, FOLDED_ACCESS_CODE

    codes = list(AccessCode.objects.select_related("appeal"))
    assert codes
    for code in codes:
        appeal = code.appeal
        assert appeal.created_at < code.created_at <= appeal.created_at + timedelta(
            seconds=settings.APPEAL_FOLD_WINDOW_SECONDS)
        assert appeal.events.filter(kind=AppealEvent.Kind.NOTE, public=False, created_at=code.created_at,
                                    note=str(FOLDED_NOTE)).exists()
        assert appeal_for_tracking(number=appeal.number, code=FOLDED_ACCESS_CODE) == appeal
        assert appeal_for_tracking(number=appeal.number, code=ACCESS_CODE) == appeal
    plain = Appeal.objects.filter(access_codes=None).first()
    assert appeal_for_tracking(number=plain.number, code=FOLDED_ACCESS_CODE) is None


@postgresql_only
def test_photos_are_named_as_intake_stores_them_and_shown_to_the_unit(generated, client):
    photos = AppealPhoto.objects.select_related("appeal")
    assert photos.exists()
    assert not photos.filter(appeal__channel=Appeal.Channel.PHONE).exists()
    for photo in photos:
        local = timezone.localtime(photo.appeal.created_at)
        assert re.fullmatch(rf"appeals/{local:%Y/%m}/[0-9a-f]{{32}}\.(jpg|png)", photo.image.name)
        assert photo.created_at == photo.appeal.created_at
    dispatch = Dispatch.objects.filter(appeal__photos__isnull=False, role=Dispatch.Role.PRIMARY).first()
    officer = Officer.objects.select_related("user").filter(unit=dispatch.unit_id, role=Officer.Role.OFFICER).first()
    client.force_login(officer.user)
    page = client.get(f"/console/dispatches/{dispatch.pk}/").content.decode()
    assert all(f"/console/photos/{photo.pk}/" in page for photo in dispatch.appeal.photos.all())


@postgresql_only
def test_requests_still_pending_at_now_can_be_decided_by_the_real_services(db, monkeypatch):
    """A busy recent week: some returns and extensions still wait at `now`, and the services decide
    them as if they had been filed through the console. Units ask for both five times as often as
    the generator's shares say, so that some wait at any hour of any day (at the usual shares a
    week of 3,000 appeals leaves none waiting at some hours)."""
    from bench.data import lifecycle
    from bench.data.generate import generate

    monkeypatch.setattr(lifecycle, "RETURN_SHARE", lifecycle.RETURN_SHARE * 5)
    monkeypatch.setattr(lifecycle, "EXTENSION_SHARE", lifecycle.EXTENSION_SHARE * 5)
    from dispatch.handling.extensions import approve_extension
    from dispatch.handling.returns import approve_return

    load_demo_city(stdout=io.StringIO())
    generate(appeals=3000, days=6, seed=3, progress=False, report=quiet)
    pending_return = ReturnRequest.objects.filter(state=ReturnRequest.Decision.PENDING).first()
    pending_extension = ExtensionRequest.objects.filter(state=ExtensionRequest.Decision.PENDING).first()
    assert pending_return is not None and pending_extension is not None
    assert return_requests().filter(pk=pending_return.pk).exists()
    assert extension_requests().filter(pk=pending_extension.pk).exists()
    assert pending_return.dispatch.state == Dispatch.State.SIGNED
    operator = Officer.objects.filter(role=Officer.Role.OPERATOR).first()
    target = Unit.objects.filter(kind=Unit.Kind.STREET, active=True).exclude(pk=pending_return.dispatch.unit_id).first()
    new = approve_return(return_id=pending_return.pk, operator=operator, unit=target)
    assert new.appeal.status == Appeal.Status.DISPATCHED
    supervisor = Officer.objects.get(role=Officer.Role.SUPERVISOR)
    extended = approve_extension(extension_id=pending_extension.pk, supervisor=supervisor)
    assert extended.resolve_due == pending_extension.proposed_due
