"""The normalize layer: a reader's :class:`PaperRecord` -> a :class:`NormalizedPaper`.

Names, venues, datasets and categories are resolved against the vocabularies in
``data/vocab/``; identifiers take their canonical forms (:mod:`adbib.normalize.ids`).
:func:`normalize_record` runs once per imported entry, so everything it needs is compiled once.
"""

from __future__ import annotations

import re
from dataclasses import replace

from adbib import limits
from adbib.normalize import ids
from adbib.normalize.categories import category_for_heading, resolve_category
from adbib.normalize.datasets import resolve_dataset, scan_text, split_dataset_items
from adbib.normalize.names import parse_authors
from adbib.normalize.text import clean_spaces, strip_controls, title_key
from adbib.normalize.venues import resolve_venue
from adbib.records import DatasetMention, LinkRecord, NormalizedPaper, PaperRecord

__all__ = ["clean_title", "normalize_record"]

# Markdown emphasis around words: **bold**, *italic*, __bold__, _italic_ (not snake_case).
_EMPHASIS = re.compile(r"(?<![\w*])(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_YEAR = re.compile(r"(\d{4})")


def clean_title(title: str) -> str:
    """Markdown emphasis removed, spaces collapsed, one trailing period dropped."""
    text = clean_spaces(_EMPHASIS.sub(r"\2", title))
    return text[:-1].rstrip() if text.endswith(".") and not text.endswith("..") else text


def normalize_record(rec: PaperRecord) -> NormalizedPaper:
    """Resolve one record: canonical title key, year, venue, authors, identifiers, links,
    datasets (from its Datasets line, then abstract mentions) and categories (from headings)."""
    rec = sanitize_record(rec)
    title = clean_title(rec.title)
    year, year_from_date = rec.year, False
    if year is None and rec.date and (m := _YEAR.match(rec.date)):
        year, year_from_date = int(m.group(1)), True
    venue, venue_extra = resolve_venue(rec.venue_raw)
    authors = parse_authors(rec.authors_raw)
    links = _unique_links(rec.links)
    return NormalizedPaper(
        record=rec,
        title=title,
        title_key=title_key(title),
        year=year,
        year_from_date=year_from_date,
        date=rec.date,
        venue=venue.short if venue else None,
        venue_extra=[v.short for v in venue_extra],
        authors=authors.names,
        authors_truncated=authors.truncated,
        arxiv=next(filter(None, (ids.arxiv_from_url(link.url) for link in links)), None),
        doi=next(filter(None, map(_doi, links)), None),
        links=links,
        datasets=_datasets(rec),
        categories=list(dict.fromkeys(filter(None, map(_category, rec.headings)))),
        domain=rec.domain,
        abstract=rec.abstract,
        summary=rec.summary,
        problems=[*rec.problems, *authors.notes],
    )


def sanitize_record(rec: PaperRecord) -> PaperRecord:
    """The record with every value it will store cleaned and bounded, whatever reader made it.

    Escape sequences, C0/C1 controls, NUL and bidi overrides are removed
    (:func:`~adbib.normalize.text.strip_controls`; the abstract keeps its line breaks); a value
    longer than its bound (:mod:`adbib.limits`) is cut there and the cut is a reported problem;
    so is an author list beyond ``MAX_NAMES`` names (see :func:`parse_authors`).  ``raw`` — the
    entry as the file has it — is kept as it is: it is escaped wherever it is shown."""
    problems = list(rec.problems)

    def clean(name: str, value: str | None, bound: int = limits.MAX_FIELD, keep_lines: bool = False) -> str | None:
        if value is None:
            return None
        value = strip_controls(value, keep_lines=keep_lines)
        if len(value) > bound:
            problems.append(f"{name}: {len(value):,} characters, cut to the first {bound:,}")
            value = value[:bound]
        return value

    def clean_all(name: str, values: list[str]) -> list[str]:
        return [v for v in (clean(name, v) for v in values) if v is not None]

    links = [
        replace(link, url=clean("url", link.url) or "", label=clean("link label", link.label) or "")
        for link in rec.links
    ]
    cleaned = replace(
        rec,
        title=clean("title", rec.title) or "",
        date=clean("date", rec.date),
        venue_raw=clean("venue", rec.venue_raw),
        authors_raw=clean("authors", rec.authors_raw, limits.MAX_LONG_FIELD),
        links=links,
        datasets_raw=clean_all("dataset", rec.datasets_raw),
        headings=clean_all("heading", rec.headings),
        section=clean("section", rec.section),
        abstract=clean("abstract", rec.abstract, limits.MAX_LONG_FIELD, keep_lines=True),
        summary=clean("summary", rec.summary),
        problems=[strip_controls(p) for p in problems],
    )
    return rec if cleaned == rec else cleaned  # the same object when there was nothing to do


def _category(heading: str) -> str | None:
    """A list heading ('Diffusion-Based Approaches'), or a category's own name or title as
    adbib's markdown and CSV exports write them ('diffusion', 'Diffusion-based approaches')."""
    return category_for_heading(heading) or resolve_category(heading)


def _unique_links(links: list[LinkRecord]) -> list[LinkRecord]:
    """The links without repeats of the same (role, URL), in their order."""
    seen: dict[tuple[str, str], LinkRecord] = {}
    for link in links:
        seen.setdefault((link.role, link.url), link)
    return list(seen.values())


def _doi(link: LinkRecord) -> str | None:
    if doi := ids.doi_from_url(link.url):
        return doi
    return ids.normalize_doi(link.url) if link.role == "doi" else None


def _datasets(rec: PaperRecord) -> list[DatasetMention]:
    """Datasets named on the Datasets line, then those the abstract mentions that are not."""
    found: dict[str, DatasetMention] = {}
    for item in split_dataset_items(rec.datasets_raw):
        name, family = resolve_dataset(item)
        found.setdefault(name, DatasetMention(name, family, "datasets-line", item))
    for dataset, spelling in scan_text(rec.abstract):
        mention = DatasetMention(dataset.name, dataset.family, "abstract", spelling)
        found.setdefault(dataset.name, mention)
    return list(found.values())
