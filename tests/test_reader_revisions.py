"""The known-dialect readers on the next real revision of each seed list (issue 10, item 5).

The three files under tests/fixtures/lists/ are byte-for-byte copies of the revisions that follow
the seeds (origins in tests/fixtures/lists/README.md).  Counts were made by hand from the files
and are explained next to each assertion; the ``*`` / ``+`` variants are the same real files with
only their bullet markers rewritten, which is what a list does when it changes its style.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adbib.readers import detect, diaoquesang, lgc, medaierhhl
from adbib.records import LinkRecord, PaperRecord, ParseResult

LISTS = Path(__file__).resolve().parent / "fixtures" / "lists"
MEDAIER_NEXT = LISTS / "MedAIerHHL__awesome-medical-image-anoraml-detection__2f11807.md"
LGC_NEXT = LISTS / "LGC-AD__awesome-industrial-medical-anomaly-detection__36cd91e.md"
DIAO_NEXT = LISTS / "diaoquesang__Paper-List-for-Medical-Anomaly-Detection__f121bfd.md"

ONE_CLASS = [
    "Industrial Anomaly Detection",
    "Unsupervised Anomaly Detection Methods",
    "One-class Classification Methods",
]
RECONSTRUCTION = [
    "Industrial Anomaly Detection",
    "Unsupervised Anomaly Detection Methods",
    "Reconstruction-based Methods",
]


def text_of(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def with_bullets(text: str, marker: str) -> str:
    """The same list with every ``-`` bullet (at any depth) written with ``marker``."""
    return re.sub(r"^(\s*)- ", lambda m: f"{m[1]}{marker} ", text, flags=re.MULTILINE)


def at(result: ParseResult, line: int) -> PaperRecord:
    (record,) = [r for r in result.records if r.line == line]
    return record


def summary_of(result: ParseResult) -> list[tuple]:
    """Everything the records say but their raw text (which holds the bullet markers)."""
    return [
        (
            r.title,
            r.line,
            r.year,
            r.date,
            r.venue_raw,
            r.authors_raw,
            r.links,
            r.datasets_raw,
            r.headings,
            r.domain,
            r.abstract,
            r.summary,
            r.stars,
            r.parent,
            r.relation,
            r.problems,
        )
        for r in result.records
    ]


# --- MedAIerHHL 2f11807: two new entries written with ``*`` --------------------------------


@pytest.fixture(scope="module")
def medaier() -> ParseResult:
    return medaierhhl.read(text_of(MEDAIER_NEXT))


def test_medaierhhl_next_revision_is_detected():
    assert detect(text_of(MEDAIER_NEXT)) == "medaierhhl"


def test_medaierhhl_next_revision_is_read_whole(medaier):
    # lines 13-14: the two new `*` entries; line 15 is blank; lines 16-29: the 14 `-` entries
    # of the seed.  Lines 1-11 are the introduction.
    assert [r.line for r in medaier.records] == [13, 14, *range(16, 30)]
    assert len(medaier.records) == 16
    assert medaier.failures == [] and medaier.skipped == []


def test_medaierhhl_star_entries_exact(medaier):
    lines = text_of(MEDAIER_NEXT).split("\n")
    assert at(medaier, 13) == PaperRecord(
        title="MedIAnomaly: A comparative study of anomaly detection in medical images",
        line=13,
        raw=lines[12],
        date="2024-04-16",
        venue_raw=None,  # the first link says "Paper": no venue
        links=[
            LinkRecord("arxiv", "https://arxiv.org/abs/2404.04518", "Paper"),
            LinkRecord("code", "https://github.com/caiyu6666/MedIAnomaly", "Code"),
        ],
        domain="medical",
    )
    assert at(medaier, 14) == PaperRecord(
        title="Adapting Visual-Language Models for Generalizable Anomaly Detection in Medical Images",
        line=14,
        raw=lines[13],
        date="2024-03-19",
        venue_raw="CVPR",
        links=[
            LinkRecord("arxiv", "https://arxiv.org/abs/2403.12570", "CVPR"),
            LinkRecord("code", "https://github.com/MediaBrain-SJTU/MVFA-AD", "Code"),
        ],
        domain="medical",
    )
    assert lines[12].startswith("* (2024/04/16)") and lines[13].startswith("* (2024/03/19)")


@pytest.mark.parametrize("marker", ["*", "+"])
def test_medaierhhl_all_star_or_plus_revision_is_detected_and_read(marker, medaier):
    text = with_bullets(text_of(MEDAIER_NEXT), marker)
    assert not re.search(r"^- ", text, re.MULTILINE)
    assert detect(text) == "medaierhhl"
    assert summary_of(medaierhhl.read(text)) == summary_of(medaier)


def test_medaierhhl_broken_star_entry_is_a_failure_not_silence():
    result = medaierhhl.read("* (2024/04/16 MedIAnomaly without its closing parenthesis\n")
    assert [(f.line, f.reason) for f in result.failures] == [(1, "entry without a (YYYY/MM/DD) date and a title")]


def test_medaierhhl_bold_line_is_not_an_entry():
    assert medaierhhl.read("**(2024/04/16)** not a bullet\n") == ParseResult()


# --- LGC 36cd91e: 21 new top-level entries, one new "Extend to PAMI:" nested paper ---------


@pytest.fixture(scope="module")
def lgc_next() -> ParseResult:
    return lgc.read(text_of(LGC_NEXT))


def test_lgc_next_revision_is_detected():
    assert detect(text_of(LGC_NEXT)) == "lgc"


def test_lgc_next_revision_counts(lgc_next):
    # 69 top-level bullets carry a *(YEAR-VENUE)* tag; two of them are the empty `****`
    # templates (lines 12 and 331): 67 papers.  Five sub-bullets name a nested paper
    # (lines 99 "Extend to PAMI:", 362 "Similar to", 379 "Further extension to PAMI:",
    # 459 and 574 "Extension:"): 72 records.  The seed has 49 (45 + 4 nested).
    assert len(lgc_next.records) == 72
    assert [(s.line, s.reason) for s in lgc_next.skipped] == [
        (12, "empty template entry"),
        (331, "empty template entry"),
    ]
    assert lgc_next.failures == []
    assert [
        (r.line, r.relation, lgc_next.records[r.parent].line) for r in lgc_next.records if r.parent is not None
    ] == [
        (99, "extension_of", 95),
        (362, "similar_to", 358),
        (379, "extension_of", 375),
        (459, "extension_of", 452),
        (574, "extension_of", 570),
    ]


def test_lgc_extend_to_pami_is_a_nested_paper(lgc_next):
    parent, child = at(lgc_next, 95), at(lgc_next, 99)
    assert parent.title == "Self-Supervised Predictive Convolutional Attentive Block for Anomaly Detection"
    assert (parent.year, parent.venue_raw) == (2022, "CVPR")
    assert lgc_next.records[child.parent] is parent
    assert (child.title, child.year, child.venue_raw, child.relation) == (
        "Self-Supervised Masked Convolutional Transformer Block for Anomaly Detection",
        None,
        "PAMI",
        "extension_of",
    )
    assert child.links == [
        LinkRecord("paper", "https://ieeexplore.ieee.org/document/10273635/", "Paper"),
        LinkRecord("arxiv", "https://arxiv.org/abs/2209.12148", "ArXiv"),
        LinkRecord("code", "https://github.com/ristea/ssmctb", "Code"),
    ]
    assert (child.headings, child.domain, child.problems) == (RECONSTRUCTION, "industrial", [])
    # the parent's own sub-bullets are still read as before
    assert parent.datasets_raw == ["MVTec AD, CHUK Avenue, ShanghaiTech"]
    assert parent.summary.startswith("a self-supervised prediction block")


def test_lgc_new_entries_under_new_h3_headings(lgc_next):
    igd = at(lgc_next, 33)
    assert (igd.title, igd.year, igd.venue_raw, igd.stars) == (
        "Deep One-Class Classification via Interpolated Gaussian Descriptor",
        2022,
        "AAAI",
        3,
    )
    assert igd.authors_raw == "Yuanhong Chen, Yu Tian, Guansong Pang, Gustavo Carneiro"
    assert igd.datasets_raw == ["MNIST, Fashion MNIST, CIFAR-10, MVTec AD, Hyper-Kvasir, LAG"]
    assert (igd.headings, igd.section, igd.domain) == (ONE_CLASS, "One-class Classification Methods", "industrial")
    patch = at(lgc_next, 42)
    assert (patch.title, patch.year, patch.venue_raw) == (
        "Patch SVDD: Patch-level SVDD for Anomaly Detection and Segmentation",
        2020,
        "ACCV",
    )
    assert [link.role for link in patch.links] == ["paper", "arxiv", "code"]
    masking = at(lgc_next, 104)
    assert (masking.title, masking.venue_raw, masking.datasets_raw) == (
        "Self-Supervised Masking for Unsupervised Anomaly Detection and Localization",
        "TMM",
        ["Retinal-OCT, MVTec AD"],
    )


def test_lgc_summary_starting_like_a_label_is_not_a_paper(lgc_next):
    # line 353: "Extend to EDC, reducing encoder domain gaps ..." has no title: a summary
    e2ad = at(lgc_next, 351)
    assert e2ad.summary == ("Extend to EDC, reducing encoder domain gaps using contrastive learning and dual decoders.")


@pytest.mark.parametrize("marker", ["*", "+"])
def test_lgc_star_or_plus_bullets_read_the_same(marker, lgc_next):
    text = with_bullets(text_of(LGC_NEXT), marker)
    assert detect(text) == "lgc"
    result = lgc.read(text)
    assert summary_of(result) == summary_of(lgc_next)
    assert result.skipped == lgc_next.skipped and result.failures == []


# --- LGC nested labels: the general rule -----------------------------------------------------


def nested(sub_bullet: str) -> list[tuple]:
    text = "- ⭐ *(2022-CVPR)* **Parent Paper** [[Paper]](https://x.org/p)\n" + sub_bullet + "\n"
    result = lgc.read(text)
    return [(r.title, r.year, r.venue_raw, r.parent, r.relation, r.problems, r.summary) for r in result.records]


@pytest.mark.parametrize(
    ("label", "relation", "venue"),
    [
        ("Extend to PAMI:", "extension_of", "PAMI"),
        ("Extension:", "extension_of", None),
        ("Further extension to PAMI:", "extension_of", "PAMI"),
        ("Extended version in IJCV:", "extension_of", "IJCV"),
        ("Journal extension:", "extension_of", None),
        ("Similar to", "similar_to", None),
        ("Similar work:", "similar_to", None),
    ],
)
def test_labels_that_name_a_relation(label, relation, venue):
    line = f"  - {label} *Child Paper Title* [[Paper]](https://x.org/c)"
    assert nested(line) == [
        ("Parent Paper", 2022, "CVPR", None, None, [], None),
        ("Child Paper Title", None, venue, 0, relation, [], None),
    ]


def test_relation_label_without_links_is_still_a_paper():
    assert nested("  - Extend to TPAMI: *Child Paper Title*")[1][:5] == (
        "Child Paper Title",
        None,
        "TPAMI",
        0,
        "extension_of",
    )


def test_tagged_title_gives_the_venue_over_the_label():
    line = "  - Extend to PAMI: *(2024-TPAMI) Child Paper Title* [[Paper]](https://x.org/c)"
    assert nested(line)[1][:5] == ("Child Paper Title", 2024, "TPAMI", 0, "extension_of")


@pytest.mark.parametrize(
    "line",
    [
        "  - Journal version: *Child Paper Title* [[Paper]](https://x.org/c)",
        "  - See also *Child Paper Title* [[Paper]](https://x.org/c), [[Code]](https://x.org/k)",
        "  - Compared with: *(2021-ICCV)* **Child Paper Title**",
        "  - *(2021-ICCV) Child Paper Title* [[Paper]](https://x.org/c)",
    ],
)
def test_other_labels_give_a_related_paper_of_its_own(line):
    label = re.match(r"\s*- (.*?)\s*\*", line)[1]
    (parent, child) = nested(line)
    assert child[:5] == ("Child Paper Title", child[1], child[2], 0, None)
    assert child[5] == [
        (
            f"nested paper: the label {label!r} names no relation adbib stores (extension or"
            " similar); read as a paper of its own"
        )
    ]
    assert parent[6] is None  # not taken for the parent's summary


@pytest.mark.parametrize(
    "line",
    [
        "  - uses *masked* tokens to reconstruct [[Code]](https://x.org/k)",  # prose, then a link
        "  - Note: *important* remark",  # no tag, no link: prose with emphasis
        "  - *Italic summary sentence*",  # no label, no tag
        # longer than a label (more than six words), or with a sentence inside
        (
            "  - a prototype driven latent space that clusters normal samples like *Deep SVDD*"
            " [[Paper]](https://x.org/c)"
        ),
        "  - One-class methods. See *Deep SVDD* [[Paper]](https://x.org/c)",
        # a relation word whose label leads nowhere: the parent extends PatchCore, it is no child
        "  - Extends *PatchCore* with a memory bank of normal features",
        "  - Similarity of *normal* features scored with a memory bank",
    ],
)
def test_prose_with_emphasis_is_a_summary(line):
    (parent,) = nested(line)
    assert parent[6] == line.strip()[2:]


def test_relation_label_with_unreadable_title_still_fails():
    text = "- ⭐ *(2024-CVPR)* **Parent**\n  - Extend to PAMI: *(2025-PAMI) unclosed [[Paper]](https://x.org)\n"
    result = lgc.read(text)
    assert [r.title for r in result.records] == ["Parent"]
    assert [(f.line, f.reason) for f in result.failures] == [(2, "nested paper without a title")]


# --- diaoquesang f121bfd: two new entries ----------------------------------------------------


@pytest.fixture(scope="module")
def diao() -> ParseResult:
    return diaoquesang.read(text_of(DIAO_NEXT))


def test_diaoquesang_next_revision_is_detected():
    assert detect(text_of(DIAO_NEXT)) == "diaoquesang-md"


def test_diaoquesang_next_revision_counts(diao):
    # 30 bullets open with a [[VENUE YEAR]](url) tag (28 in the seed 2025-06, plus Dinomaly at
    # line 69 and ADer at line 466); the table of contents and the Tips legend are not papers.
    assert len(diao.records) == 30
    assert diao.failures == [] and diao.skipped == []
    assert sum(r.domain == "general" for r in diao.records) == 3  # the `*[[` entries


def test_diaoquesang_new_entries_exact(diao):
    dinomaly = at(diao, 69)
    assert (dinomaly.title, dinomaly.year, dinomaly.venue_raw, dinomaly.domain) == (
        "Dinomaly: The Less Is More Philosophy in Multi-Class Unsupervised Anomaly Detection",
        2025,
        "CVPR",
        "medical",
    )
    assert dinomaly.authors_raw == (
        "Guo, Jia and Lu, Shuai and Zhang, Weihang and Chen, Fang and Li, Huiqi and Liao, Hongen"
    )
    assert dinomaly.links == [
        LinkRecord(
            "paper",
            "https://openaccess.thecvf.com/content/CVPR2025/html/Guo_Dinomaly_The_"
            "Less_Is_More_Philosophy_in_Multi-Class_Unsupervised_Anomaly_CVPR_2025_paper.html",
            "CVPR 2025",
        ),
        LinkRecord("code", "https://github.com/guojiajeremy/dinomaly", ":octocat:"),
    ]
    assert dinomaly.section == 'Solving "Identity Mapping"'
    assert dinomaly.abstract.startswith("Recent studies highlighted a practical setting")
    assert dinomaly.abstract.endswith("the most advanced class-separated UAD records.")
    ader = at(diao, 466)
    assert (ader.title, ader.year, ader.venue_raw, ader.section) == (
        "ADer: A Comprehensive Benchmark for Multi-class Visual Anomaly Detection",
        2024,
        "arXiv",
        "Benchmarks",
    )
    assert ader.links[1] == LinkRecord("code", "https://github.com/zhangzjn/ader", ":octocat:")
    # an entry the revision relabelled: IF 2025 -> Inf. Fusion 2025
    assert at(diao, 301).venue_raw == "Inf. Fusion"


@pytest.mark.parametrize("marker", ["*", "+"])
def test_diaoquesang_star_or_plus_bullets_read_the_same(marker, diao):
    text = with_bullets(text_of(DIAO_NEXT), marker)
    assert detect(text) == "diaoquesang-md"
    result = diaoquesang.read(text)
    assert summary_of(result) == summary_of(diao)
    assert result.failures == []


def test_diaoquesang_star_bullet_with_general_marker():
    text = "* *[[NeurIPS 2022]](https://x.org/p) **A Unified Model**\n\n  *You, Zhiyuan*\n"
    (record,) = diaoquesang.read(text).records
    assert (record.title, record.venue_raw, record.year, record.domain, record.authors_raw) == (
        "A Unified Model",
        "NeurIPS",
        2022,
        "general",
        "You, Zhiyuan",
    )
