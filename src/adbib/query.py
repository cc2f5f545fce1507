"""The query language and its translation into one parameterized SELECT.

A query is a sequence of whitespace-separated terms, all of which must hold (AND)::

    venue:MICCAI|MIDL  year:2022-2024  author:muller  dataset:BraTS  category:diffusion
    domain:medical  type:journal  has:code  key:roth2022patchcore  -venue:arXiv  "anomaly detection"  -gan

- ``field:value`` filters on a field; ``|`` separates alternatives inside one term (OR);
- a leading ``-`` negates a term (the exact complement: ``-venue:arXiv`` keeps papers without a venue);
- double quotes group values and phrases with spaces (``venue:"Medical Image Analysis"``);
- other words and phrases are full-text terms over title, abstract and summary (SQLite FTS5, or
  PostgreSQL's tsvector: the backend's :mod:`adbib.backend.textsearch` writes that SQL);
  a trailing ``*`` searches a prefix (``diffus*``);
- the keywords ``OR``, ``AND`` and ``NOT`` (in capitals): ``OR`` joins the two terms around it
  (``diffusion OR flow``, ``venue:MICCAI OR dataset:BraTS``) and binds tighter than the implicit
  AND between terms; ``AND`` changes nothing; ``NOT`` negates the next term like ``-``.

With a database at hand (:func:`build` given ``known``), a field value followed by bare words is
taken whole when the longer value names something the database knows (``dataset:MVTec AD``), and
a note says so when it does not.  :mod:`adbib.hints` says which values name nothing, with the
closest known ones.

Values are matched the way people write them: venues, datasets and categories by any alias
(case, accents and punctuation ignored), datasets also by family, authors by family or full
name.  Every value reaches SQL as a bound parameter, full-text terms as quoted FTS5 strings, so
no user input is ever read as SQL or FTS5 syntax.

Standard library only (plus adbib's light helpers): the query path must not import SQLAlchemy.
"""

from __future__ import annotations

import re
import shlex
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from adbib.backend import textsearch
from adbib.backend.textsearch import TextSearch
from adbib.errors import UsageError
from adbib.normalize.text import alias_key, fold, strip_controls, title_key
from adbib.records import DOMAINS

FIELDS = ("venue", "year", "author", "dataset", "category", "domain", "type", "has", "key", "tag")
VENUE_TYPES = ("conference", "journal", "workshop", "preprint")
HAS_VALUES = ("code", "arxiv", "doi")
SORTS = ("year", "title", "venue", "relevance")


_FIELD_TERM = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_YEAR = re.compile(r"(?P<year>\d{4})|(?P<first>\d{4})?-(?P<last>\d{4})?")
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Term:
    """One term: ``field`` is one of FIELDS or 'text'; ``values`` are its alternatives (OR).

    Year values are ``(first, last)`` pairs, either end None when the range is open.
    """

    field: str
    values: tuple[Any, ...]
    negated: bool = False


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...] = ()
    notes: tuple[str, ...] = field(default=(), compare=False)  # how the query was read, for stderr

    @property
    def has_text(self) -> bool:
        """Whether a full-text term selects papers (and so results can be ranked by relevance)."""
        return any(t.field == "text" and not t.negated for t in self.terms)


@dataclass
class Filters:
    """The query's fields as script options (``--venue``, ``--year``, …).

    Repeating an option gives alternatives (``--venue MICCAI --venue MIDL`` = ``venue:MICCAI|MIDL``;
    ``|`` works inside a value too); different options must all hold.  Each ``text`` value is free
    text as in a query string: its words (and double-quoted phrases) must all occur.
    """

    venue: list[str] = field(default_factory=list)
    year: list[str] = field(default_factory=list)
    author: list[str] = field(default_factory=list)
    dataset: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    has_code: bool = False
    text: list[str] = field(default_factory=list)
    key: list[str] = field(default_factory=list)  # citekeys or their aliases (``--keys k1,k2``)


# ------------------------------------------------------------------------------ parsing


KEYWORDS = ("OR", "AND", "NOT")
# known(field, value): whether a value names something in the database (see parse)
Known = Callable[[str, str], bool]
# fields whose values name things the database knows, and may hold spaces
NAMED_FIELDS = ("venue", "dataset", "category", "author")


def parse(q: str, known: Known | None = None) -> Query:
    """Parse a query string; raises UsageError with one line naming the problem.

    ``known(field, value) -> bool``, when given, says whether a value names something in the
    database: it lets an unquoted multi-word value be taken whole (``dataset:MVTec AD``).
    """
    tokens = _tokens(q)
    notes: list[str] = []
    if known is not None:
        tokens = _join_values(tokens, known, notes)
    return Query(_combine(tokens), tuple(notes))


def build(query: str | None, filters: Filters | None = None, known: Known | None = None) -> Query:
    """The query string and the script options together (all terms ANDed)."""
    _check_size(query or "", filters)
    parsed = parse(query or "", known)
    terms = list(parsed.terms)
    if filters is not None:
        terms += _filter_terms(filters)
    # a term said twice is one condition: `anomaly anomaly …` 5,000 times would be 5,000 FTS5
    # phrases (minutes of bm25) for the result of one
    return Query(tuple(dict.fromkeys(terms)), parsed.notes)


def _combine(tokens: list[str]) -> tuple[Term, ...]:
    """Terms from tokens, with the keywords: NOT negates the next term, OR joins its neighbours."""
    terms: list[Term] = []
    negate = join = False
    for i, token in enumerate(tokens):
        if token == "AND":
            if not terms or join or negate or i == len(tokens) - 1:
                raise UsageError("AND needs a term on each side (write: diffusion AND brain)")
            continue
        if token == "NOT":
            negate = not negate
            continue
        if token == "OR":
            if not terms or join or negate:
                raise UsageError("OR needs a term on each side (write: diffusion OR flow)")
            join = True
            continue
        term = _token_term(token)
        if negate:
            term = Term(term.field, term.values, not term.negated)
            negate = False
        if join:
            term = _either(terms.pop(), term)
            join = False
        terms.append(term)
    if join or negate:
        raise UsageError(f"{'OR' if join else 'NOT'} needs a term after it")
    return tuple(terms)


def _either(a: Term, b: Term) -> Term:
    """a OR b: one term with both values when both filter one field the same way, else an 'or'
    term whose values are the terms themselves."""
    if a.field == b.field and a.field != "or" and not a.negated and not b.negated:
        return Term(a.field, tuple(dict.fromkeys(a.values + b.values)))
    parts = (a.values if a.field == "or" and not a.negated else (a,)) + (b,)
    return Term("or", parts)


def _join_values(tokens: list[str], known: Known, notes: list[str]) -> list[str]:
    """``dataset:MVTec AD`` -> one token when 'MVTec AD' is known (the longest known value wins);
    a note when the value alone is unknown and a bare word follows it."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        m = _FIELD_TERM.fullmatch(token.lstrip("-"))
        name = m.group(1).lower() if m else ""
        value = m.group(2) if m else ""
        if name not in NAMED_FIELDS or not value or "|" in value:
            out.append(token)
            i += 1
            continue
        following = []
        for nxt in tokens[i + 1 :]:
            if nxt in KEYWORDS or nxt.startswith("-") or ":" in nxt or any(c.isspace() for c in nxt) or "|" in nxt:
                break
            following.append(nxt)
        taken = 0
        for n in range(len(following), 0, -1):
            if known(name, " ".join([value, *following[:n]])):
                taken = n
                break
        if taken:
            out.append(" ".join([token, *following[:taken]]))
            i += 1 + taken
            continue
        if following and not known(name, value):
            notes.append(
                f"{name}:{value} is followed by {following[0]!r}, searched as text; "
                f'write {name}:"{value} {following[0]}" for one value'
            )
        out.append(token)
        i += 1
    return out


def _check_size(query: str, filters: Filters | None) -> None:
    from adbib.limits import MAX_QUERY

    size = (
        len(query) + sum(len(v) for values in vars(filters).values() if isinstance(values, list) for v in values)
        if filters is not None
        else len(query)
    )
    if size > MAX_QUERY:
        raise UsageError(f"the query is {size:,} characters long; at most {MAX_QUERY:,} are accepted")


def _tokens(q: str) -> list[str]:
    """Split on whitespace; double quotes group (``'`` is an ordinary character: ``O'Neil``)."""
    lexer = shlex.shlex(q, posix=True)
    lexer.whitespace_split = True
    lexer.quotes = '"'
    lexer.escape = ""
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:  # shlex's only complaint once escapes are off: "No closing quotation"
        raise UsageError(f'unbalanced quote (") in query {q!r}') from None


def _token_term(token: str) -> Term:
    if not token:
        raise UsageError('empty phrase "" in the query (put words between the quotes, or drop them)')
    negated = token.startswith("-")
    body = token[1:] if negated else token
    if not body:
        raise UsageError("nothing after '-' (write -field:value or -word)")
    m = _FIELD_TERM.fullmatch(body)
    if m is None:
        return _term("text", body, negated, token)
    name = m.group(1).lower()
    if name not in FIELDS:
        raise UsageError(f"unknown field {name!r} (known: {', '.join(FIELDS)})")
    return _term(name, m.group(2), negated, token)


def _filter_terms(filters: Filters) -> list[Term]:
    terms = []
    for name in ("venue", "year", "author", "dataset", "category", "domain", "type", "key"):
        values = getattr(filters, name)
        if values:
            terms.append(_term(name, "|".join(values), False, f"--{name} {'|'.join(values)}"))
    if filters.has_code:
        terms.append(Term("has", ("code",)))
    for text in filters.text:
        terms += [_term("text", token, False, token) for token in _tokens(text)]
    return terms


def _term(name: str, raw: str, negated: bool, shown: str) -> Term:
    """A term from its field name and raw value text (``|``-separated alternatives)."""
    # controls and NUL never match stored text (stripped when stored) and a NUL ends an FTS5
    # string early ("unterminated string"): they are removed like spaces
    values = [strip_controls(v).strip() for v in raw.split("|")]
    if not all(values):
        raise UsageError(f"empty value in {shown!r}")
    if name == "text" and not all(_WORD.search(v) for v in values):
        raise UsageError(f"nothing to search for in {shown!r} (no letters or digits)")
    check = _CHECKS.get(name)
    checked: list[object] = [check(v) for v in values] if check is not None else list(values)
    return Term(name, tuple(dict.fromkeys(checked)), negated)


def _year(value: str) -> tuple[int | None, int | None]:
    m = _YEAR.fullmatch(value)
    if m is None or not any(m.groups()):
        raise UsageError(f"malformed year {value!r} (expected a year such as 2023 or a range: 2022-2024, 2022-, -2020)")
    if m["year"]:
        return int(m["year"]), int(m["year"])
    first, last = (int(g) if g else None for g in (m["first"], m["last"]))
    if first is not None and last is not None and first > last:
        raise UsageError(f"year range {value!r} ends before it starts")
    return first, last


def _choice(name: str, known: tuple[str, ...]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value.lower() not in known:
            raise UsageError(f"unknown {name}: value {value!r} (known: {', '.join(known)})")
        return value.lower()

    return check


_CHECKS = {
    "year": _year,
    "has": _choice("has", HAS_VALUES),
    "type": _choice("type", VENUE_TYPES),
    "domain": _choice("domain", DOMAINS),
}


# ------------------------------------------------------------------------------ SQL


def to_sql(
    query: Query, sort: str | None = None, limit: int | None = None, fts: TextSearch = textsearch.SQLITE
) -> tuple[str, list[Any]]:
    """One SELECT of paper ids (and a ``rank`` column when text is searched), its parameters.

    ``sort``: 'year' (newest first, then title), 'title', 'venue', 'relevance' (bm25; the
    default when text is searched, else 'year'; without text it falls back to 'year').
    ``fts``: the engine's full-text SQL (SQLite's FTS5 unless the connection's backend says).
    """
    if sort is not None and sort not in SORTS:
        raise UsageError(f"unknown sort {sort!r} (known: {', '.join(SORTS)})")
    if limit is not None and limit < 0:
        raise UsageError(f"limit must not be negative (got {limit})")
    ranked = query.has_text
    sort = sort or ("relevance" if ranked else "year")
    if sort == "relevance" and not ranked:
        sort = "year"

    columns = ["p.id"]
    tables = ["paper p"]
    where: list[str] = ["p.deleted_at IS NULL"]  # a deleted paper is listed nowhere (adbib delete)
    params: list[Any] = []

    positive_text = [t for t in query.terms if t.field == "text" and not t.negated]
    negative_text = [t for t in query.terms if t.field == "text" and t.negated]
    if positive_text:
        join, match = fts.join()
        columns.append(fts.rank)
        tables.append(join)
        where.append(match)
        params.append(fts.all_of([t.values for t in positive_text]))
    if negative_text:
        where.append(f"p.id NOT IN ({fts.ids()})")
        params.append(fts.any_of([t.values for t in negative_text]))
    for term in query.terms:
        if term.field == "text":
            continue
        sql, values = _term_sql(term, fts)
        where.append(sql)
        params += values

    if sort == "venue":
        tables.append("LEFT JOIN venue v ON v.id = p.venue_id")
    sql = f"SELECT {', '.join(columns)} FROM {' '.join(tables)}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY " + _ORDER[sort]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return sql, params


def _term_sql(term: Term, fts: TextSearch = textsearch.SQLITE) -> tuple[str, list[Any]]:
    """One term as a condition on ``p`` (text through an FTS5 sub-select, 'or' as a disjunction)."""
    if term.field == "text":
        sql, values = f"p.id IN ({fts.ids()})", [fts.all_of([term.values])]
    elif term.field == "or":
        parts = [_term_sql(t, fts) for t in term.values]
        sql, values = "(" + " OR ".join(s for s, _ in parts) + ")", [v for _, vs in parts for v in vs]
    else:
        sql, values = _FIELD_SQL[term.field](term.values)
    return (f"NOT coalesce({sql}, FALSE)" if term.negated else sql), values


def value_exists(con: sqlite3.Connection, name: str, value: str) -> bool:
    """Whether one value of a field names something in the database: a venue, dataset or
    category (by any alias), an author, or (field 'text') a word or phrase in some paper."""
    if name == "text":
        fts = textsearch.of(con)
        sql, params = fts.ids(), [fts.all_of([(value,)])]
    elif name == "author":
        where, params = _author_where((value,))
        sql = f"SELECT 1 FROM author au WHERE {where}"
    else:
        sql, params = _NAMED_SQL[name]((value,))
    return bool(con.execute(f"SELECT EXISTS ({sql})", params).fetchone()[0] == 1)


def known_values(con: sqlite3.Connection) -> Known:
    """The ``known`` callback of :func:`parse` over a database."""
    return lambda name, value: value_exists(con, name, value)


def iter_ids(con: sqlite3.Connection, query: Query, sort: str | None = None, limit: int | None = None) -> Iterator[int]:
    """The matching paper ids in order, streamed from the cursor (for exports of any size)."""
    sql, params = to_sql(query, sort, limit, textsearch.of(con))
    for row in con.execute(sql, params):
        yield row[0]


def run(con: sqlite3.Connection, query: Query, sort: str | None = None, limit: int | None = None) -> list[int]:
    """The matching paper ids in order."""
    return list(iter_ids(con, query, sort, limit))


_ORDER = {
    "year": "p.year DESC NULLS LAST, p.title_key, p.id",
    "title": "p.title_key, p.year DESC NULLS LAST, p.id",
    "venue": "v.short_name COLLATE NOCASE NULLS LAST, p.year DESC NULLS LAST, p.title_key, p.id",
    "relevance": "rank, p.year DESC NULLS LAST, p.title_key, p.id",
}


def _keys(values: tuple[str, ...], key: Callable[[str], str] = title_key) -> list[str]:
    """Lookup keys of the values: ``key(value)`` (``alias_key`` for vocabularies, ``title_key``
    for author names) and the folded text itself, compared with lower-cased names."""
    return list(dict.fromkeys(k for v in values for k in (key(v), fold(v).strip()) if k))


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


def _named(
    table: str, alias_table: str, fk: str, columns: tuple[str, ...], values: tuple[Any, ...]
) -> tuple[str, list[Any]]:
    """A SELECT of the ids of the vocabulary entries (venues, datasets, categories) the values name:
    by an alias key, or by one of the entry's own name columns, case-insensitively."""
    keys = _keys(values, alias_key)
    m = _marks(keys)
    names = " OR ".join(f"lower({column}) IN ({m})" for column in columns)
    sql = f"SELECT {fk} FROM {alias_table} WHERE alias_key IN ({m}) UNION SELECT id FROM {table} WHERE {names}"
    return sql, keys * (1 + len(columns))


def _venue_sql(values: tuple[Any, ...]) -> tuple[str, list[Any]]:
    named, params = _named("venue", "venue_alias", "venue_id", ("short_name", "name"), values)
    return f"p.venue_id IN ({named})", params


def _type_sql(values: tuple[Any, ...]) -> tuple[str, list[Any]]:
    return f"p.venue_id IN (SELECT id FROM venue WHERE type IN ({_marks(values)}))", list(values)


def _domain_sql(values: tuple[Any, ...]) -> tuple[str, list[Any]]:
    return f"p.domain IN ({_marks(values)})", list(values)


def _year_sql(values: tuple[Any, ...]) -> tuple[str, list[Any]]:
    parts, params = [], []
    for first, last in values:
        if first == last:
            parts.append("p.year = ?")
            params.append(first)
        elif first is None:
            parts.append("p.year <= ?")
            params.append(last)
        elif last is None:
            parts.append("p.year >= ?")
            params.append(first)
        else:
            parts.append("p.year BETWEEN ? AND ?")
            params += [first, last]
    return "(" + " OR ".join(parts) + ")", params


_INITIAL = re.compile(r"[^\W\d_]", re.UNICODE)


def _initials(value: str) -> tuple[str, str] | None:
    """('chen', 'h') for 'H. Chen', 'Chen, H.', 'Chen,H', 'H.J. Chen': one family name and
    initials (single letters); None for anything else."""
    parts = [w for w in re.split(r"[\s.,]+", value) if w]
    letters = [w for w in parts if _INITIAL.fullmatch(w)]
    names = [w for w in parts if not _INITIAL.fullmatch(w)]
    if len(names) != 1 or not letters:
        return None
    return title_key(names[0]), fold(letters[0]).lower()


def _author_where(values: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """Full name ('yu cai', also 'Cai, Yu'), family name ('muller', 'van den hengel'), or a family
    name with initials ('H. Chen', 'Chen, H', 'Chen,H'): the family and the first given initial."""
    keys = _keys(values) + [
        title_key(f"{given} {family}") for family, _, given in (v.partition(",") for v in values if "," in v)
    ]
    keys = list(dict.fromkeys(k for k in keys if k))
    m = _marks(keys)
    where, params = f"au.name_key IN ({m}) OR au.family_key IN ({m})", keys * 2
    for family, initial in filter(None, map(_initials, values)):
        where += " OR (au.family_key = ? AND au.given LIKE ?)"
        params += [family, initial + "%"]
    return where, params


def _author_sql(values: tuple[Any, ...]) -> tuple[str, list[Any]]:
    where, params = _author_where(values)
    return f"p.id IN (SELECT a.paper_id FROM author au JOIN authorship a ON a.author_id = au.id WHERE {where})", params


def _dataset_sql(values: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """A dataset by name or alias, or a whole family ('BraTS'); every kind of evidence counts."""
    named, params = _named("dataset", "dataset_alias", "dataset_id", ("name", "family"), values)
    return f"p.id IN (SELECT paper_id FROM paper_dataset WHERE dataset_id IN ({named}))", params


def _category_sql(values: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """A category by slug, title, alias or a list heading filed under it."""
    named, params = _named("category", "category_alias", "category_id", ("name", "title"), values)
    return f"p.id IN (SELECT paper_id FROM paper_category WHERE category_id IN ({named}))", params


_HAS_SQL = {
    "code": ("EXISTS (SELECT 1 FROM link l WHERE l.paper_id = p.id AND l.role = ?)", ["code"]),
    "arxiv": ("p.arxiv_id IS NOT NULL", []),
    "doi": ("p.doi IS NOT NULL", []),
}


def _has_sql(values: tuple[Any, ...]) -> tuple[str, list[Any]]:
    parts = [_HAS_SQL[v] for v in values]
    return "(" + " OR ".join(sql for sql, _ in parts) + ")", [x for _, ps in parts for x in ps]


def _key_sql(values: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """A citekey, or an alias of one (an older key, the key a .bib file gave), exactly as written."""
    m = _marks(list(values))
    return (
        f"p.id IN (SELECT id FROM paper WHERE citekey IN ({m}) UNION SELECT paper_id FROM citekey_alias WHERE alias IN ({m}))",
        list(values) * 2,
    )


def _tag_sql(values: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """A tag the user gave (adbib tag), any case."""
    tags = [v.lower() for v in values]
    return f"p.id IN (SELECT paper_id FROM tag WHERE name IN ({_marks(tags)}))", tags


_NAMED_SQL = {
    "venue": lambda values: _named("venue", "venue_alias", "venue_id", ("short_name", "name"), values),
    "dataset": lambda values: _named("dataset", "dataset_alias", "dataset_id", ("name", "family"), values),
    "category": lambda values: _named("category", "category_alias", "category_id", ("name", "title"), values),
}

_FIELD_SQL = {
    "venue": _venue_sql,
    "year": _year_sql,
    "author": _author_sql,
    "dataset": _dataset_sql,
    "category": _category_sql,
    "domain": _domain_sql,
    "type": _type_sql,
    "has": _has_sql,
    "key": _key_sql,
    "tag": _tag_sql,
}
