"""bibliographic fields of a paper (pages, volume, number, publisher, month, editor, …)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 03:50:00

One row per (paper, field) rather than a column per field: the standard BibTeX/biblatex fields
are many and most papers have few of them, a .bib file may give any of them, and a new one
needs no migration.  ``source_id`` says which import gave the value (NULL once that source is
gone).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "paper_field",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["paper.id"], name=op.f("fk_paper_field_paper_id_paper"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_paper_field_source_id_source"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("paper_id", "name", name=op.f("pk_paper_field")),
    )
    with op.batch_alter_table("paper_field", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_field_source_id"), ["source_id"], unique=False)
    if op.get_bind().dialect.name != "sqlite":  # PostgreSQL: ids, rowids, journal triggers (pgschema)
        from adbib.backend import pgschema

        pgschema.sync(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("paper_field", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_field_source_id"))
    op.drop_table("paper_field")
