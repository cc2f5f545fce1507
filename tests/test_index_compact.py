"""The identity index holds one Known per stored paper and several fuzzy blocks per paper, so it is
held compactly (issue 15: ≈ 230 MiB for 100k papers before): Knowns with slots and their
identifiers on them, family names as sorted tuples of shared strings, a block or title of one
paper as the bare id, several as a tuple.  The compact forms must answer what the plain ones did."""

from __future__ import annotations

import random
import tracemalloc
from dataclasses import replace

from adbib import resolve, store
from adbib.db import make_engine
from adbib.importer import writer
from adbib.normalize import normalize_record
from adbib.records import PaperRecord


def _paper(title: str, authors: str, year: int = 2023, doi: str | None = None, arxiv: str | None = None):
    p = normalize_record(PaperRecord(title=title, line=1, raw="", year=year, authors_raw=authors))
    return replace(p, doi=doi, arxiv=arxiv)


def _known(pid: int, title: str, fams: set[str], doi: str | None = None, arxiv: str | None = None):
    return resolve.Known(pid, title, 2023, None, writer.compact_families(fams), None, doi, arxiv)


def test_every_paper_of_a_title_is_tried_in_the_order_it_came():
    """Three papers of one title (a compact set of ids): the first two carry other arXiv ids (kept
    apart, reported in order), the third is the record's paper."""
    index = resolve.Index()
    title = "patchcore towards total recall in industrial anomaly detection"
    for pid, arxiv in ((1, "2106.00001"), (2, "2106.00002"), (3, None)):
        index.add(_known(pid, title, {"roth"}, arxiv=arxiv))
    assert index.by_title[title] == (1, 2, 3)
    p = _paper("PatchCore: Towards Total Recall in Industrial Anomaly Detection", "Karsten Roth", arxiv="2106.08265")
    p = replace(p, title_key=title)
    found = index.match(p, frozenset({"roth"}))
    assert (found.id, found.rule) == (3, "title")
    assert [c.other_id for c in found.conflicts] == [1, 2]


def test_the_identifiers_on_a_known_keep_two_dois_apart():
    """A typo apart, a shared author, a year apart: the same paper — unless the stored one (its
    DOI on its Known) and the record carry different DOIs."""
    index = resolve.Index()
    index.add(_known(7, "deep one class classification of brain mri scans", {"ruff"}, doi="10.1/a"))
    assert index.known[7].doi == "10.1/a" and index.by_doi == {"10.1/a": 7}
    typo = "deep one class clasification of brain mri scans"
    same = index.match(_paper(typo, "Lukas Ruff"), frozenset({"ruff"}))
    assert (same.id, same.rule) == (7, "title~")
    other = index.match(_paper(typo, "Lukas Ruff", doi="10.1/b"), frozenset({"ruff"}))
    assert other.id is None


def test_a_block_of_one_paper_grows_and_splits_like_any_other():
    """A block starts as a bare id; the next papers make it a tuple, in order; past BLOCK_CAP it
    splits, and every paper is still found by its own title."""
    index = resolve.Index()
    stem = "unsupervised anomaly detection with "
    index.add(_known(1, stem + "model 1", {"wang"}))
    assert index.by_ends[resolve._block_key(stem, "wang", "<", 1)] == 1
    index.add(_known(2, stem + "model 2", {"wang"}))
    assert index.by_ends[resolve._block_key(stem, "wang", "<", 1)] == (1, 2)
    for pid in range(3, 3 * resolve.BLOCK_CAP):
        index.add(_known(pid, stem + f"model {pid}", {"wang"}))
    assert index.by_ends[resolve._block_key(stem, "wang", "<", 1)] is None
    for pid in range(1, 3 * resolve.BLOCK_CAP):
        assert pid in index.candidates(stem + f"model {pid}", ("wang",))


def _import_index(db, bib, monkeypatch) -> resolve.Index:
    """The identity index the writer holds at the end of importing ``bib``."""
    held = []
    finish = writer.Writer.finish

    def keep(self):
        held.append(self.index)
        finish(self)

    monkeypatch.setattr(writer.Writer, "finish", keep)
    store.ingest(make_engine(db), db, bib)
    return held[0]


def _bib(n: int, seed: int = 15) -> str:
    rng = random.Random(seed)
    families = [f"Family{i}" for i in range(n // 4)]
    entries = []
    for i in range(n):
        authors = " and ".join(f"Given{j} {rng.choice(families)}" for j in range(rng.randint(1, 6)))
        title = f"Anomaly detection study {i} with {rng.choice(['flows', 'diffusion', 'memory banks'])}"
        entries.append(
            f"@article{{key{i},\n  title = {{{title}}},\n  author = {{{authors}}},\n  year = {{2020}},\n"
            f"  journal = {{Journal {i % 7}}},\n  doi = {{10.1000/x{i}}},\n}}\n"
        )
    return "\n".join(entries)


def test_the_index_an_import_leaves_is_compact(empty_db, tmp_path, monkeypatch):
    """Knowns with slots, family names a sorted tuple of strings shared between papers, a year
    one int object however many papers have it, a title of one paper a bare id — in the index
    the writer builds as it imports, and in the one load_index reads back."""
    bib = tmp_path / "papers.bib"
    bib.write_text(_bib(400))
    built = _import_index(empty_db, bib, monkeypatch)
    with make_engine(empty_db).connect() as conn:
        loaded = writer.load_index(conn)
    for index in (built, loaded):
        knowns = list(index.known.values())
        assert len(knowns) == 400
        assert not any(hasattr(k, "__dict__") for k in knowns)
        assert all(type(k.families) is tuple and list(k.families) == sorted(k.families) for k in knowns)
        by_name: dict[str, str] = {}
        for k in knowns:
            for fam in k.families:
                assert by_name.setdefault(fam, fam) is fam  # one string per family name
        assert all(type(ids) is int for ids in index.by_title.values())
        assert {k.year for k in knowns} == {2020} and len({id(k.year) for k in knowns}) == 1  # one int, shared
        assert all(k.doi is not None and index.by_doi[k.doi] == k.id for k in knowns)
        assert not hasattr(index, "idents")


def test_the_index_of_a_big_database_stays_small():
    """Bytes the index holds a paper, fuzzy blocks built: measured ≈ 2.3 KB for the plain forms
    (frozensets, dicts of identifiers, a list per block), ≈ 1.15 KB for the compact ones keyed by
    strings, ≈ 0.95 KB with the blocks keyed by hashes (:func:`adbib.resolve._block_key`), this
    file run alone."""
    rng = random.Random(3)
    families = [f"family{i}" for i in range(3000)]
    words = [
        "anomaly",
        "detection",
        "diffusion",
        "memory",
        "bank",
        "flows",
        "patch",
        "industrial",
        "medical",
        "brain",
        "mri",
    ]
    rows = [
        (
            pid,
            " ".join(rng.choice(words) for _ in range(8)) + f" {pid}",
            {str(f) for f in rng.sample(families, rng.randint(1, 6))},
            f"10.1000/{pid}",
        )
        for pid in range(1, 10_001)
    ]
    tracemalloc.start()
    index = resolve.Index()
    for pid, title, fams, doi in rows:
        # as load_index reads them: every row's strings its own objects
        index.add(_known(pid, "".join(title), {"".join(f) for f in fams}, doi="".join(doi)), defer_blocks=True)
    for fam in list(index.pending):
        index._built(fam)
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # the whole index a paper: bounded loosely (what else a test session holds while it measures
    # moves the figure by hundreds of bytes), the block keys exactly: ints, not strings
    assert held / len(rows) < 1800, held / len(rows)
    assert index.by_ends and all(type(key) is int for key in index.by_ends)
