"""RIS export (the tagged format EndNote, Zotero, Mendeley and most reference managers import).

One record per paper, in the order given, each ending with ``ER  -`` and a blank line::

    TY  - CONF            CONF conference/workshop, JOUR journal, UNPB preprint, GEN otherwise
    ID  - the citekey
    TI  - title
    AU  - Family, Given   one line per author (von part and suffix kept: ``van den Hengel, Anton``)
    PY  - year            DA  - year/month// when the month is known
    T2  - venue           (JO for a journal: its full name)
    ED, VL, IS, SP/EP, PB, CY, SN, DO, UR (paper link, arXiv, code), N1 (note, arXiv id), AB, KW

Every value is one line: newlines, tabs and other control characters become spaces, so that no
text of a paper can start a tag of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TextIO

from adbib.exporters import page_range, primary_url, web_links, year_month
from adbib.records import ExportedPaper, NameParts

# The related rows the records read (adbib.rows.PARTS): no datasets, sources or tags.
PARTS = frozenset({"authors", "abstract", "links", "fields", "categories"})

_TYPES = {"conference": "CONF", "workshop": "CONF", "journal": "JOUR", "preprint": "UNPB"}
_KIND_OF_TYPE = {"inproceedings": "conference", "conference": "conference", "article": "journal"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def write(papers: Iterable[ExportedPaper], out: TextIO) -> int:
    n = 0
    for paper in papers:
        out.write("".join(f"{tag}  - {value}\n" for tag, value in record(paper)) + "\n")
        n += 1
    return n


def record(paper: ExportedPaper) -> list[tuple[str, str]]:
    """The (tag, value) lines of one paper, ``TY`` first and ``ER`` last."""
    fields = paper.get("fields") or {}
    kind = paper["venue_type"] or _KIND_OF_TYPE.get(fields.get("entrytype", ""))
    lines: list[tuple[str, str | None]] = [("TY", _TYPES.get(kind or "", "GEN")), ("ID", paper["citekey"]),
                                           ("TI", paper["title"])]  # fmt: skip
    lines += [("AU", _name(n)) for n in paper["author_names"]]
    year, month = year_month(paper)
    lines.append(("PY", str(year) if year else None))
    if year and month:
        lines.append(("DA", f"{year}/{month:02d}//"))
    venue = paper["venue_name"] or paper["venue"]
    if venue and kind != "preprint":
        lines.append(("JO" if kind == "journal" else "T2", venue))
    if fields.get("editor"):
        lines += [("ED", name.strip()) for name in fields["editor"].split(" and ")]
    first, last = page_range(fields.get("pages"))
    lines += [("VL", fields.get("volume")), ("IS", fields.get("number")), ("SP", first), ("EP", last),
              ("PB", fields.get("publisher")), ("CY", fields.get("address")),
              ("SN", fields.get("isbn") or fields.get("issn")), ("DO", paper["doi"])]  # fmt: skip
    urls = [primary_url(paper), *web_links(paper, "code")]
    lines += [("UR", url) for url in dict.fromkeys(u for u in urls if u)]
    lines.append(("N1", fields.get("note")))
    if paper["arxiv"]:
        lines.append(("N1", f"arXiv:{paper['arxiv']}"))
    lines.append(("AB", paper.get("abstract")))
    lines += [("KW", c) for c in paper.get("categories", ())]
    lines.append(("ER", ""))
    return [(tag, _one_line(value)) for tag, value in lines if value is not None and (value or tag == "ER")]


def _name(name: NameParts) -> str:
    last = " ".join(p for p in (name["von"], name["family"]) if p)
    parts = [last, name["given"], name["jr"]]
    return ", ".join(p for p in parts if p)


def _one_line(value: str) -> str:
    return " ".join(_CONTROL.sub(" ", value).split())
