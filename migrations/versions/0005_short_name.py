"""paper.short_name: the nickname a list gives a paper ([ALOCC], a Name column)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 04:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("paper", schema=None) as batch_op:
        batch_op.add_column(sa.Column("short_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    if op.get_bind().dialect.name != "sqlite":  # PostgreSQL: ids, rowids, journal triggers (pgschema)
        from adbib.backend import pgschema

        pgschema.sync(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("paper", schema=None) as batch_op:
        batch_op.drop_column("short_name")
