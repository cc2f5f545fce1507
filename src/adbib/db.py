"""Write access: SQLAlchemy engine, PRAGMAs on every connection, migrations through the alembic API.

Heavy (imports sqlalchemy and alembic): only commands that write import it.  :func:`open_for_write`,
:func:`upgrade`, :func:`downgrade` and :func:`write_transaction` take a target (a path, or a
PostgreSQL URL) or its engine and ask the backend (:mod:`adbib.backend`) what differs; the SQLite
implementation (PRAGMAs, ``BEGIN IMMEDIATE``, the foreign-keys-off migration, the file backup)
is the rest of this module.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import ConnectionPoolEntry

from adbib import backend, dbread
from adbib.errors import DatabaseError
from adbib.resources import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config

    from adbib.backend import Backend, Target


def apply_pragmas_listener(engine: Engine) -> None:
    """Foreign keys on, WAL, a busy timeout, for every connection of the engine; and let
    :func:`write_transaction` issue ``BEGIN IMMEDIATE`` itself (pysqlite's own transaction
    handling is switched off)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_con: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        dbapi_con.isolation_level = None
        cur = dbapi_con.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {dbread.BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(path: Target) -> Engine:
    """The write engine of a target (its backend's; SQLite's is :func:`sqlite_engine`)."""
    return backend.of(path).make_engine()


def sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{Path(path)}")
    apply_pragmas_listener(engine)
    return engine


def _alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    b = _backend(engine)
    if revision == "head" and b.create_current(engine):
        return  # a new database made from the snapshot of what the migrations make
    from alembic import command

    b.migrate(engine, command.upgrade, revision)


# What the migrations make in an empty SQLite file, as one script (made by sqlite_schema_script,
# checked against the migrations by tests/test_migrations.py): a new database is created without
# importing alembic or running six migrations.  Used only while its list of migration files is the
# current one; a new migration makes the test fail until the script is made again.
SQLITE_SCHEMA = Path(__file__).with_name("sqlite_schema.sql")


def migration_files() -> list[str]:
    return sorted(p.name for p in (migrations_dir() / "versions").glob("*.py"))


def sqlite_create_current(engine: Engine) -> bool:
    """Run the schema script on an empty SQLite database, if the script is current (True)."""
    try:
        script = SQLITE_SCHEMA.read_text(encoding="utf-8")
    except OSError:
        return False
    first, _, body = script.partition("\n")
    if first != "-- migrations: " + " ".join(migration_files()):
        return False
    with engine.connect() as conn:
        dbapi = conn.connection.driver_connection
        assert isinstance(dbapi, sqlite3.Connection)
        if dbapi.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            return False  # not empty: the migrations know what to do
        dbapi.executescript("BEGIN;\n" + body + "COMMIT;\n")
    return True


def sqlite_schema_script(path: Path) -> str:
    """The schema script of the SQLite database at ``path`` (made by the migrations): every
    table, index, trigger and view in creation order, FTS5's shadow tables left to FTS5, and the
    alembic version.  ``python -m adbib.db`` writes it for a database migrated from nothing."""
    con = sqlite3.connect(path)
    try:
        shadow = {r[1] for r in con.execute("PRAGMA table_list") if r[2] == "shadow"}
        out = ["-- migrations: " + " ".join(migration_files())]
        for name, sql in con.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"):
            if name not in shadow:
                out.append(sql + ";")
        for (version,) in con.execute("SELECT version_num FROM alembic_version"):
            out.append(f"INSERT INTO alembic_version (version_num) VALUES ('{version}');")
        return "\n".join(out) + "\n"
    finally:
        con.close()


def _write_sqlite_schema() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "schema.db"
        engine = sqlite_engine(path)
        from alembic import command

        sqlite_migrate(engine, command.upgrade, "head")
        engine.dispose()
        SQLITE_SCHEMA.write_text(sqlite_schema_script(path), encoding="utf-8")
    print(f"wrote {SQLITE_SCHEMA}")


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    _backend(engine).migrate(engine, command.downgrade, revision)


def _backend(engine: Engine) -> Backend:
    """The backend of an engine made by :func:`open_for_write` (or :func:`make_engine`)."""
    if engine.dialect.name == "sqlite":
        return backend.of(Path(engine.url.database or ""))
    return backend.of(engine.url.render_as_string(hide_password=False))


def sqlite_migrate(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    """Run a migration with foreign keys off: SQLite batch migrations copy and drop tables, and a
    DROP TABLE paper with foreign keys on would cascade-delete every author, link and provenance
    row.  The keys are checked once the migration is done, inside its transaction."""
    with engine.connect() as conn:
        dbapi = conn.connection.driver_connection  # outside any transaction: the PRAGMA takes effect
        assert dbapi is not None  # an open connection always has its pysqlite connection
        dbapi.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                step(_alembic_config(conn), revision)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise DatabaseError(
                        f"migration to {revision} would break {len(broken)} references; nothing changed"
                    )
        finally:
            dbapi.execute("PRAGMA foreign_keys = ON")


def backup(path: Path) -> Path:
    """Copy the database (consistently, through SQLite's backup API) before a migration changes it."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.backup-{stamp}")
    src = sqlite3.connect(str(path))
    try:
        dst = sqlite3.connect(str(target))
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    return target


def open_for_write(path: Target) -> Engine:
    """An engine on a database at the current schema: created if missing, migrated (after a
    backup) if older.  Raises DatabaseError for databases adbib must not touch."""
    b = backend.of(path)
    state = b.schema_state()  # raises for non-adbib / newer schema / unreachable server
    b.prepare_write()
    engine = b.make_engine()
    if state == "old":
        b.backup()
    if state in ("missing", "empty", "old"):
        try:
            upgrade(engine)
        except OperationalError as e:
            raise b.translate(e) from None
    return engine


def sqlite_prepare_write(path: Path) -> None:
    """A read-only file is refused; a missing directory is made."""
    if path.exists() and not _writable(path):
        raise DatabaseError(f"{path}: the database file is read-only")
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise DatabaseError(f"{path.parent}: cannot create directory ({e.strerror})") from None


def _writable(path: Path) -> bool:
    import os

    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def sqlite_translate(path: Path, e: Exception) -> DatabaseError:
    orig = getattr(e, "orig", None)
    msg = str(orig) if orig else str(e)
    if "locked" in msg or "busy" in msg:
        return DatabaseError(f"{path}: database is busy (another adbib is writing); try again")
    if "readonly" in msg or "read-only" in msg:
        return DatabaseError(f"{path}: the database file is read-only")
    return DatabaseError(f"{path}: {msg}")


@contextmanager
def write_transaction(engine: Engine, path: Target) -> Iterator[Connection]:
    """One write transaction holding the write lock (SQLite: IMMEDIATE; PostgreSQL: an advisory
    lock): all or nothing.  Lock contention becomes a clear error."""
    try:
        with engine.begin() as conn:
            yield conn
    except OperationalError as e:
        raise backend.of(path).translate(e) from None


if __name__ == "__main__":
    _write_sqlite_schema()
