"""The officers' and operators' actions on a ticket: manual dispatch, decline, sign, respond, note,
resolve, report.

Each action runs in one transaction, locks the row it changes, checks the state it expects with a
conditional UPDATE (so two officers cannot both win), and writes exactly one event.
"""
from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.events import record_transition
from appeals.models import Appeal, AppealEvent, Category
from dispatch.exceptions import ActionNotAllowed
from dispatch.feedback import callbacks
from dispatch.handling.rules import (
    advance,
    check_dispatch_target,
    lock_own_dispatch,
    may_note,
    may_report,
    may_resolve,
    may_respond,
    may_sign,
    refuse_while_return_pending,
    require_role,
)
from dispatch.limits import ANSWER_MAX_LENGTH
from dispatch.models import Dispatch, LabelledExample
from dispatch.routing.learning import record_example
from dispatch.routing.route import create_dispatch
from streets.models import Officer, Unit

logger = logging.getLogger(__name__)

State = Dispatch.State


# --- the operators' manual queue ---------------------------------------------------------------


def _lock_triage_appeal(appeal_id: int) -> Appeal:
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("category").get(pk=appeal_id)
    if appeal.status not in (Appeal.Status.TRIAGE, Appeal.Status.RECEIVED):
        raise ActionNotAllowed(_("This appeal has already been handled."))
    return appeal


def dispatch_manually(
    *, appeal_id: int, unit: Unit, operator: Officer, category: Category | None = None, note: str = ""
) -> Dispatch:
    """An operator sends an appeal that routing could not place; may fix its category too.

    The category the operator dispatched under becomes a labelled example for the classifier (a
    correction when they changed the one the appeal had)."""
    require_role(operator, Officer.Role.OPERATOR)
    check_dispatch_target(unit)
    with transaction.atomic():
        appeal = _lock_triage_appeal(appeal_id)
        corrected = category is not None and appeal.category_id is not None and category.pk != appeal.category_id
        extra = set_category(appeal, category)
        dispatch = create_dispatch(
            appeal=appeal, unit=unit, actor=operator.user, now=timezone.now(), note=note, extra_fields=extra
        )
        if appeal.category is not None:
            record_example(
                text=appeal.text, category_code=appeal.category.code, appeal_id=appeal.pk,
                source=LabelledExample.Source.CORRECTION if corrected else LabelledExample.Source.MANUAL_DISPATCH,
            )
        return dispatch


def set_category(appeal: Appeal, category: Category | None) -> dict:
    """An operator's choice of category on a (re-)dispatch: the appeal's fields that change with it."""
    if category is None or category.pk == appeal.category_id:
        return {}
    appeal.category = category
    return {"category": category}


def decline_appeal(*, appeal_id: int, reason: str, operator: Officer, note: str = "") -> Appeal:
    """An operator declines an appeal with a reason from the fixed list, which the resident sees."""
    require_role(operator, Officer.Role.OPERATOR)
    if reason not in Appeal.RejectionReason.values:
        raise ActionNotAllowed(_("Choose a reason from the list."))
    with transaction.atomic():
        appeal = _lock_triage_appeal(appeal_id)
        record_transition(
            appeal=appeal, kind=AppealEvent.Kind.REJECTED, to_status=Appeal.Status.REJECTED,
            actor=operator.user, note=note.strip()[:ANSWER_MAX_LENGTH], public=True,
            extra_fields={"rejection_reason": reason, "routed_at": appeal.routed_at or timezone.now()},
        )
        return appeal


# --- the officer's actions on a dispatch -------------------------------------------------------


def sign_dispatch(*, dispatch_id: int, officer: Officer) -> Dispatch:
    with transaction.atomic():
        dispatch = lock_own_dispatch(dispatch_id, officer)
        refusal = _("This ticket has already been signed for.")
        if not may_sign(officer, dispatch):
            raise ActionNotAllowed(refusal)
        advance(
            dispatch, allowed=(State.PENDING,), refusal=refusal,
            state=State.SIGNED, signed_at=timezone.now(),
        )
        record_transition(
            appeal=dispatch.appeal, kind=AppealEvent.Kind.SIGNED, actor=officer.user,
            unit=dispatch.unit, dispatch=dispatch,
        )
        return dispatch


def respond_dispatch(*, dispatch_id: int, officer: Officer, note: str = "") -> Dispatch:
    """Record the unit's first contact with the resident (the response)."""
    with transaction.atomic():
        dispatch = lock_own_dispatch(dispatch_id, officer)
        refuse_while_return_pending(dispatch)
        refusal = _("The response has already been recorded.")
        if not may_respond(officer, dispatch):
            raise ActionNotAllowed(refusal)
        now = timezone.now()
        advance(
            dispatch, allowed=Dispatch.UNRESPONDED_STATES, refusal=refusal,
            state=State.RESPONDED, responded_at=now, signed_at=dispatch.signed_at or now,
        )
        record_transition(
            appeal=dispatch.appeal, kind=AppealEvent.Kind.RESPONDED,
            to_status=Appeal.Status.RESPONDED if dispatch.role == Dispatch.Role.PRIMARY else None,
            actor=officer.user, unit=dispatch.unit, dispatch=dispatch, note=note.strip()[:ANSWER_MAX_LENGTH], at=now,
        )
        return dispatch


def add_progress_note(*, dispatch_id: int, officer: Officer, note: str) -> AppealEvent:
    """An internal note on the work done; allowed while the ticket is open."""
    note = (note or "").strip()
    if not note:
        raise ActionNotAllowed(_("Write the note first."))
    with transaction.atomic():
        dispatch = lock_own_dispatch(dispatch_id, officer)
        if not may_note(officer, dispatch):
            raise ActionNotAllowed(_("This ticket is closed."))
        return record_transition(
            appeal=dispatch.appeal, kind=AppealEvent.Kind.NOTE, actor=officer.user, unit=dispatch.unit,
            dispatch=dispatch, note=note[:ANSWER_MAX_LENGTH], public=False,
        )


def resolve_dispatch(*, dispatch_id: int, officer: Officer, answer: str) -> Dispatch:
    """Close the responsible unit's work with an answer to the resident; the callback follows."""
    return _finish(dispatch_id=dispatch_id, officer=officer, text=answer, role=Dispatch.Role.PRIMARY)


def report_cohandling(*, dispatch_id: int, officer: Officer, report: str) -> Dispatch:
    """A summoned department records its part of the work; the street still answers the resident."""
    return _finish(dispatch_id=dispatch_id, officer=officer, text=report, role=Dispatch.Role.COHANDLER)


def _finish(*, dispatch_id: int, officer: Officer, text: str, role: str) -> Dispatch:
    text = (text or "").strip()
    primary = role == Dispatch.Role.PRIMARY
    if not text:
        raise ActionNotAllowed(_("Write the answer to the resident.") if primary else _("Write your report."))
    if len(text) > ANSWER_MAX_LENGTH:
        raise ActionNotAllowed(_("The text is too long."))
    with transaction.atomic():
        dispatch = lock_own_dispatch(dispatch_id, officer)
        if not (may_resolve if primary else may_report)(officer, dispatch):
            raise ActionNotAllowed(_finish_refusal(dispatch, primary=primary))
        now = timezone.now()
        advance(
            dispatch, allowed=(State.RESPONDED,), refusal=_("This ticket is already resolved."),
            state=State.RESOLVED, resolved_at=now, answer=text,
        )
        record_transition(
            appeal=dispatch.appeal,
            kind=AppealEvent.Kind.RESOLVED if primary else AppealEvent.Kind.REPORTED,
            to_status=Appeal.Status.RESOLVED if primary else None,
            actor=officer.user, unit=dispatch.unit, dispatch=dispatch, note=text, public=primary, at=now,
        )
        if primary and callbacks.open_callback(dispatch=dispatch, now=now) is None:
            callbacks.settle_appeal(dispatch=dispatch, now=now)  # the resident was asked at the deadline
        return dispatch


def _finish_refusal(dispatch: Dispatch, *, primary: bool) -> str:
    """Why `may_resolve` / `may_report` said no, in the words the officer needs."""
    if dispatch.is_cohandling == primary:
        return (_("A summoned department reports its part; the responsible unit answers the resident.")
                if dispatch.is_cohandling else _("Only a summoned department reports; resolve the ticket instead."))
    if dispatch.state in Dispatch.UNRESPONDED_STATES:
        return (_("Contact the resident (record the response) before resolving.") if primary
                else _("Record that you have reported for duty (the response) first."))
    return _("This ticket is already resolved.")
