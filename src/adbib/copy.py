"""`adbib copy SRC DST`: a whole database from one engine to another (SQLite file ↔ PostgreSQL).

Every row of every table adbib's schema has (:data:`adbib.models.metadata`) is copied with its id,
in foreign-key order, read in chunks from one consistent snapshot of SRC and written in ONE
transaction on DST: a failure leaves DST as it was (a new SQLite file is built beside its name and
renamed into place only once complete; on PostgreSQL the schema and the rows are one transaction).
Each engine's full-text index fills itself from the copied rows (SQLite's FTS5 triggers,
PostgreSQL's tsvector table, kept by a trigger); on both, a row inserted later gets max(id) + 1,
PostgreSQL's by adbib's trigger (:mod:`adbib.backend.pgschema`), so no sequence needs moving.

* DST is created at the current schema by the same migrations as every adbib database, and must
  hold no rows, unless ``replace`` (then its rows are deleted first, in the same transaction).
* SRC must be at the current schema or older; an older SQLite SRC is migrated in a temporary copy
  (SRC itself is never written to); an older PostgreSQL SRC is refused (upgrade it first by running
  any adbib command on it).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adbib.config import HEAD, KNOWN_REVISIONS
from adbib.errors import DatabaseError, UsageError

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection, Engine

    from adbib.backend.postgres import PostgresBackend

CHUNK = 5000  # rows read and written at a time: memory stays bounded whatever the database's size


@dataclass(frozen=True)
class Location:
    """One side of a copy: a SQLite file or a PostgreSQL URL."""

    text: str  # what the user gave
    path: Path | None = None  # SQLite
    url: str | None = None  # PostgreSQL, as SQLAlchemy takes it (postgresql+psycopg://…)

    @classmethod
    def parse(cls, text: str) -> Location:
        from adbib.backend import is_url

        if is_url(text):
            rest = text.split("://", 1)[1]
            return cls(text, url=f"postgresql+psycopg://{rest}")
        if "://" in text:
            raise UsageError(f"{text}: not a database adbib knows (a SQLite file path, or postgresql://…)")
        return cls(text, path=Path(text).expanduser())

    @property
    def shown(self) -> str:
        """For messages: the path, or the URL without its password."""
        if self.path is not None:
            return str(self.path)
        return _pg_backend(self).display()

    def same_as(self, other: Location) -> bool:
        if self.path is not None and other.path is not None:
            if self.path.exists() and other.path.exists():
                return self.path.samefile(other.path)
            return self.path.resolve() == other.path.resolve()
        if self.url is not None and other.url is not None:
            from sqlalchemy.engine import make_url

            a, b = make_url(self.url), make_url(other.url)
            local = {None, "", "localhost", "127.0.0.1", "::1"}
            same_host = a.host == b.host or (a.host in local and b.host in local)
            return same_host and (a.port or 5432) == (b.port or 5432) and a.database == b.database
        return False


@dataclass
class CopyReport:
    src: str
    dst: str
    tables: list[tuple[str, int]] = field(default_factory=list)  # (table, rows copied), in copy order

    @property
    def papers(self) -> int:
        return dict(self.tables).get("paper", 0)

    @property
    def rows(self) -> int:
        return sum(n for _, n in self.tables)


def tables() -> list[Table]:
    """adbib's tables in foreign-key order (a table after every table it refers to)."""
    from adbib.tables import metadata

    return list(metadata.sorted_tables)


def copy_database(
    src: str,
    dst: str,
    *,
    replace: bool = False,
    chunk: int = CHUNK,
    progress: Callable[[str, int], None] | None = None,
) -> CopyReport:
    """Copy every row of SRC into DST (see the module's docstring); ``progress(table, rows so far)``."""
    s, d = Location.parse(src), Location.parse(dst)
    if s.same_as(d):
        raise UsageError(f"{s.shown} and {d.shown} are the same database: nothing to copy")
    report = CopyReport(s.shown, d.shown)
    with _source(s) as reader:
        if d.path is not None:
            _into_sqlite(reader, d, report, replace=replace, chunk=chunk, progress=progress)
        else:
            _into_postgresql(reader, d, report, replace=replace, chunk=chunk, progress=progress)
    return report


# ---------------------------------------------------------------- reading SRC


@contextlib.contextmanager
def _source(loc: Location) -> Iterator[Connection]:
    """A connection on SRC inside one read-only snapshot transaction."""
    if loc.path is not None:
        with _sqlite_source(loc.path) as conn:
            yield conn
        return
    engine = _pg_engine(loc, write=False)
    try:
        with _connected(loc, engine) as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                version = _pg_revision(conn)
                if version is None:
                    raise DatabaseError(f"{loc.shown}: not an adbib database (it has no adbib schema)")
                _check_revision(loc, version)
                if version != HEAD:
                    raise DatabaseError(
                        f"{loc.shown}: at schema revision {version}, older than this adbib's ({HEAD}); "
                        f"upgrade it first (any adbib command on it does, e.g. adbib --db URL stats)"
                    )
                yield conn
    finally:
        engine.dispose()


@contextlib.contextmanager
def _sqlite_source(path: Path) -> Iterator[Connection]:
    from adbib import dbread

    if not path.exists():
        raise DatabaseError(f"{path}: no such database file")
    if path.is_dir():
        raise DatabaseError(f"{path}: is a directory, not a database file")
    state = dbread.schema_state(path)  # raises for a file that is not an adbib database
    if state == "missing":
        raise DatabaseError(f"{path}: an empty file, not an adbib database")
    if state == "old":
        # migrate a private copy: SRC itself is never written to
        with tempfile.TemporaryDirectory(prefix="adbib-copy-") as tmp:
            from adbib import db as dbw

            copy = Path(tmp) / "src.db"
            _sqlite_backup(path, copy)
            engine = dbw.make_engine(copy)
            dbw.upgrade(engine)
            engine.dispose()
            with _sqlite_source(copy) as conn:
                yield conn
        return
    if _sqlite_revision(path) is None:
        raise DatabaseError(f"{path}: not an adbib database (it has no adbib schema)")
    engine = _sqlite_reader(path)
    try:
        with engine.connect() as conn, conn.begin():
            yield conn
    finally:
        engine.dispose()


def _sqlite_reader(path: Path) -> Engine:
    """Read-only connections; a transaction is one snapshot (BEGIN DEFERRED, WAL)."""
    from sqlalchemy import create_engine, event

    from adbib.dbread import BUSY_TIMEOUT_MS

    def connect() -> sqlite3.Connection:
        con = sqlite3.connect(f"file:{_uri_path(path)}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        con.isolation_level = None
        return con

    engine = create_engine("sqlite://", creator=connect)

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def _uri_path(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path.absolute()))


def _sqlite_revision(path: Path) -> str | None:
    con = sqlite3.connect(f"file:{_uri_path(path)}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        con.close()
    return row[0] if row else None


def _sqlite_backup(src: Path, dst: Path) -> None:
    a = sqlite3.connect(f"file:{_uri_path(src)}?mode=ro", uri=True)
    try:
        b = sqlite3.connect(dst)
        with b:
            a.backup(b)
        b.close()
    finally:
        a.close()


def _check_revision(loc: Location, version: str) -> None:
    if version not in KNOWN_REVISIONS:
        raise DatabaseError(f"{loc.shown}: made by a newer adbib (schema revision {version}); upgrade adbib to read it")


def _unknown_tables(names: set[str]) -> set[str]:
    known = {t.name for t in tables()}
    return {n for n in names if n not in known and n != "alembic_version" and not n.startswith("paper_fts")}


def _rows(conn: Connection, table: Table, chunk: int, rowid: bool) -> Iterator[list[dict[str, Any]]]:
    """The table's rows, ``chunk`` at a time (a server-side cursor on PostgreSQL, sqlite3's own
    row-at-a-time cursor on SQLite), by id; a table without one by its ``rowid`` (read too, when
    ``rowid``), else in PostgreSQL's stored order (ctid)."""
    from sqlalchemy import literal_column, select

    cols = _columns(table)
    if _serial_id(table):
        order: list[Any] = [table.c.id]
    elif rowid:
        order = [literal_column("rowid")]
        cols.append(literal_column("rowid").label("rowid"))
    else:
        order = [literal_column("ctid")]
    stmt = select(*cols).order_by(*order)
    # the statement's option, not the connection's: SQLAlchemy 2 sets that one on the connection
    # itself, for every later statement on it
    result = conn.execute(stmt.execution_options(yield_per=chunk))
    keys = list(result.keys())
    for part in result.partitions(chunk):
        yield [dict(zip(keys, r, strict=True)) for r in part]


def has_rowid(conn: Connection, table: Table) -> bool:
    """Whether rows of the table have a ``rowid`` besides their columns: on SQLite every table
    without an integer id; on PostgreSQL where adbib's schema adds that column.  adbib keeps
    rowids as it keeps ids: the undo journal names rows by them, and a paper's datasets are listed
    in the order of theirs (``min(rowid)`` in rows.py)."""
    from sqlalchemy import inspect

    if _serial_id(table):
        return False
    if conn.dialect.name == "sqlite":
        return True
    return "rowid" in {c["name"] for c in inspect(conn).get_columns(table.name)}


def _insert(table: Table, rowid: bool) -> Any:
    """An INSERT of the table's copied columns (and its rowid)."""
    from sqlalchemy import Integer, column
    from sqlalchemy import table as table_clause

    cols = [column(c.name, c.type) for c in _columns(table)]
    if rowid:
        cols.append(column("rowid", Integer))
    return table_clause(table.name, *cols).insert()


def _serial_id(table: Table) -> bool:
    """Whether the table's key is one integer ``id`` the database numbers itself."""
    from sqlalchemy import Integer

    pk = list(table.primary_key.columns)
    return len(pk) == 1 and pk[0].name == "id" and isinstance(pk[0].type, Integer)


def _columns(table: Table) -> list[Any]:
    """The columns a copy writes: every one but those the database computes itself."""
    return [c for c in table.columns if c.computed is None]


# ---------------------------------------------------------------- writing DST


def _copy_rows(
    reader: Connection,
    writer: Connection,
    report: CopyReport,
    chunk: int,
    progress: Callable[[str, int], None] | None,
) -> None:
    from sqlalchemy import inspect

    unknown = _unknown_tables(set(inspect(reader).get_table_names()))
    if unknown:
        raise DatabaseError(
            f"{report.src}: has tables this adbib does not know ({', '.join(sorted(unknown))}); nothing was copied"
        )
    for table in tables():
        done = 0
        read_rowid, write_rowid = has_rowid(reader, table), has_rowid(writer, table)
        insert = _insert(table, read_rowid and write_rowid)
        for rows in _rows(reader, table, chunk, read_rowid):
            if read_rowid and not write_rowid:
                for row in rows:
                    del row["rowid"]
            if writer.dialect.name == "postgresql":
                _pg_copy_in(writer, table.name, rows)
            else:
                writer.execute(insert, rows)
            done += len(rows)
            if progress:
                progress(table.name, done)
        report.tables.append((table.name, done))


def _pg_copy_in(conn: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's bulk path (COPY … FROM STDIN, in the copy's transaction): ten times fewer round
    trips than one INSERT per row; the tables' triggers (ids, full-text index) fire as for INSERT."""
    if not rows:
        return
    keys = list(rows[0])
    names = ", ".join(f'"{k}"' for k in keys)
    raw = conn.connection.driver_connection
    assert raw is not None  # an open connection always has its psycopg connection
    with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as out:
        for row in rows:
            out.write_row([row[k] for k in keys])


def _dst_rows(conn: Connection) -> int:
    from sqlalchemy import func, select

    return sum(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables())


def _refuse_if_not_empty(conn: Connection, loc: Location, replace: bool) -> None:
    from sqlalchemy import delete, func, select

    held = _dst_rows(conn)
    if not held:
        return
    if not replace:
        papers = conn.execute(select(func.count()).select_from(_table("paper"))).scalar_one()
        raise _not_empty(loc, papers, held)
    for table in reversed(tables()):
        conn.execute(delete(table))


def _not_empty(loc: Location, papers: int, held: int) -> DatabaseError:
    return DatabaseError(
        f"{loc.shown}: not empty ({papers} papers, {held} rows); copy into an empty database, "
        "or give --replace to delete its rows first"
    )


def _refuse_if_not_empty_file(loc: Location) -> None:
    """:func:`_refuse_if_not_empty` for a SQLite file of any schema, read with sqlite3 alone."""
    assert loc.path is not None
    con = sqlite3.connect(f"file:{_uri_path(loc.path)}?mode=ro", uri=True)
    try:
        present = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        held = sum(con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0] for t in tables() if t.name in present)
        papers = con.execute("SELECT count(*) FROM paper").fetchone()[0] if "paper" in present else 0
    finally:
        con.close()
    if held:
        raise _not_empty(loc, papers, held)


def _table(name: str) -> Table:
    from adbib.tables import metadata

    return metadata.tables[name]


def _into_sqlite(
    reader: Connection,
    loc: Location,
    report: CopyReport,
    *,
    replace: bool,
    chunk: int,
    progress: Callable[[str, int], None] | None,
) -> None:
    from adbib import db as dbw
    from adbib import dbread

    assert loc.path is not None
    path = loc.path
    if path.exists() and path.is_dir():
        raise DatabaseError(f"{path}: is a directory, not a database file")
    if dbread.schema_state(path) != "missing":  # raises for a file that is not an adbib database
        if not replace:
            _refuse_if_not_empty_file(loc)  # before a migration would touch it
        engine = dbw.open_for_write(path)  # an existing database: brought to the current schema
        try:
            with dbw.write_transaction(engine, path) as conn:
                _refuse_if_not_empty(conn, loc, replace)
                _copy_rows(reader, conn, report, chunk, progress)
        finally:
            engine.dispose()
        return
    # a new file: built beside its name, renamed into place once complete
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".copying", dir=path.parent)
    except OSError as e:
        raise DatabaseError(f"{path}: cannot create the database ({e.strerror})") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()
        engine = dbw.open_for_write(tmp)
        try:
            with dbw.write_transaction(engine, tmp) as conn:
                _copy_rows(reader, conn, report, chunk, progress)
            raw = engine.raw_connection()  # outside a transaction: the WAL goes into the file before the rename
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
        finally:
            engine.dispose()
        os.replace(tmp, path)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)


# ---------------------------------------------------------------- PostgreSQL


def _pg_backend(loc: Location) -> PostgresBackend:
    from adbib import backend
    from adbib.backend.postgres import PostgresBackend, _psycopg

    _psycopg()  # a clear line when the driver is missing
    b = backend.of(loc.text)
    assert isinstance(b, PostgresBackend)
    return b


def _pg_engine(loc: Location, *, write: bool) -> Engine:
    """DST: adbib's write engine (each transaction takes the write lock other writers wait for);
    SRC: the same session settings without the lock (a copy does not stop the team's imports)."""
    b = _pg_backend(loc)
    if write:
        return b.make_engine()
    from sqlalchemy import create_engine

    from adbib.backend.postgres import CONNECT_TIMEOUT, SESSION_OPTIONS

    return create_engine(
        b.sqlalchemy_url, connect_args={"connect_timeout": CONNECT_TIMEOUT, "options": SESSION_OPTIONS}
    )


@contextlib.contextmanager
def _connected(loc: Location, engine: Engine) -> Iterator[Connection]:
    from sqlalchemy.exc import OperationalError

    try:
        conn = engine.connect()
    except OperationalError as e:
        raise _pg_backend(loc).translate(e) from None
    try:
        yield conn
    finally:
        conn.close()


def _pg_revision(conn: Connection) -> str | None:
    from sqlalchemy import text

    exists = conn.execute(text("SELECT to_regclass('alembic_version') IS NOT NULL")).scalar_one()
    if not exists:
        return None
    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return str(row[0]) if row else None


def _into_postgresql(
    reader: Connection,
    loc: Location,
    report: CopyReport,
    *,
    replace: bool,
    chunk: int,
    progress: Callable[[str, int], None] | None,
) -> None:
    from sqlalchemy import inspect

    engine = _pg_engine(loc, write=True)
    try:
        with _connected(loc, engine) as conn, conn.begin():
            version = _pg_revision(conn)
            if version is None:
                stray = _unknown_tables(set(inspect(conn).get_table_names()))
                if stray:
                    raise DatabaseError(
                        f"{loc.shown}: not an adbib database (it has tables: {', '.join(sorted(stray))})"
                    )
            else:
                _check_revision(loc, version)
            if version != HEAD:
                _pg_upgrade(conn)
            _refuse_if_not_empty(conn, loc, replace)
            _copy_rows(reader, conn, report, chunk, progress)
    finally:
        engine.dispose()


def _pg_upgrade(conn: Connection) -> None:
    """The migrations inside the copy's transaction (PostgreSQL's DDL is transactional)."""
    from alembic import command

    from adbib.backend import pgschema
    from adbib.db import _alembic_config

    command.upgrade(_alembic_config(conn), "head")
    pgschema.sync(conn)  # as PostgresBackend.migrate does after every step
