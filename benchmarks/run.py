"""Every row of the performance issue's table (issue 15), each beside its floor or peer measured in the same run.

The machine is shared and noisy (2 cores), so each figure is a median with its spread (min–max)
and a RATIO to a floor run right beside it: timed commands of one row run interleaved, their order
rotating round by round, after one unmeasured warm-up of each.  adbib always runs as
``<repo>/.venv/bin/python -m adbib.cli`` with ``PYTHONPATH=<repo>/src``; every Python floor runs
with the same interpreter.  Wall time (``perf_counter``) and peak RSS (``os.wait4``) are taken on
each fresh child.  Only the command line and the database schema are used, never adbib's internals,
so the script measures any version of adbib that keeps its commands and its SQLite schema.

Groups (``--only GROUP[,GROUP]``):

cold     cold ``--help`` / ``stats`` / ``show KEY`` / seeded ``query … --format json`` vs
         ``python -c "import sqlite3"`` (≤ 3× each);
import   ``import`` of the 100k BibTeX file into an empty database, end to end: entries/s and peak
         RSS (≥ 2,000/s, ≤ 300 MiB) beside bare bibtexparser splitting the same file; peak RSS of a
         second, identical import (no growth);
scaling  entries/s, cost per entry and peak RSS of the import at each size (10k, 100k; 1M with
         ``--full``), the ratio of entries/s largest/smallest and a fitted t = a + b·N + c·N²
         (linear; 1M in ≤ 10 min and ≤ 300 MiB);
pubs     import of 200 entries vs pubs 0.9.0 (installed in its own venv in the work directory)
         importing the same file into an empty repository (ahead of pubs);
export   ``export --format bibtex -o FILE`` of every paper: papers/s (≥ 20,000/s at 100k) beside a
         stdlib-sqlite3 script writing the same papers as minimal BibTeX; peak RSS flat in N;
queries  on the largest database (1M with ``--full``: the 1M import, or else the 100k database
         replicated 10×): ``query diffusion`` and ``query "venue:MICCAI year:2023"``, every hit as
         JSON, vs the ``sqlite3`` CLI (``-json``, a SELECT of the same columns) and ``sqlite-utils
         query`` (same SQL) — ≤ 3× / ≤ 2× the CLI; both with ``--limit 20`` vs the CLI (≤ 1.5×).

A missing peer (sqlite3 CLI, sqlite-utils, pubs) makes its row say "not measured: …"; the rest runs.
See benchmarks/README.md for the options and how long each group takes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import generate

REPO = generate.REPO
PY = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")]))}
ENV.pop("ADBIB_DB", None)
# A user's install ships compiled bytecode; a sandbox that sets PYTHONDONTWRITEBYTECODE would make every
# cold start recompile adbib's modules (+20% instructions on a query), so the children may write .pyc.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
GROUPS = ("cold", "import", "scaling", "pubs", "export", "queries")
SEED_QUERY = "venue:MICCAI dataset:BraTS diffusion"
LIMIT = 20
MIB = "MiB"
IMPORT_RATE, IMPORT_RSS = 2000, 300  # entries/s at 100k, MiB
EXPORT_RATE = 20_000  # papers/s at 100k
RSS_TOLERANCE = 1.05  # a second import may differ from the first by allocator noise, not by N
FLAT_MEMORY = 1.25  # "flat in N": at most +25 % peak RSS from the smallest to the largest N
LINEAR = 0.8  # entries/s at the largest N at least this share of entries/s at the smallest
MINUTES_1M = 10
PUBS = "pubs==0.9.0"

# ------------------------------------------------------------------------------ floors and peers

BASELINE_PARSE = """\
import re, sys, bibtexparser
text = open(sys.argv[1], encoding="utf-8").read()
cuts = [m.start() for m in re.finditer(r"^@", text, re.M)][::2000] + [len(text)]
print(sum(len(bibtexparser.parse_string(text[a:b]).entries) for a, b in zip(cuts, cuts[1:])))
"""

BASELINE_EXPORT = """\
import sqlite3, sys
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
authors = con.execute(
    "SELECT a.paper_id, au.family || ', ' || au.given FROM authorship a"
    " JOIN author au ON au.id = a.author_id ORDER BY a.paper_id, a.position")
pending = next(authors, None)
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for pid, key, title, year, venue, doi, arxiv in con.execute(
            "SELECT p.id, p.citekey, p.title, p.year, v.name, p.doi, p.arxiv_id FROM paper p"
            " LEFT JOIN venue v ON v.id = p.venue_id ORDER BY p.id"):
        names = []
        while pending is not None and pending[0] == pid:
            names.append(pending[1])
            pending = next(authors, None)
        out.write(f"@inproceedings{{{key},\\n  author = {{{' and '.join(names)}}},\\n"
                  f"  title = {{{title}}},\\n  year = {{{year}}},\\n  booktitle = {{{venue}}},\\n"
                  f"  doi = {{{doi}}},\\n  eprint = {{{arxiv}}}\\n}}\\n\\n")
"""

# What `query --format json` prints for a paper, as one SELECT over the schema: the paper's own
# columns, its venue, and as JSON its authors (names and parts), links, datasets, categories,
# sources (file, line, section), extra fields and tags.  The floors of the query rows print these
# rows, so they do the work of printing every hit, not only its id.
PAPER_COLUMNS = """\
SELECT p.id, p.citekey, p.title, p.year, p.date, v.short_name AS venue, v.name AS venue_name,
  v.type AS venue_type,
  (SELECT json_group_array(json_object('name', name, 'given', given, 'family', family, 'von', von, 'jr', jr))
     FROM (SELECT au.* FROM authorship a JOIN author au ON au.id = a.author_id
     WHERE a.paper_id = p.id ORDER BY a.position)) AS authors,
  p.authors_truncated, p.arxiv_id AS arxiv, p.doi,
  (SELECT json_group_array(json_object('role', role, 'url', url)) FROM link WHERE paper_id = p.id) AS links,
  (SELECT json_group_array(json_object('name', d.name, 'family', d.family, 'evidence', pd.evidence))
     FROM paper_dataset pd JOIN dataset d ON d.id = pd.dataset_id WHERE pd.paper_id = p.id) AS datasets,
  (SELECT json_group_array(DISTINCT c.name) FROM paper_category pc JOIN category c ON c.id = pc.category_id
     WHERE pc.paper_id = p.id) AS categories,
  p.domain, p.abstract, p.summary,
  (SELECT json_group_array(json_object('file', s.path, 'line', pr.line, 'section', pr.section))
     FROM provenance pr JOIN source s ON s.id = pr.source_id WHERE pr.paper_id = p.id) AS sources,
  (SELECT json_group_object(name, value) FROM paper_field WHERE paper_id = p.id) AS fields,
  p.short_name, (SELECT json_group_array(name) FROM tag WHERE paper_id = p.id) AS tags, p.note
FROM paper p LEFT JOIN venue v ON v.id = p.venue_id"""

# The two searches of the issue, written against the schema (what adbib's query language means by them).
QUERIES = {
    "free text": (
        "diffusion",
        PAPER_COLUMNS + " JOIN paper_fts ON paper_fts.rowid = p.id"
        " WHERE p.deleted_at IS NULL AND paper_fts MATCH 'diffusion'"
        " ORDER BY bm25(paper_fts, 4.0, 1.0, 2.0), p.year DESC NULLS LAST, p.title_key, p.id",
    ),
    "field filter": (
        "venue:MICCAI year:2023",
        PAPER_COLUMNS + " WHERE p.deleted_at IS NULL AND p.venue_id IN"
        " (SELECT venue_id FROM venue_alias WHERE alias_key = 'miccai'"
        " UNION SELECT id FROM venue WHERE lower(short_name) = 'miccai' OR lower(name) = 'miccai')"
        " AND p.year = 2023 ORDER BY p.year DESC NULLS LAST, p.title_key, p.id",
    ),
}
QUERY_GOALS = {"free text": 3.0, "field filter": 2.0, "limit": 1.5}  # × the sqlite3 CLI, at 1M


def adbib(*args: str) -> list[str]:
    return [PY, "-m", "adbib.cli", *args]


def python_c(code: str, *args: str) -> list[str]:
    return [PY, "-c", code, *args]


# ------------------------------------------------------------------------------ processes


class Failed(Exception):
    """A measured command exited non-zero, ran past the timeout or past the memory limit."""


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    rss: float  # peak resident set size, MiB


@dataclass(frozen=True)
class Cmd:
    """A command to time: argv, its environment and standard input, and untimed set-up before each run."""

    argv: list[str]
    env: dict[str, str] | None = None
    stdin: Path | None = None
    setup: Callable[[], None] | None = None


RSS_LIMIT = [4096.0]  # MiB; set from --rss-limit


def spawn(cmd: Cmd | Sequence[str], *, timeout: float, stdout: int | object = subprocess.DEVNULL) -> Sample:
    """Run a command in a fresh process; its wall time and peak RSS (from os.wait4).

    The child is waited for without being reaped (waitid WNOWAIT), so a watcher thread can kill it
    on timeout or when its RSS passes the limit without any risk of signalling a recycled pid; then
    wait4 reaps it and reports its rusage."""
    cmd = cmd if isinstance(cmd, Cmd) else Cmd(list(cmd))
    if cmd.setup:
        cmd.setup()
    limit = RSS_LIMIT[0]
    with tempfile.TemporaryFile() as err:
        stdin = cmd.stdin.open("rb") if cmd.stdin else subprocess.DEVNULL
        start = time.perf_counter()
        proc = subprocess.Popen(cmd.argv, stdout=stdout, stderr=err, stdin=stdin, env=cmd.env or ENV, cwd=REPO)
        lock, state = threading.Lock(), {"exited": False, "why": ""}
        done = threading.Event()

        def watch() -> None:
            status = Path(f"/proc/{proc.pid}/status")
            while not done.wait(0.2):
                rss = 0.0
                try:
                    m = re.search(r"^VmRSS:\s+(\d+) kB", status.read_text(), re.M)
                    rss = int(m[1]) / 1024 if m else 0.0
                except OSError:
                    pass
                over = time.perf_counter() - start > timeout
                with lock:
                    if state["exited"]:
                        return
                    if over or rss > limit:
                        proc.kill()
                        state["why"] = (
                            f"timed out after {timeout:.0f} s" if over else f"killed at {rss:,.0f} {MIB} (--rss-limit)"
                        )
                        return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
        wall = time.perf_counter() - start
        with lock:
            state["exited"] = True
        done.set()
        watcher.join()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if cmd.stdin:
            stdin.close()
        sample = Sample(wall, usage.ru_maxrss / 1024)
        if state["why"]:
            raise Failed(f"{state['why']} (peak RSS by then {sample.rss:,.0f} {MIB})")
        if proc.returncode != 0:
            err.seek(0)
            lines = err.read().decode(errors="replace").strip().splitlines() or ["(no stderr)"]
            raise Failed(f"exit {proc.returncode}: {lines[-1]}")
    return sample


def capture(cmd: Cmd | Sequence[str], timeout: float) -> str:
    """Run a command once (not timed) and return its standard output."""
    cmd = cmd if isinstance(cmd, Cmd) else Cmd(list(cmd))
    if cmd.setup:
        cmd.setup()
    try:
        done = subprocess.run(
            cmd.argv, capture_output=True, env=cmd.env or ENV, cwd=REPO, timeout=timeout, text=True, check=False
        )
    except subprocess.TimeoutExpired as e:
        raise Failed(f"timed out after {timeout:.0f} s") from e
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["(no stderr)"]
        raise Failed(f"exit {done.returncode}: {lines[-1]}")
    return done.stdout


def interleaved(cmds: dict[str, Cmd], rounds: int, timeout: float, warm_up: bool = True) -> dict[str, list[Sample]]:
    """Runs of every command, interleaved: round i runs them in the order rotated by i, after one
    unmeasured warm-up of each (bytecode compiled, files in the page cache: "cold" means a new
    process, not a cold disk)."""
    names = list(cmds)
    if warm_up:
        for name in names:
            spawn(cmds[name], timeout=timeout)
    samples: dict[str, list[Sample]] = {name: [] for name in names}
    for i in range(rounds):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            samples[name].append(spawn(cmds[name], timeout=timeout))
    return samples


# ------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class Stat:
    median: float
    lo: float
    hi: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Stat:
        return cls(statistics.median(values), min(values), max(values), len(values))

    def show(self, fmt: str, unit: str = "") -> str:
        if self.n == 1:
            return f"{fmt.format(self.median)}{unit} (n=1)"
        return f"{fmt.format(self.median)}{unit} [{fmt.format(self.lo)}–{fmt.format(self.hi)}]"


@dataclass
class Row:
    what: str
    now: str
    floor: str = "—"
    goal: str = "—"
    verdict: str = "—"


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missed: list[tuple[str, Cmd, bool]] = field(default_factory=list)  # (what, adbib command, cold start?)
    timings: dict[str, float] = field(default_factory=dict)  # group -> seconds

    def not_measured(self, what: str, why: object, goal: str = "—") -> None:
        self.rows.append(Row(what, f"not measured: {why}", goal=goal, verdict="not measured"))


def ms(samples: list[Sample]) -> Stat:
    return Stat.of([s.wall * 1000 for s in samples])


def seconds(samples: list[Sample]) -> Stat:
    return Stat.of([s.wall for s in samples])


def show_ms(stat: Stat) -> str:
    return stat.show("{:,.0f}", " ms")


def verdict(ok: bool, miss: str) -> str:
    return "met" if ok else f"MISSED ({miss})"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def count(db: Path, sql: str = "SELECT count(*) FROM paper") -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


def summary(out: Path) -> str:
    """The line of an import's report that counts what it did (the other lines list conflicts)."""
    lines = out.read_text().strip().splitlines()
    said = [line for line in lines if ("imported" in line and "entries" in line) or "already imported" in line]
    return (said or lines or ["(nothing)"])[-1].strip()


def remove_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


# ------------------------------------------------------------------------------ the run


@dataclass
class Imported:
    label: str
    n: int
    runs: list[Sample]  # imports into an empty database
    db: Path | None  # the database the last one made
    error: str = ""  # why no import finished


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path, report: Report) -> None:
        self.args, self.work, self.report = args, work, report
        self.imports: dict[str, Imported] = {}
        self.given = {label: Path(path) for label, path in args.given.items()}
        self.dbs: dict[str, Path] = {}

    # ---------------------------------------------------------------- databases

    def import_timeout(self, label: str) -> float:
        return self.args.timeout_1m if label == "1M" else self.args.timeout

    def run_imports(self, label: str, runs: int, floor: Cmd | None = None) -> tuple[Imported, list[Sample]]:
        """`runs` imports of the label's BibTeX file into an empty database (cached for the run),
        interleaved with the floor when one is given; the floor's samples."""
        floors: list[Sample] = []
        have = self.imports.get(label)
        if have is not None and (len(have.runs) >= runs or have.error) and floor is None:
            return have, floors
        n = generate.SIZES[label]
        log(f"generating {label} BibTeX (cached in {generate.DEFAULT_OUT})")
        bib = generate.ensure(label, "bib")
        db = self.work / f"import-{label}.db"
        out = self.work / f"import-{label}.out"
        imp = have or Imported(label, n, [], None)
        self.imports[label] = imp
        if imp.error:
            return imp, floors
        cmd = Cmd(adbib("--db", str(db), "import", str(bib)), setup=lambda: remove_db(db))
        for i in range(runs):
            if len(imp.runs) < runs:
                log(f"import {label} ({len(imp.runs) + 1}/{runs})")
                try:
                    with out.open("w") as f:
                        imp.runs.append(spawn(cmd, timeout=self.import_timeout(label), stdout=f))
                except Failed as e:
                    imp.error, imp.db = str(e), None
                    remove_db(db)
                    return imp, floors
                imp.db = db
                if len(imp.runs) == 1:
                    self.report.notes.append(f"import {label} said: {summary(out)}")
            if floor is not None:
                log(f"bibtexparser split {label} ({i + 1}/{runs})")
                floors.append(spawn(floor, timeout=self.import_timeout(label)))
        return imp, floors

    def database(self, label: str) -> Path | None:
        """A database of `label` papers for the export and query rows: given with --db, made by
        an import of this run (timed or not), or for 1M the 100k database replicated 10×."""
        if label in self.given:
            return self.given[label]
        if label in self.dbs:
            return self.dbs[label]
        have = self.imports.get(label)
        if have is not None and have.db is not None:
            return have.db
        kept = self.work / f"import-{label}.db"
        if (self.work / f"import-{label}.complete").exists() and kept.exists():
            self.report.notes.append(f"the {label} database is the one kept in {kept} by an earlier run")
            self.dbs[label] = kept
            return kept
        if label == "1M" and not self.args.import_1m:
            base = self.database("100k")
            if base is None:
                return None
            log("replicating the 100k database 10× for 1M")
            self.dbs[label] = replicate(base, self.work / "replicated-1M.db", 10)
            self.report.notes.append(
                "the 1M database of the export and query rows is the 100k one replicated 10× (ids shifted, "
                "unique values suffixed; the same vocabulary, term and value distributions, every title 10 times)"
            )
            return self.dbs[label]
        imp, _ = self.run_imports(label, 1)
        if imp.db is None:
            self.report.notes.append(f"no {label} database: its import failed ({imp.error})")
            return None
        (self.work / f"import-{label}.complete").touch()
        return imp.db

    # ---------------------------------------------------------------- cold

    def cold(self) -> None:
        db = self.work / "seed.db"
        log(f"seeding {db}")
        remove_db(db)
        spawn(adbib("--db", str(db), "seed"), timeout=self.args.timeout)
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        key = con.execute("SELECT citekey FROM paper WHERE deleted_at IS NULL ORDER BY id LIMIT 1").fetchone()[0]
        con.close()
        cmds = {
            "--help": Cmd(adbib("--help")),
            "stats": Cmd(adbib("--db", str(db), "stats")),
            f"show {key}": Cmd(adbib("--db", str(db), "show", key)),
            f'query "{SEED_QUERY}" --format json': Cmd(adbib("--db", str(db), "query", SEED_QUERY, "--format", "json")),
        }
        found = len(json.loads(capture(cmds[f'query "{SEED_QUERY}" --format json'], self.args.timeout) or "[]"))
        self.report.notes.append(
            f"cold rows: on the seeded database; `show {key}`; the seeded query prints {found} papers"
        )
        floor = Cmd(python_c("import sqlite3"))
        log(f"cold starts × {self.args.repeat}")
        samples = interleaved({**cmds, "floor": floor}, self.args.repeat, self.args.timeout)
        b = ms(samples.pop("floor"))
        for name, runs in samples.items():
            t = ms(runs)
            ratio = t.median / b.median
            self.report.rows.append(
                Row(
                    f"cold `{name}`",
                    f"{show_ms(t)} — {ratio:.2f}× the floor",
                    f'`python -c "import sqlite3"` {show_ms(b)}',
                    "≤ 3×",
                    verdict(ratio <= 3, f"{ratio / 3:.2f}× the goal"),
                )
            )
            if ratio > 3:
                self.report.missed.append((f"cold {name}", cmds[name], True))

    # ---------------------------------------------------------------- import

    def import_row(self) -> None:
        labels = [s for s in self.args.labels if generate.SIZES[s] <= 100_000]
        label = "100k" if "100k" in labels else max(labels, key=generate.SIZES.get)
        bib = generate.ensure(label, "bib")
        floor = Cmd(python_c(BASELINE_PARSE, str(bib)))
        goal = f"≥ {IMPORT_RATE:,}/s, ≤ {IMPORT_RSS} {MIB}"
        what = f"import {label} BibTeX entries into an empty db, end to end"
        imp, floors = self.run_imports(label, self.args.bulk_repeat, floor)
        if imp.error:
            n = imp.n
            self.report.rows.append(
                Row(what, f"FAILED: {imp.error}", "—", goal, f"MISSED (< {n / self.import_timeout(label):,.0f}/s)")
            )
            self.report.missed.append(self._import_profile(label))
            return
        if not floors:  # the imports were cached: the floor still runs beside the next one
            floors = [spawn(floor, timeout=self.args.timeout) for _ in imp.runs]
        n = imp.n
        rate, split = Stat.of([n / s.wall for s in imp.runs]), Stat.of([n / s.wall for s in floors])
        rss = Stat.of([s.rss for s in imp.runs])
        ok = rate.median >= IMPORT_RATE and rss.median <= IMPORT_RSS
        at_goal = label == "100k"
        misses = []
        if rate.median < IMPORT_RATE:
            misses.append(f"{rate.median / IMPORT_RATE:.2f}× the rate")
        if rss.median > IMPORT_RSS:
            misses.append(f"{rss.median / IMPORT_RSS:.1f}× the memory")
        self.report.rows.append(
            Row(
                what,
                f"{rate.show('{:,.0f}', '/s')} ({seconds(imp.runs).show('{:,.1f}', ' s')}), "
                f"**{rss.show('{:,.0f}', ' ' + MIB)}** peak — {rate.median / split.median:.2f}× the floor",
                f"bibtexparser split alone {split.show('{:,.0f}', '/s')}",
                goal,
                verdict(ok, ", ".join(misses)) if at_goal else "— (the goal is at 100k)",
            )
        )
        if at_goal and not ok:
            self.report.missed.append(self._import_profile(label))
        self.second_import(imp)

    def second_import(self, imp: Imported) -> None:
        assert imp.db is not None
        log(f"second identical import {imp.label}")
        out = self.work / f"import-{imp.label}-again.out"
        what = f"peak RSS of a second, identical import {imp.label}"
        try:
            with out.open("w") as f:
                bib = generate.ensure(imp.label, "bib")
                again = spawn(adbib("--db", str(imp.db), "import", str(bib)), timeout=self.args.timeout, stdout=f)
        except Failed as e:
            self.report.not_measured(what, e, "≤ the first")
            return
        first = Stat.of([s.rss for s in imp.runs])
        growth = again.rss / first.median
        self.report.notes.append(f"second import {imp.label}: {again.wall:.1f} s, said: {summary(out)}")
        self.report.rows.append(
            Row(
                what,
                f"{again.rss:,.0f} {MIB} ({again.wall:.1f} s) — {growth:.2f}× the first",
                f"the first import {first.show('{:,.0f}', ' ' + MIB)}",
                "≤ the first (no growth)",
                verdict(growth <= RSS_TOLERANCE, f"+{(growth - 1) * 100:.0f} %"),
            )
        )

    def _import_profile(self, label: str) -> tuple[str, Cmd, bool]:
        """What to profile when an import misses: the same import at 10k at most (cProfile slows
        it down several times; the code paths are the same, quadratic ones show a smaller share)."""
        small = min(label, "10k", key=generate.SIZES.get)
        bib = generate.ensure(small, "bib")
        db = self.work / "profile.db"
        return f"import {small}", Cmd(adbib("--db", str(db), "import", str(bib)), setup=lambda: remove_db(db)), False

    # ---------------------------------------------------------------- scaling

    def scaling(self) -> None:
        labels = list(self.args.labels)
        if self.args.full and "1M" not in labels:
            labels.append("1M")
        measured: dict[str, Imported] = {}
        for label in labels:
            what = f"import scaling: {label} entries"
            if label == "1M":
                why = self._skip_1m(measured)
                if why:
                    self.report.not_measured(what, why, f"≤ {MINUTES_1M} min, ≤ {IMPORT_RSS} {MIB}")
                    continue
            runs = 1 if label == "1M" else self.args.bulk_repeat
            imp, _ = self.run_imports(label, runs)
            if imp.error:
                limit = self.import_timeout(label)
                self.report.rows.append(
                    Row(what, f"FAILED: {imp.error}", goal="linear", verdict=f"MISSED (< {imp.n / limit:,.0f}/s)")
                )
                continue
            if label == "1M":
                (self.work / "import-1M.complete").touch()
            measured[label] = imp
            rate, rss = Stat.of([imp.n / s.wall for s in imp.runs]), Stat.of([s.rss for s in imp.runs])
            per = Stat.of([s.wall / imp.n * 1e6 for s in imp.runs])
            goal, ok = "—", "—"
            if label == "1M":
                wall = statistics.median(s.wall for s in imp.runs)
                goal = f"≤ {MINUTES_1M} min, ≤ {IMPORT_RSS} {MIB}"
                ok = verdict(
                    wall <= MINUTES_1M * 60 and rss.median <= IMPORT_RSS,
                    f"{wall / 60:.1f} min, {rss.median:,.0f} {MIB}",
                )
            self.report.rows.append(
                Row(
                    what,
                    f"{rate.show('{:,.0f}', '/s')}, {per.show('{:,.0f}', ' µs')} an entry, "
                    f"{rss.show('{:,.0f}', ' ' + MIB)} peak",
                    goal=goal,
                    verdict=ok,
                )
            )
        if len(measured) >= 2:
            self.report.rows.append(self._fit(measured))
        elif len(measured) == 1:
            self.report.notes.append("scaling: one size only, no ratio (give --sizes 10k,100k or more)")

    def _skip_1m(self, measured: dict[str, Imported]) -> str:
        """Why the 1M import is not attempted, or '' — it needs a finished 100k import whose rate,
        extrapolated linearly, fits in the 1M timeout (a quadratic import would run for hours)."""
        base = measured.get("100k")
        if base is None:
            return "needs a finished 100k import in the same run"
        wall = statistics.median(s.wall for s in base.runs) * 10
        if wall > self.args.timeout_1m:
            return (
                f"the 100k import, extrapolated linearly, would take ≥ {wall / 60:.0f} min "
                f"(> --timeout-1m {self.args.timeout_1m:.0f} s)"
            )
        return ""

    def _fit(self, measured: dict[str, Imported]) -> Row:
        sizes = sorted(measured.values(), key=lambda m: m.n)
        small, large = sizes[0], sizes[-1]
        points = [(m.n, statistics.median(s.wall for s in m.runs)) for m in sizes]
        rate = {m.label: m.n / statistics.median(s.wall for s in m.runs) for m in sizes}
        rss = {m.label: statistics.median(s.rss for s in m.runs) for m in sizes}
        ratio = rate[large.label] / rate[small.label]
        per = ", ".join(f"{m.label} {t / m.n * 1e6:,.0f} µs" for m, (_, t) in zip(sizes, points, strict=True))
        # The cost of one more entry between two sizes: constant for a linear import, whatever its fixed cost.
        marginal = [(t1 - t0) / (n1 - n0) for (n0, t0), (n1, t1) in pairwise(points)]
        steps = ", ".join(
            f"{a.label}→{b.label} {m * 1e6:,.0f} µs" for a, b, m in zip(sizes, sizes[1:], marginal, strict=False)
        )
        growth = marginal[-1] / marginal[0] if len(marginal) >= 2 and marginal[0] > 0 else None
        if len(points) >= 3:
            a, b, c = quadratic_fit(points)
            model = f"t ≈ {a:.2f} s + {b * 1e3:.3f} ms·N + {c * 1e9:.2f} ns·N²"
            t1m = a + b * 1e6 + c * 1e12
            model += f" (1M: ≈ {t1m / 60:.0f} min)" if "1M" not in measured else ""
        else:
            (n0, t0), (n1, t1) = points[0], points[-1]
            b = (t1 - t0) / (n1 - n0)
            a = t0 - b * n0
            model = f"t ≈ {a:.2f} s + {b * 1e3:.3f} ms·N (two sizes: no N² term; 1M on this line ≈ {(a + b * 1e6) / 60:.0f} min)"
        memory = " → ".join(f"{rss[m.label]:,.0f}" for m in sizes)
        ok = ratio >= LINEAR and (growth is None or growth <= 1 / LINEAR)
        misses = [f"entries/s {ratio:.2f}×"] + ([f"marginal cost {growth:.2f}×"] if growth is not None else [])
        return Row(
            f"import cost as N grows ({' → '.join(m.label for m in sizes)})",
            f"entries/s {large.label}/{small.label} = {ratio:.2f}×; cost an entry {per}; marginal cost an entry "
            f"{steps}; {model}; peak RSS {memory} {MIB}",
            "—",
            f"linear: entries/s {large.label}/{small.label} ≥ {LINEAR}×"
            + (f", marginal cost last/first ≤ {1 / LINEAR:.2f}×" if growth is not None else ""),
            verdict(ok, ", ".join(misses)),
        )

    # ---------------------------------------------------------------- pubs

    def pubs(self) -> None:
        label = "200"
        bib = generate.ensure(label, "bib")
        what = "import 200 BibTeX entries into an empty db"
        db = self.work / "import-200.db"
        mine = Cmd(adbib("--db", str(db), "import", str(bib)), setup=lambda: remove_db(db))
        rounds = max(3, self.args.repeat // 2)
        peer = self._pubs_cmd(bib)
        if isinstance(peer, str):
            log(f"import 200 × {rounds} (no pubs: {peer})")
            t = seconds(interleaved({"adbib": mine}, rounds, self.args.timeout)["adbib"])
            self.report.rows.append(
                Row(what, t.show("{:.2f}", " s"), f"pubs not measured: {peer}", "ahead of pubs", "not measured")
            )
            return
        try:
            capture(peer, self.args.timeout)  # once, untimed, to count what pubs stored
            imported = len(list((self.work / "pubs-repo" / "bib").glob("*.bib")))
            self.report.notes.append(f"pubs imported {imported} of the 200 entries into its repository")
            log(f"import 200 vs pubs × {rounds}")
            samples = interleaved({"adbib": mine, "pubs": peer}, rounds, self.args.timeout)
        except Failed as e:
            self.report.not_measured(what + " beside pubs", e, "ahead of pubs")
            return
        t, p = seconds(samples["adbib"]), seconds(samples["pubs"])
        ratio = t.median / p.median
        self.report.rows.append(
            Row(
                what,
                f"{t.show('{:.2f}', ' s')} — {ratio:.2f}× pubs",
                f"pubs 0.9.0 {p.show('{:.2f}', ' s')} (an empty repository)",
                "ahead of pubs",
                verdict(ratio < 1, f"{ratio:.2f}× pubs' time"),
            )
        )
        if ratio >= 1:
            self.report.missed.append(("import 200", mine, False))

    def _pubs_cmd(self, bib: Path) -> Cmd | str:
        """pubs importing `bib` into a fresh repository, all of it inside the work directory: its
        own venv (pubs 0.9.0 needs bibtexparser < 2), a config file given with -c, HOME pointed
        there too.  A string says why pubs cannot run."""
        venv = self.work / "pubs-venv"
        pubs = venv / "bin" / "pubs"
        if not pubs.exists():
            log(f"installing {PUBS} into {venv}")
            try:
                subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
                subprocess.run(
                    [str(venv / "bin" / "pip"), "install", "--quiet", PUBS, "bibtexparser<2"],
                    check=True,
                    capture_output=True,
                    timeout=600,
                )
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
                detail = getattr(e, "stderr", b"") or b""
                lines = detail.decode(errors="replace").strip().splitlines()
                return f"`pip install {PUBS}` failed ({lines[-1] if lines else e})"
        home = self.work / "pubs-home"
        home.mkdir(exist_ok=True)
        env = {**ENV, "HOME": str(home)}
        env.pop("PYTHONPATH", None)
        config, repo = self.work / "pubsrc", self.work / "pubs-repo"

        def fresh() -> None:
            shutil.rmtree(repo, ignore_errors=True)
            config.unlink(missing_ok=True)
            subprocess.run(
                [str(pubs), "-c", str(config), "init", "-p", str(repo)],
                check=True,
                capture_output=True,
                env=env,
                stdin=subprocess.DEVNULL,
            )

        try:
            fresh()
        except (subprocess.CalledProcessError, OSError) as e:
            return f"`pubs init` failed ({e})"
        return Cmd([str(pubs), "-c", str(config), "import", str(bib)], env=env, setup=fresh)

    # ---------------------------------------------------------------- export

    def export(self) -> None:
        labels = list(self.args.labels)
        if self.args.full and "1M" not in labels:
            labels.append("1M")
        rss: dict[str, float] = {}
        for label in labels:
            what = f"`export --format bibtex -o FILE` {label}"
            goal = f"≥ {EXPORT_RATE:,}/s" if label == "100k" else "(at 100k)"
            db = self.database(label)
            if db is None:
                self.report.not_measured(what, f"no {label} database", goal)
                continue
            n = count(db)
            out = self.work / f"export-{label}.bib"
            cmds = {
                "adbib": Cmd(adbib("--db", str(db), "export", "--format", "bibtex", "-o", str(out))),
                "floor": Cmd(python_c(BASELINE_EXPORT, str(db), str(self.work / "floor.bib"))),
            }
            log(f"export {label} × {self.args.bulk_repeat}")
            try:
                samples = interleaved(cmds, self.args.bulk_repeat, self.import_timeout(label), warm_up=False)
            except Failed as e:
                self.report.not_measured(what, e, goal)
                continue
            rate = Stat.of([n / s.wall for s in samples["adbib"]])
            floor = Stat.of([n / s.wall for s in samples["floor"]])
            rss[label] = Stat.of([s.rss for s in samples["adbib"]]).median
            ok = rate.median >= EXPORT_RATE
            self.report.rows.append(
                Row(
                    f"{what} ({n:,} papers)",
                    f"{rate.show('{:,.0f}', '/s')} — {rate.median / floor.median:.2f}× the floor, "
                    f"{rss[label]:,.0f} {MIB} peak",
                    f"stdlib sqlite3 → minimal BibTeX {floor.show('{:,.0f}', '/s')}",
                    goal,
                    verdict(ok, f"{rate.median / EXPORT_RATE:.2f}× the goal") if label == "100k" else "—",
                )
            )
            if label == "100k" and not ok:
                self.report.missed.append((f"export {label}", cmds["adbib"], False))
        if len(rss) >= 2:
            small, large = min(rss, key=generate.SIZES.get), max(rss, key=generate.SIZES.get)
            growth = rss[large] / rss[small]
            self.report.rows.append(
                Row(
                    f"peak RSS of the export, {small} → {large}",
                    f"{rss[small]:,.0f} → {rss[large]:,.0f} {MIB} ({growth:.2f}×)",
                    "—",
                    f"flat (≤ {FLAT_MEMORY}×)",
                    verdict(growth <= FLAT_MEMORY, f"+{(growth - 1) * 100:.0f} %"),
                )
            )

    # ---------------------------------------------------------------- queries

    def queries(self) -> None:
        label = "1M" if self.args.full else max(self.args.labels, key=generate.SIZES.get)
        db = self.database(label)
        if db is None:
            self.report.not_measured("queries", f"no {label} database")
            return
        cli, utils = find_peers()
        if cli is None:
            self.report.notes.append("the sqlite3 command-line tool is missing (`apt-get install sqlite3`)")
        if utils is None:
            self.report.notes.append("sqlite-utils is missing (`pip install sqlite-utils`)")
        rounds = max(3, self.args.repeat // 2)
        at_goal = label == "1M"
        for kind, (q, sql) in QUERIES.items():
            for limit in (None, LIMIT):
                suffix = f" --limit {limit}" if limit else ""
                what = f'`query "{q}"{suffix} --format json`, {kind}, {label} papers'
                goal_x = QUERY_GOALS["limit" if limit else kind]
                goal = f"≤ {goal_x:g}× the CLI"
                full_sql = sql + (f" LIMIT {limit}" if limit else "")
                cmds = {
                    "adbib": Cmd(
                        adbib(
                            "--db", str(db), "query", q, "--format", "json", *(("--limit", str(limit)) if limit else ())
                        )
                    )
                }
                if cli:
                    cmds["cli"] = Cmd([cli, "-readonly", "-batch", "-json", str(db), full_sql])
                if utils and not limit:
                    cmds["sqlite-utils"] = Cmd([str(utils), "query", str(db), full_sql])
                try:
                    ids = {
                        name: [row.get("id") for row in json.loads(capture(cmd, self.args.timeout) or "[]")]
                        for name, cmd in cmds.items()
                    }
                    printed = {name: len(got) for name, got in ids.items()}
                    log(f"{kind} query{suffix} on {label} × {rounds}")
                    samples = interleaved(cmds, rounds, self.args.timeout)
                except Failed as e:
                    self.report.not_measured(what, e, goal)
                    continue
                t = ms(samples["adbib"])
                floors = []
                for name, shown in (("cli", "sqlite3 CLI -json"), ("sqlite-utils", "sqlite-utils query")):
                    if name in samples:
                        floors.append(f"{shown} {show_ms(ms(samples[name]))}")
                    elif name == "cli" or not limit:
                        floors.append(f"{shown}: not measured (not installed)")
                if len(set(printed.values())) > 1:
                    floors.append("rows printed: " + ", ".join(f"{k} {v:,}" for k, v in printed.items()))
                elif any(got != ids["adbib"] for got in ids.values()):
                    floors.append("the same number of rows, not the same papers in the same order")
                now = f"{show_ms(t)}, {printed['adbib']:,} papers"
                ver = "not measured"
                if "cli" in samples:
                    ratio = t.median / ms(samples["cli"]).median
                    now += f" — {ratio:.2f}× the CLI"
                    ver = (
                        verdict(ratio <= goal_x, f"{ratio / goal_x:.2f}× the goal")
                        if at_goal
                        else "— (the goal is at 1M)"
                    )
                    if at_goal and ratio > goal_x:
                        self.report.missed.append((f"{kind} query{suffix} ({label})", cmds["adbib"], True))
                if "sqlite-utils" in samples:
                    now += f", {t.median / ms(samples['sqlite-utils']).median:.2f}× sqlite-utils"
                self.report.rows.append(Row(what, now, "; ".join(floors), goal, ver))
        self.report.notes.append(
            "query floors: the sqlite3 CLI (`-readonly -batch -json`) and `sqlite-utils query` run one SELECT, written "
            "against the schema, of the columns `query --format json` prints (the paper, its venue, and as JSON arrays its "
            "authors, links, datasets, categories, sources, fields and tags), with the same filter, order and limit"
        )


def find_peers() -> tuple[str | None, str | None]:
    """The sqlite3 CLI and sqlite-utils (the development venv's or the interpreter's, else on PATH), or None."""
    here = [REPO / ".venv" / "bin" / "sqlite-utils", Path(PY).parent / "sqlite-utils"]
    utils = next((str(p) for p in here if p.exists()), None) or shutil.which("sqlite-utils")
    return shutil.which("sqlite3"), utils


def quadratic_fit(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Least-squares a, b, c of t = a + b·N + c·N² (exact through three points); N scaled to keep
    the normal equations well conditioned."""
    scale = max(n for n, _ in points)
    xs = [(n / scale, t) for n, t in points]
    s = [sum(x**k for x, _ in xs) for k in range(5)]
    r = [sum(t * x**k for x, t in xs) for k in range(3)]
    m = [[s[0], s[1], s[2]], [s[1], s[2], s[3]], [s[2], s[3], s[4]]]

    def det(a: list[list[float]]) -> float:
        return (
            a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
            - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
        )

    d = det(m)
    coef = []
    for col in range(3):
        mc = [[r[i] if j == col else m[i][j] for j in range(3)] for i in range(3)]
        coef.append(det(mc) / d)
    return coef[0], coef[1] / scale, coef[2] / scale**2


def replicate(src: Path, dst: Path, times: int) -> Path:
    """A database `times` the size of src for the query measurements: every paper copied with its
    id shifted by k × max(id) and its unique text values suffixed with ``~k``, with all rows that
    reference papers (found through the foreign keys) copied alongside; FTS5 triggers index the
    copies.  Only the schema's own metadata is read, so it follows the migrations."""
    remove_db(dst)
    shutil.copyfile(src, dst)
    con = sqlite3.connect(dst)
    step = con.execute("SELECT max(id) FROM paper").fetchone()[0]
    tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    refs = {t: [fk[3] for fk in con.execute(f'PRAGMA foreign_key_list("{t}")') if fk[2] == "paper"] for t in tables}
    refs["paper"] = ["id"]
    with con:
        for k in range(1, times):
            for table, keys in refs.items():
                if keys:
                    con.execute(_copy_sql(con, table, keys, k * step, f"~{k}") + f" WHERE {keys[0]} <= {step}")
    con.close()
    return dst


def _copy_sql(con: sqlite3.Connection, table: str, keys: list[str], shift: int, suffix: str) -> str:
    """INSERT … SELECT copying a table's rows: `keys` shifted, an INTEGER PRIMARY KEY of its own
    renumbered, the columns of unique indexes that hold no shifted key suffixed."""
    info = list(con.execute(f'PRAGMA table_info("{table}")'))
    unique = set()
    for index in con.execute(f'PRAGMA index_list("{table}")'):
        columns = [c[2] for c in con.execute(f'PRAGMA index_info("{index[1]}")')]
        if index[2] and not set(columns) & set(keys):
            unique |= set(columns)
    rowid_alias = sum(1 for c in info if c[5]) == 1
    exprs = []
    for _, name, type_, _, _, pk in info:
        if name in keys:
            exprs.append(f'"{name}" + {shift}')
        elif pk and rowid_alias and type_.upper() == "INTEGER":
            exprs.append("NULL")
        elif name in unique:
            exprs.append(f"\"{name}\" || '{suffix}'")
        else:
            exprs.append(f'"{name}"')
    columns = ", ".join(f'"{c[1]}"' for c in info)
    return f'INSERT INTO "{table}" ({columns}) SELECT {", ".join(exprs)} FROM "{table}"'


# ------------------------------------------------------------------------------ profiles


def profile(what: str, cmd: Cmd, timeout: float, cold: bool, top: int = 10) -> str:
    """Hot spots of an adbib command: for a cold start the modules it imports (``-X importtime``);
    cProfile's functions by own time and by cumulative time, each with its share of the total."""
    import pstats

    log(f"profiling {what}")
    imports: dict[str, float] = {}
    prof = Path(tempfile.mkdtemp(prefix="adbib-prof-")) / "run.prof"
    try:
        if cold:
            done = subprocess.run(
                [PY, "-X", "importtime", *cmd.argv[1:]],
                capture_output=True,
                env=ENV,
                cwd=REPO,
                timeout=timeout,
                text=True,
            )
            imports = _import_times(done.stderr)
        spawn(Cmd([PY, "-m", "cProfile", "-o", str(prof), *cmd.argv[1:]], setup=cmd.setup), timeout=timeout)
    except (Failed, subprocess.TimeoutExpired) as e:
        return f"profile of {what}: {e}"
    stats = pstats.Stats(str(prof))
    total = stats.total_tt
    rows = [
        (_short(path), line, func, calls, own, cum)
        for (path, line, func), (_, calls, own, cum, _) in stats.stats.items()
    ]
    shutil.rmtree(prof.parent, ignore_errors=True)
    lines = [f"profile of {what} (`adbib {' '.join(cmd.argv[3:])}`): {total:.2f} s under cProfile"]
    if imports:
        largest = sorted(imports.items(), key=lambda kv: -kv[1])[:8]
        lines.append(
            f"  modules imported at start-up, {sum(imports.values()):.0f} ms in all; the largest: "
            + ", ".join(f"{name} {t:.0f} ms" for name, t in largest)
        )
    lines.append("  by own time:")
    lines += [_profile_line(r, total) for r in sorted(rows, key=lambda r: -r[4])[:top]]
    lines.append("  by cumulative time (Python functions, entry points and import machinery left out):")
    lines += [
        _profile_line(r, total)
        for r in sorted(
            (r for r in rows if not r[0].startswith(("~", "<")) and r[5] < 0.97 * total), key=lambda r: -r[5]
        )[:top]
    ]
    return "\n".join(lines)


def _profile_line(row: tuple, total: float) -> str:
    where, line, func, calls, own, cum = row
    return f"    {own / total:6.1%} own {cum / total:6.1%} cum {calls:>11,} calls  {where}:{line} {func}"


def _import_times(stderr: str) -> dict[str, float]:
    """Top-level modules of a ``-X importtime`` log -> cumulative milliseconds."""
    times = {}
    for m in re.finditer(r"^import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", stderr, re.MULTILINE):
        times[m[2]] = int(m[1]) / 1000
    return times


def _short(path: str) -> str:
    for marker in ("/src/", "/site-packages/", "/lib/python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


# ------------------------------------------------------------------------------ main


def render(report: Report) -> str:
    header = ["what", "now: median [min–max]", "floor / peer (same run)", "goal", "verdict"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in report.rows:
        cells = [r.what, r.now, r.floor, r.goal, r.verdict]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def _output(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, cwd=REPO, check=False).stdout
    except OSError:
        return ""


def environment() -> str:
    commit = _output(["git", "rev-parse", "--short", "HEAD"]).strip()
    dirty = _output(["git", "status", "--porcelain", "--", "src"])
    cli = shutil.which("sqlite3")
    cli_version = _output([cli, "--version"]).split()[0] if cli else "absent"
    python = Path(PY).relative_to(REPO) if Path(PY).is_relative_to(REPO) else PY
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{time.strftime('%Y-%m-%d %H:%M')}, commit {commit}{' + uncommitted changes in src/' if dirty else ''}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores (load average at the end {load}), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version} (sqlite3 CLI {cli_version}); "
        f"adbib run as `{python} -m adbib.cli`"
    )


def main(argv: list[str] | None = None) -> int:
    import compileall

    compileall.compile_dir(REPO / "src", quiet=1)  # cold starts measure a compiled install
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(GROUPS), help=f"groups to run, of {','.join(GROUPS)} [default: all]")
    parser.add_argument(
        "--sizes", default="10k,100k", help="import/export sizes, of 1k,10k,100k,1M [default: 10k,100k]"
    )
    parser.add_argument("--full", action="store_true", help="add 1M papers: import (scaling), export and queries at 1M")
    parser.add_argument(
        "--import-1m",
        action="store_true",
        help="build the 1M database of the export and query rows by an import, not by replicating 100k",
    )
    parser.add_argument("--repeat", type=int, default=9, help="rounds of each cold-start row [default: 9]")
    parser.add_argument("--bulk-repeat", type=int, default=2, help="runs of each import and export [default: 2]")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a command is killed [default: 600]")
    parser.add_argument("--timeout-1m", type=float, default=3600, help="the same for the 1M import [default: 3600]")
    parser.add_argument(
        "--rss-limit", type=float, default=4096, help=f"{MIB} of RSS at which a command is killed [default: 4096]"
    )
    parser.add_argument("--profile", action="store_true", help="profile every missed goal with cProfile")
    parser.add_argument(
        "--work", type=Path, help="directory for databases and peers, kept [default: a fresh temporary one]"
    )
    parser.add_argument("--markdown", type=Path, help="also write the table and notes to this file")
    parser.add_argument(
        "--db",
        action="append",
        default=[],
        metavar="SIZE=PATH",
        help="export and queries at SIZE on this existing database (repeatable), e.g. 1M=/data/adbib-1M.db",
    )
    args = parser.parse_args(argv)
    groups = [g for g in args.only.split(",") if g]
    if unknown := [g for g in groups if g not in GROUPS]:
        parser.error(f"unknown group(s) {', '.join(unknown)} (known: {', '.join(GROUPS)})")
    labels = [s for s in args.sizes.split(",") if s]
    if unknown := [s for s in labels if s not in generate.SIZES or s == "200"]:
        parser.error(f"unknown size(s) {', '.join(unknown)} (known: 1k, 10k, 100k, 1M)")
    if args.full and "1M" not in labels:
        labels.append("1M")
    args.labels = sorted(labels, key=generate.SIZES.get)
    if "1M" in args.labels:
        args.full = True
    args.given = dict(spec.partition("=")[::2] for spec in args.db)
    for label, path in args.given.items():
        if label not in generate.SIZES or not Path(path).is_file():
            parser.error(f"--db {label}={path}: expected one of 1k, 10k, 100k, 1M = an existing file")
    RSS_LIMIT[0] = args.rss_limit

    started = time.perf_counter()
    work = args.work or Path(tempfile.mkdtemp(prefix="adbib-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report = Report()
    bench = Bench(args, work, report)
    steps: dict[str, Callable[[], None]] = {
        "cold": bench.cold,
        "import": bench.import_row,
        "scaling": bench.scaling,
        "pubs": bench.pubs,
        "export": bench.export,
        "queries": bench.queries,
    }
    for name in GROUPS:
        if name not in groups:
            continue
        t0 = time.perf_counter()
        log(f"group {name}")
        try:
            steps[name]()
        except Failed as e:
            report.not_measured(f"group {name}", e)
        report.timings[name] = time.perf_counter() - t0
    if args.profile:
        for what, command, cold in report.missed:
            report.notes.append(profile(what, command, args.timeout * 2, cold))

    elapsed = time.perf_counter() - started
    command = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    timings = ", ".join(f"{name} {t / 60:.1f} min" for name, t in report.timings.items())
    text = (
        f"`{command.strip()}` — {environment()}; {elapsed / 60:.1f} min ({timings})\n\n{render(report)}\n\n"
        + "\n".join(f"- {note}" for note in report.notes)
        + "\n"
    )
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
