"""CSV export: one row per paper, for spreadsheets.

Columns (the header row, exactly)::

    citekey,title,authors,year,venue,venue_type,doi,arxiv,url,code,datasets,categories,domain,sources,tags,note

``authors`` are "Given Family" names joined by ``; `` (ending in ``and others`` when the list
was truncated); ``datasets`` and ``categories`` are joined by ``; ``; ``url`` is the first paper
link, else the arXiv page; ``code`` the official code URLs joined by a space; ``sources``
``file:line`` provenance joined by ``; ``; ``tags`` the user's tags joined by ``; `` and ``note``
the user's note (``adbib tag``, ``adbib note``).  Empty values are empty cells.

RFC 4180: comma-separated, cells quoted by the csv module when needed, CRLF line ends, UTF-8.
Formula injection: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR would be run as a
formula by spreadsheet programs, so it is prefixed with a single quote ``'``, which they show as
text; a cell that itself starts with ``'`` gets one too, so the adbib CSV reader can remove
exactly one leading quote and give back every value unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO, cast

from adbib.exporters import primary_url, web_links
from adbib.readers.adbib_csv import CURATION, HEADER, LIST_SEP, NEUTRALIZED
from adbib.records import ExportedPaper

# The related rows the columns read (adbib.rows.PARTS): no fields, no abstract.
PARTS = frozenset({"authors", "links", "datasets", "categories", "sources", "tags"})


def write(papers: Iterable[ExportedPaper], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER + CURATION)
    n = 0
    for paper in papers:
        writer.writerow([neutralize(cell) for cell in row(paper)])
        n += 1
    return n


def row(paper: ExportedPaper) -> list[str]:
    """The cells of one paper, in HEADER order, before neutralization."""
    authors = paper["authors"] + (["and others"] if paper["authors_truncated"] else [])
    # tags and note are added to the exported dict by the curation layer; ExportedPaper (records.py,
    # not this file) does not declare them, so their types are stated here
    tags = cast("list[str]", paper.get("tags", []))
    note = cast("str | None", paper.get("note"))
    return [
        paper["citekey"],
        paper["title"],
        LIST_SEP.join(authors),
        str(paper["year"]) if paper["year"] else "",
        paper["venue"] or "",
        paper["venue_type"] or "",
        paper["doi"] or "",
        paper["arxiv"] or "",
        primary_url(paper) or "",
        " ".join(web_links(paper, "code")),
        LIST_SEP.join(d["name"] for d in paper["datasets"]),
        LIST_SEP.join(paper["categories"]),
        paper["domain"] or "",
        LIST_SEP.join(f"{s['file']}:{s['line']}" for s in paper["sources"]),
        LIST_SEP.join(tags),
        note or "",
    ]


def neutralize(cell: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would evaluate (see the module docstring)."""
    return "'" + cell if cell.startswith(NEUTRALIZED) else cell
