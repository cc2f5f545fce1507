"""LGC nested papers through an import (issue 10, item 5): an ``Extend to PAMI:`` sub-bullet is a
paper of its own with an extension_of relation to its parent; a label that names no relation gives
a paper of its own, no relation row, and a reported problem.  The entry is line 95-99 of the next
LGC revision (tests/fixtures/lists/LGC-AD__…__36cd91e.md, origin in its README), with one
hand-made ``Journal version:`` sub-bullet added."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adbib.cli import app

# SQLite only: reader tests reading the stored rows with sqlite3 (readers are engine-independent).
pytestmark = pytest.mark.sqlite_only

LGC_NEXT = (
    Path(__file__).resolve().parent
    / "fixtures"
    / "lists"
    / "LGC-AD__awesome-industrial-medical-anomaly-detection__36cd91e.md"
)
PARENT = "Self-Supervised Predictive Convolutional Attentive Block for Anomaly Detection"
CHILD = "Self-Supervised Masked Convolutional Transformer Block for Anomaly Detection"


def test_extend_to_pami_and_an_unknown_label_through_an_import(empty_db, tmp_path):
    lines = LGC_NEXT.read_text(encoding="utf-8").split("\n")
    entry = lines[94:99]  # the SSPCAB entry and its "Extend to PAMI:" sub-bullet
    assert entry[4].startswith("  - Extend to PAMI: *Self-Supervised Masked")
    path = tmp_path / "sspcab.md"
    path.write_text(
        "# Industrial Anomaly Detection\n\n## Reconstruction-based Methods\n\n"
        + "\n".join(entry)
        + "\n  - Journal version: *A Hand-Made Related Paper* [[Paper]](https://example.org/related)\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["--db", str(empty_db), "import", str(path), "--report", "json"])
    assert result.exit_code == 0, result.stderr
    [report] = json.loads(result.stdout)
    assert [(e["line"], e["title"]) for e in report["created"]] == [
        (5, PARENT),
        (9, CHILD),
        (10, "A Hand-Made Related Paper"),
    ]
    assert [(p["line"], p["reason"]) for p in report["problems"]] == [
        (
            10,
            (
                "nested paper: the label 'Journal version:' names no relation adbib stores"
                " (extension or similar); read as a paper of its own"
            ),
        ),
    ]
    con = sqlite3.connect(empty_db)
    try:
        relations = con.execute(
            "SELECT s.title, r.kind, o.title FROM relation r"
            " JOIN paper s ON s.id = r.subject_id JOIN paper o ON o.id = r.object_id"
        ).fetchall()
        venue = con.execute(
            "SELECT v.short_name FROM paper p JOIN venue v ON v.id = p.venue_id WHERE p.title = ?",
            (CHILD,),
        ).fetchall()
    finally:
        con.close()
    assert relations == [(CHILD, "extension_of", PARENT)]
    assert venue == [("PAMI",)]
