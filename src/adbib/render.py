"""Rendering for the terminal: one helper per kind of output, shared by every command.

tabulate is imported only when a table is drawn (it costs ~80-140 ms), so ``--format json``
never pays for it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Iterable

from adbib.normalize.text import strip_controls, visible

TITLE_WIDTH = 72
__all__ = ["visible"]  # every text printed that adbib did not write itself goes through it


def _tabulate(rows, headers, fmt: str = "simple") -> str:
    from tabulate import tabulate

    if fmt == "github":  # a markdown table: each cell inert (no HTML, links or a stray '|')
        rows = [[_md_cell(c) for c in row] for row in rows]
    rows = [[visible(c) if isinstance(c, str) else c for c in row] for row in rows]  # before widths
    return tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True) + "\n"


def _md_cell(value) -> str:
    from adbib.exporters.markdown import escape

    return escape(_cell(value)).replace("|", "\\|")


def _short(text: str | None, width: int) -> str:
    text = text or ""
    return text if len(text) <= width else text[: width - 1] + "…"


def _first_author(p: dict) -> str:
    authors = p.get("authors") or []
    if not authors:
        return ""
    last = p["author_names"][0]["family"] if p.get("author_names") else authors[0]
    return last + (" et al." if len(authors) > 1 or p.get("authors_truncated") else "")


def paper_table(papers: Iterable[dict]) -> str:
    rows = [
        [p["citekey"], p["year"] or "", p["venue"] or "", _short(p["title"], TITLE_WIDTH), _first_author(p)]
        for p in papers
    ]
    return _tabulate(rows, ["citekey", "year", "venue", "title", "authors"])


def listing(rows: list[dict], fmt: str) -> str:
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
    return _tabulate(values, headers, "github" if fmt == "markdown" else "simple")


def _flatten(rows: list[dict]) -> list[dict]:
    out = []
    for r in rows:
        nested = next((k for k, v in r.items() if isinstance(v, list) and v and isinstance(v[0], dict)), None)
        if nested is None:
            out.append(r)
            continue
        outer = {f"{k}" if k != "papers" else "family papers": v for k, v in r.items() if k != nested}
        out += [{**outer, **inner} for inner in r[nested]]
    return out


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def json_text(data) -> str:
    """JSON for the terminal: what ``json`` leaves raw (C1 controls, DEL, bidi overrides) is
    written as ``\\u`` escapes too, so the text stays valid JSON with the same values."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return _JSON_HOSTILE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


_JSON_HOSTILE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class InertWriter:
    """A text stream that drops escape sequences, controls (but tab, newline and carriage return),
    NUL and bidi overrides from what is written to it: exports of values stored before adbib
    removed them at import."""

    def __init__(self, out) -> None:
        self._out = out

    def write(self, text: str) -> int:
        if _EXPORT_HOSTILE.search(text):
            text = _EXPORT_HOSTILE.sub(" ", _escape_sequences().sub("", text))
        return self._out.write(text)

    def flush(self) -> None:
        self._out.flush()


_EXPORT_HOSTILE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape_sequences():
    from adbib.normalize.text import _ESCAPE_SEQUENCE

    return _ESCAPE_SEQUENCE


def bar_chart(counts: list[tuple[str, int]], width: int = 40) -> str:
    """A horizontal bar chart: one line per label."""
    if not counts:
        return ""
    top = max(n for _, n in counts) or 1
    label_w = max(len(str(label)) for label, _ in counts)
    lines = [
        f"{str(label).rjust(label_w)} │{'█' * max(1, round(n * width / top)) if n else ''} {n}"
        for label, n in counts
    ]
    return "\n".join(lines) + "\n"


def stats(data: dict, fmt: str) -> str:
    if fmt == "json":
        return json_text(data)
    if fmt not in ("table", "markdown"):
        raise_usage(f"--format {fmt} is not available for stats; use table, markdown or json")
    tf = "github" if fmt == "markdown" else "simple"
    out = [_tabulate([[k, v] for k, v in data["counts"].items()], ["what", "count"], tf)]
    src_rows = [
        [s["name"], s["path"], s["entries_read"], s["created"], s["merged"], s["unchanged"], s["skipped"], s["failed"]]
        for s in data["sources"]
    ]
    out.append(_tabulate(src_rows, ["source", "file", "entries read", "papers created", "merged into existing",
                                    "unchanged", "skipped", "failed"], tf))
    reasons = [
        [s["name"], r["kind"], r["reason"], ", ".join(map(str, r["lines"]))]
        for s in data["sources"] for r in s.get("issues", [])
    ]
    if reasons:
        out.append(_tabulate(reasons, ["source", "kind", "reason", "lines"], tf))
    out.append("Papers per year\n" + bar_chart([(r["year"] or "n/a", r["papers"]) for r in data["per_year"]]))
    out.append(_tabulate([[r["venue"] or "(none)", r["papers"]] for r in data["per_venue"]], ["venue", "papers"], tf))
    out.append(_tabulate([[r["category"], r["papers"]] for r in data["per_category"]], ["category", "papers"], tf))
    return visible("\n".join(out))


def raise_usage(message: str):
    from adbib.errors import UsageError

    raise UsageError(message)


def detail(d: dict) -> str:
    """`adbib show`: every field of one paper, readable."""
    lines = [f"{d['title']}", "=" * min(len(d["title"]), 100)]

    def field(name: str, value) -> None:
        if value not in (None, "", [], {}):
            lines.append(f"{name + ':':<14}{value}")

    field("id", d["id"])
    field("citekey", d["citekey"])
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
    field("arXiv", d.get("arxiv"))
    field("DOI", d.get("doi"))
    field("summary", d.get("summary"))
    if d.get("abstract"):
        field("abstract", _short(d["abstract"], 300))
    if d.get("links"):
        lines.append("links:")
        for role, urls in d["links"].items():
            lines += [f"  {role:<16}{u}" for u in urls]
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


def _val(v) -> str:
    if isinstance(v, list):
        if len(v) > 4:
            return f"{len(v)} names: {v[0]}; {v[1]}; … {v[-1]}"
        return "; ".join(map(str, v))
    return "—" if v in (None, "") else str(v)


def import_report(r) -> str:
    """The account of one import."""
    head = f"{r.path} ({r.dialect}, source {r.source})"
    if r.already_imported:
        return f"{head}: already imported, nothing changed.\n"
    verb = "would import" if r.dry_run else "imported"
    lines = [
        f"{head}: {verb} {r.entries} entries: {len(r.created)} new, {len(r.merged)} merged, "
        f"{len(r.unchanged)} unchanged, {len(r.skipped)} skipped, {len(r.failed)} failed"
        + (f", {len(r.problems)} problems" if r.problems else "")
        + (f", {len(r.missing)} no longer listed" if r.missing else "")
    ]
    for e in r.created:
        lines.append(f"  new        line {e.line:>5}  {e.citekey}  {_short(e.title, 60)}")
    for e in r.merged:
        lines.append(f"  merged     line {e.line:>5}  {e.citekey}  ({', '.join(e.fields)}) by {e.matched_by}")
    for n in r.skipped:
        lines.append(f"  skipped    line {n.line:>5}  {n.reason}")
    for n in r.failed:
        lines.append(f"  failed     line {n.line:>5}  {n.reason}")
    for n in r.problems:
        lines.append(f"  problem    line {n.line:>5}  {n.reason}")
    for e in r.missing:
        lines.append(f"  not listed anymore   {e.citekey}  {_short(e.title, 60)} (kept)")
    if r.dry_run:
        lines.append("  dry run: nothing was written")
    return visible("\n".join(lines) + "\n")
