"""The generic readers: any markdown list, reStructuredText, any CSV/TSV, BibTeX inside markdown.

Inputs are tests/fixtures/lists/ (seven real lists in other dialects, byte for byte from their
repositories, and hand-made files; origins in tests/fixtures/lists/README.md).  Entry counts per
file were made by hand and by independent greps (see the table in ENTRIES).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adbib.cli import app
from adbib.normalize import normalize_record
from adbib.readers import decode, detect, reader
from adbib.readers.entry import parse_tag, two_digit_year
from conftest import SEED

# SQLite only: reader tests reading the stored rows with sqlite3 (readers are engine-independent).
pytestmark = pytest.mark.sqlite_only

LISTS = Path(__file__).parent / "fixtures" / "lists"
ZHUYICHE = "zhuyiche__awesome-anomaly-detection__44e3076.md"
YUXIN = "yuxin-jiang__Awesome-Anomaly-Generation__5e70857.md"
M3LAB = "M-3LAB__awesome-anomaly-synthesis__fbd5cae.md"
ALINA = "alina-mj__Awesome-Anomaly-Detection__7607a82.md"
LIZHONG = "lizhong2613__Awesome-anomaly-detection-baseline__9a6c009.md"
FJCHANGE = "fjchange__awesome-video-anomaly-detection__c582c32.md"
JUNXI = "Junxi-Chen__Awesome-Video-Anomaly-Detection__68a875e.md"


def read(name: str):
    text = decode((LISTS / name).read_bytes())
    return reader(detect(text)).read(text)


def row(rec) -> tuple:
    """(line, title, venue as written, year, arXiv id, code URLs, section, short name)."""
    code = [link.url for link in rec.links if link.role.startswith("code")]
    return (
        rec.line,
        rec.title,
        rec.venue_raw,
        rec.year,
        normalize_record(rec).arxiv,
        code,
        rec.section,
        rec.short_name,
    )


# ------------------------------------------------------------------ detection


def test_detection_over_every_fixture_and_seed():
    expected = {
        **dict.fromkeys((ZHUYICHE, YUXIN, M3LAB, ALINA, LIZHONG, FJCHANGE, JUNXI), "generic"),
        "handmade-table.md": "generic",
        "handmade-shapes.md": "generic",
        "handmade-list.rst": "rst",
        "handmade-papers.tsv": "table",
        "handmade-other-header.csv": "table",
        "handmade-bibtex-in-markdown.md": "bibtex",
    }
    found = {p.name: detect(decode(p.read_bytes())) for p in LISTS.iterdir() if p.name != "README.md"}
    assert {k: v for k, v in found.items() if k in expected} == expected
    seeds = {p.name: detect(decode(p.read_bytes())) for p in SEED.iterdir() if p.suffix in (".md", ".txt")}
    assert seeds == {
        "diaoquesang-medical-ad_2025-03.md": "diaoquesang-md",
        "diaoquesang-medical-ad_2025-06.md": "diaoquesang-md",
        "diaoquesang-medical-ad_rendered.txt": "diaoquesang-text",
        "lgc-industrial-medical-ad_2025-12.md": "lgc",
        "medaierhhl-medical-image-ad_2024-02.md": "medaierhhl",
    }
    golden = Path(__file__).parent / "fixtures" / "golden"
    assert [detect(decode((golden / n).read_bytes())) for n in ("papers.md", "papers.csv", "papers.bib")] == [
        "adbib-md",
        "csv",
        "bibtex",
    ]


def test_a_list_ending_with_its_own_bibtex_citation_stays_a_list():
    # Junxi-Chen's list ends with a ```bibtex block citing the list itself
    text = (LISTS / JUNXI).read_text(encoding="utf-8")
    assert "@misc{awesome-vad," in text
    assert detect(text) == "generic"


# ------------------------------------------------------------------ entries per file

# file: (entries read, failures' lines) — entries in the file counted by hand:
#   zhuyiche 55 `- [Title](url)` bullets; yuxin 34 `+` bullets; M-3LAB 47 `+` bullets;
#   alina 40 citation strings (+ 5 bullets that are repositories, not papers);
#   lizhong 5 `+ **NAME:**[Title](url)`; fjchange 59 numbered papers + 3 in "Specific Scene" /
#   "Related Topics" lists + 2 written as paragraphs + 1 book without link or venue;
#   Junxi 59 numbered blocks outside HTML comments (+ 1 tutorial under Seminars, read too).
ENTRIES = {
    ZHUYICHE: (55, []),
    YUXIN: (34, [5]),
    M3LAB: (47, [5]),
    ALINA: (40, []),
    LIZHONG: (5, []),
    FJCHANGE: (62, [142, 146]),
    JUNXI: (60, [917]),
}


@pytest.mark.parametrize("name", list(ENTRIES))
def test_entry_count_and_failures_per_file(name):
    result = read(name)
    count, failed = ENTRIES[name]
    assert len(result.records) == count
    assert [f.line for f in result.failures] == failed
    assert all(rec.title and rec.line for rec in result.records)


def test_zhuyiche_link_then_venue():
    got = {rec.line: row(rec) for rec in read(ZHUYICHE).records}
    assert got[8] == (8, "Isolation Forest", "ICDM", 2008, None, [], "Classical Method", None)
    assert got[26] == (
        26,
        "Efficient Anomaly Detection via Matrix Sketching",
        "NIPS",
        2018,
        "1804.03065",
        [],
        "One-Class Classification",
        None,
    )
    # no dash before the venue, 'Workshop' after it; the title link points to GitHub: code
    assert got[76] == (
        76,
        "Efficient-GAN-Based Anomaly Detection",
        "ICLR Workshop",
        2018,
        None,
        ["https://github.com/houssamzenati/Efficient-GAN-Anomaly-Detection"],
        "GAN based",
        None,
    )
    assert got[159][1:4] == (
        "A survey on unsupervised outlier detection in high‐dimensional numerical data",
        None,
        None,
    )
    assert read(ZHUYICHE).records[0].headings == ["Classical Method"]  # the list's H1 is not a section


def test_yuxin_plus_bullets_with_tag_links():
    result = read(YUXIN)
    got = {rec.line: row(rec) for rec in result.records}
    assert got[38] == (
        38,
        "CutPaste: Self-supervised Learning for Anomaly Detection and Localization",
        "ICCV",
        2021,
        "2104.04015",
        ["https://github.com/Runinho/pytorch-cutpaste"],
        "CutPaste Method Generation",
        None,
    )
    assert got[45][1:4] == ("Multistage GAN for Fabric Defect Detection", None, 2019)  # a year-only tag
    assert got[96][1:4] == (
        "AnomalyHybrid: A Domain-agnostic Generative Framework for General Anomaly Detection",
        "CVPR SyntaGen Workshop",
        2025,
    )
    assert [link.role for link in result.records[0].links] == ["arxiv", "code-unofficial"]
    # numbering and the parent headings: '1.3.3.1 Text-Image Multi-Modal'
    assert next(r for r in result.records if r.line == 86).headings == [
        "Controllable Image Generation",
        "Diffusion Generation",
        "Multi-Modal Generation",
        "Text-Image Multi-Modal",
    ]
    assert result.failures[0].reason == "no title found (the text is a paragraph, not a title)"


def test_m3lab_trailing_nickname():
    got = {rec.line: row(rec) for rec in read(M3LAB).records}
    assert got[20] == (
        20,
        "Natural Synthetic Anomalies for Self-supervised Anomaly Detection and Localization",
        "ECCV",
        2022,
        "2109.15222",
        ["https://github.com/hmsch/natural-synthetic-anomalies"],
        "Self-Contained",
        "NSA",
    )
    assert got[45] == (
        45,
        "A Unified Model for Multi-class Anomaly Detection",
        "NeurIPS",
        2022,
        "2206.03687",
        ["https://github.com/zhiyuanyou/UniAD"],
        "Data-Driven",
        "UniAD",
    )
    assert got[14][2:4] == ("CVPR", 2021)
    assert [link.role for link in read(M3LAB).records[0].links] == ["arxiv", "code-unofficial"]


def test_alina_citation_strings():
    result = read(ALINA)
    got = {rec.line: row(rec) for rec in result.records}
    assert got[22] == (
        22,
        "Deep learning for anomaly detection: A survey",
        "arXiv",
        2019,
        "1901.03407",
        [],
        "Survey for Overall Anomaly Detection",
        None,
    )
    assert got[30] == (
        30,
        "Training confidence-calibrated classifiers for detecting out-of-distribution samples",
        "ICLR",
        2018,
        "1711.09325",
        ["https://github.com/alinlab/Confident_classifier.git"],
        "Out-of-Distribution (OOD) Detection",
        None,
    )
    assert got[81][1:4] == (
        "Mad-gan: Multivariate anomaly detection for time series data with generative adversarial networks",
        "International Conference on Artificial Neural Networks. Springer, Cham",
        2019,
    )
    by_line = {rec.line: rec for rec in result.records}
    assert by_line[22].authors_raw == "Raghavendra Chalapathy, and Sanjay Chawla"
    assert [n.full for n in normalize_record(by_line[30]).authors] == ["Kimin Lee"]
    assert normalize_record(by_line[30]).authors_truncated
    # the repository bullets ('anomaly-detection-resources | [git](url)') are not papers
    assert not any("resources" in rec.title for rec in result.records)


def test_lizhong_bold_name_label():
    got = [row(rec) for rec in read(LIZHONG).records]
    assert [(r[1], r[7]) for r in got] == [
        ("LOF: Identifying Density-Based Local Outliers", "LOF"),
        ("A Structural Clustering Algorithm for Networks", "SCAN"),
        ("Radar: Residual Analysis for Anomaly Detection in Attributed Networks", "Radar"),
        ("ANOMALOUS: A Joint Modeling Approach for Anomaly Detection on Attributed Networks", "ANOMALOUS"),
        ("Deep Anomaly Detection on Attributed Networks", "Dominant"),
    ]
    assert {r[6] for r in got} == {"Algorithms"}
    assert [s.reason for s in read(LIZHONG).skipped] == [
        "table without a title column (columns: disney, amazon, enron)"
    ]


def test_fjchange_numbered_items_with_span_nicknames():
    result = read(FJCHANGE)
    got = {rec.line: row(rec) for rec in result.records}
    assert got[43] == (
        43,
        "Learning Temporal Regularity in Video Sequences",
        "CVPR",
        2016,
        None,
        ["https://github.com/iwyoo/TemporalRegularityDetector-tensorflow/blob/master/model.py"],
        "Unsupervised",
        "Conv-AE",
    )
    assert got[48][1:4] + got[48][7:] == (
        "Spatio-Temporal AutoEncoder for Video Anomaly Detection",
        "ACM MM",
        2017,
        "Conv3D-AE",
    )
    # a bracketed title without a link, after the nickname
    assert got[74] == (
        74,
        "A Day on Campus - An Anomaly Detection Dataset for Events in a Single Camera",
        "ACCV",
        2020,
        None,
        [],
        "Unsupervised",
        "ADOC",
    )
    assert got[102][1:5] + got[102][7:] == (
        "Not only Look, but also Listen: Learning Multimodal Violence Detection under Weak Supervision",
        "ECCV",
        2020,
        "2007.04687",
        "XD-Violence",
    )
    overview = (
        "An Overview of Deep Learning Based Methods for Unsupervised and Semi-Supervised Anomaly Detection in Videos"
    )
    assert got[124][1:4] == (overview, "J. Image", 2018)
    assert got[171][1:4] == (
        "Human in Events: A Large-Scale Benchmark for Human-centric Video Analysis in Complex Events",
        "ACM MM",
        2020,
    )
    # a year heading gives the year of an entry without a tag, and is not a section
    deep = next(r for r in result.records if r.line == 50)
    assert (deep.year, deep.headings) == (2017, ["Unsupervised"])
    # the Datasets section, the news lines and the results tables are not papers
    assert not any(r.section in ("Datasets", "Recent Updated") for r in result.records)
    assert [s.line for s in result.skipped] == [10, 182, 201, 236, 263]
    assert result.failures[0].reason == "looks like a paper entry outside a list or table; not read"


def test_junxi_multi_line_blocks():
    result = read(JUNXI)
    got = {rec.line: row(rec) for rec in result.records}
    assert got[66] == (
        66,
        "Track Any Anomalous Object: A Granular Video Anomaly Detection Pipeline",
        "CVPR",
        2025,
        "2506.05175",
        ["https://github.com/yu2hi13/TAO"],
        "New Setting Papers",
        "TAO",
    )
    # a bold title over two lines, "arXiv '25"
    assert got[73] == (
        73,
        "Advancing Video Anomaly Understanding via Reinforcement Fine-Tuning",
        "arXiv",
        2025,
        "2505.23504",
        ["https://github.com/GVCLab/VAU-R1"],
        "New Setting Papers",
        "VAU-R1",
    )
    assert got[173][2:4] == ("CVPR", 2019)  # CVPR 19'
    assert got[239][2:4] == ("T-PAMI", 2024)
    assert got[177][7] == "π-VAD"  # [&pi;-VAD]
    # the entries commented out in HTML are not read; badges are not links
    assert not any("Aligning Effective Tokens" in r.title for r in result.records)
    assert all("shields.io" not in link.url for r in result.records for link in r.links)
    assert [s.reason for s in result.skipped] == [
        "section 'Contents': not a paper list",
        "section 'Datasets': not a paper list",
    ]


# ------------------------------------------------------------------ rST, tables, CSV/TSV


def test_rst_list():
    result = read("handmade-list.rst")
    assert [row(r) for r in result.records] == [
        (
            16,
            "PatchCore: Towards Total Recall in Industrial Anomaly Detection",
            "CVPR",
            2022,
            "2106.08265",
            ["https://github.com/amazon-science/patchcore-inspection"],
            "Industrial",
            None,
        ),
        (
            17,
            "Self-Supervised Predictive Convolutional Attentive Block for Anomaly Detection",
            "CVPR",
            2022,
            "2111.09099",
            [],
            "Industrial",
            "SSPCAB",
        ),
        (22, "Differentiable Patch Selection for Anomaly Detection", "WACV", 2023, None, [], "Industrial", None),
        (
            30,
            (
                "Constrained Contrastive Distribution Learning for Unsupervised Anomaly Detection and Localisation in "
                "Medical Images"
            ),
            None,
            2021,
            "2103.03423",
            ["https://github.com/tianyu0207/CCD"],
            "Medical",
            None,
        ),
    ]
    sspcab = result.records[1]
    assert sspcab.authors_raw == "Nicolae-Catalin Ristea, Neelu Madan, Radu Tudor Ionescu"
    assert sspcab.datasets_raw == ["MVTec AD", "Avenue"]
    assert [(f.line, f.reason) for f in result.failures] == [(32, "no title found")]
    assert [s.reason for s in result.skipped] == ["section 'Contents': not a paper list"]


def test_shapes_the_issue_names():
    result = read("handmade-shapes.md")
    assert [row(r) for r in result.records] == [
        (
            5,
            "Unsupervised Anomaly Detection with Generative Adversarial Networks to Guide Marker Discovery",
            "IPMI",
            2017,
            "1703.05921",
            [],
            "GAN",
            "AnoGAN",
        ),
        (6, "Deep Anomaly Detection with Outlier Exposure", "arXiv", 2019, "1812.04606", [], "GAN", None),
        (7, "Attention Guided Anomaly Localization in Images", "ECCV", 2020, None, [], "GAN", None),
    ]
    attention = result.records[2]
    assert (attention.authors_raw, attention.datasets_raw, attention.summary) == (
        "Shashanka Venkataramanan, Kuan-Chuan Peng",
        ["MVTec AD", "CIFAR-10"],
        "A summary of what it does.",
    )
    assert normalize_record(attention).doi == "10.1007/978-3-030-58520-4_29"
    assert result.failures == []


def test_markdown_tables_with_named_columns_in_any_order():
    result = read("handmade-table.md")
    assert [row(r) for r in result.records] == [
        (
            7,
            "Towards Total Recall in Industrial Anomaly Detection",
            "CVPR",
            2022,
            "2106.08265",
            ["https://github.com/amazon-science/patchcore-inspection"],
            "Industrial",
            "PatchCore",
        ),
        (
            8,
            "DRAEM -- A discriminatively trained reconstruction embedding for surface anomaly detection",
            "ICCV",
            2021,
            "2108.07610",
            [],
            "Industrial",
            "DRAEM",
        ),
        (9, "Differentiable Patch Selection for Anomaly Detection", "WACV", 2023, None, [], "Industrial", None),
        (
            16,
            (
                "Constrained Contrastive Distribution Learning for Unsupervised Anomaly Detection and Localisation in "
                "Medical Images"
            ),
            "MICCAI",
            2021,
            "2103.03423",
            [],
            "Medical",
            "CCD",
        ),
    ]
    assert result.records[3].authors_raw == "Yu Tian, Guansong Pang, Fengbei Liu"
    assert normalize_record(result.records[3]).doi == "10.1007/978-3-030-87240-3_14"
    assert [(f.line, f.reason) for f in result.failures] == [(10, "table row without a title")]
    # the results table names papers by an anchor to their entry: cross references, not entries
    assert result.skipped == []


def test_tsv_with_another_header():
    result = read("handmade-papers.tsv")
    assert [(r.line, r.title, r.venue_raw, r.year, r.short_name) for r in result.records] == [
        (2, "Towards Total Recall in Industrial Anomaly Detection", "CVPR", 2022, "PatchCore"),
        (3, "Self-Supervised Predictive Convolutional Attentive Block for Anomaly Detection", "CVPR", 2022, "SSPCAB"),
        (
            5,
            "Padim: a Patch Distribution Modeling Framework for Anomaly Detection and Localization",
            "ICPR",
            None,
            "PaDiM",
        ),
    ]
    first, second, third = (normalize_record(r) for r in result.records)
    assert [n.full for n in first.authors] == ["Karsten Roth", "Latha Pemula", "Joaquin Zepeda"]
    assert (first.arxiv, second.arxiv) == ("2106.08265", "2111.09099")
    assert [link.url for link in first.links if link.role == "code"] == [
        "https://github.com/amazon-science/patchcore-inspection"
    ]
    assert [n.full for n in second.authors] == ["Nicolae-Catalin Ristea", "Neelu Madan"]
    assert third.problems == ["year 'twenty' is not a year"]
    assert [(f.line, f.reason) for f in result.failures] == [(4, "no title")]


def test_csv_columns_option_maps_unusual_headers(empty_db):
    path = LISTS / "handmade-other-header.csv"
    result = CliRunner().invoke(
        app,
        [
            "--db",
            str(empty_db),
            "import",
            str(path),
            "--report",
            "json",
            "--columns",
            "venue=Published in,year=When,authors=Who,url=Link",
        ],
    )
    assert result.exit_code == 0, result.output
    [report] = json.loads(result.stdout)
    assert report["dialect"] == "table"
    assert [(e["line"], e["title"]) for e in report["created"]] == [
        (2, "Towards Total Recall in Industrial Anomaly Detection"),
        (3, "Deep One-Class Classification"),
    ]
    con = sqlite3.connect(empty_db)
    assert con.execute(
        "SELECT p.year, v.short_name, p.arxiv_id FROM paper p JOIN venue v ON v.id = p.venue_id ORDER BY p.id"
    ).fetchall() == [(2022, "CVPR", "2106.08265"), (2018, "ICML", None)]
    assert con.execute("SELECT name FROM author ORDER BY id").fetchall() == [
        ("Karsten Roth",),
        ("Latha Pemula",),
        ("Lukas Ruff",),
    ]


def test_a_table_without_a_title_column_fails_in_one_line(empty_db, tmp_path):
    path = tmp_path / "methods.csv"
    path.write_text("Method,Venue,Year\nPatchCore,CVPR,2022\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--db", str(empty_db), "import", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"adbib: {path}: no title column among the columns found: Method, Venue, Year (name one with --columns title=HEADER)\n"
    )
    bad = CliRunner().invoke(app, ["--db", str(empty_db), "import", str(path), "--columns", "titel=Method"])
    assert bad.exit_code == 1
    assert bad.stderr.startswith("adbib: --columns: unknown field 'titel' (fields: title, authors, ")
    assert "Traceback" not in bad.output


# ------------------------------------------------------------------ years and tags


def test_two_digit_years_pivot():
    assert [two_digit_year(y) for y in (0, 16, 19, 25, 27)] == [2000, 2016, 2019, 2025, 2027]
    assert [two_digit_year(y) for y in (28, 87, 99)] == [1928, 1987, 1999]  # this year is 2026: pivot at next year


@pytest.mark.parametrize(
    ("text", "venue", "year"),
    [
        ("arXiv' 19", "arXiv", 2019),
        ("CVPR '25", "CVPR", 2025),
        ("CVPR 16", "CVPR", 2016),
        ("ECCV 20'", "ECCV", 2020),
        ("[TKDE-2018]", "TKDE", 2018),
        ("(OCC)ICCV 2021", "ICCV", 2021),
        ("ECCV 2020 Spotlight", "ECCV", 2020),
        ("CVPR '24 Workshop", "CVPR Workshop", 2024),
        ("T-PAMI '24", "T-PAMI", 2024),
        ("2019", None, 2019),
        ("Intelligent Systems with Applications '23", "Intelligent Systems with Applications", 2023),
    ],
)
def test_venue_tags(text, venue, year):
    tag = parse_tag(text)
    assert (tag.venue, tag.year) == (venue, year)


@pytest.mark.parametrize(
    "text", ["Code", "Download link", "AUC", "Learning Temporal Regularity in Video Sequences", "2"]
)
def test_not_venue_tags(text):
    assert parse_tag(text) is None


# ------------------------------------------------------------------ through the CLI


def test_import_a_list_with_auto_detection_dry_run_shows_failures(empty_db):
    path = LISTS / FJCHANGE
    result = CliRunner().invoke(app, ["--db", str(empty_db), "import", str(path), "--dry-run"])
    assert result.stdout.splitlines()[0] == (
        f"{path} (generic, source {path.stem}): would import 62 entries: 61 new, 0 merged, 1 unchanged, 5 skipped, 2 failed, "
        "9 new vocabulary"
    )
    assert "  failed     line   142  looks like a paper entry outside a list or table; not read" in result.stdout
    assert "  failed     line   146  looks like a paper entry outside a list or table; not read" in result.stdout
    assert sqlite3.connect(empty_db).execute("SELECT count(*) FROM paper").fetchone() == (0,)


def test_short_name_is_stored_shown_and_exported(empty_db):
    runner = CliRunner()
    for name in (ALINA, FJCHANGE):
        runner.invoke(app, ["--db", str(empty_db), "import", str(LISTS / name)])
    con = sqlite3.connect(empty_db)
    # ALOCC: alina's list has no nickname, fjchange's gives [ALOOC]: the first source that gives one keeps it
    key, short = con.execute(
        "SELECT citekey, short_name FROM paper WHERE title = 'Adversarially learned one-class classifier for novelty detection'"
    ).fetchone()
    assert (key, short) == ("sabokrou2018adversarially", "ALOOC")
    shown = runner.invoke(app, ["--db", str(empty_db), "show", key]).stdout
    assert "short name:   ALOOC\n" in shown
    exported = json.loads(
        runner.invoke(app, ["--db", str(empty_db), "export", "--format", "json", "Adversarially learned"]).stdout
    )
    assert [(p["citekey"], p["short_name"]) for p in exported] == [
        ("sabokrou2018adversarially", "ALOOC"),
        ("anon2020old", "OGNet"),
    ]


def test_bibtex_inside_markdown_imports_as_bibtex(empty_db):
    result = CliRunner().invoke(
        app, ["--db", str(empty_db), "import", str(LISTS / "handmade-bibtex-in-markdown.md"), "--report", "json"]
    )
    [report] = json.loads(result.stdout)
    assert report["dialect"] == "bibtex"
    assert [(e["line"], e["title"]) for e in report["created"]] == [
        (6, "Towards Total Recall in Industrial Anomaly Detection"),
        (13, "DRAEM – A discriminatively trained reconstruction embedding for surface anomaly detection"),
        (23, "Self-Supervised Predictive Convolutional Attentive Block for Anomaly Detection"),
    ]


def test_import_help_lists_the_readers():
    text = CliRunner().invoke(app, ["import", "--help"], terminal_width=200).stdout
    flat = " ".join(text.split())
    for name in (
        "lgc",
        "diaoquesang-md",
        "diaoquesang-text",
        "medaierhhl",
        "adbib-md",
        "csv",
        "bibtex",
        "table",
        "rst",
        "generic",
    ):
        assert name in flat
    assert "--columns" in flat


def test_emphasis_nested_thousands_deep_is_read_as_text():
    # markdown-it nests one token per '*': its syntax tree would recurse past Python's limit
    text = "## Papers\n\n| Title | Venue |\n|---|---|\n| " + "*" * 3000 + "Deep" + "*" * 3000 + " | CVPR 2020 |\n"
    result = reader("generic").read(text)
    assert len(result.records) == 1 and result.records[0].title.strip("*") == "Deep"
    assert (result.records[0].venue_raw, result.records[0].year) == ("CVPR", 2020)


def test_a_paragraph_broken_by_html_keeps_its_failures_on_its_own_line():
    """Found by the fuzz campaign (generic, seed 5296): a <br> inside one paragraph line moved the
    reported line past the paragraph (and past the end of a short file)."""
    from adbib.readers import reader

    text = (
        "# L\n\nRecent advances in anomaly detection of parts. CVPR 2023 [paper](http://x.org/a)<br>"
        "Another study of defect detection here. ICCV 2023 [paper](http://y.org/b)\n"
    )
    result = reader("generic").read(text)
    assert [(f.line, f.reason) for f in result.failures] == [
        (3, "looks like a paper entry outside a list or table; not read"),
    ] * 2
