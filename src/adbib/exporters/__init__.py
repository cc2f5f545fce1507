"""Exporters: paper dicts -> BibTeX | markdown | CSV | JSON | CSL-JSON | RIS.

Every exporter module exposes ``write(papers, out, **options) -> int``: it consumes an iterable
of paper dicts (the shape ``adbib export --format json`` emits, already in the wanted order)
once, writes to the text stream as it goes and returns the number of papers written.  Options
are keyword-only and specific to a format (``unicode`` for bibtex, ``category_titles`` for
markdown); passing one a format does not know is a TypeError.  Exporters never touch the
database and are deterministic: the same papers give the same bytes.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adbib.records import ExportedPaper

# format name -> module under adbib.exporters, imported on first use
FORMATS: dict[str, str] = {
    "bibtex": "bibtex",
    "markdown": "markdown",
    "csv": "csv",
    "json": "json",
    "csl": "csl",
    "ris": "ris",
}

ARXIV_ABS = "https://arxiv.org/abs/"
DOI_RESOLVER = "https://doi.org/"


def get(name: str) -> ModuleType:
    """The exporter module of a format; ValueError naming the known formats otherwise."""
    try:
        module = FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; known formats: {', '.join(FORMATS)}") from None
    return importlib.import_module(f"adbib.exporters.{module}")


# A URL that check_url() returns unchanged, told by one regex: http(s), a host of URL characters
# with a dot (no IPv6 brackets), a path without spaces, no query or fragment (which clean_url
# might shorten).  Stored links were checked on import: most exports never call check_url.
_PLAIN_URL = re.compile(r"(?i:https?)://[A-Za-z0-9._~:@!$&'()*+,;=%-]*\.[A-Za-z0-9._~:@!$&'()*+,;=%-]*(?:/[^\s?#]*)?")


def web_links(paper: ExportedPaper, role: str) -> list[str]:
    """The paper's http(s) links of one role; anything else (``javascript:``, ``data:``) is dropped."""
    urls: list[str] = []
    for url in paper["links"].get(role, ()):
        checked = _web_link(url)
        if checked is not None:
            urls.append(checked)
    return urls


def first_web_link(urls: Iterable[str]) -> str | None:
    """The first of ``web_links`` of these URLs (None: none is an http(s) link)."""
    for url in urls:
        checked = _web_link(url)
        if checked is not None:
            return checked
    return None


def _web_link(url: str) -> str | None:
    if _PLAIN_URL.fullmatch(url):
        return url
    # imported here: the CLI reads FORMATS at start-up, when adbib.normalize is not needed
    from adbib.normalize.ids import BadLink, check_url

    try:
        return check_url(url)
    except BadLink:
        return None


def primary_url(paper: ExportedPaper) -> str | None:
    """The URL a reader should follow: the first paper link, else the arXiv page."""
    for role in ("paper", "arxiv"):
        urls = web_links(paper, role)
        if urls:
            return urls[0]
    return ARXIV_ABS + paper["arxiv"] if paper["arxiv"] else None


def year_month(paper: ExportedPaper) -> tuple[int | None, int | None]:
    """The paper's year and month (a stored ``month`` field, 1-12), else None for either."""
    month = (paper.get("fields") or {}).get("month", "")
    return paper["year"], int(month) if month.isdigit() and 1 <= int(month) <= 12 else None


def page_range(pages: str | None) -> tuple[str | None, str | None]:
    """(first, last) page of a stored ``pages`` value (``123-130``; ``e1234``: first only)."""
    if not pages:
        return None, None
    first, _, last = pages.partition("-")
    return first.strip() or None, last.strip() or None
