"""The BibTeX reader on tests/fixtures/hazards.bib (every hazard of issue 5) and on small cases."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adbib.normalize.text import clean_spaces
from adbib.readers import bibtex
from adbib.records import ParseResult, ReaderError

FIXTURE = Path(__file__).parent / "fixtures" / "hazards.bib"
SEED = Path(__file__).parents[1] / "data" / "seed"
HAZARDS = FIXTURE.read_text(encoding="utf-8")

MICCAI_22 = "Medical Image Computing and Computer Assisted Intervention – MICCAI 2022"
CVPR = "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)"
WOLLEB = "Wolleb, Julia and Bieder, Florentin and Sandkühler, Robin and Cattin, Philippe C"
KASCENAS = (
    "Kascenas, Antanas and Sanchez, Pedro and Schrempf, Patrick and Wang, Chaoyang and Clackett, William"
    " and Mikhael, Shadia S and Voisey, Jeremy P and Goatman, Keith and Weir, Alexander"
    " and Pugeault, Nicolas and others"
)

# (line, title, year, venue_raw, authors_raw, links as (role, url, label), problems)
EXPECTED_RECORDS = [
    (10, "Diffusion Models for Medical Anomaly Detection", 2022, MICCAI_22, WOLLEB,
     [("arxiv", "https://arxiv.org/abs/2203.04306", "eprint"),
      ("code", "https://github.com/JuliaWolleb/diffusion-anomaly", "code")],
     []),
    (24, "The Role of Noise in Denoising Models for Anomaly Detection in Medical Images", 2023,
     "Medical Image Analysis", KASCENAS,
     [("arxiv", "https://arxiv.org/abs/2301.08330", "note"),
      ("code", "https://github.com/antanaskascenas/denoisingae", "github")],
     []),
    (34, "Rethinking Autoencoders for Medical Anomaly Detection from A Theoretical Perspective", 2024,
     "arXiv", "Cai, Yu and Chen, Hao and Cheng, Kwang-Ting",
     [("arxiv", "https://arxiv.org/abs/2403.09303", "journal")],
     []),
    (42, "Image-Conditioned Diffusion Models for Medical Anomaly Detection", 2024,
     "Uncertainty for Safe Utilization of Machine Learning in Medical Imaging (UNSURE 2024)",
     ("Baugh, Matthew and Reynaud, Hadrien and Marimont, Sergio Naval and Cechnicka, Sarah"
     " and Müller, Johanna P and Tarroni, Giacomo and Kainz, Bernhard"),
     [("doi", "https://doi.org/10.1007/978-3-031-73158-7_11", "doi")],
     []),
    (56, "Industrial and Medical Anomaly Detection Through Cycle-Consistent Adversarial Networks", 2025,
     "Neurocomputing",
     "Bougaham, Arnaud and Delchevalerie, Valentin and El Adoui, Mohammed and Frénay, Benoît",
     [("paper", "https://www.sciencedirect.com/science/article/pii/S0925231224015339", "url"),
      ("code", "https://github.com/valdelch/cyclegans-anomalydetection", "code")],
     []),
    (67, "Patched Diffusion Models for Unsupervised Anomaly Detection in Brain MRI", 2024,
     "Medical Imaging with Deep Learning",
     "Behrendt, Finn and Bhattacharya, Debayan and Krüger, Julia and Opfer, Roland and Schlaefer, Alexander",
     [("paper", "https://proceedings.mlr.press/v227/behrendt24a/behrendt24a.pdf", "url"),
      ("code", "https://github.com/finnbehrendt/patched-diffusion-models-uad", "code")],
     []),
    (78, "Latent Transformer Models for out-of-distribution detection", None, "Medical Image Analysis",
     "Graham, Mark S. and others",
     [("doi", "https://doi.org/10.1016/j.media.2023.102967", "doi")],
     ["year '2023a' is not a year",
      "code: space inside URL 'https://github.com/marksgraham/ transformer-ood'"]),
    (87, "Diffusion Models for Medical Anomaly Detection", 2022, "arXiv",
     "Julia Wolleb and Florentin Bieder and Robin Sandkühler and Philippe C. Cattin",
     [("arxiv", "https://arxiv.org/abs/2203.04306", "eprint")],
     ["duplicate citation key 'wolleb2022diffusion', first used on line 10"]),
    (97, "MVTec AD — A Comprehensive Real-World Dataset for Unsupervised Anomaly Detection", 2019, CVPR,
     "Bergmann, Paul and Fauser, Michael and Sattlegger, David and Steger, Carsten",
     [("doi", "https://doi.org/10.1109/cvpr.2019.00982", "doi")],
     []),
    (107, "Towards Total Recall in Industrial Anomaly Detection", 2022, CVPR,
     ("Roth, Karsten and Pemula, Latha and Zepeda, Joaquin and Schölkopf, Bernhard and Brox, Thomas"
     " and Gehler, Peter"),
     [("arxiv", "https://arxiv.org/abs/2106.08265", "eprint")],
     []),
    (122, "MONAI: An Open-Source Framework for Deep Learning in Healthcare", None, "arXiv",
     "{MONAI Consortium}",
     [("arxiv", "https://arxiv.org/abs/2211.02701", "eprint"), ("paper", "https://monai.io/", "url")],
     []),
]  # fmt: skip

EXPECTED_FAILURES = [
    (50, "entry not closed: unbalanced braces or quotes"),
    (105, "broken entry: Expected comma after entry key, but found ="),
    (116, "no title"),
]


def summary(record):
    links = [(link.role, link.url, link.label) for link in record.links]
    return (record.line, record.title, record.year, record.venue_raw, record.authors_raw, links,
            sorted(record.problems))  # fmt: skip


def fixture_lines(first: int, last: int) -> str:
    return "\n".join(HAZARDS.split("\n")[first - 1 : last])


@pytest.fixture(scope="module")
def hazards() -> ParseResult:
    return bibtex.read(HAZARDS)


def test_every_hazard_gives_the_exact_records(hazards):
    expected = [(*row[:6], sorted(row[6])) for row in EXPECTED_RECORDS]
    assert [summary(r) for r in hazards.records] == expected


def test_broken_blocks_are_failures_with_their_lines_and_the_rest_is_imported(hazards):
    assert [(f.line, f.reason) for f in hazards.failures] == EXPECTED_FAILURES
    assert hazards.failures[0].text == fixture_lines(50, 54)
    assert hazards.failures[2].text == fixture_lines(116, 120)
    assert hazards.skipped == []


def test_keywords_datasets_and_abstract(hazards):
    by_line = {r.line: r for r in hazards.records}
    assert by_line[10].headings == ["anomaly detection", "diffusion models"]
    assert by_line[10].datasets_raw == ["BRATS2020", "CheXpert"]
    assert by_line[24].abstract == (
        "Pathological brain lesions exhibit diverse appearance in brain images, in terms of intensity,"
        " texture, shape, size, and location. Comprehensive sets of data and annotations are difficult"
        " to acquire."
    )
    others = [r for r in hazards.records if r.line not in (10, 24)]
    assert {(tuple(r.headings), tuple(r.datasets_raw), r.abstract) for r in others} == {((), (), None)}
    assert {(r.date, r.section, r.domain, r.parent) for r in hazards.records} == {(None, None, None, None)}


def test_raw_is_the_entry_as_written_with_its_comments(hazards):
    assert hazards.records[0].raw == fixture_lines(10, 22)
    assert "% camera-ready, Springer LNCS" in hazards.records[0].raw
    assert hazards.records[2].raw == fixture_lines(34, 40)
    assert hazards.records[-1].raw == fixture_lines(122, 128)


def test_decoded_authors_equal_the_seed_lists():
    """Wolleb's BibTeX authors, LaTeX-decoded, are the 2025-06 list's line; Kascenas's line as is."""
    seed_0625 = (SEED / "diaoquesang-medical-ad_2025-06.md").read_text(encoding="utf-8").split("\n")
    seed_0325 = (SEED / "diaoquesang-medical-ad_2025-03.md").read_text(encoding="utf-8").split("\n")
    assert (
        seed_0325[59].strip(" *")
        == r"Wolleb, Julia and Bieder, Florentin and Sandk{\"u}hler, Robin and Cattin, Philippe C"
    )
    assert seed_0625[275].strip(" *") == WOLLEB
    assert seed_0625[127].strip(" *") == KASCENAS


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_chunks_carry_lines_macros_and_keys(hazards, size):
    """Down to one block per chunk, @string macros and the duplicate key come from earlier chunks."""
    parts = list(bibtex.iter_read(HAZARDS, chunk_entries=size))
    assert len(parts) == -(-18 // size)  # 18 blocks: @preamble, 2 @string, @comment, 14 entries
    assert [summary(r) for p in parts for r in p.records] == [summary(r) for r in hazards.records]
    assert [(f.line, f.reason, f.text) for p in parts for f in p.failures] == [
        (f.line, f.reason, f.text) for f in hazards.failures
    ]


def test_windows_line_endings_read_the_same(hazards):
    crlf = bibtex.read(HAZARDS.replace("\n", "\r\n"))
    assert [summary(r) for r in crlf.records] == [summary(r) for r in hazards.records]
    assert [(f.line, f.reason) for f in crlf.failures] == EXPECTED_FAILURES


def synthetic_bib(n: int, seed: int = 0) -> str:
    """A synthetic .bib of ``n`` entries shaped like real ones: braced acronyms, LaTeX-accented
    names, venues with ``--``, arXiv journals, DOIs and arXiv URLs."""
    rnd = random.Random(seed)
    families = ["Wolleb", r"Sandk{\"u}hler", "Cattin", "Zhang", r"M{\"u}ller", r"Fran\c{c}ois", "Roth"]
    venues = [
        ("inproceedings", "booktitle", "Proceedings of the {IEEE/CVF} Conference on Computer Vision"),
        ("inproceedings", "booktitle", "Medical Image Computing and Computer Assisted Intervention -- {MICCAI}"),
        ("article", "journal", "Medical Image Analysis"),
        ("article", "journal", "arXiv preprint arXiv:{id}"),
    ]
    words = [
        "anomaly",
        "detection",
        "diffusion",
        "unsupervised",
        "medical",
        "image",
        "{MVTec}",
        "{AD}",
        "{MRI}",
        "memory",
        "bank",
    ]
    entries = []
    for i in range(n):
        kind, venue_field, venue = rnd.choice(venues)
        arxiv = f"{rnd.randint(1801, 2412)}.{rnd.randint(1, 19999):05d}"
        authors = " and ".join(f"{rnd.choice(families)}, A." for _ in range(rnd.randint(1, 6)))
        entries.append(
            f"@{kind}{{key{i},\n  title = {{{' '.join(rnd.sample(words, 6))}}},\n  author = {{{authors}}},\n"
            f"  {venue_field} = {{{venue.replace('{id}', arxiv)}}},\n  year = {rnd.randint(2015, 2025)},\n"
            f"  doi = {{10.1109/X.{i}}},\n  url = {{https://arxiv.org/abs/{arxiv}}}\n}}\n"
        )
    return "\n".join(entries)


def test_a_big_file_is_read_in_chunks_of_whole_entries():
    text = synthetic_bib(250)
    parts = list(bibtex.iter_read(text, chunk_entries=100))
    assert [len(p.records) for p in parts] == [100, 100, 50]
    records = [r for p in parts for r in p.records]
    starts = [(i + 1, line) for i, line in enumerate(text.split("\n")) if line.startswith("@")]
    assert [(r.line, r.raw.split("\n", 1)[0]) for r in records] == starts
    assert all(p.failures == [] for p in parts)


def one(text: str):
    result = bibtex.read(text)
    assert len(result.records) == 1, (result.records, result.failures)
    return result.records[0]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (r"{{MVTec}} {AD}", "MVTec AD"),
        (r"{$\alpha$-VAE}: Anomaly~Detection", "α-VAE: Anomaly Detection"),
        (r"50\% or 50% of {\"{o}}l \'e", "50% or 50% of öl é"),
        (r"{Only 5\% \& \$10 for {MRI} \_x}", "Only 5% & $10 for MRI _x"),  # no decoder needed
        (r"{Espa\~{n}a {\ss}}", "España ß"),
        (r'"Quoted {Title} with \"{u}"', "Quoted Title with ü"),
        ('"Proc. " # "of {AD}"', "Proc. of AD"),
        ("undefinedmacro", "undefinedmacro"),
        ("{M\u221a\u00baller's  \n  {AD}}", "Müller's AD"),  # mojibake repaired too
    ],
)
def test_title_text(title, expected):
    assert one(f"@misc{{k, title = {title}}}").title == expected


def test_string_macros_concatenate_and_resolve_case_insensitively():
    text = (
        '@String{ieee = "{IEEE}"}\n@string{tmi = IEEE # " Transactions on " # "Medical Imaging"}\n'
        "@article{k, title = {T}, journal = TMI, month = may # {~1}, year = 2020}\n"
    )
    record = one(text)
    assert (record.venue_raw, record.year, record.problems) == ("IEEE Transactions on Medical Imaging", 2020, [])


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("{{MONAI Consortium}}", "{MONAI Consortium}"),
        (
            r"Sandk{\"u}hler, Robin and {{Barnes and Noble}} and others",
            "Sandkühler, Robin and {Barnes and Noble} and others",
        ),
        (r"{\"O}zt{\"u}rk, {\c{S}}aban and Philippe~C. Cattin", "Öztürk, Şaban and Philippe C. Cattin"),
        ("Julia  Wolleb and\n   Robin Sandkühler", "Julia Wolleb and Robin Sandkühler"),
    ],
)
def test_authors_stay_one_bibtex_name_list(author, expected):
    assert one(f"@misc{{k, title = {{T}}, author = {{{author}}}}}").authors_raw == expected


@pytest.mark.parametrize(
    ("fields", "links", "problems"),
    [
        ("doi = {doi:10.1109/TMI.2023.3310716}", [("doi", "https://doi.org/10.1109/tmi.2023.3310716", "doi")], []),
        ("doi = {not a doi}", [], ["doi 'not a doi' is not a DOI"]),
        ("url = {https://dx.doi.org/10.1016/j.patcog.2023.110167}",
         [("doi", "https://doi.org/10.1016/j.patcog.2023.110167", "url")], []),
        (r"url = {https://github.com/ci-ber/THOR\_DDPM}", [("paper", "https://github.com/ci-ber/THOR_DDPM", "url")], []),
        ("url = {http://[broken}", [], ["url: malformed URL 'http://[broken' (Invalid IPv6 URL)"]),
        ("eprint = {2403.08464v2}, archivePrefix = {arXiv}", [("arxiv", "https://arxiv.org/abs/2403.08464", "eprint")], []),
        ("eprint = {36070143}, archivePrefix = {PubMed}", [], []),
        ("eprint = {hep-th/9901001}, eprinttype = {arxiv}", [], ["eprint 'hep-th/9901001' is not an arXiv id"]),
        ("arxivid = {2311.12081}", [("arxiv", "https://arxiv.org/abs/2311.12081", "arxivid")], []),
        ("note = {Accepted at MICCAI. arXiv preprint arXiv:2308.16150}",
         [("arxiv", "https://arxiv.org/abs/2308.16150", "note")], []),
        ("howpublished = {arXiv preprint arXiv:2308.16150}",
         [("arxiv", "https://arxiv.org/abs/2308.16150", "howpublished")], []),
        ("url = {https://arxiv.org/pdf/2308.16150.pdf}, eprint = {2308.16150}",
         [("arxiv", "https://arxiv.org/abs/2308.16150", "eprint")], []),
        ("code = {github.com/x/y}", [], ["code: not an http(s) URL: 'github.com/x/y'"]),
    ],
)  # fmt: skip
def test_links(fields, links, problems):
    record = one(f"@misc{{k, title = {{T}}, {fields}}}")
    assert [(link.role, link.url, link.label) for link in record.links] == links
    assert record.problems == problems


@pytest.mark.parametrize(
    ("fields", "year", "problems"),
    [
        ("year = 2021", 2021, []),
        ('year = "{2021}"', 2021, []),
        ("year = {2023a}", None, ["year '2023a' is not a year"]),
        ("date = {2022-06-19}", 2022, []),
        ("date = {2021/2022}", 2021, []),
        ("date = {June 2022}", None, ["date 'June 2022' has no year"]),
        ("", None, []),
    ],
)
def test_year(fields, year, problems):
    record = one(f"@misc{{k, title = {{T}}, {fields}}}")
    assert (record.year, record.problems) == (year, problems)


@pytest.mark.parametrize("size", [1, 2000])
def test_an_entry_cut_short_by_the_next_one_fails_alone_whatever_the_chunks(size):
    text = "% comment\n@article{key\n@misc{k2, title = {T}}\n@article{k3, title = {Unclosed}\n"
    parts = list(bibtex.iter_read(text, chunk_entries=size))
    assert [(f.line, f.reason) for p in parts for f in p.failures] == [
        (2, "entry not closed: unbalanced braces or quotes"),
        (4, "entry not closed: unbalanced braces or quotes"),
    ]
    assert [(r.line, r.title, r.raw) for p in parts for r in p.records] == [(3, "T", "@misc{k2, title = {T}}")]


def test_entry_level_failures_and_problems():
    text = (
        "@article{, title = {No key}}\n"  # line 1
        "@article{a, title = {}}\n"  # line 2
        "@article{b, title = {First}, Title = {Second}, journal = {J}}\n"  # line 3
        "@article{b, title = {Again}}\n"  # line 4
    )
    result = bibtex.read(text)
    assert [(f.line, f.reason) for f in result.failures] == [
        (1, "entry without a citation key"),
        (2, "no title"),
    ]
    assert [(r.line, r.title, r.venue_raw, r.problems) for r in result.records] == [
        (3, "First", "J", ["duplicate field 'title': the first one is used"]),
        (4, "Again", None, ["duplicate citation key 'b', first used on line 3"]),
    ]


@pytest.mark.parametrize(
    "text",
    [
        HAZARDS,
        "% Encoding: UTF-8\n\n   \n% more\n@Article{k,\n",
        "\n\n  @misc (k, title = {T})",
        "@comment{x}\n",
    ],
)
def test_detect_accepts_bibtex(text):
    assert bibtex.detect(text)


@pytest.mark.parametrize(
    "text",
    [
        *(path.read_text(encoding="utf-8") for path in sorted(SEED.glob("*.md")) + sorted(SEED.glob("*.txt"))),
        "- @article{k, title = {T}}\n",
        "# Papers\n\n@article{k, title = {T}}\n",
        "Title,Authors,Year\n@x{y\n",
        "email me @ work\n",
        "",
    ],
)
def test_detect_rejects_what_is_not_bibtex(text):
    assert not bibtex.detect(text)


@pytest.mark.parametrize("text", ["", "just some words\n", "- [[MICCAI 2022]](https://arxiv.org) **T**\n"])
def test_text_without_entries_is_a_reader_error(text):
    with pytest.raises(ReaderError, match="no BibTeX entries"):
        bibtex.read(text)


LATEX_TOKENS = [
    "Sch", "n", "{MVTec}", "{{Corp}}", r"{\"o}", r"{\"{o}}", r"\"o", r"\'e", r"\'{e}", r"{\'E}", r"\^{\i}",
    r"\^\i", r"\i", r"{\c{S}}", r"\c{c}", r"{\ss}", r"{\L}", r"{\o}", r"\v{s}", r"\~{n}", r"{\~n}", r"\=a",
    r"\H{o}", r"\%", r"\&", r"\_", "%", "~", "{", "}", r"{\{}", r"\{", r"{\bf Bold}", r"\emph{e}",
    r"$\alpha$", r"$x^2 + \mathcal{L}_2$", r"\$", "$", "--", r"\\", "``", "'", "''", "-", "---", r"\url{a_b}",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(LATEX_TOKENS), st.sampled_from(["", " ", "\n"])), max_size=12))
def test_special_characters_decoded_alone_give_what_decoding_the_whole_value_gives(parts):
    value = "".join(token + space for token, space in parts)
    assert clean_spaces(bibtex._latex_to_text(value)) == clean_spaces(bibtex._decode(value))


def read_or_reader_error(text: str) -> None:
    try:
        result = bibtex.read(text)
    except ReaderError:
        return
    assert all(r.title and r.line >= 1 and r.raw.lstrip().startswith("@") for r in result.records)
    assert all(f.line >= 1 and f.reason and f.text.lstrip().startswith("@") for f in result.failures)


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HAZARD_CHARS = st.sampled_from(
    [*list('{}"@%#,=()\\\n\x00~$'), "@article{", "@string{x = ", " # ", '\\"', "é", "\ufeff"]
)


@FUZZ
@given(st.text(max_size=400))
def test_fuzz_arbitrary_text_raises_only_reader_error(text):
    read_or_reader_error(text)


@FUZZ
@given(st.data())
def test_fuzz_mutated_slices_of_hazards_raise_only_reader_error(data):
    start = data.draw(st.integers(0, len(HAZARDS)))
    text = HAZARDS[start : data.draw(st.integers(start, min(len(HAZARDS), start + 1500)))]
    for _ in range(data.draw(st.integers(0, 8))):
        at = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()):
            text = text[:at] + data.draw(st.one_of(HAZARD_CHARS, st.text(max_size=5))) + text[at:]
        else:
            text = text[:at] + text[at + data.draw(st.integers(1, 20)) :]
    read_or_reader_error(text)
