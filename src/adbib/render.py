"""Rendering for the terminal: one helper per kind of output, shared by every command.

tabulate is imported only when a table is drawn (it costs ~80-140 ms), so ``--format json``
never pays for it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from adbib.normalize.text import strip_controls, visible

if TYPE_CHECKING:
    from adbib.importer.report import ConflictNote, ImportReport

TITLE_WIDTH = 72
MIN_COLUMN = 8  # a fitted column keeps at least this many characters (or its header)
_GAP = 2  # tabulate's "simple" format puts two spaces between columns
_HEADER_PAD = 2  # and makes a column at least its header + 2 wide (tabulate.MIN_PADDING)

__all__ = ["visible"]  # every text printed that adbib did not write itself goes through it


def terminal_width(out: TextIO | None = None) -> int | None:
    """The width tables must fit: $COLUMNS if set, else the terminal's when ``out`` (default
    stdout) is one; None when writing to a pipe or a file (nothing is cut there)."""
    import os
    import shutil
    import sys

    columns = os.environ.get("COLUMNS", "")
    if columns.strip().isdigit() and int(columns) > 0:
        return int(columns)
    out = sys.stdout if out is None else out
    try:
        if out.isatty():
            return shutil.get_terminal_size().columns
    except (AttributeError, ValueError, OSError):
        pass
    return None


def fit_columns(rows: list[list[str]], headers: list[str], width: int | None) -> list[list[str]]:
    """Cut the widest columns (with …) until the table fits ``width``; no column gets narrower
    than its header or MIN_COLUMN.  The same rows when they fit, or when ``width`` is None."""
    if width is None or not headers:
        return rows
    widths = [max([len(h) + _HEADER_PAD] + [len(str(r[i])) for r in rows]) for i, h in enumerate(headers)]
    floor = [max(len(h) + _HEADER_PAD, MIN_COLUMN) for h in headers]
    excess = sum(widths) + _GAP * (len(widths) - 1) - width
    while excess > 0:
        shrinkable = [i for i, w in enumerate(widths) if w > floor[i]]
        if not shrinkable:
            break
        i = max(shrinkable, key=lambda j: (widths[j], -j))
        second = max([widths[j] for j in shrinkable if j != i] + [floor[i]])
        cut = min(excess, widths[i] - max(second, floor[i]) or 1)
        widths[i] -= cut
        excess -= cut
    return [[_short(str(cell), widths[i]) for i, cell in enumerate(r)] for r in rows]


def _tabulate(
    rows: Iterable[Sequence[Any]], headers: Sequence[str], fmt: str = "simple", width: int | None = None
) -> str:
    if fmt == "github":  # a markdown table: each cell inert (no HTML, links or a stray '|')
        rows = [[_md_cell(c) for c in row] for row in rows]
    rows = [[visible(c) if isinstance(c, str) else c for c in row] for row in rows]  # before widths
    if fmt == "simple":
        rows = fit_columns([["" if c is None else str(c) for c in r] for r in rows], list(headers), width)
        if all(len(r) == len(headers) for r in rows) and all(
            _NARROW.fullmatch(c) for c in (*headers, *(c for r in rows for c in r))
        ):
            return simple_table(rows, headers)
    from tabulate import tabulate

    return tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True) + "\n"


# Characters one terminal column wide each, with no special meaning to tabulate (no newline,
# tab, ANSI escape or combining mark): printable ASCII, Latin-1, Latin Extended-A and -B, the
# dashes, quotes and ellipsis of General Punctuation.  A table of these alone is drawn by
# simple_table; any other character (CJK, emoji, accents as combining marks) goes to tabulate,
# which measures display widths with wcwidth.
_NARROW = re.compile("[\x20-\x7e\xa1-\xac\xae-\u024f\u2010-\u2027\u2030-\u205e]*")


def simple_table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    """What ``tabulate(rows, headers, tablefmt="simple", disable_numparse=True)`` draws (plus a
    final newline) for cells of one-column-wide characters (:data:`_NARROW`): tabulate costs ~40 ms
    to import (wcwidth, importlib.metadata), the table itself a few microseconds.

    Every row has a cell per header.  Cells are stripped and left-aligned; a column is as wide as
    its widest cell, and at least its header plus two; columns are two spaces apart, each line
    without trailing spaces."""
    cells = [[c.strip() for c in row] for row in rows]
    widths = [max([len(h) + _HEADER_PAD] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines) + "\n"


def _md_cell(value: object) -> str:
    from adbib.exporters.markdown import escape

    return escape(_cell(value)).replace("|", "\\|")


def _short(text: str | None, width: int) -> str:
    text = text or ""
    return text if len(text) <= width else text[: width - 1] + "…"


def _first_author(p: dict[str, Any]) -> str:
    authors = p.get("authors") or []
    if not authors:
        return ""
    last: str = p["author_names"][0]["family"] if p.get("author_names") else authors[0]
    return last + (" et al." if len(authors) > 1 or p.get("authors_truncated") else "")


def paper_table(papers: Iterable[dict[str, Any]], width: int | None = None) -> str:
    """citekey, year, venue, title, first author.  Titles are cut at TITLE_WIDTH, or, given the
    terminal's ``width``, to whatever room the other columns leave (the title shrinks first)."""
    rows = [[p["citekey"], p["year"] or "", p["venue"] or "", p["title"] or "", _first_author(p)] for p in papers]
    headers = ["citekey", "year", "venue", "title", "authors"]
    if width is None:
        title_width = TITLE_WIDTH
    else:
        others = sum(
            max([len(h) + _HEADER_PAD] + [len(str(r[i])) for r in rows]) for i, h in enumerate(headers) if i != 3
        )
        title_width = max(MIN_COLUMN, width - others - _GAP * (len(headers) - 1))
    rows = [[*r[:3], _short(r[3], title_width), r[4]] for r in rows]
    return _tabulate(rows, headers, width=width)


def listing(rows: list[dict[str, Any]], fmt: str, width: int | None = None) -> str:
    """A list of dicts as table, json, csv or markdown (nested lists of dicts are flattened
    into one row each for the tabular formats: datasets within their family)."""
    if fmt == "json":
        return json_text(rows)
    rows = _flatten(rows)
    headers = list(rows[0]) if rows else []
    values = [[_cell(r[h]) for h in headers] for r in rows]
    if fmt == "csv":
        from adbib.exporters.csv import neutralize

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(headers)
        w.writerows([neutralize(strip_controls(v)) for v in row] for row in values)
        return buf.getvalue()
    return _tabulate(values, headers, "github" if fmt == "markdown" else "simple", width)


def _flatten(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for r in rows:
        nested = next((k for k, v in r.items() if isinstance(v, list) and v and isinstance(v[0], dict)), None)
        if nested is None:
            out.append(r)
            continue
        outer = {f"{k}" if k != "papers" else "family papers": v for k, v in r.items() if k != nested}
        out += [{**outer, **inner} for inner in r[nested]]
    return out


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def json_text(data: object) -> str:
    """JSON for the terminal: what ``json`` leaves raw (C1 controls, DEL, bidi overrides) is
    written as ``\\u`` escapes too, so the text stays valid JSON with the same values."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return _JSON_HOSTILE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


_JSON_HOSTILE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class InertWriter:
    """A text stream that drops escape sequences, controls (but tab, newline and carriage return),
    NUL and bidi overrides from what is written to it: exports of values stored before adbib
    removed them at import."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, text: str) -> int:
        if _EXPORT_HOSTILE.search(text):
            text = _EXPORT_HOSTILE.sub(" ", _escape_sequences().sub("", text))
        return self._out.write(text)

    def flush(self) -> None:
        self._out.flush()


class BatchedWriter:
    """A text stream that hands what is written to it on in pieces of at least ``size``
    characters: an exporter writes an entry at a time, and an unbuffered standard output
    (``PYTHONUNBUFFERED``, ``python -u``) would otherwise make a system call of each.  Memory stays
    bounded by ``size``; :meth:`flush` (called by the exporter's caller) writes the rest."""

    def __init__(self, out: TextIO, size: int = 1 << 16) -> None:
        self._out = out
        self._size = size
        self._parts: list[str] = []
        self._held = 0

    def write(self, text: str) -> int:
        self._parts.append(text)
        self._held += len(text)
        if self._held >= self._size:
            self._hand_on()
        return len(text)

    def _hand_on(self) -> None:
        text = "".join(self._parts)
        self._parts, self._held = [], 0
        self._out.write(text)

    def flush(self) -> None:
        if self._parts:
            self._hand_on()
        self._out.flush()


_EXPORT_HOSTILE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape_sequences() -> re.Pattern[str]:
    from adbib.normalize.text import _ESCAPE_SEQUENCE

    return _ESCAPE_SEQUENCE


def bar_chart(counts: list[tuple[str, int]], width: int = 40) -> str:
    """A horizontal bar chart: one line per label."""
    if not counts:
        return ""
    top = max(n for _, n in counts) or 1
    label_w = max(len(str(label)) for label, _ in counts)
    lines = [
        f"{str(label).rjust(label_w)} │{'█' * max(1, round(n * width / top)) if n else ''} {n}" for label, n in counts
    ]
    return "\n".join(lines) + "\n"


def stats(data: dict[str, Any], fmt: str, width: int | None = None) -> str:
    if fmt == "json":
        return json_text(data)
    if fmt not in ("table", "markdown"):
        raise_usage(f"--format {fmt} is not available for stats; use table, markdown or json")
    tf = "github" if fmt == "markdown" else "simple"
    out = [_tabulate([[k, v] for k, v in data["counts"].items()], ["what", "count"], tf, width)]
    src_rows = [
        [s["name"], s["path"], s["entries_read"], s["created"], s["merged"], s["unchanged"], s["skipped"], s["failed"]]
        for s in data["sources"]
    ]
    out.append(
        _tabulate(src_rows, ["source", "file", "entries", "new", "merged", "unchanged", "skipped", "failed"], tf, width)
    )
    reasons = [
        [s["name"], r["kind"], r["reason"], ", ".join(map(str, r["lines"]))]
        for s in data["sources"]
        for r in s.get("issues", [])
    ]
    if reasons:
        out.append(_tabulate(reasons, ["source", "kind", "reason", "lines"], tf, width))
    out.append("Papers per year\n" + bar_chart([(r["year"] or "n/a", r["papers"]) for r in data["per_year"]]))
    out.append(
        _tabulate([[r["venue"] or "(none)", r["papers"]] for r in data["per_venue"]], ["venue", "papers"], tf, width)
    )
    out.append(
        _tabulate([[r["category"], r["papers"]] for r in data["per_category"]], ["category", "papers"], tf, width)
    )
    return visible("\n".join(out))


def raise_usage(message: str) -> NoReturn:
    from adbib.errors import UsageError

    raise UsageError(message)


def detail(d: dict[str, Any]) -> str:
    """`adbib show`: every field of one paper, readable."""
    lines = [f"{d['title']}", "=" * min(len(d["title"]), 100)]

    def field(name: str, value: object) -> None:
        if value not in (None, "", [], {}):
            lines.append(f"{name + ':':<14}{value}")

    if d.get("deleted"):
        gone = d["deleted"]
        lines.append(
            f"DELETED by operation {gone['operation']}: listed nowhere; adbib undo {gone['operation']} brings it back"
        )
    field("id", d["id"])
    field("citekey", d["citekey"])
    field("short name", d.get("short_name"))
    if d.get("citekey_aliases"):
        field("old keys", ", ".join(d["citekey_aliases"]))
    authors = ", ".join(d["authors"]) + (", and others" if d.get("authors_truncated") else "")
    field("authors", authors)
    field("year", d["year"])
    field("date", d.get("date"))
    if d.get("venue"):
        field("venue", f"{d['venue']} — {d.get('venue_name') or ''} ({d.get('venue_type') or 'type unknown'})")
    field("domain", d.get("domain"))
    field("categories", ", ".join(d.get("categories") or []))
    field("tags", ", ".join(d.get("tags") or []))
    field("note", d.get("note"))
    field("edited", ", ".join(d.get("edited") or []))
    field("arXiv", d.get("arxiv"))
    field("DOI", d.get("doi"))
    field("summary", d.get("summary"))
    if d.get("abstract"):
        field("abstract", _short(d["abstract"], 300))
    if d.get("links"):
        lines.append("links:")
        for role, urls in d["links"].items():
            lines += [f"  {role:<16}{u}" for u in urls]
    if d.get("fields"):  # pages, volume, publisher, … (issue 12)
        lines.append("fields:")
        lines += [f"  {name:<16}{value}" for name, value in d["fields"].items()]
    if d.get("datasets"):
        lines.append("datasets:")
        for ds in d["datasets"]:
            where = "; ".join(
                f"{s['file']} ({s['evidence']}: {s['raw']!r})" if isinstance(s, dict) else str(s)
                for s in ds.get("sources") or []
            )
            lines.append(f"  {ds['name']} (family {ds['family']}) — {where}")
    if d.get("relations"):
        lines.append("relations:")
        for r in d["relations"]:
            lines.append(f"  {r.get('text') or r['kind']}: {r['citekey']} — {r['title']}")
    if d.get("provenance"):
        lines.append("provenance:")
        for p in d["provenance"]:
            lines.append(f"  {p['file']}:{p['line']}  [{p.get('section') or '-'}]")
    if d.get("disagreements"):
        lines.append("where sources disagree:")
        for dis in d["disagreements"]:
            lines.append(f"  {dis['field']} (kept: {_short(_val(dis['stored']), 90)})")
            for said in dis["reported"]:
                lines.append(f"    {said['file']}:{said['line']}: {_short(_val(said['value']), 90)}")
    if d.get("changes"):
        lines.append("changes:")
        for c in d["changes"]:
            lines.append(
                f"  {c['field']}: {_short(_val(c.get('old')), 60)} -> {_short(_val(c.get('new')), 60)}"
                f"  ({c.get('source', '')})"
            )
    return visible("\n".join(lines) + "\n")


def _val(v: object) -> str:
    if isinstance(v, list):
        if len(v) > 4:
            return f"{len(v)} names: {v[0]}; {v[1]}; … {v[-1]}"
        return "; ".join(map(str, v))
    return "—" if v in (None, "") else str(v)


REPORT_LINES = 20  # at the default level, at most this many lines of each kind


def import_report(r: ImportReport, level: str = "verbose") -> str:
    """The account of one import: 'quiet' the summary line, 'normal' also the entries that need
    a look (failed, problems, conflicts, unknown vocabulary, no longer listed; REPORT_LINES of
    each kind), 'verbose' every entry.  A level formats only the lines it prints (a 1M-entry
    import's 'new' lines are never built for its summary)."""
    head = f"{r.path} ({r.dialect}, source {r.source})"
    if r.already_imported:
        return f"{head}: already imported, nothing changed.\n"
    verb = "would import" if r.dry_run else "imported"
    lines = [
        f"{head}: {verb} {r.entries} entries: {r.new} new, {len(r.merged)} merged, "
        f"{len(r.unchanged)} unchanged, {len(r.skipped)} skipped, {len(r.failed)} failed"
        + (f", {len(r.problems)} problems" if r.problems else "")
        + (f", {len(r.conflicts)} conflicts" if r.conflicts else "")
        + (f", {len(r.new_vocabulary)} new vocabulary" if r.new_vocabulary else "")
        + (f", {len(r.missing)} no longer listed" if r.missing else "")
    ]
    if level == "quiet":
        return visible(lines[0] + "\n")
    assert level != "verbose" or r.list_new, "a report that counted its new entries only cannot list them"
    if r.revision_of:
        lines.append(f"  {r.revision_of}")
    more = []  # at the default level, after the entry lines: how many of each kind were left out
    for kind, items, line in _report_kinds(r):
        if level == "verbose":
            lines += map(line, items)
        elif kind not in _LISTED_ONLY_VERBOSE:
            lines += map(line, items[:REPORT_LINES])
            if len(items) > REPORT_LINES:
                more.append(f"  … {len(items) - REPORT_LINES} more {kind} lines (--verbose lists them all)")
    lines += more
    if r.dry_run:
        lines.append("  dry run: nothing was written")
    return visible("\n".join(lines) + "\n")


# the kinds of entry line the default level leaves to --verbose (they need no look)
_LISTED_ONLY_VERBOSE = frozenset({"new", "merged", "skipped"})


def _conflict_line(c: ConflictNote) -> str:
    other = (
        f" (stays on {c.other_citekey})"
        if c.other_citekey and c.kind == "id-title"
        else (f" (vs {c.other_citekey})" if c.other_citekey else "")
    )
    return f"  conflict   line {c.line:>5}  {c.citekey or ''}  {c.reason}{other}"


def _report_kinds(r: ImportReport) -> list[tuple[str, Sequence[Any], Callable[[Any], str]]]:
    """The report's kinds of entry line, in the order printed: (kind, items, line of an item)."""
    return [
        ("new", r.created, lambda e: f"  new        line {e.line:>5}  {e.citekey}  {_short(e.title, 60)}"),
        (
            "merged",
            r.merged,
            lambda e: f"  merged     line {e.line:>5}  {e.citekey}  ({', '.join(e.fields)}) by {e.matched_by}",
        ),
        ("skipped", r.skipped, lambda n: f"  skipped    line {n.line:>5}  {n.reason}"),
        ("failed", r.failed, lambda n: f"  failed     line {n.line:>5}  {n.reason}"),
        ("problem", r.problems, lambda n: f"  problem    line {n.line:>5}  {n.reason}"),
        ("conflict", r.conflicts, _conflict_line),
        (
            "unknown",
            r.new_vocabulary,
            lambda v: f"  unknown    line {v.line:>5}  {v.kind} {v.name!r} kept (not in the vocabulary)",
        ),
        (
            "not listed anymore",
            r.missing,
            lambda e: f"  not listed anymore   {e.citekey}  {_short(e.title, 60)} (kept)",
        ),
    ]
