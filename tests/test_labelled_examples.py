"""What operators do teaches the classifier (issue 16): a manual dispatch, a category correction
and a return approved as misrouted each leave a labelled example; and supervisors see how much
goes without an operator and how much of that operators later had to fix."""
import pytest
from django.urls import reverse

from appeals.services import submit_appeal
from dispatch.dashboard.classifier import ClassifierFigures
from dispatch.handling import actions, returns
from dispatch.models import LabelledExample
from dispatch.routing import route

pytestmark = pytest.mark.django_db


def to_operators(text: str, category_code: str | None = None):
    """An appeal routing could not place (no category, or one nobody is on duty for)."""
    appeal = submit_appeal(text=text, category_code=category_code, contact_phone="13800138000").appeal
    assert route.route_appeal(appeal_id=appeal.pk) is None
    return appeal


def examples() -> list[tuple[str, str, str]]:
    return list(LabelledExample.objects.order_by("id").values_list("text", "category__code", "source"))


def test_a_manual_dispatch_labels_the_text_and_a_changed_category_is_a_correction(city, officers):
    operator = officers["operator"]
    unknown = to_operators("楼上每天半夜拖椅子")
    actions.dispatch_manually(appeal_id=unknown.pk, unit=city.street_a1, operator=operator, category=city.noise)
    wrong = to_operators("小区停水一整天了", category_code=city.no_duty.code)
    actions.dispatch_manually(appeal_id=wrong.pk, unit=city.water, operator=operator, category=city.water_outage)
    kept = to_operators("产权证一直办不下来", category_code=city.no_duty.code)
    actions.dispatch_manually(appeal_id=kept.pk, unit=city.street_a1, operator=operator)
    unlabelled = to_operators("说不清楚什么事")
    actions.dispatch_manually(appeal_id=unlabelled.pk, unit=city.street_a1, operator=operator)

    assert examples() == [
        ("楼上每天半夜拖椅子", city.noise.code, "manual_dispatch"),
        ("小区停水一整天了", city.water_outage.code, "correction"),
        ("产权证一直办不下来", city.no_duty.code, "manual_dispatch"),  # the operator kept it: their word too
    ]
    assert LabelledExample.objects.get(category=city.water_outage).appeal_id == wrong.pk


def test_a_return_approved_for_its_matter_labels_the_text_and_one_for_its_place_does_not(
        ticket, city, officers, api_as):
    operator = api_as(officers["operator"])
    by_place = returns.request_return(dispatch_id=ticket.pk, officer=officers["officer_a1"], reason="place",
                                      note="不在本辖区")
    assert operator.post(f"/api/v1/returns/{by_place.pk}/approve/", {"unit": "DB-S1"},
                         format="json").status_code == 200
    assert examples() == []  # the matter was right, only the place was not

    new = ticket.appeal.dispatches.get(is_current=True)
    by_duty = returns.request_return(dispatch_id=new.pk, officer=officers["officer_b1"], reason="duty",
                                     note="这是停水，归自来水集团")
    assert operator.post(f"/api/v1/returns/{by_duty.pk}/approve/",
                         {"unit": city.water.code, "category": city.water_outage.code},
                         format="json").status_code == 200
    assert examples() == [(ticket.appeal.text, city.water_outage.code, "approved_return")]


def test_an_appeal_keeps_one_label_the_latest(city, officers):
    appeal = to_operators("楼下饭店油烟很大")
    actions.dispatch_manually(appeal_id=appeal.pk, unit=city.street_a1, operator=officers["operator"],
                              category=city.noise)
    dispatch = appeal.dispatches.get()
    request = returns.request_return(dispatch_id=dispatch.pk, officer=officers["officer_a1"], reason="duty",
                                     note="不归我们")
    returns.approve_return(return_id=request.pk, operator=officers["operator"], unit=city.housing,
                           category=city.title_dispute)
    assert examples() == [("楼下饭店油烟很大", city.title_dispute.code, "approved_return")]


def test_supervisors_see_the_share_dispatched_without_an_operator_and_how_much_was_fixed(
        ticket, city, officers, client):
    returned = route.route_appeal(appeal_id=submit_appeal(
        text="噪声扰民", category_code=city.noise.code, latitude=city.POINT_A1[0], longitude=city.POINT_A1[1],
        contact_phone="13800138000",
    ).appeal.pk)
    request = returns.request_return(dispatch_id=returned.pk, officer=officers["officer_a1"], reason="duty",
                                     note="不归我们")
    returns.approve_return(return_id=request.pk, operator=officers["operator"], unit=city.water,
                           category=city.water_outage)
    manual = to_operators("不知道选什么类别")
    actions.dispatch_manually(appeal_id=manual.pk, unit=city.street_a2, operator=officers["operator"],
                              category=city.noise)

    figures = ClassifierFigures(days=30)
    totals = figures.totals
    assert (totals["automatic"].count, totals["automatic"].total) == (2, 3)  # the manual one went via an operator
    assert (totals["fixed"].count, totals["fixed"].total, totals["misrouted"].count) == (1, 2, 1)
    by_category = {row.code: row for row in figures.categories}
    # The returned appeal's category is now water: automatic dispatches are counted under today's category.
    assert (by_category[city.noise.code].fixed.total, by_category[city.water_outage.code].fixed.count) == (1, 1)

    client.force_login(officers["supervisor"].user)
    page = client.get(reverse("console:classifier"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "66.7% (2 / 3)" in page and "50.0% (1 / 2)" in page
    assert "No model has been trained yet" in page
    assert client.get(reverse("console:classifier"), {"days": "12"}).status_code == 400
