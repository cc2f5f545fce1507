"""Text repair and match keys."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from functools import lru_cache

_MAC_ROMAN_MARKERS = ("√", "‚", "Ô", "ü¶")


def repair(text: str) -> str:
    """Repair mojibake in one line or block of text.

    First the exact inverse of the commonest accident in our sources — UTF-8 bytes decoded as
    Mac Roman (``M√ºller``) — is tried, kept only when it round-trips strictly; then ftfy fixes
    everything else (UTF-8 read as cp1252 such as ``ðŸ¦‰``, curly quotes, full-width forms).
    """
    if not text:
        return text
    if _HOSTILE.search(text):  # whole escape sequences first: ftfy would drop only their ESC
        text = _ESCAPE_SEQUENCE.sub("", text)
    if any(m in text for m in _MAC_ROMAN_MARKERS):
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            text = text.encode("mac_roman").decode("utf-8")
    import ftfy  # imported lazily: only readers need it

    # fix_line_breaks off: a repair must never turn one line into two (U+2028 -> "\n"), or the
    # line numbers of everything after it would shift
    return ftfy.fix_text(text, fix_line_breaks=False)


def fold(text: str) -> str:
    """ASCII-fold and lowercase: 'Müller' -> 'muller', 'Gröger' -> 'groger'."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=16384)  # an import asks for the keys of its author names again and again
def title_key(title: str) -> str:
    """Match key of a title: folded, punctuation and spacing removed, single spaces."""
    return _NON_ALNUM.sub(" ", fold(title)).strip()


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def alias_key(text: str) -> str:
    """The key every alias lookup compares (venues, datasets, categories): accents folded, case,
    punctuation and spaces dropped — 'Medical Image Analysis ' -> 'medicalimageanalysis',
    'BraTS 2021' and 'BraTS2021' -> 'brats2021'."""
    return _NOT_ALNUM.sub("", fold(text))


def clean_spaces(text: str) -> str:
    """Runs of whitespace as one space, none at either end: ``re.sub(r"\\s+", " ", text).strip()``.

    ``str.split()`` splits on exactly the characters ``\\s`` matches in a str pattern (both are
    ``str.isspace``; tests/test_read_fast_paths.py checks every code point), and is ≈5× faster."""
    return " ".join(text.split())


# ------------------------------------------------------------------ hostile characters
# What must never reach a terminal or an export as it is: ESC sequences (CSI ``ESC [ … final``,
# OSC ``ESC ] … BEL`` or ``ESC ] … ESC \\`` — window titles, OSC 8 hyperlinks, OSC 52 clipboard
# writes — and the other two-character escapes), their 8-bit forms (CSI U+009B, OSC U+009D, DCS,
# SOS, PM, APC), every other C0/C1 control and DEL, and the bidirectional overrides and isolates
# (U+202A-U+202E, U+2066-U+2069) that make text display in another order than it is stored.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # 8-bit CSI
    r"|\x1b[ -/]*[0-~]?"  # other escapes (ESC c, ESC ( B, ESC 7 …)
)
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_CONTROLS = re.compile(f"[{_CONTROL}]")
_CONTROLS_AND_LINES = re.compile(f"[{_CONTROL}\t\n]")
_HOSTILE = re.compile(f"[{_CONTROL}]")  # a quick test: most texts have none


def needs_stripping(text: str, *, keep_lines: bool = False) -> bool:
    """Whether :func:`strip_controls` changes ``text`` (it removes or replaces what it finds, so
    a text it finds anything in always changes).  Texts joined by spaces need stripping exactly
    when one of them does."""
    return _HOSTILE.search(text) is not None or (not keep_lines and ("\t" in text or "\n" in text))


def strip_controls(text: str, *, keep_lines: bool = False) -> str:
    """``text`` without escape sequences, C0/C1 controls, DEL, NUL and bidi overrides — the one
    sanitizing step for every value adbib stores.  Tab and newline become a space, or stay when
    ``keep_lines`` (multi-line text such as an abstract)."""
    if not needs_stripping(text, keep_lines=keep_lines):
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    if keep_lines:
        return _CONTROLS.sub(lambda m: " " if m[0] in "\r\x0b\x0c\x1c\x1d\x1e\x1f\x85" else "", text)
    return _CONTROLS_AND_LINES.sub(lambda m: " " if m[0] in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85" else "", text)


def visible(text: str) -> str:
    """``text`` with every control character but tab and newline, DEL and bidi override shown as
    an escape (``\\x1b``, ``\\u202e``) instead of acting on the terminal.  Used for everything
    adbib prints that it did not write itself."""
    if not _HOSTILE.search(text):
        return text
    return _CONTROLS.sub(lambda m: _escape_char(m[0]), text)


def _escape_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
