"""Intake's database work, counted (never timed): every statement of an API intake POST is here,
so a change that adds one to the hot path fails with the list of what ran."""
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appeals import catalogue, services
from appeals.models import Appeal, AppealEvent

from .scenarios import command_names, count_redis_sends

pytestmark = pytest.mark.django_db

INTAKE_URL = "/api/v1/appeals/"


def body(city, text: str) -> dict:
    return {"text": text, "category": city.noise.code, "latitude": "39.95", "longitude": "116.05",
            "contact_phone": "13800138000"}


def expected_statements() -> list[str]:
    """Outside any transaction, as in production. PostgreSQL: the appeal and its RECEIVED event in
    one statement, which is the whole transaction; the category comes from the process's catalogue
    (appeals/catalogue.py), loaded by the first post; a repeat is found in Redis (appeals/folding.py).
    SQLite (development): the two inserts in a transaction."""
    if connection.vendor == "postgresql":
        return ['WITH "new_appeal" AS (INSERT INTO "appeals_appeal"']
    return ['INSERT INTO "appeals_appeal"', 'INSERT INTO "appeals_appealevent"']


@pytest.mark.django_db(transaction=True)
def test_an_api_intake_post_runs_exactly_these_queries(city, client, routing_queued):
    assert client.post(INTAKE_URL, body(city, "第一次"), content_type="application/json").status_code == 201
    with CaptureQueriesContext(connection) as queries:
        response = client.post(INTAKE_URL, body(city, "楼下商铺每晚噪声扰民"), content_type="application/json")
    assert response.status_code == 201
    statements = [query["sql"] for query in queries.captured_queries if query["sql"].startswith(("WITH", "INSERT"))]
    expected = expected_statements()
    assert len(statements) == len(expected), "\n".join(statements)
    if connection.vendor == "postgresql":
        assert len(queries) == 1, "no other statement, not even BEGIN and COMMIT"
    for statement, start in zip(statements, expected, strict=True):
        assert statement.startswith(start), f"{statement!r} should start with {start!r}"
    appeal = Appeal.objects.get(number=response.json()["number"])
    [received] = appeal.events.all()
    assert (received.kind, received.created_at) == (AppealEvent.Kind.RECEIVED, appeal.created_at)


def test_a_taken_tracking_number_is_drawn_again_in_a_fresh_transaction(city, monkeypatch, caplog):
    first = services.submit_appeal(text="第一件", category_code=city.noise.code, contact_phone="13800138000")
    draws = iter([first.appeal.number, "240501-ABCDEF"])
    monkeypatch.setattr(services, "new_tracking_number", lambda: next(draws))
    with caplog.at_level(logging.WARNING, logger="appeals.services"):
        second = services.submit_appeal(text="第二件", category_code=city.noise.code, contact_phone="13900139000")
    assert second.appeal.number == "240501-ABCDEF"
    assert "collision" in caplog.text
    assert Appeal.objects.count() == 2
    assert AppealEvent.objects.filter(kind=AppealEvent.Kind.RECEIVED).count() == 2


def test_a_category_changed_in_the_admin_is_seen_by_the_next_intake(city, client):
    assert client.post(INTAKE_URL, body(city, "第一次"), content_type="application/json").status_code == 201
    city.noise.active = False
    city.noise.save()  # as the admin does: the catalogue is rebuilt
    response = client.post(INTAKE_URL, body(city, "第二次"), content_type="application/json")
    assert response.status_code == 400
    assert "category" in response.json()
    assert catalogue.active_leaf(city.noise.code) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL with psycopg 3")
def test_the_intake_statement_is_prepared_once_per_connection(city):
    """Bound on the server and prepared after a few runs (config/sql_insert.prepared_cursor): the
    database plans intake's INSERT once per connection, not once per appeal."""
    for n in range(8):
        services.submit_appeal(text=f"第{n}件", category_code=city.noise.code, contact_phone=f"1380013800{n}")
    with connection.cursor() as cursor:
        cursor.execute("""SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'WITH "new_appeal"%%'""")
        assert cursor.fetchone()[0] == 1
    assert AppealEvent.objects.filter(kind=AppealEvent.Kind.RECEIVED).count() == 8


@pytest.mark.parametrize("sms", [False, True], ids=["no-sms-gateway", "sms-receipt"])
def test_an_api_intake_post_sends_redis_two_commands_and_the_receipt(
    city, client, monkeypatch, django_capture_on_commit_callbacks, routing_queued, settings, sms
):
    """Redis, counted the same way: the rate limits and the repeat claim in one script, then the
    routing flag (dispatch/routing/outbox.py), then, when a channel reaches the resident, the
    receipt's task (dispatch/feedback/updates.py). Commands are counted as they are sent, on every
    client."""
    settings.NOTIFICATION_SMS_BACKEND = "appeals.notifications.ConsoleBackend" if sms else ""
    with django_capture_on_commit_callbacks(execute=True):  # connects the routing flag's client
        first = client.post(INTAKE_URL, body(city, "第一次"), content_type="application/json")
    assert first.status_code == 201
    sent = count_redis_sends(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):  # the test's transaction never commits
        # An app sends its device token back: only then is there a repeat claim (appeals/folding.py).
        response = client.post(INTAKE_URL, body(city, "楼下商铺每晚噪声扰民"), content_type="application/json",
                               HTTP_X_APPEAL_DEVICE=first["X-Appeal-Device"])
    assert response.status_code == 201
    assert command_names(sent)[:2] == [b"EVALSHA", b"SET"], sent
    assert b":rate:" in sent[0] and b":fold:" in sent[0]
    assert b"routing-queued" in sent[1]
    receipts = [packed for packed in sent[2:] if b"dispatch.tasks.send_receipt" in packed]
    assert len(receipts) == (1 if sms else 0), sent
    assert len(sent) == 2 + len(receipts), sent
