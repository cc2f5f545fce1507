"""declare the full-text index so that other SQLite tools find it

Revision ID: 0004
Revises: 0003

Datasette (``?_search=``) and sqlite-utils (``sqlite-utils search``, ``table.detect_fts()``) find
a table's FTS index by looking in sqlite_master for ``content="TABLE"`` or ``content=[TABLE]``
in the virtual table's SQL.  0001 wrote ``content='paper'`` (single quotes, the same thing to
SQLite), which neither tool recognises: Datasette's ``_search`` silently returned every row and
sqlite-utils said the table had no FTS.  This revision recreates the same index, spelled
``content="paper"``, and rebuilds it from the paper table; the tokenizer, columns and triggers
are unchanged.  SQLite only (other databases have no FTS5 index).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRIGGERS = [
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
_DROP = [
    "DROP TRIGGER IF EXISTS paper_fts_au",
    "DROP TRIGGER IF EXISTS paper_fts_ad",
    "DROP TRIGGER IF EXISTS paper_fts_ai",
    "DROP TABLE IF EXISTS paper_fts",
]


def _create(quote: str) -> list[str]:
    table = (
        f"CREATE VIRTUAL TABLE paper_fts USING fts5(\n        title, abstract, summary,\n"
        f"        content={quote}paper{quote}, content_rowid='id',\n"
        f"        tokenize='porter unicode61 remove_diacritics 2')"
    )
    return [table, *_TRIGGERS, "INSERT INTO paper_fts(paper_fts) VALUES ('rebuild')"]


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _is_sqlite():
        for statement in _DROP + _create('"'):
            op.execute(statement)


def downgrade() -> None:
    if _is_sqlite():
        for statement in _DROP + _create("'"):
            op.execute(statement)
