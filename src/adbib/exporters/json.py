"""JSON export: one array of paper objects, written object by object.

The output is byte-for-byte what ``json.dumps(list(papers), indent=2, ensure_ascii=False)``
would give (plus a final newline), without holding the list: each object is dumped on its own
and indented one level.  Keys come in the fixed order of :data:`FIELDS`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TextIO

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
)


_HOSTILE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def write(papers: Iterable[dict], out: TextIO) -> int:
    n = 0
    for paper in papers:
        text = json.dumps({key: paper[key] for key in FIELDS}, indent=2, ensure_ascii=False)
        if _HOSTILE.search(text):  # what json leaves raw but a terminal would act on: \u escapes
            text = _HOSTILE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
        # JSON strings never hold a raw newline, so every newline is indentation.
        out.write(("[\n  " if n == 0 else ",\n  ") + text.replace("\n", "\n  "))
        n += 1
    out.write("\n]\n" if n else "[]\n")
    return n
