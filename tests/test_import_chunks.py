"""An import resolved and written in chunks gives the database an import in one piece gives.

The import writes ``adbib.store.CHUNK`` records at a time inside its one transaction (memory
stays flat in the file's size).  Here the same file is imported with chunks so small that every
cross-chunk case happens — a paper created in one chunk and merged by an entry of a later one,
an identifier that a later chunk gives to another title — and with one chunk for the whole
file, into two fresh databases of the same engine; every table must match row by row (times
apart), and so must the reports.

Inputs are real: the shipped lists' papers exported as BibTeX (``adbib export``), with entries
appended that repeat papers of the first chunks; and the next revision of the LGC list
(``../shared/lists/``, copied under tests/fixtures/lists/) imported over the seeded database.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adbib import store
from adbib.cli import app
from helpers import pgdb

FIXTURES = Path(__file__).parent / "fixtures"
LGC_NEXT = FIXTURES / "lists" / "LGC-AD__awesome-industrial-medical-anomaly-detection__36cd91e.md"


def run(db, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


def import_report(db, path: Path, chunk: int, monkeypatch) -> list[dict]:
    monkeypatch.setattr(store, "CHUNK", chunk)
    code, out, err = run(db, "import", str(path), "--report", "json")
    assert code in (0, 3), err
    return json.loads(out)


def state(db) -> dict[str, list[tuple]]:
    """Every table but the undo journal (it records how the rows were written), times blanked."""
    tables = pgdb.dump(db)
    del tables["journal"], tables["operation"]
    return {
        name: sorted((tuple(None if isinstance(v, (datetime, date)) else v for v in row) for row in rows), key=repr)
        for name, rows in tables.items()
    }


@pytest.fixture
def two_dbs(backend, tmp_path, request, _seeded_template):
    """make(kind) -> a fresh database ('empty' or 'seeded') of the test's engine."""
    if backend == "postgresql":
        return request.getfixturevalue("_pg_database")
    from adbib.db import open_for_write

    made = iter(range(100))

    def make(kind: str):
        path = tmp_path / f"{kind}{next(made)}.db"
        if kind == "seeded":
            shutil.copy(_seeded_template, path)
        else:
            open_for_write(path).dispose()
        return path

    return make


def _entries(bib: str) -> list[str]:
    return [e for e in re.split(r"\n(?=@)", bib.strip()) if e.startswith("@")]


def _key(entry: str) -> str:
    return entry[entry.index("{") + 1 : entry.index(",")]


def _with_doi(entry: str) -> str | None:
    m = re.search(r"^  doi = \{([^}]*)\}", entry, re.M)
    return m[1] if m else None


@pytest.fixture
def seed_bib(two_dbs, tmp_path) -> str:
    """The shipped lists' papers as BibTeX, as ``adbib export`` writes them."""
    code, out, err = run(two_dbs("seeded"), "export", "--format", "bibtex")
    assert code == 0, err
    return out


def test_a_paper_of_an_early_chunk_merged_by_a_later_entry(two_dbs, seed_bib, tmp_path, monkeypatch):
    entries = _entries(seed_bib)
    assert len(entries) == 85
    first, second = entries[0], entries[1]
    # the first paper again, under another key, with an abstract it lacked and one author more
    again = first.replace(_key(first), "again2025", 1).replace(
        "  year = {2025},", "  year = {2025},\n  abstract = {A second entry for the first paper.},", 1
    )
    again = again.replace("and Zhou, S Kevin}", "and Zhou, S Kevin and Newcomer, Ann}", 1)
    # the second paper a third time, changing nothing
    path = tmp_path / "repeats.bib"
    path.write_text("\n\n".join([*entries, again, second.replace(_key(second), "third2025", 1)]) + "\n")

    one, chunked = two_dbs("empty"), two_dbs("empty")
    whole = import_report(one, path, 10**6, monkeypatch)
    parts = import_report(chunked, path, 7, monkeypatch)
    assert parts == whole
    [report] = whole
    assert len(report["created"]) == 85
    assert [(e["citekey"], e["fields"]) for e in report["merged"]] == [("ma2025aaclip", ["abstract", "authors"])]
    assert state(chunked) == state(one)
    # what the later entry changed is in the database, once
    code, out, err = run(chunked, "show", "ma2025aaclip", "--format", "json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["abstract"] == "A second entry for the first paper."
    assert shown["authors"][-2:] == ["S Kevin Zhou", "Ann Newcomer"]


def test_an_identifier_a_later_chunk_gives_to_another_title_identifies_none(two_dbs, seed_bib, tmp_path, monkeypatch):
    entries = _entries(seed_bib)
    early = next(e for e in entries[:7] if _with_doi(e))
    doi = _with_doi(early)
    other = (
        "@article{other2024,\n  author = {Doe, Jane},\n  title = {A Different Paper Entirely},\n"
        f"  year = {{2024}},\n  journal = {{Pattern Recognition}},\n  doi = {{{doi}}}\n}}"
    )
    path = tmp_path / "shared.bib"
    path.write_text("\n\n".join([*entries, other]) + "\n")

    one, chunked = two_dbs("empty"), two_dbs("empty")
    whole = import_report(one, path, 10**6, monkeypatch)
    parts = import_report(chunked, path, 7, monkeypatch)
    assert parts == whole
    [report] = whole
    assert [(c["kind"], c["citekey"]) for c in report["conflicts"]] == [
        ("id-shared", _key(early)),
        ("id-shared", "other2024"),
    ]
    assert report["conflicts"][0]["reason"].startswith(f"DOI {doi} is given to 2 different titles in this file")
    assert state(chunked) == state(one)


def test_a_list_revision_written_in_chunks(two_dbs, tmp_path, monkeypatch):
    one, chunked = two_dbs("seeded"), two_dbs("seeded")
    whole = import_report(one, LGC_NEXT, 10**6, monkeypatch)
    parts = import_report(chunked, LGC_NEXT, 5, monkeypatch)
    assert parts == whole
    [report] = whole
    assert report["revision_of"].startswith("recognised as a new revision of lgc")
    assert report["merged"] and report["created"]
    assert state(chunked) == state(one)


def test_rows_are_written_a_chunk_at_a_time(two_dbs, seed_bib, tmp_path, monkeypatch):
    """What the import holds in memory is one chunk's rows, however long the file."""
    from adbib.importer import writer

    written: list[tuple[str, int]] = []
    insert = writer.Writer._insert

    def counting(self, name):
        written.append((name, len(self.rows[name])))
        return insert(self, name)

    monkeypatch.setattr(writer.Writer, "_insert", counting)
    path = tmp_path / "seed.bib"
    path.write_text(seed_bib)
    [report] = import_report(two_dbs("empty"), path, 10, monkeypatch)
    assert len(report["created"]) == 85
    papers = [n for name, n in written if name == "paper"]
    provenance = [n for name, n in written if name == "provenance"]
    assert papers == [10] * 8 + [5]
    assert provenance == papers


@pytest.mark.parametrize("spilled", ["at-once", "while-importing"])
def test_an_import_whose_index_spills_writes_what_one_in_dicts_writes(two_dbs, tmp_path, monkeypatch, spilled):
    """The identity index moved to its scratch database (past :data:`adbib.resolve.SPILL_AT`
    papers, a hundred thousand by default) — from the start, or once the import created a few
    papers — resolves the next LGC revision over the seeded database as the index in dicts does:
    the same reports, every table alike.  The writer's own maps (:class:`adbib.scratch.Spilling`)
    spill too, from the start or part way through the database's citekeys."""
    from adbib import resolve, scratch
    from adbib.db import make_engine
    from adbib.importer import writer

    in_dicts, spilled_db = two_dbs("seeded"), two_dbs("seeded")
    whole = import_report(in_dicts, LGC_NEXT, 5, monkeypatch)
    with make_engine(spilled_db).connect() as conn:
        stored = len(writer.load_index(conn).known)
    spill_at = 0 if spilled == "at-once" else stored + 3
    monkeypatch.setattr(resolve, "SPILL_AT", spill_at)
    monkeypatch.setattr(scratch, "SPILL_AT", 0 if spilled == "at-once" else 50)  # the citekeys, identifiers given
    spilled_at: list[int] = []
    spill = resolve.Index._spill

    def seen(self):
        spilled_at.append(len(self.known))
        spill(self)

    monkeypatch.setattr(resolve.Index, "_spill", seen)
    parts = import_report(spilled_db, LGC_NEXT, 5, monkeypatch)
    assert spilled_at == [0 if spill_at == 0 else stored + 4]
    assert parts == whole
    [report] = whole
    assert report["merged"] and report["created"] and report["unchanged"]
    assert state(spilled_db) == state(in_dicts)
