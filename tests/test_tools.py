"""Other SQLite tools on adbib's database (issue 13, item 5): Datasette's ``?_search=`` and
``sqlite-utils search`` find the FTS5 index (migration 0004 spells it ``content="paper"``, the
form both tools look for) and return the same papers as ``adbib query``.  Both tools are test
extras and run for real: sqlite-utils as its own command, Datasette through its ASGI client."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from adbib import db as dbw

# SQLite only: other SQLite tools (Datasette, sqlite-utils) on the same file.
pytestmark = pytest.mark.sqlite_only

# adbib query diffusion -f keys, on the seed lists
DIFFUSION = [
    "anon2023modality",
    "anon2023twostage",
    "anon2024maediff",
    "baugh2024imageconditioned",
    "behrendt2024patched",
    "bercea2024diffusion",
    "bercea2025evaluating",
    "fontanella2024diffusion",
    "kascenas2023role",
    "kumar2024selfsupervised",
    "pinaya2022fast",
    "sun2025anomaly",
    "wang2025distribution",
    "wolleb2022diffusion",
    "wyatt2022anoddpm",
]


def _adbib_keys(db: Path, q: str) -> list[str]:
    from adbib import dbread, query, rows

    con = dbread.connect(db)
    return sorted(p["citekey"] for p in rows.papers(con, query.run(con, query.parse(q))))


def _sqlite_utils_search(db: Path, q: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sqlite_utils", "search", str(db), "paper", q, "-c", "citekey", "--json-cols"],
        capture_output=True,
        text=True,
        check=False,
    )


def _datasette_get(db: Path, path: str) -> tuple[int, str]:
    from datasette.app import Datasette

    async def get() -> tuple[int, str]:
        response = await Datasette([str(db)]).client.get(path)
        return response.status_code, response.text

    return asyncio.run(get())


def test_sqlite_utils_finds_the_index(seeded_db):
    import sqlite_utils

    assert sqlite_utils.Database(seeded_db)["paper"].detect_fts() == "paper_fts"
    proc = _sqlite_utils_search(seeded_db, "diffusion")
    assert proc.returncode == 0, proc.stderr
    assert sorted(r["citekey"] for r in json.loads(proc.stdout)) == DIFFUSION == _adbib_keys(seeded_db, "diffusion")


def test_datasette_search_finds_the_index(seeded_db):
    status, body = _datasette_get(seeded_db, "/adbib/paper.json?_search=diffusion&_col=citekey&_shape=array&_size=max")
    assert status == 200, body
    assert sorted(r["citekey"] for r in json.loads(body)) == DIFFUSION


def test_the_index_stays_in_step_with_writes(seeded_db):
    """The triggers of 0004 keep the index current: a changed title is found by both tools."""
    con = sqlite3.connect(seeded_db)
    con.execute("UPDATE paper SET title = 'Zyzzyva Detection' WHERE citekey = 'wyatt2022anoddpm'")
    con.commit()
    con.close()
    proc = _sqlite_utils_search(seeded_db, "zyzzyva")
    assert [r["citekey"] for r in json.loads(proc.stdout)] == ["wyatt2022anoddpm"]
    _, body = _datasette_get(seeded_db, "/adbib/paper.json?_search=zyzzyva&_col=citekey&_shape=array")
    assert [r["citekey"] for r in json.loads(body)] == ["wyatt2022anoddpm"]


@pytest.mark.parametrize("revision, found", [("0001", False), ("0004", True)])
def test_why_the_migration_exists(seeded_db, tmp_path, revision, found):
    """At 0001 (content='paper') neither tool saw the index: Datasette's _search returned every
    row; 0004 is what makes both find it.  Downgrade and upgrade again keep adbib's own search."""
    (tmp_path / revision).mkdir()
    db = tmp_path / revision / "adbib.db"
    shutil.copy(seeded_db, db)
    engine = dbw.make_engine(db)
    dbw.downgrade(engine, "0001")
    if revision == "0004":
        dbw.upgrade(engine)  # through 0004, to the head adbib reads
    engine.dispose()
    import sqlite_utils

    assert (sqlite_utils.Database(db)["paper"].detect_fts() == "paper_fts") is found
    _, body = _datasette_get(db, "/adbib/paper.json?_search=diffusion&_col=citekey&_shape=array&_size=max")
    n_papers = sqlite3.connect(db).execute("SELECT count(*) FROM paper").fetchone()[0]
    assert len(json.loads(body)) == (len(DIFFUSION) if found else n_papers)
    if found:  # adbib itself reads the current schema only (0001 lacks later tables)
        assert _adbib_keys(db, "diffusion") == DIFFUSION
