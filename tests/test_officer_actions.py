"""The officer's actions on a dispatch: sign, respond, note, resolve; each one event, each refused
when the state does not allow it or the ticket is another unit's."""
import pytest

from appeals.models import Appeal, AppealEvent
from appeals.services import submit_appeal
from dispatch.exceptions import ActionNotAllowed, NotYourTicket
from dispatch.handling import actions
from dispatch.models import Dispatch
from dispatch.routing import route

from .scenarios import routed_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatch(city):
    return routed_ticket(city, text="垃圾未清运", contact_name="")


def test_sign_respond_resolve_walks_the_lifecycle_with_one_event_each(dispatch, officers):
    officer = officers["officer_a1"]
    actions.sign_dispatch(dispatch_id=dispatch.pk, officer=officer)
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officer, note="已电话联系")
    actions.add_progress_note(dispatch_id=dispatch.pk, officer=officer, note="已派保洁")
    actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officer, answer="已清运完毕")
    dispatch.refresh_from_db()
    assert dispatch.state == Dispatch.State.RESOLVED
    assert dispatch.signed_at <= dispatch.responded_at <= dispatch.resolved_at
    assert dispatch.answer == "已清运完毕"
    appeal = dispatch.appeal
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.RESOLVED
    events = list(appeal.events.values_list("kind", "from_status", "to_status", "actor__username"))
    assert events[2:] == [
        ("signed", "dispatched", "dispatched", "officer_a1"),
        ("responded", "dispatched", "responded", "officer_a1"),
        ("note", "responded", "responded", "officer_a1"),
        ("resolved", "responded", "resolved", "officer_a1"),
        ("callback_opened", "resolved", "resolved", None),  # the resident is asked next
    ]
    assert not appeal.events.get(kind=AppealEvent.Kind.NOTE).public


def test_resolving_before_responding_is_refused(dispatch, officers):
    with pytest.raises(ActionNotAllowed):
        actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"], answer="done")
    dispatch.refresh_from_db()
    assert dispatch.state == Dispatch.State.PENDING


def test_signing_twice_is_refused_and_writes_no_second_event(dispatch, officers):
    actions.sign_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])
    with pytest.raises(ActionNotAllowed):
        actions.sign_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])
    assert AppealEvent.objects.filter(kind=AppealEvent.Kind.SIGNED).count() == 1


def test_an_empty_answer_is_refused(dispatch, officers):
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])
    with pytest.raises(ActionNotAllowed):
        actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"], answer="   ")


@pytest.mark.parametrize("who", ["officer_a2", "district_a", "water", "supervisor", "operator"])
def test_nobody_but_the_units_officers_can_act(dispatch, officers, who):
    with pytest.raises(NotYourTicket):
        actions.sign_dispatch(dispatch_id=dispatch.pk, officer=officers[who])
    dispatch.refresh_from_db()
    assert dispatch.state == Dispatch.State.PENDING


def test_an_operator_dispatches_or_declines_from_the_manual_queue(city, officers):
    first = submit_appeal(text="不知道找谁", contact_phone="13800138000").appeal
    second = submit_appeal(text="有人打架", contact_phone="13800138000").appeal
    for appeal in (first, second):
        assert route.route_appeal(appeal_id=appeal.pk) is None
    operator = officers["operator"]
    dispatch = actions.dispatch_manually(appeal_id=first.pk, unit=city.street_b1, operator=operator,
                                          category=city.noise)
    assert dispatch.unit == city.street_b1 and dispatch.dispatched_by == operator.user
    first.refresh_from_db()
    assert first.category == city.noise and first.status == Appeal.Status.DISPATCHED

    actions.decline_appeal(appeal_id=second.pk, reason="emergency", operator=operator, note="请拨打110")
    second.refresh_from_db()
    assert second.status == Appeal.Status.REJECTED and second.rejection_reason == "emergency"
    with pytest.raises(ActionNotAllowed):
        actions.decline_appeal(appeal_id=second.pk, reason="repeat", operator=operator)
    with pytest.raises(NotYourTicket):
        actions.decline_appeal(appeal_id=first.pk, reason="repeat", operator=officers["officer_a1"])


@pytest.mark.parametrize("reason", ["test_call", "empty_call"])
def test_a_test_call_or_an_empty_call_is_declined_with_its_own_reason(city, officers, reason):
    appeal = submit_appeal(text="（无声）", contact_phone="13800138000").appeal
    assert route.route_appeal(appeal_id=appeal.pk) is None
    actions.decline_appeal(appeal_id=appeal.pk, reason=reason, operator=officers["operator"])
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rejection_reason) == (Appeal.Status.REJECTED, reason)
    assert appeal.events.get(kind="rejected").actor == officers["operator"].user
