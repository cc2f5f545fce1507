"""Maps held in dicts while they are small, then in a private, temporary SQLite database (issue 15).

What identity must know of every paper of the database (:class:`adbib.resolve.Index`) is ≈ 1.1 KB
of Python objects a paper in dicts: 1.1 GB for a million.  In a scratch database a row is ≈ 100-150
bytes, and the memory it takes is SQLite's page cache, bounded by :data:`CACHE_KIB`: past it, pages
go to a temporary file, which SQLite deletes when the connection closes (an empty file name).  The
same whatever database adbib writes to (SQLite or PostgreSQL): it is the process's own scratch
space, never the user's database.

A lookup there costs ≈ 5 microseconds, not the tens of nanoseconds of a dict, so a map starts as
a dict (:class:`DictMap`, :class:`DictGroups`) and its owner moves it to the scratch database
(:class:`SqlMap`, :class:`Groups`) once it holds enough to matter — an external sort's rule.  Both
kinds answer the same calls; callers ask for what they need in few of them (``get_many``).
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from itertools import islice
from typing import Any, Generic, TypeVar

from adbib.errors import AdbibError

CACHE_KIB = 32 * 1024  # the page cache of a scratch database, in KiB (the identity index's)
MAP_CACHE_KIB = 8 * 1024  # that of a :class:`Spilling` map's (keys looked up one at a time)
SPILL_AT = 100_000  # entries a :class:`Spilling` map holds in a dict before it moves to a scratch database

K = TypeVar("K", int, str)
V = TypeVar("V")


class ScratchError(AdbibError):
    """The scratch space ran out (the disk of the temporary directory is full)."""


class _Connection(sqlite3.Connection):
    """A scratch connection whose disk failures say what failed: not the user's database, the
    space SQLite takes in the temporary directory ($SQLITE_TMPDIR, $TMPDIR, else /var/tmp or /tmp)."""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.OperationalError as e:
            raise _failed(e) from None

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.OperationalError as e:
            raise _failed(e) from None


_DISK = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN")


def _failed(e: sqlite3.OperationalError) -> Exception:
    """A full or failing disk as a :class:`ScratchError`; anything else as it was (a bug)."""
    if not getattr(e, "sqlite_errorname", "").startswith(_DISK):
        return e
    return ScratchError(
        f"the scratch space of a big import failed ({e}): it is in the temporary directory "
        "($SQLITE_TMPDIR or $TMPDIR, else /var/tmp or /tmp) — point TMPDIR at a disk with room; nothing was written"
    )


def connect(cache_kib: int = CACHE_KIB) -> sqlite3.Connection:
    """A new scratch database: private, temporary, one open transaction never committed (no
    journal, no sync: nothing in it outlives the process)."""
    conn = sqlite3.connect(
        "", isolation_level=None, check_same_thread=False, factory=_Connection, cached_statements=256
    )
    conn.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    return conn


def _same(value: Any) -> Any:
    return value


IN_MAX = 512  # values an IN list holds (SQLite takes at most 32,766 parameters a statement)


def in_lists(values: list[Any]) -> Iterator[tuple[str, list[Any]]]:
    """``(?,?,…)`` and its values for ``values``, IN_MAX at a time, each list padded to a power of
    two by repeating its last value (the same set): a handful of distinct statements, each compiled
    once and cached, not one for every length."""
    for at in range(0, len(values), IN_MAX):
        part = values[at : at + IN_MAX]
        n = 1 << (len(part) - 1).bit_length()
        yield "(" + ",".join("?" * n) + ")", part + part[-1:] * (n - len(part))


class DictMap(dict[K, V]):
    """A dict with the calls of :class:`SqlMap` that a dict lacks."""

    def get_many(self, keys: Iterable[K]) -> dict[K, V]:
        return {k: self[k] for k in keys if k in self}

    def set_many(self, pairs: Iterable[tuple[K, V]]) -> None:
        self.update(pairs)

    def add_new(self, key: K, value: V) -> None:
        self.setdefault(key, value)

    def add_many(self, pairs: Iterable[tuple[K, V]]) -> None:
        for k, v in pairs:
            self.setdefault(k, v)


class DictGroups(dict[str, list[int]]):
    """The calls of :class:`Groups`, on a dict of lists."""

    def append(self, key: str, value: int) -> None:
        self.setdefault(key, []).append(value)

    def extend(self, pairs: Iterable[tuple[str, int]]) -> None:
        for key, value in pairs:
            self.setdefault(key, []).append(value)

    def take(self, key: str) -> list[int]:
        return self.pop(key, []) if self else []

    def having(self, keys: Iterable[str]) -> set[str]:
        return {k for k in keys if k in self} if self else set()


class SqlMap(MutableMapping[K, V], Generic[K, V]):
    """A dict from int or str keys to values SQLite can hold once ``encode``-d, in a table of a
    scratch database.  Iteration reads the keys first: the map may change while it runs."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        name: str,
        key_type: type[K],
        encode: Callable[[V], Any] = _same,
        decode: Callable[[Any], V] = _same,
        table: str | None = None,
    ) -> None:
        """``table``: the table's own CREATE statement (a subclass reading other columns than v)."""
        self.conn = conn
        self.encode, self.decode = encode, decode
        if table is not None:
            conn.execute(table)
        elif key_type is int:
            conn.execute(f"CREATE TABLE {name} (k INTEGER PRIMARY KEY, v)")
        else:
            conn.execute(f"CREATE TABLE {name} (k TEXT PRIMARY KEY, v) WITHOUT ROWID")
        self._get = f"SELECT v FROM {name} WHERE k = ?"
        self._many = f"SELECT k, v FROM {name} WHERE k IN "
        self._set = f"INSERT INTO {name} VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v"
        self._new = f"INSERT OR IGNORE INTO {name} VALUES (?, ?)"
        self._del = f"DELETE FROM {name} WHERE k = ?"
        self._keys = f"SELECT k FROM {name}"
        self._len = f"SELECT count(*) FROM {name}"

    def get(self, key: K, default: Any = None) -> Any:
        row = self.conn.execute(self._get, (key,)).fetchone()
        return default if row is None else self.decode(row[0])

    def get_many(self, keys: Iterable[K]) -> dict[K, V]:
        """The stored values of those ``keys`` that are in the map, in one query (or a few)."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        decode = self.decode
        found: dict[K, V] = {}
        for marks, values in in_lists(wanted):
            found.update((k, decode(v)) for k, v in self.conn.execute(self._many + marks, values))
        return found

    def __getitem__(self, key: K) -> V:
        row = self.conn.execute(self._get, (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        value: V = self.decode(row[0])
        return value

    def __setitem__(self, key: K, value: V) -> None:
        self.conn.execute(self._set, (key, self.encode(value)))

    def set_many(self, pairs: Iterable[tuple[K, V]]) -> None:
        """``self[key] = value`` for many pairs, in one statement."""
        encode = self.encode
        self.conn.executemany(self._set, ((k, encode(v)) for k, v in pairs))

    def add_new(self, key: K, value: V) -> None:
        """``setdefault`` without reading back: the value is stored unless the key has one."""
        self.conn.execute(self._new, (key, self.encode(value)))

    def add_many(self, pairs: Iterable[tuple[K, V]]) -> None:
        """``add_new`` for many pairs, in one statement."""
        encode = self.encode
        self.conn.executemany(self._new, ((k, encode(v)) for k, v in pairs))

    def __delitem__(self, key: K) -> None:
        if self.conn.execute(self._del, (key,)).rowcount == 0:
            raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return self.conn.execute(self._get, (key,)).fetchone() is not None

    def __iter__(self) -> Iterator[K]:
        return iter([k for (k,) in self.conn.execute(self._keys)])

    def __len__(self) -> int:
        n: int = self.conn.execute(self._len).fetchone()[0]
        return n


def pack_ids(ids: int | tuple[int, ...] | None) -> int | bytes | None:
    """A compact set of ids as SQLite holds it: one id an integer, several a blob of 8-byte ids in
    their order, None (a split block) NULL."""
    if ids is None or isinstance(ids, int):
        return ids
    return array("q", ids).tobytes()


def unpack_ids(value: int | bytes) -> int | tuple[int, ...]:
    return value if isinstance(value, int) else tuple(array("q", value))


def unpack_block(value: int | bytes | None) -> int | tuple[int, ...] | None:
    """:func:`unpack_ids`, NULL read as None (a block split)."""
    return None if value is None else unpack_ids(value)


class Groups:
    """Lists of ids under string keys, each kept in the order its ids came in (a dict of lists
    that is only ever appended to and taken whole)."""

    def __init__(self, conn: sqlite3.Connection, name: str) -> None:
        self.conn = conn
        conn.execute(f"CREATE TABLE {name} (seq INTEGER PRIMARY KEY, k TEXT NOT NULL, v INTEGER NOT NULL)")
        conn.execute(f"CREATE INDEX {name}_k ON {name} (k, seq)")
        self._add = f"INSERT INTO {name} (k, v) VALUES (?, ?)"
        self._get = f"SELECT v FROM {name} WHERE k = ? ORDER BY seq"
        self._has = f"SELECT 1 FROM {name} WHERE k = ? LIMIT 1"
        self._del = f"DELETE FROM {name} WHERE k = ?"
        self._keys = f"SELECT DISTINCT k FROM {name}"
        self.rows = 0  # held in Python: ``bool(groups)`` asked for every paper added

    def append(self, key: str, value: int) -> None:
        self.conn.execute(self._add, (key, value))
        self.rows += 1

    def extend(self, pairs: Iterable[tuple[str, int]]) -> None:
        """``append`` for many pairs, in one statement."""
        before = self.conn.total_changes
        self.conn.executemany(self._add, pairs)
        self.rows += self.conn.total_changes - before

    def take(self, key: str) -> list[int]:
        """The ids of ``key``, in order, removed."""
        if not self.rows:
            return []
        ids = [v for (v,) in self.conn.execute(self._get, (key,))]
        if ids:
            self.conn.execute(self._del, (key,))
            self.rows -= len(ids)
        return ids

    def __contains__(self, key: object) -> bool:
        return bool(self.rows) and self.conn.execute(self._has, (key,)).fetchone() is not None

    def having(self, keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` that hold ids, in one query."""
        wanted = list(dict.fromkeys(keys))
        if not self.rows or not wanted:
            return set()
        return {
            k
            for marks, values in in_lists(wanted)
            for (k,) in self.conn.execute(self._keys + " WHERE k IN " + marks, values)
        }

    def __bool__(self) -> bool:
        return self.rows > 0

    def __iter__(self) -> Iterator[str]:
        return iter([k for (k,) in self.conn.execute(self._keys)])

    def items(self) -> list[tuple[str, list[int]]]:
        return [(k, [v for (v,) in self.conn.execute(self._get, (k,))]) for k in self]

    def values(self) -> list[list[int]]:
        return [[v for (v,) in self.conn.execute(self._get, (k,))] for k in self]


class Spilling(MutableMapping[K, V]):
    """A map held in a dict until it holds more than ``spill_at`` entries, then in a table of a
    scratch database of its own (what an import remembers of every record: its memory bounded
    however long the file)."""

    def __init__(
        self,
        name: str,
        key_type: type[K],
        spill_at: int | None = None,
        encode: Callable[[V], Any] = _same,
        decode: Callable[[Any], V] = _same,
    ) -> None:
        self.name, self.encode, self.decode = name, encode, decode
        self.key_type: type[K] = key_type
        self.spill_at = SPILL_AT if spill_at is None else spill_at
        self.map: DictMap[K, V] | SqlMap[K, V] = DictMap()
        self.db: sqlite3.Connection | None = None
        self._grew()

    def _grew(self) -> None:
        if self.db is None and len(self.map) > self.spill_at:
            self.db = connect(MAP_CACHE_KIB)
            spilled: SqlMap[K, V] = SqlMap(self.db, self.name, self.key_type, self.encode, self.decode)
            spilled.set_many(self.map.items())
            self.map = spilled

    def get(self, key: K, default: Any = None) -> Any:
        return self.map.get(key, default)

    def __getitem__(self, key: K) -> V:
        return self.map[key]

    def __setitem__(self, key: K, value: V) -> None:
        self.map[key] = value
        if self.db is None:
            self._grew()

    def set_many(self, pairs: Iterable[tuple[K, V]], batch: int = 8192) -> None:
        """``self[key] = value`` for many pairs: in one statement once spilled, else ``batch`` at a
        time into the dict (which moves when it grows past ``spill_at``)."""
        if self.db is not None:
            self.map.set_many(pairs)
            return
        it = iter(pairs)
        while chunk := list(islice(it, batch)):
            self.map.set_many(chunk)
            self._grew()

    def __delitem__(self, key: K) -> None:
        del self.map[key]

    def __contains__(self, key: object) -> bool:
        return key in self.map

    def __iter__(self) -> Iterator[K]:
        return iter(self.map)

    def __len__(self) -> int:
        return len(self.map)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
