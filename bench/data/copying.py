"""Bulk loading with PostgreSQL COPY: row buffers flushed in chunks, optionally with the tables'
secondary indexes and foreign keys set aside during the load and rebuilt after it (much faster
than maintaining them row by row), and the identity sequences moved past the loaded ids.

Set-aside definitions are read from the catalog (`pg_indexes`, `pg_get_constraintdef`), so what is
rebuilt is exactly what the migrations created; they are also kept in a small table until rebuilt,
so an interrupted load is repaired by the next run (`restore_set_aside`).
"""
from __future__ import annotations

import queue
import threading
import time
from contextlib import contextmanager

PENDING_TABLE = "bench_data_set_aside"


class Buffers:
    """Rows waiting for COPY, per table, in the order the tables must be written (foreign keys)."""

    def __init__(self, columns: dict[str, tuple[str, ...]]):
        self.columns = columns
        self.rows: dict[str, list[tuple]] = {table: [] for table in columns}

    def add(self, table: str, row: tuple) -> None:
        self.rows[table].append(row)

    def take(self) -> dict[str, list[tuple]]:
        """The rows so far; the buffers start empty again."""
        taken, self.rows = self.rows, {table: [] for table in self.columns}
        return taken


def copy_rows(cursor, columns: dict[str, tuple[str, ...]], rows: dict[str, list[tuple]]) -> int:
    """COPY a chunk's rows in one transaction (a savepoint inside the caller's), so foreign keys
    between its tables, deferred as Django makes them, are checked once every table is in."""
    written = 0
    with cursor.connection.transaction():
        for table, table_rows in rows.items():
            if not table_rows:
                continue
            with cursor.copy(f"COPY {table} ({', '.join(columns[table])}) FROM STDIN") as copy:
                for row in table_rows:
                    copy.write_row(row)
            written += len(table_rows)
    return written


class Copier:
    """COPY on the caller's cursor (inside its transaction, e.g. a test's)."""

    def __init__(self, cursor, columns):
        self.cursor, self.columns = cursor, columns

    def send(self, rows) -> int:
        return copy_rows(self.cursor, self.columns, rows)

    def close(self) -> None:
        pass


class BackgroundCopier(Copier):
    """COPY from a thread on a connection of its own, so the server loads one chunk while the next is
    generated; each chunk commits on its own (autocommit)."""

    def __init__(self, params: dict, columns):
        import psycopg

        self.connection = psycopg.connect(**params, autocommit=True)
        self.connection.execute("SET synchronous_commit = off")
        super().__init__(self.connection.cursor(), columns)
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="bench-copy", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (rows := self.queue.get()) is not None:
            try:
                if self.failure is None:
                    copy_rows(self.cursor, self.columns, rows)
            except BaseException as exc:  # handed to the generating thread at its next send
                self.failure = exc

    def send(self, rows) -> int:
        if self.failure is not None:
            raise self.failure
        self.queue.put(rows)
        return sum(len(table_rows) for table_rows in rows.values())

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        self.connection.close()
        if self.failure is not None:
            raise self.failure


def next_ids(cursor, tables) -> dict[str, int]:
    """The first free id of each table."""
    ids = {}
    for table in tables:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608
        ids[table] = cursor.fetchone()[0]
    return ids


def reset_sequences(cursor, tables) -> None:
    """Move each identity sequence past the ids written by COPY (which bypasses it)."""
    for table in tables:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), coalesce(max(id), 1), max(id) IS NOT NULL) "  # noqa: S608
            f"FROM {table}", [table],
        )


def _definitions(cursor, tables) -> list[tuple[str, str, str]]:
    """(kind, drop statement, create statement) for the secondary indexes and foreign keys of `tables`;
    primary keys and unique constraints stay (they guard the load)."""
    cursor.execute(
        """
        SELECT i.tablename, i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname
                          AND c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()))
        ORDER BY i.tablename, i.indexname
        """, [list(tables)],
    )
    found = [("index", f'DROP INDEX "{name}"', definition) for _, name, definition in cursor.fetchall()]
    cursor.execute(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2
        """, [list(tables)],
    )
    found += [("foreign key", f'ALTER TABLE {table} DROP CONSTRAINT "{name}"',
               f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
              for table, name, definition in cursor.fetchall()]
    return found


def restore_set_aside(cursor, report=print) -> int:
    """Rebuild whatever was set aside (by this load, or an earlier one that was interrupted)."""
    cursor.execute("SELECT to_regclass(%s)", [PENDING_TABLE])
    if cursor.fetchone()[0] is None:
        return 0
    started = time.monotonic()
    cursor.execute(f"SELECT id, statement FROM {PENDING_TABLE} ORDER BY id")  # noqa: S608
    pending = cursor.fetchall()
    for row_id, statement in pending:
        cursor.execute(statement)
        cursor.execute(f"DELETE FROM {PENDING_TABLE} WHERE id = %s", [row_id])  # noqa: S608
    cursor.execute(f"DROP TABLE {PENDING_TABLE}")
    report(f"rebuilt {len(pending)} indexes and foreign keys in {time.monotonic() - started:.0f} s")
    return len(pending)


@contextmanager
def indexes_set_aside(cursor, tables, report=print):
    """Drop the secondary indexes and foreign keys of `tables` for the block, then rebuild them
    (indexes first, then the foreign keys, which validate every loaded row)."""
    definitions = _definitions(cursor, tables)
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {PENDING_TABLE} (id serial PRIMARY KEY, kind text, statement text)")
    # Indexes before foreign keys: the keys' validation then reads them.
    ordered = sorted(definitions, key=lambda item: item[0] != "index")
    for kind, _, create in ordered:
        cursor.execute(f"INSERT INTO {PENDING_TABLE} (kind, statement) VALUES (%s, %s)", [kind, create])  # noqa: S608
    for _, drop, _ in definitions:
        cursor.execute(drop)
    report(f"set aside {len(definitions)} indexes and foreign keys for the load")
    yield
    cursor.execute("SET maintenance_work_mem = '1GB'")
    cursor.execute("SET max_parallel_maintenance_workers = 2")
    restore_set_aside(cursor, report)
