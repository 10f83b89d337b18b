"""`python -m bench dispatch`: smart dispatch end to end on the held-out appeals.

On a fresh stack (demo city, demo classifier trained as in `make run`), every appeal of
bench/eval/appeals_heldout.jsonl (written apart from the training set; never trained or tuned on) is
filed through the intake service as a resident who leaves the category open would file it (text and
written address, no point), and routed by the routing code itself, twice: with ROUTING_TO_DISTRICT
off and on (as in the demo). Printed:

- reach: of the appeals whose place can be determined (the street is known) or whose matter
  belongs to a department, the share dispatched without an operator (target >= 80%);
- right: of those, the share that reached the right unit (target >= 97%), and how many of the wrong
  ones were street matters sent to another street (the place read wrong, not the category);
- the same two figures with district-only places counted (the district being the right unit);
  with the setting on, an appeal whose street was written in words the gazetteer does not know goes
  to its district: it counts as reached, and not right (the district is not the street);
- top-3: the right leaf category among the classifier's three first suggestions, over all (>= 95%);
- urgent and consultation detection;
- routing throughput of one worker process (solo pool) on these free-text appeals, and on the
  load's appeals (category and point given, as `make bench` measures it) (target >= 500/s).
"""
from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

from .routing import routing_throughput
from .stack import running_stack

HELDOUT = Path(__file__).resolve().parent / "eval" / "appeals_heldout.jsonl"


def heldout() -> list[dict]:
    return [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]


def free_text_appeals(rows: list[dict]):
    """Intake's keyword arguments for each held-out appeal: text and address, nothing chosen."""
    for row in itertools.cycle(rows):
        yield {"text": row["text"], "address": row["address"], "contact_phone": "13800138000"}


def expected_unit(row: dict, duties: dict, units_by_name: dict) -> tuple[int | None, str]:
    """The unit that must handle the row, and how it is known ("department", "street", "district"
    or "" when the place cannot be determined)."""
    handler, department_id = duties[row["category"]]
    if handler == "department":
        return department_id, "department"
    if row["street"]:
        return units_by_name[row["street"]], "street"
    if row["district"]:
        return units_by_name[row["district"]], "district"
    return None, ""


def evaluate(rows: list[dict]) -> dict:
    """File and route every row; count what became of each (see the module's docstring)."""
    from appeals.models import Appeal
    from appeals.services import submit_appeal
    from dispatch.models import Dispatch
    from dispatch.routing.classify import classify
    from dispatch.routing.route import route_backlog
    from streets.models import Duty, Unit

    duties = {code: (handler, department) for code, handler, department in
              Duty.objects.values_list("category__code", "handler", "department_id")}
    units_by_name = dict(Unit.objects.filter(kind__in=("street", "district")).values_list("name", "id"))
    districts = set(Unit.objects.filter(kind="district").values_list("id", flat=True))
    streets = set(Unit.objects.filter(kind="street").values_list("id", flat=True))
    ids = [submit_appeal(text=row["text"], address=row["address"], contact_phone="13800138000",
                         channel=Appeal.Channel.API).appeal.pk for row in rows]
    route_backlog()
    appeals = Appeal.objects.in_bulk(ids)
    units = dict(Dispatch.objects.filter(appeal_id__in=ids, role=Dispatch.Role.PRIMARY, is_current=True)
                 .values_list("appeal_id", "unit_id"))
    suggestions = classify([row["text"] for row in rows])
    counts = dict.fromkeys(("eligible", "reached", "right", "to_district", "wrong_street", "eligible_d", "reached_d",
                            "right_d", "top3", "urgent", "urgent_found", "consult", "consult_found", "false_urgent"), 0)
    for row, appeal_id, suggestion in zip(rows, ids, suggestions, strict=True):
        want, known = expected_unit(row, duties, units_by_name)
        got = units.get(appeal_id)
        for suffix, counted in (("", known in ("department", "street")), ("_d", bool(known))):
            if counted:
                counts["eligible" + suffix] += 1
                counts["reached" + suffix] += got is not None
                counts["right" + suffix] += got is not None and got == want
        counts["to_district"] += known == "street" and got in districts
        counts["wrong_street"] += known == "street" and got is not None and got != want and got in streets
        counts["top3"] += row["category"] in [code for code, _ in suggestion.categories[:3]]
        appeal = appeals[appeal_id]
        if row["urgent"]:
            counts["urgent"] += 1
            counts["urgent_found"] += appeal.urgency == Appeal.Urgency.URGENT
        else:
            counts["false_urgent"] += appeal.urgency == Appeal.Urgency.URGENT
        if row["kind"] == "consultation":
            counts["consult"] += 1
            counts["consult_found"] += appeal.kind == Appeal.Kind.CONSULTATION
    counts["all"] = len(rows)
    return counts


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%} ({part}/{whole})" if whole else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench dispatch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="bench_dispatch")
    parser.add_argument("--routing-appeals", type=int, default=3000, help="appeals per throughput run")
    args = parser.parse_args(argv)
    rows = heldout()
    with running_stack(database=args.database, gunicorn_workers=0, celery_workers=0) as stack:
        stack.setup_django()
        from django.test import override_settings

        with override_settings(ROUTING_TO_DISTRICT=False):
            strict = evaluate(rows)
        with override_settings(ROUTING_TO_DISTRICT=True):
            demo = evaluate(rows)
        free = routing_throughput(stack, count=args.routing_appeals, appeals=free_text_appeals(rows))
        form = routing_throughput(stack, count=args.routing_appeals)
    print(f"Held-out appeals: {strict['all']} ({HELDOUT.name}), filed with no category and no point")
    for title, c in (("ROUTING_TO_DISTRICT off (a place the gazetteer does not know waits for an operator)", strict),
                     ("ROUTING_TO_DISTRICT on, as in the demo (a district-only place goes to the district)", demo)):
        print(title)
        print(f"  reach without an operator (street known or a department's matter): "
              f"{_share(c['reached'], c['eligible'])}   target >= 80%")
        print(f"  right unit, of those reached:                                       "
              f"{_share(c['right'], c['reached'])}   target >= 97%")
        print(f"    of the wrong ones, a street matter sent to another street (the place read wrong): "
              f"{c['wrong_street']}")
        if c["to_district"]:
            print(f"    of the wrong ones, sent to the district to coordinate where the street was written but "
                  f"the gazetteer does not know it: {c['to_district']}")
        print(f"  counting district-only places too (the district is then the right unit): reach "
              f"{_share(c['reached_d'], c['eligible_d'])}, right {_share(c['right_d'], c['reached_d'])}")
    print(f"Top-3 category accuracy, over all: {_share(strict['top3'], strict['all'])}   target >= 95%")
    print(f"Urgent detected: {_share(strict['urgent_found'], strict['urgent'])}; marked urgent wrongly: "
          f"{_share(strict['false_urgent'], strict['all'] - strict['urgent'])}; consultations recognised: "
          f"{_share(strict['consult_found'], strict['consult'])}")
    for name, figure in (("free text, no category, no point", free), ("the load's appeals (category, point)", form)):
        print(f"Routing, one worker process, {name}: {figure['per_second']:,.0f} appeals/s "
              f"({figure['routed']} in {figure['seconds']:.1f} s; {figure['per_cpu_second']:,.0f} per CPU-second "
              f"of the worker)   target >= 500/s")
    return 0
