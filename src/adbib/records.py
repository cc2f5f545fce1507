"""Plain records passed between layers (standard library only).

Readers turn a file into :class:`ParseResult` (raw :class:`PaperRecord` objects plus
:class:`ParseFailure` and :class:`Skipped` entries, each with a 1-based line number).
The normalize layer turns each PaperRecord into a :class:`NormalizedPaper`; the store
resolves and writes those.  Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NotRequired, TypedDict

# Link roles stored in the database.
LINK_ROLES = ("paper", "arxiv", "doi", "code", "code-unofficial", "project", "dataset")

# Relation kinds between papers: (subject, object) means "subject <kind> object".
RELATION_KINDS = ("extension_of", "similar_to")

DOMAINS = ("industrial", "medical", "general")


class ReaderError(Exception):
    """The documented error of every reader: the input is not something it can read at all
    (binary data, not text, not this format).  Per-entry problems never raise: they are
    returned as ParseFailure entries."""


@dataclass
class LinkRecord:
    role: str  # one of LINK_ROLES
    url: str
    label: str = ""  # the link text as written, e.g. "Paper", "Unoff-Code", ":octocat:"


@dataclass
class PaperRecord:
    """One paper as a list states it, before normalization (text already mojibake-repaired)."""

    title: str
    line: int  # 1-based line where the entry starts in the file
    raw: str  # the raw entry text exactly as in the file (before any repair)
    year: int | None = None  # the year of the venue tag, if the list gives one
    date: str | None = None  # ISO 'YYYY-MM-DD' arXiv/online date (MedAIerHHL's "(2024/01/19)")
    venue_raw: str | None = None  # venue as written: "MICCAI", "Medical Image Analysis", "CVPR&PAMI"
    authors_raw: str | None = None  # author string as written (repaired), split by normalize
    links: list[LinkRecord] = field(default_factory=list)
    datasets_raw: list[str] = field(default_factory=list)  # dataset items as written
    headings: list[str] = field(default_factory=list)  # section path, outermost first
    section: str | None = None  # the nearest heading, as shown in provenance
    domain: str | None = None  # 'industrial' | 'medical' | 'general' when the list says so
    abstract: str | None = None
    summary: str | None = None  # a one-line description
    stars: int | None = None  # ⭐ count in the LGC list
    parent: int | None = None  # index in ParseResult.records of the entry this one is nested in
    relation: str | None = None  # relation to the parent: 'extension_of' | 'similar_to'
    problems: list[str] = field(default_factory=list)  # reported, non-fatal: broken links etc.
    citekey: str | None = None  # the entry key a .bib file gave (kept when free)
    # further bibliographic fields as the source gave them (pages, volume, number, publisher,
    # month as a number, editor, address, isbn, issn, note, eprint, eprinttype, …), lowercase names
    fields: dict[str, str] = field(default_factory=dict)
    authors_bibtex: bool = False  # authors_raw is a BibTeX name list: split on "and" only
    short_name: str | None = None  # the nickname the list gives: [ALOCC], **[SSPCAB]**, a Name column


@dataclass
class ParseFailure:
    line: int
    reason: str
    text: str = ""


@dataclass
class Skipped:
    line: int
    reason: str


@dataclass
class ParseResult:
    records: list[PaperRecord] = field(default_factory=list)
    failures: list[ParseFailure] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


@dataclass
class Name:
    given: str
    family: str
    von: str = ""
    jr: str = ""

    @property
    def full(self) -> str:
        """'Given von Family, Jr' as people write it."""
        parts = [p for p in (self.given, self.von, self.family) if p]
        s = " ".join(parts)
        return f"{s}, {self.jr}" if self.jr else s

    @property
    def last(self) -> str:
        """The family name with its von part ('van den Hengel')."""
        return " ".join(p for p in (self.von, self.family) if p)


@dataclass
class DatasetMention:
    name: str  # canonical dataset name
    family: str  # canonical family ('BraTS')
    evidence: str  # 'datasets-line' | 'abstract' | 'import'
    raw: str  # the text it was found in
    known: bool = True  # False: datasets.toml does not know it (kept as written, cleaned)


@dataclass
class NormalizedPaper:
    record: PaperRecord
    title: str
    title_key: str
    year: int | None
    year_from_date: bool  # True when the year only comes from an online date
    date: str | None
    venue: str | None  # canonical venue short name
    venue_extra: list[str]  # further venues named in the tag ('PAMI' of 'CVPR&PAMI')
    authors: list[Name]
    authors_truncated: bool
    arxiv: str | None
    doi: str | None
    links: list[LinkRecord]
    datasets: list[DatasetMention]
    categories: list[str]  # canonical category names
    domain: str | None
    abstract: str | None
    summary: str | None
    problems: list[str] = field(default_factory=list)
    # the venue as the vocabulary or, for an unknown venue, its cleaned text names it
    venue_name: str | None = None
    venue_type: str | None = None
    venue_known: bool = True
    # categories no vocabulary names: slug -> title (their slugs are in `categories` too)
    new_categories: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)  # the record's further fields, cleaned
    short_name: str | None = None  # the list's nickname for the paper (PaperRecord.short_name)


# ------------------------------------------------------------------ the exported paper object


class NameParts(TypedDict):
    """One author's name parts as stored (bibtexparser's split); a missing part is ""."""

    given: str
    family: str
    von: str
    jr: str


class DatasetRef(TypedDict):
    name: str
    family: str
    evidence: str  # the strongest evidence of the dataset for this paper (rows.EVIDENCE)


class SourceRef(TypedDict):
    file: str
    line: int
    section: str | None


class ExportedPaper(TypedDict):
    """One paper as ``adbib export --format json`` emits it: what ``rows.papers`` builds and every
    exporter reads (keys in the export's order)."""

    id: int
    citekey: str
    title: str
    year: int | None
    date: str | None
    venue: str | None
    venue_name: str | None
    venue_type: str | None
    authors: list[str]
    author_names: list[NameParts]
    authors_truncated: bool
    arxiv: str | None
    doi: str | None
    links: dict[str, list[str]]  # role (LINK_ROLES) -> URLs
    datasets: list[DatasetRef]
    categories: list[str]
    domain: str | None
    abstract: str | None
    summary: str | None
    sources: list[SourceRef]
    fields: NotRequired[dict[str, str]]  # pages, volume, number, publisher, month, editor, … (absent: none)
    short_name: NotRequired[str | None]  # added after the first release: absent in older dumps
