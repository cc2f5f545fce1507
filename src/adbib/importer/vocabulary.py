"""Venue, dataset and category rows: one identity for every spelling.

Every value a source names is found or created through :class:`VocabRows`, which knows every
stored alias key (the vocabulary files' spellings and every spelling an import stored before):
two spellings with one key ('UCSD Ped2', 'UCSD-Ped2') are one row, in one file or across files,
and an insert can never collide with a stored key.  A value no vocabulary file names is kept —
cleaned, and marked ``known = 0`` — never dropped; the import report lists it.

:func:`sync_vocabulary` makes the tables agree with ``data/vocab/*.toml`` (inserts, updates, the
``known`` flags) and folds an unknown row into the vocabulary entry that now names it (after a
maintainer added the spelling to a TOML file); :func:`map_value` does the same by hand
(``adbib vocab map``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.engine import Connection

from adbib import tables
from adbib.errors import AdbibError
from adbib.normalize.text import alias_key

T: dict[str, Table] = {t.name: t for t in tables.metadata.sorted_tables}

# kind -> (table, alias table, alias foreign key, name column)
KINDS: dict[str, tuple[str, str, str, str]] = {
    "venue": ("venue", "venue_alias", "venue_id", "short_name"),
    "dataset": ("dataset", "dataset_alias", "dataset_id", "name"),
    "category": ("category", "category_alias", "category_id", "name"),
}
# tables whose rows point at a vocabulary row, re-pointed when one row is folded into another
_USERS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "venue": [("paper", "venue_id", ())],
    "dataset": [("paper_dataset", "dataset_id", ("paper_id", "source_id", "evidence"))],
    "category": [("paper_category", "category_id", ("paper_id", "list_name"))],
}


# ---------------------------------------------------------------- the vocabulary files


def sync_vocabulary(conn: Connection) -> None:
    """Make the venue / dataset / category tables agree with data/vocab/*.toml."""
    from adbib.normalize import categories, datasets, venues

    v_ids = _upsert_named(
        conn,
        T["venue"],
        "short_name",
        [{"short_name": v.short, "name": v.name, "type": v.type, "known": True} for v in venues.all_venues()],
    )
    _upsert_aliases(
        conn,
        T["venue_alias"],
        "venue_id",
        [(alias, v_ids[v.short]) for v in venues.all_venues() for alias in (v.short, v.name, *v.aliases)],
    )
    d_ids = _upsert_named(
        conn,
        T["dataset"],
        "name",
        [{"name": d.name, "family": d.family, "known": True} for d in datasets.all_datasets()],
    )
    _upsert_aliases(
        conn,
        T["dataset_alias"],
        "dataset_id",
        [(alias, d_ids[d.name]) for d in datasets.all_datasets() for alias in (d.name, *d.aliases)],
    )
    c_ids = _upsert_named(
        conn,
        T["category"],
        "name",
        [{"name": c.name, "title": c.title, "known": True} for c in categories.all_categories()],
    )
    _upsert_aliases(
        conn,
        T["category_alias"],
        "category_id",
        [
            (alias, c_ids[c.name], "alias")
            for c in categories.all_categories()
            for alias in (c.name, c.title, *c.aliases)
        ]
        + [(h, c_ids[c.name], "heading") for c in categories.all_categories() for h in c.headings],
    )
    for kind, known_ids in (("venue", v_ids), ("dataset", d_ids), ("category", c_ids)):
        table = T[KINDS[kind][0]]
        ids = set(known_ids.values())
        stale = [r.id for r in conn.execute(select(table.c.id, table.c.known)) if r.known != (r.id in ids)]
        for rid in stale:
            conn.execute(update(table).where(table.c.id == rid).values(known=rid in ids))
    _fold_newly_known(conn)


def _upsert_named(conn: Connection, table: Table, key: str, rows: list[dict[str, Any]]) -> dict[str, int]:
    existing = {r._mapping[key]: r for r in conn.execute(select(table))}
    for row in rows:
        old = existing.get(row[key])
        if old is None:
            conn.execute(insert(table).values(**row))
        elif any(old._mapping[k] != v for k, v in row.items()):
            conn.execute(update(table).where(table.c[key] == row[key]).values(**row))
    names = {row[key] for row in rows}
    return {r._mapping[key]: r.id for r in conn.execute(select(table.c[key], table.c.id)) if r._mapping[key] in names}


def _upsert_aliases(conn: Connection, table: Table, fk: str, pairs: list[tuple[Any, ...]]) -> None:
    existing = {r.alias_key: r for r in conn.execute(select(table))}
    seen: set[str] = set()
    for pair in pairs:
        alias, target = pair[0], pair[1]
        key = alias_key(alias)
        if not key or key in seen:
            continue
        seen.add(key)
        row = {"alias_key": key, "alias": alias, fk: target}
        if len(pair) > 2:
            row["kind"] = pair[2]
        old = existing.get(key)
        if old is None:
            conn.execute(insert(table).values(**row))
        elif any(old._mapping[k] != v for k, v in row.items()):
            conn.execute(update(table).where(table.c.alias_key == key).values(**row))


def _fold_newly_known(conn: Connection) -> None:
    """An unknown row that a vocabulary entry now names (a maintainer added the spelling to a
    TOML file) is folded into that entry: its papers re-pointed, its aliases kept."""
    from adbib.normalize.categories import category_for_heading, resolve_category
    from adbib.normalize.datasets import is_known, resolve_dataset
    from adbib.normalize.venues import open_venue

    def venue_target(row: Any) -> str | None:
        for text in (row.short_name, row.name):
            m = open_venue(text)
            if m is not None and m.known:
                return m.short
        return None

    def dataset_target(row: Any) -> str | None:
        return resolve_dataset(row.name)[0] if is_known(row.name) else None

    def category_target(row: Any) -> str | None:
        return next(
            filter(None, (category_for_heading(row.title), resolve_category(row.title), resolve_category(row.name))),
            None,
        )

    targets: dict[str, Callable[[Any], str | None]] = {
        "venue": venue_target,
        "dataset": dataset_target,
        "category": category_target,
    }
    for kind, target_of in targets.items():
        table_name, _, _, name_col = KINDS[kind]
        table = T[table_name]
        rows = conn.execute(select(table).where(table.c.known.is_(False))).all()
        if not rows:
            continue
        by_name = {r._mapping[name_col]: r.id for r in conn.execute(select(table.c[name_col], table.c.id))}
        for row in rows:
            target = target_of(row)
            if target is not None and by_name.get(target) not in (None, row.id):
                _fold(conn, kind, row.id, by_name[target])


def _fold(conn: Connection, kind: str, old_id: int, new_id: int) -> None:
    """Re-point every use and alias of vocabulary row OLD at NEW, then delete OLD."""
    table_name, alias_table, fk, _ = KINDS[kind]
    for users_table, col, key in _USERS[kind]:
        t = T[users_table]
        if not key:
            conn.execute(update(t).where(t.c[col] == old_id).values({col: new_id}))
            continue
        have = {tuple(r) for r in conn.execute(select(*(t.c[k] for k in key)).where(t.c[col] == new_id))}
        for r in conn.execute(select(t).where(t.c[col] == old_id)).all():
            row = dict(r._mapping)
            if tuple(row[k] for k in key) not in have:
                row[col] = new_id
                conn.execute(insert(t).values(**row))
        conn.execute(delete(t).where(t.c[col] == old_id))
    a = T[alias_table]
    conn.execute(update(a).where(a.c[fk] == old_id).values({fk: new_id}))
    conn.execute(delete(T[table_name]).where(T[table_name].c.id == old_id))


def map_value(conn: Connection, kind: str, value: str, target: str) -> dict[str, Any]:
    """Fold the stored value VALUE (a venue, dataset or category, by any of its spellings) into
    TARGET (another stored one, usually from the vocabulary): its papers follow, its spellings
    become TARGET's aliases so later imports resolve them to TARGET."""
    if kind not in KINDS:
        raise AdbibError(f"unknown vocabulary {kind!r} (known: {', '.join(KINDS)})")
    table_name, alias_table, fk, name_col = KINDS[kind]
    t, a = T[table_name], T[alias_table]

    def find(text: str) -> Any:
        row = conn.execute(select(t).where(t.c[name_col] == text)).first()
        if row is None and (key := alias_key(text)):
            hit = conn.execute(select(a.c[fk]).where(a.c.alias_key == key)).first()
            if hit is not None:
                row = conn.execute(select(t).where(t.c.id == hit[0])).first()
        if row is None:
            raise AdbibError(f"no {kind} {text!r} in the database")
        return row

    old, new = find(value), find(target)
    if old.id == new.id:
        raise AdbibError(f"{value!r} is already {kind} {new._mapping[name_col]!r}")
    _fold(conn, kind, old.id, new.id)
    return {"kind": kind, "from": old._mapping[name_col], "to": new._mapping[name_col]}


# ---------------------------------------------------------------- get or create


@dataclass
class _Row:
    id: int
    name: str
    type: str | None = None


class VocabRows:
    """Find or create vocabulary rows by alias key, for one import.

    ``rows`` and ``alloc`` are the writer's pending-insert lists and id allocator: new rows are
    queued, not written, and every key they bring is known at once to later lookups.
    """

    def __init__(
        self,
        conn: Connection,
        queue: Callable[[str, int, dict[str, Any]], None],
        alloc: Callable[[str], int],
        on_new: Callable[[str, str, int], None],
    ) -> None:
        self.queue, self.alloc, self.on_new = queue, alloc, on_new
        self.by_key: dict[str, dict[str, int]] = {}
        self.by_name: dict[str, dict[str, _Row]] = {}
        for kind, (table_name, alias_table, fk, name_col) in KINDS.items():
            t, a = T[table_name], T[alias_table]
            cols = [t.c.id, t.c[name_col]] + ([t.c.type] if kind == "venue" else [])
            self.by_name[kind] = {
                r[1]: _Row(r[0], r[1], r[2] if kind == "venue" else None) for r in conn.execute(select(*cols))
            }
            self.by_key[kind] = {r[0]: r[1] for r in conn.execute(select(a.c.alias_key, a.c[fk]))}
        self.by_id: dict[str, dict[int, _Row]] = {
            kind: {row.id: row for row in rows.values()} for kind, rows in self.by_name.items()
        }

    def _find(self, kind: str, name: str, spellings: Iterable[str]) -> _Row | None:
        row = self.by_name[kind].get(name)
        if row is not None:
            return row
        for spelling in spellings:
            rid = self.by_key[kind].get(alias_key(spelling))
            if rid is not None:
                return self.by_id[kind][rid]
        return None

    def _create(
        self,
        kind: str,
        line: int,
        values: dict[str, Any],
        spellings: Iterable[str],
        alias_extra: dict[str, Any] | None = None,
    ) -> _Row:
        table_name, alias_table, fk, name_col = KINDS[kind]
        rid = self.alloc(table_name)
        self.queue(table_name, line, {"id": rid, **values})
        row = _Row(rid, values[name_col], values.get("type"))
        self.by_name[kind][row.name] = row
        self.by_id[kind][rid] = row
        for spelling in spellings:
            key = alias_key(spelling)
            if key and key not in self.by_key[kind]:
                self.by_key[kind][key] = rid
                self.queue(alias_table, line, {"alias_key": key, "alias": spelling, fk: rid, **(alias_extra or {})})
        if not values.get("known", True):
            self.on_new(kind, row.name, line)
        return row

    def venue(self, short: str, name: str, vtype: str | None, known: bool, line: int) -> tuple[int, str | None]:
        """(id, type) of a venue; an unknown one is created with its cleaned name and inferred type."""
        row = self._find("venue", short, (short, name))
        if row is None:
            row = self._create(
                "venue", line, {"short_name": short, "name": name, "type": vtype, "known": known}, (short, name)
            )
        return row.id, row.type

    def venue_type(self, short: str, name: str | None, vtype: str | None) -> str | None:
        """The type of the venue a record names, without creating it."""
        row = self._find("venue", short, (short, name or short))
        return row.type if row is not None else vtype

    def dataset(self, name: str, family: str, known: bool, raw: str, line: int) -> int:
        row = self._find("dataset", name, (name, raw))
        if row is None:
            row = self._create("dataset", line, {"name": name, "family": family, "known": known}, (name, raw))
        return row.id

    def category(self, slug: str, title: str, known: bool, line: int) -> int:
        row = self._find("category", slug, (slug, title))
        if row is None:
            row = self._create(
                "category", line, {"name": slug, "title": title, "known": known}, (slug, title), {"kind": "heading"}
            )
        return row.id
