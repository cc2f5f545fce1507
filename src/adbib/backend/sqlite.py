"""The SQLite backend: a file, read through the standard library's sqlite3 (no SQLAlchemy on a
cold read), written through SQLAlchemy with ``BEGIN IMMEDIATE``; the implementation is in
:mod:`adbib.dbread` (reads) and :mod:`adbib.db` (writes, migrations, backup)."""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adbib.backend.textsearch import SQLITE, TextSearch

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection, Engine

    from adbib.errors import DatabaseError


class SQLiteBackend:
    name = "sqlite"

    def __init__(self, path: Path) -> None:
        self._path = path

    @property
    def target(self) -> Path:
        return self._path

    @property
    def text_search(self) -> TextSearch:
        return SQLITE

    def display(self) -> str:
        return str(self.target)

    def schema_state(self) -> str:
        from adbib import dbread

        return dbread.sqlite_schema_state(self.target)

    def connect(self) -> sqlite3.Connection:
        from adbib import dbread

        return dbread.sqlite_connect(self.target)

    def prepare_write(self) -> None:
        from adbib import db

        db.sqlite_prepare_write(self.target)

    def make_engine(self) -> Engine:
        from adbib import db

        return db.sqlite_engine(self.target)

    def migrate(self, engine: Engine, step: Any, revision: str) -> None:
        from adbib import db

        db.sqlite_migrate(engine, step, revision)

    def create_current(self, engine: Engine) -> bool:
        from adbib import db

        return db.sqlite_create_current(engine)

    def backup(self) -> Path | None:
        from adbib import db

        return db.backup(self.target)

    def translate(self, error: Exception) -> DatabaseError:
        from adbib import db

        return db.sqlite_translate(self.target, error)

    def dbapi(self, conn: Connection) -> sqlite3.Connection:
        driver = conn.connection.driver_connection  # typed Any by SQLAlchemy (any DBAPI)
        assert isinstance(driver, sqlite3.Connection)
        return driver


def insert_staged(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """``rows`` into ``table`` (SQLite): written first to a temporary copy of the table (no
    constraints, no triggers) by one executemany, then moved by one ``INSERT … SELECT`` in their
    order.  The table's own triggers still fire for every row, but inside one statement: FTS5
    keeps its pending terms until the statement ends instead of flushing a segment at every row's
    statement savepoint, and a trigger's sub-program runs without a statement journal per row
    (measured at 10k entries: the import's inserts 9-10 s -> 2.6-3.1 s).  The rows, their rowids
    and what the triggers write are those one executemany into the table would give; a
    constraint failure is the ``INSERT … SELECT``'s, as the executemany's would be.

    The staging executemany runs on the driver with each column's own SQLAlchemy bind processor
    and scalar default (:func:`_columns`), the values SQLAlchemy's would bind."""
    # the columns the executemany would write: those the rows give, and those with a Python default
    columns = _columns(conn.dialect, table, frozenset(rows[0]))
    if columns is None:
        from sqlalchemy import insert

        names = ", ".join(f'"{c.name}"' for c in table.columns if c.key in rows[0] or c.default is not None)
    else:
        names = ", ".join(f'"{name}"' for name, _, _, _ in columns)
    stage = f"adbib_stage_{table.name}"
    conn.exec_driver_sql(f'DROP TABLE IF EXISTS temp."{stage}"')
    conn.exec_driver_sql(f'CREATE TEMP TABLE "{stage}" AS SELECT * FROM main."{table.name}" WHERE 0')
    try:
        if columns is None:
            conn.execute(insert(_stage(table)), rows)
        else:
            marks = ", ".join("?" * len(columns))
            driver = conn.connection.driver_connection  # the same transaction; the rows cannot break a rule
            assert driver is not None
            driver.executemany(f'INSERT INTO temp."{stage}" ({names}) VALUES ({marks})', _bound(columns, rows))
        # through SQLAlchemy: a constraint failure is its IntegrityError, as the executemany's was
        conn.exec_driver_sql(
            f'INSERT INTO main."{table.name}" ({names}) SELECT {names} FROM temp."{stage}" ORDER BY rowid'
        )
    finally:
        conn.exec_driver_sql(f'DROP TABLE IF EXISTS temp."{stage}"')


_GIVEN = object()  # the column's value is the row's own (the rows give it)


@lru_cache(maxsize=256)
def _columns(dialect: Any, table: Table, keys: frozenset[str]) -> tuple[tuple[str, str, Any, Any], ...] | None:
    """(name, key, default, bind processor) of each column an executemany of rows with ``keys``
    writes, in the table's order: the columns the rows give, and those with a Python default
    (None: a default that is not a plain value, which only SQLAlchemy computes)."""
    from sqlalchemy.sql.schema import ScalarElementColumnDefault

    out = []
    for c in table.columns:
        if c.key in keys:
            default: Any = _GIVEN
        elif c.default is not None:
            if not isinstance(c.default, ScalarElementColumnDefault):
                return None
            default = c.default.arg
        else:
            continue
        out.append((c.name, c.key, default, c.type.dialect_impl(dialect).bind_processor(dialect)))
    return tuple(out)


def _bound(columns: tuple[tuple[str, str, Any, Any], ...], rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Each row's values as SQLAlchemy's executemany binds them: its processor applied, and a
    column the first row does not give takes its default in every row."""
    if all(default is _GIVEN and proc is None for _, _, default, proc in columns):
        get = itemgetter(*(key for _, key, _, _ in columns))
        return [get(r) for r in rows] if len(columns) > 1 else [(get(r),) for r in rows]
    out = []
    for r in rows:
        values = []
        for _, key, default, proc in columns:
            v = r[key] if default is _GIVEN else default
            values.append(v if proc is None else proc(v))
        out.append(tuple(values))
    return out


@lru_cache(maxsize=64)
def _stage(table: Table) -> Table:
    """The staging table's SQLAlchemy twin (same columns, types and defaults), in schema temp."""
    from sqlalchemy import MetaData

    return table.to_metadata(MetaData(), schema="temp", name=f"adbib_stage_{table.name}")
