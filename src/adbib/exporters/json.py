"""JSON export: one array of paper objects, written object by object.

The output is byte-for-byte what ``json.dumps(list(papers), indent=2, ensure_ascii=False)``
would give (plus a final newline), without holding the list: each object is dumped on its own
and indented one level.  Keys come in the fixed order of :data:`FIELDS`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import TextIO

from adbib.records import ExportedPaper

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
    n = 0
    for paper in papers:
        values: Mapping[str, object] = paper  # read by the names in FIELDS
        text = json.dumps(
            {key: values.get(key, _EMPTY.get(key)) if key in OPTIONAL else values[key] for key in FIELDS},
            indent=2,
            ensure_ascii=False,
        )
        if _HOSTILE.search(text):  # what json leaves raw but a terminal would act on: \u escapes
            text = _HOSTILE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
        # JSON strings never hold a raw newline, so every newline is indentation.
        out.write(("[\n  " if n == 0 else ",\n  ") + text.replace("\n", "\n  "))
        n += 1
    out.write("\n]\n" if n else "[]\n")
    return n
