"""BibTeX export that compiles warning-free with bibtex (plain, alpha) and with biber (biblatex).

Entries are built one at a time, each as the text bibtexparser's writer gives for it (indent of
two spaces, values in braces but month macros), so memory stays flat however many papers stream
through; the papers need only their authors, links and fields (:data:`PARTS`).

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
from typing import TYPE_CHECKING, TextIO

from adbib.exporters import _PLAIN_URL, ARXIV_ABS, first_web_link
from adbib.records import ExportedPaper, NameParts

if TYPE_CHECKING:
    from bibtexparser.model import Entry
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    from adbib.rows import BibtexAuthors, BibtexRecord

# What the BibTeX entries read (adbib.rows.PARTS): no datasets, categories, sources, tags or abstract.
PARTS = frozenset({"authors", "links", "fields"})

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
# The name parts joined by spaces hold one of: a character _NEEDS_LATEX finds or a comma (one
# class: printable ASCII but #$%&<>\^_{}~ and the comma), an "and" between spaces or ends — or none
# in any part (a part's ends are the spaces of the join; every \s but the space is not printable
# ASCII).  Spelled without re.I, which would let a non-ASCII letter whose lower case is ASCII (the
# Kelvin sign) escape the class.
_SPECIAL_CHAR = re.compile(r"[^\x20-\x22\x27-\x2b\x2d-\x3b\x3d\x3f-\x5b\x5d\x60-\x7a\x7c]")
_AND_WORD = re.compile(r"(?:^| )[Aa][Nn][Dd](?: |$)")


def write(papers: Iterable[ExportedPaper], out: TextIO, *, unicode: bool = False) -> int:
    """Write the entries one after another, a blank line between two.

    Each entry is the text bibtexparser's writer gives for it (``write_string`` of a one-entry
    Library, indent of two spaces, values in braces but a month macro), built here as one string:
    tests/test_exporters.py holds the two equal.  The papers are read as :func:`record` gives
    them, or as the stream gives its records itself (:meth:`adbib.rows.Papers.bibtex_records`:
    the same values from fewer rows); the entries of a batch are written by one write."""
    records = getattr(papers, "bibtex_records", _none)()
    n = 0
    batch: list[str] = []
    for rec in records if records is not None else map(record, papers):
        batch.append(_entry_text(rec, unicode))
        if len(batch) == _BATCH:
            out.write(("\n" if n else "") + "\n".join(batch))
            n += len(batch)
            batch = []
    if batch:
        out.write(("\n" if n else "") + "\n".join(batch))
        n += len(batch)
    return n


_BATCH = 256  # entries joined into one write


def _none() -> None:
    return None


def record(paper: ExportedPaper) -> BibtexRecord:
    """What an entry reads of a paper dict, as :data:`adbib.rows.BibtexRecord` holds it."""
    return (
        paper["citekey"], paper["title"], paper["year"], paper.get("date"), paper["venue"], paper["venue_name"],
        paper["venue_type"], paper["authors_truncated"], paper["arxiv"], paper["doi"], paper.get("fields") or {},
        [(n["von"], n["family"], n["jr"], n["given"]) for n in paper["author_names"]], paper["links"],
    )  # fmt: skip


def _entry_type(
    venue: str | None, authors: str, year: object, venue_type: str | None, extra: dict[str, str]
) -> tuple[str, str | None]:
    """The entry type, and the field the venue goes in (None: the entry leaves it out)."""
    kind = venue_type or _KIND_OF_TYPE.get(extra.get("entrytype", ""))
    if venue and authors and year and kind in ("conference", "workshop"):
        return "inproceedings", "booktitle"
    if venue and authors and year and kind == "journal":
        return "article", "journal"
    return "misc", "howpublished" if venue and kind != "preprint" else None


def _entry_text(rec: BibtexRecord, unicode: bool) -> str:
    """The text of one entry: what :func:`_record_fields` says, written field by field without
    the list of fields in between (tests/test_fast_paths.py holds it to bibtexparser's text of
    :func:`entry`)."""
    citekey, title, year, date, venue, venue_name, venue_type, truncated, arxiv, doi, extra, names, links = rec
    authors = _authors(names, truncated, unicode)
    title = latex_title(title, unicode=unicode)
    venue = venue_name or venue
    entry_type, venue_field = _entry_type(venue, authors, year, venue_type, extra)
    code = _first_web_link(links.get("code"))
    url = _first_web_link(links.get("paper"))
    if url is None:
        url = _first_web_link(links.get("arxiv"))
        if url is None and arxiv:
            url = ARXIV_ABS + arxiv
    month = extra.get("month")
    if not year:
        year, month = _year_month(year, date, arxiv, month)
    lines = []
    if authors:
        lines.append(f"  author = {{{authors}}}")
    elif title:
        lines.append(f"  key = {{{title}}}")
    if title:
        lines.append(f"  title = {{{title}}}")
    if year:
        lines.append(f"  year = {{{year}}}")
    if venue_field and venue:
        text = latex(venue, unicode=unicode)
        if text:
            lines.append(f"  {venue_field} = {{{text}}}")
    for key, value in _standard_fields(extra, entry_type, month, unicode):
        if value:
            lines.append(
                f"  {key} = {value}" if key == "month" and value in _MONTH_MACROS else f"  {key} = {{{value}}}"
            )
    if doi:
        lines.append(f"  doi = {{{_escape_verbatim(doi)}}}")
    if arxiv:
        lines.append(f"  eprint = {{{_escape_verbatim(arxiv)}}}")
        lines.append("  archivePrefix = {arXiv}")
    if url or code:
        lines.append(f"  url = {{{_escape_verbatim(url or code)}}}")  # type: ignore[arg-type]
    if code and url:
        lines.append(f"  addendum = {{{_code_addendum(code)}}}")
    body = ",\n".join(lines) + "\n" if lines else ""
    return f"@{entry_type}{{{citekey},\n{body}}}\n"


def _first_web_link(urls: list[str] | None) -> str | None:
    """:func:`adbib.exporters.first_web_link`, the first URL taken at once when one regex says
    it is an http(s) link as it is."""
    if not urls:
        return None
    if _PLAIN_URL.fullmatch(urls[0]):
        return urls[0]
    return first_web_link(urls)


def entry(paper: ExportedPaper, *, unicode: bool = False) -> Entry:
    """The bibtexparser Entry of one paper (field values not yet enclosed in braces)."""
    from bibtexparser.model import Entry, Field

    entry_type, fields = entry_fields(paper, unicode=unicode)
    out = Entry(entry_type, paper["citekey"], [Field(k, v) for k, v, _ in fields])
    for f, (_, _, bare) in zip(out.fields, fields, strict=True):
        if bare:
            f.enclosing = "no-enclosing"  # the macro, which every style prints in its own way
    return out


def entry_fields(paper: ExportedPaper, *, unicode: bool = False) -> tuple[str, list[tuple[str, str, bool]]]:
    """The entry type of one paper and its fields: (name, value, bare) in order, ``bare`` for a
    value written without braces (a month macro)."""
    return _record_fields(record(paper), unicode)


def _record_fields(rec: BibtexRecord, unicode: bool) -> tuple[str, list[tuple[str, str, bool]]]:
    _, title, year, date, venue, venue_name, venue_type, truncated, arxiv, doi, extra, names, links = rec
    authors = _authors(names, truncated, unicode)
    title = latex_title(title, unicode=unicode)
    venue = venue_name or venue
    entry_type, venue_field = _entry_type(venue, authors, year, venue_type, extra)
    code = first_web_link(links.get("code", ()))
    # the URL a reader should follow: the first paper link, else the arXiv page (primary_url)
    url = first_web_link(links.get("paper", ()))
    if url is None:
        url = first_web_link(links.get("arxiv", ()))
        if url is None and arxiv:
            url = ARXIV_ABS + arxiv
    year, month = _year_month(year, date, arxiv, extra.get("month"))
    fields = [
        ("author", authors) if authors else ("key", title),
        ("title", title),
        ("year", str(year) if year else None),
        (venue_field, latex(venue, unicode=unicode) if venue_field and venue else None),
        *_standard_fields(extra, entry_type, month, unicode),
        ("doi", _verbatim(doi)),
        ("eprint", _verbatim(arxiv)),
        ("archivePrefix", "arXiv" if arxiv else None),
        ("url", _verbatim(url or code)),
        ("addendum", _code_addendum(code) if code and url else None),
    ]
    return entry_type, [(k, v, k == "month" and v in _MONTH_MACROS) for k, v in fields if k and v]


# The standard fields written for each entry type: those plain.bst prints for the type and
# biblatex's data model allows (biber --validate-datamodel warns about any other).  A stored field
# outside its entry's list stays in the database and in the JSON, CSL-JSON and RIS exports.
_TYPE_FIELDS = {
    "article": ("volume", "number", "pages", "month", "issn", "note"),
    "inproceedings": (
        "editor", "volume", "number", "series", "pages", "address", "month", "organization",
        "publisher", "isbn", "note",
    ),
    "misc": ("editor", "address", "month", "organization", "note"),
}  # fmt: skip
_MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_PAGE_RANGE = re.compile(r"(?<=\w)-(?=\w)")
_NEW_ARXIV = re.compile(r"(\d{2})(\d{2})\.\d{4,5}$")


def _year_month(
    year: int | None, date: str | None, arxiv: str | None, month: str | None
) -> tuple[int | None, str | None]:
    """The year, else the year of the online date, else that of a new-style arXiv id (``2403.08689``:
    first posted in March 2024) — biblatex requires a year; the month field as stored, else none."""
    if year:
        return year, month
    date = date or ""
    if date[:4].isdigit():
        return int(date[:4]), month
    m = _NEW_ARXIV.match(arxiv or "")
    if m and 1 <= int(m[2]) <= 12:
        return 2000 + int(m[1]), month or str(int(m[2]))
    return None, month


def _standard_fields(
    extra: dict[str, str], entry_type: str, month: str | None, unicode: bool
) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for name in _TYPE_FIELDS[entry_type]:
        value = month if name == "month" else extra.get(name)
        if not value:
            continue
        if name == "month":
            value = _MONTH_MACROS[int(value) - 1] if value.isdigit() and 1 <= int(value) <= 12 else latex(value)
        elif name == "pages":
            value = _PAGE_RANGE.sub("--", latex(value, unicode=unicode))
        elif name == "editor":
            value = " and ".join(_editor(n, unicode) for n in _split_names(value))
        else:
            value = latex(value, unicode=unicode)
        out.append((name, value))
    return out


def _split_names(value: str) -> list[str]:
    from bibtexparser.middlewares.names import split_multiple_persons_names

    return [n.strip() for n in split_multiple_persons_names(value) if n.strip()]


def _editor(name: str, unicode: bool) -> str:
    """One stored editor name (``Family, Given`` or ``{Corporate}``), LaTeX-encoded outside its braces."""
    if name.startswith("{") and name.endswith("}"):
        return "{" + latex(name[1:-1], unicode=unicode) + "}"
    return latex(name, unicode=unicode)


def _code_addendum(url: str) -> str:
    """``Code: \\url{…}`` for biblatex's addendum (bibtex's styles ignore the field): where the code
    link goes when ``url`` holds the paper's link.  ``%`` and ``#`` are escaped for \\url inside
    another macro's argument."""
    return "Code: \\url{" + _escape_verbatim(url).replace("%", "\\%").replace("#", "\\#") + "}"


# A venue the vocabulary does not know: the entry type the imported .bib gave it says what it is.
_KIND_OF_TYPE = {"inproceedings": "conference", "conference": "conference", "article": "journal"}


def latex(text: str, *, unicode: bool = False) -> str:
    """LaTeX-encode a text value (see the module docstring)."""
    return _encode(_mark_lone_braces(text), unicode)


def latex_title(title: str, *, unicode: bool = False) -> str:
    """A title LaTeX-encoded, each word that must keep its case wrapped in braces."""
    title = _mark_lone_braces(title)
    spans = protected_spans(title)
    if not spans:
        return _encode(title, unicode)
    out, done = [], 0
    if _NEEDS_LATEX.search(title) is None:  # nothing to encode: only the braces to add
        for start, end in spans:
            out += [title[done:start], "{", title[start:end], "}"]
            done = end
        out.append(title[done:])
        return "".join(out)
    for start, end in spans:
        out += [_encode(title[done:start], unicode), "{", _encode(title[start:end], unicode), "}"]
        done = end
    out.append(_encode(title[done:], unicode))
    return "".join(out)


def protected_spans(title: str) -> list[tuple[int, int]]:
    """(start, end) of the parts of a title that must keep their case, in order, not overlapping:
    words with a capital after their first letter (:func:`needs_protection`), the proper nouns
    and names of the vocabularies (``Parkinson``, ``Dirichlet``, ``Segment Anything Model``, the
    dataset and venue names), and — in a sentence-case title — every capitalised word after the
    first (``Anomaly detection with Gaussian processes``: the author's capitals are proper nouns).

    A title of words between single spaces (nearly every one) is read word by word, what each
    word says (:func:`_word_facts`) looked up, not found again by three regexes over the title:
    tests/test_fast_paths.py holds the two equal."""
    words = title.split()
    if " ".join(words) != title:
        return _scanned_spans(title)
    known = _WORD_FACTS.get
    facts = [known(w) or _word_facts(w) for w in words]
    spans = [m.span() for m in _vocabulary_names().finditer(title)] if any(f[2] for f in facts) else []
    kinds = [k for f in facts for k in f[0]][1:]
    lower, other = kinds.count(1), kinds.count(2)
    if not (lower + other >= 3 and lower >= 2 * other):  # not sentence case (_is_sentence_case)
        start = 0
        for word, (_, core, _) in zip(words, facts, strict=True):
            if core is not None:
                spans.append((start + core[0], start + core[1]))
            start += len(word) + 1
        return _merged(spans)
    return _merged(spans + _sentence_case_spans(title))


# What a title word (no whitespace) says, cached: the kinds of its _TITLE_WORD words (_word_kind),
# the part of it that must keep its case outside a sentence-case title (_CANDIDATE, _protected_core),
# whether a vocabulary name can start in it.  Bounded: forgotten at once when full.
_WORD_FACTS: dict[str, tuple[tuple[int, ...], tuple[int, int] | None, bool]] = {}
_WORD_FACTS_SIZE = 1 << 16


def _word_facts(word: str) -> tuple[tuple[int, ...], tuple[int, int] | None, bool]:
    facts = _WORD_FACTS.get(word)
    if facts is None:
        if len(_WORD_FACTS) >= _WORD_FACTS_SIZE:
            _WORD_FACTS.clear()
        # a _CANDIDATE match is a whole word: it starts after whitespace and runs to the next
        core = _protected_core(word) if _CANDIDATE.match(word) else None
        starts = _name_starts().search(word) is not None
        facts = _WORD_FACTS[word] = (tuple(map(_word_kind, _TITLE_WORD.findall(word))), core, starts)
    return facts


@cache
def _name_starts() -> re.Pattern[str]:
    r"""Where a vocabulary name can start in a title word, at a place :func:`_vocabulary_names`
    would take (not after ``[\w-]``): a one-word name ending where that pattern lets it end, or
    the first word of a longer name ending the title word (whitespace follows it in the title)."""
    alternatives = set()
    for name in vocabulary_names():
        first, *rest = re.split(r"\s", name, maxsplit=1)
        alternatives.add(re.escape(first) + (r"\Z" if rest else r"(?![\w-])"))
    return re.compile(r"(?<![\w-])(?:" + "|".join(sorted(alternatives, key=lambda a: (-len(a), a))) + ")")


def _scanned_spans(title: str) -> list[tuple[int, int]]:
    """:func:`protected_spans` by regexes over the whole title (any whitespace)."""
    spans = [m.span() for m in _vocabulary_names().finditer(title)]
    if not _is_sentence_case(title):
        # Outside a sentence-case title only words with a capital after their first character can
        # need braces: the others are skipped by one regex (_CANDIDATE) instead of looked at one by
        # one, and what a word needs depends on the word alone (cached: words repeat).
        for word in _CANDIDATE.finditer(title):
            core = _protected_core(word.group())
            if core is not None:
                start = word.start()
                spans.append((start + core[0], start + core[1]))
    else:
        spans += _sentence_case_spans(title)
    return _merged(spans)


def _sentence_case_spans(title: str) -> list[tuple[int, int]]:
    spans = []
    for i, word in enumerate(_CASED_OR_CAPITAL.finditer(title)):
        found = _WORD_CORE.search(word.group())
        if found is None:
            continue
        text = found.group()
        if needs_protection(text) or (i > 0 and text[0].isupper() and _after_word(title, word.start())):
            spans.append((word.start() + found.start(), word.start() + found.end()))
    return spans


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if len(spans) < 2:
        return spans  # nothing to sort or merge
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


_CASED_OR_CAPITAL = re.compile(r"\S+")
# A word with, after its first character, one that is neither ASCII lower case, a digit nor ASCII
# punctuation: a superset of the words needs_protection() can be true of (every character that is
# isupper() is an A-Z or not ASCII), the same spans as _CASED_OR_CAPITAL finds.
# Spelled without a lookahead or backtracking (the classes after the first character are
# disjoint: possessive), which a title's every position would pay for.
_CANDIDATE = re.compile(r"(?<!\S)\S[\x21-\x40\x5b-\x7e]*+[^\s\x21-\x40\x5b-\x7e]\S*+")


@lru_cache(maxsize=1 << 14)
def _protected_core(word: str) -> tuple[int, int] | None:
    """(start, end) in a word of its part that :func:`needs_protection` says must keep its case,
    else None."""
    core = _WORD_CORE.search(word)
    return core.span() if core is not None and needs_protection(core.group()) else None


_TITLE_WORD = re.compile(r"[^\W\d_][\w'’-]*+")
_SMALL_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "via",
        "vs",
        "with",
        "without",
        "under",
        "over",
    }
)


def _after_word(title: str, start: int) -> bool:
    """True unless the word at ``start`` opens a subtitle (after ``:``, ``?``, ``!``, ``.``, ``—``)."""
    before = title[:start].rstrip()
    return bool(before) and before[-1] not in ":?!.\u2014\u2013"


def _is_sentence_case(title: str) -> bool:
    """Most words after the first that are not small words start lowercase (at least three such words)."""
    kinds = list(map(_word_kind, _TITLE_WORD.findall(title)[1:]))
    lower, other = kinds.count(1), kinds.count(2)
    return lower + other >= 3 and lower >= 2 * other


@lru_cache(maxsize=1 << 14)
def _word_kind(word: str) -> int:
    """0 for a small word (any case), 1 for another word starting lowercase, 2 for the rest."""
    return 0 if word.lower() in _SMALL_WORDS else 1 if word[0].islower() else 2


@cache
def vocabulary_names() -> frozenset[str]:
    """Every name a title must keep as written: the names vocabulary, and the proper spellings of
    the datasets and venues."""
    from adbib.normalize import datasets, venues
    from adbib.normalize.vocab import load

    names = set(load("names")["names"])
    for d in datasets.all_datasets():
        names.update(n for n in (d.name, d.family, *d.aliases) if _is_proper(n))
    for v in venues.all_venues():
        names.update(n for n in (v.short, *v.aliases) if _is_proper(n) and " " not in n)
    return frozenset(n for n in names if n)


@cache
def _vocabulary_names() -> re.Pattern[str]:
    r"""One pattern for every vocabulary name a title must keep as written, the longest one at a
    place winning: what ``(?<![\w-])(?:NAME|NAME|…)(?![\w-])`` with the names longest first
    finds, with the names as a trie (``M(?:ICCAI|VTec(?: AD)?)``), so that at each place only the
    names starting there are tried, not every one of them (tests/test_fast_paths.py holds the two
    equal)."""
    trie: _Trie = {}
    for name in vocabulary_names():
        node = trie
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}  # a name ends here
    return re.compile(rf"(?<![\w-])(?:{_alternatives(trie)})(?![\w-])")


_Trie = dict[str, "_Trie"]


def _alternatives(node: _Trie) -> str:
    """The pattern of a trie node: its continuations (a longer name first: ``?`` is greedy), and
    nothing at all where a name ends."""
    continuations = [re.escape(char) + _alternatives(child) for char, child in sorted(node.items()) if char]
    if not continuations:
        return ""
    ends = "" in node
    body = "(?:" + "|".join(continuations) + ")" if len(continuations) > 1 or ends else continuations[0]
    return body + "?" if ends else body


def _is_proper(name: str) -> bool:
    """A vocabulary spelling worth protecting: it has a capital after its first character (``MVTec``,
    ``BraTS 2021``, ``MICCAI``) — a plain capitalised word (``Liver``) may be an ordinary word."""
    return len(name) > 1 and any(c.isupper() for c in name[1:])


def needs_protection(word: str) -> bool:
    """True for words whose capitals sentence-casing must keep: a capital after the first letter
    (``MICCAI``, ``MVTec``, ``f-AnoGAN``, ``3D``, ``U-Net``) — except compounds of plain
    capitalised words (``Semi-Supervised``, ``Few-Shot``), which sentence-case correctly."""
    if not any(c.isupper() for c in word[1:]):
        return False
    return not all(len(p) > 1 and p[0].isupper() and p[1:].islower() for p in word.split("-"))


def _authors(names: BibtexAuthors, truncated: bool, unicode: bool) -> str:
    """The author field: the names, ``and others`` after them when the list was truncated."""
    if isinstance(names, str):
        # joined by the engine (adbib.rows.BibtexAuthors): every name is ``family, given`` and no
        # part needs grouping or holds a brace, so LaTeX-encoding the whole text is encoding each
        # part (NFC composes nothing across the ASCII ", " and " and " between them)
        text = names if _NEEDS_LATEX.search(names) is None else _encode(names, unicode)
        return text + " and others" if text and truncated else text
    out = []
    for von, family, jr, given in names:
        if not (von or jr) and given and _is_plain(f"{family} {given}"):
            out.append(f"{family}, {given}")  # what _encoded_name gives, without a call
        else:
            out.append(_encoded_name(von, family, jr, given, unicode))
    if out and truncated:
        out.append("others")
    return " and ".join(out)


def _name(name: NameParts, unicode: bool) -> str:
    """``von Family, Jr, Given`` — the comma form keeps multi-word family names whole."""
    return _encoded_name(name["von"], name["family"], name["jr"], name["given"], unicode)


@lru_cache(maxsize=1 << 12)
def _encoded_name(von: str, family: str, jr: str, given: str, unicode: bool) -> str:
    """One name, encoded once however many papers it is on (the cache is bounded: memory stays
    flat however many names an export meets; at 16,384 names it held ≈ 5 MiB, keys and all, and
    was most of what a 1M-paper export's memory grew by: 41 → 49 MiB, 41 → 44 MiB at 4,096).
    Most names are printable ASCII with no LaTeX special, comma or "and" word in any part: one
    regex over the parts says so, and they are kept as they are (what :func:`_name_part`
    returns for such a part)."""
    if not _is_plain(f"{von} {family} {jr} {given}"):
        von, family, jr, given = (_name_part(part, unicode) for part in (von, family, jr, given))
    if not (given or jr) and " " in family:
        family = "{" + family + "}"
    last = f"{von} {family}" if von else family
    if jr:
        return f"{last}, {jr}, {given}"
    return f"{last}, {given}" if given else last


def _is_plain(parts: str) -> bool:
    """Whether name parts joined by spaces hold no LaTeX special, non-ASCII character, comma or
    "and" word (the text being printable ASCII by then, ``lower`` finds every spelling of "and")."""
    return _SPECIAL_CHAR.search(parts) is None and ("and" not in parts.lower() or _AND_WORD.search(parts) is None)


def _name_part(part: str, unicode: bool) -> str:
    if not part:
        return part
    encoded = latex(part, unicode=unicode)
    return "{" + encoded + "}" if _NEEDS_GROUP.search(part) else encoded


def _verbatim(value: str | None) -> str | None:
    """A URL/DOI/eprint as a verbatim field: only what would unbalance the entry is encoded."""
    return _escape_verbatim(value) if value else None


def _escape_verbatim(value: str) -> str:
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
    from pylatexenc.latexencode import (
        RULE_DICT,
        UnicodeToLatexConversionRule,
        UnicodeToLatexEncoder,
        get_builtin_conversion_rules,
    )

    (defaults,) = get_builtin_conversion_rules("defaults")
    specials = {c: tex for c, tex in defaults.rule.items() if c < 0x80 and c != ord('"')}
    specials[ord(_LONE_LEFT)] = r"\textbraceleft"
    specials[ord(_LONE_RIGHT)] = r"\textbraceright"
    rules = [UnicodeToLatexConversionRule(RULE_DICT, specials, replacement_latex_protection="braces-after-macro")]
    if not unicode:
        rules.append(UnicodeToLatexConversionRule(RULE_DICT, defaults.rule, replacement_latex_protection="braces-all"))
    return UnicodeToLatexEncoder(
        conversion_rules=rules,
        # ASCII output: a character LaTeX has no macro for becomes a bold "?", which biber leaves
        # alone (pylatexenc's "unihex" uses \langle, which biber turns into text LaTeX rejects).
        unknown_char_policy="keep" if unicode else "replace",
        unknown_char_warning=False,
    )
