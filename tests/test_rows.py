"""Paper dicts, `show` details and the browsing listings (adbib.rows) on the database of
tests/test_query.py: real papers of the seed lists, inserted by hand."""

from __future__ import annotations

import pytest

from adbib.dbread import connect
from adbib.query import Query, iter_ids
from adbib.rows import authors, categories, datasets, disagreements, paper_detail, papers, resolve, stats, venues
from test_query import BY_YEAR, build_db

LGC_FILE = "data/seed/lgc-industrial-medical-ad_2025-12.md"
DQS_FILE = "data/seed/diaoquesang-medical-ad_2025-06.md"
RENDERED_FILE = "data/seed/diaoquesang-medical-ad_rendered.txt"
HHL_FILE = "data/seed/medaierhhl-medical-image-ad_2024-02.md"
BERCEA = ["Cosmin I Bercea", "Benedikt Wiestler", "Daniel Rueckert", "Julia A Schnabel"]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    c = connect(build_db(tmp_path_factory.mktemp("rows")))
    yield c
    c.close()


CAI = {
    "id": 7,
    "citekey": "cai2024rethinking",
    "title": "Rethinking Autoencoders for Medical Anomaly Detection from A Theoretical Perspective",
    "year": 2024,
    "date": None,
    "venue": "MICCAI",
    "venue_name": "International Conference on Medical Image Computing and Computer-Assisted Intervention",
    "venue_type": "conference",
    "authors": ["Yu Cai", "Hao Chen", "Kwang-Ting Cheng"],
    "author_names": [
        {"given": "Yu", "family": "Cai", "von": "", "jr": ""},
        {"given": "Hao", "family": "Chen", "von": "", "jr": ""},
        {"given": "Kwang-Ting", "family": "Cheng", "von": "", "jr": ""},
    ],
    "authors_truncated": False,
    "arxiv": "2403.09303",
    "doi": "10.1007/978-3-031-72120-5_51",
    "links": {
        "paper": ["https://link.springer.com/chapter/10.1007/978-3-031-72120-5_51"],
        "arxiv": ["https://arxiv.org/abs/2403.09303"],
        "code": ["https://github.com/caiyu6666/AE4AD"],
    },
    "datasets": [
        {"name": "RSNA", "family": "RSNA", "evidence": "datasets-line"},
        {"name": "VinDr-CXR", "family": "VinDr-CXR", "evidence": "datasets-line"},
        {"name": "Brain Tumor", "family": "Brain Tumor", "evidence": "datasets-line"},
        {"name": "BraTS 2021", "family": "BraTS", "evidence": "datasets-line"},
    ],
    "categories": ["reconstruction"],
    "domain": "medical",
    "abstract": "Medical anomaly detection aims to identify abnormal findings using only normal training data, "
    "playing a crucial role in health screening and recognizing rare diseases. Reconstruction-based methods, "
    "particularly those utilizing autoencoders (AEs), are dominant in this field.",
    "summary": "Minimizing latent entropy is key to improving reconstruction-based detection.",
    "sources": [
        {"file": LGC_FILE, "line": 222, "section": "Reconstruction-based Methods"},
        {"file": DQS_FILE, "line": 100, "section": "3. AE-Based Approaches"},
    ],
    "fields": {},  # pages, volume, … (issue 12): none in the lists
    "short_name": None,
    "tags": [],  # the user's tags and note (issue 13): none in a seeded database
    "note": None,
}


# ------------------------------------------------------------------------------ papers


def test_paper_dict_has_every_key_in_order(con):
    (cai,) = papers(con, [7])
    assert cai == CAI
    assert list(cai) == list(CAI)


def test_papers_keep_the_given_order_and_skip_unknown_ids(con):
    assert [p["id"] for p in papers(con, [14, 1, 99, 7])] == [14, 1, 7]
    assert list(papers(con, [])) == []


def test_chunks_do_not_change_the_result(con):
    whole = list(papers(con, BY_YEAR))
    assert [p["id"] for p in whole] == BY_YEAR
    assert list(papers(con, BY_YEAR, chunk=3)) == whole
    assert list(papers(con, iter(BY_YEAR), chunk=1)) == whole


def test_streams_from_a_query_cursor(con):
    assert [p["citekey"] for p in papers(con, iter_ids(con, Query(), sort="title"), chunk=4)][:3] == [
        "ruff2020deep",
        "wolleb2022diffusion",
        "bercea2024diffusion",
    ]


def test_accented_authors_and_links_by_role(con):
    ruff, chen = papers(con, [6, 4])
    assert ruff["authors"] == [
        "Lukas Ruff",
        "Robert A. Vandermeulen",
        "Nico Görnitz",
        "Alexander Binder",
        "Emmanuel Müller",
        "Klaus-Robert Müller",
        "Marius Kloft",
    ]
    assert ruff["venue"] == "ICLR" and ruff["domain"] == "industrial"
    assert ruff["links"] == {
        "arxiv": ["https://arxiv.org/abs/1906.02694"],
        "code": ["https://github.com/lukasruff/Deep-SAD-PyTorch"],
    }
    assert chen["links"] == {
        "paper": ["https://www.sciencedirect.com/science/article/pii/S136184152100253X"],
        "code-unofficial": ["https://github.com/example/normative-ascent"],
    }


def test_datasets_once_each_with_their_strongest_evidence(con):
    wolleb, bercea, chen = papers(con, [1, 2, 4])
    assert wolleb["datasets"] == [
        {"name": "BraTS 2020", "family": "BraTS", "evidence": "abstract"},
        {"name": "CheXpert", "family": "CheXpert", "evidence": "abstract"},
    ]
    # Wrist X-ray: on LGC's Datasets line and in the rendered abstract -> once, as datasets-line
    assert bercea["datasets"] == [
        {"name": "IXI", "family": "IXI", "evidence": "datasets-line"},
        {"name": "ATLAS", "family": "ATLAS", "evidence": "datasets-line"},
        {"name": "Wrist X-ray", "family": "Wrist X-ray", "evidence": "datasets-line"},
    ]
    assert [d["name"] for d in chen["datasets"]] == ["CamCAN", "BraTS 2017", "ATLAS"]


def test_categories_distinct_and_sorted_sources_in_import_order(con):
    bercea, kascenas = papers(con, [2, 3])
    assert bercea["categories"] == ["diffusion", "reconstruction"]
    assert kascenas["categories"] == ["reconstruction"]  # filed so by two lists
    assert bercea["sources"] == [
        {"file": LGC_FILE, "line": 228, "section": "Reconstruction-based Methods"},
        {"file": DQS_FILE, "line": 222, "section": "5. Diffusion-Based Approaches"},
    ]


def test_dated_preprint_without_authors(con):
    (maediff,) = papers(con, [12])
    assert maediff["date"] == "2024-01-19"
    assert (maediff["venue"], maediff["venue_type"], maediff["authors"], maediff["author_names"]) == (
        "arXiv",
        "preprint",
        [],
        [],
    )
    assert maediff["sources"] == [{"file": HHL_FILE, "line": 14, "section": None}]
    assert maediff["datasets"] == [] and maediff["categories"] == []


# ------------------------------------------------------------------------------ show


@pytest.mark.parametrize(
    "ref, expected",
    [
        ("7", 7),
        ("cai2024rethinking", 7),
        ("wolleb2022diffusiona", 1),  # the old key of a merged paper
        ("10.1007/978-3-031-72120-5_51", 7),
        ("https://doi.org/10.1007/978-3-031-72120-5_51", 7),
        ("DOI:10.1007/978-3-031-72120-5_51", 7),
        ("10.1016/J.MEDIA.2023.102967", 8),
        ("2403.09303", 7),
        ("arXiv:2403.09303v2", 7),
        ("https://arxiv.org/abs/2403.09303v1", 7),
        (" 2403.08464 ", 2),
        ("99", None),
        ("cai2024", None),
        ("10.1000/unknown", None),
        ("", None),
    ],
)
def test_resolve_a_reference(con, ref, expected):
    assert resolve(con, ref) == expected


def test_show_unknown_reference(con):
    assert paper_detail(con, "nobody2099nothing") is None


def test_show_everything_about_a_paper(con):
    d = paper_detail(con, "arXiv:2403.08464")
    assert d["id"] == 2 and d["stars"] == 2
    assert d["datasets"][2] == {
        "name": "Wrist X-ray",
        "family": "Wrist X-ray",
        "evidence": "datasets-line",
        "sources": [
            {"source": "lgc-2025-12", "file": LGC_FILE, "evidence": "datasets-line", "raw": "Wrist X-ray"},
            {"source": "diaoquesang-rendered", "file": RENDERED_FILE, "evidence": "abstract", "raw": "wrist X-rays"},
        ],
    }
    assert d["datasets"][0]["sources"] == [
        {"source": "lgc-2025-12", "file": LGC_FILE, "evidence": "datasets-line", "raw": "IXI"}
    ]
    lgc, dqs = d["provenance"]
    assert (lgc["source"], lgc["file"], lgc["line"], lgc["section"]) == (
        "lgc-2025-12",
        LGC_FILE,
        228,
        "Reconstruction-based Methods",
    )
    # the raw entry exactly as in the file, mojibake and all
    assert lgc["raw_text"].startswith(
        "- ‚≠ê‚≠ê *(2024-MICCAI)* **Diffusion Models with Implicit Guidance for Medical Anomaly Detection**"
    )
    assert lgc["reported"]["authors"] == ["Cosmin Bercea", "Benedikt Wiestler", "Daniel Rueckert", "Julia A. Schnabel"]
    assert dqs["raw_text"] == (
        "- [[MICCAI 2024]](https://arxiv.org/pdf/2403.08464) **Diffusion Models with Implicit Guidance for "
        "Medical Anomaly Detection** [:octocat:](https://github.com/ci-ber/thor_ddpm)"
    )
    assert d["relations"] == [] and d["changes"] == [] and d["citekey_aliases"] == []


def test_show_disagreements_between_sources(con):
    d = paper_detail(con, "bercea2024diffusion")
    assert d["disagreements"] == [
        {
            "field": "authors",
            "stored": BERCEA,
            "reported": [
                {
                    "source": "lgc-2025-12",
                    "file": LGC_FILE,
                    "line": 228,
                    "value": ["Cosmin Bercea", "Benedikt Wiestler", "Daniel Rueckert", "Julia A. Schnabel"],
                },
                {"source": "diaoquesang-2025-06", "file": DQS_FILE, "line": 222, "value": BERCEA},
            ],
        }
    ]
    # Kascenas et al.: the diaoquesang list stops after ten authors ("and others")
    (authors_said,) = paper_detail(con, "kascenas2023role")["disagreements"]
    assert [len(r["value"]) for r in authors_said["reported"]] == [12, 10]
    # a title spelled with other capitals is not a disagreement
    assert paper_detail(con, "cai2024rethinking")["disagreements"] == []


def test_disagreement_on_year_and_venue():
    paper = {
        "title": "Diffusion Models for Medical Anomaly Detection",
        "year": 2022,
        "venue": "MICCAI",
        "authors": ["Julia Wolleb"],
    }
    said = [
        {"source": "a", "file": "a.md", "line": 3, "reported": {"year": 2022, "venue": "MICCAI"}},
        {"source": "b", "file": "b.md", "line": 9, "reported": {"year": 2023, "venue": "miccai", "title": None}},
    ]
    assert disagreements(paper, said) == [
        {
            "field": "year",
            "stored": 2022,
            "reported": [
                {"source": "a", "file": "a.md", "line": 3, "value": 2022},
                {"source": "b", "file": "b.md", "line": 9, "value": 2023},
            ],
        }
    ]


def test_show_relations_both_ways(con):
    squid, pami = paper_detail(con, "xiang2023squid"), paper_detail(con, "2403.08689")
    title = (
        "Exploiting Structural Consistency of Chest Anatomy for Unsupervised Anomaly Detection in Radiography Images"
    )
    assert squid["relations"] == [
        {"kind": "extension_of", "direction": "in", "id": 14, "citekey": "exploiting", "title": title}
    ]
    assert pami["relations"] == [
        {
            "kind": "extension_of",
            "direction": "out",
            "id": 13,
            "citekey": "xiang2023squid",
            "title": "SQUID Deep Feature In-Painting for Unsupervised Anomaly Detection",
        }
    ]


def test_show_changes_and_old_citekeys(con):
    assert paper_detail(con, "cai2024rethinking")["changes"] == [
        {
            "field": "abstract",
            "old": None,
            "new": "Medical anomaly detection aims to identify abnormal findings …",
            "source": "diaoquesang-2025-06",
            "file": DQS_FILE,
        }
    ]
    assert paper_detail(con, "1")["citekey_aliases"] == ["wolleb2022diffusiona"]


# ------------------------------------------------------------------------------ browsing


def test_venues(con):
    rows = venues(con)
    assert [(v["short_name"], v["papers"]) for v in rows] == [
        ("MedIA", 4),
        ("MICCAI", 4),
        ("arXiv", 1),
        ("CVPR", 1),
        ("ICLR", 1),
        ("MIDL", 1),
        ("PAMI", 1),
        ("UNSURE", 1),
    ]
    assert rows[0] == {
        "short_name": "MedIA",
        "name": "Medical Image Analysis",
        "type": "journal",
        "papers": 4,
        "aliases": ["Med. Image Anal.", "MIA"],
    }


def test_datasets_grouped_by_family(con):
    rows = datasets(con)
    # spellings that differ only in spaces or case share one alias key: BraTS2021 is "BraTS 2021"
    assert rows[0] == {
        "family": "BraTS",
        "papers": 6,
        "datasets": [
            {"name": "BraTS 2017", "papers": 2, "aliases": ["BRATS17"]},
            {"name": "BraTS 2020", "papers": 2, "aliases": []},
            {"name": "BraTS 2021", "papers": 2, "aliases": []},
        ],
    }
    assert [(f["family"], f["papers"]) for f in rows[1:]] == [
        ("ATLAS", 4),
        ("CamCAN", 2),
        ("CheXpert", 2),
        ("Brain Tumor", 1),
        ("DigitAnatomy", 1),
        ("IXI", 1),
        ("OpenBHB", 1),
        ("RSNA", 1),
        ("VinDr-CXR", 1),
        ("Wrist X-ray", 1),
        ("ZhangLab Chest X-ray", 1),
    ]


def test_authors(con):
    assert authors(con, limit=5) == [
        {"name": "Xiaoran Chen", "family": "Chen", "papers": 2},
        {"name": "Ender Konukoglu", "family": "Konukoglu", "papers": 2},
        {"name": "Matthew Baugh", "family": "Baugh", "papers": 1},
        {"name": "Cosmin I Bercea", "family": "Bercea", "papers": 1},
        {"name": "Florentin Bieder", "family": "Bieder", "papers": 1},
    ]
    assert len(authors(con)) == 54


def test_categories(con):
    assert categories(con) == [
        {
            "name": "reconstruction",
            "title": "Reconstruction-Based Methods",
            "papers": 8,
            "aliases": ["3. AE-Based Approaches", "autoencoder"],
        },
        {
            "name": "diffusion",
            "title": "Diffusion-Based Approaches",
            "papers": 3,
            "aliases": ["5. Diffusion-Based Approaches", "7. Diffusion-Based Approaches", "ddpm"],
        },
        {
            "name": "supervised",
            "title": "Supervised, Open-Set and Noisy Anomaly Detection",
            "papers": 1,
            "aliases": ["Supervised/Openset/Noise Anomaly Detection Methods"],
        },
    ]


def test_stats(con):
    s = stats(con)
    assert s["counts"] == {
        "papers": 14,
        "authors": 54,
        "venues": 8,
        "datasets": 14,
        "categories": 3,
        "links": 30,
        "sources": 4,
    }
    assert s["sources"][0] == {
        "name": "lgc-2025-12",
        "path": LGC_FILE,
        "entries_read": 12,
        "created": 10,
        "merged": 0,
        "unchanged": 0,
        "skipped": 2,
        "failed": 0,
        "issues": [
            {"kind": "problem", "reason": "empty link: [[Paper]]()", "count": 1, "lines": [100]},
            {"kind": "skipped", "reason": "template entry without a title", "count": 2, "lines": [12, 138]},
        ],
    }
    assert [(x["name"], x["merged"], x["issues"]) for x in s["sources"][1:3]] == [
        ("diaoquesang-2025-06", 4, []),
        ("diaoquesang-rendered", 0, []),
    ]
    assert s["sources"][3]["issues"] == [
        {
            "kind": "problem",
            "reason": "space inside URL 'https://github.com/marksgraham/ transformer-ood'",
            "count": 1,
            "lines": [20],
        }
    ]
    assert s["per_year"] == [
        {"year": y, "papers": n}
        for y, n in [(2020, 2), (2021, 1), (2022, 1), (2023, 3), (2024, 5), (2025, 1), (None, 1)]
    ]
    assert s["per_venue"] == [
        {"venue": v, "papers": n}
        for v, n in [
            ("MedIA", 4),
            ("MICCAI", 4),
            ("arXiv", 1),
            ("CVPR", 1),
            ("ICLR", 1),
            ("MIDL", 1),
            ("PAMI", 1),
            ("UNSURE", 1),
        ]
    ]
    assert s["per_category"] == [
        {"category": "reconstruction", "papers": 8},
        {"category": "diffusion", "papers": 3},
        {"category": "supervised", "papers": 1},
    ]
