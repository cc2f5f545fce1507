"""The writer's bulk inserts (adbib.backend.insert_rows): on SQLite a chunk's rows of a table reach
it through a temporary staging table and one INSERT … SELECT, so that the table's per-row triggers
(FTS5, the undo journal) run inside one statement.  What lands must be what one executemany gives:
the rows and their ids, the full-text index, the journal; and a constraint failure writes nothing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from adbib import backend, journal
from adbib.cli import app
from adbib.db import open_for_write, write_transaction
from adbib.importer.writer import T
from adbib.normalize.text import title_key

pytestmark = pytest.mark.sqlite_only

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
TITLES = ["Diffusion models for anomaly detection", "Memory bank patch features", "Student–teacher anomaly maps"]


def _papers(first_id: int) -> list[dict]:
    return [
        {
            "id": first_id + i,
            "citekey": f"key{first_id + i}",
            "title": title,
            "title_key": title_key(title),
            "year": 2020 + i,
            "abstract": f"abstract {i} of diffusion" if i % 2 else None,
            "summary": None,
            "created_at": NOW,
            "updated_at": NOW,
        }
        for i, title in enumerate(TITLES)
    ]


SOURCE = [{"id": 1, "name": "s", "list_name": "s", "path": "s.bib", "dialect": "bibtex", "content_hash": "h"}]


def _provenance(pid: int) -> list[dict]:  # rows without an id: the table gives them rowids
    return [
        {"paper_id": pid, "source_id": 1, "line": n, "section": "s", "raw_text": f"raw {n}", "reported": "{}"}
        for n in range(3)
    ]


def _write(path: Path, staged: bool, rows: dict[str, list[dict]]) -> None:
    engine = open_for_write(path)
    try:
        with write_transaction(engine, path) as conn, journal.operation(journal.dbapi(conn), "import", "test"):
            for name, batch in rows.items():

                def run(table=T[name], batch=batch) -> None:
                    if staged:
                        backend.insert_rows(conn, table, batch)
                    else:
                        conn.execute(insert(table), batch)

                with conn.begin_nested():
                    journal.bulk_insert(journal.dbapi(conn), name, batch, run)
    finally:
        engine.dispose()


def _state(path: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(path)
    try:
        out = {
            name: con.execute(f'SELECT rowid, * FROM "{name}" ORDER BY rowid').fetchall()
            for name in ("venue", "paper", "provenance", "journal")
        }
        out["fts"] = con.execute(
            "SELECT rowid, bm25(paper_fts) FROM paper_fts WHERE paper_fts MATCH 'diffusion OR memory OR anomaly'"
            " ORDER BY rowid"
        ).fetchall()
        con.execute("INSERT INTO paper_fts(paper_fts) VALUES ('integrity-check')")
        out["temp"] = con.execute("SELECT name FROM temp.sqlite_master").fetchall()
        return out
    finally:
        con.close()


def test_a_staged_insert_gives_what_one_executemany_gives(tmp_path):
    # venue: a column with a default that the first row does not give takes it in every row
    # (SQLAlchemy's executemany), 'known' included; the rows give booleans and times to convert
    venues = [{"id": 1, "short_name": "A", "name": "A"}, {"id": 2, "short_name": "B", "name": "B", "known": False}]
    rows = {
        "source": [{**SOURCE[0], "imported_at": NOW}],
        "venue": venues,
        "paper": _papers(1),
        "provenance": _provenance(1),
    }
    direct, staged = tmp_path / "direct.db", tmp_path / "staged.db"
    _write(direct, False, rows)
    _write(staged, True, rows)
    assert _state(staged) == _state(direct)
    state = _state(staged)
    assert len(state["paper"]) == 3 and len(state["fts"]) == 3 and [r[0] for r in state["provenance"]] == [1, 2, 3]
    # a later batch into the same tables (the next chunk): ids and journal ranges continue
    more = {"paper": _papers(4), "provenance": _provenance(5)}
    _write(direct, False, more)
    _write(staged, True, more)
    assert _state(staged) == _state(direct)


def test_a_staged_insert_that_breaks_a_constraint_writes_nothing(tmp_path):
    path = tmp_path / "a.db"
    _write(path, True, {"paper": _papers(1)})
    before = _state(path)
    clash = _papers(10)
    clash[2]["citekey"] = "key1"  # another paper's citekey: the UNIQUE constraint fails on the third row
    engine = open_for_write(path)
    try:
        with write_transaction(engine, path) as conn:
            with pytest.raises(IntegrityError, match=r"paper\.citekey"), conn.begin_nested():
                backend.insert_rows(conn, T["paper"], clash)
            assert conn.execute(select(T["paper"].c.id)).scalars().all() == [1, 2, 3]
            assert conn.exec_driver_sql("SELECT name FROM temp.sqlite_master").fetchall() == []
    finally:
        engine.dispose()
    assert _state(path) == before


def test_an_import_writes_no_row_of_a_table_by_its_own_statement(tmp_path):
    """Each chunk's rows of a table reach it in one INSERT … SELECT from the staging table: an
    executemany into the table itself would run the FTS5 and journal triggers once per row, each
    in its own statement (FTS5 then writes a segment at every row's statement savepoint)."""
    bib = tmp_path / "a.bib"
    bib.write_text(
        "".join(
            f"@article{{k{i}, title={{{t} {i}}}, author={{Doe, Jane and Roe, Rick}}, year={{2021}},"
            f" journal={{Medical Image Analysis}}, doi={{10.1000/x{i}}}, url={{https://example.org/{i}}}}}\n"
            for i, t in enumerate(TITLES * 4)
        )
    )
    statements: list[tuple[str, bool]] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, executemany))

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        result = CliRunner().invoke(app, ["--db", str(tmp_path / "a.db"), "import", str(bib), "--quiet"])
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert result.exit_code == 0, result.output
    many = [s for s, executemany in statements if executemany and s.startswith("INSERT INTO")]
    assert [s for s in many if not s.startswith('INSERT INTO "temp".adbib_stage_')] == []
    moved = [s for s, _ in statements if s.startswith('INSERT INTO main."paper" (')]
    assert len(moved) == 1 and 'SELECT "id", ' in moved[0] and 'FROM temp."adbib_stage_paper"' in moved[0]
    con = sqlite3.connect(tmp_path / "a.db")
    try:
        assert con.execute("SELECT count(*) FROM paper_fts WHERE paper_fts MATCH 'memory'").fetchone()[0] == 4
    finally:
        con.close()
