"""The query parser as a fuzz target: real queries (from README.md and the query tests) mutated,
then parsed, translated to SQL and run on a seeded database, as ``adbib query`` does.

Allowed outcomes: results, a UsageError (a malformed query: one line in the CLI), or SQLite
refusing a statement beyond its limits (``Expression tree is too large``: the CLI says the query
is too complex).  Anything else is a failure.  Standard library and adbib only.
"""

from __future__ import annotations

import random
import sqlite3

QUERIES = [
    "venue:MICCAI dataset:BraTS diffusion",
    "venue:MIA year:2021-2023 -author:chen",
    'venue:"Medical Image Analysis" year:2022-',
    "venue:MICCAI|MIDL year:-2020 has:code",
    "category:diffusion domain:medical type:journal",
    '"anomaly detection" -gan',
    "author:muller dataset:MVTec|VisA -venue:arXiv",
    'author:"van den Hengel" year:2019|2021|2023',
    "has:arxiv|doi -has:code reconstruction",
    "-category:vlm type:conference|workshop memory bank",
    "self-supervised O'Neil",
    'dataset:BraTS2021 -dataset:"ZhangLab Chest X-ray"',
]
# What a query is made of: fields, operators, quotes, FTS5 syntax that must stay plain text.
PIECES = [
    "venue:",
    "year:",
    "author:",
    "dataset:",
    "category:",
    "domain:",
    "type:",
    "has:",
    "text:",
    "|",
    "-",
    '"',
    " ",
    "*",
    "^",
    "NEAR(",
    ")",
    "AND",
    "OR",
    "NOT",
    ":",
    "2023",
    "-2020",
    "2022-",
    "''",
    "\\",
    "%",
    "_",
    "\x00",
    "\u202e",
    "é",
    "MICCAI",
    "diffusion",
]


def query_case(rng: random.Random) -> tuple[str, list[str]]:
    """One query text and how it was made (a mutated real query, or one built from pieces)."""
    from fuzz.mutations import mutate

    if rng.randrange(4) == 0:
        return "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 60))), ["pieces"]
    return mutate(rng.choice(QUERIES), rng, rng.choice(QUERIES), rng.randrange(1, 4))


def too_complex(error: sqlite3.OperationalError) -> bool:
    """SQLite's refusal of a statement beyond its limits (what the CLI reports as such)."""
    message = str(error)
    return any(
        m in message
        for m in ("Expression tree is too large", "too many SQL variables", "too many terms in compound SELECT")
    )


def check_query(con: sqlite3.Connection, q: str) -> int:
    """Parse and run one query; the number of papers it selects.  Lets UsageError and a
    too-complex OperationalError escape; the caller counts them."""
    from adbib.query import build, run

    spec = build(q)
    ids = run(con, spec)
    assert len(ids) == len(set(ids)), f"a paper listed twice for {q!r}"[:300]
    return len(ids)
