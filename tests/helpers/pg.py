"""A PostgreSQL server for the tests: ``ADBIB_TEST_PG`` names one (a URL of a database on a server
where the tests may CREATE and DROP DATABASE; ``.ci/pg-cluster`` starts a throwaway one).

Each test gets a database of its own, made from a template (``CREATE DATABASE … TEMPLATE …``): the
seeded template is built once per session, like the SQLite one.
"""

from __future__ import annotations

import itertools
import os
from urllib.parse import urlsplit, urlunsplit

ENV = "ADBIB_TEST_PG"
_names = itertools.count()


def server_url() -> str | None:
    return os.environ.get(ENV) or None


def database_url(name: str) -> str:
    """The URL of database ``name`` on the test server."""
    parts = urlsplit(server_url() or "")
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin():
    import psycopg

    url = server_url()
    assert url is not None
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def fresh_name(prefix: str = "adbib_test") -> str:
    return f"{prefix}_{os.getpid()}_{next(_names)}"


def create(name: str, template: str | None = None) -> str:
    """CREATE DATABASE name [TEMPLATE template]; its URL."""
    with _admin() as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return database_url(name)


def drop(name: str) -> None:
    with _admin() as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def name_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def connect_db(db):
    """A connection to a test database with sqlite3's interface: sqlite3 itself for a path, adbib's
    PostgreSQL adapter (``?`` placeholders, rows by index or name) for a URL — in autocommit, so
    that what a test writes is there for the next command."""
    if not isinstance(db, str):
        import sqlite3

        return sqlite3.connect(db)
    import psycopg

    from adbib.backend.postgres import PgConnection

    return PgConnection(psycopg.connect(db, autocommit=True))


def is_pg(con) -> bool:
    return getattr(con, "backend_name", "sqlite") == "postgresql"


def table_names(con, exclude: tuple[str, ...] = ()) -> list[str]:
    """adbib's tables (the full-text index's own tables left out), by name."""
    if is_pg(con):
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE 'paper_fts%'"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'paper_fts%'"
    return sorted(r[0] for r in con.execute(sql) if r[0] not in exclude)


def columns(con, table: str) -> list[str]:
    """PostgreSQL: the table's column names, in their order."""
    sql = (
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = ? ORDER BY ordinal_position"
    )
    return [r[0] for r in con.execute(sql, (table,))]


def table_rows(con, table: str) -> list[tuple]:
    """Every row of a table with its rowid (SQLite) or its key column (id, or PostgreSQL's rowid), in key order."""
    if is_pg(con):
        cols = columns(con, table)
        key = "id" if "id" in cols else "rowid" if "rowid" in cols else "1"
        return [tuple(r) for r in con.execute(f'SELECT * FROM "{table}" ORDER BY {key}')]
    return con.execute(f'SELECT rowid, * FROM "{table}" ORDER BY rowid').fetchall()


def check_fts(con) -> None:
    """PostgreSQL: the full-text table has exactly one row per paper, equal to what the trigger computes."""
    stale = con.execute(
        "SELECT count(*) FROM paper p FULL JOIN paper_fts f ON f.id = p.id WHERE p.id IS NULL OR f.id IS NULL"
    ).fetchone()[0]
    assert stale == 0
