"""The JSON export's paper objects written by the engine, per engine (standard library only).

``adbib query --format json`` prints every hit; building each paper dict in Python and encoding it
costs several times what the database spends finding the rows.  :class:`PaperJSON` gives one
SELECT that returns, for each paper of a list of ids, the text :mod:`adbib.exporters.json` writes
for it: the keys of ``exporters.json.FIELDS`` in order, ``", "`` between items and ``": "`` after
keys (what ``json.dumps`` writes), strings escaped as ``json.dumps(ensure_ascii=False)`` escapes
them (``json_quote`` escapes the same characters the same way: ``"``, ``\\``, and the controls,
``\\n`` ``\\t`` … or ``\\u00xx``), the related rows in the order :func:`adbib.rows.papers` gives
them.  tests/test_fast_paths.py holds the two byte-identical.

- SQLite: the text is concatenated with ``||`` around ``json_quote``; a list is a
  ``group_concat`` over an ordered sub-select (SQLite aggregates a sub-select's rows in its order,
  and keeps a sub-select's ORDER BY under any aggregate but count, min and max).
- PostgreSQL: none yet (:func:`of` returns None): the export builds the objects in Python.
"""

from __future__ import annotations

import sqlite3

from adbib.records import LINK_ROLES

# the dataset evidence names, strongest first (adbib.rows.EVIDENCE)
_EVIDENCE = ("datasets-line", "import", "abstract")
_RANK = "CASE pd.evidence " + " ".join(f"WHEN '{e}' THEN {i}" for i, e in enumerate(_EVIDENCE)) + " END"
_EVIDENCE_NAME = "CASE rank " + " ".join(f"WHEN {i} THEN '{e}'" for i, e in enumerate(_EVIDENCE)) + " END"
_ROLE_RANK = "CASE role " + " ".join(f"WHEN '{r}' THEN {i}" for i, r in enumerate(LINK_ROLES)) + " END"


def _q(column: str) -> str:
    return f"json_quote({column})"


def _list(items: str, rows: str, empty: str = "[]") -> str:
    """A JSON list (or, with ``empty='{}'``, an object) of one text per row of an ordered sub-select."""
    opening, closing = empty[0], empty[1]
    return f"'{opening}' || coalesce((SELECT group_concat({items}, ', ') FROM ({rows})), '') || '{closing}'"


_AUTHORS = """SELECT au.name, au.given, au.family, au.von, au.jr FROM authorship a
    JOIN author au ON au.id = a.author_id WHERE a.paper_id = p.id ORDER BY a.position"""
# authors and author_names from one sub-select: both lists, the key between them
_AUTHOR_LISTS = (
    "coalesce((SELECT '[' || group_concat(json_quote(name), ', ') || '], \"author_names\": ['"
    " || group_concat('{\"given\": ' || json_quote(given) || ', \"family\": ' || json_quote(family)"
    " || ', \"von\": ' || json_quote(von) || ', \"jr\": ' || json_quote(jr) || '}', ', ') || ']'"
    f" FROM ({_AUTHORS})), '[], \"author_names\": []')"
)
# {role: [url, …]} in the order of LINK_ROLES, each role's URLs as added: a role's first URL opens
# its list (closing the previous one), the others follow a comma
_LINKS = (
    "coalesce((SELECT '{' || group_concat(piece, '') || ']}' FROM ("
    "SELECT CASE WHEN role IS lag(role) OVER w THEN ', '"
    " ELSE CASE WHEN lag(role) OVER w IS NULL THEN '' ELSE '], ' END || json_quote(role) || ': [' END"
    f" || json_quote(url) AS piece FROM link WHERE paper_id = p.id WINDOW w AS (ORDER BY {_ROLE_RANK}, id)"
    f" ORDER BY {_ROLE_RANK}, id)), '{{}}')"
)
_DATASETS = f"""SELECT d.name, d.family, min({_RANK}) AS rank, min(pd.rowid) AS seen
    FROM paper_dataset pd JOIN dataset d ON d.id = pd.dataset_id WHERE pd.paper_id = p.id
    GROUP BY d.id ORDER BY rank, seen"""
_CATEGORIES = """SELECT DISTINCT c.name FROM paper_category pc JOIN category c ON c.id = pc.category_id
    WHERE pc.paper_id = p.id ORDER BY c.name"""
_SOURCES = """SELECT s.path, pr.line, pr.section FROM provenance pr JOIN source s ON s.id = pr.source_id
    WHERE pr.paper_id = p.id ORDER BY pr.source_id, pr.line"""
_FIELDS = "SELECT name, value FROM paper_field WHERE paper_id = p.id ORDER BY name"
_TAGS = "SELECT name FROM tag WHERE paper_id = p.id ORDER BY name"


# (key, SQL of its JSON value) in the order of exporters.json.FIELDS ("authors" gives the
# "author_names" key and value too)
_VALUES = [
    ("id", "p.id"),
    ("citekey", _q("p.citekey")),
    ("title", _q("p.title")),
    ("year", "coalesce(p.year, 'null')"),
    ("date", _q("p.date")),
    ("venue", _q("v.short_name")),
    ("venue_name", _q("v.name")),
    ("venue_type", _q("v.type")),
    ("authors", _AUTHOR_LISTS),
    ("authors_truncated", "CASE WHEN p.authors_truncated THEN 'true' ELSE 'false' END"),
    ("arxiv", _q("p.arxiv_id")),
    ("doi", _q("p.doi")),
    ("links", _LINKS),
    (
        "datasets",
        _list(
            "'{\"name\": ' || json_quote(name) || ', \"family\": ' || json_quote(family)"
            f" || ', \"evidence\": ' || json_quote({_EVIDENCE_NAME}) || '}}'",
            _DATASETS,
        ),
    ),
    ("categories", _list("json_quote(name)", _CATEGORIES)),
    ("domain", _q("p.domain")),
    ("abstract", _q("p.abstract")),
    ("summary", _q("p.summary")),
    (
        "sources",
        _list(
            "'{\"file\": ' || json_quote(path) || ', \"line\": ' || coalesce(line, 'null')"
            " || ', \"section\": ' || json_quote(section) || '}'",
            _SOURCES,
        ),
    ),
    ("fields", _list("json_quote(name) || ': ' || json_quote(value)", _FIELDS, "{}")),
    ("short_name", _q("p.short_name")),
    ("tags", _list("json_quote(name)", _TAGS)),
    ("note", _q("p.note")),
]
# One printf for the object, not a chain of || (each of which would copy the text so far: the
# abstract once per key after it).  The keys hold no % and no quote.
_OBJECT = (
    "printf('{"
    + ", ".join(f'"{key}": %s' for key, _ in _VALUES)
    + "}', "
    + ", ".join(value for _, value in _VALUES)
    + ")"
)


class PaperJSON:
    """SQLite: the JSON object text of each paper."""

    def select(self, n: int) -> str:
        """A SELECT of (id, JSON object text) for the papers among ``n`` bound ids (any order)."""
        marks = ", ".join("?" * n)
        return f"SELECT p.id, {_OBJECT} FROM paper p LEFT JOIN venue v ON v.id = p.venue_id WHERE p.id IN ({marks})"


SQLITE = PaperJSON()


def of(con: object) -> PaperJSON | None:
    """The paper JSON SQL of a read connection, or None when its engine has none (PostgreSQL)."""
    if isinstance(con, sqlite3.Connection):
        return SQLITE
    found: PaperJSON | None = getattr(con, "paper_json", None)
    return found
