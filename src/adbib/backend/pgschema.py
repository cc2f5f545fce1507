"""PostgreSQL-only schema objects the alembic revisions add on that engine (called from their
PostgreSQL branches; idempotent, so each revision can call :func:`sync` after its changes).

What SQLite gives for free and PostgreSQL gets here:

- ids as SQLite allocates them (``max(id) + 1`` when an INSERT brings none), by a BEFORE INSERT
  trigger instead of a sequence: the same imports give the same ids on both engines, a rolled-back
  import burns none, and rows that bring their own id (the writer, undo) need no sequence fix-up;
- a ``rowid`` on the tables without an integer id (composite keys), allocated the same way: the
  undo journal and "the order datasets were first recorded" (``pd.rowid``) use it as on SQLite;
- the undo journal's triggers (:mod:`adbib.journal`): permanent, and journaling only while the
  transaction-local setting ``adbib.op`` names a running operation;
- full-text search (:mod:`adbib.backend.textsearch`): the text search configuration ``adbib`` and
  the table ``paper_fts`` (id, doc tsvector, GIN index) kept by a trigger on paper.

Writes are serialized (an advisory lock per write transaction), so ``max + 1`` never races.
"""

from __future__ import annotations

from typing import Any

# tables the journal does not journal (the log itself) and tables adbib does not own
NOT_JOURNALED = frozenset({"operation", "journal", "alembic_version", "paper_fts"})
# ASCII punctuation: a separator in documents and queries alike, as for FTS5's unicode61
PUNCT = r"[!-/:-@\[-`{-~]+"


def _rows(bind: Any, sql: str) -> list[Any]:
    from sqlalchemy import text

    return list(bind.execute(text(sql)))


def _run(bind: Any, sql: str) -> None:
    bind.exec_driver_sql(sql)


def tables(bind: Any) -> list[str]:
    return [
        r[0]
        for r in _rows(
            bind,
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
        )
    ]


def _columns(bind: Any, table: str) -> list[str]:
    return [
        r[0]
        for r in _rows(
            bind,
            f"""SELECT column_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = '{table}' ORDER BY ordinal_position""",
        )
    ]


def _triggers(bind: Any) -> set[tuple[str, str]]:
    return {
        (r[0], r[1])
        for r in _rows(
            bind,
            """SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
               WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace""",
        )
    }


def key_column(columns: list[str]) -> str:
    """The column that plays SQLite's rowid: ``id`` where the table has one, else ``rowid``."""
    return "id" if "id" in columns else "rowid"


def sync(bind: Any) -> None:
    """Ids, rowids and journal triggers on every adbib table, foreign keys deferrable, text in
    byte order (idempotent)."""
    _deferrable_keys(bind)
    _byte_order(bind)
    have = _triggers(bind)
    names = tables(bind)
    journaled = "journal" in names
    if journaled:
        _journal_function(bind)
    for table in names:
        if table in ("alembic_version", "paper_fts"):
            continue
        cols = _columns(bind, table)
        key = key_column(cols)
        if key == "rowid" and "rowid" not in cols:
            _run(bind, f'ALTER TABLE "{table}" ADD COLUMN rowid bigint')
            _run(
                bind,
                f"""UPDATE "{table}" t SET rowid = n.n FROM
                    (SELECT ctid, row_number() OVER () AS n FROM "{table}") n WHERE t.ctid = n.ctid""",
            )
            _run(bind, f'ALTER TABLE "{table}" ALTER COLUMN rowid SET NOT NULL')
            _run(bind, f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_rowid_key" UNIQUE (rowid)')
        if (table, "adbib_id") not in have:
            if key == "id":
                _run(bind, f'ALTER TABLE "{table}" ALTER COLUMN id DROP DEFAULT')
                _run(bind, f'DROP SEQUENCE IF EXISTS "{table}_id_seq"')
            _run(
                bind,
                f"""CREATE OR REPLACE FUNCTION "adbib_id_{table}"() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.{key} IS NULL THEN
                        NEW.{key} := (SELECT coalesce(max({key}), 0) + 1 FROM "{table}");
                    END IF;
                    RETURN NEW;
                END $$""",
            )
            _run(
                bind,
                f'CREATE TRIGGER adbib_id BEFORE INSERT ON "{table}" FOR EACH ROW EXECUTE FUNCTION "adbib_id_{table}"()',
            )
        if journaled and table not in NOT_JOURNALED and (table, "adbib_journal") not in have:
            _run(
                bind,
                f"""CREATE TRIGGER adbib_journal AFTER INSERT OR UPDATE OR DELETE ON "{table}"
                    FOR EACH ROW EXECUTE FUNCTION adbib_journal('{key}')""",
            )


def _byte_order(bind: Any) -> None:
    """Every text column in the collation "C": compared and sorted by code point, as SQLite's
    BINARY does, whatever the server's default locale (en_US would sort 'b' before 'C')."""
    for table, column, kind in _rows(
        bind,
        """SELECT table_name, column_name, data_type FROM information_schema.columns
           WHERE table_schema = current_schema() AND data_type IN ('character varying', 'text')
           AND coalesce(collation_name, '') <> 'C' AND table_name NOT IN ('alembic_version')""",
    ):
        _run(bind, f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE {kind} COLLATE "C"')


def _deferrable_keys(bind: Any) -> None:
    """Every foreign key DEFERRABLE INITIALLY IMMEDIATE: checked at once, as before, except in an
    undo, which restores rows in its journal's order (a parent may come back after its children)
    and defers the checks to its commit (``SET CONSTRAINTS ALL DEFERRED``, SQLite's
    ``PRAGMA defer_foreign_keys``).  Cascades are not deferred (PostgreSQL never defers them)."""
    for table, name in _rows(
        bind,
        """SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c
           WHERE c.contype = 'f' AND NOT c.condeferrable AND c.connamespace = current_schema()::regnamespace""",
    ):
        _run(bind, f'ALTER TABLE {table} ALTER CONSTRAINT "{name}" DEFERRABLE INITIALLY IMMEDIATE')


def _journal_function(bind: Any) -> None:
    """One trigger function for every table: the row's key ('id' or 'rowid', the trigger's
    argument) and, before an UPDATE or DELETE, the whole row as JSON.  Inactive unless
    ``adbib.op`` is set; an INSERT into the table named by ``adbib.bulk`` is journaled as one
    range by :func:`adbib.journal.bulk_insert` instead."""
    _run(
        bind,
        """CREATE OR REPLACE FUNCTION adbib_journal() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            op text := current_setting('adbib.op', true);
            rid bigint;
        BEGIN
            IF op IS NULL OR op = '' THEN
                RETURN NULL;
            END IF;
            IF TG_OP = 'INSERT' THEN
                IF current_setting('adbib.bulk', true) = TG_TABLE_NAME THEN
                    RETURN NULL;
                END IF;
                rid := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
                INSERT INTO journal (operation_id, tbl, row_id, row_last, action, before)
                VALUES (op::integer, TG_TABLE_NAME, rid, rid, 'i', NULL);
            ELSIF TG_OP = 'UPDATE' THEN
                IF OLD IS NOT DISTINCT FROM NEW THEN
                    RETURN NULL;
                END IF;
                rid := (to_jsonb(OLD) ->> TG_ARGV[0])::bigint;
                INSERT INTO journal (operation_id, tbl, row_id, row_last, action, before)
                VALUES (op::integer, TG_TABLE_NAME, rid, rid, 'u', to_jsonb(OLD)::text);
            ELSE
                rid := (to_jsonb(OLD) ->> TG_ARGV[0])::bigint;
                INSERT INTO journal (operation_id, tbl, row_id, row_last, action, before)
                VALUES (op::integer, TG_TABLE_NAME, rid, rid, 'd', to_jsonb(OLD)::text);
            END IF;
            RETURN NULL;
        END $$""",
    )


def drop_journal(bind: Any) -> None:
    _run(bind, "DROP FUNCTION IF EXISTS adbib_journal() CASCADE")


def create_fts(bind: Any) -> None:
    """The text search configuration 'adbib' (unaccent when the server has it, then the Porter
    stemmer, no stop words) and paper_fts with its GIN index and the trigger that keeps it."""
    _run(
        bind,
        """DO $$ BEGIN
            CREATE EXTENSION IF NOT EXISTS unaccent;
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'adbib: no unaccent extension; accents are not folded in full-text search';
        END $$""",
    )
    unaccent = bool(_rows(bind, "SELECT 1 FROM pg_ts_dict WHERE dictname = 'unaccent'"))
    _run(bind, "DROP TEXT SEARCH CONFIGURATION IF EXISTS adbib")
    _run(bind, "DROP TEXT SEARCH DICTIONARY IF EXISTS adbib_porter")
    _run(bind, "CREATE TEXT SEARCH DICTIONARY adbib_porter (TEMPLATE = snowball, Language = porter)")
    _run(bind, "CREATE TEXT SEARCH CONFIGURATION adbib (COPY = simple)")
    _run(
        bind,
        "ALTER TEXT SEARCH CONFIGURATION adbib ALTER MAPPING FOR asciiword, word, numword, hword_asciipart, "
        f"hword_part, hword_numpart, int, uint, float, sfloat, version WITH {'unaccent, ' if unaccent else ''}adbib_porter",
    )
    _run(bind, "ALTER TEXT SEARCH CONFIGURATION adbib DROP MAPPING IF EXISTS FOR asciihword, hword, numhword")
    _run(bind, "CREATE TABLE IF NOT EXISTS paper_fts (id integer PRIMARY KEY, doc tsvector NOT NULL)")
    _run(bind, "CREATE INDEX IF NOT EXISTS paper_fts_doc ON paper_fts USING gin (doc)")
    doc = " || ".join(
        f"setweight(to_tsvector('adbib', regexp_replace(coalesce(ROW.{col}, ''), '{PUNCT}', ' ', 'g')), '{w}')"
        for col, w in (("title", "A"), ("abstract", "D"), ("summary", "B"))
    )
    new_doc, paper_doc = doc.replace("ROW.", "NEW."), doc.replace("ROW.", "p.")
    _run(
        bind,
        f"""CREATE OR REPLACE FUNCTION adbib_paper_fts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM paper_fts WHERE id = OLD.id;
                RETURN NULL;
            END IF;
            IF TG_OP = 'UPDATE' AND OLD.id <> NEW.id THEN
                DELETE FROM paper_fts WHERE id = OLD.id;
            END IF;
            INSERT INTO paper_fts (id, doc) VALUES (NEW.id, {new_doc})
            ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc;
            RETURN NULL;
        END $$""",
    )
    _run(bind, "DROP TRIGGER IF EXISTS paper_fts_sync ON paper")
    _run(
        bind,
        "CREATE TRIGGER paper_fts_sync AFTER INSERT OR DELETE OR UPDATE OF id, title, abstract, summary ON paper "
        "FOR EACH ROW EXECUTE FUNCTION adbib_paper_fts()",
    )
    _run(bind, "DELETE FROM paper_fts")
    _run(bind, f"INSERT INTO paper_fts (id, doc) SELECT p.id, {paper_doc} FROM paper p")


def drop_fts(bind: Any) -> None:
    _run(bind, "DROP TRIGGER IF EXISTS paper_fts_sync ON paper")
    _run(bind, "DROP FUNCTION IF EXISTS adbib_paper_fts()")
    _run(bind, "DROP TABLE IF EXISTS paper_fts")
    _run(bind, "DROP TEXT SEARCH CONFIGURATION IF EXISTS adbib")
    _run(bind, "DROP TEXT SEARCH DICTIONARY IF EXISTS adbib_porter")
