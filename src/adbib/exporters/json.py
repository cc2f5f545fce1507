"""JSON export: one array of paper objects, written object by object, one object a line.

The layout is ``[`` on a line of its own, then each paper object on one line (``, `` between
items, ``: `` after keys, as ``json.dumps`` writes them), a comma ending every line but the
last object's, and ``]`` (``[]`` for no paper).  One line an object keeps the output readable
with grep, head and diff, and lets the C encoder of the json module write it (``indent=2``
would run its pure-Python encoder, several times slower); the list is never held.  Keys come in
the fixed order of :data:`FIELDS`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import TextIO

from adbib.records import ExportedPaper

PARTS = frozenset(
    {"authors", "abstract", "links", "datasets", "categories", "fields", "tags", "sources"}
)  # every one (adbib.rows.PARTS)

FIELDS = (
    "id",
    "citekey",
    "title",
    "year",
    "date",
    "venue",
    "venue_name",
    "venue_type",
    "authors",
    "author_names",
    "authors_truncated",
    "arxiv",
    "doi",
    "links",
    "datasets",
    "categories",
    "domain",
    "abstract",
    "summary",
    "sources",
    "fields",  # pages, volume, number, publisher, month, editor, … ({} when none)
    "short_name",
    "tags",  # the user's tags (adbib tag), sorted
    "note",  # the user's note (adbib note), or null
)

# Fields added after the first release: a paper dict without them exports them as null.
OPTIONAL = frozenset({"short_name", "fields", "tags", "note"})
_EMPTY: dict[str, object] = {"fields": {}, "tags": []}  # what a missing optional field exports as

_HOSTILE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def write(papers: Iterable[ExportedPaper], out: TextIO) -> int:
    # adbib.rows.papers can give the objects' texts as the engine writes them (the same bytes)
    texts = getattr(papers, "json_texts", lambda: None)()
    n = 0
    for text in texts if texts is not None else map(_text, papers):
        if _HOSTILE.search(text):  # what json leaves raw but a terminal would act on: \u escapes
            text = _HOSTILE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
        out.write(("[\n" if n == 0 else ",\n") + text)
        n += 1
    out.write("\n]\n" if n else "[]\n")
    return n


def _text(paper: ExportedPaper) -> str:
    values: Mapping[str, object] = paper  # read by the names in FIELDS
    return _dumps({key: values.get(key, _EMPTY.get(key)) if key in OPTIONAL else values[key] for key in FIELDS})


# json.dumps without indent: the C encoder (ensure_ascii=False keeps names and titles readable)
_dumps = json.JSONEncoder(ensure_ascii=False).encode
