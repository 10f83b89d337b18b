"""What the probes ask for, drawn from the generated database: the busiest street's officer, appeals
to look up (any; they all share the generator's access code), and the months with rollups."""
from __future__ import annotations

import random
from dataclasses import dataclass

from django.db.models import Count


@dataclass(frozen=True)
class Samples:
    appeals: int
    officer: str  # username of a demo officer of the busiest street that has one
    officer_open: int  # open tickets in that officer's queue
    supervisor: str
    numbers: list[str]
    months: list[str]


def draw(*, lookups: int = 400, seed: int = 1) -> Samples:
    from appeals.models import Appeal
    from bench.data.staff import PREFIX as STAFF_PREFIX
    from dispatch.models import Dispatch, UnitPeriodStats
    from streets.models import Officer

    rng = random.Random(seed)
    officers = (Officer.objects.filter(role=Officer.Role.OFFICER, unit__kind="street").select_related("user", "unit")
                .exclude(user__username__startswith=STAFF_PREFIX))  # those have no password to log in with
    open_by_unit = dict(Dispatch.objects.filter(state__in=Dispatch.OPEN_STATES, unit__in=officers.values("unit"))
                        .values_list("unit").annotate(n=Count("id")).order_by())
    officer = max(officers, key=lambda o: (open_by_unit.get(o.unit_id, 0), not o.is_head))
    supervisor = Officer.objects.filter(role=Officer.Role.SUPERVISOR).select_related("user").first()
    last_id = Appeal.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = sorted({rng.randrange(1, last_id + 1) for _ in range(lookups * 2)})
    numbers = list(Appeal.objects.filter(id__in=ids).values_list("number", flat=True))[:lookups]
    rng.shuffle(numbers)
    months = [f"{label:%Y-%m}" for label in
              UnitPeriodStats.objects.values_list("period", flat=True).distinct().order_by("period")]
    return Samples(appeals=Appeal.objects.count(), officer=officer.user.username,
                   officer_open=open_by_unit.get(officer.unit_id, 0), supervisor=supervisor.user.username,
                   numbers=numbers, months=months)
