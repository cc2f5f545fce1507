"""The same adbib on both engines: seeding the shipped lists into PostgreSQL and into SQLite gives
byte-identical exports, the README's questions return the same papers in the same order, and a
team's concurrency holds on PostgreSQL (the SQLite versions are in test_reliability.py).

Each test gets a fresh PostgreSQL database made from conftest.py's seeded template (``CREATE DATABASE
… TEMPLATE``) on the server ``ADBIB_TEST_PG`` names; in CI these tests always run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adbib.cli import app
from helpers.dbstate import VOLATILE
from helpers.pgdb import create_database, drop_database, dump, need_server
from test_reliability import big_bib

# seeded_db is the SQLite side of each comparison; the PostgreSQL side comes from the fixtures
# below (conftest.py's engine parametrization, branch pg, runs these once)
pytestmark = pytest.mark.sqlite_only

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "adbib.cli"]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(REPO / "src")]))}
EXPORTS = ("json", "bibtex", "csv", "markdown", "ris", "csl")
# the README's questions: fields, free text (ranked), a phrase, a prefix, authors (initials too),
# year ranges, negation, alternatives
QUESTIONS = [
    "venue:MICCAI dataset:BraTS diffusion",
    "venue:MIA year:2021-2023 -author:chen",
    "-venue:MICCAI -year:-2024 diffusion",
    'author:"H. Chen"',
    "diffusion",
    '"anomaly detection"',
    "diffus*",
    "reconstruction OR flow",
    "year:2022- domain:industrial",
    "author:muller",
    "dataset:MVTec AD has:code",
    "category:diffusion venue:MICCAI|MIDL",
]


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def seeded_pg(_pg_database):
    """A fresh copy of PostgreSQL database seeded by adbib seed (conftest.py's template), private to the test."""
    need_server()
    return _pg_database("seeded")


def _stable(db) -> dict[str, list[tuple]]:
    """Every row but its wall-clock columns (two seeds run at different times)."""
    from adbib.models import metadata

    out = {}
    for name, rows in dump(db).items():
        keep = [i for i, c in enumerate(metadata.tables[name].columns) if c.name not in VOLATILE]
        out[name] = sorted((tuple(r[i] for i in keep) for r in rows), key=repr)
    return out


# ---------------------------------------------------------------- the same database on both


def test_seeding_gives_byte_identical_exports_on_both_engines(seeded_db, seeded_pg):
    for fmt in EXPORTS:
        on_sqlite = invoke("--db", str(seeded_db), "export", "--format", fmt)
        on_pg = invoke("--db", seeded_pg, "export", "--format", fmt)
        assert (on_pg.exit_code, on_sqlite.exit_code) == (0, 0), on_pg.output
        assert on_pg.stdout == on_sqlite.stdout, fmt
    # and the same rows underneath, ids included (both engines give max(id) + 1 to a new row)
    assert _stable(seeded_pg) == _stable(seeded_db)


# Ranked by relevance, the engines' scores differ (FTS5's bm25 against PostgreSQL's ts_rank): the same
# papers come back, but for these questions not in the same order yet.  strict: once the ranking
# agrees, the xfail fails and must go.
RANKED_APART = {
    "-venue:MICCAI -year:-2024 diffusion",
    "diffusion",
    '"anomaly detection"',
    "diffus*",
    "reconstruction OR flow",
}


@pytest.mark.parametrize(
    "question",
    [
        pytest.param(q, marks=pytest.mark.xfail(strict=True, reason="ts_rank orders ties and near-ties unlike bm25"))
        if q in RANKED_APART
        else q
        for q in QUESTIONS
    ],
)
def test_the_researchers_questions_have_the_same_answers_in_the_same_order(seeded_db, seeded_pg, question):
    on_sqlite = invoke("--db", str(seeded_db), "query", question, "--format", "keys")
    on_pg = invoke("--db", seeded_pg, "query", question, "--format", "keys")
    assert on_sqlite.exit_code == 0, on_sqlite.output
    assert (on_pg.exit_code, on_pg.stdout, on_pg.stderr) == (0, on_sqlite.stdout, on_sqlite.stderr)


@pytest.mark.parametrize("question", QUESTIONS)
@pytest.mark.parametrize("sort", ["year", "title", "venue"])
def test_sorted_answers_are_the_same_papers_in_the_same_order(seeded_db, seeded_pg, question, sort):
    on_sqlite = invoke("--db", str(seeded_db), "query", question, "--sort", sort, "--format", "keys")
    on_pg = invoke("--db", seeded_pg, "query", question, "--sort", sort, "--format", "keys")
    assert on_sqlite.exit_code == 0, on_sqlite.output
    assert on_sqlite.stdout  # every question finds papers
    assert (on_pg.exit_code, on_pg.stdout) == (0, on_sqlite.stdout)


def test_the_researchers_question_answers_two_papers(seeded_pg):
    result = invoke("--db", seeded_pg, "query", "venue:MICCAI dataset:BraTS diffusion", "--format", "keys")
    assert result.stdout == "pinaya2022fast\nwolleb2022diffusion\n"


def test_copy_round_trips_a_seeded_postgresql_database(seeded_db, seeded_pg, tmp_path):
    """PostgreSQL → SQLite → PostgreSQL: the exports of all three are identical."""
    from adbib.copy import copy_database

    back = tmp_path / "from-pg.db"
    copy_database(seeded_pg, str(back))
    again = create_database()
    try:
        result = invoke("copy", str(back), again)
        assert result.exit_code == 0, result.output
        for fmt in ("json", "bibtex", "csv"):
            want = invoke("--db", seeded_pg, "export", "--format", fmt).stdout
            assert invoke("--db", str(back), "export", "--format", fmt).stdout == want
            assert invoke("--db", again, "export", "--format", fmt).stdout == want
        assert dump(again) == dump(seeded_pg) == dump(back)
        for question in QUESTIONS:
            want = invoke("--db", seeded_pg, "query", question, "--sort", "year", "--format", "keys").stdout
            assert invoke("--db", again, "query", question, "--sort", "year", "--format", "keys").stdout == want
            assert invoke("--db", str(back), "query", question, "--sort", "year", "--format", "keys").stdout == want
            # ranked: the copy on PostgreSQL ranks as the original on PostgreSQL does
            want = invoke("--db", seeded_pg, "query", question, "--format", "keys").stdout
            assert invoke("--db", again, "query", question, "--format", "keys").stdout == want
    finally:
        drop_database(again)


# ---------------------------------------------------------------- concurrency on PostgreSQL


class Import:
    """``adbib import`` running in a subprocess, its output in files."""

    def __init__(self, db: str, workdir: Path, *files: Path) -> None:
        self.out = workdir / f"import.{uuid.uuid4().hex[:8]}.out"
        with open(self.out, "w") as out, open(f"{self.out}.err", "w") as err:
            self.proc = subprocess.Popen(
                [*CLI, "--db", db, "import", *map(str, files)], env=ENV, stdout=out, stderr=err
            )

    def finish(self, timeout: float = 300) -> tuple[int, str, str]:
        self.proc.wait(timeout)
        return self.proc.returncode, self.out.read_text(), Path(f"{self.out}.err").read_text()


def _dois(db: str) -> Counter[str]:
    return Counter(r[0] for r in _query(db, "SELECT doi FROM paper WHERE doi IS NOT NULL"))


def _query(db: str, sql: str, params: tuple = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(db) as con:
        return list(con.execute(sql, params))


def write_locked(db: str) -> bool:
    """Whether a writer holds adbib's write lock (an advisory lock) on the database."""
    name = db.rsplit("/", 1)[1]
    return bool(
        _query(
            db,
            "SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND l.granted AND d.datname = %s",
            (name,),
        )
    )


@pytest.mark.parametrize("round_", range(2))
def test_two_imports_at_once_both_land(_seeded_template, seeded_pg, tmp_path, round_):
    a, b = tmp_path / "a.bib", tmp_path / "b.bib"
    big_bib(a, _seeded_template, new=600, tag="a")
    big_bib(b, _seeded_template, new=600, tag="b")
    before = _dois(seeded_pg)
    runs = [Import(seeded_pg, tmp_path, path) for path in (a, b)]
    for run in runs:
        status, _, err = run.finish()
        assert status == 0, err  # one waits for the other's lock, then lands
    dois = _dois(seeded_pg)
    assert dois - before == Counter({f"10.5555/{t}.{i}": 1 for t in "ab" for i in range(600)})
    assert max(dois.values()) == 1
    assert _query(seeded_pg, "SELECT name FROM source WHERE name IN ('a', 'b') ORDER BY name") == [("a",), ("b",)]


def test_one_file_imported_twice_at_once_is_imported_once(_seeded_template, seeded_pg, tmp_path):
    bib = tmp_path / "same.bib"
    big_bib(bib, _seeded_template, new=800, tag="s")
    papers = _query(seeded_pg, "SELECT count(*) FROM paper")[0][0]
    sources = _query(seeded_pg, "SELECT count(*) FROM source")[0][0]
    runs = [Import(seeded_pg, tmp_path, bib), Import(seeded_pg, tmp_path, bib)]
    results = [run.finish() for run in runs]
    assert [status for status, _, _ in results] == [0, 0], results
    heads = sorted(out.splitlines()[0] for _, out, _ in results)
    assert heads[0] == f"{bib} (bibtex, source same): already imported, nothing changed."
    assert heads[1].startswith(f"{bib} (bibtex, source same): imported ")
    assert _query(seeded_pg, "SELECT count(*) FROM paper")[0][0] == papers + 800
    assert _query(seeded_pg, "SELECT count(*) FROM source")[0][0] == sources + 1


def test_a_reader_during_a_long_import_sees_the_state_before_then_after(_seeded_template, seeded_pg, tmp_path):
    bib = tmp_path / "big.bib"
    big_bib(bib, _seeded_template, new=3000)
    keys_before = invoke("--db", seeded_pg, "query", "--format", "keys").stdout
    export_before = invoke("--db", seeded_pg, "export", "--format", "json").stdout
    run = Import(seeded_pg, tmp_path, bib)
    seen = 0
    try:
        deadline = time.monotonic() + 120
        while not write_locked(seeded_pg) and run.proc.poll() is None:
            assert time.monotonic() < deadline, "the import never took the write lock"
            time.sleep(0.01)
        while run.proc.poll() is None:
            during = invoke("--db", seeded_pg, "query", "--format", "keys")
            if not write_locked(seeded_pg):
                break  # the import may have committed while the query ran: proves nothing
            assert (during.exit_code, during.stdout) == (0, keys_before)
            seen += 1
    finally:
        status, _, err = run.finish()
    assert status == 0, err
    assert seen >= 1, "the import ended before a query could run during it: nothing was proven"
    after = invoke("--db", seeded_pg, "query", "--format", "keys").stdout
    assert len(after.splitlines()) == len(keys_before.splitlines()) + 3000
    assert set(keys_before.splitlines()) <= set(after.splitlines())
    assert export_before != invoke("--db", seeded_pg, "export", "--format", "json").stdout


def test_a_copy_reads_one_snapshot_of_the_server(_seeded_template, seeded_pg, tmp_path):
    """An import that commits on the server while the copy is half done is in none of the copy
    (one REPEATABLE READ transaction), and the import is not held up by the copy."""
    from adbib.copy import copy_database

    bib = tmp_path / "more.bib"
    big_bib(bib, _seeded_template, new=200)
    before = invoke("--db", seeded_pg, "export", "--format", "json").stdout
    imported = []

    def import_meanwhile(table: str, rows: int) -> None:
        if table == "author" and not imported:  # authors copied, papers not yet
            done = subprocess.run(
                [*CLI, "--db", seeded_pg, "import", str(bib)], env=ENV, capture_output=True, text=True
            )
            imported.append(done.returncode)

    copy_database(seeded_pg, str(tmp_path / "during.db"), progress=import_meanwhile)
    assert imported == [0]
    assert invoke("--db", str(tmp_path / "during.db"), "export", "--format", "json").stdout == before
    assert invoke("--db", seeded_pg, "export", "--format", "json").stdout != before
