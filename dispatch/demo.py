"""A morning's work on the demo city, so that `make run` opens on queues, answers, ratings and
rankings rather than empty pages. Everything goes through the real services: intake, routing,
the officers' actions and the resident's feedback, then the rollups the dashboard reads.

Each street of the demo district gets a demo officer (an account without a password: it only
exists to have acted). Deterministic, and safe to run again: it does nothing once the demo
appeals exist.
"""
from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.db import transaction
from shapely.geometry import shape

from appeals.models import Appeal, Category
from appeals.services import submit_appeal
from dispatch.feedback import callbacks
from dispatch.feedback.callbacks import Answers
from dispatch.handling import actions
from dispatch.metrics import daily, rollup
from dispatch.routing import route
from streets.demo.categories import DEMO_APPEALS
from streets.models import Duty, Officer, Unit

MARK = "【演示】"
DISTRICT_CODE = "D01"  # 东城区, the demo officer's district
APPEALS_PER_STREET = 4
ANSWERS = (
    "已联系城管执法队现场处置，问题已解决。", "经核实已安排维修，现已恢复正常。", "已督促物业清理，并将持续跟进。",
)
FEEDBACK = (
    Answers(True, "satisfied"), Answers(True, "satisfied"), Answers(True, "basic"),
    Answers(False, "basic"), Answers(False, "dissatisfied"),
)


def load_demo_activity(*, seed: int = 12345) -> dict[str, int]:
    if Appeal.objects.filter(text__startswith=MARK).exists():
        return {"appeals": 0}
    rng = random.Random(seed)  # noqa: S311 - a reproducible demo, nothing secret
    streets = list(Unit.objects.filter(kind=Unit.Kind.STREET, parent__code=DISTRICT_CODE, active=True)
                   .exclude(boundary__isnull=True).order_by("code"))
    categories = list(Category.objects.filter(is_leaf=True, active=True, duty__handler=Duty.Handler.STREET,
                                              code__in=DEMO_APPEALS).order_by("code"))
    done = {"appeals": 0, "resolved": 0, "rated": 0}
    for street in streets:
        officer = _demo_officer(street)
        point = shape(street.boundary).representative_point()
        for n in range(APPEALS_PER_STREET):
            category = rng.choice(categories)
            with transaction.atomic():
                filed = submit_appeal(
                    text=f"{MARK}{DEMO_APPEALS[category.code]}（{street.name}{n + 1}）",
                    category_code=category.code,
                    latitude=round(point.y, 6), longitude=round(point.x, 6), contact_name="演示居民",
                    contact_phone=f"1390000{done['appeals']:04d}", channel=rng.choice(["web", "web", "phone"]),
                    publish=n % 3 == 0,  # some residents chose to publish: Open311's list has something to show
                )
            dispatch = route.route_appeal(appeal_id=filed.appeal.pk)
            done["appeals"] += 1
            if dispatch is None or dispatch.unit_id != street.pk or rng.random() < 0.3:
                continue  # left in the queue, waiting for the street
            actions.sign_dispatch(dispatch_id=dispatch.pk, officer=officer)
            actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officer, note="已电话联系居民")
            if rng.random() < 0.2:
                continue
            actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officer, answer=rng.choice(ANSWERS))
            done["resolved"] += 1
            if rng.random() < 0.8:
                callbacks.rate_by_tracking(appeal=filed.appeal, answers=rng.choice(FEEDBACK))
                done["rated"] += 1
    rollup.refresh()
    daily.refresh()
    return done


def _demo_officer(street: Unit) -> Officer:
    """The street's own officer: the demo account for the demo street, else a passwordless one."""
    existing = Officer.objects.filter(unit=street, role=Officer.Role.OFFICER, is_head=False).first()
    if existing is not None:
        return existing
    user, created = get_user_model().objects.get_or_create(username=f"demo-{street.code.lower()}")
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return Officer.objects.create(user=user, unit=street, role=Officer.Role.OFFICER)
