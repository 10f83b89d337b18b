"""The one way to change an appeal's status: update the cached status and append its event in the
same transaction. Other apps call `record_transition`; nobody writes AppealEvent directly."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from config.sql_insert import insert_sql, prepared_cursor

from .models import Appeal, AppealEvent
from .signals import events_recorded


@dataclass(frozen=True)
class Transition:
    """One event to append, and the appeal columns that change with it (see record_transition)."""

    appeal: Appeal
    kind: str
    to_status: str | None = None
    actor: object = None
    unit: object = None
    dispatch: object = None
    note: str = ""
    public: bool = True
    extra_fields: dict | None = None
    data: dict | None = None
    at: datetime | None = None
    message: dict | None = None  # a system note to render in the reader's language (appeals/notes.py)


def record_transition(**fields) -> AppealEvent:
    """Append one event; when `to_status` is given, move the appeal's status with it.

    `extra_fields` are other Appeal columns that change with this transition (e.g. routed_at).
    `data` holds the facts the metrics are recomputed from (deadlines set, a rating given), so
    the event log alone reproduces every rate. `at` is the moment the caller stamped on its own
    row (e.g. a dispatch's responded_at), so the log and the row agree to the microsecond.
    """
    return record_transitions([Transition(**fields)])[0]


def record_transitions(transitions: list[Transition]) -> list[AppealEvent]:
    """Append many events at once (a routing batch): one UPDATE per distinct change of the
    appeals' columns and one INSERT, instead of two round trips per appeal."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_transition must run inside a transaction")
    updates: dict[tuple, list[int]] = defaultdict(list)
    events = []
    for transition in transitions:
        appeal = transition.appeal
        from_status = appeal.status
        changes = dict(transition.extra_fields or {})
        if transition.to_status is not None:
            changes["status"] = transition.to_status
        if changes:
            updates[tuple(sorted(changes.items()))].append(appeal.pk)
            for field, value in changes.items():
                setattr(appeal, field, value)
        actor = transition.actor
        events.append(AppealEvent(
            appeal=appeal,
            dispatch=transition.dispatch,
            kind=transition.kind,
            from_status=from_status,
            to_status=transition.to_status or from_status,
            actor=actor if actor is not None and actor.is_authenticated else None,
            unit=transition.unit,
            note=transition.note,
            public=transition.public,
            data={**(transition.data or {}), **({"message": transition.message} if transition.message else {})},
            created_at=transition.at or timezone.now(),
        ))
    for changes, appeal_ids in updates.items():
        Appeal.objects.filter(pk__in=appeal_ids).update(**dict(changes))
    created = AppealEvent.objects.bulk_create(events)
    events_recorded.send(sender=AppealEvent, events=created)
    return created


def create_with_first_event(appeal: Appeal, *, kind: str, actor=None) -> AppealEvent:
    """Insert a new appeal together with its first event (RECEIVED), stamped with the same moment.

    On PostgreSQL both rows go in one statement (a data-modifying CTE): atomic by itself, so intake
    needs no transaction of its own, and one round trip on the busiest write path. Elsewhere
    (SQLite in development) they are two inserts in one transaction. A failed insert (a taken
    tracking number) leaves neither row.
    """
    event = AppealEvent(
        kind=kind, from_status=appeal.status, to_status=appeal.status, created_at=appeal.created_at,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        with transaction.atomic():
            appeal.save(force_insert=True)
            event.appeal = appeal
            event.save(force_insert=True)
        return event
    appeal_sql, appeal_params = insert_sql(appeal, connection, returning=("id",))
    event.appeal_id = RawSQL('(SELECT "id" FROM "new_appeal")', ())
    event_sql, event_params = insert_sql(event, connection, returning=("id", "appeal"))
    with prepared_cursor(connection) as cursor:
        cursor.execute(f'WITH "new_appeal" AS ({appeal_sql}) {event_sql}', [*appeal_params, *event_params])
        event.pk, appeal.pk = cursor.fetchone()
    for row in (appeal, event):
        row._state.adding, row._state.db = False, connection.alias
    event.appeal = appeal
    return event
