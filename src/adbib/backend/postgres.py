"""The PostgreSQL backend: a ``postgresql://user@host[:port]/dbname`` URL, through psycopg 3
(``pip install 'adbib[postgres]'``).

Reads go through :class:`PgConnection`, which gives psycopg sqlite3's interface (``execute`` with
``?`` placeholders, rows by index or by name, booleans as 0/1 and timestamps as SQLite's text) and
rewrites the few SQLite spellings the read modules use (``COLLATE NOCASE``, case-insensitive
``LIKE``); each read connection is one REPEATABLE READ READ ONLY transaction, so an export never
sees half of an import.  Writes go through SQLAlchemy; every write transaction first takes one
advisory lock (:data:`WRITE_LOCK`), so that two imports at once run one after the other and both
land.  Migrations are the same alembic revisions as SQLite's (their PostgreSQL branches call
:mod:`adbib.backend.pgschema`); PostgreSQL runs each in one transaction, so a failed migration
changes nothing, and adbib keeps no copy of its own before one (use ``pg_dump``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit, urlunsplit

from adbib.backend.textsearch import POSTGRES, TextSearch
from adbib.config import HEAD, KNOWN_REVISIONS
from adbib.errors import DatabaseError

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.engine import Connection, Engine

# the advisory lock every write transaction takes first (any constant: 'adbib' in ASCII)
WRITE_LOCK = 0x6164626962
# how long a writer waits for another one (SQLite's busy timeout is 30 s too)
LOCK_TIMEOUT = "30s"
CONNECT_TIMEOUT = 10
SESSION_OPTIONS = f"-c timezone=UTC -c lock_timeout={LOCK_TIMEOUT}"


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise DatabaseError(
            "a postgresql:// database needs psycopg 3: install adbib[postgres] (pip install 'adbib[postgres]')"
        ) from None
    return psycopg


class PostgresBackend:
    name = "postgresql"

    def __init__(self, url: str) -> None:
        self._url = url
        parts = urlsplit(url)
        self.conninfo = urlunsplit(("postgresql", *parts[1:]))
        self.sqlalchemy_url = urlunsplit(("postgresql+psycopg", *parts[1:]))

    @property
    def target(self) -> str:
        return self._url

    @property
    def text_search(self) -> TextSearch:
        return POSTGRES

    def display(self) -> str:
        parts = urlsplit(self.conninfo)
        netloc = parts.netloc
        if "@" in netloc:
            user, host = netloc.rsplit("@", 1)
            netloc = f"{user.split(':', 1)[0]}@{host}"
        return urlunsplit((parts.scheme, netloc, *parts[2:]))

    # ------------------------------------------------------------ reads

    def _raw(self, **kwargs: Any) -> Any:
        psycopg = _psycopg()
        try:
            return psycopg.connect(self.conninfo, connect_timeout=CONNECT_TIMEOUT, options=SESSION_OPTIONS, **kwargs)
        except psycopg.Error as e:
            raise self.translate(e) from None

    def connect(self) -> sqlite3.Connection:
        psycopg = _psycopg()
        raw = self._raw()
        raw.read_only = True
        raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        return cast("sqlite3.Connection", PgConnection(raw))

    def schema_state(self) -> str:
        con = self._raw(autocommit=True)
        try:
            return _state(con, self.display())
        finally:
            con.close()

    # ------------------------------------------------------------ writes

    def prepare_write(self) -> None:
        pass

    def make_engine(self) -> Engine:
        _psycopg()
        from sqlalchemy import create_engine, event

        engine = create_engine(
            self.sqlalchemy_url,
            connect_args={"connect_timeout": CONNECT_TIMEOUT, "options": SESSION_OPTIONS},
        )

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

        return engine

    def migrate(self, engine: Engine, step: Any, revision: str) -> None:
        from adbib.backend import pgschema
        from adbib.db import _alembic_config

        with engine.begin() as conn:
            step(_alembic_config(conn), revision)
            # each revision's PostgreSQL branch calls it; again here (idempotent) so that a later
            # revision that forgets it still gets ids, rowids, journal triggers and collations
            pgschema.sync(conn)

    def create_current(self, engine: Engine) -> bool:
        return False  # the migrations' PostgreSQL branches make it

    def backup(self) -> Path | None:
        return None  # the migration is one transaction: a failure leaves the database as it was

    def translate(self, error: Exception) -> DatabaseError:
        cause = getattr(error, "orig", None) or error
        sqlstate = getattr(cause, "sqlstate", None)
        message = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        where = self.display()
        if sqlstate in ("55P03", "40P01", "40001"):
            return DatabaseError(f"{where}: database is busy (another adbib is writing); try again")
        if sqlstate == "25006":
            return DatabaseError(f"{where}: the database is read-only")
        if sqlstate in ("3D000",):
            return DatabaseError(f"{where}: no such database on the server (create it: createdb …)")
        if sqlstate in ("28000", "28P01"):
            return DatabaseError(f"{where}: the server refused the login ({message})")
        if sqlstate == "42501":
            return DatabaseError(f"{where}: permission denied ({message})")
        if sqlstate is None:  # no answer from a server: refused, unreachable, timed out
            return DatabaseError(f"{where}: cannot connect to the PostgreSQL server ({_short(message)})")
        return DatabaseError(f"{where}: {message}")

    def dbapi(self, conn: Connection) -> sqlite3.Connection:
        return cast("sqlite3.Connection", PgConnection(conn.connection.driver_connection, owned=False))


_KEY = re.compile(r"Key \(([^)]*)\)")


def integrity_reason(error: Any) -> str:
    """PostgreSQL's constraint violation in SQLite's words: 'UNIQUE constraint failed: link.id'."""
    diag = error.diag
    table, column = diag.table_name, diag.column_name
    if error.sqlstate == "23505":
        m = _KEY.search(diag.message_detail or "")
        columns = [c.strip() for c in m.group(1).split(",")] if m else [diag.constraint_name or "?"]
        return "UNIQUE constraint failed: " + ", ".join(f"{table}.{c}" for c in columns)
    if error.sqlstate == "23502":
        return f"NOT NULL constraint failed: {table}.{column}"
    if error.sqlstate == "23503":
        return "FOREIGN KEY constraint failed"
    if error.sqlstate == "23514":
        return f"CHECK constraint failed: {diag.constraint_name}"
    return str(error).splitlines()[0]


def _short(message: str) -> str:
    """psycopg's connection failure, without the repeated 'connection to server at … failed:'."""
    m = re.search(r"failed: (.*)$", message)
    return (m.group(1) if m else message).strip()


def _state(con: Any, where: str) -> str:
    tables = {r[0] for r in con.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
    if "alembic_version" not in tables:
        if tables:
            raise DatabaseError(f"{where}: not an adbib database (it has tables but no adbib schema)")
        return "empty"
    version = con.execute("SELECT version_num FROM alembic_version").fetchone()
    if version is None:
        if tables - {"alembic_version"}:
            raise DatabaseError(
                f"{where}: has adbib tables but no schema version (its alembic_version table is empty), "
                "so adbib cannot tell which migrations it needs; restore a backup, or import into a new database"
            )
        return "empty"
    if version[0] not in KNOWN_REVISIONS:
        raise DatabaseError(f"{where}: made by a newer adbib (schema revision {version[0]}); upgrade adbib to read it")
    if version[0] != HEAD:
        return "old"
    has_papers = con.execute("SELECT EXISTS (SELECT 1 FROM paper)").fetchone()[0]
    return "current" if has_papers else "empty"


# ---------------------------------------------------------------- sqlite3's interface over psycopg

_NOCASE = re.compile(r"((?:\w+\.)?\w+) COLLATE NOCASE", re.IGNORECASE)
_LIKE = re.compile(r"\bLIKE\b")
_GROUP_CONCAT = re.compile(r"\bgroup_concat\(((?:DISTINCT )?[\w.]+)(?:, ('[^']*'))?\)", re.IGNORECASE)
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@lru_cache(maxsize=512)
def translate_sql(sql: str) -> str:
    """SQLite's spelling of a read as PostgreSQL's: ``?`` placeholders as ``%s`` (outside string
    literals; a literal ``%`` doubled), ``X COLLATE NOCASE`` as X with A-Z folded (SQLite's NOCASE
    folds ASCII only) in byte order, ``LIKE`` as ``ILIKE`` (SQLite's LIKE ignores case),
    ``group_concat(x, sep)`` as ``string_agg(x, sep)``."""
    sql = _NOCASE.sub(lambda m: f"translate({m[1]}, '{_UPPER}', '{_UPPER.lower()}') COLLATE \"C\"", sql)
    sql = _LIKE.sub("ILIKE", sql)
    sql = _GROUP_CONCAT.sub(lambda m: f"string_agg({m[1]}, {m[2] or repr(',')})", sql)
    out = []
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted
        if char == "%":
            out.append("%%")
        elif char == "?" and not quoted:
            out.append("%s")
        else:
            out.append(char)
    return "".join(out)


class Row(tuple[Any, ...]):
    """A row by index or by column name, like sqlite3.Row."""

    __slots__ = ()
    _index: dict[str, int] = {}  # noqa: RUF012 (set per result by the row factory)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: Any) -> Any:
    desc = cursor.description
    if desc is None:
        return tuple
    cls = type("Row", (Row,), {"__slots__": (), "_index": {c.name: i for i, c in enumerate(desc)}})
    return cls


class PgCursor:
    """sqlite3.Cursor's interface over a psycopg cursor; ``row_factory = None`` gives tuples."""

    def __init__(self, con: PgConnection) -> None:
        self._con = con
        self._cur = con.raw.cursor()
        _register_loaders(self._cur)  # on this cursor only: SQLAlchemy's own rows stay as they are
        self.row_factory: Any = Row

    def execute(self, sql: str, params: Sequence[Any] = ()) -> PgCursor:
        from psycopg.rows import tuple_row

        self._cur.row_factory = tuple_row if self.row_factory is None else _row_factory
        self._cur.execute(translate_sql(sql), tuple(params))
        return self

    def executemany(self, sql: str, seq: Any) -> PgCursor:
        self._cur.executemany(translate_sql(sql), [tuple(p) for p in seq])
        return self

    @property
    def description(self) -> Any:
        return self._cur.description

    @property
    def rowcount(self) -> int:
        count: int = self._cur.rowcount
        return count

    def fetchone(self) -> Any:
        return self._cur.fetchone() if self._cur.description is not None else None

    def fetchall(self) -> list[Any]:
        return self._cur.fetchall() if self._cur.description is not None else []

    def __iter__(self) -> Iterator[Any]:
        if self._cur.description is None:
            return iter(())
        return iter(self._cur)

    def close(self) -> None:
        self._cur.close()


class PgConnection:
    """sqlite3.Connection's interface (what adbib's read modules use) over a psycopg connection."""

    text_search = POSTGRES
    backend_name = "postgresql"

    def __init__(self, raw: Any, owned: bool = True) -> None:
        self.journal_rows = _journal_rows()
        self.raw = raw
        self._owned = owned
        self.row_factory: Any = Row

    def failed(self) -> bool:
        """Whether the transaction is aborted (a statement failed; only a rollback helps)."""
        from psycopg.pq import TransactionStatus

        return bool(self.raw.info.transaction_status == TransactionStatus.INERROR)

    def cursor(self) -> PgCursor:
        cur = PgCursor(self)
        cur.row_factory = self.row_factory
        return cur

    def execute(self, sql: str, params: Sequence[Any] = ()) -> PgCursor:
        return self.cursor().execute(sql, params)

    def executemany(self, sql: str, seq: Any) -> PgCursor:
        return self.cursor().executemany(sql, seq)

    def commit(self) -> None:
        if self._owned:
            self.raw.commit()

    def rollback(self) -> None:
        if self._owned:
            self.raw.rollback()

    def close(self) -> None:
        if self._owned:
            self.raw.close()

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.commit()
        else:
            self.rollback()


def _register_loaders(cur: Any) -> None:
    """Booleans as 0/1 and timestamps as SQLite's text (what SQLAlchemy stores there), so that
    every value reads as it does from SQLite."""
    int_bool, timestamp = _loaders()
    cur.adapters.register_loader("bool", int_bool)
    cur.adapters.register_loader("timestamp", timestamp)


@lru_cache(maxsize=1)
def _loaders() -> tuple[type, type]:
    from psycopg.adapt import Loader

    class IntBool(Loader):
        def load(self, data: Any) -> int:
            return 1 if bytes(data) == b"t" else 0

    class SqliteTimestamp(Loader):
        def load(self, data: Any) -> str:
            text = bytes(data).decode()
            day, _, rest = text.partition(" ")
            clock, _, fraction = rest.partition(".")
            return f"{day} {clock}.{fraction.ljust(6, '0')}" if rest else text

    return IntBool, SqliteTimestamp


# ---------------------------------------------------------------- the undo journal's strategy


def _journal_rows() -> Any:
    from adbib.journal import SQLiteRows

    class PgRows(SQLiteRows):
        """The journal on PostgreSQL: the triggers (pgschema) journal while ``adbib.op`` is set
        (transaction-local); a row's key is ``id``, or ``rowid`` on the tables without one; row
        images are jsonb, put back with ``jsonb_populate_record``."""

        @staticmethod
        def start(con: Any, op_id: int) -> None:
            con.execute("SELECT set_config('adbib.op', ?, true)", (str(op_id),)).fetchall()

        @staticmethod
        def stop(con: Any) -> None:
            if con.failed():
                return  # the transaction rolls back, and its settings with it
            con.execute("SELECT set_config('adbib.op', '', true), set_config('adbib.bulk', '', true)").fetchall()

        @staticmethod
        def running(con: Any) -> int | None:
            value = con.execute("SELECT current_setting('adbib.op', true)").fetchone()[0]
            return int(value) if value else None

        @staticmethod
        def bulk(con: Any, table: str | None) -> None:
            if table is None and con.failed():
                return  # the failed statement's savepoint rolls the setting back with it
            con.execute("SELECT set_config('adbib.bulk', ?, true)", (table or "",)).fetchall()

        @staticmethod
        def max_key(con: Any, table: str) -> int:
            found: int = con.execute(f'SELECT max({_key(con, table)}) FROM "{table}"').fetchone()[0] or 0
            return found

        @staticmethod
        def new_operation(con: Any, kind: str, summary: str, at: str) -> int:
            op_id: int = con.execute(
                "INSERT INTO operation (kind, summary, at) VALUES (?, ?, ?) RETURNING id", (kind, summary, at)
            ).fetchone()[0]
            return op_id

        @staticmethod
        def defer_keys(con: Any) -> None:
            con.execute("SET CONSTRAINTS ALL DEFERRED")  # checked at commit (pgschema: deferrable keys)

        @staticmethod
        def delete_range(con: Any, table: str, first: int, last: int) -> None:
            con.execute(f'DELETE FROM "{table}" WHERE {_key(con, table)} BETWEEN ? AND ?', (first, last))

        def restore(self, con: Any, table: str, rowid: int, before: str, update: bool) -> None:
            if update:
                cols = ", ".join(f'"{c}"' for c in json.loads(before))
                con.execute(
                    f'UPDATE "{table}" SET ({cols}) = (SELECT {cols} FROM jsonb_populate_record(NULL::"{table}", ?::jsonb)) '
                    f"WHERE {_key(con, table)} = ?",
                    (before, rowid),
                )
            else:  # the row comes back under its own id (or rowid)
                con.execute(
                    f'INSERT INTO "{table}" SELECT * FROM jsonb_populate_record(NULL::"{table}", ?::jsonb)', (before,)
                )

    return PgRows()


@lru_cache(maxsize=64)
def _key_of(columns: tuple[str, ...]) -> str:
    from adbib.backend.pgschema import key_column

    return key_column(list(columns))


def _key(con: Any, table: str) -> str:
    cols = tuple(
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?",
            (table,),
        )
    )
    return _key_of(cols)
