"""INSERT statements compiled by Django's own insert compiler, for the rare write that must share
one statement with another (a parent and its first child in one data-modifying CTE).

The values go through the same `pre_save` and `get_db_prep_save` as `Model.save()`, so defaults,
auto_now fields and JSON adaptation behave as they do there. A field's value may be an SQL
expression without parameters (e.g. `RawSQL` reading the id a CTE returned). The statement's text
depends only on the model, the database, RETURNING and which fields are expressions, so it is
compiled once per process and reused: compiling was most of the cost of building it.
"""
from __future__ import annotations

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
