"""The schema's tables as plain SQLAlchemy Core, for the commands that write.

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


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Table(
    "author",
    metadata,
    Column("id", Integer(), nullable=False),
    Column("name", String(), nullable=False),
    Column("given", String(), nullable=False, default=""),
    Column("von", String(), nullable=False, default=""),
    Column("family", String(), nullable=False),
    Column("jr", String(), nullable=False, default=""),
    Column("name_key", String(), nullable=False),
    Column("family_key", String(), nullable=False),
    PrimaryKeyConstraint("id", name=conv("pk_author")),
    UniqueConstraint("name_key", name=conv("uq_author_name_key")),
    Index(conv("ix_author_family_key"), "family_key"),
)

Table(
    "category",
    metadata,
    Column("id", Integer(), nullable=False),
    Column("name", String(), nullable=False),
    Column("title", String(), nullable=False),
    Column("known", Boolean(), nullable=False, default=True, server_default=true()),
    PrimaryKeyConstraint("id", name=conv("pk_category")),
    UniqueConstraint("name", name=conv("uq_category_name")),
)

Table(
    "dataset",
    metadata,
    Column("id", Integer(), nullable=False),
    Column("name", String(), nullable=False),
    Column("family", String(), nullable=False),
    Column("known", Boolean(), nullable=False, default=True, server_default=true()),
    PrimaryKeyConstraint("id", name=conv("pk_dataset")),
    UniqueConstraint("name", name=conv("uq_dataset_name")),
    Index(conv("ix_dataset_family"), "family"),
)

Table(
    "operation",
    metadata,
    Column("id", Integer(), nullable=False),
    Column("kind", String(), nullable=False),
    Column("summary", String(), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("undone_by", Integer(), nullable=True),
    PrimaryKeyConstraint("id", name=conv("pk_operation")),
)

Table(
    "source",
    metadata,
    Column("id", Integer(), nullable=False),
    Column("name", String(), nullable=False),
    Column("list_name", String(), nullable=False),
    Column("path", String(), nullable=False),
    Column("dialect", String(), nullable=False),
    Column("content_hash", String(), nullable=False),
    Column("imported_at", UTCDateTime(), nullable=False),
    Column("entries_read", Integer(), nullable=False, default=0),
    Column("papers_created", Integer(), nullable=False, default=0),
    Column("papers_merged", Integer(), nullable=False, default=0),
    Column("papers_unchanged", Integer(), nullable=False, default=0),
    Column("entries_skipped", Integer(), nullable=False, default=0),
    Column("entries_failed", Integer(), nullable=False, default=0),
    Column("title", String(), nullable=True),
    Column("repos", String(), nullable=True),
    UniqueConstraint("name", "content_hash", name=conv("uq_source_name_content_hash")),
    PrimaryKeyConstraint("id", name=conv("pk_source")),
    Index(conv("ix_source_name"), "name"),
)

Table(
    "venue",
    metadata,
    Column("id", Integer(), nullable=False),
    Column("short_name", String(), nullable=False),
    Column("name", String(), nullable=False),
    Column("type", String(), nullable=True),
    Column("known", Boolean(), nullable=False, default=True, server_default=true()),
    CheckConstraint("type IN ('conference', 'journal', 'workshop', 'preprint')", name=conv("ck_venue_type")),
    PrimaryKeyConstraint("id", name=conv("pk_venue")),
    UniqueConstraint("short_name", name=conv("uq_venue_short_name")),
)

Table(
    "category_alias",
    metadata,
    Column("alias_key", String(), nullable=False),
    Column("alias", String(), nullable=False),
    Column("kind", String(), nullable=False),
    Column(
        "category_id",
        Integer(),
        ForeignKey("category.id", ondelete="CASCADE", name=conv("fk_category_alias_category_id_category")),
        nullable=False,
    ),
    CheckConstraint("kind IN ('alias', 'heading')", name=conv("ck_category_alias_kind")),
    PrimaryKeyConstraint("alias_key", name=conv("pk_category_alias")),
    Index(conv("ix_category_alias_category_id"), "category_id"),
)

Table(
    "dataset_alias",
    metadata,
    Column("alias_key", String(), nullable=False),
    Column("alias", String(), nullable=False),
    Column(
        "dataset_id",
        Integer(),
        ForeignKey("dataset.id", ondelete="CASCADE", name=conv("fk_dataset_alias_dataset_id_dataset")),
        nullable=False,
    ),
    PrimaryKeyConstraint("alias_key", name=conv("pk_dataset_alias")),
    Index(conv("ix_dataset_alias_dataset_id"), "dataset_id"),
)

Table(
    "journal",
    metadata,
    Column("id", Integer(), nullable=False),
    Column(
        "operation_id",
        Integer(),
        ForeignKey("operation.id", ondelete="CASCADE", name=conv("fk_journal_operation_id_operation")),
        nullable=False,
    ),
    Column("tbl", String(), nullable=False),
    Column("row_id", Integer(), nullable=False),
    Column("row_last", Integer(), nullable=False),
    Column("action", String(), nullable=False),
    Column("before", String(), nullable=True),
    CheckConstraint("action IN ('i', 'u', 'd')", name=conv("ck_journal_action")),
    PrimaryKeyConstraint("id", name=conv("pk_journal")),
    Index(conv("ix_journal_operation_id"), "operation_id"),
    Index(conv("ix_journal_tbl_row_id"), "tbl", "row_id"),
)

Table(
    "paper",
    metadata,
    Column("id", Integer(), nullable=False),
    Column("citekey", String(), nullable=False),
    Column("title", String(), nullable=False),
    Column("title_key", String(), nullable=False),
    Column("year", Integer(), nullable=True),
    Column("year_from_date", Boolean(), nullable=False, default=False),
    Column("date", String(), nullable=True),
    Column(
        "venue_id",
        Integer(),
        ForeignKey("venue.id", ondelete="SET NULL", name=conv("fk_paper_venue_id_venue")),
        nullable=True,
    ),
    Column("domain", String(), nullable=True),
    Column("abstract", String(), nullable=True),
    Column("summary", String(), nullable=True),
    Column("arxiv_id", String(), nullable=True),
    Column("doi", String(), nullable=True),
    Column("authors_truncated", Boolean(), nullable=False, default=False),
    Column("stars", Integer(), nullable=True),
    Column("short_name", String(), nullable=True),
    Column("note", String(), nullable=True),
    Column("deleted_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    CheckConstraint("domain IN ('industrial', 'medical', 'general')", name=conv("ck_paper_domain")),
    PrimaryKeyConstraint("id", name=conv("pk_paper")),
    UniqueConstraint("citekey", name=conv("uq_paper_citekey")),
    UniqueConstraint("arxiv_id", name=conv("uq_paper_arxiv_id")),
    UniqueConstraint("doi", name=conv("uq_paper_doi")),
    Index(conv("ix_paper_title_key"), "title_key"),
    Index(conv("ix_paper_venue_id"), "venue_id"),
    Index(conv("ix_paper_year"), "year"),
)

Table(
    "source_issue",
    metadata,
    Column("id", Integer(), nullable=False),
    Column(
        "source_id",
        Integer(),
        ForeignKey("source.id", ondelete="CASCADE", name=conv("fk_source_issue_source_id_source")),
        nullable=False,
    ),
    Column("line", Integer(), nullable=False),
    Column("kind", String(), nullable=False),
    Column("reason", String(), nullable=False),
    CheckConstraint("kind IN ('skipped', 'failed', 'problem')", name=conv("ck_source_issue_kind")),
    PrimaryKeyConstraint("id", name=conv("pk_source_issue")),
    Index(conv("ix_source_issue_source_id"), "source_id"),
)

Table(
    "venue_alias",
    metadata,
    Column("alias_key", String(), nullable=False),
    Column("alias", String(), nullable=False),
    Column(
        "venue_id",
        Integer(),
        ForeignKey("venue.id", ondelete="CASCADE", name=conv("fk_venue_alias_venue_id_venue")),
        nullable=False,
    ),
    PrimaryKeyConstraint("alias_key", name=conv("pk_venue_alias")),
    Index(conv("ix_venue_alias_venue_id"), "venue_id"),
)

Table(
    "authorship",
    metadata,
    Column(
        "paper_id",
        Integer(),
        ForeignKey("paper.id", ondelete="CASCADE", name=conv("fk_authorship_paper_id_paper")),
        nullable=False,
    ),
    Column("position", Integer(), nullable=False),
    Column(
        "author_id",
        Integer(),
        ForeignKey("author.id", ondelete="CASCADE", name=conv("fk_authorship_author_id_author")),
        nullable=False,
    ),
    PrimaryKeyConstraint("paper_id", "position", name=conv("pk_authorship")),
    Index(conv("ix_authorship_author_id"), "author_id"),
)

Table(
    "change",
    metadata,
    Column("id", Integer(), nullable=False),
    Column(
        "paper_id",
        Integer(),
        ForeignKey("paper.id", ondelete="CASCADE", name=conv("fk_change_paper_id_paper")),
        nullable=False,
    ),
    Column(
        "source_id",
        Integer(),
        ForeignKey("source.id", ondelete="CASCADE", name=conv("fk_change_source_id_source")),
        nullable=False,
    ),
    Column("field", String(), nullable=False),
    Column("old", String(), nullable=True),
    Column("new", String(), nullable=True),
    PrimaryKeyConstraint("id", name=conv("pk_change")),
    Index(conv("ix_change_paper_id"), "paper_id"),
    Index(conv("ix_change_source_id"), "source_id"),
)

Table(
    "citekey_alias",
    metadata,
    Column("alias", String(), nullable=False),
    Column(
        "paper_id",
        Integer(),
        ForeignKey("paper.id", ondelete="CASCADE", name=conv("fk_citekey_alias_paper_id_paper")),
        nullable=False,
    ),
    PrimaryKeyConstraint("alias", name=conv("pk_citekey_alias")),
    Index(conv("ix_citekey_alias_paper_id"), "paper_id"),
)

Table(
    "conflict",
    metadata,
    Column("id", Integer(), nullable=False),
    Column(
        "source_id",
        Integer(),
        ForeignKey("source.id", ondelete="CASCADE", name=conv("fk_conflict_source_id_source")),
        nullable=False,
    ),
    Column("line", Integer(), nullable=False),
    Column("kind", String(), nullable=False),
    Column("field", String(), nullable=False),
    Column("value", String(), nullable=False),
    Column(
        "paper_id",
        Integer(),
        ForeignKey("paper.id", ondelete="CASCADE", name=conv("fk_conflict_paper_id_paper")),
        nullable=True,
    ),
    Column(
        "other_id",
        Integer(),
        ForeignKey("paper.id", ondelete="SET NULL", name=conv("fk_conflict_other_id_paper")),
        nullable=True,
    ),
    Column("reason", String(), nullable=False),
    CheckConstraint("kind IN ('id-title', 'id-shared', 'title-ids')", name=conv("ck_conflict_kind")),
    PrimaryKeyConstraint("id", name=conv("pk_conflict")),
    Index(conv("ix_conflict_paper_id"), "paper_id"),
    Index(conv("ix_conflict_source_id"), "source_id"),
)

Table(
    "field_source",
    metadata,
    Column(
        "paper_id",
        Integer(),
        ForeignKey("paper.id", ondelete="CASCADE", name=conv("fk_field_source_paper_id_paper")),
        nullable=False,
    ),
    Column("field", String(), nullable=False),
    Column("list_name", String(), nullable=False),
    PrimaryKeyConstraint("paper_id", "field", name=conv("pk_field_source")),
)

Table(
    "link",
    metadata,
    Column("id", Integer(), nullable=False),
    Column(
        "paper_id",
        Integer(),
        ForeignKey("paper.id", ondelete="CASCADE", name=conv("fk_link_paper_id_paper")),
        nullable=False,
    ),
    Column("role", String(), nullable=False),
    Column("url", String(), nullable=False),
    UniqueConstraint("paper_id", "role", "url", name=conv("uq_link_paper_id_role_url")),
    CheckConstraint(
        "role IN ('paper', 'arxiv', 'doi', 'code', 'code-unofficial', 'project', 'dataset')", name=conv("ck_link_role")
    ),
    PrimaryKeyConstraint("id", name=conv("pk_link")),
    Index(conv("ix_link_paper_id"), "paper_id"),
)

Table(
    "paper_category",
    metadata,
    Column(
        "paper_id",
        Integer(),
        ForeignKey("paper.id", ondelete="CASCADE", name=conv("fk_paper_category_paper_id_paper")),
        nullable=False,
    ),
    Column(
        "category_id",
        Integer(),
        ForeignKey("category.id", ondelete="CASCADE", name=conv("fk_paper_category_category_id_category")),
        nullable=False,
    ),
    Column("list_name", String(), nullable=False),
    PrimaryKeyConstraint("paper_id", "category_id", "list_name", name=conv("pk_paper_category")),
    Index(conv("ix_paper_category_category_id"), "category_id"),
)

Table(
    "paper_dataset",
    metadata,
    Column(
        "paper_id",
        Integer(),
        ForeignKey("paper.id", ondelete="CASCADE", name=conv("fk_paper_dataset_paper_id_paper")),
        nullable=False,
    ),
    Column(
        "dataset_id",
        Integer(),
        ForeignKey("dataset.id", ondelete="CASCADE", name=conv("fk_paper_dataset_dataset_id_dataset")),
        nullable=False,
    ),
    Column(
        "source_id",
        Integer(),
        ForeignKey("source.id", ondelete="CASCADE", name=conv("fk_paper_dataset_source_id_source")),
        nullable=False,
    ),
    Column("evidence", String(), nullable=False),
    Column("raw", String(), nullable=False, default=""),
    CheckConstraint("evidence IN ('datasets-line', 'abstract', 'import')", name=conv("ck_paper_dataset_evidence")),
    PrimaryKeyConstraint("paper_id", "dataset_id", "source_id", "evidence", name=conv("pk_paper_dataset")),
    Index(conv("ix_paper_dataset_dataset_id"), "dataset_id"),
)

Table(
    "paper_field",
    metadata,
    Column(
        "paper_id",
        Integer(),
        ForeignKey("paper.id", ondelete="CASCADE", name=conv("fk_paper_field_paper_id_paper")),
        nullable=False,
    ),
    Column("name", String(), nullable=False),
    Column("value", String(), nullable=False),
    Column(
        "source_id",
        Integer(),
        ForeignKey("source.id", ondelete="SET NULL", name=conv("fk_paper_field_source_id_source")),
        nullable=True,
    ),
    PrimaryKeyConstraint("paper_id", "name", name=conv("pk_paper_field")),
    Index(conv("ix_paper_field_source_id"), "source_id"),
)

Table(
    "provenance",
    metadata,
    Column("id", Integer(), nullable=False),
    Column(
        "paper_id",
        Integer(),
        ForeignKey("paper.id", ondelete="CASCADE", name=conv("fk_provenance_paper_id_paper")),
        nullable=False,
    ),
    Column(
        "source_id",
        Integer(),
        ForeignKey("source.id", ondelete="CASCADE", name=conv("fk_provenance_source_id_source")),
        nullable=False,
    ),
    Column("line", Integer(), nullable=False),
    Column("section", String(), nullable=True),
    Column("raw_text", String(), nullable=False),
    Column("reported", String(), nullable=False),
    UniqueConstraint("source_id", "line", "paper_id", name=conv("uq_provenance_source_id_line_paper_id")),
    PrimaryKeyConstraint("id", name=conv("pk_provenance")),
    Index(conv("ix_provenance_paper_id"), "paper_id"),
    Index(conv("ix_provenance_source_id"), "source_id"),
)

Table(
    "relation",
    metadata,
    Column(
        "subject_id",
        Integer(),
        ForeignKey("paper.id", ondelete="CASCADE", name=conv("fk_relation_subject_id_paper")),
        nullable=False,
    ),
    Column(
        "object_id",
        Integer(),
        ForeignKey("paper.id", ondelete="CASCADE", name=conv("fk_relation_object_id_paper")),
        nullable=False,
    ),
    Column("kind", String(), nullable=False),
    CheckConstraint("kind IN ('extension_of', 'similar_to')", name=conv("ck_relation_kind")),
    PrimaryKeyConstraint("subject_id", "object_id", "kind", name=conv("pk_relation")),
    Index(conv("ix_relation_object_id"), "object_id"),
)

Table(
    "tag",
    metadata,
    Column(
        "paper_id",
        Integer(),
        ForeignKey("paper.id", ondelete="CASCADE", name=conv("fk_tag_paper_id_paper")),
        nullable=False,
    ),
    Column("name", String(), nullable=False),
    PrimaryKeyConstraint("paper_id", "name", name=conv("pk_tag")),
    Index(conv("ix_tag_name"), "name"),
)

Table(
    "link_source",
    metadata,
    Column(
        "link_id",
        Integer(),
        ForeignKey("link.id", ondelete="CASCADE", name=conv("fk_link_source_link_id_link")),
        nullable=False,
    ),
    Column("list_name", String(), nullable=False),
    PrimaryKeyConstraint("link_id", "list_name", name=conv("pk_link_source")),
)
