"""The editable vocabularies in ``data/vocab/*.toml``, read once per process.

Maintainers edit the TOML files, not code: venues, datasets and categories (with the list
headings that map onto them).  :func:`load` parses a file the first time it is asked for and
then serves it from a cache, as do the lookup tables built from it: a process sees the
vocabulary as it was when first used.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from typing import Any

from adbib.normalize.text import fold
from adbib.resources import vocab_dir


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed ``data/vocab/<name>.toml``; raises FileNotFoundError naming the path."""
    path = vocab_dir() / f"{name}.toml"
    with path.open("rb") as fh:
        return tomllib.load(fh)


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def match_key(text: str) -> str:
    """The key vocabulary lookups compare: accents folded, case, punctuation and spaces dropped.

    'Medical Image Analysis ' -> 'medicalimageanalysis', 'MVTec-3D AD' -> 'mvtec3dad',
    'Chest X-ray Anomaly Detection （in-house）' -> 'chestxrayanomalydetectioninhouse'.
    """
    return _NOT_ALNUM.sub("", text.lower() if text.isascii() else fold(text))
