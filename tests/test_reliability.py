"""Reliability (issue 7, items 1-3): fuzzed input, imports killed with SIGKILL, concurrent processes.

* **Fuzz** — every reader of ``adbib.readers.DIALECTS`` gets arbitrary text and real text mutated by
  ``tests/fuzz/mutations.py`` (truncation, random bytes, wrong encodings, unbalanced brackets, huge
  lines, NUL bytes…) and may raise nothing but ReaderError; ``adbib import`` of such a file ends in
  one ``adbib:`` line on stderr or in a well-formed report, never a traceback.  The long campaign
  (≥ 10,000 cases per reader) is ``tests/fuzz/campaign.py``.
* **Crash safety** — ``adbib import BIG.bib`` in a subprocess is SIGKILLed at ≥ 20 moments, most of
  them while it holds the write lock; each time the database passes ``PRAGMA integrity_check``,
  ``foreign_key_check`` and FTS5's own check, and equals (every table, every column but the
  timestamps) the database before or after that import.
* **Concurrency** — two imports at once both land (or one says exactly "database is busy"), the
  same file imported twice at once is imported once, and ``adbib query`` answers at once, with the
  state before the import, while an import holds the write lock.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from adbib.cli import app
from adbib.readers import DIALECTS, reader
from adbib.records import ReaderError
from fuzz.corpus import check_read, corpus
from fuzz.mutations import MUTATORS, ODD_CHARS, SYNTAX, huge_line
from helpers.dbstate import snapshot, write_locked

# SQLite only: killing a writer of the SQLite file, its locks and journal.
pytestmark = pytest.mark.sqlite_only

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "adbib.cli"]
ENV = {**os.environ, "PYTHONPATH": str(REPO / "src")}
HEAD_LINE = re.compile(
    r"(?P<path>.+) \((?P<dialect>[\w-]+), source (?P<source>.+)\): (?:already imported, nothing changed\."
    r"|imported (?P<entries>\d+) entries: (?P<new>\d+) new, (?P<merged>\d+) merged, (?P<unchanged>\d+) "
    r"unchanged, (?P<skipped>\d+) skipped, (?P<failed>\d+) failed(?:, \d+ problems)?(?:, \d+ conflicts)?"
    r"(?:, \d+ new vocabulary)?(?:, \d+ no longer listed)?)"
)


# ---------------------------------------------------------------- helpers


@contextmanager
def time_limit(seconds: float):
    """Fail when the block runs longer than ``seconds``: interrupted by SIGALRM when Python gets
    control back in time (so a hang does not hang the suite), checked on the clock otherwise (a
    long C-level regex match only lets the signal handler run once it returns)."""

    def alarm(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    start = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.monotonic() - start
    assert elapsed < seconds, f"took {elapsed:.1f} s (limit {seconds} s)"


def fresh_copy(src: Path, dst: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    shutil.copy(src, dst)
    return dst


def big_bib(path: Path, seeded: Path, new: int, tag: str = "k") -> int:
    """A .bib of ``new`` new papers plus one entry per seeded paper with an arXiv id (merged by
    that id, adding a code link), so that the import both inserts and updates.  Returns the
    number of entries."""
    con = sqlite3.connect(seeded)
    known = con.execute("SELECT arxiv_id, title, year FROM paper WHERE arxiv_id IS NOT NULL ORDER BY id").fetchall()
    con.close()
    blocks = [
        f"@misc{{{tag}merge{i},\n  title = {{{title}}},\n  year = {{{year or 2024}}},\n"
        f"  eprint = {{{arxiv}}},\n  archivePrefix = {{arXiv}},\n  code = {{https://github.com/{tag}-test/m{i}}},\n}}\n"
        for i, (arxiv, title, year) in enumerate(known)
    ]
    blocks += [
        f"@article{{{tag}{i},\n  title = {{Synthetic {tag.upper()} Study {i} of Anomalous Widgets in Setting {i * 7919 % 10007}}},\n"
        f"  author = {{Family{tag}{i}, Given and Coauthor{tag}{i}, Second}},\n  journal = {{Medical Image Analysis}},\n"
        f"  year = {{{2000 + i % 25}}},\n  doi = {{10.5555/{tag}.{i}}},\n}}\n"
        for i in range(new)
    ]
    path.write_text("\n".join(blocks), encoding="utf-8")
    return len(blocks)


class Import:
    """``adbib import`` running in a subprocess; its output goes to files (a report of thousands
    of lines would fill a pipe nobody reads while the test polls, and block the import)."""

    def __init__(self, db: Path, *files: Path) -> None:
        self.out = Path(f"{db}.{os.urandom(4).hex()}.out")
        with open(self.out, "w") as out, open(f"{self.out}.err", "w") as err:
            self.proc = subprocess.Popen(
                [*CLI, "--db", str(db), "import", *map(str, files)], env=ENV, stdout=out, stderr=err
            )

    def finish(self, timeout: float = 120) -> tuple[int, str, str]:
        """(exit status, stdout, stderr) once the process has ended."""
        self.proc.wait(timeout)
        texts = self.out.read_text(), Path(f"{self.out}.err").read_text()
        self.out.unlink()
        Path(f"{self.out}.err").unlink()
        return self.proc.returncode, *texts


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


# ---------------------------------------------------------------- 1. fuzzed input


@pytest.fixture(scope="module")
def texts(_seeded_template) -> dict[str, list[str]]:
    return corpus(_seeded_template)


def test_the_corpus_covers_every_reader(texts):
    assert sorted(texts) == sorted(DIALECTS)
    for dialect, samples in texts.items():
        assert all(check_read(dialect, t) > 0 for t in samples), dialect


# Huge lines of at most 20,000 characters keep the quick examples quick; the campaign goes to
# 300,000, and test_reading_time_grows_linearly_with_a_huge_line checks how reading time grows.
QUICK_MUTATORS = {**MUTATORS, "huge_line": partial(huge_line, sizes=(2_000, 20_000))}


def _mutated(texts: dict[str, list[str]], dialect: str, data) -> str:
    """A real text of the dialect after 1-4 mutations, drawn so hypothesis can shrink the choice."""
    pool = [t for samples in texts.values() for t in samples]
    text = texts[dialect][data.draw(st.integers(0, len(texts[dialect]) - 1), label="base")]
    donor = pool[data.draw(st.integers(0, len(pool) - 1), label="donor")]
    steps = data.draw(
        st.lists(st.tuples(st.sampled_from(sorted(MUTATORS)), st.integers(0, 2**32 - 1)), min_size=1, max_size=4),
        label="mutations",
    )
    for name, seed in steps:
        text = QUICK_MUTATORS[name](text, random.Random(seed), donor)
    return text


def _only_reader_error(dialect: str, text: str) -> None:
    with time_limit(20), suppress(ReaderError):
        check_read(dialect, text)


FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
_pieces = st.sampled_from(
    [
        *SYNTAX,
        *ODD_CHARS,
        "\n",
        "\n\n",
        " ",
        "- ",
        "  - ",
        "# ",
        "## ",
        "* [",
        "• ",
        "**",
        "](",
        "[[",
        "]]",
        "*(2023-MICCAI)*",
        "[CVPR 2023]",
        "@article{",
        "@string{",
        "title = ",
        "http://a.org/",
        "arXiv:2203.04306",
        "Authors: ",
        "Given Family, ",
        " and ",
        '{\\"u}',
        "2024",
        "\t",
    ]
)
_text = st.one_of(st.text(), st.lists(st.one_of(_pieces, st.text(max_size=5)), max_size=80).map("".join))


@pytest.mark.parametrize("dialect", list(DIALECTS))
@FUZZ
@given(data=st.data())
def test_reader_raises_only_reader_error_on_arbitrary_text(texts, dialect, data):
    first_line = texts[dialect][0].split("\n", 1)[0] + "\n"
    prefix = data.draw(st.sampled_from(["", first_line]), label="prefix")  # get past the header checks
    _only_reader_error(dialect, prefix + data.draw(_text, label="text"))


@pytest.mark.parametrize("dialect", list(DIALECTS))
@FUZZ
@given(data=st.data())
def test_reader_raises_only_reader_error_on_mutated_real_text(texts, dialect, data):
    _only_reader_error(dialect, _mutated(texts, dialect, data))


def _read_time(dialect: str, text: str, unit: str, size: int) -> float:
    """Seconds to read ``text`` with a run of ``size`` × ``unit`` in the middle of each line of its
    first entry (its title, authors, links or datasets line, whatever the dialect puts there)."""
    lines = text.split("\n")
    first = min(r.line for r in reader(dialect).read(text).records)
    for i in range(first - 1, min(first + 3, len(lines))):
        mid = len(lines[i]) // 2
        lines[i] = lines[i][:mid] + unit * size + lines[i][mid:]
    start = time.perf_counter()
    _only_reader_error(dialect, "\n".join(lines))
    return time.perf_counter() - start


@pytest.mark.timing  # compares wall-clock times: deselected by default (see pyproject.toml)
@pytest.mark.parametrize("unit", [" ", "\u2028", "&", "["])
@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_reading_time_grows_linearly_with_a_huge_line(texts, dialect, unit):
    """A run four times longer takes about four times longer to read, not sixteen: no regular
    expression (or library) in the reader and normalization is quadratic in a line's length.
    (A quadratic one turns a 300,000-character line into minutes of CPU: a denial of service.)"""
    short = _read_time(dialect, texts[dialect][0], unit, 10_000)
    long = _read_time(dialect, texts[dialect][0], unit, 40_000)
    assert long < max(2.0, 8 * short), f"{short:.2f} s for 10,000 × {unit!r}, {long:.2f} s for 40,000"


# Inputs the fuzz campaign found, reduced by hand: each once crashed or hung a reader.
FOUND = {
    "line separator in an LGC line (IndexError)": (
        "lgc",
        "- ⭐ *(2022-MICCAI)* **A\u2028B** [[Paper]](https://a.org/x)\n- ⭐ *(2023-MICCAI)* **C**\n  - Authors: Ann Lee",
    ),
    "bracketed host in a link (ValueError: Invalid IPv6 URL)": (
        "lgc",
        "- ⭐ *(2022-MICCAI)* **Title** [[Paper]](http://[x/)\n",
    ),
    "bracketed host in a CSV url beside a DOI (ValueError: Invalid IPv6 URL)": (
        "csv",
        "citekey,title,authors,year,venue,venue_type,doi,arxiv,url,code,datasets,categories,domain,sources\r\n"
        "k,A Title,Ann Lee,2024,,,10.1000/x,,http://[x/,,,,,\r\n",
    ),
    "braces nested 500 deep in an author (RecursionError)": (
        "lgc",
        "- ⭐ *(2022-MICCAI)* **Title**\n  - Authors: " + "{" * 500 + "Lee" + "}" * 500 + "\n",
    ),
    "100,000 spaces in an author list (quadratic regex)": (
        "lgc",
        "- ⭐ *(2022-MICCAI)* **Title**\n  - Authors: Ann Lee," + " " * 100_000 + "Bob Ray\n",
    ),
    "100,000 spaces in a title (quadratic regex)": (
        "medaierhhl",
        "- (2024/01/19) A" + " " * 100_000 + "Title. [[arXiv]](https://arxiv.org/abs/2401.00001)\n",
    ),
    "spaces in a title without a venue (a regex exponential in the run's length)": (
        "generic",
        ("- A Title" + " " * 150 + "Ends | [code](https://github.com/a/b)\n") * 3,
    ),
    "emphasis nested 3,000 deep (RecursionError in markdown-it's syntax tree)": (
        "generic",
        "- " + "*" * 3000 + "Title" + "*" * 3000 + " [paper](https://a.org/x)\n",
    ),
    "100,000 spaces before :octocat: (quadratic regex)": (
        "diaoquesang-text",
        "1. Flow\n  • [CVPR 2023] PyramidFlow" + " " * 100_000 + "x :octocat:\n    Lei, Jiarui\n",
    ),
}


@pytest.mark.parametrize("dialect, text", FOUND.values(), ids=FOUND.keys())
def test_inputs_the_fuzz_campaign_found(dialect, text):
    with time_limit(5):
        _only_reader_error(dialect, text)


def test_a_line_separator_does_not_shift_the_lines_of_later_entries():
    """ftfy turns U+2028 into a line break while repairing an LGC line: the entries after it must
    keep their own line numbers and raw text."""
    text = (
        "# Medical\n\n## Reconstruction\n\n"
        "- ⭐ *(2022-MICCAI)* **Deep\u2028Anomaly Detection** [[Paper]](https://a.org/x)\n"
        "- ⭐ *(2023-MICCAI)* **Second Paper** [[Paper]](https://a.org/y)\n"
        "- ⭐ *(2024-MICCAI)* **Third Paper** [[Paper]](https://a.org/z)\n"
    )
    records = reader("lgc").read(text).records
    assert [(r.line, r.title, r.raw) for r in records] == [
        (
            5,
            "Deep Anomaly Detection",
            "- ⭐ *(2022-MICCAI)* **Deep\u2028Anomaly Detection** [[Paper]](https://a.org/x)",
        ),
        (6, "Second Paper", "- ⭐ *(2023-MICCAI)* **Second Paper** [[Paper]](https://a.org/y)"),
        (7, "Third Paper", "- ⭐ *(2024-MICCAI)* **Third Paper** [[Paper]](https://a.org/z)"),
    ]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz-cli")


def _file_bytes(text: str, data) -> bytes:
    how = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "random"]), label="encoding")
    if how == "random":
        return data.draw(st.binary(max_size=2_000), label="bytes")
    return text.encode(how, errors="replace")


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(data=st.data())
def test_cli_import_of_a_mangled_file_is_one_line_or_a_report(texts, _seeded_template, workdir, data):
    dialect = data.draw(st.sampled_from(list(DIALECTS)), label="dialect")
    text = _mutated(texts, dialect, data) if data.draw(st.booleans(), label="real") else data.draw(_text)
    path = workdir / "input.txt"
    path.write_bytes(_file_bytes(text, data))
    db = fresh_copy(_seeded_template, workdir / "adbib.db")
    fmt = data.draw(st.sampled_from(["auto", dialect]), label="format")
    with time_limit(30):
        # --verbose: every entry (the default lists at most 20 of each kind, issue 13)
        result = invoke("--db", str(db), "import", "--format", fmt, "--verbose", str(path))

    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if not result.stdout:  # refused: one clear line, non-zero exit
        assert result.exit_code == 1
        assert re.fullmatch(r"adbib: [^\n]+\n", result.stderr), result.stderr
    else:  # a report whose header agrees with its lines and with the exit status
        lines = result.stdout.splitlines()
        head = HEAD_LINE.fullmatch(lines[0])
        assert head, lines[0]
        failed = int(head["failed"] or 0)
        assert sum(1 for line in lines if line.startswith("  failed ")) == failed
        assert result.exit_code == (3 if failed else 0)
    snapshot(db)  # still a healthy database


def test_import_of_files_that_are_not_bibliographies(seeded_db, tmp_path):
    """Each gets exactly one line on stderr, exit status 1, and the database file is untouched."""
    known = ", ".join(DIALECTS)
    (tmp_path / "dir.bib").mkdir()
    cases = {
        "empty.bib": (b"", "{p}: the file is empty"),
        "blank.md": (b"  \n\n\t\n", "{p}: the file is empty"),
        "image.png": (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
            "{p}: binary file, not a bibliography",
        ),
        "utf32.bib": (
            "@article{a, title={T}}".encode("utf-32"),
            "{p}: binary file, not a bibliography",
        ),  # UTF-16 is read (issue 14)
        "page.html": (
            b"<!DOCTYPE html><html><body>- *(2022-MICCAI)* **T**</body></html>",
            f"{{p}}: not a format adbib can read (known formats: {known})",
        ),
        "notes.txt": (
            b"just some notes\nabout papers\n",
            f"{{p}}: not a format adbib can read (known formats: {known})",
        ),
        "dir.bib": (None, "{p}: is a directory, not a file"),
        "missing.bib": (None, "{p}: No such file or directory"),
    }
    before = seeded_db.read_bytes()
    for name, (content, message) in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        result = invoke("--db", str(seeded_db), "import", str(path))
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"adbib: {message.format(p=path)}\n"), name
    assert seeded_db.read_bytes() == before


def test_two_entries_with_different_dois_are_two_papers(empty_db, tmp_path):
    """Titles one character apart, one shared co-author, the same year — but each its own DOI:
    neither entry may vanish into the other (reported "unchanged", its DOI hung on the first)."""
    bib = tmp_path / "pair.bib"
    bib.write_text(
        "@article{a,\n  title = {Synthetic A Study 5 of Anomalous Widgets in Setting 3},\n"
        "  author = {Family1, Given and Coauthor5, Second},\n  journal = {Medical Image Analysis},\n"
        "  year = {2005},\n  doi = {10.5555/a.5},\n}\n"
        "@article{b,\n  title = {Synthetic B Study 5 of Anomalous Widgets in Setting 3},\n"
        "  author = {Family2, Given and Coauthor5, Second},\n  journal = {Medical Image Analysis},\n"
        "  year = {2005},\n  doi = {10.5555/b.5},\n}\n"
    )
    result = invoke("--db", str(empty_db), "import", str(bib))
    assert result.stdout.splitlines()[0] == (
        f"{bib} (bibtex, source pair): imported 2 entries: 2 new, 0 merged, 0 unchanged, 0 skipped, 0 failed"
    )
    con = sqlite3.connect(empty_db)
    assert con.execute("SELECT doi FROM paper ORDER BY doi").fetchall() == [("10.5555/a.5",), ("10.5555/b.5",)]
    con.close()


# ---------------------------------------------------------------- 2. crash safety


KILLS = 24
NEW = 1500  # new papers in BIG.bib: the import holds the write lock for ≈ 0.3 s of its ≈ 1.2 s


def _timeline(db: Path, bib: Path) -> tuple[float, float, float]:
    """Run the import to its end, polling the write lock: (first locked, last locked, end) in
    seconds after the start."""
    start = time.monotonic()
    run = Import(db, bib)
    locked = []
    while run.proc.poll() is None:
        if write_locked(db):
            locked.append(time.monotonic() - start)
        time.sleep(0.005)
    end = time.monotonic() - start
    status, _, err = run.finish()
    assert status == 0, err
    assert locked, "the import never held the write lock long enough to be seen"
    return locked[0], locked[-1], end


def wait_for_the_lock(db: Path, run: Import, timeout: float = 60) -> None:
    """Return once the import holds the write lock (or has ended)."""
    deadline = time.monotonic() + timeout
    while not write_locked(db) and run.proc.poll() is None:
        assert time.monotonic() < deadline, "the import never took the write lock"
        time.sleep(0.002)


def test_import_killed_at_any_moment_leaves_the_database_before_or_after(_seeded_template, tmp_path):
    bib = tmp_path / "big.bib"
    entries = big_bib(bib, _seeded_template, new=NEW)
    db = tmp_path / "adbib.db"
    before = snapshot(fresh_copy(_seeded_template, db))
    lock_from, lock_to, end = _timeline(db, bib)
    after = snapshot(db)
    assert len(after["paper"]) == len(before["paper"]) + NEW
    assert len(after["provenance"]) == len(before["provenance"]) + entries

    rng = random.Random(7)
    outcomes: Counter[str] = Counter()
    kills = in_lock = 0
    for attempt in range(KILLS * 2):
        if kills == KILLS:
            break
        # three kills in four while the import holds the write lock, the others at any moment
        fresh_copy(_seeded_template, db)
        run = Import(db, bib)
        if attempt % 4 == 0:
            delay = rng.uniform(0, end)
        else:
            wait_for_the_lock(db, run)
            delay = rng.uniform(0, lock_to - lock_from)
        time.sleep(delay)
        holding = write_locked(db)
        run.proc.send_signal(signal.SIGKILL)
        if run.finish()[0] != -signal.SIGKILL:
            continue  # it had finished already: not a kill point
        kills += 1
        in_lock += holding
        state = snapshot(db)
        assert state in (before, after), f"a kill ({attempt=}) left a database in between"
        outcomes["before" if state == before else "after"] += 1
    assert kills == KILLS
    assert in_lock >= KILLS // 2, f"only {in_lock} kills landed inside the write transaction"
    assert outcomes["before"] >= KILLS // 2
    # the killed import's database still takes the import, to exactly the state after it
    if snapshot(db) == before:
        subprocess.run([*CLI, "--db", str(db), "import", str(bib)], env=ENV, check=True, capture_output=True)
    assert snapshot(db) == after
    print(f"\n{kills} SIGKILLs ({in_lock} inside the write transaction): {dict(outcomes)}")


# ---------------------------------------------------------------- 3. concurrency

BUSY = "adbib: {db}: database is busy (another adbib is writing); try again\n"


def _dois(db: Path) -> Counter[str]:
    con = sqlite3.connect(db)
    try:
        return Counter(r[0] for r in con.execute("SELECT doi FROM paper WHERE doi IS NOT NULL"))
    finally:
        con.close()


@pytest.mark.parametrize("round_", range(3))
def test_two_imports_at_once_both_land(_seeded_template, tmp_path, round_):
    a, b = tmp_path / "a.bib", tmp_path / "b.bib"
    big_bib(a, _seeded_template, new=600, tag="a")
    big_bib(b, _seeded_template, new=600, tag="b")
    db = fresh_copy(_seeded_template, tmp_path / "adbib.db")
    before = _dois(db)
    runs = {path: Import(db, path) for path in (a, b)}
    for path, run in runs.items():
        status, out, err = run.finish()
        if status != 0:  # allowed only as the clear busy message; then it can run again
            assert (status, out, err) == (1, "", BUSY.format(db=db))
            subprocess.run([*CLI, "--db", str(db), "import", str(path)], env=ENV, check=True, capture_output=True)
    snapshot(db)
    dois = _dois(db)
    assert dois - before == Counter({f"10.5555/{t}.{i}": 1 for t in "ab" for i in range(600)})
    assert max(dois.values()) == 1
    con = sqlite3.connect(db)
    sources = [r[0] for r in con.execute("SELECT name FROM source WHERE name IN ('a', 'b') ORDER BY name")]
    con.close()
    assert sources == ["a", "b"]


def test_one_file_imported_twice_at_once_is_imported_once(_seeded_template, tmp_path):
    bib = tmp_path / "same.bib"
    big_bib(bib, _seeded_template, new=800, tag="s")
    db = fresh_copy(_seeded_template, tmp_path / "adbib.db")
    before = snapshot(db)
    runs = [Import(db, bib), Import(db, bib)]
    results = [run.finish() for run in runs]
    assert [status for status, _, _ in results] == [0, 0], results
    heads = sorted(out.splitlines()[0] for _, out, _ in results)
    assert heads[0] == f"{bib} (bibtex, source same): already imported, nothing changed."
    assert heads[1].startswith(f"{bib} (bibtex, source same): imported ")
    after = snapshot(db)
    assert len(after["paper"]) == len(before["paper"]) + 800
    assert len(after["source"]) == len(before["source"]) + 1


def test_every_connection_has_wal_a_busy_timeout_and_foreign_keys(empty_db):
    """What the guarantees above rest on, for the write engine and the read path alike."""
    from adbib import db as dbw
    from adbib import dbread

    engine = dbw.make_engine(empty_db)
    with engine.connect() as conn:
        pragmas = [
            conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in ("journal_mode", "busy_timeout", "foreign_keys")
        ]
    engine.dispose()
    assert pragmas == ["wal", 30_000, 1]
    con = dbread.connect(empty_db)
    assert con.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
    con.close()


def test_a_writer_that_waits_too_long_says_database_is_busy(seeded_db, tmp_path, monkeypatch):
    from adbib import dbread

    monkeypatch.setattr(dbread, "BUSY_TIMEOUT_MS", 200)
    bib = tmp_path / "small.bib"
    big_bib(bib, seeded_db, new=3)
    before = snapshot(seeded_db)
    holder = sqlite3.connect(seeded_db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock for longer than the timeout
    try:
        result = invoke("--db", str(seeded_db), "import", str(bib))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", BUSY.format(db=seeded_db))
    assert snapshot(seeded_db) == before


def test_a_query_during_a_long_import_answers_at_once_with_the_state_before(_seeded_template, tmp_path):
    bib = tmp_path / "big.bib"
    big_bib(bib, _seeded_template, new=3000)
    db = fresh_copy(_seeded_template, tmp_path / "adbib.db")
    keys_before = invoke("--db", str(db), "query", "--format", "keys").stdout
    run = Import(db, bib)
    try:
        wait_for_the_lock(db, run)
        start = time.monotonic()
        during = invoke("--db", str(db), "query", "--format", "keys")
        elapsed = time.monotonic() - start
        still_writing = write_locked(db)
    finally:
        status, _, err = run.finish()
    assert status == 0, err
    assert still_writing, "the import ended before the query did: nothing was proven"
    assert (during.exit_code, during.stdout) == (0, keys_before)
    assert elapsed < 1.0
    after = invoke("--db", str(db), "query", "--format", "keys").stdout
    assert len(after.splitlines()) == len(keys_before.splitlines()) + 3000
