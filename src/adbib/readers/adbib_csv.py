"""Reader for adbib's own CSV export (dialect ``csv``).

The file starts with exactly :data:`HEADER`; each following record (RFC 4180, a quoted cell
may span lines) is one paper.  Cells the exporter neutralized against spreadsheet formula
injection — it prefixes a ``'`` to every cell starting with one of :data:`NEUTRALIZED` — get
that quote removed again, so values round-trip unchanged.

Per row: title, year, venue -> ``venue_raw``, authors -> ``authors_raw`` (a ``; `` list, ending
in ``and others`` when the list was truncated), the ``url`` column -> a paper or arXiv link
(by its host), ``code`` -> code links, ``doi`` and ``arxiv`` -> doi.org / arxiv.org links unless
the url already carries that id, datasets, the category slugs as ``headings`` and the domain.
citekey, venue_type and sources describe the exporting database, not the paper, and are not read.  Text is taken as is (no mojibake repair:
adbib exported it already repaired).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from adbib.normalize.ids import arxiv_from_url, doi_from_url, make_link, normalize_doi
from adbib.records import DOMAINS, LinkRecord, PaperRecord, ParseFailure, ParseResult, ReaderError

HEADER = (
    "citekey",
    "title",
    "authors",
    "year",
    "venue",
    "venue_type",
    "doi",
    "arxiv",
    "url",
    "code",
    "datasets",
    "categories",
    "domain",
    "sources",
)
# The user's tags and note (adbib tag, adbib note), exported after HEADER; a file without them
# (an export of an adbib before curation) reads the same.
CURATION = ("tags", "note")
# A cell starting with one of these is prefixed with "'" on export: spreadsheet formula
# triggers, and the quote itself so that an original leading quote survives the round trip.
NEUTRALIZED = ("=", "+", "-", "@", "\t", "\r", "'")
LIST_SEP = "; "


def detect(text: str) -> bool:
    """True when the first line is adbib's CSV header."""
    return _header(text) is not None


def _header(text: str) -> tuple[str, ...] | None:
    first = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    return next((h for h in (HEADER, HEADER + CURATION) if first == ",".join(h)), None)


def restore(cell: str) -> str:
    """Undo the export's formula neutralization of one cell."""
    return cell[1:] if cell.startswith("'") else cell


def read(text: str) -> ParseResult:
    header = _header(text)
    if header is None:
        raise ReaderError(f"not an adbib CSV export: the first line must be {','.join(HEADER)}")
    result = ParseResult()
    for start, row, raw in data_rows(text, result):
        if not any(row):
            continue
        if len(row) != len(header):
            reason = f"expected {len(header)} cells, found {len(row)}"
            result.failures.append(ParseFailure(start, reason, raw))
            continue
        cells = dict(zip(header, map(restore, row), strict=True))
        if not cells["title"].strip():
            result.failures.append(ParseFailure(start, "no title", raw))
            continue
        result.records.append(_record(cells, start, raw))
    return result


def data_rows(text: str, result: ParseResult, delimiter: str = ",") -> Iterator[tuple[int, list[str], str]]:
    """(1-based line, cells, raw text) of every row after the header; a row the csv module cannot
    read becomes a failure in ``result`` with its line.  Lines end at \\n, \\r\\n or \\r only, as
    the csv module sees them (not at U+2028 & co).  Shared by every CSV reader."""
    lines = io.StringIO(text.lstrip("\ufeff"), newline="").readlines()
    rows = csv.reader(lines, delimiter=delimiter)
    next(rows, None)
    while True:
        start = rows.line_num + 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as e:
            result.failures.append(ParseFailure(start, f"unreadable CSV: {e}", lines[start - 1]))
            continue
        yield start, row, "".join(lines[start - 1 : rows.line_num])


def _record(cells: dict[str, str], line: int, raw: str) -> PaperRecord:
    problems: list[str] = []
    year = None
    if cells["year"]:
        if cells["year"].isdigit():
            year = int(cells["year"])
        else:
            problems.append(f"year {cells['year']!r} is not a number")
    domain = cells["domain"] or None
    if domain not in (None, *DOMAINS):
        problems.append(f"unknown domain {domain!r}")
        domain = None
    return PaperRecord(
        title=cells["title"].strip(),
        line=line,
        raw=raw,
        year=year,
        venue_raw=cells["venue"] or None,
        authors_raw=cells["authors"] or None,
        links=_links(cells, problems),
        datasets_raw=_split(cells["datasets"]),
        headings=_split(cells["categories"]),
        domain=domain,
        problems=problems,
    )


def _links(cells: dict[str, str], problems: list[str]) -> list[LinkRecord]:
    """Links from the url and code columns, then a resolver link for the doi / arxiv column
    when no link carries that id already."""
    wanted = [("url", cells["url"], "Paper")] + [("code", url, "Code") for url in cells["code"].split()]
    urls = [url for _, url, _ in wanted if url]
    if cells["doi"] and normalize_doi(cells["doi"]) not in map(doi_from_url, urls):
        wanted.append(("doi", "https://doi.org/" + cells["doi"], "DOI"))
    if cells["arxiv"] and cells["arxiv"] not in map(arxiv_from_url, urls):
        wanted.append(("arxiv", "https://arxiv.org/abs/" + cells["arxiv"], "arXiv"))
    links = []
    for label, url, role_label in wanted:
        if url and (link := make_link(label, url, problems, role_label)):
            links.append(link)
    return links


def _split(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(LIST_SEP) if item.strip()]
