"""CSL-JSON export: the citation format pandoc (``--citeproc``), Zotero and Mendeley read.

One JSON array of CSL items, written item by item (memory flat in the number of papers).  Each
item: ``id`` (the citekey), ``type`` (``paper-conference`` for conferences and workshops,
``article-journal`` for journals, ``article`` for preprints, ``document`` otherwise), ``title``,
``author`` (``family``, ``given``, ``non-dropping-particle`` for a von part, ``suffix``; a
corporate author as ``literal``), ``editor``, ``issued`` (``date-parts``: year, and month when
known), ``container-title`` (the venue's full name), ``page``, ``volume``, ``issue``,
``publisher``, ``publisher-place``, ``ISBN``, ``ISSN``, ``DOI``, ``URL`` (the paper link, else
arXiv), ``note`` (with the arXiv id as ``arXiv:…``), ``abstract``.  Absent values are left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from adbib.exporters import page_range, primary_url, web_links, year_month
from adbib.records import ExportedPaper, NameParts

# The related rows the items read (adbib.rows.PARTS): no datasets, categories, sources or tags.
PARTS = frozenset({"authors", "abstract", "links", "fields"})

_TYPES = {"conference": "paper-conference", "workshop": "paper-conference", "journal": "article-journal",
          "preprint": "article"}  # fmt: skip
_KIND_OF_TYPE = {"inproceedings": "conference", "conference": "conference", "article": "journal"}
# stored field -> CSL variable, as it is
_VARIABLES = (("volume", "volume"), ("number", "issue"), ("publisher", "publisher"),
              ("address", "publisher-place"), ("isbn", "ISBN"), ("issn", "ISSN"))  # fmt: skip


def write(papers: Iterable[ExportedPaper], out: TextIO) -> int:
    n = 0
    for paper in papers:
        text = json.dumps(item(paper), indent=2, ensure_ascii=False)
        out.write(("[\n  " if n == 0 else ",\n  ") + text.replace("\n", "\n  "))
        n += 1
    out.write("\n]\n" if n else "[]\n")
    return n


def item(paper: ExportedPaper) -> dict[str, object]:
    """The CSL item of one paper."""
    fields = paper.get("fields") or {}
    kind = paper["venue_type"] or _KIND_OF_TYPE.get(fields.get("entrytype", ""))
    out: dict[str, object] = {
        "id": paper["citekey"],
        "type": _TYPES.get(kind or "", "document"),
        "title": paper["title"],
    }
    authors = [_person(n) for n in paper["author_names"]]
    if authors:
        out["author"] = authors
    if fields.get("editor"):
        out["editor"] = [_person(_split_bibtex_name(n)) for n in _names(fields["editor"])]
    year, month = year_month(paper)
    if year:
        out["issued"] = {"date-parts": [[year, month] if month else [year]]}
    venue = paper["venue_name"] or paper["venue"]
    if venue and kind != "preprint":
        out["container-title"] = venue
    first, last = page_range(fields.get("pages"))
    if first:
        out["page"] = f"{first}-{last}" if last else first
    for name, variable in _VARIABLES:
        if fields.get(name):
            out[variable] = fields[name]
    if paper["doi"]:
        out["DOI"] = paper["doi"]
    url = primary_url(paper) or next(iter(web_links(paper, "code")), None)
    if url:
        out["URL"] = url
    notes = [fields["note"]] if fields.get("note") else []
    if paper["arxiv"] and not any(paper["arxiv"] in n for n in notes):
        notes.append(f"arXiv:{paper['arxiv']}")
    if notes:
        out["note"] = "; ".join(notes)
    if paper.get("abstract"):
        out["abstract"] = paper["abstract"]
    return out


def _person(name: NameParts) -> dict[str, str]:
    if not name["given"] and not name["von"] and " " in name["family"]:
        return {"literal": name["family"]}  # a corporate author: {MONAI Consortium}
    out = {"family": name["family"]}
    if name["given"]:
        out["given"] = name["given"]
    if name["von"]:
        out["non-dropping-particle"] = name["von"]
    if name["jr"]:
        out["suffix"] = name["jr"]
    return out


def _names(value: str) -> list[str]:
    from bibtexparser.middlewares.names import split_multiple_persons_names

    return [n.strip() for n in split_multiple_persons_names(value) if n.strip()]


def _split_bibtex_name(name: str) -> NameParts:
    """A stored editor (``Family, Given``, ``{Corporate}``) as given / von / family / jr."""
    if name.startswith("{") and name.endswith("}"):
        return NameParts(given="", von="", family=name[1:-1], jr="")
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    parts = parse_single_name_into_parts(name, strict=False)
    return NameParts(
        given=" ".join(parts.first), von=" ".join(parts.von), family=" ".join(parts.last), jr=" ".join(parts.jr)
    )
