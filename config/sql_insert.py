"""INSERT statements compiled by Django's own insert compiler, for the rare write that must share
one statement with another (a parent and its first child in one data-modifying CTE).

The values go through the same `pre_save` and `get_db_prep_save` as `Model.save()`, so defaults,
auto_now fields and JSON adaptation behave as they do there; a field's value may be an SQL
expression (e.g. `RawSQL` reading the id a CTE returned).
"""
from __future__ import annotations

from django.db.models import Model
from django.db.models.sql import InsertQuery


def insert_sql(obj: Model, connection, *, returning: tuple[str, ...] = ()) -> tuple[str, list]:
    """`INSERT INTO <obj's table> (...) VALUES (...) [RETURNING ...]` for a new `obj` (pk from the
    database), as Model.save() would send it."""
    opts = obj._meta
    fields = [field for field in opts.local_concrete_fields if field is not opts.auto_field and not field.generated]
    query = InsertQuery(type(obj))
    query.insert_values(fields, [obj])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [opts.get_field(name) for name in returning]
    [(sql, params)] = compiler.as_sql()
    return sql, list(params)
