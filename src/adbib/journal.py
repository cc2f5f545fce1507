"""The operation log and its row journal: what makes every write undoable, exactly.

Every command that writes runs as one *operation* (a row of ``operation``: kind, summary, time)
inside its transaction.  While it runs, temporary SQLite triggers on every table of the schema
(:data:`adbib.models.metadata`) journal each row it touches: the rowid of an inserted row, the
whole row as JSON before an UPDATE or a DELETE (cascaded deletes included: SQLite fires triggers
for foreign-key actions).  Nothing in the writers needs to know: bulk inserts cost one small
journal row each, written by SQLite itself.

:func:`undo` replays an operation's journal backwards in one transaction: inserted rows are
deleted, updated rows get their old values back, deleted rows come back with their rowids.  It
refuses (one clear line) when a later operation that is not undone touched one of the same rows,
and — since a foreign key may cascade onto rows the operation never touched (a tag a later
command put on a paper an import created) — it journals its own replay and rolls back if that
replay changed any row outside the operation's journal.

The engine-specific parts — how the triggers learn which operation runs, how a row's image is
taken and put back — are a small strategy per backend: :class:`SQLiteRows` here (temporary
triggers, rowids, json_object), the PostgreSQL one in :mod:`adbib.backend.postgres` (permanent
triggers that journal while the transaction-local setting ``adbib.op`` is set, installed by the
migrations, rows as jsonb).  A connection names its strategy (``journal_rows``); a plain sqlite3
connection is SQLite's.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adbib.errors import AdbibError

# tables never journaled: the log itself
_NOT_JOURNALED = frozenset({"operation", "journal"})


@dataclass
class Op:
    """The running operation: set ``summary`` once the command knows what it did."""

    id: int
    kind: str
    summary: str


def _tables() -> list[str]:
    from adbib import tables

    return [t.name for t in tables.metadata.sorted_tables if t.name not in _NOT_JOURNALED]


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f'PRAGMA main.table_info("{table}")')]


class SQLiteRows:
    """SQLite: temporary triggers on this connection, the running operation in ``temp.adbib_op``."""

    @staticmethod
    def start(con: sqlite3.Connection, op_id: int) -> None:
        _install(con)
        con.execute("DELETE FROM temp.adbib_op")
        con.execute("INSERT INTO temp.adbib_op (id) VALUES (?)", (op_id,))

    @staticmethod
    def stop(con: sqlite3.Connection) -> None:
        con.execute("DELETE FROM temp.adbib_op")

    @staticmethod
    def running(con: sqlite3.Connection) -> int | None:
        op = con.execute("SELECT id FROM temp.adbib_op").fetchone() if _has_op_table(con) else None
        return op[0] if op else None

    @staticmethod
    def bulk(con: sqlite3.Connection, table: str | None) -> None:
        con.execute("UPDATE temp.adbib_op SET bulk = ?", (table,))

    @staticmethod
    def max_key(con: sqlite3.Connection, table: str) -> int:
        found: int = con.execute(f'SELECT max(rowid) FROM main."{table}"').fetchone()[0] or 0
        return found

    @staticmethod
    def new_operation(con: sqlite3.Connection, kind: str, summary: str, at: str) -> int:
        op_id = con.execute("INSERT INTO operation (kind, summary, at) VALUES (?, ?, ?)", (kind, summary, at)).lastrowid
        assert op_id is not None  # an INSERT into a rowid table always sets lastrowid
        return op_id

    @staticmethod
    def defer_keys(con: sqlite3.Connection) -> None:
        con.execute("PRAGMA defer_foreign_keys = ON")  # rows come back children first; checked at commit

    @staticmethod
    def delete_range(con: sqlite3.Connection, table: str, first: int, last: int) -> None:
        con.execute(f'DELETE FROM main."{table}" WHERE rowid BETWEEN ? AND ?', (first, last))

    def restore(self, con: sqlite3.Connection, table: str, rowid: int, before: str, update: bool) -> None:
        values = json.loads(before)
        cols = self._cols.get(table) or self._cols.setdefault(table, _columns(con, table))
        if update:
            sets = ", ".join(f'"{c}" = ?' for c in cols)
            con.execute(f'UPDATE main."{table}" SET {sets} WHERE rowid = ?', [values[c] for c in cols] + [rowid])
        else:  # the row comes back under its own rowid
            names = ", ".join(["rowid", *(f'"{c}"' for c in cols)])
            marks = ", ".join("?" * (len(cols) + 1))
            con.execute(f'INSERT INTO main."{table}" ({names}) VALUES ({marks})', [rowid] + [values[c] for c in cols])

    def __init__(self) -> None:
        self._cols: dict[str, list[str]] = {}


def _rows(con: sqlite3.Connection) -> SQLiteRows:
    """The journal strategy of the connection's backend."""
    rows: SQLiteRows | None = getattr(con, "journal_rows", None)
    return rows if rows is not None else SQLiteRows()


def _install(con: sqlite3.Connection) -> None:
    """The journal triggers on this connection (temporary: other connections never see them)."""
    con.execute("CREATE TEMP TABLE IF NOT EXISTS adbib_op (id INTEGER NOT NULL, bulk TEXT)")
    current = "(SELECT id FROM temp.adbib_op)"
    for table in _tables():
        cols = _columns(con, table)
        image = "json_object(" + ", ".join(f"'{c}', OLD.\"{c}\"" for c in cols) + ")"
        changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in cols)  # a no-op UPDATE is no change
        bulk = f" AND (SELECT bulk FROM temp.adbib_op) IS NOT '{table}'"  # journaled as one range (bulk_insert)
        for event, action, row, before, when in (
            ("INSERT", "i", "NEW.rowid", "NULL", bulk),
            ("UPDATE", "u", "OLD.rowid", image, f" AND ({changed})"),
            ("DELETE", "d", "OLD.rowid", image, ""),
        ):
            con.execute(
                f'CREATE TEMP TRIGGER IF NOT EXISTS "adbib_journal_{table}_{action}" AFTER {event} ON main."{table}" '
                f"WHEN {current} IS NOT NULL{when} BEGIN "
                f"INSERT INTO journal (operation_id, tbl, row_id, row_last, action, before) "
                f"VALUES ({current}, '{table}', {row}, {row}, '{action}', {before}); END"
            )


@contextmanager
def operation(con: sqlite3.Connection, kind: str, summary: str) -> Iterator[Op]:
    """Journal every row written on ``con`` (a connection inside its write transaction) until
    the block ends, as one operation of the log."""
    rows = _rows(con)
    at = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    op_id = rows.new_operation(con, kind, summary, at)
    op = Op(op_id, kind, summary)
    rows.start(con, op_id)
    try:
        yield op
    finally:
        rows.stop(con)
    if not con.execute("SELECT EXISTS (SELECT 1 FROM journal WHERE operation_id = ?)", (op_id,)).fetchone()[0]:
        con.execute("DELETE FROM operation WHERE id = ?", (op_id,))  # it wrote nothing: nothing to log
    else:
        con.execute("UPDATE operation SET summary = ? WHERE id = ?", (op.summary, op_id))


def bulk_insert(con: sqlite3.Connection, table: str, rows: list[dict[str, Any]], run: Callable[[], object]) -> None:
    """Run ``run`` (one bulk insert of ``rows`` into ``table``: :func:`adbib.backend.insert_rows`)
    journaling its rows as one range.

    SQLite gives rows inserted without a rowid max(rowid) + 1, one after the other, so a bulk
    insert fills (max before, max after] — provided the rows that bring their own id (the
    writer allocates them above the table's maximum) bring ids above the current maximum; when
    they do not, or no operation is running, each row is journaled by its trigger as usual."""
    strategy = _rows(con)
    op = strategy.running(con)
    if op is None:
        run()
        return
    first = strategy.max_key(con, table) + 1
    own = [r["id"] for r in rows if r.get("id") is not None]
    if own and min(own) < first:
        run()
        return
    strategy.bulk(con, table)
    try:
        run()
    finally:
        strategy.bulk(con, None)
    last = strategy.max_key(con, table)
    if last >= first:
        con.execute(
            "INSERT INTO journal (operation_id, tbl, row_id, row_last, action) VALUES (?, ?, ?, ?, 'i')",
            (op, table, first, last),
        )


def _has_op_table(con: sqlite3.Connection) -> bool:
    return con.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'adbib_op'").fetchone() is not None


def dbapi(conn: Any) -> sqlite3.Connection:
    """The read-connection interface (sqlite3's) over a SQLAlchemy connection, in the same
    transaction: the sqlite3 connection itself, or the backend's adapter (:mod:`adbib.backend`)."""
    if conn.dialect.name == "sqlite":  # the fast path: no backend object for the default engine
        driver: sqlite3.Connection = conn.connection.driver_connection  # typed Any by SQLAlchemy (any DBAPI)
        return driver
    from adbib import backend

    return backend.of(conn.engine.url.render_as_string(hide_password=False)).dbapi(conn)


# ---------------------------------------------------------------- undo


def last_undoable(con: sqlite3.Connection) -> int | None:
    row = con.execute(
        "SELECT id FROM operation WHERE undone_by IS NULL AND kind != 'undo' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def undo(con: sqlite3.Connection, op_id: int | None) -> dict[str, Any]:
    """Revert operation ``op_id`` (the last one that wrote when None), inside the caller's
    transaction.  Returns the reverted operation (id, kind, summary) and the undo's own id."""
    if op_id is None:
        op_id = last_undoable(con)
        if op_id is None:
            raise AdbibError("nothing to undo: no operation in the log")
    row = con.execute("SELECT id, kind, summary, undone_by FROM operation WHERE id = ?", (op_id,)).fetchone()
    if row is None:
        raise AdbibError(f"no operation {op_id} in the log (adbib log lists them)")
    _, kind, summary, undone_by = row
    if kind == "undo":
        raise AdbibError(f"operation {op_id} is an undo; an undo cannot be undone")
    if undone_by is not None:
        raise AdbibError(f"operation {op_id} was undone already (by operation {undone_by})")
    later = con.execute(
        """SELECT DISTINCT o.id, o.kind, o.summary FROM journal mine
           JOIN journal j ON j.tbl = mine.tbl AND j.row_id <= mine.row_last AND j.row_last >= mine.row_id
                AND j.operation_id > mine.operation_id
           JOIN operation o ON o.id = j.operation_id AND o.undone_by IS NULL
           WHERE mine.operation_id = ? ORDER BY o.id DESC LIMIT 1""",
        (op_id,),
    ).fetchone()
    if later is not None:
        raise _later(op_id, later)
    rows = _rows(con)
    rows.defer_keys(con)
    with operation(con, "undo", f"undo {op_id}: {summary}") as mine:
        entries = con.execute(
            "SELECT tbl, row_id, row_last, action, before FROM journal WHERE operation_id = ? ORDER BY id DESC",
            (op_id,),
        ).fetchall()
        for table, rowid, last, action, before in entries:
            if action == "i":
                rows.delete_range(con, table, rowid, last)
            else:
                rows.restore(con, table, rowid, before, update=action == "u")
        outside = con.execute(
            """SELECT u.tbl, u.row_id FROM journal u WHERE u.operation_id = ? AND NOT EXISTS (
                   SELECT 1 FROM journal m WHERE m.operation_id = ? AND m.tbl = u.tbl
                   AND u.row_id BETWEEN m.row_id AND m.row_last) LIMIT 1""",
            (mine.id, op_id),
        ).fetchone()
        if outside is not None:
            raise _cascade(con, op_id, outside)
    undo_id = mine.id
    # the undo's own journal is not kept (an undo is not undone); it stays in the log as what it did
    con.execute("DELETE FROM journal WHERE operation_id IN (?, ?)", (undo_id, op_id))
    if not con.execute("SELECT 1 FROM operation WHERE id = ?", (undo_id,)).fetchone():
        at = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        undo_id = rows.new_operation(con, "undo", f"undo {op_id}: {summary}", at)
    con.execute("UPDATE operation SET undone_by = ? WHERE id = ?", (undo_id, op_id))
    return {"id": op_id, "kind": kind, "summary": summary, "undo_id": undo_id}


def _later(op_id: int, later: tuple[int, str, str]) -> AdbibError:
    lid, lkind, lsummary = later
    return AdbibError(
        f"cannot undo operation {op_id}: the later operation {lid} ({lkind}: {lsummary}) changed the same rows; "
        f"undo {lid} first"
    )


def _cascade(con: sqlite3.Connection, op_id: int, outside: tuple[str, int]) -> AdbibError:
    """Undoing would change a row the operation never wrote (through a foreign key): name the
    later operation that wrote it, if the journal knows it."""
    table, rowid = outside
    later = con.execute(
        """SELECT o.id, o.kind, o.summary FROM journal j JOIN operation o ON o.id = j.operation_id
           WHERE j.tbl = ? AND ? BETWEEN j.row_id AND j.row_last AND o.id > ? AND o.undone_by IS NULL AND o.kind != 'undo'
           ORDER BY o.id DESC LIMIT 1""",
        (table, rowid, op_id),
    ).fetchone()
    if later is not None:
        return _later(op_id, later)
    return AdbibError(
        f"cannot undo operation {op_id}: it would also change {table} row {rowid}, which it did not write"
    )


def log(con: sqlite3.Connection, limit: int | None = None) -> list[dict[str, Any]]:
    """The operation log, newest first: id, kind, summary, at, undone_by (plain sqlite3: a read)."""
    sql = "SELECT id, kind, summary, at, undone_by FROM operation ORDER BY id DESC"
    params: tuple[int, ...] = ()
    if limit is not None:
        sql += " LIMIT ?"
        params = (limit,)
    return [
        {"id": r[0], "kind": r[1], "summary": r[2], "at": r[3], "undone_by": r[4]} for r in con.execute(sql, params)
    ]
