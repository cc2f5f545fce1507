"""The MedAIerHHL reader: dated one-line entries whose first link names the venue."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adbib.readers import medaierhhl
from adbib.records import LinkRecord, PaperRecord, ParseResult

SEED = Path(__file__).resolve().parents[1] / "data/seed/medaierhhl-medical-image-ad_2024-02.md"


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def result(lines) -> ParseResult:
    return medaierhhl.read("\n".join(lines))


def at(result: ParseResult, line: int) -> PaperRecord:
    (record,) = [r for r in result.records if r.line == line]
    return record


def test_reads_every_entry_and_not_the_introduction(result):
    # lines 1-11: title, project links, contact, "Last updated", the time recording principle
    assert [r.line for r in result.records] == list(range(13, 27))
    assert result.failures == [] and result.skipped == []


def test_every_entry_is_medical_without_sections_or_year(result):
    assert {(r.domain, r.section, r.year) for r in result.records} == {("medical", None, None)}
    assert all(r.headings == [] for r in result.records)
    assert all(r.authors_raw is None and r.abstract is None for r in result.records)


def test_midl_entry_with_code_and_dropped_translation(result, lines):
    record = at(result, 15)
    assert record == PaperRecord(
        title="Towards Universal Unsupervised Anomaly Detection in Medical Imaging",
        line=15,
        raw=lines[14],
        year=None,  # (2024/01/19) is the arXiv date, not the MIDL year
        date="2024-01-19",
        venue_raw="MIDL",
        links=[
            LinkRecord("arxiv", "http://arxiv.org/abs/2401.10637", "MIDL"),
            LinkRecord("code", "https://github.com/ci-ber/RA", "code"),
        ],  # the [[中文](…)] machine translation is not a link to the paper
        domain="medical",
    )


def test_pattern_recognition_entry_with_doi_link(result):
    record = at(result, 17)
    assert (record.title, record.date, record.year, record.venue_raw) == (
        "Anomaly detection via gating highway connection for retinal fundus images",
        "2023-12-01",
        None,
        "PR",
    )
    assert record.links == [
        LinkRecord("doi", "https://doi.org/10.1016/j.patcog.2023.110167", "PR"),
        LinkRecord("code", "https://github.com/WentianZhang-ML/GatingAno", "code"),
    ]
    assert record.problems == []


def test_space_inside_url_is_reported_not_stored(result):
    record = at(result, 20)
    assert (record.title, record.date, record.venue_raw) == (
        "Latent Transformer Models for out-of-distribution detection",
        "2023-09-16",
        "MIA",
    )
    assert record.links == [LinkRecord("doi", "https://doi.org/10.1016/j.media.2023.102967", "MIA")]
    assert record.problems == [
        "link [code] not stored: space inside URL 'https://github.com/marksgraham/ transformer-ood'"
    ]


@pytest.mark.parametrize(
    ("line", "title", "date", "url"),
    [
        (
            13,
            "Evaluation of pseudo-healthy image reconstruction for anomaly detection with deep generative models: "
            "Application to brain FDG PET",
            "2024-01-29",
            "https://arxiv.org/abs/2401.16363",
        ),
        (
            18,
            "Leveraging healthy population variability in deep learning unsupervised anomaly detection in brain FDG PET",
            "2023-11-20",
            "http://arxiv.org/abs/2311.12081",
        ),
    ],
)
def test_arxiv_only_entry_is_an_arxiv_preprint(result, line, title, date, url):
    record = at(result, line)
    assert (record.title, record.date, record.year) == (title, date, None)
    assert record.venue_raw == "arXiv"
    assert record.links == [LinkRecord("arxiv", url, "arxiv")]


def test_paper_label_names_no_venue(result):
    record = at(result, 16)
    assert record.title == (
        "Anomaly Detection for Medical Images Using Teacher-Student Model with Skip Connections "
        "and Multi-scale Anomaly Consistency"
    )
    assert (record.date, record.venue_raw) == ("2023-12-07", None)
    assert [(link.role, link.label) for link in record.links] == [
        ("paper", "paper"),
        ("code", "code"),
    ]


def test_venue_links_take_their_role_from_the_url(result):
    assert [(link.role, link.url) for link in at(result, 22).links] == [
        ("arxiv", "https://arxiv.org/pdf/2308.16150.pdf"),
        ("code", "https://github.com/ZiyunLiang/MMCCD"),
    ]
    assert at(result, 22).venue_raw == "MICCAI"
    assert [(link.role, link.url) for link in at(result, 26).links] == [
        ("paper", "https://link.springer.com/chapter/10.1007/978-3-031-16434-7_63"),
        ("code", "https://github.com/WentianZhang-ML/WDMT-Net"),
    ]
    assert (at(result, 26).date, at(result, 26).venue_raw) == ("2022-09-16", "MICCAI")


# --------------------------------------------------------------------------- synthetic edge cases


@pytest.mark.parametrize("text", ["", "\n", "Last updated: 2024/02/02", "- (2024/01/19)"])
def test_no_entries(text):
    result = medaierhhl.read(text)
    assert result.records == []


def test_broken_entries_do_not_raise():
    text = "\n".join(
        [
            "- (2024/13/40) Impossible Date. [[arxiv](https://arxiv.org/abs/2401.00001)]",
            "- (2024/01/19) No Links.",
            "- (2024/01/19) Unbalanced. [[TMI](https://doi.org/10.1109/x)][[code](https://github.com/a/b",
            "- (2024/01 Truncated date. [[arxiv](https://arxiv.org/abs/2401.00001)]",
            "- (2024/01/19) [[arxiv](https://arxiv.org/abs/2401.00001)]",
            "- (2024/01/19) Mislabelled. [[arxiv](https://github.com/a/b)]",
            "- (2024/01/19) . [[arxiv](https://arxiv.org/abs/2401.00001)]",
        ]
    )
    result = medaierhhl.read(text)
    impossible, no_links, unbalanced, mislabelled = result.records
    assert (impossible.date, impossible.problems) == (None, ["not a date: 2024/13/40"])
    assert (no_links.title, no_links.venue_raw, no_links.links) == ("No Links", None, [])
    assert unbalanced.links == [LinkRecord("doi", "https://doi.org/10.1109/x", "TMI")]
    assert unbalanced.problems == ["unreadable link markup 'code](https://github.com/a/b'"]
    assert mislabelled.links == [] and mislabelled.venue_raw == "arXiv"
    assert mislabelled.problems == ["link [arxiv] not stored: link labelled 'arxiv' points to 'github.com', not arXiv"]
    assert [(f.line, f.text) for f in result.failures] == [
        (4, "- (2024/01 Truncated date. [[arxiv](https://arxiv.org/abs/2401.00001)]"),
        (5, "- (2024/01/19) [[arxiv](https://arxiv.org/abs/2401.00001)]"),
        (7, "- (2024/01/19) . [[arxiv](https://arxiv.org/abs/2401.00001)]"),
    ]


_FRAGMENTS = [
    "- ", "(2024/01/19)", "(2024/13/40)", "(2024/", " ", "Title", ".", "[[", "]]", "[", "]", "(",
    ")", "MIDL", "code", "中文", "arxiv", "paper", "https://arxiv.org/abs/2401.00001",
    "https://github.com/a/ b", "\n",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map("".join))
def test_any_text_reads_without_exception(text):
    result = medaierhhl.read(text)
    n_lines = text.count("\n") + 1
    for item in [*result.records, *result.failures]:
        assert 1 <= item.line <= n_lines
    for record in result.records:
        assert record.raw in text and record.title and record.domain == "medical"
