"""Author lists -> :class:`~adbib.records.Name` objects, with bibtexparser v2 doing the splitting.

The forms lists use, and how each is read:

* BibTeX ``Family, Given and Family, Given`` and ``Given Family and Given Family``: split on
  ``and`` by :func:`bibtexparser.middlewares.names.split_multiple_persons_names`, each person
  split into given / von / family / jr by ``parse_single_name_into_parts``;
* a comma list ``Given Family, Given Family`` (also ending ``... & Given Family`` or
  ``..., and Given Family``): one person per comma item.  A string with a single comma is one
  person ``Family, Given`` when either side is one word or the given side carries an initial
  (``Ruff, Lukas``, ``van den Hengel, Anton``, ``Da Costa, Pedro F``), else two people;
* ``;``-separated lists: one person per item, in either order;
* ``and others``, ``, and others``, ``et al.`` at the end: ``truncated`` is set, no author added;
* LaTeX (``G{\\"o}rnitz``, ``{{Corporate Author}}``): decoded to Unicode by pylatexenc -- only
  for parts containing ``\\`` or ``{``, since decoding is slow; a backslash lost by a rendered
  page (``M{"u}ller``) is put back first;
* a missing comma (``Fandong Zhang Ling Luo, Xinwei Sun, ...``): in a list of ``Given Family``
  names where every other name has exactly two words, an item of exactly four capitalized words
  without initials or particles is read as two people.  This is a guess, so it is reported
  (see :func:`parse_authors`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from adbib.limits import MAX_NAMES
from adbib.normalize.text import title_key

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text
from adbib.records import Name

# '... and others', '..., and others', '... & others', '... et al.', '..., others' at the end.
_TRUNCATION = re.compile(r"(?:[,;]?\s*(?:\band|&)\s+others|[,;]?\s*\bet\s*al\b\.?|[,;]\s*others)\s*$", re.I)
_AMPERSAND = re.compile(r"(?<!\\)&")  # no \s* around it: quadratic on long runs of spaces
_LOST_BACKSLASH = re.compile(r"\{([\"'`^~=.])([A-Za-z])\}")
_INITIAL = re.compile(r"^[^\W\d_]\.?$|^(?:[^\W\d_]\.)+$")  # 'A', 'A.', 'H.L.'
_JR = re.compile(r"^(?:jr|sr|[ivx]+)\.?$", re.I)
# BibTeX's "and" between two persons, as bibtexparser's splitter finds it outside braces: its
# whitespace (space, tab, CR, LF only), "and" in any case, whitespace, then the next person.
_AND = re.compile(r"[ \t\r\n]+[aA][nN][dD][ \t\r\n]+(?=[^ \t\r\n])")


@dataclass
class AuthorList:
    names: list[Name]
    truncated: bool = False
    notes: list[str] = field(default_factory=list)  # guesses worth reporting


def split_authors(raw: str | None) -> tuple[list[Name], bool]:
    """(names in order, truncated) of an author string in any form the lists use."""
    parsed = parse_authors(raw)
    return parsed.names, parsed.truncated


def parse_authors(raw: str | None) -> AuthorList:
    """Like :func:`split_authors`, also returning notes on guesses made (a missing comma)."""
    text = (raw or "").strip()
    if not text:
        return AuthorList([])
    # the truncation marker is at the end: search only the tail (the pattern's leading \s* is
    # quadratic on a long run of spaces)
    tail = text[-64:]
    m = _TRUNCATION.search(tail)
    if m:
        text = text[: len(text) - len(tail) + m.start()]
    result = AuthorList([], truncated=m is not None)
    if "{" in text:
        text = _LOST_BACKSLASH.sub(r"{\\\1\2}", text)
    items = [i.strip() for i in _person_strings(text)]
    items = [i for i in items if i and i.casefold() != "others"]
    if not any("," in i for i in items):
        items = _split_missing_commas(items, result.notes)
    if len(items) > MAX_NAMES:
        result.notes.append(f"{len(items):,} authors: the first {MAX_NAMES:,} kept, the rest as 'and others'")
        items, result.truncated = items[:MAX_NAMES], True
    result.names = [name for name in map(_name, items) if name.family or name.given]
    return result


def parse_bibtex_authors(raw: str | None) -> AuthorList:
    """A BibTeX name list, split by BibTeX's rule only: persons are separated by ``and`` at brace
    depth 0, each person is ``First von Last``, ``von Last, First`` or ``von Last, Jr, First``
    (so ``dos Santos Teixeira, Pedro Henriques`` is one person); a final ``and others`` sets
    ``truncated``.  None of the comma heuristics of the markdown lists apply."""
    text = (raw or "").strip()
    if not text:
        return AuthorList([])
    if "{" in text:
        text = _LOST_BACKSLASH.sub(r"{\\\1\2}", text)
    persons = [p.strip() for p in split_persons(text)]
    truncated = bool(persons) and persons[-1].casefold() == "others"
    persons = [p for p in persons if p and p.casefold() != "others"]
    notes = []
    if len(persons) > MAX_NAMES:
        notes.append(f"{len(persons):,} authors: the first {MAX_NAMES:,} kept, the rest as 'and others'")
        persons, truncated = persons[:MAX_NAMES], True
    names = [name for name in map(_name, persons) if name.family or name.given]
    return AuthorList(names, truncated=truncated, notes=notes)


def split_persons(names: str) -> list[str]:
    """``bibtexparser.middlewares.names.split_multiple_persons_names(names)``, by one regex split
    (that splitter walks the text a character at a time in Python: ≈40 µs an author list).

    Its state machine finds "whitespace, and, whitespace, a next character" outside braces; a
    brace group (``{\\"o}``, ``{MONAI and Friends}``: nested, with ``\\`` escaping the next
    character) acts there as one run of ordinary characters.  So the groups are masked as such
    (``x`` characters, same length) and the masked text is split; a text with a backslash or a
    stray brace outside the groups goes to bibtexparser (tests/test_read_fast_paths.py compares)."""
    names = names.strip(" \r\n\t")
    if not names:
        return []
    masked = names
    if "{" in names or "}" in names or "\\" in names:
        got = _masked(names)
        if got is None:
            from bibtexparser.middlewares.names import split_multiple_persons_names

            return split_multiple_persons_names(names)
        masked = got
    persons, start = [], 0
    for m in _AND.finditer(masked):
        persons.append(names[start : m.start()])
        start = m.end()
    persons.append(names[start:])
    return persons


_BRACE_OR_ESCAPE = re.compile(r"[{}\\]")


def _masked(names: str) -> str | None:
    """``names`` with each top-level brace group as ``x`` characters; None when a backslash or a
    closing brace is outside any group, or a group is not closed.  One pass over the braces and
    backslashes only, as bibtexparser's splitter counts them (a backslash skips the character
    after it, a brace too)."""
    pieces: list[str] = []
    depth = kept = opened = escaped_until = 0
    for m in _BRACE_OR_ESCAPE.finditer(names):
        at = m.start()
        if at < escaped_until:
            continue
        char = m[0]
        if char == "\\":
            if not depth:
                return None
            escaped_until = at + 2
        elif char == "{":
            if not depth:
                opened = at
            depth += 1
        else:
            if not depth:
                return None
            depth -= 1
            if not depth:
                pieces += [names[kept:opened], "x" * (at + 1 - opened)]
                kept = at + 1
    if depth:
        return None
    pieces.append(names[kept:])
    return "".join(pieces)


def _person_strings(text: str) -> list[str]:
    """One string per person, in order (see the module docstring for the rules)."""
    if ";" in text:
        return text.split(";")
    if "&" in text:
        text = " and ".join(part.strip() for part in _AMPERSAND.split(text))
    pieces = split_persons(text)
    with_comma = [p for p in pieces if "," in p]
    if not with_comma:
        return pieces
    if len(pieces) > 1 and all(_is_one_person(p) for p in with_comma):
        return pieces  # BibTeX: 'Family, Given' persons, maybe beside a '{Corporate Author}'
    if len(pieces) == 1 and _is_one_person(pieces[0]):
        return pieces
    return [item for p in pieces for item in p.split(",")]


def _is_one_person(text: str) -> bool:
    """Whether a string with commas is one 'Family, Given' (or 'Family, Jr, Given') person."""
    parts = [p.split() for p in text.split(",")]
    if len(parts) == 3:
        return len(parts[1]) == 1 and bool(_JR.match(parts[1][0]))
    if len(parts) != 2:
        return False
    family, given = parts
    return len(family) == 1 or len(given) == 1 or any(_INITIAL.match(w) for w in given)


def _split_missing_commas(items: list[str], notes: list[str]) -> list[str]:
    """Read a four-word item among two-word 'Given Family' names as two people."""
    words = [i.split() for i in items]
    # "every other item has two words", counted once (not a copy of the list per item: quadratic)
    not_two = sum(len(w) != 2 for w in words)
    out: list[str] = []
    for k, w in enumerate(words):
        if (
            len(w) == 4
            and len(words) - 1 >= 2
            and not_two == 1  # w itself is the only item without two words
            and all(x.isalpha() and x[0].isupper() and x[1:].islower() for x in w)
        ):
            out += [" ".join(w[:2]), " ".join(w[2:])]
            notes.append(f"author {items[k]!r} read as two authors (a missing comma)")
        else:
            out.append(items[k])
    return out


def _name(person: str) -> Name:
    try:
        given, von, family, jr = _name_parts(person)
    except RecursionError:  # braces nested hundreds deep: bibtexparser recurses per level
        return Name(given="", family=" ".join(person.replace("{", " ").replace("}", " ").split()))
    return Name(given=given, family=family, von=von, jr=jr)


# What makes a person more than words: LaTeX, braces, ties (bibtexparser's word separators are
# space, tab, CR, LF and ~).
_NAME_MARKUP = re.compile(r"[\\{}~]")
_NAME_WORD = re.compile(r"[^ \t\r\n]+")


def _name_parts(person: str) -> tuple[str, str, str, str]:
    """(given, von, family, jr) of one person, LaTeX decoded.

    The two commonest forms are read directly, as bibtexparser reads them: ``Family, Given …``
    with a one-word family (no von part can be in one word) and ``Given Family`` (two words are
    always first and last), neither with markup (tests/test_read_fast_paths.py compares)."""
    if not _NAME_MARKUP.search(person):
        family, comma, given = person.partition(",")
        if comma:
            if "," not in given:
                last, first = _NAME_WORD.findall(family), _NAME_WORD.findall(given)
                if len(last) == 1 and first:
                    return " ".join(first), "", last[0], ""
        else:
            words = _NAME_WORD.findall(person)
            if len(words) == 2:
                return words[0], "", words[1], ""
    return _parsed_name_parts(person)


@lru_cache(maxsize=16384)
def _parsed_name_parts(person: str) -> tuple[str, str, str, str]:
    """:func:`_name_parts` by bibtexparser's name parser; cached, as authors recur."""
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    parts = parse_single_name_into_parts(person, strict=False)
    given, von, family, jr = (_text(" ".join(p)) for p in (parts.first, parts.von, parts.last, parts.jr))
    return given, von, family, jr


def _text(part: str) -> str:
    return _decode_latex(part) if "\\" in part or "{" in part else part


@cache
def _decoder() -> LatexNodes2Text:
    from pylatexenc.latex2text import LatexNodes2Text

    # The settings of bibtexparser's LatexDecodingMiddleware: braces dropped, math kept.
    return LatexNodes2Text(keep_braced_groups=False, math_mode="verbatim")


def _decode_latex(text: str) -> str:
    return " ".join(_decoder().latex_to_text(text).split())


def name_key(name: Name) -> str:
    """Identity key of an author: folded 'given von family' ('Klaus-Robert Müller' ->
    'klaus robert muller')."""
    return title_key(" ".join(p for p in (name.given, name.von, name.family) if p))


def family_key(name: Name) -> str:
    """Folded family name with its von part ('van den Hengel' -> 'van den hengel')."""
    return title_key(name.last)
