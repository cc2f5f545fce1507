"""For the copy and cross-engine tests, on top of helpers/pg.py (the test server ``ADBIB_TEST_PG``):
a blank database (no schema: ``adbib copy`` makes it), and every row of every adbib table on either
engine, for comparing two databases exactly (ids and times included)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import pg

IN_CI = os.environ.get("CI", "").lower() == "true"


def need_server() -> None:
    """Skip without a test server; in CI (CI=true, where .ci/run starts one) fail instead."""
    if pg.server_url() is None:
        message = f"no PostgreSQL server for the tests ({pg.ENV} is not set; .ci/pg-cluster starts one)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def create_database() -> str:
    """A new blank database (no tables) on the test server; its URL."""
    need_server()
    return pg.create(pg.fresh_name("adbib_copy"))


def drop_database(url: str) -> None:
    pg.drop(pg.name_of(url))


def fresh_database() -> Iterator[str]:
    """For a fixture (``yield from fresh_database()``): a blank database, dropped afterwards."""
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
