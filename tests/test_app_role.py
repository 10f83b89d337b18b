"""The application's least-privilege role (`manage.py app_role`): it runs intake, and it can neither
rewrite the event log nor take its guards away (drop or disable a trigger, TRUNCATE, skip triggers)."""
import os
import re
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from appeals.models import Appeal, AppealEvent

from .processes import ROOT, database_url

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),  # the role's own connections must see committed rows
]


@pytest.fixture
def app_role(db):
    """A role for this test database (roles are shared by the whole server), dropped afterwards."""
    role = re.sub(r"[^a-z0-9_]", "_", f"{settings.DATABASES['default']['NAME']}_app".lower())[:63]
    call_command("app_role", role, "--execute")
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')  # its grants here and on the database
        cursor.execute(f'DROP ROLE "{role}"')


def connect_as(role: str) -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(host=db["HOST"] or "localhost", port=db["PORT"] or 5432, dbname=db["NAME"], user=role,
                           autocommit=True)


def test_intake_runs_as_the_application_role(app_role, city):
    """The web processes and workers connect as the role: filing an appeal (the appeal and its first
    event, a prepared statement) works with its privileges alone."""
    code = ("from appeals.services import submit_appeal; "
            f"print(submit_appeal(text='路灯不亮', category_code='{city.noise.code}', latitude=39.95, "
            "longitude=116.05, contact_phone='13800138000').appeal.number)")
    owner_url = database_url(settings.DATABASES["default"])
    role_url = re.sub(r"//[^@/]*@", f"//{app_role}@", owner_url) if "@" in owner_url.split("//", 1)[1] \
        else owner_url.replace("//", f"//{app_role}@", 1)
    result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT,
                            env={**os.environ, "DATABASE_URL": role_url}, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    appeal = Appeal.objects.get(number=result.stdout.strip())
    assert AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.RECEIVED).count() == 1


@pytest.mark.parametrize("statement", [
    "DROP TRIGGER appeals_event_append_only ON appeals_appealevent",
    "DROP TRIGGER appeals_event_no_truncate ON appeals_appealevent",
    "ALTER TABLE appeals_appealevent DISABLE TRIGGER ALL",
    "TRUNCATE appeals_appealevent",
    "UPDATE appeals_appealevent SET note = 'rewritten'",
    "DELETE FROM appeals_appealevent",
    "SET session_replication_role = replica",
    "CREATE TABLE app_role_owns_this (id int)",
], ids=["drop-trigger", "drop-truncate-trigger", "disable-triggers", "truncate", "update", "delete",
        "skip-triggers", "create-table"])
def test_the_application_role_cannot_touch_the_event_log_guards(app_role, city, statement):
    with connect_as(app_role) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


def test_the_application_role_can_insert_and_read_events(app_role, ticket):
    with connect_as(app_role) as conn:
        conn.execute(
            "INSERT INTO appeals_appealevent (appeal_id, kind, from_status, to_status, note, public, data, created_at)"
            " VALUES (%s, 'note', '', '', 'as the application role', false, '{}', now())", [ticket.appeal_id])
        assert conn.execute("SELECT count(*) FROM appeals_appealevent WHERE note = 'as the application role'"
                            ).fetchone() == (1,)


def test_the_command_prints_the_sql_without_the_password(db, monkeypatch, capsys):
    monkeypatch.setenv("APP_DB_PASSWORD", "s3cret-Pw-not-for-logs")
    call_command("app_role", "appeals_app", "--password-env", "APP_DB_PASSWORD")
    printed = capsys.readouterr().out
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "appeals_app"' in printed
    assert 'REVOKE UPDATE, DELETE, TRUNCATE ON "appeals_appealevent" FROM "appeals_app"' in printed
    assert "NOSUPERUSER" in printed and "s3cret" not in printed
