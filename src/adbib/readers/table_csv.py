"""Any CSV or TSV with a header row (dialect ``table``).

The delimiter (comma, tab, semicolon) is the one that splits the header into the most cells.
Columns are mapped by name, case, spaces and punctuation ignored, in any order:

==============  =====================================================================
field           header names
==============  =====================================================================
title           title, paper, paper title, name of paper, article, publication title
authors         authors, author, author(s), creators
year            year, publication year, date, published (the first four-digit year)
venue           venue, journal, conference, booktitle, publication, published in, source
doi             doi
arxiv           arxiv, arxiv id, eprint
url             url, link, pdf, paper url, paper link
code            code, github, repository, repo, code url, implementation
abstract        abstract
summary         summary, note, notes, tldr, description
datasets        datasets, dataset
categories      categories, category, keywords, tags, topic, section
short name      name, short name, abbreviation, nickname, method, model, acronym
==============  =====================================================================

``--columns title=Paper Name,venue=Where`` maps unusual headers (``read(text, columns=…)``).
A table with no title column is refused with one line naming the columns found.  Columns
holding lists (authors, datasets, categories, code) are split on ``;`` (authors also on
`` and ``).  Unmapped columns are ignored.  adbib's own CSV export is read by the ``csv`` dialect.
"""

from __future__ import annotations

import csv
import re

from adbib.normalize.ids import make_link, normalize_arxiv, normalize_doi
from adbib.normalize.text import clean_spaces, repair
from adbib.readers.adbib_csv import data_rows
from adbib.readers.entry import parse_tag
from adbib.records import PaperRecord, ParseFailure, ParseResult, ReaderError

FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "paper", "papertitle", "nameofpaper", "article", "publicationtitle", "papername"),
    "authors": ("authors", "author", "authors(s)", "creators", "creator"),
    "year": ("year", "publicationyear", "date", "published", "pubyear"),
    "venue": (
        "venue",
        "journal",
        "conference",
        "booktitle",
        "publication",
        "publishedin",
        "source",
        "conferencejournal",
        "journalconference",
    ),
    "doi": ("doi",),
    "arxiv": ("arxiv", "arxivid", "eprint"),
    "url": ("url", "link", "pdf", "paperurl", "paperlink"),
    "code": ("code", "github", "repository", "repo", "codeurl", "implementation"),
    "abstract": ("abstract",),
    "summary": ("summary", "note", "notes", "tldr", "description"),
    "datasets": ("datasets", "dataset"),
    "categories": ("categories", "category", "keywords", "tags", "topic", "section"),
    "short_name": ("name", "shortname", "abbreviation", "nickname", "method", "model", "acronym"),
}
_KEY = re.compile(r"[^0-9a-z()]+")


def _key(name: str) -> str:
    return _KEY.sub("", name.casefold()).replace("()", "").replace("(s)", "")


def _cells(line: str, delim: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delim), [])
    except csv.Error:  # a stray carriage return or quote: not a header
        return []


def _header(text: str) -> tuple[list[str], str] | None:
    first = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    if not first.strip():
        return None
    delim = max(",\t;", key=lambda d: len(_cells(first, d)))
    cells = _cells(first, delim)
    if len(cells) < 2 or any(len(c) > 60 for c in cells) or not all(c.strip() for c in cells):
        return None
    return [c.strip() for c in cells], delim


def detect(text: str) -> bool:
    """True when the first line is a CSV/TSV header: a column that names a title, or header-like
    cells that the second line matches cell for cell (so a table without a title column is
    claimed, and refused by :func:`read` with the columns it found)."""
    got = _header(text)
    if got is None:
        return False
    header, delim = got
    if any(c.startswith(("#", "-", "*", "|", "@", "<", "[", "`")) for c in header):
        return False
    if {_key(c) for c in header} & set(FIELDS["title"]):
        return True
    lines = [ln for ln in text.lstrip("\ufeff").split("\n")[1:6] if ln.strip()]
    if not lines or not all(len(c.split()) <= 4 for c in header):
        return False
    second = _cells(lines[0].rstrip("\r"), delim)
    return len(second) == len(header) and (delim != "," or len(header) >= 3)


def parse_columns(spec: str | None) -> dict[str, str]:
    """'title=Paper Name,venue=Where' -> {'title': 'Paper Name', 'venue': 'Where'}."""
    out: dict[str, str] = {}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        field, sep, header = part.partition("=")
        field = field.strip().replace("-", "_").casefold()
        if not sep or not header.strip():
            raise ReaderError(f"--columns: {part.strip()!r} is not FIELD=HEADER")
        if field not in FIELDS:
            raise ReaderError(f"--columns: unknown field {field!r} (fields: {', '.join(FIELDS)})")
        out[field] = header.strip()
    return out


def read(text: str, columns: dict[str, str] | None = None) -> ParseResult:
    got = _header(text)
    if got is None:
        raise ReaderError("not a CSV/TSV table: the first line must be a header naming the columns")
    header, delim = got
    mapping = _mapping(header, columns or {})
    if "title" not in mapping:
        raise ReaderError(
            f"no title column among the columns found: {', '.join(header)} (name one with --columns title=HEADER)"
        )
    result = ParseResult()
    for start, row, raw in data_rows(text, result, delim):
        if not any(c.strip() for c in row):
            continue
        cells = {field: (row[i].strip() if i < len(row) else "") for field, i in mapping.items()}
        if not cells["title"]:
            result.failures.append(ParseFailure(start, "no title", raw))
            continue
        result.records.append(_record(cells, start, raw))
    return result


def _mapping(header: list[str], columns: dict[str, str]) -> dict[str, int]:
    keys = [_key(h) for h in header]
    mapping: dict[str, int] = {}
    for field, name in columns.items():
        if _key(name) not in keys:
            raise ReaderError(f"--columns: no column {name!r} (columns: {', '.join(header)})")
        mapping[field] = keys.index(_key(name))
    taken = set(mapping.values())
    for field, names in FIELDS.items():
        if field in mapping:
            continue
        for i, k in enumerate(keys):
            if k in names and i not in taken:
                mapping[field] = i
                taken.add(i)
                break
    return mapping


def _split(cell: str) -> list[str]:
    return [v.strip() for v in cell.split(";") if v.strip()]


def _record(cells: dict[str, str], line: int, raw: str) -> PaperRecord:
    problems: list[str] = []
    get = cells.get
    year = None
    venue = repair(get("venue", "")) or None
    if ycell := get("year", ""):
        if m := re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", ycell):
            year = int(m.group(0))
        else:
            problems.append(f"year {ycell!r} is not a year")
    if venue and (tag := parse_tag(venue)) is not None and tag.venue:
        venue, year = tag.venue, year or tag.year  # 'CVPR 2025' in the venue column
    links = []
    for url in get("url", "").split():
        if link := make_link("Paper", url, problems):
            links.append(link)
    for url in re.split(r"[;\s]+", get("code", "")):
        if url and (link := make_link("Code", url, problems)):
            links.append(link)
    if doi := normalize_doi(get("doi", "")):
        if link := make_link("DOI", "https://doi.org/" + doi, problems):
            links.append(link)
    elif get("doi"):
        problems.append(f"not a DOI: {get('doi')!r}")
    if arxiv := normalize_arxiv(get("arxiv", "")):
        if link := make_link("arXiv", "https://arxiv.org/abs/" + arxiv, problems):
            links.append(link)
    elif get("arxiv"):
        problems.append(f"not an arXiv id: {get('arxiv')!r}")
    authors = get("authors", "")
    return PaperRecord(
        title=repair(clean_spaces(cells["title"])),
        line=line,
        raw=raw,
        year=year,
        venue_raw=venue,
        authors_raw=repair(authors) if authors else None,
        links=links,
        datasets_raw=_split(get("datasets", "")),
        headings=_split(get("categories", "")),
        abstract=repair(get("abstract", "")) or None,
        summary=repair(get("summary", "")) or None,
        problems=problems,
        short_name=repair(get("short_name", "")) or None,
    )
