"""The diaoquesang readers: the markdown README (2025-06, 2025-03) and its rendered plain text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adbib.readers import diaoquesang, diaoquesang_text, medaierhhl
from adbib.records import LinkRecord, PaperRecord, ParseResult

SEED = Path(__file__).resolve().parents[1] / "data" / "seed"
MD_2025_06 = "diaoquesang-medical-ad_2025-06.md"
MD_2025_03 = "diaoquesang-medical-ad_2025-03.md"
RENDERED = "diaoquesang-medical-ad_rendered.txt"


def seed_text(name: str) -> str:
    return (SEED / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def june() -> ParseResult:
    return diaoquesang.read(seed_text(MD_2025_06))


@pytest.fixture(scope="module")
def march() -> ParseResult:
    return diaoquesang.read(seed_text(MD_2025_03))


@pytest.fixture(scope="module")
def rendered() -> ParseResult:
    return diaoquesang_text.read(seed_text(RENDERED))


def at(result: ParseResult, line: int) -> PaperRecord:
    (record,) = [r for r in result.records if r.line == line]
    return record


def summary(record: PaperRecord) -> dict:
    """Every field a reader fills; links as (role, url, label), the abstract's first 60 chars."""
    return {
        "title": record.title,
        "year": record.year,
        "date": record.date,
        "venue_raw": record.venue_raw,
        "authors_raw": record.authors_raw,
        "links": [(link.role, link.url, link.label) for link in record.links],
        "abstract": record.abstract and record.abstract[:60],
        "headings": record.headings,
        "section": record.section,
        "domain": record.domain,
        "problems": record.problems,
    }


def file_lines(name: str, first: int, last: int) -> str:
    """Lines first..last (1-based, inclusive) of a seed file, as in the file."""
    return "\n".join(seed_text(name).split("\n")[first - 1 : last])


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (MD_2025_06, "diaoquesang-md"),
        (MD_2025_03, "diaoquesang-md"),
        (RENDERED, "diaoquesang-text"),
        ("medaierhhl-medical-image-ad_2024-02.md", "medaierhhl"),
        ("lgc-industrial-medical-ad_2025-12.md", None),
    ],
)
def test_each_seed_is_claimed_by_its_own_dialect_only(name, expected):
    text = seed_text(name)
    modules = {
        "diaoquesang-md": diaoquesang,
        "diaoquesang-text": diaoquesang_text,
        "medaierhhl": medaierhhl,
    }
    claimed = [dialect for dialect, module in modules.items() if module.detect(text)]
    assert claimed == ([expected] if expected else [])


# --------------------------------------------------------------------------- markdown, 2025-06


def test_june_reads_every_entry_and_nothing_else(june):
    # Not papers: the Contents bullets (42-53), the Tips legend (63, 65), badges, Star History.
    assert [r.line for r in june.records] == [
        70, 85, 100, 113, 126, 141, 154, 167, 183, 196, 209, 222, 235, 248,
        261, 274, 289, 302, 318, 331, 344, 357, 370, 383, 398, 414, 427, 440,
    ]  # fmt: skip
    assert june.failures == [] and june.skipped == []


def test_june_uniad_non_medical_with_code_and_abstract(june):
    record = at(june, 70)
    assert summary(record) == {
        "title": "A Unified Model for Multi-class Anomaly Detection",
        "year": 2022,
        "date": None,
        "venue_raw": "NeurIPS",
        "authors_raw": "You, Zhiyuan and Cui, Lei and Shen, Yujun and Yang, Kai and Lu, Xin and Zheng, Yu and Le, Xinyi",
        "links": [
            (
                "paper",
                "https://proceedings.neurips.cc/paper_files/paper/2022/file/1d774c112926348c3e25ea47d87c835b-Paper-Conference.pdf",
                "NeurIPS 2022",
            ),
            ("code", "https://github.com/zhiyuanyou/uniad", ":octocat:"),
        ],
        "abstract": "Despite the rapid advance of unsupervised anomaly detection,",
        "headings": ['Solving "Identical Shortcut"'],
        "section": 'Solving "Identical Shortcut"',
        "domain": "general",
        "problems": [],
    }
    assert record.abstract.endswith("Code is available at https://github.com/zhiyuanyou/UniAD.")
    # raw: the bullet through </details>, byte for byte (figure and <details> included)
    assert record.raw == file_lines(MD_2025_06, 70, 81)


def test_june_kascenas_and_others_arxiv_tag_link(june):
    assert summary(at(june, 126)) == {
        "title": "The Role of Noise in Denoising Models for Anomaly Detection in Medical Images",
        "year": 2023,
        "date": None,
        "venue_raw": "MedIA",
        "authors_raw": "Kascenas, Antanas and Sanchez, Pedro and Schrempf, Patrick and Wang, Chaoyang and "
        "Clackett, William and Mikhael, Shadia S and Voisey, Jeremy P and Goatman, Keith and "
        "Weir, Alexander and Pugeault, Nicolas and others",
        "links": [
            ("arxiv", "https://arxiv.org/pdf/2301.08330", "MedIA 2023"),
            ("code", "https://github.com/antanaskascenas/denoisingae", ":octocat:"),
        ],
        "abstract": "Pathological brain lesions exhibit diverse appearance in bra",
        "headings": ["AE-Based Approaches"],
        "section": "AE-Based Approaches",
        "domain": "medical",
        "problems": [],
    }


def test_june_empty_details_is_no_abstract_and_typo_is_kept(june):
    assert summary(at(june, 209)) == {
        "title": "Diffusion Models for Counterfactual Generation and Anomaly Detection in Brain lmages",
        "year": 2024,
        "date": None,
        "venue_raw": "TMI",
        "authors_raw": "Fontanella, Alessandro and Mair, Grant and Wardlaw, Joanna and Trucco, Emanuele and Storkey, Amos",
        "links": [
            ("arxiv", "https://arxiv.org/pdf/2308.02062", "TMI 2024"),
            ("code", "https://github.com/alessandro-f/dif-fuse", ":octocat:"),
        ],
        "abstract": None,
        "headings": ["Diffusion-Based Approaches"],
        "section": "Diffusion-Based Approaches",
        "domain": "medical",
        "problems": [],
    }


def test_june_diffusion_models_unicode_author_and_latex_author(june):
    wolleb = at(june, 274)
    assert wolleb.title == "Diffusion Models for Medical Anomaly Detection"
    assert (wolleb.venue_raw, wolleb.year) == ("MICCAI", 2022)
    assert wolleb.authors_raw == "Wolleb, Julia and Bieder, Florentin and Sandkühler, Robin and Cattin, Philippe C"
    # a different paper with a similar title stays a separate record
    thor = at(june, 222)
    assert thor.title == "Diffusion Models with Implicit Guidance for Medical Anomaly Detection"
    # LaTeX accents stay as written (normalize decodes them)
    baugh = at(june, 248)
    assert baugh.authors_raw == (
        "Baugh, Matthew and Reynaud, Hadrien and Marimont, Sergio Naval and Cechnicka, Sarah and "
        'M{\\"u}ller, Johanna P and Tarroni, Giacomo and Kainz, Bernhard'
    )
    assert [(link.role, link.url) for link in baugh.links] == [
        ("paper", "https://link.springer.com/chapter/10.1007/978-3-031-73158-7_11")
    ]


@pytest.mark.parametrize(
    ("line", "venue", "year", "title"),
    [
        (289, "IF", 2025, "Adapting the Segment Anything Model for Multi-Modal Retinal Anomaly Detection and Localization"),
        (414, "Nature Communications", 2025, "Evaluating Normative Representation Learning in Generative AI for Robust Anomaly Detection in Brain Imaging"),
        (427, "MedIA", 2025, "MedIAnomaly: A Comparative Study of Anomaly Detection in Medical Images"),
        (141, "Neurocomputing", 2025, "Industrial and Medical Anomaly Detection Through Cycle-Consistent Adversarial Networks"),
    ],
)  # fmt: skip
def test_june_venue_tags(june, line, venue, year, title):
    record = at(june, line)
    assert (record.venue_raw, record.year, record.title) == (venue, year, title)


def test_june_squid_author_line_after_two_blank_lines(june):
    squid = at(june, 167)
    assert squid.authors_raw == (
        "Xiang, Tiange and Zhang, Yixiao and Lu, Yongyi and Yuille, Alan L and Zhang, Chaoyi and "
        "Cai, Weidong and Zhou, Zongwei"
    )
    assert squid.headings == ["GAN-Based Approaches"]


def test_june_domains(june):
    assert [r.line for r in june.records if r.domain == "general"] == [70, 302, 398]
    assert {r.domain for r in june.records} == {"general", "medical"}


# --------------------------------------------------------------------------- markdown, 2025-03


def test_march_reads_every_entry_and_no_header_line(march):
    # line 13 is the cp1252-mojibake contributors line (ðŸ¦‰), line 22 the legend: neither is a paper
    assert [r.line for r in march.records] == [26, 30, 34, 40, 46, 50, 54, 58]
    assert march.failures == [] and march.skipped == []


def test_march_medianomaly_mia_tag(march):
    record = at(march, 30)
    assert summary(record) == {
        "title": "MedIAnomaly: A Comparative Study of Anomaly Detection in Medical Images",
        "year": 2025,
        "date": None,
        "venue_raw": "MIA",
        "authors_raw": "Cai, Yu and Zhang, Weiwen and Chen, Hao and Cheng, Kwang-Ting",
        "links": [("arxiv", "https://arxiv.org/pdf/2404.04518", "MIA 2025")],
        "abstract": None,
        # the H1 (list title) is not a section
        "headings": ['Solving "Identical Shortcut"'],
        "section": 'Solving "Identical Shortcut"',
        "domain": "medical",
        "problems": [],
    }
    assert record.raw == file_lines(MD_2025_03, 30, 32)


def test_march_uniad_star_without_code(march):
    record = at(march, 34)
    assert (record.title, record.domain, record.venue_raw, record.year) == (
        "A Unified Model for Multi-class Anomaly Detection", "general", "NeurIPS", 2022,
    )  # fmt: skip
    assert [link.role for link in record.links] == ["paper"]


def test_march_latex_author_kept_as_written(march):
    record = at(march, 58)
    assert record.title == "Diffusion Models for Medical Anomaly Detection"
    assert record.authors_raw == 'Wolleb, Julia and Bieder, Florentin and Sandk{\\"u}hler, Robin and Cattin, Philippe C'
    assert record.headings == ["Diffusion-Based Approaches"]
    assert record.raw == file_lines(MD_2025_03, 58, 60)


def test_march_numbered_heading_without_emoji(march):
    assert at(march, 40).headings == ["Precise Anomaly Discrimination"]


# --------------------------------------------------------------------------- rendered text


def test_rendered_reads_every_entry_and_nothing_else(rendered):
    # Not papers: page chrome (lines 1-38, 284-312) and the Tips legend bullets (44, 46).
    assert [r.line for r in rendered.records] == [
        50, 55, 63, 68, 76, 81, 86, 94, 99, 107, 112, 117, 122, 127, 135, 143, 148, 153, 158, 163,
        168, 173, 178, 186, 191, 199, 204, 209, 214, 219, 224, 229, 234, 239, 247, 255, 263, 268, 273, 278,
    ]  # fmt: skip
    assert rendered.failures == [] and rendered.skipped == []
    assert all(r.links == [] for r in rendered.records)  # rendering dropped every URL
    assert not any(":octocat:" in r.title for r in rendered.records)


def test_rendered_dinomaly_octocat_cut_from_title(rendered):
    record = at(rendered, 50)
    assert summary(record) == {
        "title": "Dinomaly: The Less Is More Philosophy in Multi-Class Unsupervised Anomaly Detection",
        "year": 2025,
        "date": None,
        "venue_raw": "CVPR",
        "authors_raw": "Guo, Jia and Lu, Shuai and Zhang, Weihang and Chen, Fang and Li, Huiqi and Liao, Hongen",
        "links": [],
        "abstract": "Recent studies highlighted a practical setting of unsupervis",
        "headings": ['Solving "Identity Mapping"'],
        "section": 'Solving "Identity Mapping"',
        "domain": "medical",
        "problems": [],
    }
    assert record.raw == file_lines(RENDERED, 50, 54)


def test_rendered_uniad_non_medical(rendered):
    record = at(rendered, 55)
    assert (record.title, record.domain, record.venue_raw, record.year) == (
        "A Unified Model for Multi-class Anomaly Detection", "general", "NeurIPS", 2022,
    )  # fmt: skip
    assert record.abstract.startswith("Despite the rapid advance of unsupervised anomaly detection")


def test_rendered_anogan_and_f_anogan_are_two_papers(rendered):
    f_anogan, anogan = at(rendered, 122), at(rendered, 127)
    assert summary(f_anogan) == {
        "title": "f-AnoGAN: Fast Unsupervised Anomaly Detection with Generative Adversarial Networks",
        "year": 2019,
        "date": None,
        "venue_raw": "MedIA",
        "authors_raw": "Schlegl, Thomas and Seeböck, Philipp and Waldstein, Sebastian M and Langs, Georg and Schmidt-Erfurth, Ursula",
        "links": [],
        "abstract": "Obtaining expert labels in clinical imaging is difficult sin",
        "headings": ["GAN-Based Approaches"],
        "section": "GAN-Based Approaches",
        "domain": "medical",
        "problems": [],
    }
    assert summary(anogan) == {
        "title": "Unsupervised Anomaly Detection with Generative Adversarial Networks to Guide Marker Discovery",
        "year": 2017,
        "date": None,
        "venue_raw": "IPMI",
        "authors_raw": "Schlegl, Thomas and Seeböck, Philipp and Waldstein, Sebastian M and Schmidt-Erfurth, Ursula and Langs, Georg",
        "links": [],
        "abstract": "Obtaining models that capture imaging markers relevant for d",
        "headings": ["GAN-Based Approaches"],
        "section": "GAN-Based Approaches",
        "domain": "medical",
        "problems": [],
    }


def test_rendered_pyramidflow(rendered):
    assert summary(at(rendered, 135)) == {
        "title": "PyramidFlow: High-Resolution Defect Contrastive Localization using Pyramid Normalizing Flow",
        "year": 2023,
        "date": None,
        "venue_raw": "CVPR",
        "authors_raw": "Lei, Jiarui and Hu, Xiaobo and Wang, Yue and Liu, Dong",
        "links": [],
        "abstract": "During industrial processing, unforeseen defects may arise i",
        "headings": ["Flow-Based Approaches"],
        "section": "Flow-Based Approaches",
        "domain": "general",
        "problems": [],
    }


def test_rendered_copy_paste_slip_is_kept_as_the_file_says(rendered):
    # The source gave the MOOD paper (line 81) the abstract of "Rethinking Autoencoders" (line 94).
    mood, rethinking = at(rendered, 81), at(rendered, 94)
    assert mood.title == "Rethinking Out-of-Distribution (OOD) Detection: Masked Image Modeling Is All You Need"
    assert mood.authors_raw == (
        "Li, Jingyao and Chen, Pengguang and He, Zexin and Yu, Shaozuo and Liu, Shu and Jia, Jiaya"
    )
    assert mood.abstract == rethinking.abstract
    assert mood.abstract.startswith("Medical anomaly detection aims to identify abnormal findings")


@pytest.mark.parametrize(
    ("line", "venue", "year", "domain"),
    [
        (186, "Inf. Fusion", 2025, "medical"),
        (229, "ACM MM", 2024, "general"),
        (76, "TPAMI", 2024, "general"),
        (278, "arXiv", 2024, "medical"),
        (263, "Nature Communications", 2025, "medical"),
        (268, "MedIA", 2025, "medical"),
    ],
)
def test_rendered_venue_tags(rendered, line, venue, year, domain):
    record = at(rendered, line)
    assert (record.venue_raw, record.year, record.domain) == (venue, year, domain)


def test_rendered_typo_and_half_rendered_latex_kept(rendered):
    assert (
        at(rendered, 153).title
        == "Diffusion Models for Counterfactual Generation and Anomaly Detection in Brain lmages"
    )
    assert at(rendered, 168).authors_raw == (
        "Baugh, Matthew and Reynaud, Hadrien and Marimont, Sergio Naval and Cechnicka, Sarah and "
        'M{"u}ller, Johanna P and Tarroni, Giacomo and Kainz, Bernhard'
    )
    assert (
        at(rendered, 178).authors_raw
        == "Wolleb, Julia and Bieder, Florentin and Sandkühler, Robin and Cattin, Philippe C"
    )
    assert at(rendered, 255).headings == ["Correlation Learning"]


# --------------------------------------------------------------------------- synthetic edge cases


@pytest.mark.parametrize("module", [diaoquesang, diaoquesang_text])
@pytest.mark.parametrize("text", ["", "\n", "   \n\n", "no list here"])
def test_empty_or_foreign_input_is_an_empty_result(module, text):
    assert module.read(text) == ParseResult()


def test_md_broken_entries_are_failures_with_their_line():
    text = "\n".join(
        [
            '## 🕐 1. Section <div id = "s3"></div>',
            "- [[MICCAI 2024](https://arxiv.org/abs/2401.00001) **Unbalanced tag**",
            "- [[MICCAI 2024]](https://arxiv.org/abs/2401.00001) **Truncated title",
            "- [[MICCAI 2024]](https://arxiv.org/abs/2401.00001) **  **",
            "- [**📚 Overview**](#s1)",
        ]
    )
    result = diaoquesang.read(text)
    assert result.records == []
    assert [(f.line, f.text) for f in result.failures] == [
        (2, "- [[MICCAI 2024](https://arxiv.org/abs/2401.00001) **Unbalanced tag**"),
        (3, "- [[MICCAI 2024]](https://arxiv.org/abs/2401.00001) **Truncated title"),
        (4, "- [[MICCAI 2024]](https://arxiv.org/abs/2401.00001) **  **"),
    ]


def test_md_unbalanced_code_link_is_reported():
    line = "- [[CVPR 2024]](https://a.org/p.pdf) **T** [:octocat:](https://github.com/a/b"
    (record,) = diaoquesang.read(line).records
    assert record.links == [LinkRecord("paper", "https://a.org/p.pdf", "CVPR 2024")]
    assert record.problems == ["unreadable text after the title '[:octocat:](https://github.com/a/b'"]


def test_md_url_with_parentheses():
    line = "- [[TMI 2020]](https://en.wikipedia.org/wiki/Autoencoder_(ML)) **T** [:octocat:](https://github.com/a/(b))"
    (record,) = diaoquesang.read(line).records
    assert [link.url for link in record.links] == [
        "https://en.wikipedia.org/wiki/Autoencoder_(ML)",
        "https://github.com/a/(b)",
    ]
    assert record.problems == []


def test_md_entry_cut_off_inside_details_keeps_what_is_there():
    text = "\n".join(
        [
            "- [[arXiv]]() **No Year** [:octocat:](https://github.com/x/ y)",
            "",
            "  *Doe, Jane*",
            "<details close>",
            "<summary><b>📋 Abstract (Click to Expand)</b></summary>",
            "An abstract cut",
            "- [[CVPR 2024]](https://example.org/p.pdf) **Next**",
        ]
    )
    first, second = diaoquesang.read(text).records
    assert (first.title, first.venue_raw, first.year, first.authors_raw) == (
        "No Year", "arXiv", None, "Doe, Jane",
    )  # fmt: skip
    assert first.links == []
    assert first.abstract == "An abstract cut"
    assert first.problems == [
        "link [arXiv] not stored: empty link",
        "link [:octocat:] not stored: space inside URL 'https://github.com/x/ y'",
        "abstract: <details> block is not closed",
    ]
    assert first.raw == "\n".join(text.split("\n")[:6])
    assert (second.line, second.authors_raw, second.abstract) == (7, None, None)


def test_md_crlf_line_endings():
    entry = "- [[MICCAI 2024]](https://arxiv.org/abs/2401.00001) **T**\r\n\r\n  *Doe, Jane*\r"
    (record,) = diaoquesang.read(f"## 1. A\r\n\r\n{entry}\n").records
    assert (record.title, record.authors_raw, record.headings, record.line) == (
        "T", "Doe, Jane", ["A"], 3,
    )  # fmt: skip
    assert record.raw == entry


def test_text_author_line_directly_after_the_entry_and_missing_parts():
    text = "\n".join(
        [
            "1. Flow",
            "  • *[CVPR 2023] PyramidFlow :octocat:",
            "    Lei, Jiarui and Liu, Dong",
            "📋 Abstract (Click to Expand) During industrial processing.",
            "  • [MICCAI 2024] No Authors",
            "  • [CVPR 2025",
            "  • [CVPR 2025] :octocat:",
            "  • *: Papers for Non-Medical Anomaly Detection",
            "About",
        ]
    )
    result = diaoquesang_text.read(text)
    first, second = result.records
    assert (first.title, first.authors_raw, first.abstract, first.domain, first.headings) == (
        "PyramidFlow", "Lei, Jiarui and Liu, Dong", "During industrial processing.", "general", ["Flow"],
    )  # fmt: skip
    assert first.raw == "\n".join(text.split("\n")[1:4])
    assert (second.title, second.authors_raw, second.abstract, second.line) == (
        "No Authors", None, None, 5,
    )  # fmt: skip
    assert [(f.line, f.text) for f in result.failures] == [
        (6, "  • [CVPR 2025"),
        (7, "  • [CVPR 2025] :octocat:"),
    ]


_FRAGMENTS = [
    "- ", "*", "[[", "]]", "[", "]", "(", ")", "**", "MICCAI 2024", "https://arxiv.org/abs/2401.00001",
    " ", "\n", "\r\n", "  ", "  • ", "📋 Abstract (Click to Expand) ", "<details close>",
    "<summary>x</summary>", "</details>", "## 🕒 3. ", "# ", "7. ", ":octocat:", "Title",
    "Doe, Jane", "*Doe*", "ðŸ¦‰", "M{\\\"u}ller",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map("".join))
def test_any_text_reads_without_exception(text):
    for module in (diaoquesang, diaoquesang_text):
        result = module.read(text)
        n_lines = text.count("\n") + 1
        for item in [*result.records, *result.failures]:
            assert 1 <= item.line <= n_lines
        for record in result.records:
            assert record.raw in text and record.title
