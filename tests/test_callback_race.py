"""A survey is answered once: the conditional UPDATE that rates it is checked, so neither a race nor a
stale row records a rating the table does not hold."""
import threading

import pytest
from django.db import connection, transaction

from appeals.models import AppealEvent
from appeals.services import submit_appeal
from dispatch.exceptions import ActionNotAllowed
from dispatch.feedback import callbacks
from dispatch.feedback.callbacks import Answers
from dispatch.handling import actions
from dispatch.models import Callback
from dispatch.routing import route

pytestmark = pytest.mark.django_db(transaction=True)


def race(*actions_to_run) -> list:
    """Run each action in its own thread and connection, released together; results or exceptions."""
    barrier = threading.Barrier(len(actions_to_run))
    results: list = [None] * len(actions_to_run)

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = actions_to_run[i]()
        except Exception as exc:  # collected and asserted by the caller
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(actions_to_run))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.fixture
def survey(city, officers) -> Callback:
    appeal = submit_appeal(text="路灯不亮", category_code=city.noise.code, latitude=39.95, longitude=116.05,
                           contact_phone="13800138000").appeal
    dispatch = route.route_appeal(appeal_id=appeal.pk)
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])
    actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"], answer="已修复")
    return Callback.objects.select_related("dispatch__appeal").get(dispatch=dispatch)


def test_the_resident_and_an_operator_answering_at_once_record_one_rating(survey, officers):
    appeal = survey.dispatch.appeal
    results = race(
        lambda: callbacks.rate_by_tracking(appeal=appeal, answers=Answers(True, "satisfied")),
        lambda: callbacks.record_phone_callback(callback_id=survey.pk, operator=officers["operator"],
                                                answers=Answers(False, "dissatisfied")),
    )
    assert sum(isinstance(r, Callback) for r in results) == 1
    assert sum(isinstance(r, ActionNotAllowed) for r in results) == 1
    winner = next(r for r in results if isinstance(r, Callback))
    assert AppealEvent.objects.filter(kind=AppealEvent.Kind.RATED).count() == 1
    assert Callback.objects.get(pk=survey.pk).satisfaction == winner.satisfaction


def test_a_survey_that_closed_after_it_was_read_is_not_rated(survey):
    stale = Callback.objects.select_related("dispatch__appeal", "dispatch__unit").get(pk=survey.pk)
    Callback.objects.filter(pk=survey.pk).update(state=Callback.State.EXPIRED)  # the expiry sweep, meanwhile
    with pytest.raises(ActionNotAllowed), transaction.atomic():
        callbacks._rate(stale, Answers(True, "satisfied"), Callback.Channel.WEB, None)
    assert Callback.objects.get(pk=survey.pk).state == Callback.State.EXPIRED
    assert not AppealEvent.objects.filter(kind=AppealEvent.Kind.RATED).exists()
