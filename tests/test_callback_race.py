"""A survey is answered once: the conditional UPDATE that rates it is checked, so neither a race nor a
stale row records a rating the table does not hold."""

import pytest
from django.db import transaction

from appeals.models import AppealEvent
from dispatch.exceptions import ActionNotAllowed
from dispatch.feedback import callbacks
from dispatch.feedback.callbacks import Answers
from dispatch.models import Callback

from .scenarios import race_each, respond_and_resolve, routed_ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def survey(city, officers) -> Callback:
    dispatch = respond_and_resolve(routed_ticket(city, text="路灯不亮", contact_name=""), officers["officer_a1"],
                                   answer="已修复")
    return Callback.objects.select_related("dispatch__appeal").get(dispatch=dispatch)


def test_the_resident_and_an_operator_answering_at_once_record_one_rating(survey, officers):
    appeal = survey.dispatch.appeal
    results = race_each([
        lambda: callbacks.rate_by_tracking(appeal=appeal, answers=Answers(True, "satisfied")),
        lambda: callbacks.record_phone_callback(callback_id=survey.pk, operator=officers["operator"],
                                                answers=Answers(False, "dissatisfied")),
    ])
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
