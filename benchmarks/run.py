"""Every measurement of issue 6, each against a baseline measured in the same run.

The machine is shared and noisy (2 cores), so each figure is a median with its spread (min–max)
and a RATIO to a baseline run right beside it (cold-start pairs alternate their order round by
round).  adbib always runs as ``<repo>/.venv/bin/python -m adbib.cli`` with ``PYTHONPATH=<repo>/src``
(the ``adbib`` console script is not installed in the development venv), every baseline with the
same interpreter.  Wall time (``perf_counter``) and peak RSS (``os.wait4``) are taken on each fresh child.

1. cold ``adbib query "venue:MICCAI dataset:BraTS diffusion" --format json`` on the seeded
   database vs ``python -c`` opening the file with sqlite3, running the same SELECT
   (``adbib.query.to_sql``), fetching those papers' rows and printing them as JSON  (≤ 5×);
2. cold ``adbib --help`` vs ``python -c "import sqlite3"``  (≤ 4×);
3. ``adbib import`` of an N-entry BibTeX file into an empty database: entries/s (≥ 2,000 at 100k)
   against bare bibtexparser splitting the same file in 2,000-entry chunks; peak RSS of that
   import and of a second, identical one (must not grow);
4. ``adbib query --format json`` with a field filter and with free text on the largest database
   vs the ``sqlite3`` command-line tool running the same SQL with the same bound parameters
   (≤ 2× at 1M), whole result and ``--limit 20``; EXPLAIN QUERY PLAN printed.  With ``--full``
   the 1M database is the 1M import, or else the 100k database replicated 10× (:func:`replicate`);
5. ``adbib export --format bibtex -o FILE`` of every paper: papers/s (≥ 20,000 at 100k) against
   a stdlib-sqlite3 script writing the same papers as minimal BibTeX; peak RSS at each N (flat).

Usage::

    python benchmarks/run.py [--sizes 10k,100k] [--repeat 9] [--bulk-repeat 2] [--full]
                             [--timeout 240] [--profile] [--db SIZE=PATH] [--markdown FILE]

Data comes from ``generate.py`` (cached in benchmarks/data/); databases are rebuilt every run
(``--db`` measures queries and export on a database built elsewhere).
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
from pathlib import Path

import generate

REPO = generate.REPO
PY = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")]))}
ENV.pop("ADBIB_DB", None)
SEED_QUERY = "venue:MICCAI dataset:BraTS diffusion"
LARGE_QUERIES = {"field filter": "venue:MICCAI year:2023", "free text": "diffusion"}
LIMIT = 20
RSS_TOLERANCE = 1.05  # a second import may differ from the first by allocator noise, not by N
FLAT_MEMORY = 1.25  # "flat in N": 10× the papers, at most +25 % peak RSS

sys.path.insert(0, str(REPO / "src"))
from adbib.query import parse, to_sql  # noqa: E402 -- importable only once src/ is on the path (standard library only)

# ------------------------------------------------------------------------------ baselines

BASELINE_QUERY = """\
import json, sqlite3, sys
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
ids = [row[0] for row in con.execute(sys.argv[2], json.loads(sys.argv[3]))]
marks = ", ".join("?" * len(ids))
rows = con.execute(
    f"SELECT p.*, v.short_name, v.name FROM paper p LEFT JOIN venue v ON v.id = p.venue_id WHERE p.id IN ({marks})",
    ids,
).fetchall()
sys.stdout.write(json.dumps(rows, default=str))
"""

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


def adbib(*args: str) -> list[str]:
    return [PY, "-m", "adbib.cli", *args]


def python_c(code: str, *args: str) -> list[str]:
    return [PY, "-c", code, *args]


# ------------------------------------------------------------------------------ processes


class Failed(Exception):
    """A measured command exited non-zero or ran past the timeout."""


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    rss_mb: float  # peak resident set size


def spawn(argv: Sequence[str], *, timeout: float, stdout=subprocess.DEVNULL, stdin=None) -> Sample:
    """Run argv in a fresh process; its wall time and peak RSS (from os.wait4).

    The child is waited for without being reaped (waitid WNOWAIT) so a timeout can kill it
    without any risk of signalling a recycled pid; then wait4 reaps it and reports its rusage."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=stdout, stderr=err, stdin=stdin, env=ENV, cwd=REPO)
        lock, state = threading.Lock(), {"exited": False, "killed": False}

        def kill() -> None:
            with lock:
                if not state["exited"]:
                    proc.kill()
                    state["killed"] = True

        timer = threading.Timer(timeout, kill)
        timer.start()
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
        wall = time.perf_counter() - start
        with lock:
            state["exited"] = True
        timer.cancel()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        sample = Sample(wall, usage.ru_maxrss / 1024)
        if state["killed"]:
            raise Failed(f"timed out after {timeout:.0f} s (peak RSS by then {sample.rss_mb:,.0f} MB)")
        if proc.returncode != 0:
            err.seek(0)
            lines = err.read().decode(errors="replace").strip().splitlines() or ["(no stderr)"]
            raise Failed(f"exit {proc.returncode}: {lines[-1]}")
    return sample


def capture(argv: Sequence[str], timeout: float, stream: str = "stdout") -> str:
    """Run argv once (not timed) and return its standard output (or error)."""
    done = subprocess.run(argv, capture_output=True, env=ENV, cwd=REPO, timeout=timeout, text=True, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["(no stderr)"]
        raise Failed(f"exit {done.returncode}: {lines[-1]}")
    return getattr(done, stream)


def paired(
    target: Sequence[str], baseline: Sequence[str], repeat: int, timeout: float, baseline_stdin: Path | None = None
) -> tuple[list[Sample], list[Sample]]:
    """Cold runs of target and baseline, interleaved (order alternating each round) after one
    unmeasured warm-up of each (bytecode and page cache)."""

    def once(argv):
        if baseline_stdin is None or argv is target:
            return spawn(argv, timeout=timeout)
        with baseline_stdin.open("rb") as f:
            return spawn(argv, timeout=timeout, stdin=f)

    once(target), once(baseline)
    ts, bs = [], []
    for i in range(repeat):
        pair = (target, baseline) if i % 2 == 0 else (baseline, target)
        for argv in pair:
            (ts if argv is target else bs).append(once(argv))
    return ts, bs


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

    def show(self, fmt: str) -> str:
        if self.n == 1:
            return f"{fmt.format(self.median)} (n=1)"
        return f"{fmt.format(self.median)} [{fmt.format(self.lo)}–{fmt.format(self.hi)}]"


@dataclass
class Row:
    measurement: str
    value: str
    baseline: str = "—"
    baseline_value: str = "—"
    ratio: str = "—"
    target: str = "—"
    verdict: str = "—"


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missed: list[tuple[str, list[str], bool]] = field(default_factory=list)  # (what, adbib argv, cold start?)

    def failed(self, measurement: str, error: Exception, target: str) -> None:
        self.rows.append(Row(measurement, f"FAILED: {error}", target=target, verdict="not measured"))


def ms(samples: list[Sample]) -> Stat:
    return Stat.of([s.wall * 1000 for s in samples])


def verdict(ok: bool, miss: str) -> str:
    return "met" if ok else f"MISSED ({miss})"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------ measurements


def measure_cold_query(report: Report, work: Path, repeat: int, timeout: float) -> None:
    db = work / "seed.db"
    log(f"seeding {db}")
    spawn(adbib("--db", str(db), "seed"), timeout=timeout)
    sql, params = to_sql(parse(SEED_QUERY))
    target = adbib("--db", str(db), "query", SEED_QUERY, "--format", "json")
    baseline = python_c(BASELINE_QUERY, str(db), sql, json.dumps(params))
    found = len(json.loads(capture(target, timeout) or "[]"))
    floor = len(json.loads(capture(baseline, timeout)))
    report.notes.append(
        f"seeded-database query {SEED_QUERY!r}: adbib printed {found} papers, the baseline {floor} rows"
    )
    log(f"cold query × {repeat}")
    ts, bs = paired(target, baseline, repeat, timeout)
    t, b = ms(ts), ms(bs)
    ratio = t.median / b.median
    report.rows.append(
        Row(
            f'cold `query "{SEED_QUERY}" --format json` (seeded db), ms',
            t.show("{:.0f}"),
            "`python -c` sqlite3 SELECT + JSON",
            b.show("{:.0f}"),
            f"{ratio:.2f}×",
            "≤ 5×",
            verdict(ratio <= 5, f"{ratio / 5:.2f}× over"),
        )
    )
    if ratio > 5:
        report.missed.append(("cold query", target, True))


def measure_help(report: Report, repeat: int, timeout: float) -> None:
    log(f"cold --help × {repeat}")
    target = adbib("--help")
    ts, bs = paired(target, python_c("import sqlite3"), repeat, timeout)
    t, b = ms(ts), ms(bs)
    ratio = t.median / b.median
    report.rows.append(
        Row(
            "cold `adbib --help`, ms",
            t.show("{:.0f}"),
            '`python -c "import sqlite3"`',
            b.show("{:.0f}"),
            f"{ratio:.2f}×",
            "≤ 4×",
            verdict(ratio <= 4, f"{ratio / 4:.2f}× over"),
        )
    )
    if ratio > 4:
        report.missed.append(("--help", target, True))


_IMPORTED = re.compile(r"imported (\d+) entries: (\d+) new")


def measure_import(report: Report, work: Path, label: str, bib: Path, repeat: int, timeout: float) -> Path | None:
    """Import into an empty database `repeat` times (the last database is kept), then once more
    into that database.  Returns the database, or None when no import finished."""
    n = generate.SIZES[label]
    name = f"import {label} BibTeX into an empty db"
    db = work / f"import-{label}.db"
    firsts: list[Sample] = []
    for i in range(repeat):
        log(f"import {label} ({i + 1}/{repeat})")
        _remove_db(db)
        out = work / f"import-{label}.out"
        try:
            with out.open("w") as f:
                firsts.append(spawn(adbib("--db", str(db), "import", str(bib)), timeout=timeout, stdout=f))
        except Failed as e:
            report.failed(f"{name}, entries/s", e, "≥ 2,000/s" if n == 100_000 else "—")
            report.rows[-1].verdict = f"MISSED (< {n / timeout:,.0f}/s)" if "timed out" in str(e) else "not measured"
            report.missed.append(_import_profile(work, label))
            _remove_db(db)
            return None
        m = _IMPORTED.search(out.read_text())
        if i == 0:
            said = f"{m[1]} entries read, {m[2]} papers created" if m else "report not understood"
            report.notes.append(f"import {label}: {said}")
    log(f"parse baseline {label}")
    parse_runs = [spawn(python_c(BASELINE_PARSE, str(bib)), timeout=timeout) for _ in range(repeat)]
    rate, floor = Stat.of([n / s.wall for s in firsts]), Stat.of([n / s.wall for s in parse_runs])
    ratio = rate.median / floor.median
    is_target = n == 100_000
    report.rows.append(
        Row(
            f"{name}, entries/s",
            rate.show("{:,.0f}"),
            "bibtexparser split only, entries/s",
            floor.show("{:,.0f}"),
            f"{ratio:.2f}×",
            "≥ 2,000/s" if is_target else "(100k)",
            verdict(rate.median >= 2000, f"{rate.median / 2000:.2f}× of the target") if is_target else "—",
        )
    )
    if is_target and rate.median < 2000:
        report.missed.append(_import_profile(work, label))

    log(f"second identical import {label}")
    out = work / f"import-{label}-again.out"
    try:
        with out.open("w") as f:
            again = spawn(adbib("--db", str(db), "import", str(bib)), timeout=timeout, stdout=f)
    except Failed as e:
        report.failed(f"second identical import {label}, peak RSS MB", e, "≤ first")
        return db
    first_rss = Stat.of([s.rss_mb for s in firsts])
    growth = again.rss_mb / first_rss.median
    said = out.read_text().strip().splitlines()
    report.notes.append(f"second import {label} took {again.wall:.1f} s and said: {said[0] if said else '(nothing)'}")
    report.rows.append(
        Row(
            f"peak RSS, second identical import {label} (vs first), MB",
            f"{again.rss_mb:,.0f}",
            "first import",
            first_rss.show("{:,.0f}"),
            f"{growth:.2f}×",
            "≤ 1× (no growth)",
            verdict(growth <= RSS_TOLERANCE, f"+{(growth - 1) * 100:.0f} %"),
        )
    )
    return db


def _import_profile(work: Path, label: str) -> tuple[str, list[str], bool]:
    """What to profile when an import misses: the same import at 10k at most (cProfile slows
    it down several times; the code paths are the same, quadratic ones show a smaller share)."""
    small = min(label, "10k", key=generate.SIZES.get)
    bib = generate.ensure(small, "bib")
    return f"import {small}", adbib("--db", str(work / "profile.db"), "import", str(bib)), False


def replicate(src: Path, dst: Path, times: int) -> Path:
    """A database `times` the size of src for the query measurements: every paper copied with its
    id shifted by k × max(id) and its unique text values suffixed with ``~k``, with all rows that
    reference papers (found through the foreign keys) copied alongside; FTS5 triggers index the
    copies.  Only the schema's own metadata is read, so it follows the migrations."""
    _remove_db(dst)
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


def _remove_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def measure_large_queries(report: Report, work: Path, db: Path, label: str, repeat: int, timeout: float) -> None:
    cli = shutil.which("sqlite3")
    if cli is None:
        report.rows.append(Row("query vs sqlite3 CLI", "not measured: no sqlite3 CLI (apt-get install sqlite3)"))
        return
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    sizes = {
        name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'paper_fts%'")
    }
    for kind, q in LARGE_QUERIES.items():
        for limit in (None, LIMIT):
            sql, params = to_sql(parse(q), None, limit)
            plan = [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + sql, params)]
            scans = [line for line in plan if _full_scan(line, sizes)]
            suffix = f" --limit {limit}" if limit else ""
            name = f'`query "{q}"{suffix} --format json` ({kind}, {label} db), ms'
            if limit is None:
                matches = len(con.execute(sql, params).fetchall())
                report.notes.append(
                    f"EXPLAIN QUERY PLAN for {q!r} ({matches:,} matches in {label}):\n    "
                    + "\n    ".join(plan)
                    + (
                        "\n    -> full scans of large tables: " + "; ".join(scans)
                        if scans
                        else "\n    -> every large table is searched through an index or FTS5"
                    )
                )
            script = work / f"query-{len(report.rows)}.sql"
            script.write_text(_cli_script(sql, params))
            target = adbib("--db", str(db), "query", q, "--format", "json", *(("--limit", str(limit)) if limit else ()))
            log(f"{kind} query{suffix} on {label} × {repeat}")
            try:
                ts, bs = paired(target, [cli, "-readonly", "-batch", str(db)], repeat, timeout, baseline_stdin=script)
            except Failed as e:
                report.failed(name, e, "≤ 2×")
                continue
            t, b = ms(ts), ms(bs)
            ratio = t.median / b.median
            report.rows.append(
                Row(
                    name,
                    t.show("{:,.0f}"),
                    "sqlite3 CLI, same SQL and parameters",
                    b.show("{:,.0f}"),
                    f"{ratio:.2f}×",
                    "≤ 2× (at 1M)",
                    verdict(ratio <= 2, f"{ratio / 2:.2f}× over") if label == "1M" else "— (the target is at 1M)",
                )
            )
            if ratio > 2 and label == "1M":
                report.missed.append((f"{kind} query{suffix} ({label})", target, True))
    con.close()


def _full_scan(line: str, sizes: dict[str, int]) -> bool:
    """A plan line that reads a whole table of more than 10,000 rows without an index."""
    m = re.match(r"SCAN (\w+)(?: AS (\w+))?(.*)", line)
    if m is None or "INDEX" in m[3] or "VIRTUAL TABLE" in m[3]:
        return False
    return sizes.get(m[1], 0) > 10_000


def _cli_script(sql: str, params: list) -> str:
    """sqlite3 CLI input binding the parameters exactly as Python's sqlite3 does (?1, ?2, …)."""
    values = ", ".join(f"('?{i}', {_literal(v)})" for i, v in enumerate(params, 1))
    binds = f"INSERT INTO temp.sqlite_parameters(key, value) VALUES {values};\n" if params else ""
    return f".parameter init\n{binds}{sql};\n"


def _literal(value) -> str:
    return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


def measure_export(report: Report, work: Path, dbs: dict[str, Path], repeat: int, timeout: float) -> None:
    rss: dict[str, float] = {}
    for label, db in dbs.items():
        n = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute("SELECT count(*) FROM paper").fetchone()[0]
        out = work / f"export-{label}.bib"
        target = adbib("--db", str(db), "export", "--format", "bibtex", "-o", str(out))
        runs, floors = [], []
        try:
            for i in range(repeat):
                log(f"export {label} ({i + 1}/{repeat})")
                runs.append(spawn(target, timeout=timeout))
                floors.append(spawn(python_c(BASELINE_EXPORT, str(db), str(work / "baseline.bib")), timeout=timeout))
        except Failed as e:
            report.failed(f"`export --format bibtex` {label}, papers/s", e, "≥ 20,000/s")
            continue
        rate, floor = Stat.of([n / s.wall for s in runs]), Stat.of([n / s.wall for s in floors])
        rss[label] = Stat.of([s.rss_mb for s in runs]).median
        ratio = rate.median / floor.median
        is_target = label == "100k"
        report.rows.append(
            Row(
                f"`export --format bibtex -o FILE` {label} ({n:,} papers), papers/s",
                rate.show("{:,.0f}"),
                "stdlib sqlite3 → minimal BibTeX, papers/s",
                floor.show("{:,.0f}"),
                f"{ratio:.2f}×",
                "≥ 20,000/s" if is_target else "(100k)",
                verdict(rate.median >= 20_000, f"{rate.median / 20_000:.2f}× of the target") if is_target else "—",
            )
        )
        if is_target and rate.median < 20_000:
            report.missed.append((f"export {label}", target, False))
    if len(rss) >= 2:
        small, large = min(rss, key=generate.SIZES.get), max(rss, key=generate.SIZES.get)
        growth = rss[large] / rss[small]
        report.rows.append(
            Row(
                f"peak RSS, export {large} vs {small}, MB",
                f"{rss[large]:,.0f}",
                f"export {small}",
                f"{rss[small]:,.0f}",
                f"{growth:.2f}×",
                f"flat (≤ {FLAT_MEMORY}×)",
                verdict(growth <= FLAT_MEMORY, f"+{(growth - 1) * 100:.0f} %"),
            )
        )


# ------------------------------------------------------------------------------ profiles


def profile(what: str, argv: list[str], work: Path, timeout: float, cold: bool, top: int = 10) -> str:
    """Hot spots of an adbib command: for a cold start the modules it imports (``-X importtime``);
    cProfile's functions by own time and by cumulative time, each with its share of the total."""
    import pstats

    log(f"profiling {what}")
    imports: dict[str, float] = {}
    try:
        if cold:
            imports = _import_times(capture([PY, "-X", "importtime", *argv[1:]], timeout, stream="stderr"))
        _remove_db(work / "profile.db")
        prof = work / "profile.prof"
        spawn([PY, "-m", "cProfile", "-o", str(prof), *argv[1:]], timeout=timeout)
    except (Failed, subprocess.TimeoutExpired) as e:
        return f"profile of {what}: {e}"
    stats = pstats.Stats(str(prof))
    total = stats.total_tt
    rows = [
        (_short(path), line, func, calls, own, cum)
        for (path, line, func), (_, calls, own, cum, _) in stats.stats.items()
    ]
    lines = [f"profile of {what} (`adbib {' '.join(argv[3:])}`): {total:.2f} s under cProfile"]
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
    header = [
        "measurement",
        "adbib: median [min–max]",
        "baseline",
        "baseline: median [min–max]",
        "ratio",
        "target",
        "result",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in report.rows:
        cells = [r.measurement, r.value, r.baseline, r.baseline_value, r.ratio, r.target, r.verdict]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def _output(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, text=True, cwd=REPO, check=False).stdout


def environment() -> str:
    commit = _output(["git", "rev-parse", "--short", "HEAD"]).strip()
    dirty = _output(["git", "status", "--porcelain", "--", "src"])
    cli = shutil.which("sqlite3")
    cli_version = _output([cli, "--version"]).split()[0] if cli else "absent"
    python = Path(PY).relative_to(REPO) if Path(PY).is_relative_to(REPO) else PY
    return (
        f"{time.strftime('%Y-%m-%d %H:%M')}, commit {commit}{' + uncommitted changes in src/' if dirty else ''}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version} (sqlite3 CLI {cli_version}); adbib run as `{python} -m adbib.cli`"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="10k,100k", help="import/export sizes, of 1k,10k,100k,1M [default: 10k,100k]"
    )
    parser.add_argument("--repeat", type=int, default=9, help="rounds of each cold-start pair [default: 9]")
    parser.add_argument("--bulk-repeat", type=int, default=2, help="runs of each import and export [default: 2]")
    parser.add_argument("--full", action="store_true", help="add 1M papers (slow: import, export, queries at 1M)")
    parser.add_argument("--timeout", type=float, default=240, help="seconds before a command is killed [default: 240]")
    parser.add_argument("--profile", action="store_true", help="profile every missed target with cProfile")
    parser.add_argument("--work", type=Path, help="directory for databases [default: a fresh temporary one]")
    parser.add_argument("--markdown", type=Path, help="also write the table and notes to this file")
    parser.add_argument(
        "--db",
        action="append",
        default=[],
        metavar="SIZE=PATH",
        help="measure queries and export at SIZE on this existing database instead of the one "
        "the import made (repeatable), e.g. 1M=/data/adbib-1M.db",
    )
    args = parser.parse_args(argv)
    labels = [s for s in args.sizes.split(",") if s]
    if args.full and "1M" not in labels:
        labels.append("1M")
    unknown = [s for s in labels if s not in generate.SIZES]
    if unknown:
        parser.error(f"unknown size(s) {', '.join(unknown)} (known: {', '.join(generate.SIZES)})")
    labels.sort(key=generate.SIZES.get)
    given = dict(spec.partition("=")[::2] for spec in args.db)
    for label, path in given.items():
        if label not in generate.SIZES or not Path(path).is_file():
            parser.error(f"--db {label}={path}: expected one of {', '.join(generate.SIZES)} = an existing file")

    started = time.perf_counter()
    work = args.work or Path(tempfile.mkdtemp(prefix="adbib-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report = Report()
    if shutil.which("sqlite3") is None:
        report.notes.append("the sqlite3 command-line tool is missing: install it with `apt-get install sqlite3`")
    steps: dict[str, Callable[[], None]] = {
        "cold `adbib --help`": lambda: measure_help(report, args.repeat, args.timeout),
        "cold query on the seeded db": lambda: measure_cold_query(report, work, args.repeat, args.timeout),
    }
    for name, step in steps.items():
        try:
            step()
        except Failed as e:
            report.failed(name, e, "—")
    dbs: dict[str, Path] = {}
    unfinished = None
    for label in labels:
        if unfinished:
            report.notes.append(f"import {label} not attempted: the {unfinished} import did not finish")
            continue
        if label == "1M" and "100k" not in dbs:
            report.notes.append("import 1M not attempted: it needs a finished 100k import in the same run")
            continue
        log(f"generating {label} BibTeX (cached in {generate.DEFAULT_OUT})")
        db = measure_import(report, work, label, generate.ensure(label, "bib"), args.bulk_repeat, args.timeout)
        if db is None:
            unfinished = label
        else:
            dbs[label] = db
    for label, path in given.items():
        report.notes.append(f"queries and export at {label} use the given database {path}")
        dbs[label] = Path(path)
    if args.full and "1M" not in dbs and "100k" in dbs:
        log("replicating the 100k database 10× for the queries at 1M")
        dbs["1M"] = replicate(dbs["100k"], work / "replicated-1M.db", 10)
        report.notes.append(
            "the 1M database of the queries is the 100k one replicated 10× (ids shifted, unique keys "
            "suffixed; same vocabulary, term and value distributions, every title 10 times): "
            "no 1M import finished in this run"
        )
    dbs = dict(sorted(dbs.items(), key=lambda kv: generate.SIZES[kv[0]]))
    if dbs:
        largest = max(dbs, key=generate.SIZES.get)
        measure_large_queries(report, work, dbs[largest], largest, max(3, args.repeat // 2), args.timeout)
        exports = {label: db for label, db in dbs.items() if generate.SIZES[label] <= 100_000 or args.full}
        measure_export(report, work, exports, args.bulk_repeat, args.timeout)
    if args.profile:
        for what, command, cold in report.missed:
            report.notes.append(profile(what, command, work, args.timeout * 2, cold))

    elapsed = time.perf_counter() - started
    command = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = (
        f"`{command.strip()}` — {environment()}; {elapsed / 60:.1f} min\n\n{render(report)}\n\n"
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
