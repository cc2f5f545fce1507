"""Real text for every reader: the shipped seed lists, the other-dialect lists and hand-made files
of tests/fixtures/lists/ (generic, rst, table), the BibTeX hazards fixture, and adbib's own
markdown / CSV / BibTeX exports of the seeded database (the inputs of the adbib-md, csv and bibtex
readers).  Shared by tests/test_reliability.py and tests/fuzz/campaign.py.
"""

from __future__ import annotations

import io
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "data" / "seed"

SEED_FILES = {
    "lgc": ["lgc-industrial-medical-ad_2025-12.md"],
    "diaoquesang-md": ["diaoquesang-medical-ad_2025-03.md", "diaoquesang-medical-ad_2025-06.md"],
    "diaoquesang-text": ["diaoquesang-medical-ad_rendered.txt"],
    "medaierhhl": ["medaierhhl-medical-image-ad_2024-02.md"],
}
# The generic readers' real texts: tests/fixtures/lists/ (origins in its README.md)
LISTS = REPO / "tests" / "fixtures" / "lists"
FIXTURE_FILES = {
    # fjchange first: the huge-line timing test reads the first text (it has every entry shape)
    "generic": sorted((p.name for p in LISTS.glob("*__*.md")), key=lambda n: (not n.startswith("fjchange"), n)),
    "rst": ["handmade-list.rst"],
    "table": ["handmade-papers.tsv"],
}
EXPORTED = {"adbib-md": ("markdown", {}), "csv": ("csv", {}), "bibtex": ("bibtex", {})}


def exports(seeded_db: Path) -> dict[str, str]:
    """The whole seeded database exported in each format the readers read back."""
    from adbib import dbread, exporters, rows
    from adbib.query import Query, run

    con = dbread.connect(seeded_db)
    try:
        ids = run(con, Query())
        out = {}
        for dialect, (fmt, options) in EXPORTED.items():
            buf = io.StringIO(newline="")
            exporters.get(fmt).write(rows.papers(con, ids), buf, **options)
            out[dialect] = buf.getvalue()
        return out
    finally:
        con.close()


def corpus(seeded_db: Path) -> dict[str, list[str]]:
    """dialect -> the real texts of that dialect (every dialect of adbib.readers.DIALECTS)."""
    texts = {d: [(SEED / f).read_text(encoding="utf-8") for f in files] for d, files in SEED_FILES.items()}
    texts.update({d: [(LISTS / f).read_text(encoding="utf-8") for f in files] for d, files in FIXTURE_FILES.items()})
    for dialect, text in exports(seeded_db).items():
        texts.setdefault(dialect, []).append(text)
    texts["bibtex"].append((REPO / "tests" / "fixtures" / "hazards.bib").read_text(encoding="utf-8"))
    return texts


def check_read(dialect: str, text: str) -> int:
    """Read ``text`` with one reader and normalize every record, as an import does.

    Returns the number of records.  Lets only ReaderError escape; checks that every record and
    failure carries a line number inside the text."""
    from adbib.normalize import normalize_record
    from adbib.readers import detect, reader

    detect(text)  # auto-detection runs every reader's detect() on any file
    result = reader(dialect).read(text)
    last = max(text.count("\n"), len(text.splitlines())) + 1
    for item in (*result.records, *result.failures, *result.skipped):
        assert 1 <= item.line <= last, f"line {item.line} outside 1..{last}: {item!r}"[:300]
    for record in result.records:
        normalize_record(record)
    return len(result.records)
