"""Whistles: "the street blows the whistle, the departments report".

A street summons departments onto an appeal it holds. Each department gets a co-handling
dispatch with its own deadlines (the co-handling tier), sees the appeal in its queue, reports for
duty (respond) and then records its part (report). The street stays responsible for the answer.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals import notes
from appeals.events import record_transition
from appeals.models import AppealEvent
from dispatch.exceptions import ActionNotAllowed
from dispatch.handling.rules import lock_own_dispatch, may_whistle, refuse_while_return_pending
from dispatch.limits import NOTE_MAX_LENGTH
from dispatch.models import Dispatch, Whistle
from dispatch.routing.route import create_dispatch
from streets.models import Officer, Unit

MAX_DEPARTMENTS = 10


def blow_whistle(*, dispatch_id: int, officer: Officer, departments: Iterable[Unit], note: str) -> Whistle:
    departments = list({unit.pk: unit for unit in departments}.values())
    note = (note or "").strip()[:NOTE_MAX_LENGTH]
    if not departments:
        raise ActionNotAllowed(_("Choose at least one department to summon."))
    if len(departments) > MAX_DEPARTMENTS:
        raise ActionNotAllowed(_("Summon at most %(n)d departments at once.") % {"n": MAX_DEPARTMENTS})
    if any(unit.kind != Unit.Kind.DEPARTMENT or not unit.active for unit in departments):
        raise ActionNotAllowed(_("Only active departments can be summoned."))
    if not note:
        raise ActionNotAllowed(_("Say what the departments are needed for."))
    with transaction.atomic():
        dispatch = lock_own_dispatch(dispatch_id, officer)
        if not may_whistle(officer, dispatch):
            raise ActionNotAllowed(
                _("This ticket is closed.") if not dispatch.is_open
                else _("Only the street responsible for the appeal can summon departments.")
            )
        refuse_while_return_pending(dispatch)
        busy = set(
            Dispatch.objects.filter(
                appeal_id=dispatch.appeal_id, role=Dispatch.Role.COHANDLER, state__in=Dispatch.OPEN_STATES,
                unit__in=departments,
            ).values_list("unit__name", flat=True)
        )
        if busy:
            raise ActionNotAllowed(
                _("Already summoned and still working on it: %(units)s.") % {"units": ", ".join(sorted(busy))}
            )
        now = timezone.now()
        whistle = Whistle.objects.create(dispatch=dispatch, blown_by=officer.user, blown_at=now, note=note)
        for unit in departments:
            create_dispatch(appeal=dispatch.appeal, unit=unit, actor=officer.user, now=now, whistle=whistle)
        record_transition(
            appeal=dispatch.appeal, kind=AppealEvent.Kind.WHISTLE, actor=officer.user, unit=dispatch.unit,
            dispatch=dispatch, public=True,
            message=notes.message(
                "whistle.summoned", units=[(u.name, u.name_en) for u in sorted(departments, key=lambda u: u.code)]
            ),
        )
        return whistle
