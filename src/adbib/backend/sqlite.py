"""The SQLite backend: a file, read through the standard library's sqlite3 (no SQLAlchemy on a
cold read), written through SQLAlchemy with ``BEGIN IMMEDIATE``; the implementation is in
:mod:`adbib.dbread` (reads) and :mod:`adbib.db` (writes, migrations, backup)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adbib.backend.textsearch import SQLITE, TextSearch

if TYPE_CHECKING:
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
