"""The import report: what one import did, entry by entry (plain dataclasses, no database)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)  # one per entry of the file, kept for the report
class Entry:
    line: int
    title: str
    id: int | None = None
    citekey: str | None = None
    # changed fields, for merged entries (assigned, never appended to: one shared empty tuple, not
    # an empty list for each of a big file's new entries)
    fields: Sequence[str] = ()
    matched_by: str = ""


@dataclass(slots=True)
class Note:
    line: int
    reason: str


@dataclass(slots=True)
class ConflictNote:
    """An identity conflict: reported, never silently merged."""

    line: int
    kind: str  # 'id-title' | 'id-shared' | 'title-ids'
    field: str  # 'doi' | 'arxiv'
    value: str
    reason: str
    citekey: str | None = None  # the record's paper
    other_citekey: str | None = None  # the paper it collided with


@dataclass(slots=True)
class NewVocab:
    """A venue, dataset or category no vocabulary file names, created by this import."""

    kind: str  # 'venue' | 'dataset' | 'category'
    name: str
    line: int


@dataclass
class ImportReport:
    source: str
    path: str
    dialect: str
    list_name: str = ""
    revision_of: str | None = None  # why this file was taken for a revision of an imported list
    entries: int = 0
    created: list[Entry] = field(default_factory=list)
    merged: list[Entry] = field(default_factory=list)
    unchanged: list[Entry] = field(default_factory=list)
    skipped: list[Note] = field(default_factory=list)
    failed: list[Note] = field(default_factory=list)
    problems: list[Note] = field(default_factory=list)
    conflicts: list[ConflictNote] = field(default_factory=list)
    new_vocabulary: list[NewVocab] = field(default_factory=list)
    missing: list[Entry] = field(default_factory=list)  # in an earlier revision of the list, not in this one
    already_imported: bool = False
    dry_run: bool = False
    # False: the entries that created a paper are counted, not kept in ``created`` — what a
    # report that never lists them needs (the text report's default and quiet levels): one fewer
    # object, title and citekey held per entry of a big file (≈ 340 bytes each)
    list_new: bool = True
    unlisted_new: int = 0  # entries that created a paper, counted only (``list_new`` False)

    @property
    def new(self) -> int:
        """The entries that created a paper, listed or counted."""
        return len(self.created) + self.unlisted_new

    def add_created(self, entry: Entry) -> None:
        if self.list_new:
            self.created.append(entry)
        else:
            self.unlisted_new += 1

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON takes it (its entries all listed: ``list_new``)."""
        assert self.list_new, "a report that counted its new entries only cannot list them"
        out = asdict(self)
        del out["list_new"], out["unlisted_new"]
        return out
