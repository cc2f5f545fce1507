"""The command line on the seeded database: exact output, exit codes, and errors as one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from adbib.cli import app
from conftest import REPO


@pytest.fixture
def run(seeded_db):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, ["--db", str(seeded_db), *args])

    return invoke


def keys(result) -> list[str]:
    assert result.exit_code == 0, result.output
    return result.stdout.split()


def test_the_researchers_question(run):
    result = run("query", "venue:MICCAI dataset:BraTS diffusion", "--format", "keys")
    # MICCAI papers on a BraTS dataset (Datasets: line or abstract) whose text mentions diffusion
    assert sorted(keys(result)) == ["pinaya2022fast", "wolleb2022diffusion"]


def test_default_table(run):
    result = run("query", "venue:MICCAI dataset:BraTS diffusion", "--sort", "title")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].split() == ["citekey", "year", "venue", "title", "authors"]
    assert result.stdout.splitlines()[2].startswith(
        "wolleb2022diffusion  2022    MICCAI   Diffusion Models for Medical Anomaly Detection"
    )


def test_json_objects(run):
    result = run("query", "author:Sandkühler", "--format", "json")
    assert result.exit_code == 0
    [paper] = json.loads(result.stdout)
    assert paper["citekey"] == "wolleb2022diffusion"
    assert paper["authors"] == ["Julia Wolleb", "Florentin Bieder", "Robin Sandkühler", "Philippe C Cattin"]
    assert (paper["venue"], paper["venue_type"], paper["year"], paper["arxiv"]) == (
        "MICCAI",
        "conference",
        2022,
        "2203.04306",
    )
    assert paper["links"]["code"] == ["https://github.com/JuliaWolleb/diffusion-anomaly"]
    assert [s["file"] for s in paper["sources"]] == [
        "data/seed/diaoquesang-medical-ad_2025-03.md",
        "data/seed/diaoquesang-medical-ad_2025-06.md",
        "data/seed/diaoquesang-medical-ad_rendered.txt",
    ]


@pytest.mark.parametrize("q", ["venue:MIA", "venue:MedIA", 'venue:"Medical Image Analysis"'])
def test_venue_aliases(run, q):
    assert len(keys(run("query", q, "-f", "keys"))) == 11


def test_author_accent_insensitive(run):
    assert sorted(keys(run("query", "author:muller", "-f", "keys"))) == [
        "baugh2023many",
        "baugh2024imageconditioned",
        "liznerski2021explainable",
        "ruff2020deep",
    ]


def test_options_match_the_query_language(run):
    a = keys(run("query", "--venue", "MICCAI", "--dataset", "BraTS", "--text", "diffusion", "-f", "keys"))
    b = keys(run("query", "venue:MICCAI dataset:BraTS diffusion", "-f", "keys"))
    assert a == b


@pytest.mark.parametrize(
    "q, message",
    [
        (
            "venu:MICCAI",
            "adbib: unknown field 'venu' (known: venue, year, author, dataset, category, domain, type, has, key, tag)\n",
        ),
        (
            "year:20x",
            "adbib: malformed year '20x' (expected a year such as 2023 or a range: 2022-2024, 2022-, -2020)\n",
        ),
        ('"unbalanced', "adbib: unbalanced quote (\") in query '\"unbalanced'\n"),
    ],
)
def test_query_errors_are_one_line_exit_2(run, q, message):
    result = run("query", q)
    assert result.exit_code == 2
    assert result.stderr == message
    assert result.stdout == ""


def test_empty_result_is_not_an_error(run):
    result = run("query", "venue:MICCAI year:1990")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "adbib: no paper matches\n"


@pytest.mark.parametrize(
    "ref", ["cai2024rethinking", "2403.09303", "arXiv:2403.09303v2", "https://doi.org/10.1007/978-3-031-72120-5_51"]
)
def test_show_by_any_reference(run, ref):
    result = run("show", ref)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Rethinking Autoencoders for Medical Anomaly Detection from A Theoretical Perspective\n")
    assert "  data/seed/diaoquesang-medical-ad_2025-06.md:100  [AE-Based Approaches]" in out
    assert (
        "  BraTS 2021 (family BraTS) — data/seed/lgc-industrial-medical-ad_2025-12.md (datasets-line: 'BraTS2021')"
        in out
    )


def test_show_disagreements(run):
    out = run("show", "kascenas2023role").stdout
    assert "where sources disagree:" in out
    assert "  authors (kept:" in out


def test_show_unknown_reference(run):
    result = run("show", "nope2099")
    assert result.exit_code == 1
    assert result.stderr == "adbib: no paper 'nope2099' (try an id, a citekey, a DOI or an arXiv id)\n"


def test_browsing_commands(run):
    venues = json.loads(run("venues", "-f", "json").stdout)
    assert venues[0]["short_name"] == "MICCAI" and venues[0]["papers"] == 19
    families = json.loads(run("datasets", "-f", "json").stdout)
    brats = next(f for f in families if f["family"] == "BraTS")
    assert sorted(d["name"] for d in brats["datasets"]) == [
        "BraTS",
        "BraTS 2017",
        "BraTS 2018",
        "BraTS 2019",
        "BraTS 2020",
        "BraTS 2021",
    ]
    result = run("venues", "-f", "bibtex")
    assert result.exit_code == 2
    assert result.stderr == "adbib: --format bibtex lists papers; use table, json, csv or markdown for venues\n"


def test_stats(run):
    out = run("stats").stdout
    assert "papers      85" in out
    assert "Papers per year" in out
    # 24, not 25: the list's later revisions relabel kumar2024selfsupervised as WACV 2025
    assert "2024 │████████████████████████████████████████ 24" in out


def test_a_new_users_first_query_seeds_the_database(tmp_path):
    db = tmp_path / "new" / "adbib.db"
    result = CliRunner().invoke(app, ["--db", str(db), "query", "venue:IPMI", "-f", "keys"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "schlegl2017unsupervised\n"
    assert result.stderr.splitlines() == [
        f"adbib: {db} is empty: seeding it from the shipped lists …",
        "adbib: seeded 85 papers from 5 lists",
    ]


def test_query_does_not_import_the_heavy_stack(seeded_db):
    code = (
        f"import sys; from adbib.cli import main; sys.argv = ['adbib', '--db', {str(seeded_db)!r}, 'query', 'venue:MICCAI', '-f', 'json'];"
        "\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel', 'alembic', 'tabulate'))\n"
        "print('HEAVY', heavy, file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert "HEAVY []" in proc.stderr, proc.stderr
