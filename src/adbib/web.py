"""``adbib serve``: the bibliography in a web page, on Datasette (the optional extra ``adbib[web]``).

Datasette facets on a table's own columns and searches a table's own FTS index, while adbib keeps
a paper's authors, datasets and categories in tables of their own.  So serve first builds a
*browsing copy*: one row per paper (``papers``: citekey, title, authors, year, venue, domain,
dataset families and categories as JSON arrays, identifiers and links) with its full-text index
(``papers_fts``), in a temporary SQLite file next to nothing else, made read-only from the
database with stdlib sqlite3 in one pass.  Datasette serves the copy (immutable) and the
database itself, with metadata (:func:`metadata`) that makes the copy a bibliography browser:
facets on venue, year, domain, dataset family and category, full-text search, and canned queries
for the researcher's questions.  The copy is rebuilt at each ``adbib serve`` and removed after.

No view is added to the database: a view on ``paper`` would break every later batch migration
of that table (SQLite refuses to rename a table a view refers to).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

BROWSE = "bibliography"  # the browsing copy's database name in Datasette's URLs
# column facets, and array facets on the JSON arrays
FACETS: list[str | dict[str, str]] = ["venue", "year", "domain", {"array": "dataset_families"}, {"array": "categories"}]

_SCHEMA = """
CREATE TABLE papers (
    id INTEGER PRIMARY KEY, citekey TEXT NOT NULL, title TEXT NOT NULL, authors TEXT, year INTEGER,
    venue TEXT, venue_name TEXT, venue_type TEXT, domain TEXT,
    dataset_families TEXT, datasets TEXT, categories TEXT,
    arxiv TEXT, doi TEXT, paper_url TEXT, code_url TEXT, summary TEXT, abstract TEXT
);
"""
_FILL = """
INSERT INTO papers
SELECT p.id, p.citekey, p.title,
    (SELECT group_concat(name, '; ') FROM (SELECT au.name FROM src.authorship a
        JOIN src.author au ON au.id = a.author_id WHERE a.paper_id = p.id ORDER BY a.position))
        || CASE WHEN p.authors_truncated THEN '; et al.' ELSE '' END,
    p.year, v.short_name, v.name, v.type, p.domain,
    (SELECT json_group_array(family) FROM (SELECT DISTINCT d.family FROM src.paper_dataset pd
        JOIN src.dataset d ON d.id = pd.dataset_id WHERE pd.paper_id = p.id ORDER BY d.family)),
    (SELECT json_group_array(name) FROM (SELECT DISTINCT d.name FROM src.paper_dataset pd
        JOIN src.dataset d ON d.id = pd.dataset_id WHERE pd.paper_id = p.id ORDER BY d.name)),
    (SELECT json_group_array(name) FROM (SELECT DISTINCT c.name FROM src.paper_category pc
        JOIN src.category c ON c.id = pc.category_id WHERE pc.paper_id = p.id ORDER BY c.name)),
    p.arxiv_id, p.doi,
    coalesce((SELECT url FROM src.link l WHERE l.paper_id = p.id AND l.role = 'paper' ORDER BY l.id LIMIT 1),
             CASE WHEN p.arxiv_id IS NOT NULL THEN 'https://arxiv.org/abs/' || p.arxiv_id END),
    (SELECT url FROM src.link l WHERE l.paper_id = p.id AND l.role = 'code' ORDER BY l.id LIMIT 1),
    p.summary, p.abstract
FROM src.paper p LEFT JOIN src.venue v ON v.id = p.venue_id
"""
# content="papers": the spelling Datasette and sqlite-utils look for (see migration 0004)
_FTS = [
    """CREATE VIRTUAL TABLE papers_fts USING fts5(title, authors, abstract, summary,
        content="papers", content_rowid="id", tokenize='porter unicode61 remove_diacritics 2')""",
    "INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')",
]


def build_browse_copy(db: Path, dest: Path) -> int:
    """Write the browsing copy of database ``db`` to the new file ``dest``; the number of papers."""
    con = sqlite3.connect(dest)
    try:
        con.execute("ATTACH DATABASE ? AS src", (f"file:{db}?mode=ro",))
        with con:
            con.executescript(_SCHEMA)
            con.execute(_FILL)
            for statement in _FTS:
                con.execute(statement)
        n: int = con.execute("SELECT count(*) FROM papers").fetchone()[0]
        con.execute("DETACH DATABASE src")
        return n
    finally:
        con.close()


_COLUMNS = "citekey, title, authors, year, venue, domain, paper_url, code_url"
QUERIES = {
    "venue_and_dataset": {
        "title": "Papers at a venue on a dataset family",
        "description": "For example venue MICCAI, dataset family BraTS.",
        "sql": f"SELECT {_COLUMNS} FROM papers WHERE venue = :venue AND EXISTS "
        "(SELECT 1 FROM json_each(papers.dataset_families) WHERE value = :family) ORDER BY year DESC, title",
    },
    "search": {
        "title": "Full-text search, most relevant first",
        "description": "Words in titles, authors, abstracts and summaries (FTS5 syntax: diffus*, OR, NOT).",
        "sql": f"SELECT {', '.join('p.' + c for c in _COLUMNS.split(', '))} FROM papers_fts "
        "JOIN papers p ON p.id = papers_fts.rowid WHERE papers_fts MATCH :words "
        "ORDER BY bm25(papers_fts, 4.0, 2.0, 1.0, 2.0) LIMIT 200",
    },
    "with_code": {
        "title": "Papers with official code in a domain",
        "description": "Domain: industrial, medical or general.",
        "sql": f"SELECT {_COLUMNS} FROM papers WHERE code_url IS NOT NULL AND domain = :domain ORDER BY year DESC, title",
    },
    "by_author": {
        "title": "Papers by an author",
        "description": "Part of a name, as written (Müller, Chen).",
        "sql": f"SELECT {_COLUMNS} FROM papers WHERE authors LIKE '%' || :name || '%' ORDER BY year DESC, title",
    },
    "per_year_and_venue": {
        "title": "Papers per year and venue",
        "sql": "SELECT year, venue, count(*) AS papers FROM papers GROUP BY year, venue ORDER BY year DESC, papers DESC",
    },
}


def metadata(db_name: str) -> dict[str, object]:  # JSON for Datasette
    """Datasette metadata: the browsing copy as a bibliography, the database itself as it is."""
    return {
        "title": "adbib — anomaly-detection papers",
        "description": "One row per paper, from the curated lists adbib reads. Facet by venue, year, domain, "
        "dataset family and category; search titles, authors and abstracts.",
        "databases": {
            BROWSE: {
                "description": "One row per paper (a read-only copy made when adbib serve started).",
                "tables": {
                    "papers": {
                        "title": "Papers",
                        "facets": FACETS,
                        "sort_desc": "year",
                        "size": 50,
                        "label_column": "title",
                        "fts_table": "papers_fts",
                        "fts_pk": "id",
                    },
                    "papers_fts": {"hidden": True},
                },
                "queries": QUERIES,
            },
            db_name: {
                "description": "adbib's own database (every table, with provenance and the change log).",
                "tables": {
                    "paper": {"facets": ["year", "domain"], "label_column": "title"},
                    "venue": {"label_column": "short_name"},
                    "dataset": {"label_column": "name", "facets": ["family"]},
                    "category": {"label_column": "name"},
                    "alembic_version": {"hidden": True},
                },
            },
        },
    }


def datasette_args(db: Path, workdir: Path, host: str, port: int) -> list[str]:
    """Build the browsing copy and the metadata file in ``workdir``; Datasette's arguments."""
    copy = workdir / f"{BROWSE}.db"
    build_browse_copy(db, copy)
    meta = workdir / "metadata.json"
    meta.write_text(json.dumps(metadata(db.stem), ensure_ascii=False, indent=2), encoding="utf-8")
    return [
        "serve",
        "-i",
        str(copy),
        str(db),
        "--metadata",
        str(meta),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "facet_time_limit_ms",
        "1000",
        "--setting",
        "default_facet_size",
        "15",
    ]
