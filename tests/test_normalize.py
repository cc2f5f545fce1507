"""The normalize layer: author names, venues, datasets, categories, and normalize_record.

Inputs are copied from the seed lists (or read from them by line number, so a changed seed
file fails loudly); expected values are written out in full.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from adbib.normalize import clean_title, normalize_record
from adbib.normalize.categories import (
    all_categories,
    category_for_heading,
    domain_for_heading,
    heading_key,
    resolve_category,
)
from adbib.normalize.datasets import (
    all_datasets,
    find_in_text,
    resolve_dataset,
    split_dataset_items,
)
from adbib.normalize.names import family_key, name_key, parse_authors, split_authors
from adbib.normalize.text import repair
from adbib.normalize.venues import Venue, all_venues, parse_venue_tag, resolve_venue
from adbib.records import DatasetMention, LinkRecord, Name, PaperRecord
from adbib.resources import seed_dir

LGC = "lgc-industrial-medical-ad_2025-12.md"  # 000
DIAO = "diaoquesang-medical-ad_2025-06.md"  # 001
RENDERED = "diaoquesang-medical-ad_rendered.txt"  # 002
MEDAIER = "medaierhhl-medical-image-ad_2024-02.md"  # 003
DIAO_EARLY = "diaoquesang-medical-ad_2025-03.md"  # 004


@cache
def seed_lines(file: str) -> list[str]:
    return (seed_dir() / file).read_text(encoding="utf-8").splitlines()


def seed_line(file: str, line: int) -> str:
    """Line ``line`` (1-based) of a seed file, mojibake repaired."""
    return repair(seed_lines(file)[line - 1])


def authors_on(file: str, line: int) -> str:
    """The author string of a seed line: '  - Authors: X' or '  *X*' -> 'X' (spacing kept)."""
    text = re.sub(r"^\s*-\s*Authors: ?", "", seed_line(file, line))
    return text.strip().strip("*") if text.lstrip().startswith("*") else text


def names(*people: tuple[str, str] | tuple[str, str, str]) -> list[Name]:
    """names(('Anton', 'Hengel', 'van den'), ...) -> [Name(given, family, von), ...]."""
    return [Name(*p) for p in people]


# ---------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("file", "line", "expected", "truncated"),
    [
        pytest.param(
            LGC,
            101,
            names(
                ("Lukas", "Ruff"),
                ("Robert A.", "Vandermeulen"),
                ("Nico", "Görnitz"),
                ("Alexander", "Binder"),
                ("Emmanuel", "Müller"),
                ("Klaus-Robert", "Müller"),
                ("Marius", "Kloft"),
            ),
            False,
            id="bibtex-latex-accents",
        ),
        pytest.param(
            LGC,
            92,
            names(
                ("Philipp", "Liznerski"),
                ("Lukas", "Ruff"),
                ("Robert A.", "Vandermeulen"),
                ("Billy Joe", "Franks"),
                ("Marius", "Kloft"),
                ("Klaus-Robert", "Müller"),
            ),
            False,
            id="comma-list-mojibake-repaired",
        ),
        pytest.param(
            DIAO,
            128,
            names(
                ("Antanas", "Kascenas"),
                ("Pedro", "Sanchez"),
                ("Patrick", "Schrempf"),
                ("Chaoyang", "Wang"),
                ("William", "Clackett"),
                ("Shadia S", "Mikhael"),
                ("Jeremy P", "Voisey"),
                ("Keith", "Goatman"),
                ("Alexander", "Weir"),
                ("Nicolas", "Pugeault"),
            ),
            True,
            id="bibtex-and-others",
        ),
        pytest.param(
            LGC,
            352,
            # In 'Given Family' form BibTeX rules give a capitalised particle to the given name.
            names(
                ("Walter H. L.", "Pinaya"),
                ("Mark S.", "Graham"),
                ("Robert", "Gray"),
                ("Pedro F Da", "Costa"),
                ("Petru-Daniel", "Tudosiu"),
            ),
            True,
            id="comma-and-others",
        ),
        pytest.param(
            LGC,
            152,
            names(("Shicheng", "Xu"), ("Wei", "Li"), ("Zuoyong", "Li"), ("Tiesong", "Zhao"), ("Bob", "Zhang")),
            False,
            id="semicolons",
        ),
        pytest.param(
            LGC,
            362,
            names(("Sergio Naval", "Marimont"), ("Giacomo", "Tarroni")),
            False,
            id="ampersand",
        ),
        pytest.param(
            LGC,
            370,
            names(
                ("Christoph", "Baur"),
                ("Robert", "Graf"),
                ("Benedikt", "Wiestler"),
                ("Shadi", "Albarqouni"),
                ("Nassir", "Navab"),
            ),
            False,
            id="commas-then-ampersand",
        ),
        pytest.param(
            LGC,
            306,
            names(
                ("Fandong", "Zhang"),
                ("Ling", "Luo"),
                ("Xinwei", "Sun"),
                ("Zhen", "Zhou"),
                ("Xiuli", "Li"),
                ("Yizhou", "Yu"),
                ("Yizhou", "Wang"),
            ),
            False,
            id="missing-comma",
        ),
        pytest.param(
            LGC,
            120,
            names(("Guansong", "Pang"), ("Chunhua", "Shen"), ("Anton", "Hengel", "van den")),
            False,
            id="von-part",
        ),
        pytest.param(
            LGC,
            191,
            names(("Julio", "Silva-Rodríguez"), ("Valery", "Naranjo"), ("Jose", "Dolz")),
            False,
            id="hyphenated-leading-spaces",
        ),
        pytest.param(
            LGC,
            378,
            names(
                ("Thomas", "Schlegl"),
                ("Philipp", "Seeböck"),
                ("Sebastian M.", "Waldstein"),
                ("Ursula", "Schmidt-Erfurth"),
                ("Georg", "Langs"),
            ),
            False,
            id="seebock",
        ),
        pytest.param(
            DIAO,
            143,
            names(
                ("Arnaud", "Bougaham"), ("Valentin", "Delchevalerie"), ("Mohammed", "El Adoui"), ("Benoît", "Frénay")
            ),
            False,
            id="bibtex-two-word-family",
        ),
        pytest.param(
            DIAO,
            224,
            names(("Cosmin I", "Bercea"), ("Benedikt", "Wiestler"), ("Daniel", "Rueckert"), ("Julia A", "Schnabel")),
            False,
            id="bibtex-initials",
        ),
        pytest.param(
            DIAO,
            250,
            names(
                ("Matthew", "Baugh"),
                ("Hadrien", "Reynaud"),
                ("Sergio Naval", "Marimont"),
                ("Sarah", "Cechnicka"),
                ("Johanna P", "Müller"),
                ("Giacomo", "Tarroni"),
                ("Bernhard", "Kainz"),
            ),
            False,
            id="bibtex-latex-muller",
        ),
        pytest.param(
            RENDERED,
            170,
            names(
                ("Matthew", "Baugh"),
                ("Hadrien", "Reynaud"),
                ("Sergio Naval", "Marimont"),
                ("Sarah", "Cechnicka"),
                ("Johanna P", "Müller"),
                ("Giacomo", "Tarroni"),
                ("Bernhard", "Kainz"),
            ),
            False,
            id="latex-backslash-lost-in-rendering",
        ),
        pytest.param(
            DIAO_EARLY,
            60,
            names(("Julia", "Wolleb"), ("Florentin", "Bieder"), ("Robin", "Sandkühler"), ("Philippe C", "Cattin")),
            False,
            id="sandkuhler-latex",
        ),
        pytest.param(
            DIAO,
            276,
            names(("Julia", "Wolleb"), ("Florentin", "Bieder"), ("Robin", "Sandkühler"), ("Philippe C", "Cattin")),
            False,
            id="sandkuhler-unicode",
        ),
    ],
)
def test_split_authors_seed_lines(file, line, expected, truncated):
    assert split_authors(authors_on(file, line)) == (expected, truncated)


def test_seed_author_strings_are_as_documented():
    assert authors_on(LGC, 101) == (
        'Ruff, Lukas and Vandermeulen, Robert A. and G{\\"o}rnitz, Nico and Binder, Alexander and '
        'M{\\"u}ller, Emmanuel and M{\\"u}ller, Klaus-Robert and Kloft, Marius '
    )
    assert authors_on(RENDERED, 170).endswith('M{"u}ller, Johanna P and Tarroni, Giacomo and Kainz, Bernhard')
    assert authors_on(LGC, 306).startswith("Fandong Zhang Ling Luo, Xinwei Sun")


@pytest.mark.parametrize(
    ("raw", "expected", "truncated"),
    [
        ("Ruff, Lukas", names(("Lukas", "Ruff")), False),
        ("van den Hengel, Anton", names(("Anton", "Hengel", "van den")), False),
        ("Anton van den Hengel", names(("Anton", "Hengel", "van den")), False),
        ("Da Costa, Pedro F", names(("Pedro F", "Da Costa")), False),
        ("Yu Cai, Hao Chen", names(("Yu", "Cai"), ("Hao", "Chen")), False),
        ("Yu Cai and Hao Chen", names(("Yu", "Cai"), ("Hao", "Chen")), False),
        ("Cai, Yu and Chen, Hao", names(("Yu", "Cai"), ("Hao", "Chen")), False),
        (
            "Lukas Ruff, Nico Görnitz and Marius Kloft",
            names(("Lukas", "Ruff"), ("Nico", "Görnitz"), ("Marius", "Kloft")),
            False,
        ),
        ("Xu, Shicheng; Li, Wei", names(("Shicheng", "Xu"), ("Wei", "Li")), False),
        ("Dan Hendrycks et al.", names(("Dan", "Hendrycks")), True),
        ("Dan Hendrycks, et al", names(("Dan", "Hendrycks")), True),
        ("Dan Hendrycks, others", names(("Dan", "Hendrycks")), True),
        ("{{Corporate Author}}", [Name("", "Corporate Author")], False),
        ("Cosmin I", names(("Cosmin", "I")), False),
        ("", [], False),
        ("   ", [], False),
        (None, [], False),
    ],
)
def test_split_authors_forms(raw, expected, truncated):
    assert split_authors(raw) == (expected, truncated)


def test_jr_part():
    assert split_authors("Smith, Jr., John") == ([Name("John", "Smith", jr="Jr.")], False)


def test_missing_comma_guess_is_reported():
    parsed = parse_authors(authors_on(LGC, 306))
    assert parsed.notes == ["author 'Fandong Zhang Ling Luo' read as two authors (a missing comma)"]
    assert parse_authors(authors_on(LGC, 92)).notes == []


@pytest.mark.parametrize(
    "raw",
    [
        "Kerem Can Tezcan, Xiaoran Chen, Ender Konukoglu",  # three words: never split
        "Maria Jose Garcia Lopez, Ana Silva",  # four words but only one other name
        "Fandong Zhang Ling Luo, Xinwei Sun, Zhen Zhou Li",  # another name is not two words
    ],
)
def test_missing_comma_heuristic_is_conservative(raw):
    parsed = parse_authors(raw)
    assert parsed.notes == []
    assert [n.full for n in parsed.names] == [p.strip() for p in raw.split(",")]


@pytest.mark.parametrize(
    ("name", "key", "family"),
    [
        (Name("Klaus-Robert", "Müller"), "klaus robert muller", "muller"),
        (Name("Anton", "Hengel", "van den"), "anton van den hengel", "van den hengel"),
        (Name("Robert A.", "Vandermeulen"), "robert a vandermeulen", "vandermeulen"),
        (Name("Fabian", "Gröger"), "fabian groger", "groger"),
    ],
)
def test_name_and_family_keys(name, key, family):
    assert (name_key(name), family_key(name)) == (key, family)


def test_name_key_ignores_punctuation_of_initials():
    assert name_key(Name("Robert A.", "Vandermeulen")) == name_key(Name("Robert A", "Vandermeulen"))


# ---------------------------------------------------------------------------------- venues


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("2024-MICCAI", ("MICCAI", 2024)),
        ("MedIA 2023", ("MedIA", 2023)),
        ("Nature Communications 2025", ("Nature Communications", 2025)),
        ("2023-CVPR&PAMI", ("CVPR&PAMI", 2023)),
        ("2019-Medical Image Analysis ", ("Medical Image Analysis", 2019)),
        ("2024-CVPR Workshops", ("CVPR Workshops", 2024)),
        ("Inf. Fusion 2025", ("Inf. Fusion", 2025)),
        ("ACM MM 2024", ("ACM MM", 2024)),
        ("(2019 TMI)", ("TMI", 2019)),
        ("MICCAI", ("MICCAI", None)),
        ("2024", (None, 2024)),
        ("", (None, None)),
    ],
)
def test_parse_venue_tag(tag, expected):
    assert parse_venue_tag(tag) == expected


MEDIA = Venue("MedIA", "Medical Image Analysis", "journal", ("MIA", "Med. Image Anal."))


@pytest.mark.parametrize(
    "raw", ["MedIA", "MIA", "Medical Image Analysis", "Medical Image Analysis ", "medical image analysis"]
)
def test_medical_image_analysis_spellings(raw):
    assert resolve_venue(raw) == (MEDIA, [])


@pytest.mark.parametrize(
    ("raw", "short", "type_"),
    [
        ("MICCAI", "MICCAI", "conference"),
        ("IPMI", "IPMI", "conference"),
        ("MIDL", "MIDL", "conference"),
        ("TMI", "TMI", "journal"),
        ("CVPR", "CVPR", "conference"),
        ("CVPR Workshops", "CVPRW", "workshop"),
        ("CVPRW", "CVPRW", "workshop"),
        ("ICLR", "ICLR", "conference"),
        ("NeurIPS", "NeurIPS", "conference"),
        ("AAAI", "AAAI", "conference"),
        ("TIP", "TIP", "journal"),
        ("KDD", "KDD", "conference"),
        ("PAMI", "PAMI", "journal"),
        ("TPAMI", "PAMI", "journal"),
        ("WACV", "WACV", "conference"),
        ("PR", "PR", "journal"),
        ("Neurocomputing", "Neurocomputing", "journal"),
        ("IF", "InfFus", "journal"),
        ("Inf. Fusion", "InfFus", "journal"),
        ("Information Fusion", "InfFus", "journal"),
        ("Nature Communications", "NatCommun", "journal"),
        ("UNSURE", "UNSURE", "workshop"),
        ("ACM MM", "ACM MM", "conference"),
        ("arXiv", "arXiv", "preprint"),
        ("arxiv", "arXiv", "preprint"),
        ("arXiv preprint arXiv:2303.00609", "arXiv", "preprint"),
        ("MICCAI 2024", "MICCAI", "conference"),
        ("Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition", "CVPR", "conference"),
        ("Medical Image Computing and Computer Assisted Intervention – MICCAI 2023", "MICCAI", "conference"),
        (
            "International Conference on Medical Image Computing and Computer-Assisted Intervention",
            "MICCAI",
            "conference",
        ),
    ],
)
def test_resolve_venue(raw, short, type_):
    venue, more = resolve_venue(raw)
    assert (venue.short, venue.type, more) == (short, type_, [])


def test_miccai_full_name():
    assert resolve_venue("MICCAI")[0].name == (
        "International Conference on Medical Image Computing and Computer-Assisted Intervention"
    )


def test_combined_tag():
    venue, more = resolve_venue("CVPR&PAMI")
    assert (venue.short, [v.short for v in more]) == ("CVPR", ["PAMI"])
    assert more[0].name == "IEEE Transactions on Pattern Analysis and Machine Intelligence"


@pytest.mark.parametrize("raw", [None, "", "  ", "paper", "code", "Journal of Nowhere", "CVPR&Nowhere"])
def test_unknown_venue(raw):
    assert resolve_venue(raw) == (None, [])


def _seed_venue_tags() -> list[str]:
    """Every venue tag of the five seed files, as written."""
    tags = re.findall(r"\*\((\d{4}-[^)]*)\)", "\n".join(seed_lines(LGC)))
    for file in (DIAO, DIAO_EARLY):
        tags += re.findall(r"\[\[([^\]]+ \d{4})\]\]", "\n".join(seed_lines(file)))
    tags += re.findall(r"^\s*• \*?\[([^\]]+ \d{4})\]", "\n".join(seed_lines(RENDERED)), re.M)
    tags += re.findall(r"^- \(\d{4}/\d\d/\d\d\) .*?\[\[(\w+)\]\(", "\n".join(seed_lines(MEDAIER)), re.M)
    return tags


def test_every_seed_venue_tag_resolves():
    tags = _seed_venue_tags()
    assert len(tags) > 100
    shorts = set()
    for tag in tags:
        text, _ = parse_venue_tag(tag)
        if text == "paper":  # MedAIerHHL's "paper" link label names no venue
            continue
        venue, more = resolve_venue(text)
        assert venue is not None, tag
        shorts |= {venue.short, *(v.short for v in more)}
    assert shorts == {
        "AAAI",
        "ACM MM",
        "CVPR",
        "CVPRW",
        "ICLR",
        "IPMI",
        "InfFus",
        "KDD",
        "MICCAI",
        "MIDL",
        "MedIA",
        "NatCommun",
        "NeurIPS",
        "Neurocomputing",
        "PAMI",
        "PR",
        "TIP",
        "TMI",
        "UNSURE",
        "WACV",
        "arXiv",
    }


def test_venue_vocabulary_is_well_formed():
    venues = all_venues()
    assert len({v.short for v in venues}) == len(venues)
    assert {v.type for v in venues} == {"conference", "journal", "workshop", "preprint"}
    with pytest.raises(AttributeError):
        venues[0].short = "X"  # frozen


# -------------------------------------------------------------------------------- datasets


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["MNIST, Fashion-MNIST, and CIFAR-10 "], ["MNIST", "Fashion-MNIST", "CIFAR-10"]),
        (["BMAD, BTCV+LiTS, RESC"], ["BMAD", "BTCV", "LiTS", "RESC"]),
        (["INBreast and in-house mammography dataset"], ["INBreast", "in-house mammography dataset"]),
        (["Valeo Anomaly Dataset (VAD), VisA"], ["Valeo Anomaly Dataset (VAD)", "VisA"]),
        (["in-house datasets,MSLUB, MSSEG2015"], ["in-house datasets", "MSLUB", "MSSEG2015"]),
        (["in-house, ", "WHM datasets (2019 TMI)"], ["in-house", "WHM datasets (2019 TMI)"]),
        (["HCP, BraTS 2017,  ISLES 2015, VinDr-CXR"], ["HCP", "BraTS 2017", "ISLES 2015", "VinDr-CXR"]),
        (
            ["BraTS 2021, iCAIRD GG&C NHS dataset: Head CT, qure.ai CQ500: Head CT "],
            ["BraTS 2021", "iCAIRD GG&C NHS dataset: Head CT", "qure.ai CQ500: Head CT"],
        ),
        (
            [
                "",
                "RSNA Pneumonia Detection Challenge dataset",
                "VinBigData Chest X-ray Abnormalities Detection dataset",
                "Chest X-ray Anomaly Detection (in-house)",
            ],
            [
                "RSNA Pneumonia Detection Challenge dataset",
                "VinBigData Chest X-ray Abnormalities Detection dataset",
                "Chest X-ray Anomaly Detection (in-house)",
            ],
        ),
        (["Datasets: MVTec AD, Foo (a, b)"], ["MVTec AD", "Foo (a, b)"]),
        (["fastMRI+"], ["fastMRI+"]),
        (["", "  ", ",", " - "], []),
    ],
)
def test_split_dataset_items(items, expected):
    assert split_dataset_items(items) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("BRATS17", ("BraTS 2017", "BraTS")),
        ("BraTS2017", ("BraTS 2017", "BraTS")),
        ("BraTS 2017", ("BraTS 2017", "BraTS")),
        ("BRATS 2018", ("BraTS 2018", "BraTS")),
        ("BraTS 2019", ("BraTS 2019", "BraTS")),
        ("BraTS2020", ("BraTS 2020", "BraTS")),
        ("BraTS 2021", ("BraTS 2021", "BraTS")),
        ("BraTS2021", ("BraTS 2021", "BraTS")),
        ("BRATS", ("BraTS", "BraTS")),
        ("MVTec AD", ("MVTec AD", "MVTec")),
        ("MVTecAD", ("MVTec AD", "MVTec")),
        ("MVTec-3D AD", ("MVTec 3D-AD", "MVTec")),
        ("CheXpert", ("CheXpert", "CheXpert")),
        ("Stanford CheXpert", ("CheXpert", "CheXpert")),
        ("RSNA", ("RSNA Pneumonia", "RSNA")),
        ("RSNA Pneumonia Detection Challenge dataset", ("RSNA Pneumonia", "RSNA")),
        ("VinDr-CXR", ("VinDr-CXR", "VinDr-CXR")),
        ("VinBigData Chest X-ray Abnormalities Detection dataset", ("VinDr-CXR", "VinDr-CXR")),
        ("ISLES 2015", ("ISLES 2015", "ISLES")),
        ("Fashion-MNIST", ("Fashion-MNIST", "Fashion-MNIST")),
        ("FashionMNIST", ("Fashion-MNIST", "Fashion-MNIST")),
        ("HCP", ("HCP", "HCP")),
        ("HCP dataset", ("HCP", "HCP")),
        ("SDD", ("KolektorSDD", "KolektorSDD")),
        ("KolektorSDD2", ("KolektorSDD2", "KolektorSDD")),
        ("CIFAR-100", ("CIFAR-100", "CIFAR")),
        ("news20", ("20 Newsgroups", "20 Newsgroups")),
        ("celeba", ("CelebA", "CelebA")),
        ("UKB", ("UK Biobank", "UK Biobank")),
        ("FastMRI", ("fastMRI", "fastMRI")),
        ("INBreast", ("INbreast", "INbreast")),
        ("Physionet-ICH dataset", ("PhysioNet-ICH", "PhysioNet-ICH")),
        ("qure.ai CQ500: Head CT", ("CQ500", "CQ500")),
        ("Valeo Anomaly Dataset (VAD)", ("VAD", "VAD")),
        ("microscopic images MIIC", ("MIIC", "MIIC")),
        ("WHM datasets (2019 TMI)", ("WMH", "WMH")),
        ("Camelyon16", ("Camelyon16", "Camelyon")),
        ("LiTS Dataset", ("LiTS", "LiTS")),
        ("MVTec AD dataset", ("MVTec AD", "MVTec")),  # unlisted "... dataset": tried without it
        ("in-house", ("in-house", "in-house")),
        ("in-house dataset", ("in-house", "in-house")),
        ("in-house datasets", ("in-house", "in-house")),
        ("in-house MRI dataset", ("in-house", "in-house")),
        ("in-house mammography dataset", ("in-house", "in-house")),
        ("Chest X-ray Anomaly Detection (in-house)", ("in-house", "in-house")),
        ("Chest X-ray Anomaly Detection （in-house）", ("in-house", "in-house")),
        ("an in house CT cohort", ("in-house", "in-house")),
        ("OCT", ("OCT", "OCT")),  # a modality, not a dataset the vocabulary can name
        ("  Chest  X-ray ", ("Chest X-ray", "Chest X-ray")),
    ],
)
def test_resolve_dataset(raw, expected):
    assert resolve_dataset(raw) == expected


def _lgc_dataset_items() -> list[str]:
    """Every item of the LGC list's ``Datasets:`` lines and their sub-bullets."""
    lines = seed_lines(LGC)
    items: list[str] = []
    for i, line in enumerate(lines):
        m = re.match(r"^(\s+)- Datasets:(.*)$", line)
        if not m:
            continue
        group = [m[2]]
        for below in lines[i + 1 :]:
            sub = re.match(rf"^{m[1]}\s+- (.*)$", below)
            if not sub:
                break
            group.append(sub[1])
        items += split_dataset_items([repair(x) for x in group])
    return items


def test_every_lgc_dataset_item_is_in_the_vocabulary():
    items = _lgc_dataset_items()
    assert len(items) == 170
    known = {d.name for d in all_datasets()}
    unknown = sorted({raw for raw in items if resolve_dataset(raw)[0] not in known})
    assert unknown == ["Chest X-ray", "OCT"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            (
                "We evaluate our algorithm on MVTec-AD and CIFAR-10 datasets, where we surpass the "
                "state-of-the-art alternatives. For example, when learning a unified model for 15 "
                "categories in MVTec-AD, we surpass the second competitor"
            ),
            [("MVTec AD", "MVTec"), ("CIFAR-10", "CIFAR")],
        ),
        (
            "popular anomaly detection benchmarks including MVTec-AD, VisA, and Real-IAD.",
            [("MVTec AD", "MVTec"), ("VisA", "VisA"), ("Real-IAD", "Real-IAD")],
        ),
        (
            "across three diverse datasets, which include BrainMRI, Brats2021, and the MVtec dataset.",
            [("BrainMRI", "BrainMRI"), ("BraTS 2021", "BraTS"), ("MVTec AD", "MVTec")],
        ),
        (
            ("We evaluate our method on the BRATS2020 dataset for brain tumor detection and the CheXpert dataset"),
            [("BraTS 2020", "BraTS"), ("CheXpert", "CheXpert")],
        ),
        (
            "we present (1) the Valeo Anomaly Dataset (VAD) a novel real-world industrial dataset",
            [("VAD", "VAD")],
        ),
        ("results on MVTec 3D-AD and the MVTec LOCO benchmark", [("MVTec 3D-AD", "MVTec"), ("MVTec LOCO AD", "MVTec")]),
        ("trained on Fashion-MNIST", [("Fashion-MNIST", "Fashion-MNIST")]),
        ("tumours in BraTS-2021 and BraTS", [("BraTS 2021", "BraTS"), ("BraTS", "BraTS")]),
        # ordinary prose and ambiguous acronyms are never datasets
        ("indistinguishable from real normal retinal OCT images", []),
        ("an Optical inspection system with a visa", []),
        ("features pre-trained on ImageNet", []),
        ("the ATLAS of brain anatomy, RSNA guidelines and DDR memory", []),
        ("video anomaly detection (VAD) with an ADAM optimizer", []),
        ("a BraTS-like MVTecAD-based protocol", []),
        ("", []),
        (None, []),
    ],
)
def test_find_in_text(text, expected):
    assert find_in_text(text) == expected


def test_dataset_vocabulary_is_well_formed():
    datasets = all_datasets()
    assert len({d.name for d in datasets}) == len(datasets)
    brats = sorted(d.name for d in datasets if d.family == "BraTS")
    assert brats == ["BraTS", "BraTS 2017", "BraTS 2018", "BraTS 2019", "BraTS 2020", "BraTS 2021"]


# ------------------------------------------------------------------------------ categories


@pytest.mark.parametrize(
    ("file", "line", "expected"),
    [
        (LGC, 27, "supervised"),
        (LGC, 147, "reconstruction"),
        (LGC, 281, "feature-embedding"),
        (LGC, 318, "synthesis"),
        (LGC, 386, "benchmark"),
        (LGC, 398, "survey"),
        (LGC, 8, None),  # Table of Contents
        (LGC, 21, None),  # a domain heading
        (LGC, 133, None),
        (LGC, 425, None),  # Datasets appendix
        (LGC, 456, None),  # Updates
        (DIAO, 41, None),  # 📇 Contents
        (DIAO, 55, None),  # 📚 Overview of Medical Imaging Anomaly Detection
        (DIAO, 61, None),  # ✏️ Tips
        (DIAO, 67, "identity-mapping"),
        (DIAO, 83, "discriminative"),
        (DIAO, 98, "autoencoder"),
        (DIAO, 139, "gan"),
        (DIAO, 181, "diffusion"),
        (DIAO, 287, "multimodal"),
        (DIAO, 316, "vision-language"),
        (DIAO, 396, "knowledge-distillation"),
        (DIAO, 412, "benchmark"),
        (DIAO, 453, None),  # 🥰 Star History
        (RENDERED, 48, "identity-mapping"),
        (RENDERED, 61, "supervised"),
        (RENDERED, 74, "self-supervised"),
        (RENDERED, 92, "autoencoder"),
        (RENDERED, 105, "gan"),
        (RENDERED, 133, "flow"),
        (RENDERED, 141, "diffusion"),
        (RENDERED, 184, "multimodal"),
        (RENDERED, 197, "vision-language"),
        (RENDERED, 245, "knowledge-distillation"),
        (RENDERED, 253, "correlation"),
        (RENDERED, 261, "benchmark"),
        (DIAO_EARLY, 24, "identity-mapping"),
        (DIAO_EARLY, 38, "discriminative"),
        (DIAO_EARLY, 44, "diffusion"),
    ],
)
def test_category_of_every_seed_heading(file, line, expected):
    heading = seed_line(file, line).lstrip("#").strip()
    assert category_for_heading(heading) == expected


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ('🕐 1. Solving "Identical Shortcut" <div id = "s3"></div>', "solving identical shortcut"),
        ('🕒 3. AE-Based Approaches <div id = "s5"></div>', "ae based approaches"),
        ("12. Benchmarks", "benchmarks"),
        ("[Industrial Anomaly Detection](#industrial-anomaly-detection)", "industrial anomaly detection"),
        ("Supervised/Openset/Noise Anomaly Detection Methods", "supervised openset noise anomaly detection methods"),
        ("Benchmark ", "benchmark"),
        ("3D Anomaly Detection", "3d anomaly detection"),
    ],
)
def test_heading_key(heading, key):
    assert heading_key(heading) == key


@pytest.mark.parametrize(
    ("heading", "domain"),
    [
        ("[Industrial Anomaly Detection](#industrial-anomaly-detection)", "industrial"),
        ("[Medical Anomaly Detection](#medical-anomaly-detection)", "medical"),
        ("Medical Anomaly Detection", "medical"),
        ("Reconstruction-based Methods", None),
        ("Awesome Industrial & Medical Anomaly Detection", None),
    ],
)
def test_domain_for_heading(heading, domain):
    assert domain_for_heading(heading) == domain


@pytest.mark.parametrize(
    ("term", "category"),
    [
        ("diffusion", "diffusion"),
        ("DDPM", "diffusion"),
        ("Diffusion-Based Approaches", "diffusion"),
        ("vlm", "vision-language"),
        ("CLIP", "vision-language"),
        ("Vision-language models", "vision-language"),
        ("ae", "autoencoder"),
        ("memory", "feature-embedding"),
        ("feature embedding", "feature-embedding"),
        ("identity mapping", "identity-mapping"),
        ('Solving "Identical Shortcut"', "identity-mapping"),
        ("multi-modal", "multimodal"),
        ("kd", "knowledge-distillation"),
        ("surveys", "survey"),
        ("self-supervised", "self-supervised"),
        ("quantum", None),
        ("", None),
    ],
)
def test_resolve_category(term, category):
    assert resolve_category(term) == category


def test_category_vocabulary_names():
    assert [c.name for c in all_categories()] == [
        "supervised",
        "self-supervised",
        "discriminative",
        "identity-mapping",
        "reconstruction",
        "autoencoder",
        "gan",
        "flow",
        "diffusion",
        "feature-embedding",
        "synthesis",
        "multimodal",
        "vision-language",
        "knowledge-distillation",
        "correlation",
        "benchmark",
        "survey",
    ]


# ------------------------------------------------------------------------ normalize_record


def _link(role: str, url: str, label: str) -> LinkRecord:
    return LinkRecord(role=role, url=url, label=label)


SQUID_LINKS = [
    _link(
        "paper",
        "https://openaccess.thecvf.com/content/CVPR2023/papers/Xiang_SQUID_Deep_Feature_In-Painting_for_Unsupervised_Anomaly_Detection_CVPR_2023_paper.pdf",
        "Paper",
    ),
    _link("arxiv", "https://arxiv.org/abs/2111.13495", "ArXiv"),
    _link("code", "https://github.com/tiangexiang/SQUID", "Code"),
]


def test_normalize_lgc_squid():
    rec = PaperRecord(
        title="SQUID Deep Feature In-Painting for Unsupervised Anomaly Detection",
        line=182,
        raw=seed_lines(LGC)[181],
        year=2023,
        venue_raw="CVPR&PAMI",
        authors_raw="Tiange Xiang, Yixiao Zhang, Yongyi Lu, Alan L. Yuille, Chaoyi Zhang, Weidong Cai, Zongwei Zhou",
        links=[*SQUID_LINKS, SQUID_LINKS[2]],
        datasets_raw=["DigitAnatomy, ZhangLab Chest X-ray, Stanford CheXpert"],
        headings=["Medical Anomaly Detection", "Reconstruction-based Methods"],
        domain="medical",
        summary="A space-aware memory–queue inpainting method that models recurring anatomical patterns in radiography images.",
        stars=3,
    )
    paper = normalize_record(rec)
    assert paper.record is rec
    assert (paper.title, paper.title_key) == (
        "SQUID Deep Feature In-Painting for Unsupervised Anomaly Detection",
        "squid deep feature in painting for unsupervised anomaly detection",
    )
    assert (paper.year, paper.year_from_date, paper.date) == (2023, False, None)
    assert (paper.venue, paper.venue_extra) == ("CVPR", ["PAMI"])
    assert [a.full for a in paper.authors] == [
        "Tiange Xiang",
        "Yixiao Zhang",
        "Yongyi Lu",
        "Alan L. Yuille",
        "Chaoyi Zhang",
        "Weidong Cai",
        "Zongwei Zhou",
    ]
    assert paper.authors_truncated is False
    assert (paper.arxiv, paper.doi) == ("2111.13495", None)
    assert paper.links == SQUID_LINKS  # the repeated code link is dropped
    assert paper.datasets == [
        DatasetMention("DigitAnatomy", "DigitAnatomy", "datasets-line", "DigitAnatomy"),
        DatasetMention("ZhangLab Chest X-ray", "ZhangLab Chest X-ray", "datasets-line", "ZhangLab Chest X-ray"),
        DatasetMention("CheXpert", "CheXpert", "datasets-line", "Stanford CheXpert"),
    ]
    assert paper.categories == ["reconstruction"]
    assert paper.domain == "medical"
    assert paper.summary == rec.summary
    assert (paper.abstract, paper.problems) == (None, [])


def test_normalize_lgc_missing_comma_and_broken_link_problems():
    rec = PaperRecord(
        title="Cascaded Generative and Discriminative Learning for Microcalcification Detection in Breast Mammograms",
        line=305,
        raw=seed_lines(LGC)[304],
        year=2019,
        venue_raw="CVPR",
        authors_raw="Fandong Zhang Ling Luo, Xinwei Sun, Zhen Zhou, Xiuli Li, Yizhou Yu, Yizhou Wang",
        datasets_raw=["INBreast and in-house mammography dataset"],
        headings=["Medical Anomaly Detection", "Feature-based/Memory Methods"],
        problems=["link [Paper] not stored: empty link"],
    )
    paper = normalize_record(rec)
    assert [a.last for a in paper.authors] == ["Zhang", "Luo", "Sun", "Zhou", "Li", "Yu", "Wang"]
    assert paper.problems == [
        "link [Paper] not stored: empty link",
        "author 'Fandong Zhang Ling Luo' read as two authors (a missing comma)",
    ]
    assert rec.problems == ["link [Paper] not stored: empty link"]  # the record is not changed
    assert [(d.name, d.family, d.raw) for d in paper.datasets] == [
        ("INbreast", "INbreast", "INBreast"),
        ("in-house", "in-house", "in-house mammography dataset"),
    ]


def test_normalize_diaoquesang_abstract_datasets_and_truncation():
    abstract = (
        "Despite the rapid advance of unsupervised anomaly detection, existing methods require to "
        "train separate models for different objects. [...] We evaluate our algorithm on MVTec-AD "
        "and CIFAR-10 datasets, where we surpass the state-of-the-art alternatives by a "
        "sufficiently large margin. For example, when learning a unified model for 15 categories "
        "in MVTec-AD, we surpass the second competitor"
    )
    rec = PaperRecord(
        title="A Unified Model for Multi-class Anomaly Detection",
        line=70,
        raw=seed_lines(DIAO)[69],
        year=2022,
        venue_raw="NeurIPS",
        authors_raw="You, Zhiyuan and Cui, Lei and Shen, Yujun and Yang, Kai and Lu, Xin and Zheng, Yu and Le, Xinyi and others",
        links=[
            _link(
                "paper",
                "https://proceedings.neurips.cc/paper_files/paper/2022/file/1d774c112926348c3e25ea47d87c835b-Paper-Conference.pdf",
                "NeurIPS 2022",
            ),
            _link("code", "https://github.com/zhiyuanyou/uniad", ":octocat:"),
        ],
        datasets_raw=["CIFAR-10"],
        headings=['🕐 1. Solving "Identical Shortcut" <div id = "s3"></div>'],
        domain="general",
        abstract=abstract,
    )
    paper = normalize_record(rec)
    assert (paper.venue, paper.year, paper.categories, paper.domain) == (
        "NeurIPS",
        2022,
        ["identity-mapping"],
        "general",
    )
    assert paper.authors_truncated is True
    assert [a.last for a in paper.authors] == ["You", "Cui", "Shen", "Yang", "Lu", "Zheng", "Le"]
    assert paper.datasets == [
        DatasetMention("CIFAR-10", "CIFAR", "datasets-line", "CIFAR-10"),
        DatasetMention("MVTec AD", "MVTec", "abstract", "MVTec-AD"),
    ]
    assert (paper.arxiv, paper.doi) == (None, None)


@pytest.mark.parametrize(
    ("links", "arxiv", "doi"),
    [
        ([_link("paper", "https://arxiv.org/pdf/2403.09303", "MICCAI 2024")], "2403.09303", None),
        ([_link("arxiv", "https://arxiv.org/pdf/2308.16150.pdf", "MICCAI")], "2308.16150", None),
        ([_link("arxiv", "https://arxiv.org/abs/2401.10637v2", "MIDL")], "2401.10637", None),
        ([_link("paper", "https://doi.org/10.1109/TMI.2023.3310716", "TMI")], None, "10.1109/tmi.2023.3310716"),
        ([_link("doi", "https://dx.doi.org/10.1016/J.MEDIA.2023.102967", "DOI")], None, "10.1016/j.media.2023.102967"),
        (
            [
                _link("paper", "https://link.springer.com/chapter/10.1007/978-3-031-72120-5_51", "Paper"),
                _link("arxiv", "https://arxiv.org/abs/2403.09303", "ArXiv"),
            ],
            "2403.09303",
            "10.1007/978-3-031-72120-5_51",
        ),
        ([_link("paper", "https://dl.acm.org/doi/10.1145/3292500.3330871", "Paper")], None, "10.1145/3292500.3330871"),
        ([_link("paper", "https://www.sciencedirect.com/science/article/pii/S1361841523002232", "Paper")], None, None),
    ],
)
def test_normalize_identifiers_from_links(links, arxiv, doi):
    paper = normalize_record(PaperRecord(title="T", line=1, raw="T", links=links))
    assert (paper.arxiv, paper.doi) == (arxiv, doi)


def test_normalize_medaierhhl_year_from_date():
    rec = PaperRecord(
        title="Evaluation of pseudo-healthy image reconstruction for anomaly detection with deep generative models: Application to brain FDG PET.",
        line=13,
        raw=seed_lines(MEDAIER)[12],
        date="2024-01-29",
        venue_raw="arXiv",
        links=[_link("arxiv", "https://arxiv.org/abs/2401.16363", "arxiv")],
        domain="medical",
    )
    paper = normalize_record(rec)
    assert paper.title == (
        "Evaluation of pseudo-healthy image reconstruction for anomaly detection with deep "
        "generative models: Application to brain FDG PET"
    )
    assert (paper.year, paper.year_from_date, paper.date) == (2024, True, "2024-01-29")
    assert (paper.venue, paper.arxiv, paper.authors, paper.categories) == ("arXiv", "2401.16363", [], [])


def test_normalize_unknown_venue_is_kept_and_marked_unknown():
    paper = normalize_record(PaperRecord(title="T", line=1, raw="T", venue_raw="Journal of Nowhere"))
    assert (paper.venue, paper.venue_name, paper.venue_type, paper.venue_known) == (
        "Journal of Nowhere",
        "Journal of Nowhere",
        "journal",
        False,
    )
    assert (paper.venue_extra, paper.year, paper.year_from_date) == ([], None, False)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("**Deep Semi-Supervised Anomaly Detection**", "Deep Semi-Supervised Anomaly Detection"),
        ("*Exploiting Structural Consistency of Chest Anatomy*", "Exploiting Structural Consistency of Chest Anatomy"),
        ("  The role of   noise in denoising models ", "The role of noise in denoising models"),
        (
            "Towards Universal Unsupervised Anomaly Detection in Medical Imaging.",
            "Towards Universal Unsupervised Anomaly Detection in Medical Imaging",
        ),
        (
            "Is Hyperbolic Space All You Need for Medical Anomaly Detection?",
            "Is Hyperbolic Space All You Need for Medical Anomaly Detection?",
        ),
        ("Wait for it...", "Wait for it..."),
        ("f_AnoGAN and x_y", "f_AnoGAN and x_y"),
    ],
)
def test_clean_title(raw, clean):
    assert clean_title(raw) == clean


def test_corporate_author_beside_bibtex_names():
    names, truncated = split_authors("{MONAI Consortium} and Cardoso, M. Jorge")
    assert [(n.given, n.family) for n in names] == [("", "MONAI Consortium"), ("M. Jorge", "Cardoso")]
    assert truncated is False
