"""Readers: one pure parser per input dialect, text -> ParseResult.

Every reader module exposes ``read(text: str) -> ParseResult`` and ``detect(text: str) -> bool``
(a cheap test whether the text looks like its dialect).  Readers never touch the database and
never raise on a bad entry: they return it as a ParseFailure with its line number.  The only
exception they raise is :class:`adbib.records.ReaderError`, for input that is not readable at all.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType

from adbib.records import ReaderError

# dialect name -> module under adbib.readers; order matters for detection (most specific first)
DIALECTS: dict[str, str] = {
    "adbib-md": "adbib_markdown",  # before lgc: adbib's markdown export uses LGC-like bullets
    "lgc": "lgc",
    "diaoquesang-md": "diaoquesang",
    "diaoquesang-text": "diaoquesang_text",
    "medaierhhl": "medaierhhl",
    "csv": "adbib_csv",
    "bibtex": "bibtex",
    "table": "table_csv",  # any CSV/TSV with a header naming its columns
    "rst": "generic_rst",  # any reStructuredText paper list
    "generic": "generic",  # any markdown paper list: the fallback, keep it last
}


def reader(dialect: str) -> ModuleType:
    try:
        mod = DIALECTS[dialect]
    except KeyError:
        raise ReaderError(f"unknown format {dialect!r}; known formats: {', '.join(DIALECTS)}") from None
    return importlib.import_module(f"adbib.readers.{mod}")


def decode(data: bytes, name: str = "input") -> str:
    """Bytes -> text, refusing what is not a text bibliography (binary, empty)."""
    if not data.strip():
        raise ReaderError(f"{name}: the file is empty")
    utf16 = _utf16(data)
    if utf16 is not None:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            raise ReaderError(f"{name}: looks like UTF-16 but does not decode as UTF-16") from None
        if "\x00" in text[:4096]:  # UTF-32, or binary data that happens to start like UTF-16
            raise ReaderError(f"{name}: binary file, not a bibliography")
        return text[1:] if text.startswith("\ufeff") else text
    if b"\x00" in data[:8192]:
        raise ReaderError(f"{name}: binary file, not a bibliography")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Not UTF-8: cp1252 is what such files usually are; repair happens per value later.
        return data.decode("cp1252", errors="replace")


_BIB_ENTRY = re.compile(r"^[ \t]*@[A-Za-z]+[ \t]*[{(][ \t]*[^\s,{}()]+[ \t]*,", re.M)
_MD_LINK_LINE = re.compile(r"^.*(?:\]\(\s*https?://|<https?://[^>]+>`_).*$", re.M)


def holds_bibtex(text: str) -> bool:
    """A markdown or text file whose papers are BibTeX entries (fenced in ```bibtex or bare):
    at least one entry, and no more lines with markdown links outside them than entries —
    a paper list that ends with its own ``@misc`` citation block stays a list."""
    entries = len(_BIB_ENTRY.findall(text))
    if not entries:
        return False
    return len(_MD_LINK_LINE.findall(text)) <= entries


def _utf16(data: bytes) -> str | None:
    """'utf-16' for a text with a UTF-16 byte-order mark, 'utf-16-le' / 'utf-16-be' for one
    without a mark whose every other byte is NUL (ASCII text saved as UTF-16, as Windows tools
    do), else None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:8192]
    if len(head) < 4 or (len(head) % 2 and len(head) == len(data)):
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def detect(text: str) -> str | None:
    """Name of the first dialect whose detect() accepts the text, or None."""
    head = text.lstrip()[:2048].lower()
    if head.startswith(("<!doctype html", "<html")):
        return None
    for dialect in DIALECTS:
        try:
            if reader(dialect).detect(text) or (dialect == "bibtex" and holds_bibtex(text)):
                return dialect
        except ModuleNotFoundError:
            continue
    return None
