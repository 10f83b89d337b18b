"""The one way to change an appeal's status: update the cached status and append its event in the
same transaction. Other apps call `record_transition`; nobody writes AppealEvent directly."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import Appeal, AppealEvent


def record_transition(
    *,
    appeal: Appeal,
    kind: str,
    to_status: str | None = None,
    actor=None,
    unit=None,
    dispatch=None,
    note: str = "",
    public: bool = True,
    extra_fields: dict | None = None,
    data: dict | None = None,
    at=None,
) -> AppealEvent:
    """Append one event; when `to_status` is given, move the appeal's status with it.

    `extra_fields` are other Appeal columns that change with this transition (e.g. routed_at).
    `data` holds the facts the metrics are recomputed from (deadlines set, a rating given), so
    the event log alone reproduces every rate. `at` is the moment the caller stamped on its own
    row (e.g. a dispatch's responded_at), so the log and the row agree to the microsecond.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_transition must run inside a transaction")
    from_status = appeal.status
    changes = dict(extra_fields or {})
    if to_status is not None:
        changes["status"] = to_status
    if changes:
        Appeal.objects.filter(pk=appeal.pk).update(**changes)
        for field, value in changes.items():
            setattr(appeal, field, value)
    return AppealEvent.objects.create(
        appeal=appeal,
        dispatch=dispatch,
        kind=kind,
        from_status=from_status,
        to_status=to_status or from_status,
        actor=actor if actor is not None and actor.is_authenticated else None,
        unit=unit,
        note=note,
        public=public,
        data=data or {},
        created_at=at or timezone.now(),
    )
