"""The audit log cannot be edited: every layer that could rewrite an event refuses.

The instance, the queryset and its managers, the admin, and on PostgreSQL the database itself
(a trigger), so that not even raw SQL can change history.
"""
import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction

from appeals.models import AppealEvent, AppendOnlyError

from .scenarios import routed_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(city):
    """An appeal with two events: received and dispatched."""
    return routed_ticket(city, text="路灯不亮", contact_name="").appeal


def snapshot(appeal) -> list[tuple]:
    return list(AppealEvent.objects.filter(appeal=appeal).order_by("id").values_list("id", "kind", "note"))


def test_an_event_instance_cannot_be_saved_again_or_deleted(history):
    before = snapshot(history)
    event = AppealEvent.objects.filter(appeal=history).first()
    event.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert snapshot(history) == before


@pytest.mark.parametrize(
    "rewrite",
    [
        lambda appeal: AppealEvent.objects.filter(appeal=appeal).update(note="rewritten"),
        lambda appeal: AppealEvent.objects.filter(appeal=appeal).delete(),
        lambda appeal: AppealEvent.objects.update(note="rewritten"),
        lambda appeal: AppealEvent.objects.all().delete(),
        lambda appeal: appeal.events.update(note="rewritten"),
        lambda appeal: appeal.events.all().delete(),
        lambda appeal: AppealEvent._base_manager.filter(appeal=appeal).update(note="rewritten"),
        lambda appeal: AppealEvent.objects.bulk_update(
            [AppealEvent(pk=pk, note="rewritten") for pk in appeal.events.values_list("pk", flat=True)], ["note"]
        ),
    ],
    ids=["filter-update", "filter-delete", "manager-update", "all-delete", "related-update", "related-delete",
         "base-manager-update", "bulk-update"],
)
def test_querysets_and_managers_refuse_bulk_rewrites(history, rewrite):
    before = snapshot(history)
    with pytest.raises(AppendOnlyError), transaction.atomic():
        rewrite(history)
    assert snapshot(history) == before


def test_new_events_can_still_be_written(history):
    count = AppealEvent.objects.count()
    AppealEvent.objects.create(appeal=history, kind=AppealEvent.Kind.NOTE, note="appended")
    assert AppealEvent.objects.count() == count + 1


@pytest.fixture
def admin_client_(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pass12345")
    client.force_login(user)
    return client


def test_the_admin_shows_events_but_offers_no_add_change_or_delete(admin_client_, history):
    event = AppealEvent.objects.filter(appeal=history).first()
    before = snapshot(history)
    base = "/admin/appeals/appealevent/"

    listing = admin_client_.get(base)
    assert listing.status_code == 200
    assert "delete_selected" not in listing.content.decode()  # no bulk delete action
    assert admin_client_.get(f"{base}{event.pk}/change/").status_code == 200  # read-only view
    assert admin_client_.get(f"{base}add/").status_code == 403
    assert admin_client_.post(f"{base}add/", {"appeal": history.pk, "kind": "note"}).status_code == 403
    changed = admin_client_.post(f"{base}{event.pk}/change/", {"note": "rewritten", "kind": event.kind})
    assert changed.status_code == 403
    assert admin_client_.get(f"{base}{event.pk}/delete/").status_code == 403
    assert admin_client_.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = admin_client_.post(base, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert bulk.status_code == 200  # the list again, "no action selected": the action does not exist
    assert snapshot(history) == before


def test_the_appeal_admin_inline_cannot_add_or_remove_events(admin_client_, history):
    before = snapshot(history)
    url = f"/admin/appeals/appeal/{history.pk}/change/"
    page = admin_client_.get(url).content.decode()
    assert 'id="events-group"' in page  # the timeline is shown, read-only
    assert 'name="events-MAX_NUM_FORMS" value="0"' in page and "-DELETE" not in page
    first = before[0][0]
    forged = {"events-TOTAL_FORMS": "3", "events-INITIAL_FORMS": "2", "events-0-id": first, "events-0-DELETE": "on",
              "events-2-kind": "note", "events-2-note": "forged"}
    assert admin_client_.post(url, forged).status_code == 403
    assert snapshot(history) == before


requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger exists on PostgreSQL only (SQLite keeps the application-level guards)",
)


@requires_postgresql
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE appeals_appealevent SET note = 'rewritten' WHERE appeal_id = %s",
        "DELETE FROM appeals_appealevent WHERE appeal_id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_rejects_raw_sql_that_rewrites_events(history, sql):
    before = snapshot(history)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [history.pk])
    assert snapshot(history) == before


@requires_postgresql
@pytest.mark.parametrize("sql", ["TRUNCATE appeals_appealevent", "TRUNCATE appeals_appeal CASCADE"],
                         ids=["truncate", "truncate-cascade-from-appeals"])
def test_the_database_rejects_truncating_the_event_log(history, sql):
    """TRUNCATE fires no row trigger: a statement trigger refuses it, even for the table's owner."""
    before = snapshot(history)
    with pytest.raises(DatabaseError, match="append-only: TRUNCATE"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own inserts leave deferred checks pending
        cursor.execute(sql)
    assert snapshot(history) == before


@requires_postgresql
def test_the_database_still_accepts_raw_inserts(history):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO appeals_appealevent (appeal_id, kind, from_status, to_status, note, public, data, created_at)"
            " VALUES (%s, 'note', '', '', 'raw insert', false, '{}', now())",
            [history.pk],
        )
    assert AppealEvent.objects.filter(appeal=history, note="raw insert").exists()
