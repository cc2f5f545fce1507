"""A query language that forgives (issue 13, item 3), through the CLI on the seeded database:
a negated term as the first argument, OR / AND / NOT, prefix search, author initials, unquoted
multi-word values, and "did you mean" hints on stderr for values that name nothing."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from adbib import dbread, hints
from adbib import query as Q
from adbib.cli import app

HAO_CHEN = ["cai2025medianomaly", "cai2024rethinking", "li2024target", "cai2022dualdistribution"]
DIFFUSION_OR_FLOW = sorted(
    [
        "anon2023modality",
        "anon2023twostage",
        "anon2024maediff",
        "baugh2024imageconditioned",
        "behrendt2024patched",
        "bercea2024diffusion",
        "bercea2025evaluating",
        "fontanella2024diffusion",
        "kascenas2023role",
        "kumar2024selfsupervised",
        "lei2023pyramidflow",
        "pinaya2022fast",
        "sun2025anomaly",
        "wang2025distribution",
        "wolleb2022diffusion",
        "wyatt2022anoddpm",
        "zhao2023aeflow",
    ]
)


@pytest.fixture
def run(seeded_db):
    def invoke(*args: str):
        return CliRunner().invoke(app, ["--db", str(seeded_db), *args])

    return invoke


def keys(result) -> list[str]:
    assert result.exit_code == 0, result.output
    return result.stdout.split()


def test_a_negated_term_as_the_first_argument(run):
    everything = keys(run("query", "-f", "keys"))
    miccai = keys(run("query", "venue:MICCAI", "-f", "keys"))
    result = run("query", "-venue:MICCAI", "--format", "keys")
    assert (len(everything), len(miccai), len(keys(result))) == (85, 19, 66)
    assert sorted(keys(result)) == sorted(set(everything) - set(miccai))
    # several arguments, each a term; after -- as well (kumar2024selfsupervised: WACV 2025 in the
    # list's later revisions)
    assert sorted(keys(run("query", "-venue:MICCAI", "-year:-2024", "diffusion", "-f", "keys"))) == [
        "bercea2025evaluating",
        "kumar2024selfsupervised",
        "sun2025anomaly",
        "wang2025distribution",
    ]
    assert sorted(keys(run("export", "-f", "keys", "--", "-venue:MICCAI", "-year:-2024", "diffusion"))) == [
        "bercea2025evaluating",
        "kumar2024selfsupervised",
        "sun2025anomaly",
        "wang2025distribution",
    ]
    # exact option names stay options
    assert run("query", "-venue:MICCAI", "-f", "nope").exit_code == 2


def test_or_and_not_keywords(run):
    assert sorted(keys(run("query", "diffusion OR flow", "-f", "keys"))) == DIFFUSION_OR_FLOW
    assert sorted(keys(run("query", "diffusion|flow", "-f", "keys"))) == DIFFUSION_OR_FLOW
    across = keys(run("query", "venue:MICCAI OR dataset:BraTS", "-f", "keys"))
    assert (
        len(across)
        == 28
        == len(
            set(keys(run("query", "venue:MICCAI", "-f", "keys")))
            | set(keys(run("query", "dataset:BraTS", "-f", "keys")))
        )
    )
    assert keys(run("query", "NOT venue:MICCAI", "-f", "keys")) == keys(run("query", "-venue:MICCAI", "-f", "keys"))
    assert keys(run("query", "venue:MICCAI AND diffusion", "-f", "keys")) == keys(
        run("query", "venue:MICCAI diffusion", "-f", "keys")
    )
    result = run("query", "diffusion OR")
    assert (result.exit_code, result.stderr) == (2, "adbib: OR needs a term after it\n")


def test_prefix_search(run):
    assert len(keys(run("query", "diffus*", "-f", "keys"))) == 15
    result = run("query", "diffus", "-f", "keys")  # not a word of any paper: a hint instead
    assert result.stderr == "adbib: no paper contains 'diffus' — did you mean diffusion?\nadbib: no paper matches\n"


@pytest.mark.parametrize(
    "q", ['author:"H. Chen"', "author:Chen,H", 'author:"Chen, H."', 'author:"Hao Chen"', "author:Hao Chen"]
)
def test_author_initials(run, q):
    assert keys(run("query", q, "-f", "keys")) == HAO_CHEN
    assert len(keys(run("query", "author:Chen", "-f", "keys"))) == 13  # Xiaoran Chen and others too


def test_an_unquoted_multi_word_value_is_taken_whole_when_known(run):
    quoted = keys(run("query", 'dataset:"MVTec AD"', "-f", "keys"))
    result = run("query", "dataset:MVTec AD", "-f", "keys")
    assert (len(quoted), keys(result), result.stderr) == (13, quoted, "")
    assert keys(run("query", "dataset:BraTS 2021 diffusion", "-f", "keys")) == keys(
        run("query", 'dataset:"BraTS 2021" diffusion', "-f", "keys")
    )
    # a known value followed by a word: the word is text, as written
    assert len(keys(run("query", "category:diffusion models", "-f", "keys"))) == 8
    # unknown, alone and with the next word: said so, and read as written
    result = run("query", "dataset:Brian Tumor")
    assert result.stderr.splitlines() == [
        "adbib: dataset:Brian is followed by 'Tumor', searched as text; write dataset:\"Brian Tumor\" for one value",
        "adbib: no dataset 'Brian'",
        "adbib: no paper matches",
    ]


@pytest.mark.parametrize(
    "q, said",
    [
        ("venue:MICCIA", "no venue 'MICCIA' — did you mean MICCAI?"),
        ("category:diffusoin", "no category 'diffusoin' — did you mean diffusion?"),
        ("dataset:BRATZ", "no dataset 'BRATZ' — did you mean BraTS?"),
        ("author:Chne", "no author 'Chne' — did you mean Chen?"),
        ("difusion", "no paper contains 'difusion' — did you mean diffusion?"),
        ("reconstrction", "no paper contains 'reconstrction' — did you mean reconstruction?"),
    ],
)
def test_did_you_mean(run, q, said):
    result = run("query", q)
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == f"adbib: {said}\nadbib: no paper matches\n"


def test_a_hint_even_when_other_alternatives_match(run):
    result = run("query", "venue:MICCAI|MICCIA", "-f", "keys")
    assert len(keys(result)) == 19
    assert result.stderr == "adbib: no venue 'MICCIA' — did you mean MICCAI?\n"


def test_hints_write_nothing(seeded_db):
    con = dbread.connect(seeded_db)  # read-only: the fts5vocab tables live in temp
    assert hints.hints(con, Q.parse("difusion")) == ["no paper contains 'difusion' — did you mean diffusion?"]
    assert hints.hints(con, Q.parse("venue:MICCAI diffusion author:Wolleb")) == []
