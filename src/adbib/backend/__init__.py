"""The database engines adbib runs on, behind one small interface.

A *target* names a database: a filesystem path (SQLite, the default) or a
``postgresql://user@host[:port]/dbname`` URL (PostgreSQL, through psycopg 3: ``adbib[postgres]``).
:func:`of` chooses the backend once from the target; every module that must know what differs
between the engines asks it — read connections, the write engine and its transactions, the schema
state, migrations and the backup before one, busy/lock errors, the full-text-search SQL, the
undo journal — instead of testing a dialect name itself.

Importing this package costs nothing: the SQLite read path stays standard library only, and
psycopg or SQLAlchemy are imported by the backend that needs them, when it needs them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy import Table
    from sqlalchemy.engine import Connection, Engine

    from adbib.backend.textsearch import TextSearch
    from adbib.errors import DatabaseError

# A database: a Path (SQLite) or a postgresql:// URL.
Target = Path | str

URL_SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")


def is_url(value: object) -> bool:
    """Whether a --db value names a PostgreSQL server rather than a file."""
    return isinstance(value, str) and value.lower().startswith(URL_SCHEMES)


def target(value: str | Path) -> Target:
    """A --db / ADBIB_DB value as a target: a URL stays a string, anything else is a path."""
    if is_url(value):
        return str(value)
    return Path(value).expanduser()


class Backend(Protocol):
    """What differs between the engines; one instance per target (:func:`of`)."""

    name: str  # 'sqlite' | 'postgresql'

    @property
    def target(self) -> Target: ...

    @property
    def text_search(self) -> TextSearch: ...

    def display(self) -> str:
        """The target as messages name it (a URL without its password)."""

    def schema_state(self) -> str:
        """'missing' | 'empty' | 'old' | 'current'; DatabaseError for a database adbib must not use."""

    def connect(self) -> sqlite3.Connection:
        """A read connection with sqlite3's interface (``execute``, ``cursor``, rows by index or name)."""

    def prepare_write(self) -> None:
        """Checks (and set-up) before the write engine opens: read-only file, missing directory."""

    def make_engine(self) -> Engine:
        """The SQLAlchemy engine every write goes through; each transaction takes the write lock."""

    def migrate(self, engine: Engine, step: Any, revision: str) -> None:
        """Run one alembic command (``upgrade``/``downgrade``) to ``revision`` on ``engine``."""

    def create_current(self, engine: Engine) -> bool:
        """Make an empty database the current schema without alembic, when the engine keeps a
        snapshot of what the migrations make (True), else leave it to the migrations (False)."""

    def backup(self) -> Path | None:
        """Keep a copy before a migration changes the database (None: the engine keeps none)."""

    def translate(self, error: Exception) -> DatabaseError:
        """A driver error (lock timeout, read-only, server gone) as one line for the user."""

    def dbapi(self, conn: Connection) -> sqlite3.Connection:
        """The read-connection interface over a write connection, inside its transaction."""


@lru_cache(maxsize=8)
def _of(key: Target) -> Backend:
    if isinstance(key, str) and is_url(key):
        from adbib.backend.postgres import PostgresBackend

        return PostgresBackend(key)
    from adbib.backend.sqlite import SQLiteBackend

    return SQLiteBackend(Path(key))


def of(value: Target) -> Backend:
    """The backend of a target (a path or a URL), chosen once per target."""
    return _of(target(value) if isinstance(value, str) else Path(value))


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (at least one) into ``table``, in their order, inside the caller's
    transaction, the engine's fastest way: the rows, their ids and what the table's triggers write
    are one executemany's.  SQLite stages them (:func:`adbib.backend.sqlite.insert_staged`);
    PostgreSQL runs the executemany."""
    if conn.dialect.name == "sqlite":
        from adbib.backend.sqlite import insert_staged

        insert_staged(conn, table, rows)
        return
    from sqlalchemy import insert

    conn.execute(insert(table), rows)


def integrity_reason(error: BaseException) -> str:
    """A driver's constraint violation as one line, in SQLite's words on either engine
    ('UNIQUE constraint failed: link.id')."""
    if getattr(error, "sqlstate", None) is not None:  # psycopg: PostgreSQL's own diagnostics
        from adbib.backend.postgres import integrity_reason as pg_reason

        return pg_reason(error)
    return str(error).splitlines()[0]
