"""`adbib copy SRC DST`: every row of every table, with its id, between SQLite files and PostgreSQL,
in one transaction on DST.  The PostgreSQL tests run on the server ``ADBIB_TEST_PG`` names (a fresh
database per test, see helpers/pg.py); in CI they always run."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adbib.cli import app
from adbib.config import HEAD
from adbib.copy import CopyReport, copy_database
from adbib.errors import DatabaseError, UsageError
from helpers.dbstate import snapshot
from helpers.pgdb import counts, create_database, drop_database, dump, fresh_database

EXPORTS = ("json", "bibtex", "csv", "markdown", "ris", "csl")


# SQLite is one side of most copies here, PostgreSQL the other (pg_url): the engine-parametrized
# fixtures of conftest.py (branch pg) run these once, on SQLite
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def pg_url():
    yield from fresh_database()


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def exports(db: str | Path) -> dict[str, str]:
    out = {}
    for fmt in EXPORTS:
        result = invoke("--db", str(db), "export", "--format", fmt)
        assert result.exit_code == 0, result.output
        out[fmt] = result.stdout
    return out


def sqlite_counts(db: Path) -> dict[str, int]:
    """Rows per table, counted by SQLite itself (not through the copy's code)."""
    con = sqlite3.connect(db)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
                " AND name NOT LIKE 'paper_fts%' AND name != 'alembic_version'"
            )
        ]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def inserts(db: Path) -> list[str]:
    """SQLite's own dump of the rows (INSERT statements in stored order), the FTS shadow tables aside."""
    con = sqlite3.connect(db)
    try:
        return [s for s in con.iterdump() if s.startswith("INSERT") and "paper_fts" not in s]
    finally:
        con.close()


def files(directory: Path) -> list[str]:
    """The files in a directory, SQLite's -wal and -shm files aside (any reader of a WAL database may make them)."""
    return sorted(p.name for p in directory.iterdir() if not p.name.endswith(("-wal", "-shm")))


def empty(path: Path) -> Path:
    """A database at the current schema with no rows."""
    from adbib.db import open_for_write

    open_for_write(path).dispose()
    return path


def rowids(db: Path) -> dict[str, list[tuple]]:
    """Every row with its rowid, of the tables keyed without an integer id (the undo journal names
    their rows by rowid)."""
    con = sqlite3.connect(db)
    try:
        out = {}
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"):
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{name}")')]
            if "id" not in cols and not name.startswith("paper_fts") and name != "alembic_version":
                out[name] = con.execute(f'SELECT rowid, * FROM "{name}" ORDER BY rowid').fetchall()
        return out
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reported(report: CopyReport) -> dict[str, int]:
    return dict(report.tables)


# ---------------------------------------------------------------- SQLite → SQLite


def test_sqlite_to_sqlite_copies_every_row_in_stored_order(seeded_db, tmp_path):
    dst = tmp_path / "copy.db"
    before = digest(seeded_db)
    report = copy_database(str(seeded_db), str(dst))
    assert reported(report) == sqlite_counts(seeded_db) == sqlite_counts(dst)
    assert report.papers == sqlite_counts(seeded_db)["paper"] > 0
    # the same rows, in the same stored order (a paper's datasets are listed in rowid order)
    assert inserts(dst) == inserts(seeded_db)
    assert rowids(dst) == rowids(seeded_db)
    assert snapshot(dst) == snapshot(seeded_db)  # also: integrity, foreign keys, FTS index = its table
    assert exports(dst) == exports(seeded_db)
    assert digest(seeded_db) == before  # SRC is only read
    assert files(tmp_path) == ["adbib.db", "copy.db"]  # no temporary file left


def test_rowids_are_kept_and_undo_works_on_the_copy(seeded_db, tmp_path):
    """The journal names rows of tables without an id by rowid: a copy that renumbered them (a
    deleted row leaves a gap) would make undo delete the wrong rows."""
    bib = tmp_path / "one.bib"
    bib.write_text(
        "@article{x, title = {Undo Across A Copy}, author = {Doe, Jane and Roe, Rich}, year = {2024},"
        " journal = {Medical Image Analysis}}\n"
    )
    con = sqlite3.connect(seeded_db)
    con.execute("DELETE FROM paper_dataset WHERE rowid = (SELECT min(rowid) + 5 FROM paper_dataset)")
    con.commit()
    con.close()
    assert invoke("--db", str(seeded_db), "import", str(bib)).exit_code == 0
    dst = tmp_path / "copy.db"
    copy_database(str(seeded_db), str(dst))
    assert rowids(dst) == rowids(seeded_db)
    for db in (seeded_db, dst):
        result = invoke("--db", str(db), "undo")
        assert result.exit_code == 0, result.output
    assert snapshot(dst) == snapshot(seeded_db)  # the undo's own log entry has its own time
    assert rowids(dst) == rowids(seeded_db)
    assert invoke("--db", str(dst), "query", "undo across", "--format", "keys").stdout == ""


def test_the_copy_is_read_in_chunks(seeded_db):
    from adbib import copy as C

    papers = sqlite_counts(seeded_db)["paper"]
    with C._source(C.Location.parse(str(seeded_db))) as conn:
        sizes = [len(rows) for rows in C._rows(conn, C._table("paper"), 10, False)]
    assert sizes == [10] * (papers // 10) + ([papers % 10] if papers % 10 else [])


def test_reading_a_table_in_chunks_leaves_the_connections_options_alone(seeded_db):
    # SQLAlchemy 2's Connection.execution_options sets an option on the connection itself: set
    # there, yield_per would stream every later statement of the copy too (a server-side cursor
    # for each on PostgreSQL), not only the table's rows
    from adbib import copy as C

    papers = sqlite_counts(seeded_db)["paper"]
    with C._source(C.Location.parse(str(seeded_db))) as conn:
        before = dict(conn.get_execution_options())
        assert sum(len(rows) for rows in C._rows(conn, C._table("paper"), 10, False)) == papers
        assert dict(conn.get_execution_options()) == before
        assert "yield_per" not in before


def test_a_copy_in_small_chunks_equals_one_in_large_ones(seeded_db, tmp_path):
    small, large = tmp_path / "small.db", tmp_path / "large.db"
    copy_database(str(seeded_db), str(small), chunk=7)
    copy_database(str(seeded_db), str(large), chunk=100_000)
    assert inserts(small) == inserts(large) == inserts(seeded_db)


def test_the_cli_prints_the_rows_per_table(seeded_db, tmp_path):
    dst = tmp_path / "copy.db"
    result = invoke("copy", str(seeded_db), str(dst))
    assert result.exit_code == 0, result.output
    n = sqlite_counts(seeded_db)
    lines = result.stdout.splitlines()
    assert lines[:2] == ["table           rows", "--------------  ------"]
    assert lines[2:-1] == [f"{name:<14}  {n[name]}" for name in sorted(n)]
    assert lines[-1] == (
        f"Copied {n['paper']} papers ({sum(n.values())} rows in {len(n)} tables) from {seeded_db} to {dst}."
    )


def test_a_new_database_can_be_written_to_after_the_copy(seeded_db, tmp_path):
    """The copy is a working database: an import after it lands with fresh ids."""
    dst = tmp_path / "copy.db"
    copy_database(str(seeded_db), str(dst))
    bib = tmp_path / "one.bib"
    bib.write_text("@article{x, title = {A Copied Database Takes New Papers}, author = {Doe, Jane}, year = {2024}}\n")
    result = invoke("--db", str(dst), "import", str(bib))
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(dst)
    top = con.execute("SELECT max(id) FROM paper").fetchone()[0]
    con.close()
    assert top == sqlite_counts(seeded_db)["paper"] + 1
    assert invoke("--db", str(dst), "query", "copied database", "--format", "keys").stdout == "x\n"


def test_an_older_sqlite_source_is_migrated_in_a_private_copy(seeded_db, tmp_path):
    from adbib import db as dbw

    engine = dbw.make_engine(seeded_db)
    dbw.downgrade(engine, "0005")
    engine.dispose()
    before = digest(seeded_db)
    dst = tmp_path / "copy.db"
    report = copy_database(str(seeded_db), str(dst))
    assert digest(seeded_db) == before  # SRC stays at 0005, untouched
    assert sqlite3.connect(dst).execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
    # what 0005 has is all copied; 0006's tables start empty
    assert reported(report) == sqlite_counts(dst)
    old = sqlite_counts(seeded_db)
    assert {k: v for k, v in sqlite_counts(dst).items() if k in old} == old
    assert {k: v for k, v in sqlite_counts(dst).items() if k not in old} == {"tag": 0, "operation": 0, "journal": 0}


# ---------------------------------------------------------------- refusals (SQLite)


def test_a_destination_with_rows_is_refused_and_left_alone(seeded_db, tmp_path):
    dst = tmp_path / "copy.db"
    copy_database(str(seeded_db), str(dst))
    before = inserts(dst)
    n = sqlite_counts(dst)
    result = invoke("copy", str(seeded_db), str(dst))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"adbib: {dst}: not empty ({n['paper']} papers, {sum(n.values())} rows); copy into an empty database, "
        "or give --replace to delete its rows first\n"
    )
    assert inserts(dst) == before


def test_replace_deletes_the_destinations_rows_in_the_same_transaction(seeded_db, tmp_path):
    dst = tmp_path / "copy.db"
    copy_database(str(empty(tmp_path / "empty.db")), str(dst))  # an empty database copies to an empty one
    assert sum(sqlite_counts(dst).values()) == 0
    copy_database(str(seeded_db), str(dst))
    bib = tmp_path / "one.bib"
    bib.write_text("@article{x, title = {Only In The Destination}, author = {Doe, Jane}, year = {2024}}\n")
    assert invoke("--db", str(dst), "import", str(bib)).exit_code == 0
    result = invoke("copy", "--replace", str(seeded_db), str(dst))
    assert result.exit_code == 0, result.output
    assert inserts(dst) == inserts(seeded_db)


@pytest.mark.parametrize(
    ("src", "dst", "code", "message"),
    [
        ("{tmp}/missing.db", "{tmp}/x.db", 1, "{tmp}/missing.db: no such database file"),
        ("{tmp}", "{tmp}/x.db", 1, "{tmp}: is a directory, not a database file"),
        ("{seeded}", "{tmp}", 1, "{tmp}: is a directory, not a database file"),
        ("{text}", "{tmp}/x.db", 1, "{text}: not an SQLite database (file is not a database)"),
        ("{seeded}", "{text}", 1, "{text}: not an SQLite database (file is not a database)"),
        ("{seeded}", "{seeded}", 2, "{seeded} and {seeded} are the same database: nothing to copy"),
        (
            "{seeded}",
            "{tmp}/../{tmp_name}/adbib.db",
            2,
            "{seeded} and {tmp}/../{tmp_name}/adbib.db are the same database: nothing to copy",
        ),
        (
            "{seeded}",
            "mysql://me@host/db",
            2,
            "mysql://me@host/db: not a database adbib knows (a SQLite file path, or postgresql://…)",
        ),
        (
            "{seeded}",
            "postgresql://adbib@127.0.0.1:1/adbib",
            1,
            'postgresql://adbib@127.0.0.1:1/adbib: cannot connect to the PostgreSQL server (connection to server at "127.0.0.1", port 1 failed: Connection refused)',
        ),
    ],
)
def test_user_mistakes_are_one_line_and_write_nothing(seeded_db, tmp_path, src, dst, code, message):
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    names = {"tmp": tmp_path, "seeded": seeded_db, "text": text, "tmp_name": tmp_path.name}
    before = files(tmp_path)
    result = invoke("copy", src.format(**names), dst.format(**names))
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", f"adbib: {message.format(**names)}\n")
    assert files(tmp_path) == before
    assert digest(text) == hashlib.sha256(b"not a database\n").hexdigest()


def test_a_failure_during_the_copy_leaves_no_new_file(seeded_db, tmp_path):
    dst = tmp_path / "copy.db"

    def fail(table: str, rows: int) -> None:
        if table == "provenance":
            raise RuntimeError("the disk failed")

    with pytest.raises(RuntimeError, match="the disk failed"):
        copy_database(str(seeded_db), str(dst), progress=fail)
    assert files(tmp_path) == ["adbib.db"]


def test_a_failure_during_the_copy_leaves_an_existing_destination_as_it_was(seeded_db, tmp_path):
    dst = empty(tmp_path / "dst.db")
    before = snapshot(dst)

    def fail(table: str, rows: int) -> None:
        if table == "provenance":
            raise RuntimeError("the disk failed")

    with pytest.raises(RuntimeError):
        copy_database(str(seeded_db), str(dst), progress=fail)
    assert snapshot(dst) == before


# ---------------------------------------------------------------- PostgreSQL


def test_sqlite_to_postgresql_to_sqlite_round_trips(seeded_db, tmp_path, pg_url):
    back = tmp_path / "back.db"
    there = copy_database(str(seeded_db), pg_url)
    assert reported(there) == sqlite_counts(seeded_db) == counts(pg_url)
    assert dump(pg_url) == dump(seeded_db)  # every row, ids and times included
    home = copy_database(pg_url, str(back))
    assert reported(home) == reported(there)
    assert inserts(back) == inserts(seeded_db)  # the same rows, in the same stored order
    assert rowids(back) == rowids(seeded_db)
    assert snapshot(back) == snapshot(seeded_db)
    assert exports(back) == exports(seeded_db)


def test_postgresql_to_postgresql(seeded_db, tmp_path, pg_url):
    other = create_database()
    try:
        copy_database(str(seeded_db), pg_url)
        report = copy_database(pg_url, other)
        assert reported(report) == sqlite_counts(seeded_db)
        assert dump(other) == dump(seeded_db)
    finally:
        drop_database(other)


def test_import_and_undo_on_the_postgresql_copy_do_what_they_do_on_sqlite(seeded_db, tmp_path, pg_url):
    """New rows on the copy get the ids SQLite would give (max + 1), and undo finds the rows an
    earlier import journaled by the ids and rowids the copy kept."""
    bib = tmp_path / "one.bib"
    bib.write_text(
        "@article{x, title = {Undo Across A Copy}, author = {Doe, Jane and Roe, Rich}, year = {2024},"
        " journal = {Medical Image Analysis}, doi = {10.5555/undo.1}}\n"
    )
    assert invoke("--db", str(seeded_db), "import", str(bib)).exit_code == 0
    copy_database(str(seeded_db), pg_url)
    later = tmp_path / "later.bib"
    later.write_text("@article{y, title = {Imported After The Copy}, author = {Poe, Ed}, year = {2025}}\n")
    for db in (str(seeded_db), pg_url):
        result = invoke("--db", db, "import", str(later))
        assert result.exit_code == 0, result.output
    assert _stable(pg_url) == _stable(seeded_db)  # the same new ids and rowids on both
    for db in (str(seeded_db), pg_url):
        for _ in range(2):  # the later import, then the one before the copy
            result = invoke("--db", db, "undo")
            assert result.exit_code == 0, result.output
    assert _stable(pg_url) == _stable(seeded_db)
    for db in (str(seeded_db), pg_url):
        assert invoke("--db", db, "query", "undo across OR imported after", "--format", "keys").stdout == ""
    back = tmp_path / "back.db"
    copy_database(pg_url, str(back))
    assert exports(back) == exports(seeded_db)


def _stable(db: str | Path) -> dict[str, list[tuple]]:
    """Every row but the wall-clock columns (the two databases ran their commands at different times)."""
    from adbib.models import metadata
    from helpers.dbstate import VOLATILE

    out = {}
    for name, rows in dump(db).items():
        keep = [i for i, c in enumerate(metadata.tables[name].columns) if c.name not in VOLATILE]
        out[name] = sorted((tuple(r[i] for i in keep) for r in rows), key=repr)
    return out


def test_a_postgresql_destination_with_rows_is_refused(seeded_db, pg_url):
    copy_database(str(seeded_db), pg_url)
    before = dump(pg_url)
    n = sqlite_counts(seeded_db)
    with pytest.raises(DatabaseError) as e:
        copy_database(str(seeded_db), pg_url)
    shown = "postgresql://" + pg_url.split("://", 1)[1]
    assert str(e.value) == (
        f"{shown}: not empty ({n['paper']} papers, {sum(n.values())} rows); copy into an empty database, "
        "or give --replace to delete its rows first"
    )
    assert dump(pg_url) == before
    copy_database(str(seeded_db), pg_url, replace=True)
    assert dump(pg_url) == before


def test_a_failed_copy_to_postgresql_leaves_not_even_the_schema(seeded_db, pg_url):
    from sqlalchemy import create_engine, inspect

    def fail(table: str, rows: int) -> None:
        if table == "provenance":
            raise RuntimeError("the network failed")

    with pytest.raises(RuntimeError):
        copy_database(str(seeded_db), pg_url, progress=fail)
    engine = create_engine("postgresql+psycopg://" + pg_url.split("://", 1)[1])
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == []
    engine.dispose()
    copy_database(str(seeded_db), pg_url)  # and the next attempt goes through
    assert counts(pg_url) == sqlite_counts(seeded_db)


def test_an_older_postgresql_source_is_refused(seeded_db, tmp_path, pg_url):
    from alembic import command
    from sqlalchemy import create_engine

    from adbib import db as dbw

    engine = create_engine("postgresql+psycopg://" + pg_url.split("://", 1)[1])
    with engine.begin() as conn:
        command.upgrade(dbw._alembic_config(conn), "0005")
    engine.dispose()
    with pytest.raises(DatabaseError) as e:
        copy_database(pg_url, str(tmp_path / "x.db"))
    assert str(e.value) == (
        f"{pg_url}: at schema revision 0005, older than this adbib's ({HEAD}); "
        "upgrade it first (any adbib command on it does, e.g. adbib --db URL stats)"
    )
    assert not (tmp_path / "x.db").exists()


def test_a_postgresql_database_without_adbib_tables_is_refused(seeded_db, pg_url, tmp_path):
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("CREATE TABLE notes (id int)")
    with pytest.raises(DatabaseError, match=r": not an adbib database \(it has no adbib schema\)$"):
        copy_database(pg_url, str(tmp_path / "x.db"))
    with pytest.raises(DatabaseError, match=r": not an adbib database \(it has tables: notes\)$"):
        copy_database(str(seeded_db), pg_url)
    with pytest.raises(UsageError, match="are the same database"):
        copy_database(pg_url, pg_url.replace("127.0.0.1", "localhost"))
    assert not (tmp_path / "x.db").exists()


def test_a_copy_reads_one_snapshot_of_its_source(_seeded_template, tmp_path):
    """An import that commits while the copy is half done is in none of the copy (SQLite's WAL
    snapshot): the copy is the database as it was when the copy began, whole."""
    from test_reliability import CLI, ENV, big_bib, fresh_copy

    bib = tmp_path / "more.bib"
    big_bib(bib, _seeded_template, new=200)
    db = fresh_copy(_seeded_template, tmp_path / "adbib.db")
    before = inserts(db)
    imported = []

    def import_meanwhile(table: str, rows: int) -> None:
        if table == "author" and not imported:  # authors copied, papers not yet
            done = subprocess.run([*CLI, "--db", str(db), "import", str(bib)], env=ENV, capture_output=True, text=True)
            imported.append(done.returncode)

    copy_database(str(db), str(tmp_path / "during.db"), progress=import_meanwhile)
    assert imported == [0]
    assert inserts(tmp_path / "during.db") == before
    assert len(inserts(db)) > len(before)


def test_an_older_destination_with_rows_is_refused_before_any_migration(seeded_db, tmp_path):
    from adbib import db as dbw

    dst = tmp_path / "old.db"
    copy_database(str(seeded_db), str(dst))
    engine = dbw.make_engine(dst)
    dbw.downgrade(engine, "0005")
    engine.dispose()
    before = digest(dst)
    result = invoke("copy", str(seeded_db), str(dst))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"adbib: {dst}: not empty (")
    assert digest(dst) == before  # not migrated, no backup beside it
    assert files(tmp_path) == ["adbib.db", "old.db"]
