"""The schema, described with SQLModel.  Tables are created only by the alembic migrations in
``migrations/`` (never ``create_all``); `alembic check` keeps the two in step (tested).  The commands
that write use :mod:`adbib.tables`, these tables in plain SQLAlchemy Core, generated from this module
by ``python -m adbib.models`` (tests/test_tables.py keeps the two the same).

Every constraint is named through the metadata's naming convention so that SQLite batch
migrations can find them later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, MetaData, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def _fk(target: str, *, cascade: bool = True, nullable: bool = False, index: bool = False) -> Any:
    """A foreign-key column (sqlmodel's Field is typed as returning Any: the attribute's default)."""
    return Field(
        default=None if nullable else ...,
        sa_column=Column(
            Integer,
            ForeignKey(target, ondelete="CASCADE" if cascade else "SET NULL"),
            nullable=nullable,
            index=index,
        ),
    )


class Venue(SQLModel, table=True):
    __tablename__ = "venue"
    __table_args__ = (CheckConstraint("type IN ('conference', 'journal', 'workshop', 'preprint')", name="type"),)
    id: int | None = Field(default=None, primary_key=True)
    short_name: str = Field(unique=True)
    name: str
    type: str | None = None  # None when neither the vocabulary nor the venue's name says it
    known: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})  # in venues.toml


class VenueAlias(SQLModel, table=True):
    __tablename__ = "venue_alias"
    alias_key: str = Field(primary_key=True)  # folded alias, the lookup key
    alias: str
    venue_id: int = _fk("venue.id", index=True)


class Dataset(SQLModel, table=True):
    __tablename__ = "dataset"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    family: str = Field(index=True)
    known: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})  # in datasets.toml


class DatasetAlias(SQLModel, table=True):
    __tablename__ = "dataset_alias"
    alias_key: str = Field(primary_key=True)
    alias: str
    dataset_id: int = _fk("dataset.id", index=True)


class Category(SQLModel, table=True):
    __tablename__ = "category"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)  # slug: 'diffusion'
    title: str  # display: 'Diffusion-Based Approaches'
    known: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})  # in categories.toml


class CategoryAlias(SQLModel, table=True):
    """Words and list headings that map onto a category ('ddpm', 'Diffusion-Based Approaches')."""

    __tablename__ = "category_alias"
    __table_args__ = (CheckConstraint("kind IN ('alias', 'heading')", name="kind"),)
    alias_key: str = Field(primary_key=True)
    alias: str
    kind: str
    category_id: int = _fk("category.id", index=True)


class Source(SQLModel, table=True):
    """One imported file."""

    __tablename__ = "source"
    __table_args__ = (UniqueConstraint("name", "content_hash"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    list_name: str  # the list this file is a revision of
    path: str  # repository-relative for shipped seeds ('data/seed/…'), else as given
    dialect: str
    content_hash: str  # sha256 of the file's bytes
    imported_at: datetime
    entries_read: int = 0
    papers_created: int = 0
    papers_merged: int = 0
    papers_unchanged: int = 0
    entries_skipped: int = 0
    entries_failed: int = 0
    title: str | None = None  # the list's title line, one of the signs of which list a file is
    repos: str | None = None  # JSON: the repositories the file links to outside its entries


class SourceIssue(SQLModel, table=True):
    """What an import skipped, could not parse, or reported (a broken link)."""

    __tablename__ = "source_issue"
    __table_args__ = (CheckConstraint("kind IN ('skipped', 'failed', 'problem')", name="kind"),)
    id: int | None = Field(default=None, primary_key=True)
    source_id: int = _fk("source.id", index=True)
    line: int
    kind: str
    reason: str


class Paper(SQLModel, table=True):
    __tablename__ = "paper"
    __table_args__ = (
        CheckConstraint("domain IN ('industrial', 'medical', 'general')", name="domain"),
        Index(None, "year"),
    )
    id: int | None = Field(default=None, primary_key=True)
    citekey: str = Field(unique=True)
    title: str
    title_key: str = Field(index=True)
    year: int | None = None
    year_from_date: bool = False  # the year only comes from an online date
    date: str | None = None  # ISO arXiv / online date
    venue_id: int | None = _fk("venue.id", cascade=False, nullable=True, index=True)
    domain: str | None = None
    abstract: str | None = None
    summary: str | None = None
    arxiv_id: str | None = Field(default=None, unique=True)
    doi: str | None = Field(default=None, unique=True)
    authors_truncated: bool = False
    stars: int | None = None
    short_name: str | None = None  # the nickname a list gives the paper (ALOCC)
    note: str | None = None  # the user's own note (adbib note)
    deleted_at: datetime | None = None  # hidden by adbib delete: kept with its provenance, listed nowhere
    created_at: datetime
    updated_at: datetime


class CitekeyAlias(SQLModel, table=True):
    """Old citekeys of papers merged into another: `show OLDKEY` still finds the paper."""

    __tablename__ = "citekey_alias"
    alias: str = Field(primary_key=True)
    paper_id: int = _fk("paper.id", index=True)


class PaperField(SQLModel, table=True):
    """A further bibliographic field of a paper as a source gave it: pages, volume, number,
    publisher, month (a number), editor, address, isbn, issn, note, eprint/eprinttype, …"""

    __tablename__ = "paper_field"
    paper_id: int = Field(sa_column=Column(Integer, ForeignKey("paper.id", ondelete="CASCADE"), primary_key=True))
    name: str = Field(primary_key=True)  # lowercase field name
    value: str
    source_id: int | None = _fk("source.id", cascade=False, nullable=True, index=True)


class Author(SQLModel, table=True):
    __tablename__ = "author"
    id: int | None = Field(default=None, primary_key=True)
    name: str  # 'Given von Family'
    given: str = ""
    von: str = ""
    family: str
    jr: str = ""
    name_key: str = Field(unique=True)  # folded 'given von family'
    family_key: str = Field(index=True)  # folded 'von family'


class Authorship(SQLModel, table=True):
    __tablename__ = "authorship"
    paper_id: int = Field(sa_column=Column(Integer, ForeignKey("paper.id", ondelete="CASCADE"), primary_key=True))
    position: int = Field(primary_key=True)  # 0-based order on the paper
    author_id: int = _fk("author.id", index=True)


class Link(SQLModel, table=True):
    __tablename__ = "link"
    __table_args__ = (
        UniqueConstraint("paper_id", "role", "url"),
        CheckConstraint(
            "role IN ('paper', 'arxiv', 'doi', 'code', 'code-unofficial', 'project', 'dataset')",
            name="role",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = _fk("paper.id", index=True)
    role: str
    url: str


class PaperDataset(SQLModel, table=True):
    __tablename__ = "paper_dataset"
    __table_args__ = (CheckConstraint("evidence IN ('datasets-line', 'abstract', 'import')", name="evidence"),)
    paper_id: int = Field(sa_column=Column(Integer, ForeignKey("paper.id", ondelete="CASCADE"), primary_key=True))
    dataset_id: int = Field(
        sa_column=Column(Integer, ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    source_id: int = Field(sa_column=Column(Integer, ForeignKey("source.id", ondelete="CASCADE"), primary_key=True))
    evidence: str = Field(primary_key=True)
    raw: str = ""  # the text it was found in


class PaperCategory(SQLModel, table=True):
    """A paper's category as one list files it (a list's next revision may move it)."""

    __tablename__ = "paper_category"
    paper_id: int = Field(sa_column=Column(Integer, ForeignKey("paper.id", ondelete="CASCADE"), primary_key=True))
    category_id: int = Field(
        sa_column=Column(Integer, ForeignKey("category.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    list_name: str = Field(primary_key=True)


class Relation(SQLModel, table=True):
    """subject <kind> object: 'f-AnoGAN' extension_of 'AnoGAN'."""

    __tablename__ = "relation"
    __table_args__ = (CheckConstraint("kind IN ('extension_of', 'similar_to')", name="kind"),)
    subject_id: int = Field(sa_column=Column(Integer, ForeignKey("paper.id", ondelete="CASCADE"), primary_key=True))
    object_id: int = Field(
        sa_column=Column(Integer, ForeignKey("paper.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    kind: str = Field(primary_key=True)


class Provenance(SQLModel, table=True):
    """Where a paper was seen: which source, line and section, the raw entry, and what it said."""

    __tablename__ = "provenance"
    __table_args__ = (UniqueConstraint("source_id", "line", "paper_id"),)
    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = _fk("paper.id", index=True)
    source_id: int = _fk("source.id", index=True)
    line: int
    section: str | None = None
    raw_text: str
    reported: str  # JSON: the fields as this source stated them (title, year, venue, authors, …)


class Change(SQLModel, table=True):
    """A field of a paper changed by an import (the merge log)."""

    __tablename__ = "change"
    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = _fk("paper.id", index=True)
    source_id: int = _fk("source.id", index=True)
    field: str
    old: str | None = None
    new: str | None = None


class FieldSource(SQLModel, table=True):
    """Which list gave the current value of a paper's field: a list's newer revision may correct
    what only its earlier revisions said; 'manual' (adbib add, an edit) is never overridden."""

    __tablename__ = "field_source"
    paper_id: int = Field(sa_column=Column(Integer, ForeignKey("paper.id", ondelete="CASCADE"), primary_key=True))
    field: str = Field(primary_key=True)
    list_name: str


class LinkSource(SQLModel, table=True):
    """The lists that gave a link: a link only earlier revisions of a list gave, and the newest
    revision no longer gives, is removed (the old provenance rows still show it)."""

    __tablename__ = "link_source"
    link_id: int = Field(sa_column=Column(Integer, ForeignKey("link.id", ondelete="CASCADE"), primary_key=True))
    list_name: str = Field(primary_key=True)


class Conflict(SQLModel, table=True):
    """An identity conflict an import found and did not resolve by merging: a DOI or arXiv id
    given to a paper whose title does not fit it, one id on several titles of one file, or the
    same title under different identifiers.  Listed by `adbib duplicates`."""

    __tablename__ = "conflict"
    __table_args__ = (CheckConstraint("kind IN ('id-title', 'id-shared', 'title-ids')", name="kind"),)
    id: int | None = Field(default=None, primary_key=True)
    source_id: int = _fk("source.id", index=True)
    line: int
    kind: str
    field: str  # 'doi' | 'arxiv'
    value: str
    paper_id: int | None = _fk("paper.id", nullable=True, index=True)  # the record's paper
    other_id: int | None = _fk("paper.id", cascade=False, nullable=True)  # the paper it collided with
    reason: str


class Tag(SQLModel, table=True):
    """A word the user files a paper under (``adbib tag REF +to-read``)."""

    __tablename__ = "tag"
    paper_id: int = Field(sa_column=Column(Integer, ForeignKey("paper.id", ondelete="CASCADE"), primary_key=True))
    name: str = Field(primary_key=True, index=True)


class Operation(SQLModel, table=True):
    """One command that wrote (an import, a merge, an edit, a delete, a tag, an undo): ``adbib log``."""

    __tablename__ = "operation"
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # 'import', 'merge', 'edit', 'delete', 'tag', 'note', 'undo', …
    summary: str
    at: datetime
    undone_by: int | None = None  # the id of the undo operation that reverted it


class Journal(SQLModel, table=True):
    """The before-image of every row an operation changed (adbib.journal): undo replays it backwards.
    action 'i': the rows row_id..row_last were inserted (one row, or a bulk insert's whole range; before
    is NULL); 'u': row_id was updated; 'd': deleted (before: the row as JSON)."""

    __tablename__ = "journal"
    __table_args__ = (CheckConstraint("action IN ('i', 'u', 'd')", name="action"), Index(None, "tbl", "row_id"))
    id: int | None = Field(default=None, primary_key=True)
    operation_id: int = _fk("operation.id", index=True)
    tbl: str
    row_id: int
    row_last: int  # = row_id but for a bulk insert's range
    action: str
    before: str | None = None


# ---------------------------------------------------------------- the write path's Core tables

TABLES_MODULE = "tables.py"
_TABLES_HEADER = '''"""The schema's tables as plain SQLAlchemy Core, for the commands that write.

GENERATED from :mod:`adbib.models` by ``python -m adbib.models`` (do not edit): importing sqlmodel
(pydantic, the ORM) and building its classes costs a write command more than the rest of its
start-up together, and the write path only needs the tables.  tests/test_tables.py fails when this
file is not what the models make (every column, type, default, key, constraint and index, and the
DDL of both engines).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Interval,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql.elements import conv
from sqlalchemy.types import TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """sqlmodel's UTCDateTime (what the models' datetime columns are): aware datetimes stored,
    returned in UTC (tests/test_tables.py compares the two on the same values)."""

    impl = DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def __repr__(self) -> str:
        return "UTCDateTime()"

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine[Any]:
        if isinstance(value, timedelta):
            return Interval()
        return self

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("Datetime values must have timezone information.")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


'''


def _type_source(col: Any) -> str:
    name = type(col.type).__name__
    if name == "AutoString" and col.type.impl.length is None:
        return "String()"  # AutoString differs from String only on MySQL
    if name == "UTCDateTime":
        return "UTCDateTime()"
    if name in ("Integer", "Boolean") and repr(col.type) == f"{name}()":
        return f"{name}()"
    raise NotImplementedError(f"{col.table.name}.{col.name}: no Core spelling for type {col.type!r}")


def _default_source(default: Any) -> str:
    from sqlalchemy.sql.elements import True_

    if default is None:
        return ""
    arg = default.arg
    if isinstance(arg, True_):
        return "true()"
    if isinstance(arg, str | int | bool) and not callable(arg):
        return repr(arg)
    raise NotImplementedError(f"no Core spelling for default {arg!r}")


def core_tables_source() -> str:
    """The source of :mod:`adbib.tables`: every table of :data:`metadata` in Core, names converted."""
    from sqlalchemy import CheckConstraint as Check
    from sqlalchemy import ForeignKeyConstraint, PrimaryKeyConstraint
    from sqlalchemy import UniqueConstraint as Unique

    out = [_TABLES_HEADER, f"metadata = MetaData(naming_convention={dict(metadata.naming_convention)!r})\n"]
    for t in metadata.sorted_tables:
        lines = [f"Table(\n    {t.name!r},\n    metadata,"]
        for col in t.columns:
            args = [repr(col.name), _type_source(col)]
            for fk in sorted(col.foreign_keys, key=lambda f: f.target_fullname):
                fk_args = [repr(fk.target_fullname)]
                if fk.ondelete:
                    fk_args.append(f"ondelete={fk.ondelete!r}")
                if fk.constraint is not None and fk.constraint.name:
                    fk_args.append(f"name=conv({fk.constraint.name!r})")
                args.append(f"ForeignKey({', '.join(fk_args)})")
            args.append(f"nullable={col.nullable!r}")
            if col.autoincrement != "auto":
                args.append(f"autoincrement={col.autoincrement!r}")
            if col.default is not None:
                args.append(f"default={_default_source(col.default)}")
            if col.server_default is not None:
                args.append(f"server_default={_default_source(col.server_default)}")
            lines.append(f"    Column({', '.join(args)}),")
        for con in sorted(t.constraints, key=lambda c: c._creation_order):
            cols = ", ".join(repr(c.name) for c in getattr(con, "columns", ()))
            if isinstance(con, PrimaryKeyConstraint):
                lines.append(f"    PrimaryKeyConstraint({cols}, name=conv({con.name!r})),")
            elif isinstance(con, Unique):
                lines.append(f"    UniqueConstraint({cols}, name=conv({con.name!r})),")
            elif isinstance(con, Check):
                lines.append(f"    CheckConstraint({str(con.sqltext)!r}, name=conv({con.name!r})),")
            elif not isinstance(con, ForeignKeyConstraint):  # foreign keys: on their columns
                raise NotImplementedError(f"{t.name}: no Core spelling for {con!r}")
        for ix in sorted(t.indexes, key=lambda i: str(i.name)):
            cols = ", ".join(repr(c.name) for c in ix.columns)
            lines.append(f"    Index(conv({ix.name!r}), {cols}{', unique=True' if ix.unique else ''}),")
        lines.append(")\n")
        out.append("\n".join(lines))
    return "\n".join(out)


if __name__ == "__main__":
    import subprocess
    import sys
    from pathlib import Path

    target = Path(__file__).with_name(TABLES_MODULE)
    target.write_text(core_tables_source(), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(target)], check=False)
