"""Curation and undo (issue 13, items 1 and 2): edit, delete, tag, note, log, undo — on the seeded
database and a real next revision of a seed list.

The revision is ``tests/fixtures/lists/LGC-AD__awesome-industrial-medical-anomaly-detection__36cd91e.md``
(LGC-AD/awesome-industrial-medical-anomaly-detection, commit 36cd91e; see tests/fixtures/lists/README.md):
it lists schulthess2025anomaly as *(2025-MICCAI)*, with the seed's title and authors.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from adbib.cli import app
from helpers.dbstate import check_health
from helpers.pg import check_fts, connect_db, is_pg, table_names, table_rows

LISTS = Path(__file__).parent / "fixtures" / "lists"
LGC_NEXT = LISTS / "LGC-AD__awesome-industrial-medical-anomaly-detection__36cd91e.md"
KEY = "schulthess2025anomaly"
TITLE = "Anomaly Detection by Clustering DINO Embeddings Using a Dirichlet Process Mixture"


def invoke(db: Path, *args: str):
    return CliRunner().invoke(app, ["--db", str(db), *args])


def ok(db: Path, *args: str) -> str:
    result = invoke(db, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def dump(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table (rowid and all columns, wall-clock ones included) but the log's
    own two tables, after the health check (integrity, foreign keys, FTS index = its content)."""
    con = connect_db(db)
    try:
        check_fts(con) if is_pg(con) else check_health(con)
        names = table_names(con, exclude=("operation", "journal"))
        return {t: table_rows(con, t) for t in names}
    finally:
        con.close()


def one(db: Path, sql: str, params: tuple = ()) -> tuple:
    con = connect_db(db)
    try:
        return con.execute(sql, params).fetchone()
    finally:
        con.close()


def last_op(db: Path) -> int:
    return one(db, "SELECT max(id) FROM operation")[0]


# ---------------------------------------------------------------- edit


def test_edit_sets_each_field_and_says_what_changed(seeded_db):
    out = ok(
        seeded_db,
        "edit",
        KEY,
        "--set",
        "venue=ICCV",
        "--set",
        "year=2024",
        "--set",
        "authors=Nico Schulthess and Ender Konukoglu and Jane Doe",
        "--set",
        "domain=industrial",
        "--set",
        "doi=",
        "--set",
        "abstract=Clusters DINO features.",
        "--set",
        "links=code:https://github.com/NicoSchulthess/anomalydino-dpmm",
        "--note",
        "baseline for BMAD",
    )
    assert out == (
        f"edited {KEY}: {TITLE}\n"
        "  venue: 'MICCAI' -> 'ICCV'\n"
        "  year: 2025 -> 2024\n"
        "  authors: Nico Schulthess; Ender Konukoglu -> Nico Schulthess; Ender Konukoglu; Jane Doe\n"
        "  domain: 'medical' -> 'industrial'\n"
        "  doi: '10.1007/978-3-032-04947-6_5' -> (none)\n"
        "  abstract: (none) -> 'Clusters DINO features.'\n"
        "  links: paper:https://link.springer.com/chapter/10.1007/978-3-032-04947-6_5; "
        "arxiv:https://arxiv.org/abs/2509.19997; code:https://github.com/NicoSchulthess/anomalydino-dpmm"
        " -> code:https://github.com/NicoSchulthess/anomalydino-dpmm\n"
        "  note: (none) -> 'baseline for BMAD'\n"
    )
    (paper,) = json.loads(ok(seeded_db, "query", f"key:{KEY}", "-f", "json"))
    assert (paper["venue"], paper["venue_name"], paper["year"], paper["domain"], paper["doi"]) == (
        "ICCV",
        "IEEE/CVF International Conference on Computer Vision",
        2024,
        "industrial",
        None,
    )
    assert paper["authors"] == ["Nico Schulthess", "Ender Konukoglu", "Jane Doe"]
    assert paper["links"] == {"code": ["https://github.com/NicoSchulthess/anomalydino-dpmm"]}
    assert paper["abstract"] == "Clusters DINO features."
    assert paper["note"] == "baseline for BMAD"
    detail = ok(seeded_db, "show", KEY)
    assert "edited:       abstract, authors, doi, domain, venue, year\n" in detail
    assert "note:         baseline for BMAD\n" in detail


def test_an_edited_field_is_never_overridden_by_a_later_import(seeded_db):
    """The next revision of the LGC list says 2025-MICCAI and the seed's title: a newer revision
    of a list corrects what its earlier revision gave, but not what an edit set."""
    ok(seeded_db, "edit", KEY, "--set", "venue=ICCV", "--set", "title=DINO Embeddings in a Dirichlet Process Mixture")
    ok(seeded_db, "import", str(LGC_NEXT), "-q")
    (paper,) = json.loads(ok(seeded_db, "query", f"key:{KEY}", "-f", "json"))
    assert paper["venue"] == "ICCV"
    assert paper["title"] == "DINO Embeddings in a Dirichlet Process Mixture"
    assert paper["year"] == 2025  # not edited: the list's value
    assert one(
        seeded_db,
        "SELECT list_name FROM field_source fs JOIN paper p ON p.id = fs.paper_id "
        "WHERE p.citekey = ? AND field = 'venue'",
        (KEY,),
    ) == ("manual",)


def test_without_an_edit_the_revision_corrects_the_venue(seeded_db):
    """The control of the test above: a venue the seed gave is corrected by the list's newer revision."""
    con = connect_db(seeded_db)
    con.execute(
        "UPDATE paper SET venue_id = (SELECT id FROM venue WHERE short_name = 'ICCV') WHERE citekey = ?", (KEY,)
    )
    con.commit()
    con.close()
    ok(seeded_db, "import", str(LGC_NEXT), "-q")
    (paper,) = json.loads(ok(seeded_db, "query", f"key:{KEY}", "-f", "json"))
    assert paper["venue"] == "MICCAI"


def test_edit_refuses_bad_values_with_one_line_and_changes_nothing(seeded_db):
    before = dump(seeded_db)
    ops = last_op(seeded_db)
    for args, message in [
        (
            ("--set", "pages=1-2"),
            (
                "adbib: --set: cannot edit 'pages' (fields: title, year, venue, authors, doi, arxiv, "
                "domain, abstract, links)\n"
            ),
        ),
        (
            ("--set", "year"),
            (
                "adbib: --set 'year': write FIELD=VALUE (fields: title, year, venue, authors, doi, "
                "arxiv, domain, abstract, links)\n"
            ),
        ),
        (("--set", "year=20x5"), "adbib: --set year='20x5': a year is four digits (empty to clear it)\n"),
        (("--set", "title="), "adbib: --set title=: a title cannot be empty\n"),
        (
            ("--set", "domain=space"),
            ("adbib: --set domain='space': a domain is industrial, medical or general (empty to clear it)\n"),
        ),
        (("--set", "links=homepage:https://x.org"), None),
        (("--set", "venue=ICCV", "--set", "year=bad"), None),  # the first change is rolled back too
        (
            (),
            (
                "adbib: nothing to edit: give --set FIELD=VALUE (fields: title, year, venue, authors, doi, arxiv, "
                "domain, abstract, links) or --note\n"
            ),
        ),
    ]:
        result = invoke(seeded_db, "edit", KEY, *args)
        assert result.exit_code != 0, args
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("adbib: "), result.stderr
        if message:
            assert result.stderr == message
    assert invoke(seeded_db, "edit", "nosuchkey", "--set", "year=2020").stderr == "adbib: no paper 'nosuchkey'\n"
    assert dump(seeded_db) == before
    assert last_op(seeded_db) == ops


def test_edit_refuses_an_identifier_of_another_paper(seeded_db):
    doi, other = one(
        seeded_db, "SELECT doi, citekey FROM paper WHERE doi IS NOT NULL AND citekey != ? ORDER BY id", (KEY,)
    )
    result = invoke(seeded_db, "edit", KEY, "--set", f"doi={doi}")
    assert result.exit_code == 1
    assert result.stderr == f"adbib: doi {doi} belongs to another paper ({other})\n"


# ---------------------------------------------------------------- delete


def _keys(db: Path, *query: str) -> list[str]:
    return ok(db, "query", *query, "-f", "keys").split()


def test_delete_hides_the_paper_from_every_listing_and_undo_brings_it_back(seeded_db):
    exported = ok(seeded_db, "export", "-f", "json")
    stats = ok(seeded_db, "stats", "-f", "json")
    venues = json.loads(ok(seeded_db, "venues", "-f", "json"))
    miccai = next(v["papers"] for v in venues if v["short_name"] == "MICCAI")
    authors_before = {a["name"]: a["papers"] for a in json.loads(ok(seeded_db, "authors", "-f", "json"))}
    assert KEY in _keys(seeded_db, "venue:MICCAI")

    out = ok(seeded_db, "delete", KEY)
    op = last_op(seeded_db)
    assert out == f"deleted {KEY}: {TITLE} (operation {op}; adbib undo {op} brings it back)\n"
    assert KEY not in _keys(seeded_db, "venue:MICCAI")
    assert KEY not in _keys(seeded_db, "dirichlet")  # full text too
    assert KEY not in [p["citekey"] for p in json.loads(ok(seeded_db, "export", "-f", "json"))]
    assert (
        next(v["papers"] for v in json.loads(ok(seeded_db, "venues", "-f", "json")) if v["short_name"] == "MICCAI")
        == miccai - 1
    )
    assert (
        json.loads(ok(seeded_db, "stats", "-f", "json"))["counts"]["papers"]
        == json.loads(stats)["counts"]["papers"] - 1
    )
    authors = {a["name"]: a["papers"] for a in json.loads(ok(seeded_db, "authors", "-f", "json"))}
    assert "Nico Schulthess" in authors_before and "Nico Schulthess" not in authors
    assert ok(seeded_db, "show", KEY).splitlines()[2] == (
        f"DELETED by operation {op}: listed nowhere; adbib undo {op} brings it back"
    )
    assert json.loads(ok(seeded_db, "show", KEY, "-f", "json"))["deleted"] == {
        "at": one(seeded_db, "SELECT substr(CAST(deleted_at AS TEXT), 1, 19) FROM paper WHERE citekey = ?", (KEY,))[0],
        "operation": op,
    }
    # the paper is kept with its provenance; a later import merges into it and does not bring it back
    assert one(
        seeded_db, "SELECT count(*) FROM provenance pr JOIN paper p ON p.id = pr.paper_id WHERE p.citekey = ?", (KEY,)
    ) == (1,)
    again = invoke(seeded_db, "delete", KEY)
    assert again.exit_code == 1
    assert again.stderr == f"adbib: {KEY} is deleted already (adbib delete --purge removes it for good)\n"

    assert ok(seeded_db, "undo") == f"undid operation {op} (delete): delete {KEY}: {TITLE}\n"
    assert ok(seeded_db, "export", "-f", "json") == exported
    assert ok(seeded_db, "stats", "-f", "json") == stats


def test_a_deleted_paper_stays_hidden_after_an_import_that_lists_it(seeded_db):
    ok(seeded_db, "delete", KEY)
    ok(seeded_db, "import", str(LGC_NEXT), "-q")
    assert KEY not in _keys(seeded_db, "venue:MICCAI")
    assert one(
        seeded_db, "SELECT count(*) FROM provenance pr JOIN paper p ON p.id = pr.paper_id WHERE p.citekey = ?", (KEY,)
    ) == (2,)


def test_purge_removes_every_row_and_undo_restores_the_database_exactly(seeded_db):
    ok(seeded_db, "tag", KEY, "+to-read")
    before = dump(seeded_db)
    out = ok(seeded_db, "delete", KEY, "--purge")
    op = last_op(seeded_db)
    assert out == f"purged {KEY}: {TITLE} (operation {op}; adbib undo {op} brings it back)\n"
    assert one(seeded_db, "SELECT count(*) FROM paper WHERE citekey = ?", (KEY,)) == (0,)
    assert invoke(seeded_db, "show", KEY).exit_code == 1
    ok(seeded_db, "undo", str(op))
    assert dump(seeded_db) == before


# ---------------------------------------------------------------- tags and notes


def test_tags_are_added_removed_queried_and_exported(seeded_db):
    assert ok(seeded_db, "tag", KEY, "+to-read", "+Baseline", "done") == f"{KEY}: tags baseline, done, to-read\n"
    assert ok(seeded_db, "tag", KEY, "-done") == f"{KEY}: tags baseline, to-read\n"
    ok(seeded_db, "tag", "wolleb2022diffusion", "to-read")
    assert _keys(seeded_db, "tag:to-read", "--sort", "title") == [KEY, "wolleb2022diffusion"]
    assert _keys(seeded_db, "tag:baseline") == [KEY]
    assert KEY not in _keys(seeded_db, "-tag:baseline", "venue:MICCAI")
    ok(seeded_db, "note", KEY, "Compare with AnomalyDINO.")
    (paper,) = json.loads(ok(seeded_db, "export", "-f", "json", f"key:{KEY}"))
    assert (paper["tags"], paper["note"]) == (["baseline", "to-read"], "Compare with AnomalyDINO.")
    lines = ok(seeded_db, "export", "-f", "csv", f"key:{KEY}").splitlines()
    assert lines[0].endswith(",sources,tags,note")
    assert lines[1].endswith(",baseline; to-read,Compare with AnomalyDINO.")
    assert ok(seeded_db, "note", KEY, "") == f"{KEY}: note removed\n"
    bad = invoke(seeded_db, "tag", KEY, "+two words")
    assert bad.exit_code == 2
    assert (
        bad.stderr == "adbib: tag '+two words': a tag is one word of letters, digits and - _ . / : "
        "(+tag adds, -tag removes)\n"
    )


def test_an_exported_csv_with_tags_imports_again(seeded_db, tmp_path):
    ok(seeded_db, "tag", KEY, "+to-read")
    path = tmp_path / "tagged.csv"
    path.write_text(ok(seeded_db, "export", "-f", "csv", f"key:{KEY}"), encoding="utf-8")
    report = ok(tmp_path / "other.db", "import", str(path), "-q")
    assert "1 new" in report


# ---------------------------------------------------------------- undo


def test_undo_an_import_restores_the_whole_database(seeded_db):
    before = dump(seeded_db)
    exported = ok(seeded_db, "export", "-f", "json")
    ok(seeded_db, "import", str(LGC_NEXT), "-q")
    op = last_op(seeded_db)
    assert dump(seeded_db) != before
    out = ok(seeded_db, "undo")
    assert out.startswith(
        f"undid operation {op} (import): import {LGC_NEXT} as lgc-industrial-medical-ad: 21 new, 2 merged"
    )
    assert dump(seeded_db) == before
    assert ok(seeded_db, "export", "-f", "json") == exported
    # the file imports again (its source row went with the undo)
    assert "21 new" in ok(seeded_db, "import", str(LGC_NEXT), "-q")


def test_undo_a_merge_restores_both_papers_exactly(seeded_db):
    before = dump(seeded_db)
    ok(seeded_db, "merge", "--force", "wolleb2022diffusion", KEY)
    assert one(seeded_db, "SELECT count(*) FROM paper WHERE citekey = ?", (KEY,)) == (0,)
    ok(seeded_db, "undo")
    assert dump(seeded_db) == before


def test_undo_names_an_operation_and_refuses_one_a_later_operation_depends_on(seeded_db):
    ok(seeded_db, "edit", KEY, "--set", "year=2024")
    first = last_op(seeded_db)
    ok(seeded_db, "edit", KEY, "--set", "venue=ICCV")
    second = last_op(seeded_db)
    refused = invoke(seeded_db, "undo", str(first))
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"adbib: cannot undo operation {first}: the later operation {second} (edit: edit {KEY}: venue 'MICCAI' -> "
        f"'ICCV') changed the same rows; undo {second} first\n"
    )
    ok(seeded_db, "undo", str(second))
    ok(seeded_db, "undo", str(first))
    (paper,) = json.loads(ok(seeded_db, "query", f"key:{KEY}", "-f", "json"))
    assert (paper["year"], paper["venue"]) == (2025, "MICCAI")
    assert (
        invoke(seeded_db, "undo", str(first)).stderr
        == f"adbib: operation {first} was undone already (by operation {last_op(seeded_db)})\n"
    )
    assert invoke(seeded_db, "undo", "999").stderr == "adbib: no operation 999 in the log (adbib log lists them)\n"


def test_undo_refuses_when_a_foreign_key_would_cascade_onto_a_later_operation(seeded_db):
    """The import created papers; a later tag on one of them is a row the import never wrote:
    undoing the import would delete it through the foreign key, so the undo is refused."""
    ok(seeded_db, "import", str(LGC_NEXT), "-q")
    imported = last_op(seeded_db)
    new_key = one(
        seeded_db,
        "SELECT p.citekey FROM paper p JOIN journal j ON j.tbl = 'paper' AND p.id BETWEEN j.row_id AND j.row_last "
        "WHERE j.operation_id = ? AND j.action = 'i' ORDER BY p.id",
        (imported,),
    )[0]
    ok(seeded_db, "tag", new_key, "+to-read")
    tagged = last_op(seeded_db)
    before = dump(seeded_db)
    refused = invoke(seeded_db, "undo", str(imported))
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"adbib: cannot undo operation {imported}: the later operation {tagged} (tag: tag {new_key} +to-read) "
        f"changed the same rows; undo {tagged} first\n"
    )
    assert dump(seeded_db) == before


def test_undo_with_an_empty_log_says_so(empty_db):
    result = invoke(empty_db, "undo")
    assert result.exit_code == 1
    assert result.stderr == "adbib: nothing to undo: no operation in the log\n"


def test_log_lists_every_operation_newest_first(seeded_db):
    ok(seeded_db, "tag", KEY, "+to-read")
    ok(seeded_db, "undo")
    entries = json.loads(ok(seeded_db, "log", "-f", "json", "-n", "0"))
    assert [(e["kind"], e["summary"], e["undone_by"]) for e in entries[:2]] == [
        ("undo", f"undo 6: tag {KEY} +to-read", None),
        ("tag", f"tag {KEY} +to-read", 7),
    ]
    assert [e["summary"].split(":")[0] for e in entries[2:]] == [
        "import data/seed/medaierhhl-medical-image-ad_2024-02.md as medaierhhl-medical-image-ad",
        "import data/seed/diaoquesang-medical-ad_rendered.txt as diaoquesang-medical-ad",
        "import data/seed/diaoquesang-medical-ad_2025-06.md as diaoquesang-medical-ad",
        "import data/seed/diaoquesang-medical-ad_2025-03.md as diaoquesang-medical-ad",
        "import data/seed/lgc-industrial-medical-ad_2025-12.md as lgc-industrial-medical-ad",
    ]
    assert entries[-1]["summary"].endswith(": 49 new, 0 merged, 0 unchanged")


def test_a_deleted_paper_is_no_probable_duplicate(seeded_db):
    ok(seeded_db, "edit", "ju2025delving", "--set", f"title={TITLE}s")  # a typo apart, the same year
    pairs = [(d["citekey"], d["other_citekey"]) for d in json.loads(ok(seeded_db, "duplicates", "-f", "json"))]
    assert pairs == [(KEY, "ju2025delving")] or pairs == [("ju2025delving", KEY)]
    ok(seeded_db, "delete", "ju2025delving")
    result = invoke(seeded_db, "duplicates")
    assert (result.stdout, result.stderr) == ("", "adbib: no probable duplicates\n")


def test_the_log_table_shows_number_time_kind_and_summary(seeded_db):
    """The README's `adbib log -n 4` block, whose times differ on every run."""
    import re

    ok(seeded_db, "edit", KEY, "--set", "venue=ICCV", "--set", "year=2024")
    ok(seeded_db, "undo")
    lines = ok(seeded_db, "log", "-n", "3").splitlines()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
    assert re.fullmatch(
        rf"   7  {stamp}  undo    undo 6: edit {KEY}: venue 'MICCAI' -> 'ICCV'; year 2025 -> 2024", lines[0]
    )
    assert re.fullmatch(
        rf"   6  {stamp}  edit    edit {KEY}: venue 'MICCAI' -> 'ICCV'; year 2025 -> 2024  \[undone by 7\]", lines[1]
    )
    assert re.fullmatch(
        rf"   5  {stamp}  import  import data/seed/medaierhhl-medical-image-ad_2024-02.md as "
        r"medaierhhl-medical-image-ad: 11 new, 3 merged, 0 unchanged",
        lines[2],
    )


def test_log_is_a_read_command_without_the_heavy_stack(seeded_db):
    import subprocess
    import sys

    code = (
        f"import sys; from adbib.cli import main; sys.argv = ['adbib', '--db', {str(seeded_db)!r}, 'log', '-f', 'json'];"
        "\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel', 'alembic'))\n"
        "print('HEAVY', heavy, file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert "HEAVY []" in proc.stderr, proc.stderr
    assert json.loads(proc.stdout)[0]["kind"] == "import"


def test_an_edit_that_changes_nothing_is_no_operation(seeded_db):
    """An UPDATE that writes the values a row has already is not journaled: the edit is not in the log
    (and cannot block the undo of an earlier operation)."""
    ops = last_op(seeded_db)
    result = invoke(seeded_db, "edit", KEY, "--set", "year=2025", "--set", "venue=MICCAI")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "",
        f"adbib: {KEY}: nothing changed (the values are the paper's already)\n",
    )
    assert last_op(seeded_db) == ops
