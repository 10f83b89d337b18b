"""The three rates and the rankings: a hand-computed month, generated months counted two independent
ways (rollups from the tables, a recount from the event log), scoring rules and periods."""
import random
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dispatch.handling import returns, whistles
from dispatch.metrics import ledger, rollup
from dispatch.metrics.periods import period_containing, period_for_label
from dispatch.metrics.ranking import ranking, rates_of
from dispatch.models import Callback, Dispatch, ScoringRule, UnitPeriodStats, Whistle
from streets.models import Unit

from .scenarios import Month, local

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)


def counts_of(period, unit, *, method):
    counted = (ledger.recount if method == "ledger" else rollup.count_period)(period)
    return counted[unit.pk].as_row() if unit.pk in counted else None


@pytest.fixture
def october(city, officers):
    """The hand-computed month (see the comments for each dispatch)."""
    m = Month(city, officers)
    d = {}
    d[1] = m.dispatch(local(2026, 10, 12, 10, 0))  # on time, solved, satisfied
    m.respond(d[1], local(2026, 10, 12, 15, 0))
    with m.at(local(2026, 10, 12, 12, 0)):
        whistles.blow_whistle(dispatch_id=d[1].pk, officer=officers["officer_a1"], departments=[city.water],
                              note="需要供水部门")
    d["w1"] = Dispatch.objects.get(appeal=d[1].appeal, unit=city.water)  # the water company, summoned
    m.respond(d["w1"], local(2026, 10, 12, 16, 0))
    m.resolve(d["w1"], local(2026, 10, 12, 17, 0))
    m.resolve(d[1], local(2026, 10, 13, 9, 0))
    m.rate(d[1], local(2026, 10, 14, 9, 0), True, "satisfied")

    d[2] = m.dispatch(local(2026, 10, 12, 11, 0))  # responded late; solved, basically satisfied
    m.respond(d[2], local(2026, 10, 14, 9, 0))
    m.resolve(d[2], local(2026, 10, 14, 10, 0))
    m.rate(d[2], local(2026, 10, 15, 9, 0), True, "basic")

    d[3] = m.dispatch(local(2026, 10, 13, 9, 0))  # never responded: overdue
    m.sweep(local(2026, 10, 14, 9, 30))

    d[6] = m.dispatch(local(2026, 10, 15, 10, 0))  # misrouted: returned, re-dispatched to street A2
    with m.at(local(2026, 10, 15, 11, 0)):
        request = returns.request_return(dispatch_id=d[6].pk, officer=officers["officer_a1"], reason="place",
                                         note="不在本街道")
    with m.at(local(2026, 10, 15, 12, 0)):
        d["6b"] = returns.approve_return(return_id=request.pk, operator=officers["operator"], unit=city.street_a2)
    m.respond(d["6b"], local(2026, 10, 15, 14, 0))

    d["water"] = m.dispatch(local(2026, 10, 16, 10, 0), category=city.water_outage)  # the water company's own
    m.respond(d["water"], local(2026, 10, 16, 11, 0))
    m.resolve(d["water"], local(2026, 10, 16, 15, 0))
    m.rate(d["water"], local(2026, 10, 17, 9, 0), False, "basic")

    d[4] = m.dispatch(local(2026, 10, 20, 10, 0))  # rated unsolved and dissatisfied: reopened
    m.respond(d[4], local(2026, 10, 20, 11, 0))
    m.resolve(d[4], local(2026, 10, 21, 9, 0))
    m.rate(d[4], local(2026, 10, 22, 9, 0), False, "dissatisfied")
    d["4b"] = Dispatch.objects.get(reopened_from=d[4])  # the second round, same street
    m.respond(d["4b"], local(2026, 10, 22, 10, 0))
    m.resolve(d["4b"], local(2026, 10, 23, 9, 0))
    m.rate(d["4b"], local(2026, 10, 25, 9, 0), True, "satisfied")

    d[5] = m.dispatch(local(2026, 10, 26, 10, 0))  # answered, never rated: the survey expires
    m.respond(d[5], local(2026, 10, 26, 11, 0))
    m.resolve(d[5], local(2026, 10, 26, 12, 0))
    m.sweep(local(2026, 10, 31, 12, 0))
    m.sweep(local(2026, 11, 5, 12, 0))
    return d


def test_a_hand_computed_month(october, city):
    period = period_for_label(OCTOBER)
    a1 = {
        "dispatched": 6, "summoned": 0, "due_for_response": 6, "responded_on_time": 4, "rated": 3, "solved": 3,
        "satisfied": 2, "basic": 1, "dissatisfied": 0, "overdue": 1, "returned": 1, "reopened": 1,
        # responses after 5h, 46h, 1h, 1h (the reopened round) and 1h: the lower middle is one hour
        "median_response_seconds": 3600,
    }
    water = {
        "dispatched": 1, "summoned": 1, "due_for_response": 2, "responded_on_time": 2, "rated": 1, "solved": 0,
        "satisfied": 0, "basic": 1, "dissatisfied": 0, "overdue": 0, "returned": 0, "reopened": 0,
        "median_response_seconds": 3600,
    }
    for method in ("ledger", "rollup"):
        assert counts_of(period, city.street_a1, method=method) == a1, method
        assert counts_of(period, city.water, method=method) == water, method
        assert counts_of(period, city.street_a2, method=method)["due_for_response"] == 1

    rates = rates_of(a1, period.rule)
    assert (rates.response, rates.resolution, rates.satisfaction) == (
        Decimal("0.6667"), Decimal("1.0000"), Decimal("0.9667"))  # 4/6, 3/3, (2 + 0.9 x 1)/3
    assert rates.composite == Decimal("0.9533")  # 0.1 x 4/6 + 0.5 x 1 + 0.4 x 2.9/3
    assert rates_of(water, period.rule).composite == Decimal("0.4600")  # 0.1 x 1 + 0.5 x 0 + 0.4 x 0.9

    rollup.store_period(period)
    streets = ranking(period, kind="street")
    assert [(row.code, row.rank) for row in streets] == [("DA-S1", 1), ("DA-S2", None), ("DB-S1", None)]
    assert streets[0].bottom  # the only ranked street is also the bottom of its table
    departments = ranking(period, kind="department")
    assert departments[0].code == "DEP-WATER" and departments[0].rates.composite == Decimal("0.4600")


def test_the_recount_command_agrees_with_the_rollups_and_catches_a_tampered_one(october, city):
    period = period_for_label(OCTOBER)
    rollup.store_period(period)
    out = StringIO()
    call_command("recount_period", "2026-10", "--check", stdout=out)
    assert "rollup rows agree with the event log" in out.getvalue()
    assert "DA-S1\t6\t4\t3\t3\t2\t1\t0\t1\t1\t1\t0.6667\t1.0000\t0.9667\t0.9533" in out.getvalue()

    UnitPeriodStats.objects.filter(unit=city.street_a1, period=OCTOBER).update(solved=2)
    with pytest.raises(CommandError, match="DA-S1: solved"):
        call_command("recount_period", "2026-10", "--check", stdout=StringIO())
    with pytest.raises(CommandError, match="not a month"):
        call_command("recount_period", "October", stdout=StringIO())


def test_a_rule_change_mid_year_scores_each_month_by_its_own_rule(october, city):
    ScoringRule.objects.create(effective_from=date(2026, 10, 1), w_response=Decimal("0.2"),
                               w_resolution=Decimal("0.4"), w_satisfaction=Decimal("0.4"), w_basic=Decimal("0.8"))
    october_rule = period_for_label(OCTOBER).rule
    assert period_for_label(date(2026, 9, 1)).rule.w_basic == Decimal("0.9")  # the default still scores September
    counts = counts_of(period_for_label(OCTOBER), city.street_a1, method="rollup")
    rates = rates_of(counts, october_rule)
    assert rates.satisfaction == Decimal("0.9333")  # (2 + 0.8 x 1) / 3
    assert rates.composite == Decimal("0.9067")  # 0.2 x 4/6 + 0.4 x 1 + 0.4 x 2.8/3


def test_a_month_that_runs_from_the_19th_to_the_18th(october, city):
    ScoringRule.objects.create(effective_from=date(2026, 11, 1), period_start_day=19)
    november = period_for_label(date(2026, 11, 1))
    assert (november.start, november.end) == (local(2026, 10, 19), local(2026, 11, 19))
    assert period_containing(local(2026, 10, 20, 10, 0)).key == "2026-11"
    for method in ("ledger", "rollup"):
        counts = counts_of(november, city.street_a1, method=method)
        # From 19 October: dispatches 4, 4b and 5; ratings of 4b (4's is superseded by the reopen)
        assert (counts["dispatched"], counts["rated"], counts["reopened"]) == (3, 1, 1), method


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_generated_month_counts_the_same_from_the_tables_and_from_the_event_log(city, officers, seed):
    rng = random.Random(seed)
    m = Month(city, officers)
    places = [(39.95, 116.05), (39.95, 116.15), (39.95, 116.25)]
    start = local(2026, 9, 20, 8, 0)
    for moment in sorted(start + timedelta(hours=rng.randint(0, 24 * 40)) for _ in range(40)):
        category = rng.choice([city.noise, city.noise, city.title_dispute, city.water_outage])
        dispatch = m.dispatch(moment, place=rng.choice(places), category=category,
                              urgency="urgent" if rng.random() < 0.1 else None)
        clock = moment
        if dispatch.unit.kind == Unit.Kind.STREET and rng.random() < 0.1:
            with m.at(clock + timedelta(hours=1)):
                request = returns.request_return(dispatch_id=dispatch.pk, officer=m.officer_of(dispatch),
                                                 reason="place", note="不归我们")
            with m.at(clock + timedelta(hours=2)):
                if rng.random() < 0.7:
                    others = [s for s in (city.street_a1, city.street_a2, city.street_b1) if s != dispatch.unit]
                    dispatch = returns.approve_return(return_id=request.pk, operator=officers["operator"],
                                                      unit=rng.choice(others))
                else:
                    returns.refuse_return(return_id=request.pk, operator=officers["operator"], note="属地管理")
            clock += timedelta(hours=2)
        for _round in range(2):  # a reopened appeal gets a second round
            if rng.random() < 0.15:
                break  # never answered
            clock += timedelta(hours=rng.choice([1, 5, 30, 80]))
            m.respond(dispatch, clock)
            if _round == 0 and dispatch.unit.kind == Unit.Kind.STREET and rng.random() < 0.2:
                with m.at(clock):
                    whistles.blow_whistle(dispatch_id=dispatch.pk, officer=m.officer_of(dispatch),
                                          departments=[city.housing], note="协同")
                helper = Dispatch.objects.filter(appeal=dispatch.appeal, role="cohandler").latest("id")
                if rng.random() < 0.7:
                    m.respond(helper, clock + timedelta(hours=rng.choice([2, 40])))
            clock += timedelta(hours=rng.randint(1, 200))
            m.resolve(dispatch, clock)
            if rng.random() < 0.2:
                break  # never rated: the survey expires
            clock += timedelta(hours=rng.randint(1, 100))
            m.rate(dispatch, clock, rng.random() < 0.7, rng.choice(["satisfied", "basic", "dissatisfied"]))
            dispatch = Dispatch.objects.get(appeal=dispatch.appeal, is_current=True, role="primary")
            if dispatch.state != Dispatch.State.PENDING:
                break
        if rng.random() < 0.5:
            m.sweep(clock + timedelta(hours=rng.randint(1, 72)))
    m.sweep(local(2026, 12, 20, 0, 0))

    # The month went through every path the counts distinguish.
    assert Dispatch.objects.filter(state=Dispatch.State.RETURNED).exists() and Whistle.objects.exists()
    for label in (date(2026, 9, 1), OCTOBER, date(2026, 11, 1), date(2026, 12, 1)):
        period = period_for_label(label)
        from_tables = {unit: counts.as_row() for unit, counts in rollup.count_period(period).items()}
        from_log = {unit: counts.as_row() for unit, counts in ledger.recount(period).items()}
        assert from_tables == from_log, label
    assert Callback.objects.filter(state="rated").exists() and Callback.objects.filter(state="expired").exists()
