"""BibTeX export that compiles warning-free with bibtex (plain, alpha) and with biber (biblatex).

Entries are built one at a time and written with bibtexparser's writer, so memory stays flat
however many papers stream through.

Entry type
    ``@inproceedings`` (``booktitle``) for conferences and workshops, ``@article`` (``journal``)
    for journals, both with the venue's full name.  They require an author and a year (plain.bst
    warns "empty author/year" otherwise), so a paper lacking either becomes ``@misc`` with the
    venue in ``howpublished``.  Preprints, papers with an unknown venue type and papers without a
    venue are ``@misc`` too.  Any paper with an arXiv id carries ``eprint`` + ``archivePrefix``.

Fields, in this order
    ``author`` (``Family, Given and …``, von parts kept, ``and others`` when the list was
    truncated) or, when there are no authors, ``key`` (the title: plain/alpha sort and label
    authorless entries by it instead of warning "need author or key"); ``title``; ``year``;
    ``booktitle`` | ``journal`` | ``howpublished``; ``doi``; ``eprint``; ``archivePrefix``;
    ``url`` (the first paper link, else the arXiv page); ``code`` (the first official code URL).
    ``code`` is not a standard field: bibtex and biber both ignore unknown fields silently,
    so it costs nothing in the bibliography and keeps the link in the file.

Escaping
    Text fields are LaTeX-encoded with pylatexenc: LaTeX specials become ``\\&``, ``\\%``,
    ``\\_``, ``\\#``, ``\\$``, ``\\textbackslash{}``, ``\\textasciitilde{}`` … and, unless
    ``unicode=True`` (for biber), non-ASCII letters become BibTeX "special characters" such as
    ``G{\\"o}rnitz``; a character LaTeX has no macro for (CJK, emoji) becomes a bold ``?``.
    Braces that pair up are written ``\\{ \\}``; bibtex counts those as braces, so a brace
    without a partner is written ``\\textbraceleft{}`` / ``\\textbraceright{}`` to keep the
    entry balanced.  Title words that must keep their case in sentence-cased styles are
    brace-protected (``{MVTec}``, ``{f-AnoGAN}``, see :func:`needs_protection`).  ``url`` and
    ``doi`` are verbatim fields for biber, which would keep a ``\\%`` as a backslash
    (``%5C%``), so they are written as they are, with only ``{``, ``}`` and ``\\``
    percent-encoded; plain/alpha ignore them.

    ``unicode=True`` output is meant for biber: bibtex 0.99 miscounts multi-byte characters
    (alpha labels can split one), and pdflatex can typeset only the characters its UTF-8 support
    knows (Latin letters with common accents, not Ħ or ȩ); xelatex/lualatex take any.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import TextIO

import bibtexparser
from bibtexparser.middlewares import AddEnclosingMiddleware
from bibtexparser.model import Entry, Field
from bibtexparser.writer import BibtexFormat
from pylatexenc.latexencode import (
    RULE_DICT,
    UnicodeToLatexConversionRule,
    UnicodeToLatexEncoder,
    get_builtin_conversion_rules,
)

from adbib.exporters import primary_url, web_links

# Private-use stand-ins for braces that have no partner (see module docstring).
_LONE_LEFT, _LONE_RIGHT = "\ue000", "\ue001"
# Text that pylatexenc would leave unchanged: printable ASCII without a LaTeX special.
_NEEDS_LATEX = re.compile(r"[^\x20-\x7e]|[#$%&<>\\^_{}~]")
# Words with a letter other than a-z after their first character: candidates for protection.
_CASED_WORD = re.compile(r"(?<!\S)\S(?=\S*?[^\W\da-z_])\S*")
_WORD_CORE = re.compile(r"\w(?:.*\w)?", re.S)
_ACCENTED_DOTLESS_I = re.compile(r"(\\[`'^\"])\\i\}")
# A name part that would be split apart by bibtex's "and"/comma parsing unless grouped.
_NEEDS_GROUP = re.compile(r",|(?:^|\s)and(?:\s|$)", re.I)

_FORMAT = BibtexFormat()
_FORMAT.indent = "  "
_ENCLOSE = [
    AddEnclosingMiddleware(
        reuse_previous_enclosing=False,
        enclose_integers=True,
        default_enclosing="{",
        allow_inplace_modification=True,
    )
]


def write(papers: Iterable[dict], out: TextIO, *, unicode: bool = False) -> int:
    n = 0
    for paper in papers:
        library = bibtexparser.Library([entry(paper, unicode=unicode)])
        text = bibtexparser.write_string(library, unparse_stack=_ENCLOSE, bibtex_format=_FORMAT)
        out.write("\n" + text if n else text)
        n += 1
    return n


def entry(paper: dict, *, unicode: bool = False) -> Entry:
    """The bibtexparser Entry of one paper (field values not yet enclosed in braces)."""
    authors = _authors(paper, unicode)
    title = latex_title(paper["title"], unicode=unicode)
    venue = paper["venue_name"] or paper["venue"]
    kind = paper["venue_type"]
    complete = bool(venue and authors and paper["year"])
    if complete and kind in ("conference", "workshop"):
        entry_type, venue_field = "inproceedings", "booktitle"
    elif complete and kind == "journal":
        entry_type, venue_field = "article", "journal"
    else:
        entry_type, venue_field = "misc", "howpublished" if venue and kind != "preprint" else None
    arxiv = paper["arxiv"]
    code = web_links(paper, "code")
    url = primary_url(paper)
    fields = [
        ("author", authors) if authors else ("key", title),
        ("title", title),
        ("year", str(paper["year"]) if paper["year"] else None),
        (venue_field, latex(venue, unicode=unicode) if venue_field else None),
        ("doi", _verbatim(paper["doi"])),
        ("eprint", _verbatim(arxiv)),
        ("archivePrefix", "arXiv" if arxiv else None),
        ("url", _verbatim(url)),
        ("code", _verbatim(code[0] if code else None)),
    ]
    return Entry(entry_type, paper["citekey"], [Field(k, v) for k, v in fields if v])


def latex(text: str, *, unicode: bool = False) -> str:
    """LaTeX-encode a text value (see the module docstring)."""
    return _encode(_mark_lone_braces(text), unicode)


def latex_title(title: str, *, unicode: bool = False) -> str:
    """A title LaTeX-encoded, each word that must keep its case wrapped in braces."""
    title = _mark_lone_braces(title)
    out, done = [], 0
    for word in _CASED_WORD.finditer(title):
        core = _WORD_CORE.search(word.group())
        if core is None or not needs_protection(core.group()):
            continue
        start, end = word.start() + core.start(), word.start() + core.end()
        out += [_encode(title[done:start], unicode), "{", _encode(title[start:end], unicode), "}"]
        done = end
    out.append(_encode(title[done:], unicode))
    return "".join(out)


def needs_protection(word: str) -> bool:
    """True for words whose capitals sentence-casing must keep: a capital after the first letter
    (``MICCAI``, ``MVTec``, ``f-AnoGAN``, ``3D``, ``U-Net``) — except compounds of plain
    capitalised words (``Semi-Supervised``, ``Few-Shot``), which sentence-case correctly."""
    if not any(c.isupper() for c in word[1:]):
        return False
    return not all(len(p) > 1 and p[0].isupper() and p[1:].islower() for p in word.split("-"))


def _authors(paper: dict, unicode: bool) -> str:
    names = [_name(n, unicode) for n in paper["author_names"]]
    if names and paper["authors_truncated"]:
        names.append("others")
    return " and ".join(names)


def _name(name: dict, unicode: bool) -> str:
    """``von Family, Jr, Given`` — the comma form keeps multi-word family names whole."""
    von, family, jr, given = (_name_part(name[k], unicode) for k in ("von", "family", "jr", "given"))
    if not (given or jr) and " " in family:
        family = "{" + family + "}"
    last = f"{von} {family}" if von else family
    if jr:
        return f"{last}, {jr}, {given}"
    return f"{last}, {given}" if given else last


def _name_part(part: str, unicode: bool) -> str:
    if not part:
        return part
    encoded = latex(part, unicode=unicode)
    return "{" + encoded + "}" if _NEEDS_GROUP.search(part) else encoded


def _verbatim(value: str | None) -> str | None:
    """A URL/DOI/eprint as a verbatim field: only what would unbalance the entry is encoded."""
    if not value:
        return None
    return value.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def _mark_lone_braces(text: str) -> str:
    """Replace the braces that have no partner by private-use stand-ins."""
    if "{" not in text and "}" not in text:
        return text
    chars = list(text)
    opened: list[int] = []
    for i, c in enumerate(chars):
        if c == "{":
            opened.append(i)
        elif c == "}":
            if opened:
                opened.pop()
            else:
                chars[i] = _LONE_RIGHT
    for i in opened:
        chars[i] = _LONE_LEFT
    return "".join(chars)


def _encode(text: str, unicode: bool) -> str:
    """pylatexenc's encoding, applied only to the characters that need it (one cached lookup
    each) instead of walking every character of the text in Python."""
    if not _NEEDS_LATEX.search(text):
        return text
    text = unicodedata.normalize("NFC", text)
    return _NEEDS_LATEX.sub(lambda m: _encode_char(m.group(), unicode), text)


@lru_cache(maxsize=4096)
def _encode_char(char: str, unicode: bool) -> str:
    # pylatexenc writes ì í î ï with a dotless i ({\'\i}); biber decodes that to ı + U+0301,
    # which pdflatex cannot typeset.  {\'i} is what both bibtex and biber turn into í.
    return _ACCENTED_DOTLESS_I.sub(r"\1i}", _encoder(unicode).unicode_to_latex(char))


@cache
def _encoder(unicode: bool) -> UnicodeToLatexEncoder:
    """pylatexenc's own table, split in two: the ASCII specials (``\\&``, ``\\textbackslash{}``)
    always, and for ASCII output every other character as a braced special character (``{\\"o}``).
    The straight double quote stays as it is (pylatexenc would turn it into a closing quote)."""
    (defaults,) = get_builtin_conversion_rules("defaults")
    specials = {c: tex for c, tex in defaults.rule.items() if c < 0x80 and c != ord('"')}
    specials[ord(_LONE_LEFT)] = r"\textbraceleft"
    specials[ord(_LONE_RIGHT)] = r"\textbraceright"
    rules = [
        UnicodeToLatexConversionRule(RULE_DICT, specials, replacement_latex_protection="braces-after-macro")
    ]
    if not unicode:
        rules.append(
            UnicodeToLatexConversionRule(RULE_DICT, defaults.rule, replacement_latex_protection="braces-all")
        )
    return UnicodeToLatexEncoder(
        conversion_rules=rules,
        # ASCII output: a character LaTeX has no macro for becomes a bold "?", which biber leaves
        # alone (pylatexenc's "unihex" uses \langle, which biber turns into text LaTeX rejects).
        unknown_char_policy="keep" if unicode else "replace",
        unknown_char_warning=False,
    )
