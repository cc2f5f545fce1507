"""The LGC list reader, against the real seed file and small synthetic inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from adbib.readers import lgc
from adbib.records import PaperRecord, ParseFailure, ParseResult, Skipped

SEED = Path(__file__).resolve().parents[1] / "data" / "seed"
LGC = SEED / "lgc-industrial-medical-ad_2025-12.md"

INDUSTRIAL = ["Industrial Anomaly Detection", "Supervised/Openset/Noise Anomaly Detection Methods"]
RECONSTRUCTION = ["Medical Anomaly Detection", "Reconstruction-based Methods"]
SYNTHESIS = ["Medical Anomaly Detection", "Synthesis-based Methods"]
BENCHMARK = ["Medical Anomaly Detection", "Benchmark"]


@pytest.fixture(scope="module")
def text() -> str:
    return LGC.read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def result(text):
    return lgc.read(text)


def by_line(result, line: int) -> PaperRecord:
    (record,) = [r for r in result.records if r.line == line]
    return record


def fields(record: PaperRecord) -> dict:
    """Everything a record says except its raw text, links as (role, url, label)."""
    return {
        "title": record.title,
        "year": record.year,
        "venue_raw": record.venue_raw,
        "authors_raw": record.authors_raw,
        "links": [(link.role, link.url, link.label) for link in record.links],
        "datasets_raw": record.datasets_raw,
        "headings": record.headings,
        "section": record.section,
        "domain": record.domain,
        "stars": record.stars,
        "summary": record.summary,
        "problems": record.problems,
    }


# --- the seed file ------------------------------------------------------------------------


def test_counts(result):
    assert len(result.records) == 49  # 45 entries + 4 nested papers
    assert result.failures == []
    assert result.skipped == [
        Skipped(12, "empty template entry"),
        Skipped(138, "empty template entry"),
    ]
    assert [(r.line, r.relation) for r in result.records if r.parent is not None] == [
        (169, "similar_to"),
        (186, "extension_of"),
        (266, "extension_of"),
        (381, "extension_of"),
    ]


def test_appendix_and_updates_are_not_papers(result):
    # "## Datasets" starts at line 425, "# Updates" at 456
    assert max(r.line for r in result.records) == 413
    assert [r.domain for r in result.records].count("industrial") == 12
    assert [r.domain for r in result.records].count("medical") == 37


def test_deep_sad_latex_authors_and_empty_link(result):
    assert fields(by_line(result, 100)) == {
        "title": "Deep Semi-Supervised Anomaly Detection",
        "year": 2020,
        "venue_raw": "ICLR",
        "authors_raw": (
            'Ruff, Lukas and Vandermeulen, Robert A. and G{\\"o}rnitz, Nico and Binder, Alexander'
            ' and M{\\"u}ller, Emmanuel and M{\\"u}ller, Klaus-Robert and Kloft, Marius'
        ),
        "links": [
            ("arxiv", "https://arxiv.org/abs/1906.02694", "ArXiv"),
            ("code", "https://github.com/lukasruff/Deep-SAD-PyTorch", "Code"),
        ],
        "datasets_raw": ["MNIST, Fashion-MNIST, and CIFAR-10"],
        "headings": INDUSTRIAL,
        "section": "Supervised/Openset/Noise Anomaly Detection Methods",
        "domain": "industrial",
        "stars": 3,
        "summary": "uses a small number of known normal and abnormal examples to guide the model"
        " in separating normal from non-normal patterns.",
        "problems": ["link [Paper] not stored: empty link"],
    }


def test_explainable_one_class_repaired_and_raw_kept(result, text):
    record = by_line(result, 91)
    assert fields(record) == {
        "title": "Explainable Deep One-Class Classification",
        "year": 2021,
        "venue_raw": "ICLR",
        "authors_raw": "Philipp Liznerski, Lukas Ruff, Robert A. Vandermeulen, Billy Joe Franks,"
        " Marius Kloft, Klaus-Robert Müller",
        "links": [
            ("paper", "https://openreview.net/forum?id=A5VV3UyIQz", "Paper"),
            ("arxiv", "https://arxiv.org/abs/2007.01760", "ArXiv"),
            ("code", "https://github.com/liznerski/fcdd", "Code"),
        ],
        "datasets_raw": ["Fashion-MNIST, CIFAR-10, ImageNet, MVTec AD"],
        "headings": INDUSTRIAL,
        "section": "Supervised/Openset/Noise Anomaly Detection Methods",
        "domain": "industrial",
        "stars": 2,
        "summary": "turns its own feature mapping into an explanation heatmap, enabling both strong"
        " detection performance and interpretable localization of unusual regions.",
        "problems": [],
    }
    assert record.raw == "\n".join(text.split("\n")[90:94])
    assert record.raw.startswith("- ‚≠ê‚≠ê *(2021-ICLR)*")
    assert record.raw.endswith("Datasets: Fashion-MNIST, CIFAR-10, ImageNet, MVTec AD")
    assert "Klaus-Robert M√ºller" in record.raw


def test_hyperbolic_groger_and_no_code_link(result):
    assert fields(by_line(result, 330)) == {
        "title": "Is Hyperbolic Space All You Need for Medical Anomaly Detection?",
        "year": 2025,
        "venue_raw": "MICCAI",
        "authors_raw": "Alvaro Gonzalez-Jimenez, Simone Lionetti, Ludovic Amruthalingam,"
        " Philippe Gottfrois, Fabian Gröger, Marc Pouly, Alexander A. Navarini",
        "links": [
            ("paper", "https://link.springer.com/chapter/10.1007/978-3-032-04947-6_30", "Paper"),
            ("arxiv", "https://arxiv.org/abs/2505.21228", "ArXiv"),
            ("project", "https://hyperbolic-anomalies.github.io/", "No code, 251128"),
        ],
        "datasets_raw": ["BMAD"],
        "headings": SYNTHESIS,
        "section": "Synthesis-based Methods",
        "domain": "medical",
        "stars": 1,
        "summary": "Projecting features into hyperbolic space, enabling better hierarchy modeling.",
        "problems": [],
    }


def test_anogan_and_its_f_anogan_extension(result, text):
    parent = by_line(result, 377)
    assert fields(parent) == {
        "title": "Unsupervised Anomaly Detection with Generative Adversarial Networks to Guide Marker Discovery",
        "year": 2017,
        "venue_raw": "IPMI",
        "authors_raw": "Thomas Schlegl, Philipp Seeböck, Sebastian M. Waldstein, Ursula Schmidt-Erfurth, Georg Langs",
        "links": [
            ("paper", "https://link.springer.com/chapter/10.1007/978-3-319-59050-9_12", "Paper"),
            ("arxiv", "https://arxiv.org/abs/1703.05921", "ArXiv"),
            ("code", "https://github.com/tSchlegl/f-AnoGAN", "Code"),
        ],
        "datasets_raw": ["SD-OCT volumes of the retina"],
        "headings": SYNTHESIS,
        "section": "Synthesis-based Methods",
        "domain": "medical",
        "stars": 2,
        "summary": "A GAN-based unsupervised method that learns the manifold of normal anatomy and"
        " detects anomalies by mapping images to latent space and scoring their deviations.",
        "problems": [],
    }
    child = by_line(result, 381)
    assert fields(child) == {
        "title": "f-AnoGAN: Fast unsupervised anomaly detection with generative adversarial networks",
        "year": 2019,
        "venue_raw": "Medical Image Analysis",
        "authors_raw": None,
        "links": [("paper", "https://www.sciencedirect.com/science/article/pii/S1361841518302640", "Paper")],
        "datasets_raw": [],
        "headings": SYNTHESIS,
        "section": "Synthesis-based Methods",
        "domain": "medical",
        "stars": None,
        "summary": None,
        "problems": [],
    }
    assert result.records[child.parent] is parent
    assert child.relation == "extension_of"
    assert child.raw == text.split("\n")[380]
    assert parent.raw.endswith(child.raw)  # the parent entry spans its nested bullets


def test_squid_and_its_pami_extension(result):
    parent = by_line(result, 182)
    assert fields(parent) == {
        "title": "SQUID Deep Feature In-Painting for Unsupervised Anomaly Detection",
        "year": 2023,
        "venue_raw": "CVPR&PAMI",
        "authors_raw": "Tiange Xiang, Yixiao Zhang, Yongyi Lu, Alan L. Yuille, Chaoyi Zhang, Weidong Cai, Zongwei Zhou",
        "links": [
            (
                "paper",
                "https://openaccess.thecvf.com/content/CVPR2023/papers/Xiang_SQUID_Deep_Feature_"
                "In-Painting_for_Unsupervised_Anomaly_Detection_CVPR_2023_paper.pdf",
                "Paper",
            ),
            ("arxiv", "https://arxiv.org/abs/2111.13495", "ArXiv"),
            ("code", "https://github.com/tiangexiang/SQUID", "Code"),
        ],
        "datasets_raw": ["DigitAnatomy, ZhangLab Chest X-ray, Stanford CheXpert"],
        "headings": RECONSTRUCTION,
        "section": "Reconstruction-based Methods",
        "domain": "medical",
        "stars": 3,
        "summary": "A space-aware memory–queue inpainting method that models recurring anatomical"
        " patterns in radiography images.",
        "problems": [],
    }
    child = by_line(result, 186)
    assert fields(child) == {
        "title": "Exploiting Structural Consistency of Chest Anatomy for Unsupervised Anomaly"
        " Detection in Radiography Images",
        "year": None,
        "venue_raw": "PAMI",
        "authors_raw": None,
        "links": [
            ("paper", "https://ieeexplore.ieee.org/document/10480307", "Paper"),
            ("arxiv", "https://arxiv.org/abs/2403.08689", "ArXiv"),
            ("code", "https://github.com/MrGiovanni/SimSID", "Code"),
        ],
        "datasets_raw": [],
        "headings": RECONSTRUCTION,
        "section": "Reconstruction-based Methods",
        "domain": "medical",
        "stars": None,
        "summary": None,
        "problems": [],
    }
    assert (result.records[child.parent], child.relation) == (parent, "extension_of")


def test_edc_and_similar_recontrast(result):
    parent = by_line(result, 165)
    assert fields(parent) == {
        "title": "Encoder-Decoder Contrast for Unsupervised Anomaly Detection in Medical Images",
        "year": 2024,
        "venue_raw": "TMI",
        "authors_raw": "Jia Guo, Shuai Lu, Lize Jia, Weihang Zhang, Huiqi Li",
        "links": [
            ("paper", "https://ieeexplore.ieee.org/document/10296925", "Paper"),
            ("code", "https://github.com/guojiajeremy/EDC", "Code"),
        ],
        "datasets_raw": ["OCT2017, APTOS, ISIC2018, Br35H"],
        "headings": RECONSTRUCTION,
        "section": "Reconstruction-based Methods",
        "domain": "medical",
        "stars": 3,
        "summary": "A contrastive encoder–decoder reconstruction method that jointly trains the whole"
        " network to avoid pattern collapse.",
        "problems": [],
    }
    child = by_line(result, 169)
    assert (child.title, child.year, child.venue_raw, child.relation) == (
        "ReContrast: Domain-Specific Anomaly Detection via Contrastive Reconstruction",
        2023,
        "NeurIPS",
        "similar_to",
    )
    assert [(link.role, link.url) for link in child.links] == [
        (
            "paper",
            "https://proceedings.neurips.cc/paper_files/paper/2023/hash/"
            "228b9279ecf9bbafe582406850c57115-Abstract-Conference.html",
        ),
        ("arxiv", "https://arxiv.org/abs/2306.02602"),
        ("code", "https://github.com/guojiajeremy/ReContrast"),
    ]
    assert result.records[child.parent] is parent
    assert (child.headings, child.domain, child.authors_raw, child.stars) == (
        RECONSTRUCTION,
        "medical",
        None,
        None,
    )


def test_ddad_nested_datasets_and_extension(result, text):
    parent = by_line(result, 259)
    assert fields(parent) == {
        "title": "Dual-Distribution Discrepancy for Anomaly Detection in Chest X-Rays",
        "year": 2022,
        "venue_raw": "MICCAI",
        "authors_raw": "Yu Cai, Hao Chen, Xin Yang, Yu Zhou, Kwang-Ting Cheng",
        "links": [
            ("paper", "https://link.springer.com/chapter/10.1007/978-3-031-16437-8_56", "Paper"),
            ("arxiv", "https://arxiv.org/abs/2206.03935", "ArXiv"),
            ("code", "https://github.com/caiyu6666/DDAD", "Code"),
        ],
        "datasets_raw": [
            "RSNA Pneumonia Detection Challenge dataset",
            "VinBigData Chest X-ray Abnormalities Detection dataset",
            "Chest X-ray Anomaly Detection (in-house)",
        ],
        "headings": RECONSTRUCTION,
        "section": "Reconstruction-based Methods",
        "domain": "medical",
        "stars": 2,
        "summary": "Leverages both normal and unlabeled chest X-rays by modeling separate normal and"
        " mixed distributions and detecting anomalies.",
        "problems": [],
    }
    assert parent.raw == "\n".join(text.split("\n")[258:266])
    child = by_line(result, 266)
    assert (child.title, child.year, child.venue_raw, child.relation) == (
        "Dual-distribution discrepancy with self-supervised refinement for anomaly detection in medical images",
        2023,
        "MedIA",
        "extension_of",
    )
    assert [(link.role, link.url) for link in child.links] == [
        ("paper", "https://www.sciencedirect.com/science/article/pii/S1361841523000555?via%3Dihub"),
        ("arxiv", "https://arxiv.org/abs/2211.07166"),
        ("code", "https://github.com/caiyu6666/DDAD-ASR"),
    ]
    assert result.records[child.parent] is parent


def test_facing_differences_broken_paper_link(result):
    assert fields(by_line(result, 151)) == {
        "title": "Facing Differences of Similarity: Intra- and Inter-Correlation Unsupervised"
        " Learning for Chest X-Ray Anomaly Detection",
        "year": 2025,
        "venue_raw": "TMI",
        "authors_raw": "Shicheng Xu; Wei Li; Zuoyong Li; Tiesong Zhao; Bob Zhang",
        "links": [],
        "datasets_raw": ["ZhangLab, RSNA, CheXpert"],
        "headings": RECONSTRUCTION,
        "section": "Reconstruction-based Methods",
        "domain": "medical",
        "stars": 1,
        "summary": "An intra- and inter-correlation learning framework with anatomical"
        " feature-pyramid fusion to enhance chest X-ray anomaly detection.",
        "problems": ["link [Paper] not stored: not an http(s) URL: 'CheXpert'"],
    }


def test_many_tasks_arxiv_label_on_github(result):
    assert fields(by_line(result, 343)) == {
        "title": "Many Tasks Make Light Work Learning to Localise Medical Anomalies from Multiple Synthetic Tasks",
        "year": 2023,
        "venue_raw": "MICCAI",
        "authors_raw": "Matthew Baugh, Jeremy Tan, Johanna P. Müller, Mischa Dombrowski, James Batten, Bernhard Kainz",
        "links": [
            ("paper", "https://link.springer.com/chapter/10.1007/978-3-031-43907-0_16", "Paper"),
            ("code", "https://github.com/matt-baugh/many-tasks-make-light-work", "Code"),
        ],
        "datasets_raw": ["HCP, BraTS 2017,  ISLES 2015, VinDr-CXR"],
        "headings": SYNTHESIS,
        "section": "Synthesis-based Methods",
        "domain": "medical",
        "stars": 3,
        "summary": "training and validating on multiple visually distinct synthetic-anomaly tasks",
        "problems": ["link [ArXiv] not stored: link labelled 'ArXiv' points to 'github.com', not arXiv"],
    }


def test_fast_brain_ad_and_others(result):
    assert fields(by_line(result, 351)) == {
        "title": "Fast Unsupervised Brain Anomaly Detection and Segmentation with Diffusion Models",
        "year": 2022,
        "venue_raw": "MICCAI",
        "authors_raw": "Walter H. L. Pinaya, Mark S. Graham, Robert Gray, Pedro F Da Costa,"
        " Petru-Daniel Tudosiu, and others",
        "links": [
            ("paper", "https://link.springer.com/chapter/10.1007/978-3-031-16452-1_67", "Paper"),
            ("arxiv", "https://arxiv.org/abs/2206.03461", "ArXiv"),
        ],
        "datasets_raw": ["HeadCT, UKB,  WMH, MSLUB, BRATS"],
        "headings": SYNTHESIS,
        "section": "Synthesis-based Methods",
        "domain": "medical",
        "stars": 1,
        "summary": "Latent-space diffusion models for brain image anomaly detection.",
        "problems": [],
    }


def test_metaad_curly_apostrophe(result):
    record = by_line(result, 234)
    assert fields(record) == {
        "title": "MetaAD: Metabolism-Aware Anomaly Detection for Parkinson's Disease in 3D F-FDG PET",
        "year": 2024,
        "venue_raw": "MICCAI",
        "authors_raw": "Haolin Huang, Zhenrong Shen, Jing Wang, Xinyu Wang, Jiaying Lu, Huamei Lin,"
        " Jingjie Ge, Chuantao Zuo, Qian Wang",
        "links": [
            ("paper", "https://link.springer.com/chapter/10.1007/978-3-031-72069-7_28", "Paper"),
            ("code", "https://github.com/MedAIerHHL/MetaAD", "Code"),
        ],
        "datasets_raw": ["in-house dataset"],
        "headings": RECONSTRUCTION,
        "section": "Reconstruction-based Methods",
        "domain": "medical",
        "stars": 2,
        "summary": "A metabolism-aware cross-modality translation framework that detects PD anomalies"
        " by mapping FDG PET to synthetic healthy CFT PET and back for reconstruction-based"
        " anomaly cues.",
        "problems": [],
    }
    assert "Parkinson‚Äôs" in record.raw


def test_bmad_cvpr_workshops_free_text_summary(result):
    assert fields(by_line(result, 392)) == {
        "title": "BMAD: Benchmarks for Medical Anomaly Detection",
        "year": 2024,
        "venue_raw": "CVPR Workshops",
        "authors_raw": "Jinan Bao, Hanshi Sun, Hanqiu Deng, Yinsheng He, Zhaoxiang Zhang, Xingyu Li",
        "links": [
            (
                "paper",
                "https://openaccess.thecvf.com/content/CVPR2024W/VAND/html/"
                "Bao_BMAD_Benchmarks_for_Medical_Anomaly_Detection_CVPRW_2024_paper.html",
                "Paper",
            ),
            ("arxiv", "https://arxiv.org/abs/2306.11876", "ArXiv"),
            ("dataset", "https://github.com/DorisBao/BMAD", "Dataset & Code"),
        ],
        "datasets_raw": [],
        "headings": BENCHMARK,
        "section": "Benchmark",
        "domain": "medical",
        "stars": 3,
        "summary": "Brain MRI, Chest X-ray, Liver CT, Retinal OCT, Pathology",
        "problems": [],
    }


def test_benchread_without_authors(result):
    record = by_line(result, 388)
    assert (record.title, record.authors_raw, record.summary, record.datasets_raw) == (
        "BenchReAD: A Systematic Benchmark for Retinal Anomaly Detection",
        None,
        "Fundus and OCT",
        [],
    )


@pytest.mark.parametrize(
    ("line", "venue_raw", "datasets_raw"),
    [
        (199, "Medical Image Analysis", ["CamCAN, BRATS17, ATLAS"]),
        (369, "MICCAI", ["in-house,", "WHM datasets (2019 TMI)"]),
        (361, "MICCAI", ["HCP dataset, BRATS 2018"]),
    ],
)
def test_venues_and_dataset_lines_as_written(result, line, venue_raw, datasets_raw):
    record = by_line(result, line)
    assert (record.venue_raw, record.datasets_raw) == (venue_raw, datasets_raw)


def test_detect_seed_files():
    assert lgc.detect(LGC.read_bytes().decode("utf-8"))
    others = sorted(p for p in SEED.iterdir() if p.suffix in (".md", ".txt") and p != LGC)
    assert others  # the other dialects are there to be refused
    assert not any(lgc.detect(p.read_bytes().decode("utf-8", "replace")) for p in others)


# --- synthetic edge cases -----------------------------------------------------------------


def test_truncated_entry_is_a_failure_with_its_line():
    text = "# Medical AD\n\n## Methods\n\n- ⭐ *(2024-MICCAI)* **Truncated title\n  - Authors: A B\n"
    result = lgc.read(text)
    assert result.records == []
    assert result.failures == [
        ParseFailure(
            5,
            "paper entry without a title",
            "- ⭐ *(2024-MICCAI)* **Truncated title\n  - Authors: A B",
        )
    ]


def test_unbalanced_brackets_and_bad_urls_are_reported():
    text = (
        "- ⭐ *(2024-MICCAI)* **Title** [[Paper](https://x.org/a), [[ArXiv]](https://arxiv.org/a b),"
        " [[Code]](https://github.com/x\n"
    )
    (record,) = lgc.read(text).records
    assert [(link.role, link.url, link.label) for link in record.links] == [("paper", "https://x.org/a", "Paper")]
    assert record.problems == [
        "link [ArXiv] not stored: space inside URL 'https://arxiv.org/a b'",
        "link [Code] not stored: no closing parenthesis",
    ]


def test_nested_paper_without_title_fails_alone():
    text = (
        "- ⭐ *(2024-CVPR)* **Parent**\n"
        "  - Similar to prior work, a summary\n"
        "  - Extension: *(2025-PAMI) unclosed [[Paper]](https://x.org)\n"
    )
    result = lgc.read(text)
    assert [(r.title, r.summary) for r in result.records] == [("Parent", "Similar to prior work, a summary")]
    assert result.failures == [
        ParseFailure(
            3,
            "nested paper without a title",
            "  - Extension: *(2025-PAMI) unclosed [[Paper]](https://x.org)",
        )
    ]


def test_template_skipped_but_titleless_entry_with_content_fails():
    text = (
        "- ⭐ *(2019-CVPR)* **** [[Paper]](), [[Code]]()\n  - Authors: \n\n"
        "- ⭐ *(2019-CVPR)* **** [[Paper]](https://x.org)\n"
    )
    result = lgc.read(text)
    assert result.skipped == [Skipped(1, "empty template entry")]
    assert [(f.line, f.reason) for f in result.failures] == [(4, "paper entry without a title")]


def test_navigation_appendix_and_log_bullets_are_ignored():
    text = (
        "# Awesome Industrial & Medical AD\n\n## Table of Contents\n\n"
        "- [Industrial Anomaly Detection](#industrial-anomaly-detection)\n\n"
        "## Datasets\n\n- **BMAD**: https://github.com/DorisBao/BMAD\n\n"
        "# Updates\n\n- ⭐ *(2025-MICCAI)* **Not a paper** added\n"
    )
    result = lgc.read(text)
    assert (result.records, result.failures, result.skipped) == ([], [], [])


def test_h1_without_h2_crlf_and_wrapped_title():
    text = (
        "# [Medical Anomaly Detection](#medical)\r\n\r\n"
        "- ⭐⭐ *(2019-Medical Image Analysis )* **A title\r\nwrapped** [[Paper]](https://x.org/p)\r\n"
        "  - Authors:  M√ºller, A. \r\n"
    )
    (record,) = lgc.read(text).records
    assert (record.line, record.title, record.venue_raw, record.authors_raw) == (
        3,
        "A title wrapped",
        "Medical Image Analysis",
        "Müller, A.",
    )
    assert (record.headings, record.section, record.domain, record.stars) == (
        ["Medical Anomaly Detection"],
        "Medical Anomaly Detection",
        "medical",
        2,
    )
    assert record.raw == (
        "- ⭐⭐ *(2019-Medical Image Analysis )* **A title\r\nwrapped** [[Paper]](https://x.org/p)\r\n"
        "  - Authors:  M√ºller, A. "
    )


def test_not_lgc_text():
    assert not lgc.detect("- [[MICCAI 2024]](https://x.org) **Title** [:octocat:](https://g.com)")
    for text in ("", "plain prose\n", "- a bullet\n- [a link](https://x.org)\n"):
        assert lgc.read(text) == ParseResult()
