"""curation and undo: tags, notes, hidden (deleted) papers, the operation log and its row journal

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("paper", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))
    op.create_table(
        "tag",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["paper_id"], ["paper.id"], name=op.f("fk_tag_paper_id_paper"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("paper_id", "name", name=op.f("pk_tag")),
    )
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tag_name"), ["name"], unique=False)
    op.create_table(
        "operation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("undone_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation")),
    )
    op.create_table(
        "journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("tbl", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("row_last", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("before", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.CheckConstraint("action IN ('i', 'u', 'd')", name=op.f("ck_journal_action")),
        sa.ForeignKeyConstraint(
            ["operation_id"], ["operation.id"], name=op.f("fk_journal_operation_id_operation"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal")),
    )
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_journal_operation_id"), ["operation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_journal_tbl_row_id"), ["tbl", "row_id"], unique=False)
    if op.get_bind().dialect.name != "sqlite":  # PostgreSQL: ids, rowids, journal triggers (pgschema)
        from adbib.backend import pgschema

        pgschema.sync(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":  # PostgreSQL: the journal's triggers go with it
        from adbib.backend import pgschema

        pgschema.drop_journal(op.get_bind())
    op.drop_table("journal")
    op.drop_table("operation")
    op.drop_table("tag")
    with op.batch_alter_table("paper", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("note")
