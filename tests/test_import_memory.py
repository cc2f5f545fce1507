"""Issue 15: what the writer holds during an import does not grow with the database.

Each test watches one structure of :class:`adbib.importer.writer.Writer` while a small file is
imported into the seeded database (hundreds of papers and authors) and checks that it holds what
the file needs, not the whole database; and that the results stay those of the whole-database maps.
"""

from __future__ import annotations

import json
from array import array
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adbib import citekeys, models, scratch, store
from adbib.cli import app
from adbib.importer import writer
from helpers import pgdb

BIB = """\
@inproceedings{zq1,
  title = {Quokka Streams for Anomaly Detection},
  author = {Zed Quokkafield and Ann Other},
  year = {2031},
}

@inproceedings{zq2,
  title = {Quokka Graphs for Anomaly Detection},
  author = {Ann Other and Zed Quokkafield},
  year = {2031},
}
"""


def _import(db, path: Path, monkeypatch, chunk: int) -> dict:
    monkeypatch.setattr(store, "CHUNK", chunk)
    result = CliRunner().invoke(app, ["--db", str(db), "import", str(path), "--report", "json"])
    assert result.exit_code in (0, 3), result.stderr
    [report] = json.loads(result.stdout)
    return report


def _watch(monkeypatch, name: str) -> list[int]:
    """The size of ``Writer.<name>`` at each flush of the import."""
    sizes: list[int] = []
    flush = writer.Writer._flush

    def watched(self):
        sizes.append(len(getattr(self, name)))
        flush(self)

    monkeypatch.setattr(writer.Writer, "_flush", watched)
    return sizes


@pytest.mark.parametrize("chunk", [1, 1000])
def test_the_author_map_holds_the_chunks_authors_not_the_databases(seeded_db, tmp_path, monkeypatch, chunk):
    stored = len(pgdb.dump(seeded_db)["author"])
    assert stored > 50  # the seeds' authors
    path = tmp_path / "quokka.bib"
    path.write_text(BIB)
    sizes = _watch(monkeypatch, "authors")
    report = _import(seeded_db, path, monkeypatch, chunk)
    assert len(report["created"]) == 2
    assert sizes and max(sizes) <= 2  # the two authors these records name, never the seeds'
    # the second record's authors are the first's (created by an earlier chunk when chunk=1)
    tables = pgdb.dump(seeded_db)
    assert len(tables["author"]) == stored + 2
    ids = {e["id"] for e in report["created"]}
    cols = [c.name for c in models.metadata.tables["authorship"].columns]
    by_paper: dict[int, set[int]] = {}
    for row in tables["authorship"]:
        r = dict(zip(cols, row, strict=True))
        if r["paper_id"] in ids:
            by_paper.setdefault(r["paper_id"], set()).add(r["author_id"])
    assert len(by_paper) == 2 and len(set(map(frozenset, by_paper.values()))) == 1


def test_what_the_writer_holds_grows_with_the_file_only_where_it_must(empty_db, tmp_path, monkeypatch):
    """Of the writer's maps, sets and lists, only three grow chunk after chunk: the citekeys in use
    (those of the database, and the new papers'), the paper id of each record (in file order:
    nested entries are related at the end) and the identifiers the records gave (a later one
    giving one to another title makes it trusted for none).  Everything else holds a chunk (a set of the papers
    this import created grew to 1M ids, 32 MB, where their ids' range says it)."""
    from test_index_compact import _bib

    bib = tmp_path / "papers.bib"
    bib.write_text(_bib(300))
    sizes: dict[str, list[int]] = {}
    flush = writer.Writer._flush

    held: list[writer.Writer] = []

    def watched(self):
        held[:] = [self]
        for name, value in vars(self).items():
            if isinstance(value, (dict, set, list, array, citekeys.KeyPool, scratch.Spilling)):
                sizes.setdefault(name, []).append(len(value))
        for name, given in self.first_given.items():
            sizes.setdefault(f"first_given.{name}", []).append(len(given))
        flush(self)

    monkeypatch.setattr(writer.Writer, "_flush", watched)
    report = _import(empty_db, bib, monkeypatch, 50)
    assert len(report["created"]) == 300
    growing = {name for name, seen in sizes.items() if seen[5] > 3 * seen[0]}  # six chunks of 50 records
    assert growing == {"citekeys", "ids", "first_given.doi"}
    # what grows is held compactly: ids 8 bytes each, the rest in maps that move to a scratch
    # database past scratch.SPILL_AT entries (the identity index, likewise: test_index_spill)
    [w] = held
    assert type(w.ids) is array and w.ids.itemsize == 8
    assert isinstance(w.citekeys.keys, scratch.Spilling) and isinstance(w.first_given["doi"], scratch.Spilling)
    assert sizes["ids"][:6] == [50, 100, 150, 200, 250, 300]
    assert max(sizes["touched"]) == max(sizes["fresh_ids"]) == 50
