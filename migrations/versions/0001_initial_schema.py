"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:57:33.581389

Also creates the SQLite FTS5 index over paper titles, abstracts and summaries (an
external-content table kept in sync by triggers); on PostgreSQL, its own full-text search (a
tsvector table with a GIN index, kept by a trigger) and the ids and rowids SQLite gives for free
(:mod:`adbib.backend.pgschema`).
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision: str = "0001"
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# Full-text search (SQLite FTS5): an external-content index on paper(title, abstract, summary),
# kept in step with the paper table by triggers.  Porter stemming so that "diffusion" finds
# "Diffusion-based", diacritics folded so that "muller" finds "Müller".
FTS_STATEMENTS = [
    """CREATE VIRTUAL TABLE paper_fts USING fts5(
        title, abstract, summary,
        content='paper', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER paper_fts_ai AFTER INSERT ON paper BEGIN
        INSERT INTO paper_fts(rowid, title, abstract, summary)
        VALUES (new.id, new.title, new.abstract, new.summary);
    END""",
    """CREATE TRIGGER paper_fts_ad AFTER DELETE ON paper BEGIN
        INSERT INTO paper_fts(paper_fts, rowid, title, abstract, summary)
        VALUES ('delete', old.id, old.title, old.abstract, old.summary);
    END""",
    """CREATE TRIGGER paper_fts_au AFTER UPDATE OF title, abstract, summary ON paper BEGIN
        INSERT INTO paper_fts(paper_fts, rowid, title, abstract, summary)
        VALUES ('delete', old.id, old.title, old.abstract, old.summary);
        INSERT INTO paper_fts(rowid, title, abstract, summary)
        VALUES (new.id, new.title, new.abstract, new.summary);
    END""",
]
FTS_DROP = [
    "DROP TRIGGER IF EXISTS paper_fts_au",
    "DROP TRIGGER IF EXISTS paper_fts_ad",
    "DROP TRIGGER IF EXISTS paper_fts_ai",
    "DROP TABLE IF EXISTS paper_fts",
]


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    op.create_table(
        "author",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("given", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("von", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("family", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("jr", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("family_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_author")),
        sa.UniqueConstraint("name_key", name=op.f("uq_author_name_key")),
    )
    with op.batch_alter_table("author", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_author_family_key"), ["family_key"], unique=False)

    op.create_table(
        "category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category")),
        sa.UniqueConstraint("name", name=op.f("uq_category_name")),
    )
    op.create_table(
        "dataset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("family", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset")),
        sa.UniqueConstraint("name", name=op.f("uq_dataset_name")),
    )
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_family"), ["family"], unique=False)

    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("list_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("path", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("dialect", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("entries_read", sa.Integer(), nullable=False),
        sa.Column("papers_created", sa.Integer(), nullable=False),
        sa.Column("papers_merged", sa.Integer(), nullable=False),
        sa.Column("papers_unchanged", sa.Integer(), nullable=False),
        sa.Column("entries_skipped", sa.Integer(), nullable=False),
        sa.Column("entries_failed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("name", "content_hash", name=op.f("uq_source_name_content_hash")),
    )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_name"), ["name"], unique=False)

    op.create_table(
        "venue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("short_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.CheckConstraint("type IN ('conference', 'journal', 'workshop', 'preprint')", name=op.f("ck_venue_type")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue")),
        sa.UniqueConstraint("short_name", name=op.f("uq_venue_short_name")),
    )
    op.create_table(
        "category_alias",
        sa.Column("alias_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("alias", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('alias', 'heading')", name=op.f("ck_category_alias_kind")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_category_alias_category_id_category"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("alias_key", name=op.f("pk_category_alias")),
    )
    with op.batch_alter_table("category_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_category_alias_category_id"), ["category_id"], unique=False)

    op.create_table(
        "dataset_alias",
        sa.Column("alias_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("alias", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["dataset.id"], name=op.f("fk_dataset_alias_dataset_id_dataset"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("alias_key", name=op.f("pk_dataset_alias")),
    )
    with op.batch_alter_table("dataset_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_alias_dataset_id"), ["dataset_id"], unique=False)

    op.create_table(
        "paper",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citekey", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("year_from_date", sa.Boolean(), nullable=False),
        sa.Column("date", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("venue_id", sa.Integer(), nullable=True),
        sa.Column("domain", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("abstract", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("arxiv_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("doi", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("authors_truncated", sa.Boolean(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("domain IN ('industrial', 'medical', 'general')", name=op.f("ck_paper_domain")),
        sa.ForeignKeyConstraint(["venue_id"], ["venue.id"], name=op.f("fk_paper_venue_id_venue"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper")),
        sa.UniqueConstraint("arxiv_id", name=op.f("uq_paper_arxiv_id")),
        sa.UniqueConstraint("citekey", name=op.f("uq_paper_citekey")),
        sa.UniqueConstraint("doi", name=op.f("uq_paper_doi")),
    )
    with op.batch_alter_table("paper", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_title_key"), ["title_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_paper_venue_id"), ["venue_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_paper_year"), ["year"], unique=False)

    op.create_table(
        "source_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.CheckConstraint("kind IN ('skipped', 'failed', 'problem')", name=op.f("ck_source_issue_kind")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_source_issue_source_id_source"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_issue")),
    )
    with op.batch_alter_table("source_issue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_issue_source_id"), ["source_id"], unique=False)

    op.create_table(
        "venue_alias",
        sa.Column("alias_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("alias", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venue.id"], name=op.f("fk_venue_alias_venue_id_venue"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("alias_key", name=op.f("pk_venue_alias")),
    )
    with op.batch_alter_table("venue_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_venue_alias_venue_id"), ["venue_id"], unique=False)

    op.create_table(
        "authorship",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["author.id"], name=op.f("fk_authorship_author_id_author"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["paper.id"], name=op.f("fk_authorship_paper_id_paper"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("paper_id", "position", name=op.f("pk_authorship")),
    )
    with op.batch_alter_table("authorship", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_authorship_author_id"), ["author_id"], unique=False)

    op.create_table(
        "change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("old", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("new", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["paper_id"], ["paper.id"], name=op.f("fk_change_paper_id_paper"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_change_source_id_source"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change")),
    )
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_paper_id"), ["paper_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_source_id"), ["source_id"], unique=False)

    op.create_table(
        "citekey_alias",
        sa.Column("alias", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["paper.id"], name=op.f("fk_citekey_alias_paper_id_paper"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("alias", name=op.f("pk_citekey_alias")),
    )
    with op.batch_alter_table("citekey_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citekey_alias_paper_id"), ["paper_id"], unique=False)

    op.create_table(
        "link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.CheckConstraint(
            "role IN ('paper', 'arxiv', 'doi', 'code', 'code-unofficial', 'project', 'dataset')",
            name=op.f("ck_link_role"),
        ),
        sa.ForeignKeyConstraint(["paper_id"], ["paper.id"], name=op.f("fk_link_paper_id_paper"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link")),
        sa.UniqueConstraint("paper_id", "role", "url", name=op.f("uq_link_paper_id_role_url")),
    )
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_paper_id"), ["paper_id"], unique=False)

    op.create_table(
        "paper_category",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("list_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_paper_category_category_id_category"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["paper.id"], name=op.f("fk_paper_category_paper_id_paper"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("paper_id", "category_id", "list_name", name=op.f("pk_paper_category")),
    )
    with op.batch_alter_table("paper_category", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_category_category_id"), ["category_id"], unique=False)

    op.create_table(
        "paper_dataset",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("raw", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.CheckConstraint(
            "evidence IN ('datasets-line', 'abstract', 'import')", name=op.f("ck_paper_dataset_evidence")
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["dataset.id"], name=op.f("fk_paper_dataset_dataset_id_dataset"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["paper.id"], name=op.f("fk_paper_dataset_paper_id_paper"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_paper_dataset_source_id_source"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("paper_id", "dataset_id", "source_id", "evidence", name=op.f("pk_paper_dataset")),
    )
    with op.batch_alter_table("paper_dataset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_dataset_dataset_id"), ["dataset_id"], unique=False)

    op.create_table(
        "provenance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("section", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("raw_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reported", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["paper.id"], name=op.f("fk_provenance_paper_id_paper"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_provenance_source_id_source"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provenance")),
        sa.UniqueConstraint("source_id", "line", "paper_id", name=op.f("uq_provenance_source_id_line_paper_id")),
    )
    with op.batch_alter_table("provenance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provenance_paper_id"), ["paper_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_provenance_source_id"), ["source_id"], unique=False)

    op.create_table(
        "relation",
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.CheckConstraint("kind IN ('extension_of', 'similar_to')", name=op.f("ck_relation_kind")),
        sa.ForeignKeyConstraint(
            ["object_id"], ["paper.id"], name=op.f("fk_relation_object_id_paper"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["paper.id"], name=op.f("fk_relation_subject_id_paper"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("subject_id", "object_id", "kind", name=op.f("pk_relation")),
    )
    with op.batch_alter_table("relation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_relation_object_id"), ["object_id"], unique=False)

    if _is_sqlite():
        for statement in FTS_STATEMENTS:
            op.execute(statement)
    else:
        from adbib.backend import pgschema

        pgschema.sync(op.get_bind())
        pgschema.create_fts(op.get_bind())


def downgrade() -> None:
    if _is_sqlite():
        for statement in FTS_DROP:
            op.execute(statement)
    else:
        from adbib.backend import pgschema

        pgschema.drop_fts(op.get_bind())
    with op.batch_alter_table("relation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relation_object_id"))

    op.drop_table("relation")
    with op.batch_alter_table("provenance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provenance_source_id"))
        batch_op.drop_index(batch_op.f("ix_provenance_paper_id"))

    op.drop_table("provenance")
    with op.batch_alter_table("paper_dataset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_dataset_dataset_id"))

    op.drop_table("paper_dataset")
    with op.batch_alter_table("paper_category", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_category_category_id"))

    op.drop_table("paper_category")
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_paper_id"))

    op.drop_table("link")
    with op.batch_alter_table("citekey_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citekey_alias_paper_id"))

    op.drop_table("citekey_alias")
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_source_id"))
        batch_op.drop_index(batch_op.f("ix_change_paper_id"))

    op.drop_table("change")
    with op.batch_alter_table("authorship", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authorship_author_id"))

    op.drop_table("authorship")
    with op.batch_alter_table("venue_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_venue_alias_venue_id"))

    op.drop_table("venue_alias")
    with op.batch_alter_table("source_issue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_issue_source_id"))

    op.drop_table("source_issue")
    with op.batch_alter_table("paper", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_year"))
        batch_op.drop_index(batch_op.f("ix_paper_venue_id"))
        batch_op.drop_index(batch_op.f("ix_paper_title_key"))

    op.drop_table("paper")
    with op.batch_alter_table("dataset_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_alias_dataset_id"))

    op.drop_table("dataset_alias")
    with op.batch_alter_table("category_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_category_alias_category_id"))

    op.drop_table("category_alias")
    op.drop_table("venue")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_name"))

    op.drop_table("source")
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_family"))

    op.drop_table("dataset")
    op.drop_table("category")
    with op.batch_alter_table("author", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_author_family_key"))

    op.drop_table("author")
