"""Migration operations that change indexes on big tables without blocking writes.

On PostgreSQL they are Django's CREATE/DROP INDEX CONCURRENTLY operations (the migration sets
`atomic = False`): intake keeps writing while an index over a year of appeals builds. Other
databases (SQLite in development) have no such thing and run the plain operation.
"""
from django.contrib.postgres import operations as postgres
from django.db import migrations


class _ConcurrentlyOnPostgreSQL:
    plain: type  # the operation to run on other databases

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run("database_forwards", app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run("database_backwards", app_label, schema_editor, from_state, to_state)

    def _run(self, method, *args):
        if args[1].connection.vendor == "postgresql":
            getattr(super(), method)(*args)
        else:
            getattr(self.plain, method)(self, *args)


class AddIndexConcurrently(_ConcurrentlyOnPostgreSQL, postgres.AddIndexConcurrently):
    plain = migrations.AddIndex


class RemoveIndexConcurrently(_ConcurrentlyOnPostgreSQL, postgres.RemoveIndexConcurrently):
    plain = migrations.RemoveIndex


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL that runs on PostgreSQL and is a no-op on every other database (the database guards
    of the event log: SQLite keeps the application-level guards only)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


# Deliberate maintenance that must empty the event log (the bench's wipe, the test suite's flush)
# runs this first in its transaction: replication role "replica" skips ordinary triggers, and only a
# superuser may set it, so the application's role (see `manage.py app_role`) never can.
SKIP_TRIGGERS_IN_TRANSACTION = "SET LOCAL session_replication_role = replica"
