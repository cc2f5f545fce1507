"""The identity index moves from dicts to a private scratch database past ``spill_at`` papers
(:mod:`adbib.scratch`, issue 15: a million papers held ≈ 1.1 GB of dicts).  Spilled at once, part
way or never, it answers every question alike; spilled, it holds no Python object per paper."""

from __future__ import annotations

import random
import tracemalloc
from dataclasses import replace

import pytest

from adbib import resolve
from adbib.importer import writer
from adbib.normalize import normalize_record
from adbib.records import PaperRecord

WORDS = ["patch", "core", "flow", "memory", "brain", "mri", "lesion", "defect", "texture", "score", "fusion"]
FAMILIES = [f"family{i}" for i in range(12)]
STEM = "unsupervised anomaly detection with "  # titles that crowd one block, and split it


def _title(rng: random.Random) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9)))
    return STEM + words if rng.random() < 0.3 else words


def _known(rng: random.Random, pid: int, title: str, fams: set[str]) -> resolve.Known:
    year = rng.choice([None, 2019, 2020, 2021, 2023])
    doi = f"10.1000/{pid}" if rng.random() < 0.4 else None
    arxiv = f"2101.{pid:05d}" if rng.random() < 0.2 else None
    date = rng.choice([None, "2020-01-02"])
    return resolve.Known(
        pid, title, year, rng.choice([None, "MICCAI"]), writer.compact_families(fams), date, doi, arxiv
    )


def _record(title: str, fams: set[str], year: int, doi: str | None, arxiv: str | None):
    authors = " and ".join(f"Ann {f.capitalize()}" for f in sorted(fams))
    p = normalize_record(PaperRecord(title=title, line=1, raw="", year=year, authors_raw=authors))
    return replace(p, title_key=title, doi=doi, arxiv=arxiv)


def _answer(index: resolve.Index, p) -> tuple:
    found = index.match(p, writer.families(p.authors))
    return found.id, found.rule, [(c.kind, c.field, c.other_id) for c in found.conflicts], found.dropped


def _state(index: resolve.Index) -> tuple:
    return (
        dict(index.by_doi.items()),
        dict(index.by_arxiv.items()),
        dict(index.by_title.items()),
        dict(index.by_ends.items()),
        {k: index.known[k] for k in index.known},
    )


def test_an_index_spilled_at_once_part_way_or_never_answers_alike():
    """Papers added (some deferred, as load_index adds them), merged (retitled, more authors),
    created; records matched by DOI, arXiv id, title and typo — crowded blocks that split among
    them.  Every answer and the final maps are the same whenever the index moved."""
    indexes = [resolve.Index(spill_at=n) for n in (10**9, 0, 700)]
    rng = random.Random(7)
    for pid in range(1, 1201):
        fams = set(rng.sample(FAMILIES, rng.randint(1, 3)))
        k = _known(rng, pid, _title(rng), fams)
        for index in indexes:
            index.add(k, defer_blocks=pid % 2 == 0)
    assert indexes[1].db is not None and indexes[2].db is not None and indexes[0].db is None
    answers: list[list[tuple]] = [[] for _ in indexes]
    for step in range(1500):
        r = rng.random()
        fams = set(rng.sample(FAMILIES, rng.randint(1, 3)))
        was = indexes[0].known.get(rng.randint(1, 1200))
        if r < 0.6:
            assert was is not None
            title = was.title_key if r < 0.3 else was.title_key[:-1] + "x"  # the title, or a typo of it
            doi = was.doi if r < 0.15 else rng.choice([None, "10.1000/other"])
            p = _record(title, fams | set(was.families), rng.choice([2019, 2020, 2022]), doi, None)
            for index, got in zip(indexes, answers, strict=True):
                got.append(_answer(index, p))
        else:  # a stored paper merged (the same title or another) or a new paper
            pid = was.id if was is not None and r < 0.85 else 5000 + step
            title = was.title_key if was is not None and r < 0.7 else _title(rng)
            k = _known(rng, pid, title, fams | set(was.families if was and pid == was.id else ()))
            for index in indexes:
                index.add(k)
    assert answers[1] == answers[0] and answers[2] == answers[0]
    assert {a[1] for a in answers[0]} >= {"doi", "title", "title~", ""}  # every rule was exercised
    assert any(v is None for v in indexes[0].by_ends.values())  # blocks split
    for index in indexes:
        for fam in list(index.pending):
            index._built(fam)
    assert _state(indexes[1]) == _state(indexes[0]) and _state(indexes[2]) == _state(indexes[0])


@pytest.mark.parametrize("spill_at", [0, 10**9], ids=["spilled", "dicts"])
def test_a_spilled_index_holds_no_python_object_a_paper(spill_at):
    """What Python holds for 4,000 papers added to an index: nothing a paper once spilled (its
    maps are SQLite's, in a page cache of bounded size); ≈ 1 KB a paper in dicts."""
    rng = random.Random(3)
    rows = [(pid, _title(rng) + f" {pid}", set(rng.sample(FAMILIES, 3))) for pid in range(1, 4001)]
    index = resolve.Index(spill_at=spill_at)
    tracemalloc.start()
    for pid, title, fams in rows:
        index.add(resolve.Known(pid, title, 2020, None, writer.compact_families(fams), None, f"10.1/{pid}"))
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per_paper = held / len(rows)
    if spill_at == 0:
        assert per_paper < 30, per_paper
    else:
        assert per_paper > 500, per_paper  # the measure sees the dicts: it can fail


def test_a_spilling_map_reads_as_a_dict_before_and_after_it_moves(monkeypatch):
    """Set, overwrite, delete, read: the same answers as a dict, moved at the 40th entry."""
    from adbib import scratch

    rng = random.Random(5)
    spilling: scratch.Spilling[str, int] = scratch.Spilling("m", str, spill_at=40)
    plain: dict[str, int] = {}
    for step in range(400):
        key = f"k{rng.randint(0, 120)}"
        if step % 7 == 3 and key in plain:
            del plain[key], spilling[key]
        else:
            plain[key] = spilling[key] = step
        probe = f"k{rng.randint(0, 150)}"
        assert (probe in spilling, spilling.get(probe), len(spilling)) == (probe in plain, plain.get(probe), len(plain))
    assert spilling.db is not None and dict(spilling.items()) == plain


def test_a_spilled_key_pool_gives_the_keys_one_in_a_dict_gives(monkeypatch):
    """Citekeys of 300 papers on six bases (the suffix search resumes where it stopped), from a
    pool of the database's keys held in a dict, or moved to a scratch database."""
    from adbib import citekeys, scratch

    def keys(spill_at: int) -> list[str]:
        monkeypatch.setattr(scratch, "SPILL_AT", spill_at)
        pool = citekeys.KeyPool(["lee2024anomaly", "lee2024anomalya", "wang2023patch", "Wang2023Patchb"])
        pool.update(["wang2023patchb"])
        made = []
        for i in range(300):
            key = citekeys.unique_key(["lee2024anomaly", "wang2023patch", "roth2022towards"][i % 3], pool)
            pool.update((key, key.lower()))
            made.append(key)
        assert pool.keys.db is None if spill_at > 10**6 else pool.keys.db is not None
        return made

    in_dict = keys(10**9)
    assert in_dict[:5] == ["lee2024anomalyb", "wang2023patcha", "roth2022towards", "lee2024anomalyc", "wang2023patchc"]
    assert keys(0) == in_dict and keys(100) == in_dict


def test_a_full_scratch_space_is_one_line_and_nothing_written(seeded_db, tmp_path, monkeypatch):
    """The scratch database's disk fills up mid-import (SQLite's max_page_count stands in for a
    full temporary directory): one line on stderr that names the temporary directory, exit 1,
    the database as it was."""
    from typer.testing import CliRunner

    from adbib import scratch
    from adbib.cli import app
    from helpers import pgdb

    connect = scratch.connect

    def small(*args, **kwargs):
        conn = connect(*args, **kwargs)
        conn.execute("PRAGMA max_page_count = 4")
        return conn

    monkeypatch.setattr(scratch, "connect", small)
    monkeypatch.setattr(resolve, "SPILL_AT", 0)
    before = pgdb.dump(seeded_db)
    bib = tmp_path / "more.bib"
    bib.write_text(
        "".join(
            f"@article{{k{i},\n  title = {{A Study of Anomaly Number {i}}},\n  author = {{Doe, Jane}},\n  year = {{2024}},\n}}\n"
            for i in range(300)
        )
    )
    result = CliRunner().invoke(app, ["--db", str(seeded_db), "import", str(bib)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "adbib: the scratch space of a big import failed (database or disk is full)"
    )
    assert "TMPDIR" in lines[0] and "nothing was written" in lines[0]
    assert pgdb.dump(seeded_db) == before


def test_a_family_of_more_papers_than_sqlite_takes_parameters_is_read_in_slices():
    """3,000 stored papers of one author family, on a scratch database that takes 999 parameters
    a statement (SQLite's limit in builds before 3.32; 32,766 since, by default): loaded as
    load_index loads them, their blocks built when a record asks, in slices of scratch.IN_MAX
    ids — the candidates those of the index in dicts."""
    import sqlite3

    papers = [
        resolve.Known(pid, f"{STEM}{WORDS[pid % 11]} variant {pid}", 2020, None, ("wang",)) for pid in range(1, 3_001)
    ]
    in_dicts, spilled = resolve.Index(spill_at=10**9), resolve.Index(spill_at=0)
    assert spilled.db is not None
    spilled.db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    for index in (in_dicts, spilled):
        index.load(papers)
    assert len(spilled.known.get_many(range(1, 3_001))) == 3_000
    stored = f"{STEM}{WORDS[17 % 11]} variant 17"
    for title in (stored, "x" + stored[1:], f"{STEM}mri variant 2010", "patch memory bank"):
        near = spilled.candidates(title, ("wang",))
        assert near == in_dicts.candidates(title, ("wang",))
        assert spilled.known.titles_near(near, 2020, None, None) == in_dicts.known.titles_near(near, 2020, None, None)
    assert 17 in spilled.candidates("x" + stored[1:], ("wang",))
