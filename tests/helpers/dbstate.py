"""What a database holds, and whether someone is writing to it: shared by the reliability,
migration and hostile-input tests (standard library only)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

# Wall-clock columns: two runs of the same import differ only there.
# The operation log's time (operation.at) and the journal's before-images (journal.before: rows as
# JSON, with their updated_at) are wall-clock too.
VOLATILE = frozenset({"created_at", "updated_at", "imported_at", "at", "before"})


def check_health(con: sqlite3.Connection) -> None:
    """SQLite's integrity check, no dangling foreign key, and the FTS5 index equal to its content
    table (FTS5's 'integrity-check' with rank 1 compares the two)."""
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.execute("INSERT INTO paper_fts(paper_fts, rank) VALUES ('integrity-check', 1)")
    con.rollback()


def snapshot(db: Path, tables: tuple[str, ...] | None = None) -> dict[str, list[tuple]]:
    """Every table's rows (all columns but the wall-clock ones, sorted), after :func:`check_health`.
    FTS5's shadow tables are left out: the health check compares the index with its content.
    A postgresql:// URL (str) is dumped the same way through adbib's adapter (its rowid columns
    are left out, as SQLite's hidden rowid is)."""
    if isinstance(db, str):
        return _pg_snapshot(db, tables)
    con = sqlite3.connect(db)
    try:
        check_health(con)
        names = tables or tuple(
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
                " AND name NOT LIKE 'paper_fts%' ORDER BY name"
            )
        )
        dump = {}
        for table in names:
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})") if r[1] not in VOLATILE]
            listed = ", ".join(f'"{c}"' for c in cols)
            dump[table] = con.execute(f"SELECT {listed} FROM {table} ORDER BY {listed}").fetchall()
        return dump
    finally:
        con.close()


def _pg_snapshot(db: str, tables: tuple[str, ...] | None) -> dict[str, list[tuple]]:
    from helpers.pg import check_fts, columns, connect_db, table_names

    con = connect_db(db)
    try:
        check_fts(con)
        dump = {}
        for table in tables or tuple(table_names(con)):
            cols = [c for c in columns(con, table) if c not in VOLATILE and c != "rowid"]
            listed = ", ".join(f'"{c}"' for c in cols)
            dump[table] = [tuple(r) for r in con.execute(f'SELECT {listed} FROM "{table}" ORDER BY {listed}')]
        return dump
    finally:
        con.close()


def schema(db: Path) -> list[tuple[str, str, str]]:
    """(type, name, sql) of every table, index and trigger, sorted; each statement as its sorted
    clauses, so that what a batch migration rewrites (quoting of the table name, the order of the
    constraints, a column added by ALTER on the CREATE line) does not count, while every column,
    type, default and constraint does."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite%' ORDER BY type, name"
        ).fetchall()
    finally:
        con.close()
    return [(t, n, _clauses(sql)) for t, n, sql in rows]


def _clauses(sql: str | None) -> str:
    if sql is None or not sql.upper().startswith("CREATE TABLE"):
        return sql or ""
    head, _, body = sql.partition("(")
    parts = [p.strip() for p in re.split(r",\s*(?![^()]*\))", body.rstrip().removesuffix(")")) if p.strip()]
    return head.replace('"', "").strip() + " (" + ", ".join(sorted(parts)) + ")"


def write_locked(db: Path) -> bool:
    """Whether another connection holds the write lock (our BEGIN IMMEDIATE fails at once)."""
    con = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    else:
        con.execute("ROLLBACK")
        return False
    finally:
        con.close()
