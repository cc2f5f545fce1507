"""The fast paths of the exports and listings give exactly what the slow ones they replaced gave.

Each fast path is compared with the reference it stands in for, on the seeded database, on the
hand-written fixture papers (tests/fixtures/papers.json, with its hostile ones) and on values made
to be hostile (braces, backslashes, percent signs, non-ASCII names):

- the BibTeX writer builds each entry's text itself: bibtexparser's writer (a one-entry Library
  through AddEnclosingMiddleware, as adbib wrote it before) must give the same bytes;
- title words: only the candidates of one regex are looked at outside sentence-case titles (what
  a word needs cached by word), and vocabulary names are found by a trie-shaped pattern: the
  word-by-word loop and the one big alternation they replaced must find the same spans;
- author names: a name with no special character, comma or "and" in any part is written without
  encoding each part: every part through _name_part must give the same text;
- stored http(s) links are taken as they are when one regex says check_url would return them
  unchanged: check_url must agree on everything that regex accepts;
- tables of one-column-wide text are drawn without tabulate: tabulate must draw the same;
- rows.papers with a subset of parts gives the same values for the keys it carries;
- the JSON objects the engine writes (adbib.backend.jsontext) are the text json.dumps gives for
  the paper dicts, on the seeded papers with hostile values and every part filled in;
- a streamed export's peak traced memory does not grow with the database (two sizes, one run).
"""

from __future__ import annotations

import json
import re
import sqlite3
import string
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from adbib import render, rows
from adbib.cli import app
from adbib.exporters import _PLAIN_URL, web_links
from adbib.exporters import bibtex as B
from adbib.normalize.ids import BadLink, check_url
from adbib.query import Query, run

FIXTURES = Path(__file__).parent / "fixtures"
PAPERS: list[dict] = json.loads((FIXTURES / "papers.json").read_text(encoding="utf-8"))

# SQLite only: the fast paths compared here read the SQLite file with sqlite3 (exports are byte-identical on both engines: tests/test_postgres.py).
pytestmark = pytest.mark.sqlite_only


def seeded_papers(db: Path, parts=rows.PARTS) -> list[dict]:
    con = sqlite3.connect(db)
    try:
        return list(rows.papers(con, run(con, Query()), parts=parts))
    finally:
        con.close()


# --- the BibTeX writer ----------------------------------------------------------------------


def bibtexparser_text(papers, unicode: bool = False) -> str:
    """What adbib's BibTeX export wrote before it built the text itself: bibtexparser's writer,
    one Library per entry, values enclosed by AddEnclosingMiddleware, a blank line between."""
    from bibtexparser.entrypoint import write_string
    from bibtexparser.library import Library
    from bibtexparser.middlewares import AddEnclosingMiddleware
    from bibtexparser.writer import BibtexFormat

    fmt = BibtexFormat()
    fmt.indent = "  "
    enclose = [AddEnclosingMiddleware(False, True, "{", True)]
    texts = [
        write_string(Library([B.entry(p, unicode=unicode)]), unparse_stack=enclose, bibtex_format=fmt) for p in papers
    ]
    return "\n".join(texts)


def fast_text(papers, unicode: bool = False) -> str:
    import io

    out = io.StringIO()
    assert B.write(papers, out, unicode=unicode) == len(papers)
    return out.getvalue()


@pytest.mark.parametrize("unicode", [False, True])
def test_bibtex_writer_is_bibtexparsers_writer_on_the_seeded_db(seeded_db, unicode):
    papers = seeded_papers(seeded_db, B.PARTS)
    assert len(papers) == 85
    text = fast_text(papers, unicode)
    assert text == bibtexparser_text(papers, unicode)
    assert text.count("\n@") == 84


def hostile(paper: dict, i: int, title: str, family: str, given: str) -> dict:
    return dict(
        paper,
        citekey=f"hostile{i}",
        title=title,
        author_names=[{"given": given, "family": family, "von": "", "jr": ""}, *paper["author_names"]],
        authors=[f"{given} {family}", *paper["authors"]],
        fields={**paper.get("fields", {}), "month": ["4", "sep", "Spring 2024"][i % 3], "pages": "1-9",
                "editor": "{IEEE Computer Society} and Doe, Jane", "note": "50% of {x} \\o"},
    )  # fmt: skip


HOSTILE_VALUES = [
    ("A {Brace} and a lone { brace", "Müller", "Jürgen"),
    ("Back\\slash \\textbf{bold} and 100% sure #1 & $x_2$", "O'Neil", "Ann-Marie"),
    ("}Closing first{ then {MVTec AD} and {{nested}}", "Şahin", "Çağrı"),
    ("Ħ ȩ 中文 😀 ~tilde^ <lt> _under_", "Smith and Sons", "Jo, Jr."),
    ("", "", ""),
]


@pytest.mark.parametrize("unicode", [False, True])
def test_bibtex_writer_is_bibtexparsers_writer_on_hostile_values(unicode):
    papers = [hostile(PAPERS[i % len(PAPERS)], i, *values) for i, values in enumerate(HOSTILE_VALUES)]
    papers += [*PAPERS, dict(PAPERS[0], citekey="noauthors", author_names=[], authors=[], fields={})]
    assert fast_text(papers, unicode) == bibtexparser_text(papers, unicode)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from([*" {}\\%#&$_^~aAbZü中-:,", "and", "MVTec", "BraTS"]), max_size=20),
    st.lists(st.sampled_from([*" {}\\%,aAü", " and "]), min_size=1, max_size=8),
)
def test_bibtex_writer_agrees_with_bibtexparser_on_generated_values(title, family):
    paper = hostile(PAPERS[1], 0, "".join(title), "".join(family), "Given")
    assert fast_text([paper]) == bibtexparser_text([paper])


def encoded_name_part_by_part(von: str, family: str, jr: str, given: str, unicode: bool) -> str:
    """B._encoded_name as it was: every part through _name_part (LaTeX, grouping)."""
    von, family, jr, given = (B._name_part(part, unicode) for part in (von, family, jr, given))
    if not (given or jr) and " " in family:
        family = "{" + family + "}"
    last = f"{von} {family}" if von else family
    if jr:
        return f"{last}, {jr}, {given}"
    return f"{last}, {given}" if given else last


PLAIN_BUT = [
    ("", "Smith and Sons", "", "Jo"),  # an "and" word in a part of plain ASCII
    ("", "Smith AnD Sons", "", ""),
    ("and", "Smith", "", "Jo"),
    ("", "Smith", "and", "Jo"),
    ("", "Smith", "", "and"),
    ("", "Band", "", "Andy"),  # "and" inside words: nothing to group
    ("", "Smith", "", "Jo, Jr."),  # a comma
    ("", "Smith,", "", "Jo"),
    ("", "\u212aelvin", "", "Jo"),  # the Kelvin sign (lower case "k")
    ("", "Smith\tand", "", "Jo"),
    ("van der", "Berg", "Jr", "Ann Marie"),
    ("", "de la Cruz", "", ""),
]


def authors_part_by_part(names: list[tuple[str, str, str, str]], unicode: bool) -> str:
    return " and ".join(encoded_name_part_by_part(*parts, unicode) for parts in names)


def author_field(names: list[tuple[str, str, str, str]], unicode: bool) -> str:
    return B._authors(names, False, unicode)


@pytest.mark.parametrize("unicode", [False, True])
def test_a_plain_name_is_written_as_every_part_through_name_part(unicode):
    for parts in PLAIN_BUT:
        assert B._encoded_name.__wrapped__(*parts, unicode) == encoded_name_part_by_part(*parts, unicode), parts
        assert author_field([parts], unicode) == encoded_name_part_by_part(*parts, unicode), parts
    assert author_field(PLAIN_BUT, unicode) == authors_part_by_part(PLAIN_BUT, unicode)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=" aAnNdD,.{}\\\t\u212a\u00fc-", max_size=10), min_size=4, max_size=4))
def test_a_plain_name_is_written_as_every_part_through_name_part_on_generated_names(parts):
    assert B._encoded_name.__wrapped__(*parts, False) == encoded_name_part_by_part(*parts, False)
    _, family, _, given = parts
    for name in (parts, ("", family, "", given or "G")):  # the second: the common shape (no von, jr)
        assert author_field([name], False) == encoded_name_part_by_part(*name, False)


# --- title words and vocabulary names -------------------------------------------------------


def sentence_case_word_by_word(title: str) -> bool:
    """B._is_sentence_case as it was: each word lower-cased and looked up (not cached by word)."""
    words = [w for w in B._TITLE_WORD.findall(title)[1:] if w.lower() not in B._SMALL_WORDS]
    lower = sum(1 for w in words if w[0].islower())
    return len(words) >= 3 and lower >= 2 * (len(words) - lower)


def word_by_word_spans(title: str) -> list[tuple[int, int]]:
    """protected_spans as it was: every word looked at, the names found by one alternation."""
    alternatives = "|".join(re.escape(n) for n in sorted(B.vocabulary_names(), key=len, reverse=True))
    names = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
    spans = [m.span() for m in names.finditer(title)]
    sentence_case = sentence_case_word_by_word(title)
    for i, word in enumerate(re.finditer(r"\S+", title)):
        core = re.search(r"\w(?:.*\w)?", word.group(), re.S)
        if core is None:
            continue
        text = core.group()
        if B.needs_protection(text) or (
            sentence_case and i > 0 and text[0].isupper() and B._after_word(title, word.start())
        ):
            spans.append((word.start() + core.start(), word.start() + core.end()))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def test_title_spans_are_the_word_by_word_ones_on_the_seeded_db(seeded_db):
    titles = [p["title"] for p in seeded_papers(seeded_db, ())] + [p["title"] for p in PAPERS]
    assert [B.protected_spans(t) for t in titles] == [word_by_word_spans(t) for t in titles]
    assert [B._is_sentence_case(t) for t in titles] == [sentence_case_word_by_word(t) for t in titles]
    assert any(map(B._is_sentence_case, titles))  # the seeded titles have both kinds
    assert sum(map(len, map(B.protected_spans, titles))) == 61  # the titles do have protected words


NAMES = sorted(B.vocabulary_names())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(NAMES),
            st.sampled_from(["a", "the", "Detection", "x", "ⓐⒶ", "Ǆ", "ǅ", "ﬁ", "3D", "İ"]),
            st.text(alphabet="aZ-_é.:()\"'", max_size=3),
        ),
        max_size=8,
    ),
    st.lists(st.sampled_from([" ", "", "-", "(", ":", "  ", "_", "/"]), min_size=8, max_size=8),
)
def test_title_spans_are_the_word_by_word_ones_on_generated_titles(words, seps):
    title = "".join(w + s for w, s in zip(words, seps, strict=False))
    assert B.protected_spans(title) == word_by_word_spans(title)
    assert B._scanned_spans(title) == B.protected_spans(title)  # word by word (single spaces) or scanned
    assert B._is_sentence_case(title) == sentence_case_word_by_word(title)


# --- links ----------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(["http://", "https://", "HTTP://", "hTTps://"]),
    st.text(alphabet=string.ascii_letters + string.digits + "._~:@!$&'()*+,;=%-", max_size=20),
    st.text(alphabet=string.printable + "üé中\u00a0\u2028", max_size=30),
)
def test_a_url_taken_as_it_is_is_one_check_url_returns_unchanged(scheme, host, path):
    for url in (f"{scheme}{host}", f"{scheme}{host}/{path}", f"{scheme}a.{host}/{path}"):
        if _PLAIN_URL.fullmatch(url):
            assert check_url(url) == url
        try:
            checked = check_url(url)
        except BadLink:
            checked = None
        assert web_links({"links": {"code": [url]}}, "code") == ([checked] if checked else [])


# --- tables ---------------------------------------------------------------------------------

NARROW = "".join(chr(c) for c in [*range(0x20, 0x7F), *range(0xA1, 0xAD), *range(0xAE, 0x250), 0x2013, 0x2026])


def test_narrow_characters_are_one_column_wide_for_tabulate():
    import wcwidth

    chars = [chr(c) for c in range(0x110000) if render._NARROW.fullmatch(chr(c))]
    assert len(chars) == 596
    assert [c for c in chars if wcwidth.wcswidth(c) != 1] == []


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.lists(st.text(alphabet=NARROW, min_size=1, max_size=8), min_size=n, max_size=n),
    st.lists(st.lists(st.text(alphabet=NARROW + "  ", max_size=12), min_size=n, max_size=n), max_size=6),
)))  # fmt: skip
def test_simple_table_is_tabulates(table):
    from tabulate import tabulate

    headers, body = table
    expected = tabulate(body, headers=headers, tablefmt="simple", disable_numparse=True) + "\n"
    assert render.simple_table(body, headers) == expected
    assert render._tabulate(body, headers) == expected


def test_a_table_with_wide_characters_goes_to_tabulate():
    text = render._tabulate([["中文", "x"], ["ab", "y"]], ["name", "v"])
    assert text.splitlines()[2:] == ["中文    x", "ab      y"]  # 中文 is four columns wide


# --- rows.papers parts ----------------------------------------------------------------------


def test_papers_with_some_parts_carry_the_same_values(seeded_db):
    full = seeded_papers(seeded_db)
    brief = seeded_papers(seeded_db, B.PARTS)
    assert [p["id"] for p in brief] == [p["id"] for p in full]
    for a, b in zip(full, brief, strict=True):
        assert set(b) == set(a) - {"datasets", "categories", "sources", "tags", "abstract", "summary"}
        assert {k: a[k] for k in b} == b
    with pytest.raises(ValueError, match="unknown parts: colour"):
        seeded_papers(seeded_db, {"colour"})


# --- JSON objects written by the engine -----------------------------------------------------

HOSTILE_TEXT = 'q"uote back\\slash\nnew\tline\x01\x00ctrl\x7fdel\x85\u202ebidi\u2028 中文 😀 {}'


def test_json_objects_written_by_the_engine_are_the_python_ones(seeded_db):
    from adbib.exporters import json as J

    con = sqlite3.connect(seeded_db)
    first, second = (r[0] for r in con.execute("SELECT id FROM paper ORDER BY id LIMIT 2"))
    with con:  # values an older adbib may have stored raw, and every part filled in and out of order
        con.execute(
            "UPDATE paper SET title = ?, note = ?, abstract = ?, short_name = ?, year = NULL, date = '2024-05',"
            " authors_truncated = 1 WHERE id = ?",
            (HOSTILE_TEXT, HOSTILE_TEXT, "", "Ş", first),
        )
        con.execute(
            "UPDATE author SET given = ?, von = 'van \"der', jr = '\\' WHERE id IN"
            " (SELECT author_id FROM authorship WHERE paper_id = ?)",
            (HOSTILE_TEXT, first),
        )
        con.executemany("INSERT INTO tag (paper_id, name) VALUES (?, ?)", [(first, "b"), (first, 'a"'), (first, "ä")])
        con.executemany(
            "INSERT INTO link (paper_id, role, url) VALUES (?, ?, ?)",
            [(first, "code", "https://x.org/2"), (first, "paper", 'https://y.org/"\\'), (first, "code", "https://x.org/1"),
             (first, "dataset", "https://d.org"), (second, "project", "https://p.org")],
        )  # fmt: skip
        con.executemany(
            "INSERT OR REPLACE INTO paper_field (paper_id, name, value) VALUES (?, ?, ?)",
            [(first, "zz", HOSTILE_TEXT), (first, "aa", ""), (first, "Month", "4")],
        )
        con.execute("UPDATE provenance SET section = ? WHERE paper_id = ?", (HOSTILE_TEXT, first))
        source = con.execute("SELECT min(id) FROM source").fetchone()[0]
        weak, strong = (r[0] for r in con.execute(
            "SELECT id FROM dataset WHERE id NOT IN (SELECT dataset_id FROM paper_dataset WHERE paper_id = ?)"
            " ORDER BY id LIMIT 2", (first,)))  # fmt: skip
        con.executemany(  # recorded first but weaker: listed after
            "INSERT INTO paper_dataset (paper_id, dataset_id, source_id, evidence, raw) VALUES (?, ?, ?, ?, '')",
            [(first, weak, source, "abstract"), (first, strong, source, "import"), (first, strong, source, "abstract")],
        )
        con.execute(
            "UPDATE dataset SET family = ? WHERE id IN (SELECT dataset_id FROM paper_dataset LIMIT 1)", (HOSTILE_TEXT,)
        )
    ids = [*run(con, Query()), 10**9, first, second]  # an unknown id is skipped, a repeated one repeated
    for chunk in (500, 3):
        engine = rows.papers(con, ids, chunk=chunk).json_texts()
        assert engine is not None
        texts = list(engine)
        assert texts == [J._text(p) for p in rows.papers(con, ids, chunk=chunk)]
    assert len(texts) == len(ids) - 1
    for part in ("tags", "categories", "datasets", "fields", "sources", "links"):  # the seeded papers have each
        assert sum(f'"{part}": []' not in t and f'"{part}": {{}}' not in t for t in texts) > 1, part
    con.close()


def test_the_json_export_writes_the_engines_texts_only_for_every_part_of_a_stream_not_yet_read(seeded_db):
    con = sqlite3.connect(seeded_db)
    ids = run(con, Query())
    assert rows.papers(con, ids, parts=B.PARTS).json_texts() is None  # not every part
    stream = rows.papers(con, ids)
    next(stream)
    assert stream.json_texts() is None  # already read: the texts would miss the first paper
    stream = rows.papers(con, ids)
    assert stream.json_texts() is not None
    assert list(stream) == []  # the ids are read once
    con.close()


# --- BibTeX records read by the engine -------------------------------------------------------

# (von, family, jr, given): names the engine joins, names it must leave to the name-by-name rows
HOSTILE_NAMES = [
    ("", "Müller", "", "Jürgen"),
    ("", "Ba\u0301rta", "", "\u0301Ann"),  # combining marks at the ends of parts
    ("", "Smith, Jr.", "", "Jo"),  # a comma
    ("", "Smith", "", "and Sons"),  # an "and" word
    ("", "Band", "", "Andy"),  # "and" inside words
    ("", "Smith\u00a0and", "", "Jo"),  # between a no-break space and the end
    ("", "{IEEE}", "", "Jo"),
    ("", "Lone{", "", "Brace"),
    ("van der", "Berg", "Jr", "Ann Marie"),
    ("", "de la Cruz", "", ""),
    ("", "Plain", "", "Jo"),
    ("", "Ctrl\x00nul", "", "\x1f"),
    ("", "100% & #1", "", "$x_2$ ~ ^"),
    ("", "", "", "Given"),
]


def bibtex_texts(con, ids, unicode: bool, chunk: int) -> tuple[str, str]:
    """(the text from the records the engine gives, the text from the paper dicts)."""
    stream = rows.papers(con, ids, chunk=chunk, parts=B.PARTS)
    records = stream.bibtex_records()
    assert records is not None
    engine = fast_text_of(iter(records), unicode)
    return engine, fast_text_of(list(rows.papers(con, ids, chunk=chunk, parts=B.PARTS)), unicode)


def fast_text_of(papers, unicode: bool) -> str:
    import io

    out = io.StringIO()
    if isinstance(papers, list):
        B.write(papers, out, unicode=unicode)
    else:
        out.write("\n".join(B._entry_text(rec, unicode) for rec in papers))
    return out.getvalue()


@pytest.mark.parametrize("unicode", [False, True])
def test_bibtex_records_read_by_the_engine_give_the_paper_dicts_text(seeded_db, unicode):
    con = sqlite3.connect(seeded_db)
    pids = [r[0] for r in con.execute("SELECT id FROM paper ORDER BY id")]
    with con:  # hostile names, one paper each, on the seeded papers' authors
        for i, (von, family, jr, given) in enumerate(HOSTILE_NAMES):
            con.execute(
                "UPDATE author SET von = ?, family = ?, jr = ?, given = ? WHERE id ="
                " (SELECT author_id FROM authorship WHERE paper_id = ? ORDER BY position LIMIT 1)",
                (von, family, jr, given, pids[i]),
            )
        # a paper whose authorships were stored last position first: the names keep position order
        many = con.execute(
            "SELECT paper_id FROM authorship GROUP BY paper_id HAVING count(*) > 2 ORDER BY paper_id DESC"
        ).fetchone()[0]
        rows_of = con.execute("SELECT position, author_id FROM authorship WHERE paper_id = ?", (many,)).fetchall()
        con.execute("DELETE FROM authorship WHERE paper_id = ?", (many,))
        con.executemany(
            "INSERT INTO authorship (paper_id, position, author_id) VALUES (?, ?, ?)",
            [(many, pos, aid) for pos, aid in sorted(rows_of, reverse=True)],
        )
        con.execute("UPDATE paper SET authors_truncated = 1 WHERE id IN (?, ?)", (pids[0], pids[8]))
        con.executemany(  # two links of a role, the first not one to take as it is; a field
            "INSERT INTO link (paper_id, role, url) VALUES (?, ?, ?)",
            [(pids[1], "paper", "javascript:alert(1)"), (pids[1], "paper", "https://x.org/a b"),
             (pids[1], "code", "https://x.org/code"), (pids[2], "arxiv", "HTTPS://Y.org/Z?q=1#f")],
        )  # fmt: skip
        con.execute(
            "INSERT OR REPLACE INTO paper_field (paper_id, name, value) VALUES (?, 'month', '4'), (?, 'pages', '1-9')",
            (pids[3], pids[3]),
        )
    ids = [*run(con, Query()), 10**9, pids[0], many]  # an unknown id is skipped, a repeated one repeated
    for chunk in (500, 3):
        engine, dicts = bibtex_texts(con, ids, unicode, chunk)
        assert engine == dicts
    assert engine.count("@") == len(ids) - 1
    names = con.execute(
        "SELECT au.family || ', ' || au.given FROM authorship a JOIN author au ON au.id = a.author_id"
        " WHERE a.paper_id = ? ORDER BY a.position",
        (many,),
    ).fetchall()
    assert "author = {" + " and ".join(n for (n,) in names) in engine
    con.close()


def test_the_bibtex_export_reads_the_engines_records_only_for_a_stream_not_yet_read(seeded_db):
    con = sqlite3.connect(seeded_db)
    ids = run(con, Query())
    assert rows.papers(con, ids, parts={"authors"}).bibtex_records() is None  # not the parts it reads
    stream = rows.papers(con, ids, parts=B.PARTS)
    next(stream)
    assert stream.bibtex_records() is None  # already read: the records would miss the first paper
    stream = rows.papers(con, ids, parts=B.PARTS)
    assert stream.bibtex_records() is not None
    assert list(stream) == []  # the ids are read once
    con.close()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet=" aAnNdD,.{}\\\t\u00a0\u0301\u212a\u00fceé-", max_size=8),
            st.text(alphabet=" aAnNdD,.{}\\\t\u00a0\u0301\u212a\u00fceé-", min_size=1, max_size=8),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_names_the_engine_joins_encode_as_each_name(names):
    joined = " and ".join(f"{family}, {given}" for family, given in names)
    if rows.joinable(joined, len(names)):
        parts = [("", family, "", given) for family, given in names]
        for unicode in (False, True):
            assert B._authors(joined, False, unicode) == B._authors(parts, False, unicode)
            assert B._authors(joined, True, unicode) == B._authors(parts, True, unicode)


# --- memory ---------------------------------------------------------------------------------


def grow(db: Path, times: int) -> Path:
    """A copy of the seeded database `times` its size: each paper and its authorships, links,
    fields and provenance copied with shifted ids (and suffixed unique keys)."""
    con = sqlite3.connect(db)
    step = con.execute("SELECT max(id) FROM paper").fetchone()[0]
    cols = [c[1] for c in con.execute("PRAGMA table_info(paper)")]
    unique = {"citekey": "citekey || '~' || {k}", "doi": "doi || '~' || {k}", "arxiv_id": "arxiv_id || '~' || {k}"}
    with con:
        for k in range(1, times):
            shift = k * step
            exprs = [f"id + {shift}" if c == "id" else unique.get(c, c).format(k=k) for c in cols]
            con.execute(
                f"INSERT INTO paper ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM paper WHERE id <= {step}"
            )
            for table in ("authorship", "link", "paper_field", "provenance", "paper_dataset", "paper_category"):
                tcols = [c[1] for c in con.execute(f"PRAGMA table_info({table})")]
                texprs = ["NULL" if c == "id" else f"paper_id + {shift}" if c == "paper_id" else c for c in tcols]
                con.execute(
                    f"INSERT INTO {table} ({', '.join(tcols)}) SELECT {', '.join(texprs)} FROM {table} WHERE paper_id <= {step}"
                )
    con.close()
    return db


def peak_of_export(db: Path, fmt: str, out: Path) -> int:
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    result = CliRunner().invoke(app, ["--db", str(db), "export", "-f", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return tracemalloc.get_traced_memory()[1] - before


@pytest.mark.parametrize("fmt", ["bibtex", "json"])
def test_a_streamed_export_keeps_memory_flat_in_the_number_of_papers(seeded_db, tmp_path, fmt, monkeypatch):
    monkeypatch.setattr(rows, "_RECORD_CHUNK", 500)  # the BibTeX records' chunk (4,000) as the dicts' one
    small, large = tmp_path / "small.db", tmp_path / "large.db"
    small.write_bytes(seeded_db.read_bytes())
    grow(small, 8)  # 680 papers: more than one chunk of rows.papers (500), whose size bounds the peak
    large.write_bytes(seeded_db.read_bytes())
    grow(large, 64)  # 5,440 papers: 8× the small one
    tracemalloc.start()
    try:
        peak_of_export(small, fmt, tmp_path / "warm")  # imports, caches, compiled patterns
        peaks = {db.name: peak_of_export(db, fmt, tmp_path / f"{db.name}.{fmt}") for db in (small, large)}
    finally:
        tracemalloc.stop()
    sizes = {name: (tmp_path / f"{name}.{fmt}").stat().st_size for name in peaks}
    assert sizes["large.db"] > 7.5 * sizes["small.db"]
    # the bounded caches (names, title words) grow between the sizes; a collected export grows ~8x
    assert peaks["large.db"] < 1.6 * peaks["small.db"], peaks
