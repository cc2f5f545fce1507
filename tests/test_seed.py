"""The seeded database, end to end: every seed list read, normalized, resolved and stored once."""

from __future__ import annotations

import hashlib
import sqlite3
import tomllib

import pytest

from conftest import SEED

# SQLite only: the seeded SQLite file itself (PostgreSQL seeding: the fixtures and tests/test_postgres.py).
pytestmark = pytest.mark.sqlite_only


def authors_of(sql, citekey: str) -> list[str]:
    return [
        r["name"]
        for r in sql(
            "SELECT a.name FROM paper p JOIN authorship x ON x.paper_id = p.id "
            "JOIN author a ON a.id = x.author_id WHERE p.citekey = ? ORDER BY x.position",
            (citekey,),
        )
    ]


def paper(sql, citekey: str) -> sqlite3.Row:
    rows = sql(
        "SELECT p.*, v.short_name AS venue, v.type AS venue_type FROM paper p "
        "LEFT JOIN venue v ON v.id = p.venue_id WHERE p.citekey = ?",
        (citekey,),
    )
    assert len(rows) == 1, citekey
    return rows[0]


def test_manifest_checksums_match_the_shipped_files():
    manifest = tomllib.loads((SEED / "sources.toml").read_text())
    assert [s["name"] for s in manifest["source"]] == [
        "lgc-2025-12",
        "diaoquesang-2025-03",
        "diaoquesang-2025-06",
        "diaoquesang-rendered",
        "medaierhhl-2024-02",
    ]
    for s in manifest["source"]:
        assert hashlib.sha256((SEED / s["file"]).read_bytes()).hexdigest() == s["sha256"], s["file"]


def test_per_source_counts(sql):
    rows = sql(
        "SELECT name, path, entries_read, papers_created, papers_merged, papers_unchanged, entries_skipped, "
        "entries_failed FROM source ORDER BY id"
    )
    assert [tuple(r) for r in rows] == [
        ("lgc-2025-12", "data/seed/lgc-industrial-medical-ad_2025-12.md", 49, 49, 0, 0, 2, 0),
        ("diaoquesang-2025-03", "data/seed/diaoquesang-medical-ad_2025-03.md", 8, 4, 0, 4, 0, 0),
        # 9 merged: cai2025medianomaly's code link differs from the one known only by ?tab=readme-ov-file,
        # a tracking parameter (issue 12), so it is the same link and the paper is unchanged
        ("diaoquesang-2025-06", "data/seed/diaoquesang-medical-ad_2025-06.md", 28, 13, 9, 6, 0, 0),
        ("diaoquesang-rendered", "data/seed/diaoquesang-medical-ad_rendered.txt", 40, 8, 27, 5, 0, 0),
        ("medaierhhl-2024-02", "data/seed/medaierhhl-medical-image-ad_2024-02.md", 14, 11, 3, 0, 0, 0),
    ]
    assert sql("SELECT count(*) FROM paper")[0][0] == 85


def test_a_paper_in_four_lists_is_one_row_with_provenance_from_each(sql):
    rows = sql(
        "SELECT s.path, pr.line, pr.section FROM provenance pr JOIN source s ON s.id = pr.source_id "
        "JOIN paper p ON p.id = pr.paper_id WHERE p.citekey = 'cai2024rethinking' ORDER BY s.id"
    )
    assert [tuple(r) for r in rows] == [
        ("data/seed/lgc-industrial-medical-ad_2025-12.md", 222, "Reconstruction-based Methods"),
        ("data/seed/diaoquesang-medical-ad_2025-03.md", 26, 'Solving "Identical Shortcut"'),
        ("data/seed/diaoquesang-medical-ad_2025-06.md", 100, "AE-Based Approaches"),
        ("data/seed/diaoquesang-medical-ad_rendered.txt", 94, "AE-Based Approaches"),
    ]
    p = paper(sql, "cai2024rethinking")
    assert p["title"] == "Rethinking Autoencoders for Medical Anomaly Detection from A Theoretical Perspective"
    assert (p["year"], p["venue"], p["arxiv_id"], p["doi"]) == (
        2024,
        "MICCAI",
        "2403.09303",
        "10.1007/978-3-031-72120-5_51",
    )
    assert authors_of(sql, "cai2024rethinking") == ["Yu Cai", "Hao Chen", "Kwang-Ting Cheng"]
    assert sql("SELECT count(*) FROM paper WHERE title_key LIKE 'rethinking autoencoders%'")[0][0] == 1


def test_repaired_and_latex_names(sql):
    assert authors_of(sql, "ruff2020deep") == [
        "Lukas Ruff",
        "Robert A. Vandermeulen",
        "Nico Görnitz",
        "Alexander Binder",
        "Emmanuel Müller",
        "Klaus-Robert Müller",
        "Marius Kloft",
    ]
    assert authors_of(sql, "liznerski2021explainable")[-1] == "Klaus-Robert Müller"
    assert "Fabian Gröger" in authors_of(sql, "gonzalezjimenez2025hyperbolic")
    assert authors_of(sql, "schlegl2017unsupervised")[:2] == ["Thomas Schlegl", "Philipp Seeböck"]
    assert authors_of(sql, "wolleb2022diffusion") == [
        "Julia Wolleb",
        "Florentin Bieder",
        "Robin Sandkühler",
        "Philippe C Cattin",
    ]


def test_truncated_and_complete_author_lists(sql):
    # LGC lists all twelve authors; the diaoquesang lists stop at "and others": the complete list wins
    assert len(authors_of(sql, "kascenas2023role")) == 12
    assert paper(sql, "kascenas2023role")["authors_truncated"] == 0
    assert authors_of(sql, "pinaya2022fast") == [
        "Walter H. L. Pinaya",
        "Mark S. Graham",
        "Robert Gray",
        "Pedro F Da Costa",
        "Petru-Daniel Tudosiu",
    ]
    assert paper(sql, "pinaya2022fast")["authors_truncated"] == 1


def test_nested_entries_are_papers_linked_by_relations(sql):
    rows = sql(
        "SELECT s.title AS subject, r.kind, o.title AS object FROM relation r "
        "JOIN paper s ON s.id = r.subject_id JOIN paper o ON o.id = r.object_id ORDER BY s.id"
    )
    assert {(r["subject"], r["kind"], r["object"]) for r in rows} == {
        (
            "Encoder-Decoder Contrast for Unsupervised Anomaly Detection in Medical Images",
            "similar_to",
            "ReContrast: Domain-Specific Anomaly Detection via Contrastive Reconstruction",
        ),
        (
            "Exploiting Structural Consistency of Chest Anatomy for Unsupervised Anomaly Detection in Radiography Images",
            "extension_of",
            "SQUID Deep Feature In-Painting for Unsupervised Anomaly Detection",
        ),
        (
            "Dual-distribution discrepancy with self-supervised refinement for anomaly detection in medical images",
            "extension_of",
            "Dual-Distribution Discrepancy for Anomaly Detection in Chest X-Rays",
        ),
        (
            "f-AnoGAN: Fast unsupervised anomaly detection with generative adversarial networks",
            "extension_of",
            "Unsupervised Anomaly Detection with Generative Adversarial Networks to Guide Marker Discovery",
        ),
    }
    assert len(rows) == 4


def test_similar_titles_and_extensions_stay_separate(sql):
    titles = [
        r[0] for r in sql("SELECT title FROM paper WHERE title LIKE 'Diffusion Models %Medical Anomaly Detection'")
    ]
    assert sorted(titles) == [
        "Diffusion Models for Medical Anomaly Detection",
        "Diffusion Models with Implicit Guidance for Medical Anomaly Detection",
    ]
    anogan = paper(sql, "schlegl2017unsupervised")
    assert (anogan["year"], anogan["venue"]) == (2017, "IPMI")
    f = sql("SELECT p.year, v.short_name FROM paper p JOIN venue v ON v.id = p.venue_id WHERE p.title LIKE 'f-AnoGAN%'")
    assert [tuple(r) for r in f] == [(2019, "MedIA")]


def test_a_typo_in_one_list_does_not_make_a_second_paper(sql):
    # the diaoquesang lists write "Brain lmages"; LGC "Brain Images"; same arXiv id in 2025-06, none in the text copy
    rows = sql("SELECT citekey, title FROM paper WHERE title LIKE 'Diffusion Models for Counterfactual%'")
    assert [tuple(r) for r in rows] == [
        (
            "fontanella2024diffusion",
            "Diffusion Models for Counterfactual Generation and Anomaly Detection in Brain Images",
        )
    ]
    n = sql(
        "SELECT count(*) FROM provenance pr JOIN paper p ON p.id = pr.paper_id WHERE p.citekey = 'fontanella2024diffusion'"
    )
    assert n[0][0] == 3


def test_online_dates_are_kept_as_dates(sql):
    p = sql("SELECT * FROM paper WHERE title LIKE 'Towards Universal Unsupervised%'")[0]
    assert (p["date"], p["year"], p["year_from_date"], p["arxiv_id"]) == ("2024-01-19", 2024, 1, "2401.10637")
    # MedAIerHHL's 2023/03/01 online date does not override the TMI 2024 publication year of LGC
    upd = paper(sql, "lagogiannis2024unsupervised")
    assert (upd["year"], upd["date"], upd["venue"]) == (2024, "2023-03-01", "TMI")


@pytest.mark.parametrize(
    "written, short",
    [
        ("Medical Image Analysis", "MedIA"),
        ("MedIA", "MedIA"),
        ("MIA", "MedIA"),
        ("IF", "InfFus"),
        ("Inf. Fusion", "InfFus"),
        ("CVPR Workshops", "CVPRW"),
        ("TPAMI", "PAMI"),
        ("Nature Communications", "NatCommun"),
    ],
)
def test_venue_spellings_resolve_to_one_venue(sql, written, short):
    from adbib.normalize.text import alias_key

    rows = sql(
        "SELECT v.short_name FROM venue_alias a JOIN venue v ON v.id = a.venue_id WHERE a.alias_key = ?",
        (alias_key(written),),
    )
    assert [r[0] for r in rows] == [short]


def test_venue_types_and_counts(sql):
    rows = sql(
        "SELECT v.short_name, v.type, count(*) FROM paper p JOIN venue v ON v.id = p.venue_id "
        "WHERE v.short_name IN ('MICCAI', 'MedIA', 'CVPRW', 'arXiv') GROUP BY v.id ORDER BY v.short_name"
    )
    assert [tuple(r) for r in rows] == [
        ("CVPRW", "workshop", 1),
        ("MICCAI", "conference", 19),
        ("MedIA", "journal", 11),
        ("arXiv", "preprint", 5),
    ]


def test_datasets_with_families(sql):
    rows = sql(
        "SELECT p.citekey, d.name, d.family FROM paper_dataset pd JOIN dataset d ON d.id = pd.dataset_id "
        "JOIN paper p ON p.id = pd.paper_id WHERE p.citekey IN ('chen2021normative', 'kascenas2023role') "
        "ORDER BY p.citekey, d.name"
    )
    assert [tuple(r) for r in rows] == [
        ("chen2021normative", "ATLAS", "ATLAS"),
        ("chen2021normative", "BraTS 2017", "BraTS"),
        ("chen2021normative", "CamCAN", "CamCAN"),
        ("kascenas2023role", "BraTS 2021", "BraTS"),
        ("kascenas2023role", "CQ500", "CQ500"),
        ("kascenas2023role", "iCAIRD GG&C NHS", "iCAIRD GG&C NHS"),
    ]


def test_categories_per_list(sql):
    rows = sql(
        "SELECT c.name, pc.list_name FROM paper_category pc JOIN category c ON c.id = pc.category_id "
        "JOIN paper p ON p.id = pc.paper_id WHERE p.citekey = 'cai2025medianomaly' ORDER BY c.name"
    )
    assert [tuple(r) for r in rows] == [
        ("benchmark", "diaoquesang-medical-ad"),
        ("survey", "lgc-industrial-medical-ad"),
    ]


def test_one_link_however_it_is_written(sql):
    # LGC: arxiv.org/abs/…, github.com/caiyu6666/AE4AD; diaoquesang: arxiv.org/pdf/…, …/ae4ad
    links = sql(
        "SELECT role, url FROM link l JOIN paper p ON p.id = l.paper_id WHERE p.citekey = 'cai2024rethinking' ORDER BY l.id"
    )
    assert [tuple(r) for r in links] == [
        ("paper", "https://link.springer.com/chapter/10.1007/978-3-031-72120-5_51"),
        ("arxiv", "https://arxiv.org/abs/2403.09303"),
        ("code", "https://github.com/caiyu6666/AE4AD"),
    ]


def test_broken_links_reported_not_stored(sql):
    reasons = [
        tuple(r) for r in sql("SELECT line, reason FROM source_issue WHERE kind = 'problem' ORDER BY source_id, line")
    ]
    assert (151, "link [Paper] not stored: not an http(s) URL: 'CheXpert'") in reasons
    assert sql("SELECT count(*) FROM link WHERE url NOT LIKE 'http%' OR url LIKE '% %'")[0][0] == 0
    links = sql(
        "SELECT role, url FROM link l JOIN paper p ON p.id = l.paper_id WHERE p.citekey = 'baugh2023many' ORDER BY role"
    )
    # the 'ArXiv' link of "Many Tasks" points to GitHub: reported, not stored as an arXiv link
    assert [tuple(r) for r in links] == [
        ("code", "https://github.com/matt-baugh/many-tasks-make-light-work"),
        ("paper", "https://link.springer.com/chapter/10.1007/978-3-031-43907-0_16"),
    ]


def test_seeding_twice_changes_nothing_and_says_so(seeded_db):
    from typer.testing import CliRunner

    from adbib.cli import app

    def dump() -> dict[str, list]:
        con = sqlite3.connect(seeded_db)
        tables = [
            r[0]
            for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'paper_fts%'")
        ]
        out = {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}"))) for t in tables}
        con.close()
        return out

    before = dump()
    result = CliRunner().invoke(app, ["--db", str(seeded_db), "seed"])
    assert result.exit_code == 0, result.output
    assert f"Nothing to do: every seed list is already in {seeded_db}." in result.output
    assert result.output.count("already imported") == 5
    assert dump() == before
