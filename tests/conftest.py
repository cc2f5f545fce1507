"""Shared fixtures: the seeded database is built once per session from the real seed lists,
then every test that needs it gets its own fresh copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "data" / "seed"


def seed_file(name: str) -> str:
    """The text of a shipped seed list."""
    return (SEED / name).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory) -> Path:
    from adbib.db import open_for_write
    from adbib.seed import seed

    path = tmp_path_factory.mktemp("seeded") / "adbib.db"
    engine = open_for_write(path)
    seed(engine, path)
    engine.dispose()
    return path


@pytest.fixture
def seeded_db(_seeded_template, tmp_path) -> Path:
    """A fresh copy of the fully seeded database, private to the test."""
    path = tmp_path / "adbib.db"
    shutil.copy(_seeded_template, path)
    return path


@pytest.fixture
def empty_db(tmp_path) -> Path:
    """A database at the current schema with nothing in it."""
    from adbib.db import open_for_write

    path = tmp_path / "adbib.db"
    open_for_write(path).dispose()
    return path


@pytest.fixture
def sql(seeded_db):
    """Run SQL on the seeded copy with the standard library: sql('SELECT …', params) -> list of rows."""
    import sqlite3

    con = sqlite3.connect(seeded_db)
    con.row_factory = sqlite3.Row

    def run(statement: str, params=()):
        return con.execute(statement, params).fetchall()

    yield run
    con.close()
