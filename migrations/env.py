"""Alembic environment for adbib.

adbib runs the migrations itself (``adbib.db.upgrade``), handing over an open connection in
``config.attributes['connection']``.  Run by hand (``alembic upgrade head``, ``alembic check``)
the database URL comes from ``ADBIB_DB`` (a file path or a ``postgresql://`` URL) or the ini's
``sqlalchemy.url``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from adbib.backend import is_url
from adbib.db import apply_pragmas_listener
from adbib.models import metadata

config = context.config


def _url() -> str:
    path = os.environ.get("ADBIB_DB")
    if path and is_url(path):
        from adbib.backend import of

        return of(path).make_engine().url.render_as_string(hide_password=False)
    return f"sqlite:///{path}" if path else config.get_main_option("sqlalchemy.url")


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    """The full-text index (SQLite: paper_fts and its shadow tables; PostgreSQL: paper_fts and its
    index) and PostgreSQL's rowid columns (adbib.backend.pgschema) are made by hand in the migrations."""
    if type_ == "table" and name.startswith("paper_fts"):
        return False
    if type_ == "column" and name == "rowid" and reflected:
        return False
    return not (type_ in ("unique_constraint", "index") and name and name.endswith("_rowid_key"))


def _compare_type(context, inspected_column, metadata_column, inspected_type, metadata_type):
    """A TypeDecorator (sqlmodel's UTCDateTime) is the type it stores as: PostgreSQL reflects that
    type (TIMESTAMP), not the decorator.  None: alembic's own comparison."""
    from sqlalchemy.types import TypeDecorator

    if isinstance(metadata_type, TypeDecorator):
        return inspected_type._type_affinity is not metadata_type.impl_instance._type_affinity
    return None


def _fk_signature(fk) -> tuple:
    return (
        fk.name,
        tuple(c.name for c in fk.columns),
        fk.referred_table.name,
        tuple(e.column.name for e in fk.elements),
        fk.ondelete,
        fk.onupdate,
    )


def _deferrable_only(context, revision, directives) -> None:
    """PostgreSQL's foreign keys are DEFERRABLE INITIALLY IMMEDIATE (adbib.backend.pgschema: an
    undo defers their checks to its commit); checked at once otherwise, they are the models' keys,
    so a drop-and-add that differs only there is no change."""
    from alembic.operations import ops

    if context.dialect.name == "sqlite" or not directives:
        return

    def keep(table_ops):
        dropped = {
            _fk_signature(o.to_constraint())
            for o in table_ops.ops
            if isinstance(o, ops.DropConstraintOp) and o.constraint_type == "foreignkey"
        }
        added = {_fk_signature(o.to_constraint()) for o in table_ops.ops if isinstance(o, ops.CreateForeignKeyOp)}
        same = dropped & added
        table_ops.ops = [
            o
            for o in table_ops.ops
            if not (
                (isinstance(o, ops.DropConstraintOp) and o.constraint_type == "foreignkey")
                or isinstance(o, ops.CreateForeignKeyOp)
            )
            or _fk_signature(o.to_constraint()) not in same
        ]
        return bool(table_ops.ops)

    upgrade = directives[0].upgrade_ops
    upgrade.ops = [o for o in upgrade.ops if not isinstance(o, ops.ModifyTableOps) or keep(o)]


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite can only ALTER through table copies
        compare_type=_compare_type,
        include_object=_include_object,
        process_revision_directives=_deferrable_only,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url())
    if engine.dialect.name == "sqlite":
        apply_pragmas_listener(engine)
    with engine.connect() as connection:
        _run(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
