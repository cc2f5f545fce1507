"""Inline HTML in titles and dataset lists split on periods and group tags (issue 10, item 5).

The hazards come from the lists' later revisions: ``Real-IAD D<sup>3</sup>`` in a title,
``DTD-Synthetic. CVC-ClinicDB`` and ``Kvasir (Medical)`` on Datasets lines.  Real dataset lines
are read from the next LGC revision (tests/fixtures/lists/, origin in its README).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adbib.normalize import clean_title, datasets, normalize_record
from adbib.normalize.datasets import Dataset, all_datasets, split_dataset_items
from adbib.normalize.vocab import match_key
from adbib.readers import diaoquesang, lgc, medaierhhl
from adbib.records import PaperRecord

LGC_NEXT = (
    Path(__file__).resolve().parent
    / "fixtures"
    / "lists"
    / "LGC-AD__awesome-industrial-medical-anomaly-detection__36cd91e.md"
)
REAL_IAD = "Real-IAD D3: A Real-World 2D/Pseudo-3D/3D Dataset for Industrial Anomaly Detection"


# --- clean_title: inline HTML ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (("Real-IAD D<sup>3</sup>: A Real-World 2D/Pseudo-3D/3D Dataset for Industrial Anomaly Detection"), REAL_IAD),
        ("Anomaly Detection<br>in Medical Images", "Anomaly Detection in Medical Images"),
        ("Anomaly Detection<br/>in Medical Images", "Anomaly Detection in Medical Images"),
        ("<b>Bold</b> and <i>italic</i> words", "Bold and italic words"),
        ("H<sub>2</sub>O <SUP>2</SUP>", "H2O 2"),
        ('<span id="igd">IGD</span>: Interpolated Gaussian Descriptor', "IGD: Interpolated Gaussian Descriptor"),
        ("Before <!-- a comment --> after", "Before after"),
        ("Detection &amp; Segmentation", "Detection & Segmentation"),
        ("D&#179; and D&#xB3;", "D³ and D³"),
        ("A&nbsp;B", "A B"),
        ("&lt;sup&gt;3&lt;/sup&gt; escaped", "3 escaped"),  # escaped markup is markup too
        ("&amp;lt;b&amp;gt;twice&amp;lt;/b&amp;gt;", "twice"),
        ("&amp;amp; stays one &amp;", "& stays one &"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # code, not text: kept
        ("R&D and &param stay", "R&D and &param stay"),  # no semicolon: not a reference
        ("p < 0.05 and q > 1", "p < 0.05 and q > 1"),
        ("Learning x<y and z>w", "Learning x<y and z>w"),  # not an HTML element
        ("**Bold <sup>3</sup>** title.", "Bold 3 title"),
    ],
)
def test_clean_title_removes_inline_html(raw, clean):
    assert clean_title(raw) == clean


@pytest.mark.parametrize(
    ("reader", "text"),
    [
        (
            lgc,
            (
                "- ⭐ *(2025-CVPR)* **Real-IAD D<sup>3</sup>: A Real-World 2D/Pseudo-3D/3D Dataset"
                " for Industrial Anomaly Detection** [[Paper]](https://x.org/p)\n"
            ),
        ),
        (
            medaierhhl,
            (
                "- (2024/12/01) Real-IAD D<sup>3</sup>: A Real-World 2D/Pseudo-3D/3D Dataset"
                " for Industrial Anomaly Detection. [[CVPR](https://x.org/p)]\n"
            ),
        ),
        (
            diaoquesang,
            (
                "- [[CVPR 2025]](https://x.org/p) **Real-IAD D<sup>3</sup>: A Real-World"
                " 2D/Pseudo-3D/3D Dataset for Industrial Anomaly Detection**\n"
            ),
        ),
    ],
)
def test_every_reader_gets_the_clean_title(reader, text):
    (record,) = reader.read(text).records
    assert "<sup>" in record.title  # the reader keeps what the list wrote
    paper = normalize_record(record)
    assert paper.title == REAL_IAD
    assert paper.title_key == normalize_record(PaperRecord(REAL_IAD, 1, REAL_IAD)).title_key


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="<>&"), max_size=60))
def test_clean_title_without_markup_characters_is_unchanged_by_the_html_step(text):
    # a title without '<', '>' or '&' is cleaned exactly as before: only emphasis and spaces
    assert clean_title(f"{text}<b></b>") == clean_title(text)


# Whole tags and references, escaped at most twice: pieces that cannot be glued into deeper
# escaping, which clean_title undoes only up to its bound of passes.
_FRAGMENTS = [
    "<sup>",
    "</sup>",
    "<br>",
    "<b>",
    "</b>",
    "<i>",
    "<!--",
    "-->",
    "&amp;",
    "&lt;",
    "&gt;",
    "&#179;",
    "&#x3C;",
    "&nbsp;",
    "&lt;b&gt;",
    "&amp;lt;i&amp;gt;",
    "&",
    "<",
    ">",
    "x",
    "D",
    "3",
    " ",
    "script",
    "a b",
    "2D/3D",
    "-",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=24).map("".join))
def test_clean_title_is_idempotent_on_html(text):
    # what an export writes and an import reads back is cleaned to the same title
    once = clean_title(f"T {text} T")
    assert clean_title(once) == once
    assert not [f for f in ("<sup>", "<br>", "<b>", "&amp;", "&lt;", "&#179;") if f in once]


# --- split_dataset_items: periods between items ----------------------------------------------


def test_period_separates_items():
    assert split_dataset_items(["DTD-Synthetic. CVC-ClinicDB"]) == ["DTD-Synthetic", "CVC-ClinicDB"]
    assert split_dataset_items(["MVTec AD. VisA. BTAD."]) == ["MVTec AD", "VisA", "BTAD"]


@pytest.mark.parametrize(
    "item",
    [
        "e.g. MVTec AD",  # a one-letter word before the period
        "MVTec AD (ver. 2)",  # inside parentheses
        "v1.5 split",  # no space after the period
    ],
)
def test_period_that_does_not_end_an_item(item):
    assert split_dataset_items([item]) == [item]


def _spellings() -> list[str]:
    return sorted({s for d in all_datasets() for s in (d.name, *d.aliases)})


def test_every_vocabulary_spelling_stays_whole():
    # the new rules (periods, group tags) never cut a name the vocabulary knows
    assert [s for s in _spellings() if split_dataset_items([s]) != [s]] == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_spellings()), min_size=1, max_size=6), st.sampled_from([". ", ", ", "; "]))
def test_known_names_joined_by_any_separator_come_back(names, separator):
    assert split_dataset_items([separator.join(names)]) == names


# --- split_dataset_items: group tags ---------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["Kvasir (Medical)"], ["Kvasir"]),  # a domain
        (["MVTec AD (Industrial), VisA (industrial), BraTS2021 (Medical)"], ["MVTec AD", "VisA", "BraTS2021"]),
        (["Street Scenes (Video), Campus Walks (video)"], ["Street Scenes", "Campus Walks"]),  # shared
        (["MVTec AD (Objects)"], ["MVTec AD"]),  # a known name before the tag
    ],
)
def test_group_tags_are_dropped(items, expected):
    assert split_dataset_items(items) == expected


@pytest.mark.parametrize(
    "item",
    [
        "Valeo Anomaly Dataset (VAD)",  # known spelling; an acronym
        "New Benchmark (NB)",  # an acronym: part of the name
        "WHM datasets (2019 TMI)",  # a year
        "Liver CT (in-house)",  # in-house is what the data is
        "Retinal OCT (Kermany)",  # one unknown qualifier: kept as written
        "Chest X-ray (Brain MRI)",  # an acronym inside
    ],
)
def test_other_parentheses_are_kept(item):
    assert split_dataset_items([item]) == [item]


@pytest.mark.parametrize(
    "items",
    [
        ["Liver (MSD), Pancreas (MSD)"],  # a shared acronym names the dataset, not a group
        ["Liver CT (in-house), Brain MRI (in-house)"],  # shared, but in-house is the data
        ["BraTS (2021), LiTS (2017)"],  # a year after a known name
    ],
)
def test_tags_that_say_what_the_data_is_are_kept_even_when_shared_or_after_a_known_name(items):
    assert split_dataset_items(items) == [i.strip() for i in items[0].split(",")]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_spellings()), st.sampled_from(["Medical", "medical", "INDUSTRIAL", "Industrial", "General"]))
def test_a_domain_tag_after_any_known_name_is_dropped(name, tag):
    expected = [name] if match_key(f"{name} ({tag})") not in datasets._vocabulary()[1] else None
    assert split_dataset_items([f"{name} ({tag})"]) == (expected or [f"{name} ({tag})"])


def test_parentheses_the_vocabulary_knows_are_kept(monkeypatch):
    known = [Dataset("Foo (Cohort)", "Foo"), Dataset("Alpha. Beta", "Alpha"), Dataset("Kvasir (Medical)", "Kvasir")]
    index = {match_key(d.name): d for d in known}
    monkeypatch.setattr(datasets, "_vocabulary", lambda: (tuple(known), index))
    assert split_dataset_items(["Foo (Cohort), Bar (Cohort)"]) == ["Foo (Cohort)", "Bar"]
    assert split_dataset_items(["Alpha. Beta, Gamma. Delta"]) == ["Alpha. Beta", "Gamma", "Delta"]
    assert split_dataset_items(["Kvasir (Medical)"]) == ["Kvasir (Medical)"]


# --- on real data ----------------------------------------------------------------------------


def test_real_dataset_lines_of_the_next_lgc_revision():
    records = lgc.read(LGC_NEXT.read_text(encoding="utf-8")).records
    by_line = {r.line: split_dataset_items(r.datasets_raw) for r in records}
    assert by_line[248] == ["Valeo Anomaly Dataset (VAD)", "VisA"]
    assert by_line[452] == [
        "RSNA Pneumonia Detection Challenge dataset",
        "VinBigData Chest X-ray Abnormalities Detection dataset",
        "Chest X-ray Anomaly Detection (in-house)",
    ]
    assert by_line[562] == ["in-house", "WHM datasets (2019 TMI)"]
    assert by_line[33] == ["MNIST", "Fashion MNIST", "CIFAR-10", "MVTec AD", "Hyper-Kvasir", "LAG"]
    # this revision has neither hazard: the 246 items are the ones the split gave before
    # periods and group tags were read (checked against the previous code), and every
    # parenthesis it writes is kept
    items = [i for r in records for i in split_dataset_items(r.datasets_raw)]
    assert len(items) == 246
    assert [i for i in items if ". " in i] == []
    assert sorted({i for i in items if "(" in i}) == [
        "Chest X-ray Anomaly Detection (in-house)",
        "Valeo Anomaly Dataset (VAD)",
        "WHM datasets (2019 TMI)",
    ]


def test_a_datasets_line_with_both_hazards_through_normalize():
    text = (
        "- ⭐ *(2025-CVPR)* **A Paper** [[Paper]](https://x.org/p)\n"
        "  - Datasets: DTD-Synthetic. CVC-ClinicDB, Kvasir (Medical), MVTec AD (Industrial)\n"
    )
    (record,) = lgc.read(text).records
    paper = normalize_record(record)
    assert [(m.name, m.family, m.raw) for m in paper.datasets] == [
        ("DTD-Synthetic", "DTD-Synthetic", "DTD-Synthetic"),
        ("CVC-ClinicDB", "CVC-ClinicDB", "CVC-ClinicDB"),
        ("Kvasir", "Kvasir", "Kvasir"),
        ("MVTec AD", "MVTec", "MVTec AD"),
    ]
