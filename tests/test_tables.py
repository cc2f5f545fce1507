"""adbib.tables (the write path's Core tables, generated from adbib.models) is what the models make.

The write commands import :mod:`adbib.tables`, not sqlmodel: a model changed without regenerating
the tables (``python -m adbib.models``) fails here, column by column and in the DDL of both engines.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import CheckConstraint, ForeignKeyConstraint, PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from adbib import models, tables


def _type(col: Any) -> tuple[str, Any]:
    t = col.type
    name = type(t).__name__
    if name == "AutoString":  # sqlmodel's str column: a String but on MySQL
        return "String", t.impl.length
    if name == "UTCDateTime":
        return name, t.impl.timezone
    return name, getattr(t, "length", None)


def _default(d: Any) -> str | None:
    if d is None:
        return None
    arg = d.arg
    return repr(arg) if isinstance(arg, str | int | bool) else str(arg.compile(dialect=sqlite.dialect()))


def _shape(table: Any) -> dict[str, Any]:
    constraints = set()
    for c in table.constraints:
        if isinstance(c, CheckConstraint):
            constraints.add(("check", c.name, str(c.sqltext)))
        elif isinstance(c, PrimaryKeyConstraint | UniqueConstraint):
            constraints.add((type(c).__name__, c.name, tuple(col.name for col in c.columns)))
        elif isinstance(c, ForeignKeyConstraint):
            fks = tuple((f.parent.name, f.target_fullname, f.ondelete) for f in c.elements)
            constraints.add(("fk", c.name, fks))
        else:
            constraints.add((type(c).__name__, c.name, ()))
    return {
        "columns": [
            (
                c.name,
                _type(c),
                c.nullable,
                c.primary_key,
                c.autoincrement,
                _default(c.default),
                _default(c.server_default),
            )
            for c in table.columns
        ],
        "primary key": [c.name for c in table.primary_key.columns],
        "constraints": constraints,
        "indexes": {(ix.name, tuple(c.name for c in ix.columns), ix.unique) for ix in table.indexes},
    }


def test_the_same_tables_in_the_same_order() -> None:
    assert [t.name for t in tables.metadata.sorted_tables] == [t.name for t in models.metadata.sorted_tables]
    assert dict(tables.metadata.naming_convention) == dict(models.metadata.naming_convention)


@pytest.mark.parametrize("name", sorted(models.metadata.tables))
def test_each_table_has_the_models_columns_keys_constraints_and_indexes(name: str) -> None:
    assert _shape(tables.metadata.tables[name]) == _shape(models.metadata.tables[name])


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
@pytest.mark.parametrize("name", sorted(models.metadata.tables))
def test_each_table_makes_the_models_ddl(name: str, dialect: Any) -> None:
    def ddl(table: Any) -> list[str]:
        lines = str(CreateTable(table).compile(dialect=dialect)).splitlines()
        lines += [str(CreateIndex(ix).compile(dialect=dialect)) for ix in table.indexes]
        return sorted(line.strip().rstrip(",") for line in lines)

    assert ddl(tables.metadata.tables[name]) == ddl(models.metadata.tables[name])


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 12, 2, 18, 0, tzinfo=UTC),
        datetime(2026, 12, 2, 19, 30, tzinfo=timezone(timedelta(hours=1, minutes=30))),
        None,
    ],
)
def test_utc_datetime_binds_and_reads_as_sqlmodels_does(value: datetime | None) -> None:
    from sqlmodel.sql.sqltypes import UTCDateTime

    ours, theirs = tables.UTCDateTime(), UTCDateTime()
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        bound = ours.process_bind_param(value, dialect)
        assert bound == theirs.process_bind_param(value, dialect)
        assert bound is None or bound.tzinfo == UTC
        assert ours.process_result_value(value, dialect) == theirs.process_result_value(value, dialect)
    naive = datetime(2026, 12, 2, 18, 0)
    assert ours.process_result_value(naive, sqlite.dialect()) == datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
    assert theirs.process_result_value(naive, sqlite.dialect()) == datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        ours.process_bind_param(naive, sqlite.dialect())


def test_the_generated_module_is_what_the_generator_writes_today() -> None:
    """Run the generator into a string: the same tables as the committed module (shape above)."""
    namespace: dict[str, Any] = {}
    exec(compile(models.core_tables_source(), "<generated tables>", "exec"), namespace)
    fresh = namespace["metadata"]
    assert [t.name for t in fresh.sorted_tables] == [t.name for t in tables.metadata.sorted_tables]
    for t in fresh.sorted_tables:
        assert _shape(t) == _shape(tables.metadata.tables[t.name])


def test_the_write_path_does_not_import_sqlmodel() -> None:
    code = (
        "import sys\n"
        "import adbib.store, adbib.importer.writer, adbib.importer.vocabulary, adbib.importer.revisions\n"
        "import adbib.journal, adbib.copy, adbib.db\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlmodel', 'pydantic')"
        " or m.startswith('sqlalchemy.orm')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
