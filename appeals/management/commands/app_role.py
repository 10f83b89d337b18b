"""Create the least-privilege PostgreSQL role the application runs as: `app_role NAME [--execute]`.

The event log's triggers (migrations 0007 and 0011) refuse UPDATE, DELETE and TRUNCATE, but the
table's owner or a superuser can drop a trigger. So migrations run as the owner, and the web
processes and Celery workers connect as a role that owns nothing, is no superuser and no member of
the owner, and holds only what the application uses: SELECT/INSERT/UPDATE/DELETE on the tables
(SELECT and INSERT only on the event log), USAGE/SELECT on the sequences, USAGE on the schema,
CONNECT on the database. Default privileges give it the same on tables later migrations create.

Run it as the owner (the role migrations run as), again after every migration that adds a table
is harmless: every statement is idempotent. Without --execute it prints the SQL for a DBA.
"""
import os
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

from appeals.models import AppealEvent

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def role_statements(*, role: str, database: str, owner: str, password: str | None) -> list[sql.Composable]:
    """The statements that create (or bring back to least privilege) `role` in `database`."""
    name, events = sql.Identifier(role), sql.Identifier(AppealEvent._meta.db_table)
    statements = [
        sql.SQL("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {}) THEN CREATE ROLE {}; "
                "END IF; END $$").format(sql.Literal(role), name),
        sql.SQL("ALTER ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT")
        .format(name),
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), name),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(name),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(name),
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(events, name),
        sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
                "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}").format(sql.Identifier(owner), name),
        sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
                "GRANT USAGE, SELECT ON SEQUENCES TO {}").format(sql.Identifier(owner), name),
    ]
    if password:
        statements.append(sql.SQL("ALTER ROLE {} PASSWORD {}").format(name, sql.Literal(password)))
    return statements


OVERREACH = """
SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = %(role)s)
    OR pg_has_role(%(role)s, %(owner)s, 'MEMBER')
    OR EXISTS (SELECT FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = %(role)s))
    OR EXISTS (SELECT FROM pg_namespace WHERE nspowner = (SELECT oid FROM pg_roles WHERE rolname = %(role)s))
"""


class Command(BaseCommand):
    help = "Print (or --execute) the SQL that creates the application's least-privilege database role."

    def add_arguments(self, parser):
        parser.add_argument("role", help="The role's name, e.g. appeals_app (lower case, digits, _).")
        parser.add_argument("--execute", action="store_true", help="Run the statements instead of printing them.")
        parser.add_argument("--password-env", metavar="VARIABLE",
                            help="Set the role's password from this environment variable (never printed).")

    def handle(self, *args, role: str, execute: bool, password_env: str | None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The application role is a PostgreSQL role: DATABASE_URL must name PostgreSQL.")
        if not ROLE_NAME.match(role):
            raise CommandError("A role name is lower-case letters, digits and _, at most 63 characters.")
        password = os.environ.get(password_env, "") if password_env else None
        if password_env and not password:
            raise CommandError(f"The environment variable {password_env} is empty.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database(), current_user")
            database, owner = cursor.fetchone()
        if role == owner:
            raise CommandError("The application role must not be the role that owns the tables.")
        statements = role_statements(role=role, database=database, owner=owner, password=password)
        raw = connection.connection  # psycopg's own connection renders identifiers and literals
        if not execute:
            for statement in statements[:-1] if password else statements:
                self.stdout.write(statement.as_string(raw) + ";")
            if password:
                self.stdout.write(f"-- and its password, from ${password_env} (not shown)")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement.as_string(raw))
            cursor.execute(OVERREACH, {"role": role, "owner": owner})
            if cursor.fetchone()[0]:
                raise CommandError(f"Role {role} is a superuser, a member of {owner} or owns objects here: "
                                   "it could drop the event log's triggers. Use a role of its own.")
        self.stdout.write(f"Role {role} may now connect to {database} with the application's privileges only.")
