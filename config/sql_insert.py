"""INSERT statements compiled by Django's own insert compiler, for the rare write that must share
one statement with another (a parent and its first child in one data-modifying CTE).

The values go through the same `pre_save` and `get_db_prep_save` as `Model.save()`, so defaults,
auto_now fields and JSON adaptation behave as they do there. A field's value may be an SQL
expression without parameters (e.g. `RawSQL` reading the id a CTE returned). The statement's text
depends only on the model, the database, RETURNING and which fields are expressions, so it is
compiled once per process and reused: compiling was most of the cost of building it.

`prepared_cursor` runs such a statement the way a hot path wants it on PostgreSQL: parameters
bound on the server, and the statement prepared once per connection (psycopg prepares a query it
has seen `prepare_threshold` times), so neither Python quotes dozens of values nor PostgreSQL
plans the same INSERT again on every request. Django's own cursors bind on the client.
"""
from __future__ import annotations

from contextlib import contextmanager

from django.db.models import Model
from django.db.models.sql import InsertQuery

_compiled: dict[tuple, str] = {}


def insert_sql(obj: Model, connection, *, returning: tuple[str, ...] = ()) -> tuple[str, list]:
    """`INSERT INTO <obj's table> (...) VALUES (...) [RETURNING ...]` and its parameters for a new
    `obj` (pk from the database), as Model.save() would send it."""
    opts = obj._meta
    fields = [field for field in opts.local_concrete_fields if field is not opts.auto_field and not field.generated]
    expressions = tuple(field.attname for field in fields if _is_expression(getattr(obj, field.attname)))
    key = (type(obj), connection.alias, returning, expressions)
    sql = _compiled.get(key)
    if sql is None:
        query = InsertQuery(type(obj))
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = [opts.get_field(name) for name in returning]
        [(sql, params)] = compiler.as_sql()
        if len(params) != len(fields) - len(expressions):
            raise ValueError("insert_sql: expression values must not carry parameters")
        _compiled[key] = sql
        return sql, list(params)
    values = ((field, field.pre_save(obj, add=True)) for field in fields if field.attname not in expressions)
    return sql, [field.get_db_prep_save(value, connection=connection) for field, value in values]


def _is_expression(value) -> bool:
    return hasattr(value, "resolve_expression")


@contextmanager
def prepared_cursor(connection):
    """A Django cursor (health check, error wrapping, query logging) whose statements are bound on
    the server and prepared once per connection, on PostgreSQL with psycopg 3 (Django turns
    psycopg's preparing off for its own cursors); elsewhere the usual cursor. Only for a statement
    that is the same text every time (as insert_sql makes it), or the prepared cache churns.
    Behind a pooler in transaction mode, prepared statements need its support (PgBouncer 1.21+:
    max_prepared_statements)."""
    raw = None
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
    if not hasattr(raw, "cursor_factory"):  # not psycopg 3: nothing to change
        with connection.cursor() as cursor:
            yield cursor
        return
    from psycopg import Cursor

    factory, threshold = raw.cursor_factory, raw.prepare_threshold
    # Prepared on its second run on a connection (preparing costs a round trip of its own, wasted
    # on a connection that serves one request). While Django logs queries (DEBUG, a test capturing
    # them) nothing is prepared: psycopg keeps no text of a prepared run for the log to show.
    raw.cursor_factory, raw.prepare_threshold = Cursor, None if connection.queries_logged else 1
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        raw.cursor_factory, raw.prepare_threshold = factory, threshold
