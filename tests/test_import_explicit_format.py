"""Honest results (issue 10, item 6a): a format given explicitly that reads no entry from a
non-empty file is an error -- one line on stderr, a non-zero exit, the database unchanged --
not an empty import that exits 0.  The files are the real next revisions under
tests/fixtures/lists/ (origins in its README)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from adbib.cli import app
from helpers.dbstate import snapshot

LISTS = Path(__file__).resolve().parent / "fixtures" / "lists"
LGC_NEXT = LISTS / "LGC-AD__awesome-industrial-medical-anomaly-detection__36cd91e.md"
MEDAIER_NEXT = LISTS / "MedAIerHHL__awesome-medical-image-anoraml-detection__2f11807.md"
DIAO_NEXT = LISTS / "diaoquesang__Paper-List-for-Medical-Anomaly-Detection__f121bfd.md"


def run(db: Path, *args: str):
    return CliRunner().invoke(app, ["--db", str(db), "import", *args])


@pytest.mark.parametrize(
    ("path", "fmt", "failed", "detected"),
    [
        (LGC_NEXT, "medaierhhl", "", "lgc"),
        (LGC_NEXT, "diaoquesang-md", "", "lgc"),
        # the LGC reader takes a bullet with [[links]] for a paper and says why it is not one
        (
            MEDAIER_NEXT,
            "lgc",
            (" (16 entry-like lines could not be read, the first at line 13: paper entry without a title)"),
            "medaierhhl",
        ),
        (DIAO_NEXT, "medaierhhl", "", "diaoquesang-md"),
    ],
)
def test_explicit_format_reading_nothing_is_an_error(seeded_db, path, fmt, failed, detected):
    before = snapshot(seeded_db)
    result = run(seeded_db, str(path), "--format", fmt)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"adbib: {path}: read as {fmt}, no entries found{failed} — is it another format?"
        f" (auto-detect says {detected})\n"
    )
    assert snapshot(seeded_db) == before


def test_the_message_says_when_entry_like_lines_failed(seeded_db, tmp_path):
    path = tmp_path / "broken.md"
    path.write_text("# A list\n\n* (2024/04/16 MedIAnomaly, its date never closed\n", encoding="utf-8")
    before = snapshot(seeded_db)
    result = run(seeded_db, str(path), "--format", "medaierhhl")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"adbib: {path}: read as medaierhhl, no entries found (1 entry-like line could not be read,"
        " the first at line 3: entry without a (YYYY/MM/DD) date and a title) — is it another"
        " format? (auto-detect says generic)\n"
    )
    assert snapshot(seeded_db) == before


def test_a_file_that_only_holds_templates_is_an_error_too(empty_db, tmp_path):
    # the next LGC revision's first bullet is an empty `****` template: alone, it is no entry
    template = LGC_NEXT.read_text(encoding="utf-8").split("\n")[11:15]
    assert template[0].startswith("- ⭐⭐ *(2019-CVPR)* ****")
    path = tmp_path / "template.md"
    path.write_text("\n".join(template) + "\n", encoding="utf-8")
    before = snapshot(empty_db)
    result = run(empty_db, str(path), "--format", "lgc")
    assert result.exit_code == 1
    assert result.stderr == (
        f"adbib: {path}: read as lgc, no entries found — is it another format? (auto-detect says lgc)\n"
    )
    assert snapshot(empty_db) == before


def test_the_right_explicit_format_still_imports(seeded_db):
    result = run(seeded_db, str(MEDAIER_NEXT), "--format", "medaierhhl", "--report", "json")
    assert result.exit_code == 0, result.stderr
    assert '"entries": 16' in result.stdout


def test_auto_detection_is_unchanged(seeded_db):
    result = run(seeded_db, str(MEDAIER_NEXT), "--report", "json")
    assert result.exit_code == 0, result.stderr
    assert '"dialect": "medaierhhl"' in result.stdout and '"entries": 16' in result.stdout
