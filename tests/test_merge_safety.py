"""merge shows what will change and refuses papers that clearly differ (issue 13, item 2: the
merge part), on the seeded database."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from adbib.cli import app
from adbib.db import open_for_write
from adbib.mergeplan import MergeRefused
from adbib.store import merge_papers
from helpers.dbstate import snapshot

PLAN = """\
merge pinaya2022fast (Fast Unsupervised Brain Anomaly Detection and Segmentation …)
 into wolleb2022diffusion (Diffusion Models for Medical Anomaly Detection)
  summary: — -> Latent-space diffusion models for brain image anomaly detection.
  doi: — -> 10.1007/978-3-031-16452-1_67
  stars: — -> 1
  moves over: 2 links, 5 datasets, 1 categories, 1 provenance rows
  pinaya2022fast becomes an alias of wolleb2022diffusion
  CONFLICT: titles differ (41 % alike): 'Diffusion Models for Medical Anomaly Detection' / 'Fast Unsupervised Brain Anomaly Detection and Segmentation with Diffusion Models'
  CONFLICT: no author in common: Wolleb, Bieder, Sandkühler, Cattin / Pinaya, Graham, Gray, Costa, Tudosiu
"""
REFUSED = (
    "adbib: not merging pinaya2022fast into wolleb2022diffusion: titles differ (41 % alike): "
    "'Diffusion Models for Medical Anomaly Detection' / 'Fast Unsupervised Brain Anomaly Detection and "
    "Segmentation with Diffusion Models'; no author in common: Wolleb, Bieder, Sandkühler, Cattin / "
    "Pinaya, Graham, Gray, Costa, Tudosiu (--force merges them anyway)\n"
)


def invoke(db, *args: str):
    return CliRunner().invoke(app, ["--db", str(db), *args])


def test_unrelated_papers_are_refused_with_the_plan_shown(seeded_db):
    before = snapshot(seeded_db)
    result = invoke(seeded_db, "merge", "wolleb2022diffusion", "pinaya2022fast")
    assert (result.exit_code, result.stdout, result.stderr) == (1, PLAN, REFUSED)
    assert snapshot(seeded_db) == before


def test_force_merges_them(seeded_db):
    result = invoke(seeded_db, "merge", "wolleb2022diffusion", "pinaya2022fast", "--force")
    assert result.exit_code == 0, result.output
    assert (
        result.stdout
        == PLAN + "merged pinaya2022fast into wolleb2022diffusion: Diffusion Models for Medical Anomaly Detection\n"
    )
    assert invoke(seeded_db, "show", "pinaya2022fast").stdout.startswith(
        "Diffusion Models for Medical Anomaly Detection\n"
    )


def test_dry_run_shows_and_writes_nothing(seeded_db):
    before = snapshot(seeded_db)
    result = invoke(seeded_db, "merge", "schlegl2017unsupervised", "anon2019fanogan", "--dry-run")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (  # anon2019fanogan: the key f-AnoGAN had before a later list named its authors
        "merge schlegl2019fanogan (f-AnoGAN: Fast unsupervised anomaly detection with generati…)\n"
        " into schlegl2017unsupervised (Unsupervised Anomaly Detection with Generative Adversarial …)\n"
        "  moves over: 1 links, 2 provenance rows\n"
        "  schlegl2019fanogan becomes an alias of schlegl2017unsupervised\n"
        "dry run: nothing was merged\n"
    )
    assert snapshot(seeded_db) == before


def test_the_library_refuses_too(seeded_db):
    """The check lives in store.merge_papers as well: a script calling it cannot skip it."""
    engine = open_for_write(seeded_db)
    before = snapshot(seeded_db)
    with pytest.raises(MergeRefused, match="no author in common"):
        merge_papers(engine, seeded_db, "wolleb2022diffusion", "pinaya2022fast")
    assert snapshot(seeded_db) == before
    kept = merge_papers(engine, seeded_db, "wolleb2022diffusion", "pinaya2022fast", force=True)
    assert kept["citekey"] == "wolleb2022diffusion"
    engine.dispose()
