"""The query language (adbib.query) on a small database of real papers from the seed lists.

The database is built by the real migrations; its rows are inserted by hand with the values the
seed lists give (titles, authors, venues, datasets, links, line numbers), so every expected
result set below can be checked against the lists themselves.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from adbib.errors import UsageError
from adbib.normalize.text import alias_key, title_key
from adbib.query import Filters, Query, Term, build, parse, run, to_sql

REPO = Path(__file__).resolve().parents[1]
LGC, DQS, RENDERED, HHL = 1, 2, 3, 4

SOURCES = [  # id, name, list, path, dialect, read, created, merged, unchanged, skipped, failed
    (
        LGC,
        "lgc-2025-12",
        "lgc-industrial-medical-ad",
        "data/seed/lgc-industrial-medical-ad_2025-12.md",
        "lgc",
        12,
        10,
        0,
        0,
        2,
        0,
    ),
    (
        DQS,
        "diaoquesang-2025-06",
        "diaoquesang-medical-ad",
        "data/seed/diaoquesang-medical-ad_2025-06.md",
        "diaoquesang-md",
        5,
        1,
        4,
        0,
        0,
        0,
    ),
    (
        RENDERED,
        "diaoquesang-rendered",
        "diaoquesang-medical-ad",
        "data/seed/diaoquesang-medical-ad_rendered.txt",
        "diaoquesang-text",
        2,
        0,
        0,
        2,
        0,
        0,
    ),
    (
        HHL,
        "medaierhhl-2024-02",
        "medaierhhl-medical-image-ad",
        "data/seed/medaierhhl-medical-image-ad_2024-02.md",
        "medaierhhl",
        3,
        3,
        0,
        0,
        0,
        0,
    ),
]
SOURCE_ISSUES = [  # source, line, kind, reason
    (LGC, 12, "skipped", "template entry without a title"),
    (LGC, 138, "skipped", "template entry without a title"),
    (LGC, 100, "problem", "empty link: [[Paper]]()"),
    (HHL, 20, "problem", "space inside URL 'https://github.com/marksgraham/ transformer-ood'"),
]
VENUES = [  # id, short name, name, type, aliases
    (
        1,
        "MICCAI",
        "International Conference on Medical Image Computing and Computer-Assisted Intervention",
        "conference",
        ["Medical Image Computing and Computer Assisted Intervention"],
    ),
    (2, "MedIA", "Medical Image Analysis", "journal", ["MIA", "Med. Image Anal."]),
    (3, "ICLR", "International Conference on Learning Representations", "conference", []),
    (4, "MIDL", "Medical Imaging with Deep Learning", "conference", []),
    (
        5,
        "UNSURE",
        "Uncertainty for Safe Utilization of Machine Learning in Medical Imaging",
        "workshop",
        ["MICCAI UNSURE"],
    ),
    (6, "arXiv", "arXiv", "preprint", ["CoRR"]),
    (7, "CVPR", "IEEE/CVF Conference on Computer Vision and Pattern Recognition", "conference", []),
    (8, "PAMI", "IEEE Transactions on Pattern Analysis and Machine Intelligence", "journal", ["TPAMI"]),
    (9, "ISBI", "IEEE International Symposium on Biomedical Imaging", "conference", []),  # no papers
]
DATASETS = [  # id, name, family, aliases
    (1, "BraTS 2021", "BraTS", ["BraTS2021"]),
    (2, "BraTS 2020", "BraTS", ["BraTS2020", "BRATS2020"]),
    (3, "BraTS 2017", "BraTS", ["BRATS17", "BraTS2017"]),
    (4, "IXI", "IXI", []),
    (5, "ATLAS", "ATLAS", []),
    (6, "CamCAN", "CamCAN", ["Cam-CAN"]),
    (7, "CheXpert", "CheXpert", ["Stanford CheXpert"]),
    (8, "RSNA", "RSNA", []),
    (9, "VinDr-CXR", "VinDr-CXR", []),
    (10, "Brain Tumor", "Brain Tumor", []),
    (11, "OpenBHB", "OpenBHB", ["OpenBHB dataset"]),
    (12, "DigitAnatomy", "DigitAnatomy", []),
    (13, "ZhangLab Chest X-ray", "ZhangLab Chest X-ray", []),
    (14, "MVTec AD", "MVTec AD", []),  # no papers
    (15, "Wrist X-ray", "Wrist X-ray", []),
]
CATEGORIES = [  # id, slug, title, aliases, list headings
    (
        1,
        "reconstruction",
        "Reconstruction-Based Methods",
        ["autoencoder"],
        ["Reconstruction-based Methods", "3. AE-Based Approaches"],
    ),
    (
        2,
        "diffusion",
        "Diffusion-Based Approaches",
        ["ddpm"],
        ["5. Diffusion-Based Approaches", "7. Diffusion-Based Approaches"],
    ),
    (
        3,
        "supervised",
        "Supervised, Open-Set and Noisy Anomaly Detection",
        [],
        ["Supervised/Openset/Noise Anomaly Detection Methods"],
    ),
    (4, "gan", "GAN-Based Approaches", [], []),  # no papers
]
RECON_LGC = "Reconstruction-based Methods"

# The papers, as the seed lists give them.  datasets: (name, source, evidence, raw);
# provenance: (source, line, section, overrides of what that source reported).
PAPERS = [
    {
        "id": 1,
        "citekey": "wolleb2022diffusion",
        "title": "Diffusion Models for Medical Anomaly Detection",
        "year": 2022,
        "venue": 1,
        "domain": "medical",
        "arxiv": "2203.04306",
        "authors": [("Julia", "Wolleb"), ("Florentin", "Bieder"), ("Robin", "Sandkühler"), ("Philippe C", "Cattin")],
        "abstract": "In medical applications, weakly supervised anomaly detection methods are of great interest, "
        "as only image-level annotations are required for training. Current anomaly detection methods mainly "
        "rely on generative adversarial networks or autoencoder models. We present a novel weakly supervised "
        "anomaly detection method based on denoising diffusion implicit models. We evaluate our method on the "
        "BRATS2020 dataset for brain tumor detection and the CheXpert dataset for detecting pleural effusions.",
        "links": [
            ("arxiv", "https://arxiv.org/pdf/2203.04306"),
            ("code", "https://github.com/JuliaWolleb/diffusion-anomaly"),
        ],
        "datasets": [("BraTS 2020", RENDERED, "abstract", "BRATS2020"), ("CheXpert", RENDERED, "abstract", "CheXpert")],
        "categories": [("diffusion", "diaoquesang-medical-ad")],
        "provenance": [
            (DQS, 274, "5. Diffusion-Based Approaches", {}),
            (RENDERED, 178, "7. Diffusion-Based Approaches", {}),
        ],
    },
    {
        "id": 2,
        "citekey": "bercea2024diffusion",
        "title": "Diffusion Models with Implicit Guidance for Medical Anomaly Detection",
        "year": 2024,
        "venue": 1,
        "domain": "medical",
        "arxiv": "2403.08464",
        "doi": "10.1007/978-3-031-72120-5_20",
        "stars": 2,
        "authors": [("Cosmin I", "Bercea"), ("Benedikt", "Wiestler"), ("Daniel", "Rueckert"), ("Julia A", "Schnabel")],
        "abstract": "Diffusion models have advanced unsupervised anomaly detection by improving the transformation "
        "of pathological images into pseudo-healthy equivalents. Nonetheless, standard approaches may compromise "
        "critical information during pathology removal, leading to restorations that do not align with "
        "unaffected regions in the original scans.",
        "summary": "A diffusion-based method that uses temporal anomaly guidance to preserve healthy tissue.",
        "links": [
            ("paper", "https://link.springer.com/chapter/10.1007/978-3-031-72120-5_20"),
            ("arxiv", "https://arxiv.org/abs/2403.08464"),
            ("code", "https://github.com/ci-ber/THOR_DDPM"),
        ],
        "datasets": [
            ("IXI", LGC, "datasets-line", "IXI"),
            ("ATLAS", LGC, "datasets-line", "ATLAS"),
            ("Wrist X-ray", LGC, "datasets-line", "Wrist X-ray"),
            ("Wrist X-ray", RENDERED, "abstract", "wrist X-rays"),
        ],
        "categories": [("reconstruction", "lgc-industrial-medical-ad"), ("diffusion", "diaoquesang-medical-ad")],
        "provenance": [
            (
                LGC,
                228,
                RECON_LGC,
                {"authors": ["Cosmin Bercea", "Benedikt Wiestler", "Daniel Rueckert", "Julia A. Schnabel"]},
            ),
            (DQS, 222, "5. Diffusion-Based Approaches", {}),
        ],
    },
    {
        "id": 3,
        "citekey": "kascenas2023role",
        "title": "The role of noise in denoising models for anomaly detection in medical images",
        "year": 2023,
        "venue": 2,
        "domain": "medical",
        "arxiv": "2301.08330",
        "stars": 2,
        "authors": [
            ("Antanas", "Kascenas"),
            ("Pedro", "Sanchez"),
            ("Patrick", "Schrempf"),
            ("Chaoyang", "Wang"),
            ("William", "Clackett"),
            ("Shadia S.", "Mikhael"),
            ("Jeremy P.", "Voisey"),
            ("Keith", "Goatman"),
            ("Alexander", "Weir"),
            ("Nicolas", "Pugeault"),
            ("Sotirios A.", "Tsaftaris"),
            ("Alison Q.", "O'Neil"),
        ],
        "summary": "Tuning the spatial scale and magnitude of training noise significantly boosts denoising "
        "autoencoders.",
        "links": [
            ("paper", "https://www.sciencedirect.com/science/article/pii/S1361841523002232"),
            ("arxiv", "https://arxiv.org/abs/2301.08330"),
            ("code", "https://github.com/AntanasKascenas/DenoisingAE"),
        ],
        "datasets": [("BraTS 2021", LGC, "datasets-line", "BraTS 2021")],
        "categories": [("reconstruction", "lgc-industrial-medical-ad"), ("reconstruction", "diaoquesang-medical-ad")],
        "provenance": [
            (LGC, 175, RECON_LGC, {}),
            (
                DQS,
                126,
                "3. AE-Based Approaches",
                {
                    "title": "The Role of Noise in Denoising Models for Anomaly Detection in Medical Images",
                    "authors": [
                        "Antanas Kascenas",
                        "Pedro Sanchez",
                        "Patrick Schrempf",
                        "Chaoyang Wang",
                        "William Clackett",
                        "Shadia S Mikhael",
                        "Jeremy P Voisey",
                        "Keith Goatman",
                        "Alexander Weir",
                        "Nicolas Pugeault",
                    ],
                    "authors_truncated": True,
                },
            ),
        ],
    },
    {
        "id": 4,
        "citekey": "chen2021normative",
        "title": "Normative ascent with local gaussians for unsupervised lesion detection",
        "year": 2021,
        "venue": 2,
        "domain": "medical",
        "stars": 1,
        "authors": [("Xiaoran", "Chen"), ("Nick", "Pawlowski"), ("Ben", "Glocker"), ("Ender", "Konukoglu")],
        "summary": "Brain MRI lesion detection using autoencoders trained on healthy images.",
        "links": [
            ("paper", "https://www.sciencedirect.com/science/article/pii/S136184152100253X"),
            ("code-unofficial", "https://github.com/example/normative-ascent"),
        ],
        "datasets": [
            ("CamCAN", LGC, "datasets-line", "CamCAN"),
            ("BraTS 2017", LGC, "datasets-line", "BRATS17"),
            ("ATLAS", LGC, "datasets-line", "ATLAS"),
        ],
        "categories": [("reconstruction", "lgc-industrial-medical-ad")],
        "provenance": [(LGC, 199, RECON_LGC, {})],
    },
    {
        "id": 5,
        "citekey": "chen2020unsupervised",
        "title": "Unsupervised lesion detection via image restoration with a normative prior",
        "year": 2020,
        "venue": 2,
        "domain": "medical",
        "arxiv": "2005.00031",
        "stars": 2,
        "authors": [("Xiaoran", "Chen"), ("Suhang", "You"), ("Kerem Can", "Tezcan"), ("Ender", "Konukoglu")],
        "summary": "Brain MRI lesion detection using autoencoders trained on healthy images.",
        "links": [
            ("paper", "https://www.sciencedirect.com/science/article/pii/S1361841520300773"),
            ("arxiv", "https://arxiv.org/abs/2005.00031"),
            (
                "code",
                (
                    "https://github.com/yousuhang/"
                    "Unsupervised-Lesion-Detection-via-Image-Restoration-with-a-Normative-Prior"
                ),
            ),
        ],
        "datasets": [
            ("CamCAN", LGC, "datasets-line", "CamCAN"),
            ("BraTS 2017", LGC, "datasets-line", "BRATS17"),
            ("ATLAS", LGC, "datasets-line", "ATLAS"),
        ],
        "categories": [("reconstruction", "lgc-industrial-medical-ad")],
        "provenance": [(LGC, 206, RECON_LGC, {})],
    },
    {
        "id": 6,
        "citekey": "ruff2020deep",
        "title": "Deep Semi-Supervised Anomaly Detection",
        "year": 2020,
        "venue": 3,
        "domain": "industrial",
        "arxiv": "1906.02694",
        "stars": 3,
        "authors": [
            ("Lukas", "Ruff"),
            ("Robert A.", "Vandermeulen"),
            ("Nico", "Görnitz"),
            ("Alexander", "Binder"),
            ("Emmanuel", "Müller"),
            ("Klaus-Robert", "Müller"),
            ("Marius", "Kloft"),
        ],
        "summary": "uses a small number of known normal and abnormal examples to guide the model in separating "
        "normal from non-normal patterns.",
        "links": [
            ("arxiv", "https://arxiv.org/abs/1906.02694"),
            ("code", "https://github.com/lukasruff/Deep-SAD-PyTorch"),
        ],
        "categories": [("supervised", "lgc-industrial-medical-ad")],
        "provenance": [(LGC, 100, "Supervised/Openset/Noise Anomaly Detection Methods", {})],
    },
    {
        "id": 7,
        "citekey": "cai2024rethinking",
        "title": "Rethinking Autoencoders for Medical Anomaly Detection from A Theoretical Perspective",
        "year": 2024,
        "venue": 1,
        "domain": "medical",
        "arxiv": "2403.09303",
        "doi": "10.1007/978-3-031-72120-5_51",
        "stars": 2,
        "authors": [("Yu", "Cai"), ("Hao", "Chen"), ("Kwang-Ting", "Cheng")],
        "abstract": "Medical anomaly detection aims to identify abnormal findings using only normal training data, "
        "playing a crucial role in health screening and recognizing rare diseases. Reconstruction-based methods, "
        "particularly those utilizing autoencoders (AEs), are dominant in this field.",
        "summary": "Minimizing latent entropy is key to improving reconstruction-based detection.",
        "links": [
            ("paper", "https://link.springer.com/chapter/10.1007/978-3-031-72120-5_51"),
            ("arxiv", "https://arxiv.org/abs/2403.09303"),
            ("code", "https://github.com/caiyu6666/AE4AD"),
        ],
        "datasets": [
            ("RSNA", LGC, "datasets-line", "RSNA"),
            ("VinDr-CXR", LGC, "datasets-line", "VinDr-CXR"),
            ("Brain Tumor", LGC, "datasets-line", "Brain Tumor"),
            ("BraTS 2021", LGC, "datasets-line", "BraTS2021"),
        ],
        "categories": [("reconstruction", "lgc-industrial-medical-ad"), ("reconstruction", "diaoquesang-medical-ad")],
        "provenance": [
            (LGC, 222, RECON_LGC, {}),
            (
                DQS,
                100,
                "3. AE-Based Approaches",
                {"title": "Rethinking Autoencoders for Medical Anomaly Detection from a Theoretical Perspective"},
            ),
        ],
    },
    {
        "id": 8,
        "citekey": "latent2023",
        "title": "Latent Transformer Models for out-of-distribution detection",
        "year": 2023,
        "date": "2023-09-16",
        "venue": 2,
        "domain": "medical",
        "doi": "10.1016/j.media.2023.102967",
        "links": [("doi", "https://doi.org/10.1016/j.media.2023.102967")],
        "provenance": [(HHL, 20, None, {})],
    },
    {
        "id": 9,
        "citekey": "towards2024",
        "title": "Towards Universal Unsupervised Anomaly Detection in Medical Imaging",
        "year": 2024,
        "date": "2024-01-19",
        "venue": 4,
        "domain": "medical",
        "arxiv": "2401.10637",
        "links": [("arxiv", "http://arxiv.org/abs/2401.10637"), ("code", "https://github.com/ci-ber/RA")],
        "provenance": [(HHL, 15, None, {})],
    },
    {
        "id": 10,
        "citekey": "baugh2024image",
        "title": "Image-Conditioned Diffusion Models for Medical Anomaly Detection",
        "year": 2024,
        "venue": 5,
        "domain": "medical",
        "doi": "10.1007/978-3-031-73158-7_11",
        "authors": [
            ("Matthew", "Baugh"),
            ("Hadrien", "Reynaud"),
            ("Sergio Naval", "Marimont"),
            ("Sarah", "Cechnicka"),
            ("Johanna P", "Müller"),
            ("Giacomo", "Tarroni"),
            ("Bernhard", "Kainz"),
        ],
        "abstract": "Generating pseudo-healthy reconstructions of images is an effective way to detect anomalies, as "
        "identifying the differences between the reconstruction and the original can localise arbitrary anomalies. "
        "We rectify this issue using image-conditioned diffusion models.",
        "links": [("paper", "https://link.springer.com/chapter/10.1007/978-3-031-73158-7_11")],
        "categories": [("diffusion", "diaoquesang-medical-ad")],
        "provenance": [
            (DQS, 248, "5. Diffusion-Based Approaches", {}),
            (RENDERED, 168, "7. Diffusion-Based Approaches", {}),
        ],
    },
    {
        "id": 11,
        "citekey": "wei2025stylegan",
        "title": "StyleGAN-Based Brain MRI Anomaly Detection via Latent Code Retrieval and Partial Swap",
        "year": 2025,
        "venue": 1,
        "domain": "medical",
        "doi": "10.1007/978-3-032-04937-7_54",
        "stars": 1,
        "authors": [("Jie", "Wei"), ("Xiaofei", "Hu"), ("Shaoting", "Zhang"), ("Guotai", "Wang")],
        "summary": "A StyleGAN-based reconstruction method that retrieves similar healthy latent codes and partially "
        "swaps anomalous regions.",
        "links": [("paper", "https://link.springer.com/chapter/10.1007/978-3-032-04937-7_54")],
        "datasets": [
            ("OpenBHB", LGC, "datasets-line", "OpenBHB dataset"),
            ("BraTS 2020", LGC, "datasets-line", "BraTS2020"),
            ("ATLAS", LGC, "datasets-line", "ATLAS"),
        ],
        "categories": [("reconstruction", "lgc-industrial-medical-ad")],
        "provenance": [(LGC, 214, RECON_LGC, {})],
    },
    {
        "id": 12,
        "citekey": "maediff2024",
        "title": "MAEDiff: Masked Autoencoder-enhanced Diffusion Models for Unsupervised Anomaly Detection in "
        "Brain Images",
        "year": 2024,
        "date": "2024-01-19",
        "venue": 6,
        "domain": "medical",
        "arxiv": "2401.10561",
        "links": [("arxiv", "https://arxiv.org/abs/2401.10561")],
        "provenance": [(HHL, 14, None, {})],
    },
    {
        "id": 13,
        "citekey": "xiang2023squid",
        "title": "SQUID Deep Feature In-Painting for Unsupervised Anomaly Detection",
        "year": 2023,
        "venue": 7,
        "domain": "medical",
        "arxiv": "2111.13495",
        "stars": 3,
        "authors": [
            ("Tiange", "Xiang"),
            ("Yixiao", "Zhang"),
            ("Yongyi", "Lu"),
            ("Alan L.", "Yuille"),
            ("Chaoyi", "Zhang"),
            ("Weidong", "Cai"),
            ("Zongwei", "Zhou"),
        ],
        "summary": "A space-aware memory–queue inpainting method that models recurring anatomical patterns in "
        "radiography images.",
        "links": [
            (
                "paper",
                (
                    "https://openaccess.thecvf.com/content/CVPR2023/papers/"
                    "Xiang_SQUID_Deep_Feature_In-Painting_for_Unsupervised_Anomaly_Detection_CVPR_2023_paper.pdf"
                ),
            ),
            ("arxiv", "https://arxiv.org/abs/2111.13495"),
            ("code", "https://github.com/tiangexiang/SQUID"),
        ],
        "datasets": [
            ("DigitAnatomy", LGC, "datasets-line", "DigitAnatomy"),
            ("ZhangLab Chest X-ray", LGC, "datasets-line", "ZhangLab Chest X-ray"),
            ("CheXpert", LGC, "datasets-line", "Stanford CheXpert"),
        ],
        "categories": [("reconstruction", "lgc-industrial-medical-ad")],
        "provenance": [(LGC, 182, RECON_LGC, {})],
    },
    {
        "id": 14,
        "citekey": "exploiting",
        "title": "Exploiting Structural Consistency of Chest Anatomy for Unsupervised Anomaly Detection in "
        "Radiography Images",
        "year": None,
        "venue": 8,
        "domain": "medical",
        "arxiv": "2403.08689",
        "links": [
            ("paper", "https://ieeexplore.ieee.org/document/10480307"),
            ("arxiv", "https://arxiv.org/abs/2403.08689"),
            ("code", "https://github.com/MrGiovanni/SimSID"),
        ],
        "categories": [("reconstruction", "lgc-industrial-medical-ad")],
        "provenance": [(LGC, 186, RECON_LGC, {})],
    },
]
RELATIONS = [(14, 13, "extension_of")]
CITEKEY_ALIASES = [("wolleb2022diffusiona", 1)]
CHANGES = [(7, DQS, "abstract", None, "Medical anomaly detection aims to identify abnormal findings …")]
ALL = set(range(1, 15))
NOW = "2026-01-01 00:00:00"


def _seed_line(source: int, line: int) -> str:
    path = REPO / SOURCES[source - 1][3]
    return path.read_text(encoding="utf-8").splitlines()[line - 1]


def _reported(paper: dict, overrides: dict) -> str:
    short = {v[0]: v[1] for v in VENUES}
    said = {
        "title": paper["title"],
        "year": paper.get("year"),
        "date": paper.get("date"),
        "venue": short[paper["venue"]],
        "authors": [f"{g} {f}" for g, f in paper.get("authors", [])],
        "authors_truncated": False,
        "arxiv": paper.get("arxiv"),
        "doi": paper.get("doi"),
    }
    return json.dumps(said | overrides)


def fill(con: sqlite3.Connection) -> None:
    """Insert the fixture rows (the schema comes from the migrations)."""
    ex = con.executemany
    ex(
        "INSERT INTO source (id, name, list_name, path, dialect, content_hash, imported_at, entries_read,"
        " papers_created, papers_merged, papers_unchanged, entries_skipped, entries_failed)"
        " VALUES (?, ?, ?, ?, ?, 'sha', ?, ?, ?, ?, ?, ?, ?)",
        [(i, n, ln, p, d, NOW, *counts) for i, n, ln, p, d, *counts in SOURCES],
    )
    ex("INSERT INTO source_issue (source_id, line, kind, reason) VALUES (?, ?, ?, ?)", SOURCE_ISSUES)
    ex("INSERT INTO venue (id, short_name, name, type) VALUES (?, ?, ?, ?)", [v[:4] for v in VENUES])
    ex(
        "INSERT OR IGNORE INTO venue_alias VALUES (?, ?, ?)",
        [(alias_key(a), a, v[0]) for v in VENUES for a in (v[1], v[2], *v[4])],
    )
    ex("INSERT INTO dataset (id, name, family) VALUES (?, ?, ?)", [d[:3] for d in DATASETS])
    ex(
        "INSERT OR IGNORE INTO dataset_alias VALUES (?, ?, ?)",
        [(alias_key(a), a, d[0]) for d in DATASETS for a in (d[1], *d[3])],
    )
    ex("INSERT INTO category (id, name, title) VALUES (?, ?, ?)", [c[:3] for c in CATEGORIES])
    ex(
        "INSERT OR IGNORE INTO category_alias VALUES (?, ?, ?, ?)",
        [(alias_key(a), a, "alias", c[0]) for c in CATEGORIES for a in (c[1], c[2], *c[3])]
        + [(alias_key(h), h, "heading", c[0]) for c in CATEGORIES for h in c[4]],
    )
    dataset_id = {d[1]: d[0] for d in DATASETS}
    category_id = {c[1]: c[0] for c in CATEGORIES}
    authors: dict[str, int] = {}
    for p in PAPERS:
        con.execute(
            "INSERT INTO paper (id, citekey, title, title_key, year, year_from_date, date, venue_id, domain,"
            " abstract, summary, arxiv_id, doi, authors_truncated, stars, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
            (
                p["id"],
                p["citekey"],
                p["title"],
                title_key(p["title"]),
                p["year"],
                "date" in p,
                p.get("date"),
                p["venue"],
                p["domain"],
                p.get("abstract"),
                p.get("summary"),
                p.get("arxiv"),
                p.get("doi"),
                p.get("stars"),
                NOW,
                NOW,
            ),
        )
        for position, (given, family) in enumerate(p.get("authors", [])):
            key = title_key(f"{given} {family}")
            if key not in authors:
                authors[key] = len(authors) + 1
                con.execute(
                    "INSERT INTO author VALUES (?, ?, ?, '', ?, '', ?, ?)",
                    (authors[key], f"{given} {family}", given, family, key, title_key(family)),
                )
            con.execute("INSERT INTO authorship VALUES (?, ?, ?)", (p["id"], position, authors[key]))
        ex("INSERT INTO link (paper_id, role, url) VALUES (?, ?, ?)", [(p["id"], r, u) for r, u in p["links"]])
        ex(
            "INSERT INTO paper_dataset VALUES (?, ?, ?, ?, ?)",
            [(p["id"], dataset_id[n], s, e, raw) for n, s, e, raw in p.get("datasets", [])],
        )
        ex(
            "INSERT INTO paper_category VALUES (?, ?, ?)",
            [(p["id"], category_id[c], ln) for c, ln in p.get("categories", [])],
        )
        ex(
            "INSERT INTO provenance (paper_id, source_id, line, section, raw_text, reported) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (p["id"], s, line, section, _seed_line(s, line), _reported(p, over))
                for s, line, section, over in p["provenance"]
            ],
        )
    ex("INSERT INTO relation VALUES (?, ?, ?)", RELATIONS)
    ex("INSERT INTO citekey_alias VALUES (?, ?)", CITEKEY_ALIASES)
    ex("INSERT INTO change (paper_id, source_id, field, old, new) VALUES (?, ?, ?, ?, ?)", CHANGES)


def build_db(directory: Path) -> Path:
    """The fixture database in a fresh directory: migrated to head, then filled."""
    from adbib.db import open_for_write

    path = directory / "t.db"
    open_for_write(path).dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys = ON")
    with con:
        fill(con)
    con.close()
    return path


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    from adbib.dbread import connect

    c = connect(build_db(tmp_path_factory.mktemp("query")))
    yield c
    c.close()


def ids(con, q: str, **kw) -> set[int]:
    return set(run(con, parse(q), **kw))


# ------------------------------------------------------------------------------ fields


@pytest.mark.parametrize(
    "q, expected",
    [
        ("venue:MICCAI", {1, 2, 7, 11}),
        ("venue:miccai", {1, 2, 7, 11}),
        ("venue:MedIA", {3, 4, 5, 8}),
        ("venue:MIA", {3, 4, 5, 8}),
        ('venue:"Medical Image Analysis"', {3, 4, 5, 8}),
        ('venue:"medical-image analysis"', {3, 4, 5, 8}),
        ('venue:"Med. Image Anal."', {3, 4, 5, 8}),
        ("venue:TPAMI", {14}),
        ("venue:MICCAI|MIDL", {1, 2, 7, 9, 11}),
        ('venue:"MICCAI UNSURE"', {10}),
        ("venue:ISBI", set()),
        ("venue:NeurIPS", set()),
        ("-venue:arXiv", ALL - {12}),
        ("-venue:MICCAI|MedIA", {6, 9, 10, 12, 13, 14}),
    ],
)
def test_venue_by_any_alias(con, q, expected):
    assert ids(con, q) == expected


@pytest.mark.parametrize(
    "q, expected",
    [
        ("type:journal", {3, 4, 5, 8, 14}),
        ("type:conference", {1, 2, 6, 7, 9, 11, 13}),
        ("type:workshop", {10}),
        ("type:Preprint", {12}),
        ("type:workshop|preprint", {10, 12}),
        ("-type:conference", {3, 4, 5, 8, 10, 12, 14}),
    ],
)
def test_type(con, q, expected):
    assert ids(con, q) == expected


@pytest.mark.parametrize(
    "q, expected",
    [
        ("year:2024", {2, 7, 9, 10, 12}),
        ("year:2022-2023", {1, 3, 8, 13}),
        ("year:2024-", {2, 7, 9, 10, 11, 12}),
        ("year:-2020", {5, 6}),
        ("year:2020|2025", {5, 6, 11}),
        ("year:2021|2023-", {2, 3, 4, 7, 8, 9, 10, 11, 12, 13}),
        ("year:2019", set()),
        # the complement: a paper without a year (14, the PAMI extension) is not "from 2024"
        ("-year:2024", {1, 3, 4, 5, 6, 8, 11, 13, 14}),
        ("-year:2021-", {5, 6, 14}),
    ],
)
def test_year_and_ranges(con, q, expected):
    assert ids(con, q) == expected


@pytest.mark.parametrize(
    "q, expected",
    [
        ("author:muller", {6, 10}),
        ("author:Müller", {6, 10}),
        ("author:MULLER", {6, 10}),
        ('author:"Klaus-Robert Müller"', {6}),
        ('author:"klaus robert muller"', {6}),
        ('author:"johanna p muller"', {10}),
        ("author:sandkuhler", {1}),
        ("author:gornitz", {6}),
        ('author:"yu cai"', {7}),
        ('author:"Cai, Yu"', {7}),
        ("author:cai", {7, 13}),
        ("author:chen", {4, 5, 7}),
        ('author:"xiaoran chen"', {4, 5}),
        ("author:konukoglu", {4, 5}),
        ("author:O'Neil", {3}),
        ("author:wolleb|bercea", {1, 2}),
        ("author:julia", set()),  # a given name alone is not an author
        ("-author:chen", ALL - {4, 5, 7}),
    ],
)
def test_author_by_family_or_full_name(con, q, expected):
    assert ids(con, q) == expected


@pytest.mark.parametrize(
    "q, expected",
    [
        # the family: every BraTS year, BRATS17, and Wolleb et al. whose abstract alone names BRATS2020
        ("dataset:BraTS", {1, 3, 4, 5, 7, 11}),
        ("dataset:brats", {1, 3, 4, 5, 7, 11}),
        ("dataset:BRATS17", {4, 5}),
        ('dataset:"BraTS 2017"', {4, 5}),
        ("dataset:BraTS2021", {3, 7}),
        ('dataset:"brats 2021"', {3, 7}),
        ("dataset:BRATS2020", {1, 11}),
        ("dataset:ATLAS", {2, 4, 5, 11}),
        ("dataset:CheXpert", {1, 13}),
        ('dataset:"Stanford CheXpert"', {1, 13}),
        ("dataset:cam-can", {4, 5}),
        ("dataset:IXI|RSNA", {2, 7}),
        ('dataset:"MVTec AD"', set()),
        ("-dataset:BraTS", ALL - {1, 3, 4, 5, 7, 11}),
    ],
)
def test_dataset_by_name_alias_or_family(con, q, expected):
    assert ids(con, q) == expected


@pytest.mark.parametrize(
    "q, expected",
    [
        ("category:diffusion", {1, 2, 10}),
        ("category:DDPM", {1, 2, 10}),
        ('category:"Diffusion-Based Approaches"', {1, 2, 10}),
        ('category:"5. Diffusion-Based Approaches"', {1, 2, 10}),
        ("category:reconstruction", {2, 3, 4, 5, 7, 11, 13, 14}),
        ("category:autoencoder", {2, 3, 4, 5, 7, 11, 13, 14}),
        ('category:"3. AE-Based Approaches"', {2, 3, 4, 5, 7, 11, 13, 14}),
        ("category:supervised|diffusion", {1, 2, 6, 10}),
        ("category:gan", set()),
        ("-category:reconstruction", {1, 6, 8, 9, 10, 12}),
    ],
)
def test_category_by_slug_title_alias_or_heading(con, q, expected):
    assert ids(con, q) == expected


@pytest.mark.parametrize(
    "q, expected",
    [
        ("domain:industrial", {6}),
        ("domain:Medical", ALL - {6}),
        ("domain:general", set()),
        ("-domain:medical", {6}),
    ],
)
def test_domain(con, q, expected):
    assert ids(con, q) == expected


@pytest.mark.parametrize(
    "q, expected",
    [
        # official code only: paper 4 has just an unofficial implementation
        ("has:code", {1, 2, 3, 5, 6, 7, 9, 13, 14}),
        ("-has:code", {4, 8, 10, 11, 12}),
        ("has:arxiv", {1, 2, 3, 5, 6, 7, 9, 12, 13, 14}),
        ("has:doi", {2, 7, 8, 10, 11}),
        ("has:doi|arxiv", ALL - {4}),
        ("has:code has:doi", {2, 7}),
        ("-has:arxiv -has:doi", {4}),
    ],
)
def test_has(con, q, expected):
    assert ids(con, q) == expected


# ------------------------------------------------------------------------------ free text


@pytest.mark.parametrize(
    "q, expected",
    [
        ("diffusion", {1, 2, 10, 12}),  # titles, abstracts (1) and summaries (2)
        ("Diffusion-based", {2}),  # a hyphenated word is a phrase: the summary of 2
        ("normative", {4, 5}),
        ("latent", {7, 8, 11}),  # a title (8, 11) or a summary (7)
        ("autoencoders", {1, 3, 4, 5, 7, 12}),  # porter stemming: autoencoder(s), Autoencoder-enhanced
        ("diffusion|autoencoder", {1, 2, 3, 4, 5, 7, 10, 12}),
        ('"anomaly detection"', ALL - {4, 5, 8}),
        ('"medical anomaly"', {1, 2, 7, 10}),
        ('"anomaly medical"', set()),  # a phrase keeps its word order
        ("detect anomalies", ALL - {4, 5, 8}),  # stemmed: "detection", "anomaly"
        ("anomaly detection", ALL - {4, 5, 8}),
        ("BRATS2020", {1}),  # only in the abstract of 1
        ("muller", set()),  # authors are not full text
        ("-diffusion", ALL - {1, 2, 10, 12}),
        ("-diffusion -autoencoders", {6, 8, 9, 11, 13, 14}),
        ("lesion -normative", set()),
        ("lesion|guidance -normative", {2}),
    ],
)
def test_free_text(con, q, expected):
    assert ids(con, q) == expected


def test_the_researchers_question(con):
    """Issue 3: "all MICCAI diffusion papers on BraTS" — Wolleb et al. name BRATS2020 in the abstract."""
    assert run(con, parse("venue:MICCAI dataset:BraTS diffusion")) == [1]


def test_fields_and_text_combine(con):
    assert run(con, parse("venue:MICCAI|UNSURE category:diffusion -author:wolleb year:2023-2024")) == [2, 10]
    assert ids(con, 'dataset:BraTS -venue:MedIA has:code "anomaly detection"') == {1, 7}
    assert ids(con, "type:journal -has:arxiv") == {4, 8}


# ------------------------------------------------------------------------------ SQL safety


@pytest.mark.parametrize(
    "q",
    [
        'venue:"x\' OR 1=1 --"',
        "author:\"x' OR '1'='1\"",
        'dataset:"BraTS\') OR 1=1 --"',
        'category:"\'; DROP TABLE paper; --"',
        '"x\' OR 1=1 --"',
        '"diffusion OR lesion"',  # FTS5 operators inside a phrase are words
        '"NEAR(diffusion lesion)"',
    ],
)
def test_sql_and_fts_metacharacters_are_plain_values(con, q):
    assert ids(con, q) == set()


def test_negated_injection_attempt_keeps_everything(con):
    assert ids(con, '-venue:"x\' OR 1=1 --"') == ALL
    assert con.execute("SELECT count(*) FROM paper").fetchone()[0] == 14


def test_fts_syntax_characters_in_words_are_harmless(con):
    assert ids(con, "diffusion*") == {1, 2, 10, 12}
    assert ids(con, "^diffusion") == {1, 2, 10, 12}
    # issue 13: AND, OR and NOT in capitals are keywords; in lower case they are words
    assert ids(con, "and") == {1, 3, 6, 7, 10, 11}
    assert ids(con, "not") == {2}  # "not" in the abstract of 2
    assert ids(con, "NOT diffusion") == ALL - {1, 2, 10, 12}


def test_values_are_bound_parameters():
    sql, params = to_sql(parse('venue:MICCAI author:"Yu Cai" year:2024 dataset:BraTS -lesion'))
    for value in ("MICCAI", "miccai", "yu cai", "2024", "brats", "lesion"):
        assert value not in sql
    assert params == [
        '"lesion"',
        "miccai",
        "miccai",
        "miccai",
        "yu cai",
        "yu cai",
        2024,
        "brats",
        "brats",
        "brats",
    ]


# ------------------------------------------------------------------------------ sorting, limits


BY_YEAR = [11, 2, 10, 12, 7, 9, 8, 13, 3, 1, 4, 6, 5, 14]


def test_default_sort_is_newest_first_then_title(con):
    assert run(con, Query()) == BY_YEAR
    assert run(con, Query(), sort="year") == BY_YEAR


def test_sort_by_title_ignores_case_and_punctuation(con):
    assert run(con, Query(), sort="title") == [6, 1, 2, 14, 10, 8, 12, 4, 7, 13, 11, 3, 9, 5]


def test_sort_by_venue_then_year(con):
    assert run(con, Query(), sort="venue") == [12, 13, 6, 8, 3, 4, 5, 11, 2, 7, 1, 9, 14, 10]


def test_relevance_is_the_default_with_text(con):
    q = parse("latent")
    # bm25 with the title weighted most: in a title (8, 11) before only in a summary (7)
    assert run(con, q) == run(con, q, sort="relevance") == [8, 11, 7]
    assert run(con, q, sort="year") == [11, 7, 8]
    # all four have "diffusion" in the title; bm25 favours the shortest record (12: no abstract)
    # and the most occurrences (2: title, abstract, summary) over 1's long abstract
    assert run(con, parse("diffusion")) == [12, 2, 10, 1]
    assert run(con, parse("diffusion"), sort="title") == [1, 2, 10, 12]


def test_relevance_without_text_falls_back_to_year(con):
    assert run(con, parse("venue:MICCAI"), sort="relevance") == [11, 2, 7, 1]


def test_rank_column_only_with_text():
    sql, _ = to_sql(parse("diffusion"))
    assert sql.startswith("SELECT p.id, bm25(paper_fts, ")
    sql, _ = to_sql(parse("-diffusion venue:MICCAI"))
    assert sql.startswith("SELECT p.id FROM")


def test_limit(con):
    assert run(con, Query(), limit=3) == [11, 2, 10]
    assert run(con, parse("venue:MedIA"), sort="title", limit=2) == [8, 4]
    assert run(con, Query(), limit=0) == []


# ------------------------------------------------------------------------------ parsing and options


def test_parse_structure():
    assert parse('venue:MICCAI|MIDL -year:2020- "anomaly detection" -gan has:CODE') == Query(
        (
            Term("venue", ("MICCAI", "MIDL")),
            Term("year", ((2020, None),), negated=True),
            Term("text", ("anomaly detection",)),
            Term("text", ("gan",), negated=True),
            Term("has", ("code",)),
        )
    )
    assert parse("year:2022-2024 year:2023 year:-2020") == Query(
        (
            Term("year", ((2022, 2024),)),
            Term("year", ((2023, 2023),)),
            Term("year", ((None, 2020),)),
        )
    )
    assert parse("  ") == Query()
    assert parse("Venue:MICCAI|MICCAI") == Query((Term("venue", ("MICCAI",)),))


def test_a_colon_after_more_than_a_word_is_text():
    assert parse('"AE-FLOW: Autoencoders"') == Query((Term("text", ("AE-FLOW: Autoencoders",)),))


def test_has_text():
    assert parse("diffusion venue:MICCAI").has_text
    assert not parse("-diffusion venue:MICCAI").has_text


def test_filters_equal_the_query_language(con):
    f = Filters(venue=["MICCAI", "MIDL"], year=["2024"], has_code=True)
    assert build(None, f) == parse("venue:MICCAI|MIDL year:2024 has:code")
    assert run(con, build(None, f)) == [2, 7, 9]
    assert build("diffusion", Filters(author=["muller|wolleb"], domain=["medical"], type=["workshop"])) == parse(
        "diffusion author:muller|wolleb domain:medical type:workshop"
    )


def test_filter_text_words_must_all_occur(con):
    q = build(None, Filters(text=['anomaly "medical images"']))
    assert q == Query((Term("text", ("anomaly",)), Term("text", ("medical images",))))
    assert set(run(con, q)) == {3, 9}  # stemmed: "Medical Imaging" (9)


def test_filter_categories_datasets(con):
    assert set(run(con, build("", Filters(dataset=["BraTS"], category=["diffusion"])))) == {1}
    assert build("  ", Filters()) == Query()


# ------------------------------------------------------------------------------ errors


YEARS = "(expected a year such as 2023 or a range: 2022-2024, 2022-, -2020)"


@pytest.mark.parametrize(
    "q, message",
    [
        (
            "venu:MICCAI",
            "unknown field 'venu' (known: venue, year, author, dataset, category, domain, type, has, key, tag)",
        ),
        (
            "-journal:MedIA",
            "unknown field 'journal' (known: venue, year, author, dataset, category, domain, type, has, key, tag)",
        ),
        ("year:20x4", f"malformed year '20x4' {YEARS}"),
        ("year:22", f"malformed year '22' {YEARS}"),
        ("year:-", f"malformed year '-' {YEARS}"),
        ("year:2022-2024-2025", f"malformed year '2022-2024-2025' {YEARS}"),
        ("year:2024-2022", "year range '2024-2022' ends before it starts"),
        ('venue:"Medical Image Analysis', "unbalanced quote (\") in query 'venue:\"Medical Image Analysis'"),
        ('"anomaly detection', "unbalanced quote (\") in query '\"anomaly detection'"),
        ("venue:", "empty value in 'venue:'"),
        ('venue:""', "empty value in 'venue:'"),
        ("venue:MICCAI|", "empty value in 'venue:MICCAI|'"),
        ("author:|cai", "empty value in 'author:|cai'"),
        ("has:github", "unknown has: value 'github' (known: code, arxiv, doi)"),
        ("type:conf", "unknown type: value 'conf' (known: conference, journal, workshop, preprint)"),
        ("domain:brain", "unknown domain: value 'brain' (known: industrial, medical, general)"),
        ("diffusion -", "nothing after '-' (write -field:value or -word)"),
        ('"--"', "nothing to search for in '--' (no letters or digits)"),
        ("diffusion|?", "nothing to search for in 'diffusion|?' (no letters or digits)"),
        (
            "title:diffusion",
            "unknown field 'title' (known: venue, year, author, dataset, category, domain, type, has, key, tag)",
        ),
        ("venue:MICCAI |", "empty value in '|'"),
    ],
)
def test_errors_name_the_problem(q, message):
    with pytest.raises(UsageError) as e:
        parse(q)
    assert str(e.value) == message
    assert e.value.exit_code == 2


def test_option_errors_name_the_option():
    with pytest.raises(UsageError, match=r"^empty value in '--venue MICCAI\|'$"):
        build(None, Filters(venue=["MICCAI", ""]))
    with pytest.raises(UsageError, match=r"^malformed year 'last year'"):
        build(None, Filters(year=["last year"]))
    with pytest.raises(UsageError, match=r"^unbalanced quote"):
        build(None, Filters(text=['"anomaly']))


def test_sort_and_limit_errors():
    with pytest.raises(UsageError, match=r"^unknown sort 'date' \(known: year, title, venue, relevance\)$"):
        to_sql(Query(), sort="date")
    with pytest.raises(UsageError, match=r"^limit must not be negative \(got -1\)$"):
        to_sql(Query(), limit=-1)


# ------------------------------------------------------------------------------ plan and imports


@pytest.mark.parametrize(
    "q, index",
    [
        ("venue:MICCAI", "ix_paper_venue_id"),
        ("author:muller", "ix_author_family_key"),
        ("dataset:BraTS", "ix_paper_dataset_dataset_id"),
        ("year:2022-2023", "ix_paper_year"),
        ("diffusion", "VIRTUAL TABLE INDEX"),
    ],
)
def test_filters_are_planned_on_indexes(con, q, index):
    sql, params = to_sql(parse(q))
    plan = " | ".join(r[3] for r in con.execute("EXPLAIN QUERY PLAN " + sql, params))
    assert index in plan


def test_query_path_imports_no_sqlalchemy():
    code = (
        "import sys, adbib.query, adbib.rows;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel', 'alembic')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(REPO / "src")}
    )
    assert out.stdout.strip() == "[]"
