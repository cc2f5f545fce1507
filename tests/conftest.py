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


# ---------------------------------------------------------------- the engines

# The backend-dependent fixtures (seeded_db, empty_db and those built on them) run every test that
# uses them once per engine: SQLite always, PostgreSQL when ADBIB_TEST_PG names a server (see
# tests/helpers/pg.py; .ci/pg-cluster starts one).  Without a server the PostgreSQL runs are
# skipped — except in CI (CI=true), where they fail.  A test about SQLite itself (its file, its
# PRAGMAs, FTS5, killing a writer of the file) is marked sqlite_only, or its module is.
BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sqlite_only: a test about SQLite itself (its file, PRAGMAs, FTS5): not run on PostgreSQL"
    )


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        only_sqlite = metafunc.definition.get_closest_marker("sqlite_only") is not None
        metafunc.parametrize("backend", ("sqlite",) if only_sqlite else BACKENDS, indirect=True)


@pytest.fixture
def backend(request) -> str:
    """'sqlite' or 'postgresql': the engine this run of the test uses."""
    name = getattr(request, "param", "sqlite")
    if name == "postgresql":
        _need_pg()
    return name


def _need_pg() -> None:
    import os

    from helpers import pg

    if pg.server_url() is None:
        message = f"no PostgreSQL server for the tests ({pg.ENV} is not set; .ci/pg-cluster starts one)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.fail("psycopg is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory) -> Path:
    from adbib.db import open_for_write
    from adbib.seed import seed

    path = tmp_path_factory.mktemp("seeded") / "adbib.db"
    engine = open_for_write(path)
    seed(engine, path)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _pg_templates():
    """The PostgreSQL template databases, made on first use: 'empty' (at the current schema) and
    'seeded' (the shipped lists); dropped at the end of the session."""
    from helpers import pg

    made: dict[str, str] = {}

    def template(kind: str) -> str:
        if kind not in made:
            from adbib.db import open_for_write
            from adbib.seed import seed

            name = pg.fresh_name(f"adbib_tpl_{kind}")
            url = pg.create(name)
            engine = open_for_write(url)
            if kind == "seeded":
                seed(engine, url)
            engine.dispose()
            made[kind] = name
        return made[kind]

    yield template
    for name in made.values():
        pg.drop(name)


@pytest.fixture
def _pg_database(request, _pg_templates):
    """A fresh PostgreSQL database copied from a template: pg_database('seeded') -> its URL."""
    from helpers import pg

    names: list[str] = []

    def make(kind: str) -> str:
        name = pg.fresh_name()
        names.append(name)
        return pg.create(name, _pg_templates(kind))

    yield make
    for name in names:
        pg.drop(name)


@pytest.fixture
def seeded_db(backend, _seeded_template, tmp_path, request):
    """A fresh copy of the fully seeded database, private to the test: a Path (SQLite) or a
    postgresql:// URL (str); either is a --db value."""
    if backend == "postgresql":
        return request.getfixturevalue("_pg_database")("seeded")
    path = tmp_path / "adbib.db"
    shutil.copy(_seeded_template, path)
    return path


@pytest.fixture
def empty_db(backend, tmp_path, request):
    """A database at the current schema with nothing in it (a Path, or a postgresql:// URL)."""
    if backend == "postgresql":
        return request.getfixturevalue("_pg_database")("empty")
    from adbib.db import open_for_write

    path = tmp_path / "adbib.db"
    open_for_write(path).dispose()
    return path


@pytest.fixture
def sql(seeded_db):
    """Run SQL on the seeded copy with the standard library: sql('SELECT …', params) -> list of rows.
    On PostgreSQL, through adbib's sqlite3-like adapter (``?`` placeholders), each statement committed."""
    import sqlite3

    if isinstance(seeded_db, str):
        import psycopg

        from adbib.backend.postgres import PgConnection

        con = PgConnection(psycopg.connect(seeded_db, autocommit=True))
    else:
        con = sqlite3.connect(seeded_db)
        con.row_factory = sqlite3.Row

    def run(statement: str, params=()):
        return con.execute(statement, params).fetchall()

    yield run
    con.close()
