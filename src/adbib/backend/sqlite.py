"""The SQLite backend: a file, read through the standard library's sqlite3 (no SQLAlchemy on a
cold read), written through SQLAlchemy with ``BEGIN IMMEDIATE``; the implementation is in
:mod:`adbib.dbread` (reads) and :mod:`adbib.db` (writes, migrations, backup)."""

from __future__ import annotations

import sqlite3
from functools import lru_cache
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
    constraint failure is the ``INSERT … SELECT``'s, as the executemany's would be."""
    from sqlalchemy import insert

    first = rows[0]
    # the columns the executemany would write: those the rows give, and those with a Python default
    cols = ", ".join(f'"{c.name}"' for c in table.columns if c.key in first or c.default is not None)
    stage = _stage(table)
    conn.exec_driver_sql(f'DROP TABLE IF EXISTS temp."{stage.name}"')
    conn.exec_driver_sql(f'CREATE TEMP TABLE "{stage.name}" AS SELECT * FROM main."{table.name}" WHERE 0')
    try:
        conn.execute(insert(stage), rows)
        conn.exec_driver_sql(
            f'INSERT INTO main."{table.name}" ({cols}) SELECT {cols} FROM temp."{stage.name}" ORDER BY rowid'
        )
    finally:
        conn.exec_driver_sql(f'DROP TABLE IF EXISTS temp."{stage.name}"')


@lru_cache(maxsize=64)
def _stage(table: Table) -> Table:
    """The staging table's SQLAlchemy twin (same columns, types and defaults), in schema temp."""
    from sqlalchemy import MetaData

    return table.to_metadata(MetaData(), schema="temp", name=f"adbib_stage_{table.name}")
