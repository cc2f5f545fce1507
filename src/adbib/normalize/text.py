"""Text repair and match keys."""

from __future__ import annotations

import re
import unicodedata

_MAC_ROMAN_MARKERS = ("√", "‚", "Ô", "ü¶")


def repair(text: str) -> str:
    """Repair mojibake in one line or block of text.

    First the exact inverse of the commonest accident in our sources — UTF-8 bytes decoded as
    Mac Roman (``M√ºller``) — is tried, kept only when it round-trips strictly; then ftfy fixes
    everything else (UTF-8 read as cp1252 such as ``ðŸ¦‰``, curly quotes, full-width forms).
    """
    if not text:
        return text
    if any(m in text for m in _MAC_ROMAN_MARKERS):
        try:
            text = text.encode("mac_roman").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
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
    return re.sub(r"\s+", " ", text).strip()
