"""A fresh PostgreSQL database per test, on the server ``ADBIB_TEST_PG`` names
(``postgresql://adbib@127.0.0.1:PORT/postgres``: ``.ci/pg-cluster`` starts one).  Without it a test
that needs PostgreSQL is skipped, but with ``CI=true`` it fails: CI always has the server.

Also: every row of every adbib table, on either engine, for comparing two databases exactly.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def server() -> str:
    url = os.environ.get("ADBIB_TEST_PG")
    if not url:
        if IN_CI:
            pytest.fail("CI=true but ADBIB_TEST_PG is not set (.ci/run starts a PostgreSQL cluster)")
        pytest.skip("no PostgreSQL server (set ADBIB_TEST_PG=postgresql://user@host:port/postgres)")
    return url


def _with_database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    head = base.rsplit("/", 1)[0]
    return f"{head}/{name}" + (f"?{query}" if query else "")


def _admin(url: str) -> Any:
    import psycopg

    return psycopg.connect(url, autocommit=True)


def create_database() -> str:
    """A new, empty database on the test server; its URL."""
    url = server()
    name = f"adbib_test_{uuid.uuid4().hex[:12]}"
    with _admin(url) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    return _with_database(url, name)


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1].partition("?")[0]
    with _admin(_with_database(server(), "postgres")) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_database() -> Iterator[str]:
    """For a fixture (``yield from fresh_database()``): a fresh empty database on the test server,
    dropped afterwards."""
    url = create_database()
    try:
        yield url
    finally:
        drop_database(url)


def _engine(db: str | Path) -> Any:
    from sqlalchemy import create_engine

    text = str(db)
    if text.startswith("postgresql://"):
        return create_engine("postgresql+psycopg://" + text.split("://", 1)[1])
    return create_engine(f"sqlite:///{text}")


def dump(db: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every adbib table (ids, times and all), each table's rows sorted in Python
    (the engines collate text differently)."""
    from sqlalchemy import select

    from adbib.models import metadata

    engine = _engine(db)
    try:
        with engine.connect() as conn:
            return {
                t.name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr) for t in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def counts(db: str | Path) -> dict[str, int]:
    return {name: len(rows) for name, rows in dump(db).items()}
