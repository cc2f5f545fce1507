"""Hostile bytes and sizes (issue 14): nothing a file contains can hurt the user, the terminal or
the machine.

* ``-o`` writes only onto what it should: device nodes, FIFOs, symbolic links and hard links are
  made in a temporary directory (``os.mknod`` needs root: those tests skip otherwise); the
  system's own devices are never written.
* Terminal escapes, controls, NUL and bidi overrides are removed when stored and made visible
  when printed; every CSV writer has the formula guard and every markdown writer escapes HTML.
* Bounds: ``@string`` expansion, line, field and name counts, citekey length, file kinds.
* Every OSError / MemoryError is one line; SQLite's "too complex", an empty phrase and a
  database without a version row get their own messages; UTF-16 is decoded.
* Scaling: the paths that were quadratic are compared at two sizes in one run.

The input texts are made here; the UTF-16 test re-encodes the shipped LGC seed list
(data/seed/lgc-industrial-medical-ad_2025-12.md, origin in data/seed/sources.toml).
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adbib.cli import app

# SQLite only: hostile bytes checked in the SQLite file and its FTS5 index.
pytestmark = pytest.mark.sqlite_only

REPO = Path(__file__).resolve().parent.parent
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="os.mknod of device nodes needs root")

ESC_TITLE = "Hi \x1b]0;pwned\x07\x1b[2J Anomaly \u202eevil\u202c Detection"
CLEAN_TITLE = "Hi Anomaly evil Detection"
OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"


def invoke(db: Path, *args: str):
    return CliRunner().invoke(app, ["--db", str(db), *args])


def adbib(db: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    """The real command in a subprocess (for what CliRunner cannot show: real file descriptors)."""
    kw.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-m", "adbib.cli", "--db", str(db), *args],
        stderr=subprocess.PIPE,
        timeout=120,
        check=False,
        **kw,
    )


# ---------------------------------------------------------------- 1. -o only onto what it should


def test_o_onto_a_character_device_writes_through_it_and_leaves_the_node(seeded_db, tmp_path):
    """Before: `export -o /dev/null` put a regular file where the device was."""
    null = tmp_path / "null"
    if ROOT:
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    else:
        null.symlink_to(os.devnull)  # a link to the real /dev/null: written through, never replaced
    before = os.stat(null)
    result = invoke(seeded_db, "export", "--format", "json", "-o", str(null))
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.startswith(f"adbib: wrote 85 papers to {null}")
    after = os.stat(null)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_o_onto_a_fifo_writes_into_the_pipe(seeded_db, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = invoke(seeded_db, "export", "--format", "csv", "venue:IPMI", "-o", str(fifo))
    reader.join(30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    text = got[0].decode()
    assert text.startswith("citekey,title,authors,year,venue,")
    assert len(text.splitlines()) == 1 + int(result.stderr.split()[2])


def test_o_dash_is_standard_output(seeded_db, tmp_path):
    result = invoke(seeded_db, "export", "--format", "csv", "venue:IPMI", "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("citekey,title,authors,year,venue,")
    assert not (tmp_path / "-").exists()


@needs_root
def test_o_onto_a_block_device_is_refused_without_opening_it(seeded_db, tmp_path):
    disk = tmp_path / "disk"
    os.mknod(disk, 0o600 | stat.S_IFBLK, os.makedev(7, 250))  # a loop device number nothing uses
    result = invoke(seeded_db, "export", "--format", "bibtex", "-o", str(disk))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"adbib: {disk}: not a regular file, FIFO or character device; adbib writes only to those\n",
    )
    assert stat.S_ISBLK(os.lstat(disk).st_mode)


def test_o_through_a_symlink_replaces_the_target_and_keeps_the_link(seeded_db, tmp_path):
    """As cp does: the link is followed; the file it points to is replaced, keeping its mode."""
    real = tmp_path / "real.bib"
    real.write_text("% old\n")
    real.chmod(0o640)
    link = tmp_path / "refs.bib"
    link.symlink_to(real)
    result = invoke(seeded_db, "export", "--format", "bibtex", "venue:IPMI", "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text().startswith("@")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_o_through_a_dangling_symlink_creates_its_target(seeded_db, tmp_path):
    link = tmp_path / "refs.bib"
    link.symlink_to(tmp_path / "made.bib")
    result = invoke(seeded_db, "export", "--format", "bibtex", "venue:IPMI", "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and (tmp_path / "made.bib").read_text().startswith("@")


def test_o_new_file_gets_the_umask_and_an_old_one_keeps_its_mode(seeded_db, tmp_path):
    """Before: every -o file was left with mkstemp's 0600."""
    old_mask = os.umask(0o027)
    try:
        result = invoke(seeded_db, "export", "--format", "json", "-o", str(tmp_path / "new.json"))
    finally:
        os.umask(old_mask)
    assert result.exit_code == 0
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640
    kept = tmp_path / "kept.json"
    kept.write_text("[]\n")
    kept.chmod(0o604)
    assert invoke(seeded_db, "export", "--format", "json", "-o", str(kept)).exit_code == 0
    assert stat.S_IMODE(kept.stat().st_mode) == 0o604 and kept.read_text() != "[]\n"


def test_o_onto_a_hard_linked_file_is_refused(seeded_db, tmp_path):
    """Replacing it would silently cut it off from its other name."""
    first = tmp_path / "a.bib"
    first.write_text("% shared\n")
    os.link(first, tmp_path / "b.bib")
    result = invoke(seeded_db, "export", "--format", "bibtex", "-o", str(first))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        (
            f"adbib: {first}: has 2 hard links, and replacing it would cut it off from the others; "
            "write to another file and copy it over\n"
        ),
    )
    assert (tmp_path / "b.bib").read_text() == "% shared\n" and os.stat(first).st_nlink == 2


@needs_root
def test_o_onto_a_full_disk_is_one_line(seeded_db, tmp_path):
    full = tmp_path / "full"
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # /dev/full: every write is ENOSPC
    result = invoke(seeded_db, "export", "--format", "bibtex", "-o", str(full))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"adbib: {full}: cannot write (No space left on device)\n",
    )
    assert stat.S_ISCHR(os.lstat(full).st_mode)


@needs_root
@pytest.mark.parametrize(
    "command",
    [["export", "--format", "bibtex"], ["query", "venue:MICCAI", "--format", "json"], ["venues", "--format", "csv"]],
)
def test_standard_output_on_a_full_disk_is_one_line(seeded_db, tmp_path, command):
    """`adbib … > file` on a full disk: one line and exit 1, not a traceback at exit."""
    full = tmp_path / "full"
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    with open(full, "w") as out:
        done = adbib(seeded_db, *command, stdout=out)
    assert (done.returncode, done.stderr.decode()) == (1, "adbib: standard output: No space left on device\n")


# ---------------------------------------------------------------- 2. one sanitizing step


def _bib(title: str, abstract: str = "Plain.", key: str = "k1", author: str = "Ann Lee") -> str:
    return f"@article{{{key},\n  title = {{{title}}},\n  author = {{{author}}},\n  year = 2024,\n  abstract = {{{abstract}}}\n}}\n"


def _import(db: Path, tmp_path: Path, text: str | bytes, name: str = "evil.bib"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return invoke(db, "import", str(path))


def _stored(db: Path, column: str = "title") -> list[str]:
    con = sqlite3.connect(db)
    try:
        return [r[0] for r in con.execute(f"SELECT {column} FROM paper ORDER BY id")]
    finally:
        con.close()


HOSTILE_CHARS = ("\x1b", "\x07", "\x00", "\x9b", "\x9d", "\u202e", "\u202c")


def _inert(text: str) -> bool:
    return not any(c in text for c in HOSTILE_CHARS)


def test_escape_sequences_are_removed_when_stored(empty_db, tmp_path):
    """Before: the title was stored raw and `adbib query` set the window title and cleared the screen."""
    result = _import(empty_db, tmp_path, _bib(ESC_TITLE, f"Copy {OSC52}this.\nSecond\x9b31m line."))
    assert result.exit_code == 0, result.output
    assert _stored(empty_db) == [CLEAN_TITLE]
    assert _stored(empty_db, "abstract") == ["Copy this. Second line."]
    query = invoke(empty_db, "query", "anomaly")
    assert query.stdout.splitlines()[2].split()[:4] == ["k1", "2024", "Hi", "Anomaly"]  # the entry's own key
    for fmt in ("bibtex", "markdown", "csv", "json"):
        assert _inert(invoke(empty_db, "export", "--format", fmt).stdout), fmt
    show = invoke(empty_db, "show", "k1")
    assert _inert(show.stdout) and "abstract:     Copy this. Second line." in show.stdout


def test_nul_bytes_after_the_first_8_kb_are_removed(empty_db, tmp_path):
    """Before: a NUL past the binary-file check was stored and written raw to CSV and BibTeX."""
    padding = "% " + "x" * 9000 + "\n"
    result = _import(empty_db, tmp_path, padding + _bib("Null\x00 Byte\x00Title"))
    assert result.exit_code == 0, result.output
    assert _stored(empty_db) == ["Null ByteTitle"]
    for fmt in ("bibtex", "csv"):
        assert "\x00" not in invoke(empty_db, "export", "--format", fmt).stdout


def test_values_already_stored_raw_are_made_visible_when_printed(empty_db, tmp_path):
    """A database an older adbib filled: what it holds is escaped on the terminal, never acted on."""
    assert _import(empty_db, tmp_path, _bib("Plain Title")).exit_code == 0
    con = sqlite3.connect(empty_db)
    with con:
        con.execute("UPDATE paper SET title = ?, abstract = ?", (ESC_TITLE, f"Clip {OSC52} board"))
    con.close()
    table = invoke(empty_db, "query", "--format", "table").stdout
    assert _inert(table) and "Hi \\x1b]0;pwned\\x07\\x1b[2J Anomaly \\u202eevil\\u202c Detection" in table
    show = invoke(empty_db, "show", "k1").stdout
    assert _inert(show) and "Clip \\x1b]52;c;ZWNobyBwd25lZA==\\x07 board" in show
    shown = invoke(empty_db, "show", "k1", "--format", "json").stdout
    assert (
        _inert(shown) and '"title": "Hi \\u001b]0;pwned\\u0007\\u001b[2J Anomaly \\u202eevil\\u202c Detection"' in shown
    )
    exported = invoke(empty_db, "export", "--format", "json").stdout
    assert (
        _inert(exported)
        and '"title": "Hi \\u001b]0;pwned\\u0007\\u001b[2J Anomaly \\u202eevil\\u202c Detection"' in exported
    )


def test_a_file_name_with_escapes_is_shown_escaped(empty_db, tmp_path):
    result = _import(empty_db, tmp_path, _bib("Some Title"), name="x\x1b[2J.bib")
    assert result.exit_code == 0
    assert _inert(result.output) and "x\\x1b[2J.bib" in result.stdout


def test_browse_csv_outputs_have_the_formula_guard(empty_db, tmp_path):
    """Before: `authors --format csv` wrote =cmd|' /C calc'!A0 as it was."""
    assert _import(empty_db, tmp_path, _bib("Formula Paper", author="{=cmd|' /C calc'!A0}")).exit_code == 0
    rows = list(csv.reader(io.StringIO(invoke(empty_db, "authors", "--format", "csv").stdout)))
    assert rows[1][0] == "'=cmd|' /C calc'!A0"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_browse_markdown_outputs_are_inert(empty_db, tmp_path):
    """Before: `authors --format markdown` wrote a raw <img onerror>, and `stats --format markdown`
    the recorded import problems raw."""
    author = "{Eve <img src=x onerror=alert(1)>}"
    text = _bib("Markup Paper", author=author) + "@article{k2, title={Second <b>x</b>}, year={20x4}}\n"
    assert _import(empty_db, tmp_path, text).exit_code == 0
    authors = invoke(empty_db, "authors", "--format", "markdown").stdout
    assert "<img" not in authors and "Eve &lt;img src=x onerror=alert(1)&gt;" in authors
    stats = invoke(empty_db, "stats", "--format", "markdown").stdout
    assert "<" not in stats.replace("&lt;", "")
    assert "year '20x4' is not a year" in stats.replace("\\", "") or "20x4" in stats


# ---------------------------------------------------------------- 3. bounds


def _string_bomb(levels: int) -> str:
    lines = ['@string{m0 = "ab"}'] + [f"@string{{m{i} = m{i - 1} # m{i - 1}}}" for i in range(1, levels + 1)]
    return (
        "\n".join(lines)
        + f"\n@article{{bomb, title = m{levels}, author = {{Ann Lee}}, year = 2024}}\n"
        + _bib("Fine Paper", key="ok")
    )


def test_string_expansion_is_capped_with_a_line_naming_the_entry(empty_db, tmp_path):
    """Before: 1 KB of @string doubling expanded to terabytes (here 2^24 × 2 bytes = 32 MB)."""
    result = _import(empty_db, tmp_path, _string_bomb(24))
    assert result.exit_code == 3  # imported, with the entries it could not read listed as failed
    lines = result.stdout.splitlines()
    assert (
        "  failed     line    17  @string 'm16' expands to more than 100,000 characters (@string macros); not read"
        in lines
    )
    assert (
        "  failed     line    26  entry 'bomb': field 'title' uses @string 'm24', which expands to more than "
        "100,000 characters; not read"
    ) in lines
    assert _stored(empty_db) == ["Fine Paper"]


def test_a_forty_level_string_bomb_reads_in_bounded_memory():
    """The probe's 1 KB file: read at once, every level past the cap failing by name."""
    import tracemalloc

    from adbib.readers import bibtex

    tracemalloc.start()
    result = bibtex.read(_string_bomb(39))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20_000_000
    assert [r.title for r in result.records] == ["Fine Paper"]
    assert result.failures[-1].reason.startswith("entry 'bomb': field 'title' uses @string 'm39'")


def test_a_line_beyond_the_bound_is_one_line(empty_db, tmp_path):
    result = _import(empty_db, tmp_path, _bib("T" + "x" * 1_000_001))
    path = tmp_path / "evil.bib"
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"adbib: {path}: line 2 has 1,000,015 characters (at most 1,000,000): not a bibliography\n",
    )


def test_a_long_title_is_cut_and_reported_and_its_citekey_stays_short(empty_db, tmp_path):
    """Before: a 100 KB title made a 20,000-character citekey."""
    title = "Anomaly" + "x" * 100_000
    result = _import(empty_db, tmp_path, _bib(title, key="k" * 201))  # a key no tool reads: one is derived
    assert result.exit_code == 0
    assert "  problem    line     1  title: 100,007 characters, cut to the first 4,000" in result.stdout.splitlines()
    assert _stored(empty_db, "citekey") == ["lee2024anomalyxxxxxxxxxxxxxxxxxxxxxxxxx"]
    assert [len(t) for t in _stored(empty_db)] == [4000]


def test_names_per_entry_are_bounded(empty_db, tmp_path):
    authors = " and ".join(f"Author{i:04d}, Given" for i in range(1500))
    result = _import(empty_db, tmp_path, _bib("Many Authors", author=authors))
    assert result.exit_code == 0
    assert (
        "  problem    line     1  1,500 authors: the first 1,000 kept, the rest as 'and others'"
        in result.stdout.splitlines()
    )
    con = sqlite3.connect(empty_db)
    assert con.execute("SELECT count(*), max(position) FROM authorship").fetchone() == (1000, 999)
    assert con.execute("SELECT authors_truncated FROM paper").fetchone() == (1,)
    con.close()


def test_a_fifo_as_input_is_one_line_not_a_hang(empty_db, tmp_path):
    """Before: `adbib import FIFO` waited forever for a writer."""
    fifo = tmp_path / "list.md"
    os.mkfifo(fifo)
    done = adbib(empty_db, "import", str(fifo))  # timeout=120: a hang fails the test
    assert (done.returncode, done.stdout, done.stderr.decode()) == (
        1,
        b"",
        f"adbib: {fifo}: is a FIFO (named pipe), not a regular file; adbib imports only files\n",
    )


def test_a_device_as_input_is_one_line(empty_db, tmp_path):
    """Before: `adbib import /dev/zero` read until MemoryError (here: a link to it in tmp)."""
    zero = tmp_path / "zero.bib"
    zero.symlink_to("/dev/zero")
    result = invoke(empty_db, "import", str(zero))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"adbib: {zero}: is a character device, not a regular file; adbib imports only files\n",
    )


# ---------------------------------------------------------------- 4. one line for every error


def test_utf16_with_and_without_a_bom_is_decoded(empty_db, tmp_path):
    """Before: UTF-16 files were called binary.  The shipped LGC list, re-encoded."""
    text = (REPO / "data" / "seed" / "lgc-industrial-medical-ad_2025-12.md").read_text(encoding="utf-8")
    utf8 = _import(empty_db, tmp_path, text.encode("utf-8"), "lgc-8.md")
    assert utf8.exit_code == 0, utf8.output
    titles = _stored(empty_db)
    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
        from adbib.readers import decode

        assert decode(text.encode(encoding)) == text, encoding
    for encoding in ("utf-16", "utf-16-le"):  # with a byte-order mark, and without
        result = _import(empty_db, tmp_path, text.encode(encoding), f"lgc-{encoding}.md")
        assert (result.exit_code, result.stdout.splitlines()[0]) == (
            0,
            (
                f"{tmp_path / f'lgc-{encoding}.md'} (lgc, source lgc-{encoding}): imported 49 entries: 0 new, 0 merged, "
                "49 unchanged, 2 skipped, 0 failed, 4 problems"
            ),
        )
    assert _stored(empty_db) == titles


def test_memory_error_is_one_line(empty_db, tmp_path, monkeypatch):
    from adbib.readers import bibtex

    def exhausted(text, *chunking):
        raise MemoryError

    # read whole, or in chunks while earlier chunks are being written
    monkeypatch.setattr(bibtex, "read", exhausted)
    monkeypatch.setattr(bibtex, "iter_read", exhausted)
    monkeypatch.setattr(bibtex, "iter_read_pieces", exhausted)
    before = empty_db.read_bytes()
    result = _import(empty_db, tmp_path, _bib("Some Title"))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "adbib: out of memory (the input is too large for this machine); nothing was written\n",
    )
    assert empty_db.read_bytes() == before


def test_an_expression_too_large_for_sqlite_says_so(seeded_db):
    """Before: "cannot use the database", as if the file were damaged."""
    years = "|".join(str(1000 + i) for i in range(1900))
    result = invoke(seeded_db, "query", f"year:{years}")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        (
            "adbib: the query is too complex for SQLite (Expression tree is too large (maximum depth 1000)): "
            "use fewer terms or alternatives\n"
        ),
    )


def test_an_empty_phrase_says_so(seeded_db):
    """Before: `query '""'` said "nothing after '-'"."""
    result = invoke(seeded_db, "query", '""')
    assert (result.exit_code, result.stderr) == (
        2,
        'adbib: empty phrase "" in the query (put words between the quotes, or drop them)\n',
    )


def test_a_query_beyond_the_bound_is_one_line(seeded_db):
    result = invoke(seeded_db, "query", "w" * 10_001)
    assert (result.exit_code, result.stderr) == (
        2,
        "adbib: the query is 10,001 characters long; at most 10,000 are accepted\n",
    )


def test_a_populated_database_without_a_version_row_is_not_taken_for_empty(seeded_db):
    """Before: it was "empty", so adbib ran the migrations again: `table author already exists`."""
    con = sqlite3.connect(seeded_db)
    with con:
        con.execute("DELETE FROM alembic_version")
    con.close()
    before = seeded_db.read_bytes()
    for command in (["query", "venue:MICCAI"], ["add", "--title", "A Paper"]):
        result = invoke(seeded_db, *command)
        assert (result.exit_code, result.stdout, result.stderr) == (
            1,
            "",
            (
                f"adbib: {seeded_db}: has adbib tables but no schema version (its alembic_version table is empty), "
                "so adbib cannot tell which migrations it needs; restore a backup, or import into a new database\n"
            ),
        ), command
    assert seeded_db.read_bytes() == before


# ---------------------------------------------------------------- scaling (two sizes, one run)


def _cost(fn, *args) -> float:
    """The least CPU time of three calls (the others on this machine add noise, never remove it)."""
    best = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        fn(*args)
        best = min(best, time.process_time() - t0)
    return max(best, 1e-6)


def test_a_long_comma_author_line_costs_linear_time():
    """Before: `others = words[:k] + words[k+1:]` for each of n names (42.8 s at 80k names)."""
    from adbib.normalize.names import parse_authors

    def line(n: int) -> str:
        return ", ".join(f"Given{i} Family{i}" for i in range(n))

    small, large = line(1_000), line(8_000)
    ratio = _cost(parse_authors, large) / _cost(parse_authors, small)
    assert ratio < 20, f"8x the names cost {ratio:.1f}x"


def test_citekey_suffixes_cost_linear_probes():
    """Before: each new key probed a, b, c … from the start: n keys with one base, n²/2 probes."""
    from adbib.citekeys import KeyPool, unique_key

    class Counting(KeyPool):
        probes = 0

        def __contains__(self, key: object) -> bool:
            Counting.probes += 1
            return super().__contains__(key)

    def probes(n: int) -> int:
        Counting.probes = 0
        taken = Counting()
        for _ in range(n):
            taken.add(unique_key("lee2024anomaly", taken))
        return Counting.probes

    small, large = probes(500), probes(4_000)
    assert large / small < 20, f"8x the keys cost {large / small:.1f}x the probes"
    assert len({unique_key("b", KeyPool(["b", "ba"])), "bb"}) == 1


def test_a_word_repeated_in_a_query_is_one_condition(seeded_db):
    """Before: `anomaly` × 5,000 was 5,000 FTS5 phrases (over a minute of bm25)."""
    from adbib import dbread
    from adbib.query import build, run, to_sql

    assert to_sql(build("anomaly " * 1_000)) == to_sql(build("anomaly"))
    con = dbread.connect(seeded_db)
    small, large = ("diffusion anomaly " * n for n in (50, 400))
    ratio = _cost(lambda q: run(con, build(q)), large) / _cost(lambda q: run(con, build(q)), small)
    con.close()
    assert ratio < 20, f"8x the words cost {ratio:.1f}x"


def test_entries_with_one_author_year_and_title_start_import_in_linear_time(empty_db, tmp_path):
    """n entries with the same first author, year and title start (each a different paper): the
    citekey suffixes are linear now; the resolver's candidate checks are the coordinator's."""
    import random

    from adbib.db import open_for_write
    from adbib.store import ingest

    rng = random.Random(14)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "xe", "zu", "pa", "qo", "de", "fi", "gu", "ho"]

    def word() -> str:
        return "".join(rng.choice(syllables) for _ in range(rng.randrange(3, 6)))

    def cost(n: int, name: str) -> float:
        text = "".join(_bib("Anomaly " + " ".join(word() for _ in range(6)), key=f"k{i}") for i in range(n))
        path = tmp_path / f"{name}.bib"
        path.write_text(text)
        db = tmp_path / f"{name}.db"
        engine = open_for_write(db)
        t0 = time.process_time()
        report = ingest(engine, db, path)
        spent = time.process_time() - t0
        engine.dispose()
        assert len(report.created) == n
        return spent

    small, large = cost(150, "small"), cost(1_200, "large")
    assert large / small < 20, f"8x the entries cost {large / small:.1f}x"


def test_a_nul_in_a_query_value_is_dropped_not_an_fts5_error(seeded_db):
    """Found by the fuzz campaign: a NUL ended the FTS5 string early ('unterminated string')."""
    from adbib import dbread
    from adbib.query import build, run

    con = dbread.connect(seeded_db)
    try:
        assert run(con, build("diff\x00usion")) == run(con, build("diffusion"))
        assert run(con, build("-diff\x00usion venue:MIC\x00CAI")) == run(con, build("-diffusion venue:MICCAI"))
    finally:
        con.close()


def test_utf32_is_still_binary():
    """A UTF-32 text starts like UTF-16 with a byte-order mark: decoded so, it is full of NULs."""
    from adbib.readers import decode
    from adbib.records import ReaderError

    with pytest.raises(ReaderError, match="binary file, not a bibliography"):
        decode("@article{a, title={T}}".encode("utf-32"))


def test_exports_of_values_stored_raw_are_inert(empty_db, tmp_path):
    """A database an older adbib filled: BibTeX, markdown and CSV exports drop what it stored raw."""
    assert _import(empty_db, tmp_path, _bib("Plain Title")).exit_code == 0
    con = sqlite3.connect(empty_db)
    with con:
        con.execute("UPDATE paper SET title = ?", (ESC_TITLE + "\x00",))
    con.close()
    for fmt in ("bibtex", "markdown", "csv"):
        out = invoke(empty_db, "export", "--format", fmt).stdout
        assert _inert(out) and "Anomaly" in out, fmt
        written = tmp_path / f"out.{fmt}"
        assert invoke(empty_db, "export", "--format", fmt, "-o", str(written)).exit_code == 0
        assert _inert(written.read_text()), fmt


def test_a_heading_with_a_long_run_of_spaces_costs_linear_time():
    """Found by the fuzz campaign (diaoquesang-md seed 7875): the heading regex backtracked
    quadratically on a run of spaces; 290k of them took minutes."""
    from adbib.readers.diaoquesang import _heading

    def line(n: int) -> str:
        return "## Methods" + " " * n + "x ##"

    assert _heading(line(3)) == _heading("## Methods   x ##")
    ratio = _cost(_heading, line(64_000)) / _cost(_heading, line(8_000))
    assert ratio < 20, f"8x the spaces cost {ratio:.1f}x"
