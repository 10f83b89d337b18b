"""The INSERT built for intake's one-statement write (config/sql_insert.py): reusing the compiled
text must give exactly what Django's compiler gives, and the row must read back as Model.save()
would have written it."""
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL

from appeals.models import Appeal, AppealEvent
from config import sql_insert

pytestmark = pytest.mark.django_db


def appeal(number: str, **fields) -> Appeal:
    return Appeal(number=number, access_code_hash="h", text="路灯不亮", latitude=Decimal("39.950000"),
                  longitude=Decimal("116.050000"), attributes={"floor": ["3", "4"]}, **fields)


def test_the_reused_statement_matches_a_fresh_compile(monkeypatch):
    first = sql_insert.insert_sql(appeal("261130-AAAAAA"), connection, returning=("id",))
    again = appeal("261130-BBBBBB", contact_phone="13800138000")
    reused = sql_insert.insert_sql(again, connection, returning=("id",))
    monkeypatch.setattr(sql_insert, "_compiled", {})
    fresh = sql_insert.insert_sql(again, connection, returning=("id",))
    assert reused[0] == fresh[0] == first[0]
    assert [str(p) for p in reused[1]] == [str(p) for p in fresh[1]]


def test_an_expression_value_is_inlined_and_the_row_reads_back_as_saved():
    row = appeal("261130-CCCCCC")
    sql, params = sql_insert.insert_sql(row, connection, returning=("id",))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        [pk] = cursor.fetchone()
    stored = Appeal.objects.get(pk=pk)
    assert (stored.number, stored.latitude, stored.attributes, stored.created_at) == (
        row.number, row.latitude, row.attributes, row.created_at)
    for _ in range(2):  # the first call compiles, the second reuses
        event = AppealEvent(kind=AppealEvent.Kind.NOTE, from_status="received", to_status="received")
        event.appeal_id = RawSQL('(SELECT max("id") FROM "appeals_appeal")', ())
        sql, params = sql_insert.insert_sql(event, connection, returning=("id",))
        assert 'SELECT max("id")' in sql
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert stored.events.count() == 2


def test_an_expression_with_parameters_is_refused(monkeypatch):
    monkeypatch.setattr(sql_insert, "_compiled", {})
    event = AppealEvent(kind=AppealEvent.Kind.NOTE, from_status="received", to_status="received")
    event.appeal_id = RawSQL("%s", (1,))
    with pytest.raises(ValueError, match="parameters"):
        sql_insert.insert_sql(event, connection)
