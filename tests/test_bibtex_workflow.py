"""Issue 12: BibTeX that authors can trust.

Faithful import of an author's .bib (tests/fixtures/authors.bib, and hazards.bib of issue 5):
their keys survive, the standard fields are kept, crossref is resolved, names are split by
BibTeX's rule only, months are numbers; then the citation workflow (``export --aux``, ``--keys``,
``key:``, ``rekey``), output that passes bibtex, biber and pandoc, and ``enrich`` against a local
HTTP server speaking Crossref's and arXiv's documented formats.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from adbib.cli import app
from adbib.exporters import bibtex, csl, ris
from adbib.normalize import normalize_record
from adbib.normalize.ids import check_url, link_key
from adbib.readers import bibtex as reader

# SQLite only: TeX builds of exports, which are byte-identical on both engines (tests/test_postgres.py).
pytestmark = pytest.mark.sqlite_only

FIXTURES = Path(__file__).parent / "fixtures"
AUTHORS = FIXTURES / "authors.bib"
HAZARDS = FIXTURES / "hazards.bib"
runner = CliRunner()

# In CI the TeX tools are installed by .ci/run: a missing one is then a failure, not a skip.
IN_CI = os.environ.get("CI", "").lower() == "true"


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        if IN_CI:
            pytest.fail(f"CI=true but {', '.join(missing)} not installed (.ci/run installs them)")
        pytest.skip(f"{', '.join(missing)} not installed")


def cli(db: Path, *args: str, ok: bool = True):
    result = runner.invoke(app, ["--db", str(db), *args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def records() -> dict:
    return {r.citekey: r for r in reader.read(AUTHORS.read_text(encoding="utf-8")).records}


# ---------------------------------------------------------------- reading: fields and hazards


def test_crossref_fields_are_inherited_and_the_proceedings_is_a_venue_not_a_paper():
    parsed = reader.read(AUTHORS.read_text(encoding="utf-8"))
    assert [(s.line, s.reason) for s in parsed.skipped] == [
        (65, "@proceedings{MICCAI2022} is cross-referenced: a venue whose fields its papers inherit")
    ]
    assert "MICCAI2022" not in {r.citekey for r in parsed.records}
    rec = records()["Teixeira2022Fundus"]
    assert rec.venue_raw == "Medical Image Computing and Computer Assisted Intervention \u2013 MICCAI 2022"
    assert normalize_record(rec).venue == "MICCAI"
    assert rec.year == 2022
    assert rec.fields == {
        "pages": "654-663", "volume": "13438", "publisher": "Springer", "day": "18", "month": "9",
        "editor": "Wang, Linwei and Dou, Qi and Fletcher, P. Thomas and Speidel, Stefanie and Li, Shuo",
        "address": "Cham", "isbn": "978-3-031-16451-4", "series": "Lecture Notes in Computer Science",
        "entrytype": "inproceedings",
    }  # fmt: skip
    # the volume's DOI is not the paper's: identity fields never pass down
    assert [link.role for link in rec.links] == []


def test_crossref_target_before_its_entries_and_a_missing_target():
    text = (
        "@proceedings{vol, title = {Medical Imaging with Deep Learning}, year = 2024, publisher = {PMLR}}\n"
        "@inproceedings{a, title = {A}, author = {X, Y}, crossref = {VOL}}\n"
        "@inproceedings{b, title = {B}, author = {X, Y}, crossref = {nowhere}, year = 2021}\n"
    )
    by_key = {r.citekey: r for r in reader.read(text).records}
    assert (by_key["a"].venue_raw, by_key["a"].year, by_key["a"].fields["publisher"]) == (
        "Medical Imaging with Deep Learning",
        2024,
        "PMLR",
    )
    assert by_key["b"].problems == ["crossref 'nowhere': no entry with that key"]


@pytest.mark.parametrize(
    ("author", "names"),
    [
        # the example: one person with a von part and a two-word family name, not four people
        ("dos Santos Teixeira, Pedro Henriques and Milidi{\\'u}, Ruy Luiz",
         [("Pedro Henriques", "dos", "Santos Teixeira", ""), ("Ruy Luiz", "", "Milidiú", "")]),
        ("van den Hengel, Anton and De La Torre, Fernando and Santos, Jr., Maria",
         [("Anton", "van den", "Hengel", ""), ("Fernando", "", "De La Torre", ""), ("Maria", "", "Santos", "Jr.")]),
        # "Given Family" persons: still BibTeX's rule (the last word is the family)
        ("Ludwig van Beethoven and Jean-Marie U-King-Im",
         [("Ludwig", "van", "Beethoven", ""), ("Jean-Marie", "", "U-King-Im", "")]),
        # a comma inside one person never splits it (the markdown heuristics would make two people)
        ("Da Costa, Pedro Ferreira", [("Pedro Ferreira", "", "Da Costa", "")]),
        ("{MONAI Consortium} and others", [("", "", "MONAI Consortium", "")]),
    ],
)  # fmt: skip
def test_bibtex_names_are_split_by_bibtex_rules_only(author, names):
    rec = reader.read(f"@misc{{k, title = {{T}}, author = {{{author}}}}}").records[0]
    assert rec.authors_bibtex
    got = normalize_record(rec)
    assert [(n.given, n.von, n.family, n.jr) for n in got.authors] == names
    assert got.authors_truncated == author.endswith("others")


@pytest.mark.parametrize(
    ("month", "fields", "problems"),
    [
        ("sep", {"month": "9"}, []),
        ("{Sep.}", {"month": "9"}, []),
        ('"September"', {"month": "9"}, []),
        ("{12}", {"month": "12"}, []),
        ('may # "~1"', {"month": "5", "day": "1"}, []),
        ("{Spring}", {"month": "Spring"}, ["month 'Spring' is not a month: kept as written"]),
    ],
)
def test_month_macros_become_numbers(month, fields, problems):
    rec = reader.read(f"@misc{{k, title = {{T}}, month = {month}}}").records[0]
    assert {k: v for k, v in rec.fields.items() if k != "entrytype"} == fields
    assert rec.problems == problems


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("{[PDF] Deep One-Class Classification}", "Deep One-Class Classification"),
        ("{Memory-augmented autoencoders [J]}", "Memory-augmented autoencoders"),
        ("{[HTML][HTML] Patch {SVDD}}", "[HTML] Patch SVDD"),
        ("{Anomaly detection in {[}medical{]} images}", "Anomaly detection in [medical] images"),
    ],
)
def test_stray_brackets_and_braces_leave_titles(title, expected):
    assert reader.read(f"@misc{{k, title = {title}}}").records[0].title == expected


def test_every_standard_field_is_kept_and_an_arxiv_eprint_is_the_arxiv_id():
    rec = records()["ruff2020deep"]
    assert rec.fields == {"pages": "102-115", "volume": "77", "number": "3", "month": "3", "issn": "1361-8415",
                          "note": "Special issue", "entrytype": "article"}  # fmt: skip
    sad = records()["Ruff_DeepSAD"]
    assert "eprint" not in sad.fields and [link.url for link in sad.links] == ["https://arxiv.org/abs/1906.02694"]
    pubmed = reader.read("@article{k, title = {T}, eprint = {12345678}, eprinttype = {pubmed}}").records[0]
    assert pubmed.fields == {"eprint": "12345678", "eprinttype": "pubmed", "entrytype": "article"}


# ---------------------------------------------------------------- keys that survive


@pytest.fixture
def imported(seeded_db) -> Path:
    result = cli(seeded_db, "import", str(AUTHORS), "--report", "json")
    (report,) = json.loads(result.output)
    seeded_db.with_suffix(".report.json").write_text(json.dumps(report))
    return seeded_db


def report_of(db: Path) -> dict:
    return json.loads(db.with_suffix(".report.json").read_text())


def test_new_papers_take_the_entry_key(imported):
    created = {e["citekey"]: e["title"] for e in report_of(imported)["created"]}
    assert created == {
        "roth2022patchcore": "Towards Total Recall in Industrial Anomaly Detection",
        "someone2022different": "A Different Paper That Took Ruff's Key",
        "Teixeira2022Fundus": "Anomaly Detection in Retinal Fundus Images with Weight Decay Skip Connections",
        "vanhengel2022fundus": "Fundus Anomaly Localisation with Gaussian Mixtures",
    }
    shown = json.loads(cli(imported, "show", "roth2022patchcore", "-f", "json").output)
    assert shown["fields"] == {"address": "New Orleans, LA, USA", "entrytype": "inproceedings", "month": "6",
                               "pages": "14318-14328", "publisher": "IEEE"}  # fmt: skip


def test_a_key_taken_by_another_paper_is_reported_and_not_stolen(imported):
    problems = [(p["line"], p["reason"]) for p in report_of(imported)["problems"]]
    assert (33, "citekey 'ruff2020deep' belongs to another paper: this entry is someone2022different") in problems
    shown = json.loads(cli(imported, "show", "ruff2020deep", "-f", "json").output)
    assert shown["title"] == "Deep Semi-Supervised Anomaly Detection"


def test_a_key_that_differs_only_in_case_is_taken_too(imported, tmp_path):
    """bibtex compares keys ignoring case: two entries Ruff2020Deep and ruff2020deep in one export
    would be a "Repeated entry" error."""
    bib = tmp_path / "case.bib"
    bib.write_text("@misc{Ruff2020Deep, title = {Yet Another Paper}, author = {Other, Anna}, year = 2021}")
    result = json.loads(cli(imported, "import", str(bib), "--report", "json").output)[0]
    assert [e["citekey"] for e in result["created"]] == ["other2021yet"]
    assert [p["reason"] for p in result["problems"]] == [
        "citekey 'Ruff2020Deep' belongs to another paper: this entry is other2021yet"
    ]
    refused = cli(imported, "rekey", "other2021yet", "RUFF2020DEEP", ok=False)
    assert (refused.exit_code, refused.output) == (
        1,
        "adbib: 'RUFF2020DEEP' is taken by another paper (ruff2020deep)\n",
    )


def test_a_merged_entry_leaves_its_key_as_an_alias(imported):
    # nothing else to add to the paper: unchanged, but its key is now an alias
    assert "ruff2020deep" in {e["citekey"] for e in report_of(imported)["unchanged"]}
    shown = json.loads(cli(imported, "show", "Ruff_DeepSAD", "-f", "json").output)
    assert (shown["citekey"], shown["citekey_aliases"]) == ("ruff2020deep", ["Ruff_DeepSAD"])
    assert cli(imported, "query", "key:Ruff_DeepSAD|roth2022patchcore", "-f", "keys").output == (
        "roth2022patchcore\nruff2020deep\n"
    )


def test_an_anon_key_is_derived_again_once_when_the_paper_first_gets_authors(imported):
    shown = json.loads(cli(imported, "show", "anon2023latent", "-f", "json").output)
    assert shown["citekey"] == "graham2023latent"
    assert shown["citekey_aliases"] == ["anon2023latent"]
    assert shown["authors"][:2] == ["Mark S. Graham", "Petru-Daniel Tudosiu"]
    assert shown["fields"] == {"entrytype": "article", "pages": "102967", "volume": "90"}
    # the .bib entry's own key is the new key: no alias needed for it
    assert {"field": "citekey", "old": "anon2023latent", "new": "graham2023latent"} in [
        {k: c[k] for k in ("field", "old", "new")} for c in shown["changes"]
    ]
    # a later import with other authors does not change the key again
    later = imported.parent / "later.bib"
    later.write_text("@article{x, title = {Latent Transformer Models for out-of-distribution detection},"
                     " author = {Graham, Mark S. and Cardoso, M. Jorge}, doi = {10.1016/j.media.2023.102967},"
                     " journal = {Medical Image Analysis}, year = 2023}")  # fmt: skip
    cli(imported, "import", str(later))
    assert json.loads(cli(imported, "show", "x", "-f", "json").output)["citekey"] == "graham2023latent"


def test_rekey_keeps_the_old_key_as_an_alias(imported):
    assert cli(imported, "rekey", "roth2022patchcore", "roth2022towards").output == (
        "roth2022patchcore is now roth2022towards: Towards Total Recall in Industrial Anomaly Detection\n"
    )
    shown = json.loads(cli(imported, "show", "roth2022patchcore", "-f", "json").output)
    assert (shown["citekey"], shown["citekey_aliases"]) == ("roth2022towards", ["roth2022patchcore"])
    # back to the alias: it becomes the key again, the other key an alias
    cli(imported, "rekey", "roth2022towards", "roth2022patchcore")
    shown = json.loads(cli(imported, "show", "roth2022towards", "-f", "json").output)
    assert (shown["citekey"], shown["citekey_aliases"]) == ("roth2022patchcore", ["roth2022towards"])


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["roth2022patchcore", "ruff2020deep"], 1, "adbib: 'ruff2020deep' is taken by another paper (ruff2020deep)\n"),
        (["roth2022patchcore", "Ruff_DeepSAD"], 1, "adbib: 'Ruff_DeepSAD' is taken by another paper (ruff2020deep)\n"),
        (["roth2022patchcore", "a key"], 2,
         "adbib: 'a key' cannot be a citekey: use letters, digits and - _ : . / (no spaces, commas, braces or quotes)\n"),
        (["nosuchpaper", "newkey"], 1, "adbib: no paper 'nosuchpaper'\n"),
    ],
)  # fmt: skip
def test_rekey_refusals(imported, args, code, message):
    result = cli(imported, "rekey", *args, ok=False)
    assert (result.exit_code, result.output) == (code, message)


# ---------------------------------------------------------------- the citation workflow


AUX_BIBTEX = r"""\relax
\citation{roth2022patchcore}
\citation{Teixeira2022Fundus,Ruff_DeepSAD}
\citation{anon2023latent}
\citation{vanhengel2022fundus}
\citation{roth2022patchcore}
\citation{nosuchkey}
\bibstyle{plain}
\bibdata{refs}
"""


def test_export_aux_writes_exactly_the_cited_entries_under_the_cited_keys(imported, tmp_path):
    aux = tmp_path / "main.aux"
    aux.write_text(AUX_BIBTEX)
    result = runner.invoke(app, ["--db", str(imported), "export", "-f", "bibtex", "--aux", str(aux)])
    assert result.exit_code == 0
    keys = re.findall(r"^@\w+\{([^,]+),", result.stdout, re.MULTILINE)
    # in citation order, each once; the alias Ruff_DeepSAD and the old key anon2023latent as cited
    assert keys == ["roth2022patchcore", "Teixeira2022Fundus", "Ruff_DeepSAD", "anon2023latent", "vanhengel2022fundus"]
    assert result.stderr == f"adbib: 1 of 6 keys cited in {aux} are not in the database: nosuchkey\n"


def test_export_aux_prints_no_terminal_control_from_the_aux_file(imported, tmp_path):
    aux = tmp_path / "evil.aux"
    aux.write_text("\\citation{x\x1b[2J\x07y,roth2022patchcore}\n")
    result = runner.invoke(app, ["--db", str(imported), "export", "-f", "bibtex", "--aux", str(aux)])
    assert result.exit_code == 0
    assert result.stderr == f"adbib: 1 of 2 keys cited in {aux} are not in the database: x\\x1b[2J\\x07y\n"


def test_export_aux_reads_biblatex_and_included_aux_files(imported, tmp_path):
    (tmp_path / "chapter.aux").write_text(
        "\\relax\n\\abx@aux@cite{0}{Ruff_DeepSAD}\n\\abx@aux@segm{0}{0}{Ruff_DeepSAD}\n"
    )
    (tmp_path / "main.aux").write_text("\\relax\n\\abx@aux@cite{0}{roth2022patchcore}\n\\@input{chapter.aux}\n")
    result = cli(imported, "export", "-f", "bibtex", "--aux", str(tmp_path / "main.aux"))
    assert re.findall(r"^@\w+\{([^,]+),", result.output, re.MULTILINE) == ["roth2022patchcore", "Ruff_DeepSAD"]


def test_export_keys_and_limit(imported):
    out = cli(imported, "export", "-f", "bibtex", "--keys", "Ruff_DeepSAD,roth2022patchcore,nosuch").output
    assert re.findall(r"^@\w+\{([^,]+),", out, re.MULTILINE) == ["roth2022patchcore", "ruff2020deep"]
    out = cli(imported, "export", "-f", "bibtex", "--limit", "3").output
    assert len(re.findall(r"^@", out, re.MULTILINE)) == 3
    result = cli(imported, "export", "-f", "bibtex", "--aux", "missing.aux", ok=False)
    assert (result.exit_code, result.output) == (2, "adbib: --aux missing.aux: No such file or directory\n")


def test_exported_fields_for_each_entry_type(imported):
    out = cli(
        imported, "export", "-f", "bibtex", "--keys", "Teixeira2022Fundus,someone2022different,roth2022patchcore"
    ).output
    entries = {m[1]: m[0] for m in re.finditer(r"^@\w+\{([^,]+),\n.*?^\}$", out, re.MULTILINE | re.DOTALL)}
    assert entries["Teixeira2022Fundus"] == (
        "@inproceedings{Teixeira2022Fundus,\n"
        "  author = {dos Santos Teixeira, Pedro Henriques and Milidi{\\'u}, Ruy Luiz},\n"
        "  title = {Anomaly Detection in Retinal Fundus Images with Weight Decay Skip Connections},\n"
        "  year = {2022},\n"
        "  booktitle = {International Conference on Medical Image Computing and Computer-Assisted Intervention},\n"
        "  editor = {Wang, Linwei and Dou, Qi and Fletcher, P. Thomas and Speidel, Stefanie and Li, Shuo},\n"
        "  volume = {13438},\n"
        "  series = {Lecture Notes in Computer Science},\n"
        "  pages = {654--663},\n"
        "  address = {Cham},\n"
        "  month = sep,\n"
        "  publisher = {Springer},\n"
        "  isbn = {978-3-031-16451-4}\n"
        "}"
    )
    assert entries["someone2022different"] == (
        "@article{someone2022different,\n"
        "  author = {Someone, Else},\n"
        "  title = {A Different Paper That Took Ruff's Key},\n"
        "  year = {2022},\n"
        "  journal = {Medical Image Analysis},\n"
        "  volume = {77},\n"
        "  number = {3},\n"
        "  pages = {102--115},\n"
        "  month = mar,\n"
        "  issn = {1361-8415},\n"
        "  note = {Special issue}\n"
        "}"
    )


# ---------------------------------------------------------------- output the strict tools accept


def _run(cwd: Path, *cmd: str) -> str:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=180, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


_LATEX = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-draftmode")
_CITES = (
    r"\cite{roth2022patchcore} \cite{Teixeira2022Fundus,Ruff_DeepSAD} \cite{anon2023latent} \cite{vanhengel2022fundus}"
)
_BIBTEX_DOC = (
    "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{natbib}\n\\usepackage{url}\n"
    "\\begin{document}\nCITES\n\\bibliographystyle{STYLE}\n\\bibliography{refs}\n\\end{document}\n"
)
_BIBLATEX_DOC = (
    "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[backend=biber]{biblatex}\n"
    "\\addbibresource{refs.bib}\n\\begin{document}\nCITES\n\\printbibliography\n\\end{document}\n"
)


def _warnings(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("!") or "Warning" in line or "undefined" in line]


@pytest.mark.slow
def test_import_then_export_aux_compiles_with_bibtex_and_biber_without_warnings(imported, tmp_path):
    """The done-when of the issue: a document citing the .bib's keys (and an alias, and an old
    anon… key), its .aux given to ``export --aux``, compiles with plain, alpha, unsrtnat and with
    biber, 0 warnings, every citation resolved."""
    need("pdflatex", "bibtex", "biber")
    builds = [(s, _BIBTEX_DOC.replace("STYLE", s), "bibtex") for s in ("plain", "alpha", "unsrtnat")]
    builds.append(("biblatex", _BIBLATEX_DOC, "biber"))
    for name, source, tool in builds:
        work = tmp_path / name
        work.mkdir()
        (work / "doc.tex").write_text(source.replace("CITES", _CITES))
        _run(work, *_LATEX, "doc")
        cli(imported, "export", "-f", "bibtex", *(["--unicode"] if tool == "biber" else []),
            "--aux", str(work / "doc.aux"), "-o", str(work / "refs.bib"))  # fmt: skip
        report = _run(work, tool, "doc")
        assert not re.search(r"warn|error", report, re.IGNORECASE), (name, report)
        _run(work, *_LATEX, "doc")
        _run(work, *_LATEX, "doc")
        assert _warnings((work / "doc.log").read_text(errors="replace")) == [], name
        bbl = (work / "doc.bbl").read_text()
        assert bbl.count("\\bibitem" if tool == "bibtex" else "\\entry{") == 5, name


def _seeded_export(db: Path, tmp_path: Path, *extra: str) -> Path:
    out = tmp_path / "all.bib"
    cli(db, "export", "-f", "bibtex", *extra, "-o", str(out))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("unicode", [False, True])
def test_biber_validates_the_whole_seeded_export_with_0_warnings(imported, tmp_path, unicode):
    need("biber")
    path = _seeded_export(imported, tmp_path, *(["--unicode"] if unicode else []))
    report = _run(tmp_path, "biber", "--tool", "--validate-datamodel", str(path))
    assert [line for line in report.splitlines() if "WARN" in line or "ERROR" in line] == []


@pytest.mark.slow
def test_plain_alpha_unsrtnat_give_0_warnings_on_the_whole_seeded_export(imported, tmp_path):
    need("pdflatex", "bibtex")
    shutil.copy(_seeded_export(imported, tmp_path), tmp_path / "refs.bib")
    for style in ("plain", "alpha", "unsrtnat"):
        (tmp_path / f"{style}.tex").write_text(_BIBTEX_DOC.replace("STYLE", style).replace("CITES", "\\nocite{*}"))
        _run(tmp_path, *_LATEX, style)
        report = _run(tmp_path, "bibtex", style)
        assert not re.search(r"warn|error", report, re.IGNORECASE), (style, report)


@pytest.mark.slow
def test_csl_json_renders_with_pandoc_citeproc(imported, tmp_path):
    need("pandoc")
    path = tmp_path / "refs.json"
    cli(imported, "export", "-f", "csl", "--keys", "Teixeira2022Fundus,roth2022patchcore,vanhengel2022fundus",
        "-o", str(path))  # fmt: skip
    doc = tmp_path / "doc.md"
    doc.write_text("See [@roth2022patchcore; @Teixeira2022Fundus; @vanhengel2022fundus].\n")
    text = _run(tmp_path, "pandoc", "--citeproc", "--bibliography", str(path), "-t", "plain", "--wrap=none", str(doc))
    assert (
        "Roth, Karsten, Latha Pemula, Joaquin Zepeda, Bernhard Schölkopf, Thomas Brox, and Peter Gehler. 2022." in text
    )
    assert "“Towards Total Recall in Industrial Anomaly Detection.”" in text
    # the citation shows the particles; Chicago (pandoc's default style) sorts by the family name and
    # moves the particle after the given name in the bibliography
    assert (
        "See (Roth et al. 2022; dos Santos Teixeira and Milidiú 2022; van den Hengel, De La Torre, and Santos 2022)."
        in text
    )
    assert "Santos Teixeira, Pedro Henriques dos, and Ruy Luiz Milidiú. 2022." in text
    assert "Hengel, Anton van den, Fernando De La Torre, and Maria Santos Jr. 2022." in text
    assert (
        "edited by Linwei Wang, Qi Dou, P. Thomas Fletcher, Stefanie Speidel, and Shuo Li, 13438:654–63. Cham: Springer."
        in text
    )


def test_csl_item_fields():
    paper = {
        "citekey": "k", "title": "T", "year": 2022, "venue": "MICCAI", "venue_type": "conference",
        "venue_name": "Medical Image Computing and Computer Assisted Intervention",
        "author_names": [{"given": "Anton", "von": "van den", "family": "Hengel", "jr": ""},
                         {"given": "", "von": "", "family": "MONAI Consortium", "jr": ""}],
        "arxiv": "2203.04306", "doi": "10.1007/x_1", "links": {}, "abstract": None,
        "fields": {"pages": "654-663", "volume": "13438", "month": "9", "publisher": "Springer",
                   "editor": "Wang, Linwei and {MICCAI Society}"},
    }  # fmt: skip
    assert csl.item(paper) == {
        "id": "k", "type": "paper-conference", "title": "T",
        "author": [{"family": "Hengel", "given": "Anton", "non-dropping-particle": "van den"},
                   {"literal": "MONAI Consortium"}],
        "editor": [{"family": "Wang", "given": "Linwei"}, {"literal": "MICCAI Society"}],
        "issued": {"date-parts": [[2022, 9]]},
        "container-title": "Medical Image Computing and Computer Assisted Intervention",
        "page": "654-663", "volume": "13438", "publisher": "Springer", "DOI": "10.1007/x_1",
        "URL": "https://arxiv.org/abs/2203.04306", "note": "arXiv:2203.04306",
    }  # fmt: skip


def test_ris_record(imported):
    out = cli(imported, "export", "-f", "ris", "--keys", "Teixeira2022Fundus").output
    assert out == (
        "TY  - CONF\n"
        "ID  - Teixeira2022Fundus\n"
        "TI  - Anomaly Detection in Retinal Fundus Images with Weight Decay Skip Connections\n"
        "AU  - dos Santos Teixeira, Pedro Henriques\n"
        "AU  - Milidiú, Ruy Luiz\n"
        "PY  - 2022\n"
        "DA  - 2022/09//\n"
        "T2  - International Conference on Medical Image Computing and Computer-Assisted Intervention\n"
        "ED  - Wang, Linwei\nED  - Dou, Qi\nED  - Fletcher, P. Thomas\nED  - Speidel, Stefanie\nED  - Li, Shuo\n"
        "VL  - 13438\n"
        "SP  - 654\n"
        "EP  - 663\n"
        "PB  - Springer\n"
        "CY  - Cham\n"
        "SN  - 978-3-031-16451-4\n"
        "ER  - \n\n"
    )
    hostile = ris.record({"citekey": "k", "title": "A\nTY  - JOUR\r\nrest", "year": None, "venue": None,
                          "venue_name": None, "venue_type": None, "author_names": [], "arxiv": None,
                          "doi": None, "links": {}})  # fmt: skip
    assert hostile == [("TY", "GEN"), ("ID", "k"), ("TI", "A TY - JOUR rest"), ("ER", "")]


@pytest.mark.parametrize(
    ("title", "latex"),
    [
        ("MetaAD: Metabolism-Aware Anomaly Detection for Parkinson's Disease in 3D F-FDG PET",
         "{MetaAD}: Metabolism-Aware Anomaly Detection for {Parkinson}'s Disease in {3D} {F-FDG} {PET}"),
        ("Adapting the Segment Anything Model for Multi-Modal Retinal Anomaly Detection and Localization",
         "Adapting the {Segment Anything Model} for Multi-Modal Retinal Anomaly Detection and Localization"),
        ("Unsupervised anomaly detection with Dirichlet process mixtures on BraTS and MVTec AD",
         "Unsupervised anomaly detection with {Dirichlet} process mixtures on {BraTS} and {MVTec AD}"),
        # sentence case: the author's capitals are proper nouns; a subtitle's first word is not
        ("Anomaly detection in chest radiographs from Shenzhen: a study with Bayesian networks",
         "Anomaly detection in chest radiographs from {Shenzhen}: a study with {Bayesian} networks"),
        ("Fast unsupervised anomaly detection: Towards clinical use",
         "Fast unsupervised anomaly detection: Towards clinical use"),
        # Title Case: capitals are style, not proper nouns
        ("Deep Semi-Supervised Anomaly Detection", "Deep Semi-Supervised Anomaly Detection"),
    ],
)  # fmt: skip
def test_proper_nouns_and_mid_title_capitals_are_brace_protected(title, latex):
    assert bibtex.latex_title(title) == latex


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("https://github.com/caiyu6666/MedIAnomaly?tab=readme-ov-file#reconstruction-based-methods",
         "https://github.com/caiyu6666/MedIAnomaly"),
        ("https://github.com/a/b/tree/main/src#readme", "https://github.com/a/b/tree/main/src"),
        ("https://github.com/a/b/blob/main/x.py#L10", "https://github.com/a/b/blob/main/x.py#L10"),
        ("https://example.org/p?utm_source=twitter&id=3&utm_medium=social#sec", "https://example.org/p?id=3#sec"),
        ("https://www.sciencedirect.com/science/article/pii/S1361841523000555?via%3Dihub",
         "https://www.sciencedirect.com/science/article/pii/S1361841523000555?via%3Dihub"),
        ("https://example.org/?fbclid=abc", "https://example.org/"),
        ("https://example.org/search?tab=papers", "https://example.org/search?tab=papers"),
    ],
)  # fmt: skip
def test_tracking_parameters_leave_urls(url, clean):
    assert check_url(url) == clean
    assert link_key(url) == link_key(clean)


def test_a_stored_url_is_clean_after_import(empty_db, tmp_path):
    bib = tmp_path / "one.bib"
    bib.write_text("@misc{k, title = {T}, author = {X, Y}, year = 2020,"
                   " code = {https://github.com/x/y?tab=readme-ov-file#usage}}")  # fmt: skip
    cli(empty_db, "import", str(bib))
    assert json.loads(cli(empty_db, "show", "k", "-f", "json").output)["links"] == {"code": ["https://github.com/x/y"]}


# ---------------------------------------------------------------- enrich against a local server


CROSSREF_LATENT = {  # Crossref REST API /works/{doi}: https://api.crossref.org/swagger-ui/index.html
    "status": "ok", "message-type": "work", "message-version": "1.0.0",
    "message": {
        "DOI": "10.1016/j.media.2023.102967", "type": "journal-article", "publisher": "Elsevier BV",
        "title": ["Latent Transformer Models for out-of-distribution detection"],
        "container-title": ["Medical Image Analysis"], "volume": "90", "article-number": "102967",
        "author": [{"given": "Mark S.", "family": "Graham", "sequence": "first", "affiliation": []},
                   {"given": "Petru-Daniel", "family": "Tudosiu", "sequence": "additional", "affiliation": []},
                   {"given": "M. Jorge", "family": "Cardoso", "sequence": "additional", "affiliation": []}],
        "published-print": {"date-parts": [[2023, 12]]}, "issued": {"date-parts": [[2023, 12]]},
    },
}  # fmt: skip
CROSSREF_PANG = {  # a paper that has its authors: only the pages and publisher are missing
    "status": "ok", "message-type": "work", "message-version": "1.0.0",
    "message": {
        "DOI": "10.1145/3292500.3330871", "type": "proceedings-article", "publisher": "ACM",
        "title": ["Deep Anomaly Detection with Deviation Networks"], "page": "353-362",
        "container-title": ["Proceedings of the 25th ACM SIGKDD International Conference on Knowledge Discovery & Data Mining"],
        "author": [{"given": "Guansong", "family": "Pang", "sequence": "first", "affiliation": []},
                   {"given": "Chunhua", "family": "Shen", "sequence": "additional", "affiliation": []},
                   {"given": "Anton", "family": "van den Hengel", "sequence": "additional", "affiliation": []},
                   {"given": "Somebody", "family": "Else", "sequence": "additional", "affiliation": []}],
        "issued": {"date-parts": [[2019, 7, 25]]},
    },
}  # fmt: skip
ARXIV_MAEDIFF = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title type="html">ArXiv Query: id_list=2401.10561</title>
  <entry>
    <id>http://arxiv.org/abs/2401.10561v1</id>
    <published>2024-01-19T09:24:13Z</published>
    <title>MAEDiff: Masked Autoencoder-enhanced Diffusion Models for Unsupervised Anomaly Detection in Brain Images</title>
    <author><name>Rui Xu</name></author>
    <author><name>Yunke Wang</name></author>
    <author><name>Bo Du</name></author>
    <arxiv:primary_category term="eess.IV" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
</feed>
"""
ARXIV_EXPLOITING = ARXIV_MAEDIFF.replace("2401.10561", "2403.08689").replace(
    "2024-01-19T09:24:13Z", "2024-03-13T16:38:31Z").replace(
    "MAEDiff: Masked Autoencoder-enhanced Diffusion Models for Unsupervised Anomaly Detection in Brain Images",
    "Exploiting Structural Consistency of Chest Anatomy for Unsupervised Anomaly Detection in Radiography Images",
).replace("<author><name>Rui Xu</name></author>", "<author><name>Tiange Xiang</name></author>").replace(
    "<author><name>Yunke Wang</name></author>\n    <author><name>Bo Du</name></author>",
    "<author><name>Zongwei Zhou</name></author>")  # fmt: skip


ARXIV_EMPTY = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">
  <title type="html">ArXiv Query: id_list=2306.02602</title>
  <opensearch:totalResults>0</opensearch:totalResults>
</feed>
"""


class _Service(BaseHTTPRequestHandler):
    responses: ClassVar[dict[str, tuple[int, str, str]]] = {}
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        code, kind, body = self.responses.get(self.path.split("&")[0], (404, "text/plain", "Resource not found."))
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def services(monkeypatch, tmp_path):
    _Service.seen = []
    _Service.responses = {
        "/works/10.1016/j.media.2023.102967": (200, "application/json", json.dumps(CROSSREF_LATENT)),
        "/works/10.1145/3292500.3330871": (200, "application/json", json.dumps(CROSSREF_PANG)),
        "/api/query?id_list=2401.10561": (200, "application/atom+xml", ARXIV_MAEDIFF),
        "/api/query?id_list=2403.08689": (200, "application/atom+xml", ARXIV_EXPLOITING),
        "/api/query?id_list=2306.02602": (200, "application/atom+xml", ARXIV_EMPTY),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Service)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("ADBIB_CROSSREF_URL", base)
    monkeypatch.setenv("ADBIB_ARXIV_URL", base)
    monkeypatch.setenv("ADBIB_ENRICH_DELAY", "0")
    monkeypatch.setenv("ADBIB_CACHE_DIR", str(tmp_path / "cache"))
    yield _Service
    server.shutdown()
    server.server_close()


def test_enrich_fills_only_what_is_missing_with_its_own_provenance(seeded_db, services):
    result = cli(
        seeded_db,
        "enrich",
        "key:anon2023latent|anon2024maediff|anonndexploiting|anon2023recontrast|ruff2020deep|pang2019deep",
    )
    # ruff2020deep lacks only pages, volume…: arXiv cannot give those, so it is not asked
    assert result.output.splitlines() == [
        "graham2023latent: authors, volume, publisher from crossref",
        "pang2019deep: pages, publisher from crossref",
        "xu2024maediff: authors from arxiv",
        "xiang2024exploiting: authors, year from arxiv",
        "anon2023recontrast: not found in arxiv",
        "6 papers selected: 4 filled, 0 lack nothing, 0 have gaps but no DOI or arXiv id (5 lookups)",
    ]
    pang = json.loads(cli(seeded_db, "show", "pang2019deep", "-f", "json").output)
    assert pang["authors"] == ["Guansong Pang", "Chunhua Shen", "Anton van den Hengel"]  # had them: kept
    assert (pang["venue"], pang["fields"]) == ("KDD", {"pages": "353-362", "publisher": "ACM"})
    latent = json.loads(cli(seeded_db, "show", "anon2023latent", "-f", "json").output)
    assert latent["authors"] == ["Mark S. Graham", "Petru-Daniel Tudosiu", "M. Jorge Cardoso"]
    assert latent["fields"] == {"publisher": "Elsevier BV", "volume": "90"}
    assert latent["title"] == "Latent Transformer Models for out-of-distribution detection"
    assert [p["source"] for p in latent["provenance"]][-1] == "crossref"
    exploiting = json.loads(cli(seeded_db, "show", "anonndexploiting", "-f", "json").output)
    assert (exploiting["year"], exploiting["date"], exploiting["authors"]) == (
        2024,
        "2024-03-13",
        ["Tiange Xiang", "Zongwei Zhou"],
    )
    # the venue it had stays; no second lookup: responses (also "not found") are cached
    assert exploiting["venue"] == "PAMI"
    asked = len(services.seen)
    cli(seeded_db, "enrich", "key:anon2023recontrast|anon2023latent")
    assert len(services.seen) == asked


def test_enrich_without_network_is_one_line_and_writes_nothing(seeded_db, monkeypatch, tmp_path):
    monkeypatch.setenv("ADBIB_CROSSREF_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.setenv("ADBIB_ARXIV_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ADBIB_ENRICH_DELAY", "0")
    monkeypatch.setenv("ADBIB_CACHE_DIR", str(tmp_path / "cache"))
    before = sqlite3.connect(seeded_db).execute("SELECT count(*) FROM source").fetchone()
    result = cli(seeded_db, "enrich", "key:anon2023latent", ok=False)
    assert result.exit_code == 1
    assert re.fullmatch(r"adbib: cannot reach crossref \(127\.0\.0\.1:9\): .+; enrich needs the network, nothing was written\n",
                        result.output)  # fmt: skip
    assert sqlite3.connect(seeded_db).execute("SELECT count(*) FROM source").fetchone() == before


def test_merge_moves_the_fields_and_show_lists_them(imported):
    cli(
        imported, "merge", "vanhengel2022fundus", "Teixeira2022Fundus", "--force"
    )  # two papers: merged by hand on purpose
    shown = json.loads(cli(imported, "show", "Teixeira2022Fundus", "-f", "json").output)
    assert shown["citekey"] == "vanhengel2022fundus"
    # the kept paper's own values win; what it lacked comes from the other one
    assert (shown["fields"]["pages"], shown["fields"]["day"]) == ("1-10", "18")
    text = cli(imported, "show", "vanhengel2022fundus").output
    assert "fields:\n  address         Cham\n  day             18\n" in text


def test_adbib_bibtex_export_imports_back_with_its_keys_fields_and_code_links(imported, tmp_path):
    from adbib.db import open_for_write

    path, other = tmp_path / "all.bib", tmp_path / "other.db"  # (empty_db would be imported's own file)
    open_for_write(other).dispose()
    cli(imported, "export", "-f", "bibtex", "-o", str(path))
    cli(other, "import", str(path))
    con_a, con_b = sqlite3.connect(imported), sqlite3.connect(other)
    sql = ("SELECT p.citekey, l.url FROM link l JOIN paper p ON p.id = l.paper_id WHERE l.role = 'code'"
           " ORDER BY 1, 2")  # fmt: skip
    first_code = {}
    for key, url in con_a.execute(sql):
        first_code.setdefault(key, url)  # the export writes the first official code link
    assert dict(con_b.execute(sql).fetchall()) == first_code
    assert {r[0] for r in con_b.execute("SELECT citekey FROM paper")} == {
        r[0] for r in con_a.execute("SELECT citekey FROM paper")
    }
    fields = ("SELECT p.citekey, f.name, f.value FROM paper_field f JOIN paper p ON p.id = f.paper_id"
              " WHERE f.name IN ('pages', 'volume', 'editor', 'month') ORDER BY 1, 2")  # fmt: skip
    back = con_b.execute(fields).fetchall()
    # every field comes back (a venue the vocabulary does not know is kept, so its entry keeps its type)
    assert sorted(set(con_a.execute(fields).fetchall()) - set(back)) == []
    # a paper without a year is written with the year and month of its arXiv id (2403.08689)
    assert set(back) - set(con_a.execute(fields).fetchall()) == {("anonndexploiting", "month", "3")}
