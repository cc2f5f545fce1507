"""Reader for BibTeX files (dialect ``bibtex``), as people write them.

bibtexparser v2 splits the text into blocks (entries, ``@string``, comments, failed blocks); the few
fields a :class:`PaperRecord` needs are then turned into text here:

* **values** — bibtexparser 2.1 resolves only whole-value ``@string`` references and has no ``#``
  concatenation, so :func:`_resolve` removes the enclosing braces or quotes, expands macros
  (``@string`` and the standard month macros) and joins ``#`` parts — for the fields used only, which
  keeps the reader close to bare bibtexparser speed (its resolve + enclosing middlewares visit every
  field and cost ≈25 %);
* **LaTeX** — pylatexenc costs ≈2.5 µs a character, so it decodes a whole value only when markup
  is left once the self-contained pieces are decoded one by one (special characters ``{\\"u}``,
  accents ``\\'e``, inline math ``$\\alpha$``: few are distinct, and decoding is cached); escaped
  specials (``\\%``), dashes (``--``), grouping braces and ties need no decoder at all.  A property test checks that
  this gives what decoding the whole value gives;
* **names** — ``author`` stays one BibTeX name list (``Family, Given and …``, ``and others`` as
  written), LaTeX-decoded name by name; a name written wholly in braces (``{{MONAI Consortium}}``)
  keeps one pair of braces, ``{MONAI Consortium}``, so that bibtexparser's name splitter in the
  normalize layer keeps it whole;
* **``%`` comments** — BibTeX has none inside entries, but people (and biber) use them: a line whose
  first non-blank character is ``%``, and a ``%`` after a comma and a space (``year = 2022, % note``)
  up to the end of its line, are blanked before splitting;
* **failures** — a block bibtexparser cannot split, an entry without a key and an entry without a
  title are :class:`ParseFailure`; a duplicate key or field, a year that is not a year, a DOI that is
  not a DOI are ``problems`` of a record that is still imported.

Big files are read in chunks of whole entries (:func:`iter_read`): bibtexparser holds ≈10× the text
size in memory while it parses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from typing import TYPE_CHECKING

from adbib.limits import MAX_MACRO
from adbib.normalize import ids
from adbib.normalize.text import clean_spaces, repair
from adbib.records import LinkRecord, PaperRecord, ParseFailure, ParseResult, ReaderError

if TYPE_CHECKING:
    from bibtexparser.library import Library
    from bibtexparser.model import Entry

# A block start as bibtexparser's splitter recognises one, at the start of a line.
_BLOCK_START = re.compile(r"^[ \t]*@\w*[ \t]*[{(]", re.MULTILINE)
# Blank and `%` lines, then an `@type{` or `@type(`.
_DETECT = re.compile(r"(?:[ \t\r]*(?:%[^\n]*)?\n)*[ \t]*@[A-Za-z]\w*[ \t]*[{(]")
# bibtexparser's abort reasons when a block has not ended where the next one (or the text) does.
_RUNS_ON = re.compile(r"^Unexpected block start|^Unexpectedly reached end of file|found `?@")
# A `%` comment inside an entry: a whole line, or the rest of a line after a field's comma and a space
# (a comment at the start of the text is outside any entry, where bibtexparser skips it anyway).
_COMMENT = re.compile(r"\n[ \t]*%[^\n]*|,[ \t]+%[^\n]*")

_MONTHS = {
    name[:3].lower(): name
    for name in (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    )
}  # fmt: skip
# The standard BibTeX/biblatex fields a record carries as they are (``PaperRecord.fields``).
STANDARD_FIELDS = [
    "pages",
    "volume",
    "number",
    "publisher",
    "month",
    "editor",
    "address",
    "location",
    "isbn",
    "issn",
    "note",
    "series",
    "edition",
    "organization",
    "institution",
    "school",
    "chapter",
    "eprint",
    "eprinttype",
    "eprintclass",
    "primaryclass",
]
# Fields of a cross-referenced entry that never pass to the entries citing it: they name the
# volume itself (or the identity of a paper), not the papers in it.
_NOT_INHERITED = frozenset(
    [
        "title",
        "author",
        "doi",
        "url",
        "eprint",
        "archiveprefix",
        "eprinttype",
        "arxivid",
        "abstract",
        "keywords",
        "code",
        "github",
        "datasets",
    ]
)
# Entry types that are volumes: cross-referenced, they are their papers' venue, not a paper.
_CONTAINERS = frozenset(["proceedings", "mvproceedings", "book", "mvbook", "collection", "mvcollection", "periodical"])
# The fields a record is built from; no other field is resolved.
_USED_FIELDS = frozenset(
    [
        "title",
        "author",
        "year",
        "date",
        "booktitle",
        "journal",
        "howpublished",
        "doi",
        "eprint",
        "archiveprefix",
        "eprinttype",
        "arxivid",
        "note",
        "url",
        "code",
        "github",
        "abstract",
        "keywords",
        "datasets",
        "crossref",
        "addendum",
    ]
) | frozenset(STANDARD_FIELDS)
# `crossref = {key}` anywhere in the text: which keys other entries cross-reference.
_CROSSREF = re.compile(r"\bcrossref\s*=\s*[{\"]?\s*([^\s,{}\"]+)", re.IGNORECASE)
_MONTH_NUMBER = {
    **{name[:3].lower(): str(i) for i, name in enumerate((
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December"), start=1)},
    **{name.lower(): str(i) for i, name in enumerate((
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December"), start=1)},
    "sept": "9",
}  # fmt: skip
# A short bracketed tag at the start or end of a title: "[PDF] …", "… [J]", "[MICCAI'23] …".
_TITLE_TAG = re.compile(r"^\s*\[[^\[\]]{1,24}\]\s*(?=\S)|(?<=\S)\s*\[[^\[\]]{1,24}\]\.?\s*$")
# "Code: \url{…}" in an addendum: the code link as adbib's BibTeX export writes it.
_ADDENDUM_CODE = re.compile(r"(?:^|;\s*)Code:\s*\\url\{([^{}]+)\}")
_DASHES = re.compile(r"\s*(?:-+|[\u2010-\u2015])\s*")
_VALUE_MARKS = re.compile(r'(?<!\\)[{}"#]')
# Markup only pylatexenc decodes: a macro (a backslash not escaping a special character), math.
_NEEDS_DECODER = re.compile(r"\\(?![%&_#$])|(?<!\\)\$")
_ESCAPED_SPECIAL = re.compile(r"\\([%&_#$])")
_TEX_LIGATURES = re.compile(r"---?|``|''")
_LIGATURE_TEXT = {"---": "\u2014", "--": "\u2013", "``": "\u201c", "''": "\u201d"}
# Self-contained LaTeX decoded one by one, and cached: BibTeX's "special characters" ({\"o} {\"{o}}
# {\c{S}} {\ss}: a brace group that opens with a backslash), bare accents (\"o \'{e} \^{\i} \c{c})
# and inline math ($\alpha$).
_SELF_CONTAINED = re.compile(
    r"(?<!\\)(?:\{\\[^{}$][^{}$]*(?:\{[^{}$]*\}[^{}$]*)*\}"
    r"|\\[`'^\"~=.](?:\{[^{}$]*\}|[A-Za-z])"
    r"|\\[cvuHrkdbt]\{[^{}$]*\}"
    r"|\$[^{}$]*(?:\{[^{}$]*\}[^{}$]*)*(?<![\\$])\$)"
)
_LATEX_CHARS = re.compile(r"[\\${}~]")
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_BRACES_AND_TIES = str.maketrans({"{": None, "}": None, "~": " "})
_URL_ESCAPE = re.compile(r"\\([_%&#~$])")
_ARXIV_VENUE = re.compile(r"arxiv\b", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")
_DATE_YEAR = re.compile(r"(\d{4})(?:[-/]|$)")
_LIST_SEPARATOR = re.compile(r"[,;]")

_ARXIV_ABS = "https://arxiv.org/abs/"
_DOI_URL = "https://doi.org/"


def detect(text: str) -> bool:
    """True when the first line that is neither blank nor a ``%`` comment starts a BibTeX block."""
    return _DETECT.match(text) is not None


def read(text: str) -> ParseResult:
    """All records and failures of a BibTeX text (:func:`iter_read`'s chunks merged)."""
    result = ParseResult()
    for part in iter_read(text):
        result.records += part.records
        result.failures += part.failures
        result.skipped += part.skipped
    return result


def iter_read(text: str, chunk_entries: int = 2000) -> Iterator[ParseResult]:
    """Parse ``text`` in chunks of about ``chunk_entries`` (≥ 1) blocks, one ParseResult per chunk.

    Line numbers are those of the whole text; ``@string`` macros and citation keys carry over from
    chunk to chunk.  Raises ReaderError for a text without a single ``@type{`` block."""
    return iter_read_pieces(lambda: iter((text,)), chunk_entries)


def iter_read_pieces(pieces: Callable[[], Iterable[str]], chunk_entries: int = 2000) -> Iterator[ParseResult]:
    """:func:`iter_read` of the text that ``pieces()`` gives piece by piece (a file decoded as it
    is read): the same chunks, records, failures and line numbers, whatever the pieces' sizes —
    an entry, a line, even a ``\r\n`` may be split between two pieces.  Memory holds one chunk.

    ``pieces`` is called twice: a first pass finds the keys that ``crossref`` fields name (a
    cross-referenced volume may come before the entries citing it)."""
    state = _State()
    state.targets = _crossref_targets(pieces, chunk_entries)
    first = True
    for offset, chunk in _chunks(pieces(), chunk_entries):
        if first and _BLOCK_START.search(chunk) is None:  # the first chunk holds the first block start
            raise ReaderError("no BibTeX entries (@type{key, ...}) found")
        first = False
        yield _read_chunk(chunk, offset, state)
    if state.pending:  # entries whose cross-referenced entry came after them (BibTeX's own order)
        result = ParseResult()
        for entry, line, raw in state.pending:
            got = _record(entry, line, raw, state, deferred=True)
            if isinstance(got, PaperRecord):
                result.records.append(got)
            elif got is not None:
                result.failures.append(got)
        yield result


def _crossref_targets(pieces: Callable[[], Iterable[str]], size: int) -> set[str]:
    """The lowercase keys ``crossref`` fields name anywhere in the text (none unless the text
    holds "rossref" or "ROSSREF": "CrossRef" alone is a word, not a field).

    A match may run over a line end (``crossref =`` then a newline), even into the first line of
    the next chunk (``crossref =`` ending a chunk whose next starts ``@misc{``): each chunk is
    searched with the next one's first line after it, keeping the matches that start in it."""
    if not _holds(pieces(), ("rossref", "ROSSREF")):
        return set()
    targets: set[str] = set()
    before: str | None = None
    start = 0
    for _, chunk in _chunks(pieces(), size):
        if before is not None:
            start = _targets_in(before, start, chunk[: chunk.find("\n") + 1 or len(chunk)], targets)
        before = chunk
    if before is not None:
        _targets_in(before, start, "", targets)
    return targets


def _targets_in(chunk: str, start: int, after: str, targets: set[str]) -> int:
    """Add the targets of the matches that start in ``chunk`` at or after ``start``; the offset in
    the next chunk where its own search starts (after a match that ran into it)."""
    text = chunk + after if after else chunk
    end = 0
    for m in _CROSSREF.finditer(text, start):
        if m.start() >= len(chunk):
            break
        targets.add(m[1].lower())
        end = m.end()
    return max(end - len(chunk), 0)


def _holds(pieces: Iterable[str], words: tuple[str, ...]) -> bool:
    """Whether the text of ``pieces`` holds one of ``words`` (also across two pieces)."""
    keep = max(map(len, words)) - 1
    tail = ""
    for piece in pieces:
        text = tail + piece
        if any(word in text for word in words):
            return True
        tail = text[-keep:] if keep else ""
    return False


@dataclass
class _State:
    """What later chunks need from earlier ones."""

    macros: dict[str, str] = field(default_factory=lambda: dict(_MONTHS))  # lowercase name -> text
    keys: dict[str, int] = field(default_factory=dict)  # citation key -> line of its first record
    targets: set[str] = field(default_factory=set)  # lowercase keys that some entry cross-references
    volumes: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)  # key -> (type, fields)
    pending: list[tuple[Entry, int, str]] = field(default_factory=list)  # crossref not read yet


def _chunks(pieces: Iterable[str], size: int) -> Iterator[tuple[int, str]]:
    """(line offset, text) pieces of the text of ``pieces``, each starting at a block start, of
    ``size`` blocks (the first one from the start of the text, with what comes before its first
    block).

    A block start lies within one line and starts it, so only the complete lines of what has
    been read are searched: the same block starts as in the whole text, wherever pieces end."""
    buf, line, count, searched = "", 0, 0, 0
    for piece in pieces:
        buf += piece
        end = buf.rfind("\n") + 1  # the complete lines
        if end <= searched:
            continue
        cut = 0
        for m in _BLOCK_START.finditer(buf, searched, end):
            count += 1
            if count > size:
                yield line, buf[cut : m.start()]
                line += buf.count("\n", cut, m.start())
                cut, count = m.start(), 1
        buf, searched = buf[cut:], end - cut
    for m in _BLOCK_START.finditer(buf, searched):  # the last line, without a newline after it
        count += 1
        if count > size:
            yield line, buf[: m.start()]
            line += buf.count("\n", 0, m.start())
            buf, count = buf[m.start() :], 1
    yield line, buf


def _read_chunk(chunk: str, offset: int, state: _State) -> ParseResult:
    from bibtexparser.model import Entry, ParsingFailedBlock, String

    blanked, n_comments = _COMMENT.subn(_blank, chunk) if "%" in chunk else (chunk, 0)
    as_written = _RawText(chunk, blanked) if n_comments else None
    result = ParseResult()
    for block in _split(blanked, offset).blocks:
        if isinstance(block, ParsingFailedBlock) and block.ignore_error_block is not None:
            block = block.ignore_error_block  # a duplicate key or field: the block itself is whole
        # the splitter sets both on every block it makes (None only for blocks built by hand)
        start_line, block_raw = block.start_line or 0, block.raw or ""
        if isinstance(block, String):
            try:
                state.macros[block.key.strip().lower()] = _resolve(block.value, state.macros)
            except _Oversized as e:  # every value that uses it fails too, naming it
                state.macros[block.key.strip().lower()] = _TOO_BIG
                line = offset + start_line + 1
                result.failures.append(ParseFailure(line, f"@string {block.key.strip()!r} {e}", block_raw[:200]))
        elif isinstance(block, (Entry, ParsingFailedBlock)):
            line = offset + start_line + 1
            raw = as_written.of(block_raw) if as_written else block_raw
            if isinstance(block, Entry):
                if state.targets and _cross_referenced(block, line, state, result):
                    continue
                got = _record(block, line, raw, state)
                if got is None:
                    state.pending.append((block, line, raw))
                    continue
                if isinstance(got, PaperRecord):
                    result.records.append(got)
                else:
                    result.failures.append(got)
            else:
                result.failures.append(ParseFailure(line, _failure_reason(block.error), raw.rstrip()))
    return result


def _blank(comment: re.Match[str]) -> str:
    """The comment as spaces after its newline or comma: lines and offsets stay where they were."""
    return comment[0][0] + " " * (len(comment[0]) - 1)


def _split(text: str, offset: int) -> Library:
    """bibtexparser's blocks of ``text`` (no middleware: values stay as written)."""
    try:
        return _parse_string()(text, parse_stack=[])
    except Exception as e:  # a bibtexparser bug (it raises ParserStateException for those)
        raise ReaderError(f"bibtexparser failed on the entries from line {offset + 1}: {e}") from e


@cache
def _parse_string() -> Callable[..., Library]:
    from bibtexparser.entrypoint import parse_string

    _silence("bibtexparser")  # failed blocks become ParseFailures
    return parse_string


def _silence(library: str) -> None:
    """Drop a library's log lines about bad input: the reader reports that input itself, and
    Python would print them on stderr."""
    import logging

    logging.getLogger(library).setLevel(logging.CRITICAL)


class _RawText:
    """Maps the raw text of a block in the comment-blanked chunk back to the text as written."""

    def __init__(self, original: str, blanked: str):
        self._original, self._blanked, self._pos = original, blanked, 0

    def of(self, raw: str) -> str:
        # Blocks come in text order, each starting after the previous one's start (a failed block
        # may end inside the next one: `@article{key` + newline + `@misc{…`).
        start = self._blanked.find(raw, self._pos)
        self._pos = start + 1
        return self._original[start : start + len(raw)]


def _failure_reason(error: Exception) -> str:
    """bibtexparser's reason, or one message for all the ways an entry runs into the next one or
    into the end of the text (which of them depends on where a chunk ends)."""
    reason = str(getattr(error, "abort_reason", error)).strip()
    if _RUNS_ON.search(reason):
        return "entry not closed: unbalanced braces or quotes"
    return f"broken entry: {reason}"


def _cross_referenced(entry: Entry, line: int, state: _State, result: ParseResult) -> bool:
    """Keep the fields of an entry others cross-reference; True when it is a volume (a venue, not
    a paper), reported as skipped."""
    key = entry.key.strip().lower()
    if key not in state.targets:
        return False
    fields = _fields(entry, state.macros, [])
    kind = entry.entry_type.lower()
    state.volumes.setdefault(key, (kind, fields))
    if kind not in _CONTAINERS:
        return False
    from adbib.records import Skipped

    result.skipped.append(
        Skipped(line, f"@{kind}{{{entry.key.strip()}}} is cross-referenced: a venue whose fields its papers inherit")
    )
    return True


def _inherit(fields: dict[str, str], state: _State, problems: list[str], deferred: bool) -> bool:
    """Fill ``fields`` from the entry its ``crossref`` names (a volume's title becomes the
    booktitle).  False when that entry has not been read yet (and may still come)."""
    target = fields["crossref"].strip().lower()
    if target not in state.volumes:
        if not deferred:
            return False
        problems.append(f"crossref {fields['crossref']!r}: no entry with that key")
        return True
    kind, parent = state.volumes[target]
    for name, value in parent.items():
        if name == "title" and kind in _CONTAINERS:
            fields.setdefault("booktitle", value)
        elif name not in _NOT_INHERITED and name != "crossref":
            fields.setdefault(name, value)
    return True


def _record(
    entry: Entry, line: int, raw: str, state: _State, deferred: bool = False
) -> PaperRecord | ParseFailure | None:
    """The record of one entry; None when its ``crossref`` target has not been read yet."""
    key = entry.key.strip()
    if not key:
        return ParseFailure(line, "entry without a citation key", raw)
    problems: list[str] = []
    try:
        fields = _fields(entry, state.macros, problems)
    except _Oversized as e:
        return ParseFailure(line, f"entry {key!r}: {e}", raw[:200])
    if "crossref" in fields and not _inherit(fields, state, problems, deferred):
        return None
    title = _title(fields.get("title"))
    if not title:
        return ParseFailure(line, "no title", raw)
    first = state.keys.setdefault(key, line)
    if first != line:
        problems.append(f"duplicate citation key {key!r}, first used on line {first}")
    links = _links(fields, problems)
    venue = _venue(fields)
    if venue is None and any(link.role == "arxiv" for link in links):
        venue = "arXiv"
    return PaperRecord(
        title=title,
        line=line,
        raw=raw,
        year=_year(fields, problems),
        venue_raw=venue,
        authors_raw=_authors(fields.get("author")),
        links=links,
        datasets_raw=_items(fields.get("datasets")),
        headings=_items(fields.get("keywords")),
        abstract=_text(fields.get("abstract")),
        problems=problems,
        citekey=key,
        fields={**_standard_fields(fields, problems), "entrytype": entry.entry_type.strip().lower()},
        authors_bibtex=True,
    )


_MONTH_DAY = re.compile(r"([A-Za-z]+|\d{1,2})\.?(?:\s+(\d{1,2})(?:st|nd|rd|th)?)?")


def _month(value: str) -> tuple[str | None, str | None]:
    """(month number, day) of ``sep``, ``September``, ``9``, ``May 1`` (``may # {~1}``); (None, None)
    for anything else."""
    m = _MONTH_DAY.fullmatch(value.strip())
    if m is None:
        return None, None
    word, day = m[1], m[2]
    month = str(int(word)) if word.isdigit() and 1 <= int(word) <= 12 else _MONTH_NUMBER.get(word.lower())
    if month is None or (day and not 1 <= int(day) <= 31):
        return None, None
    return month, str(int(day)) if day else None


def _title(value: str | None) -> str | None:
    """The title text without a short bracketed tag at its start or end (``[PDF]``, ``[J]``)."""
    text = _text(value)
    if text and "[" in text:
        text = _TITLE_TAG.sub("", text).strip() or text
    return text


def _standard_fields(fields: dict[str, str], problems: list[str]) -> dict[str, str]:
    """The standard fields as text: ``month`` a number (``sep``, ``September`` -> ``9``), ``pages``
    with one hyphen between first and last page, ``editor`` a name list like ``author``; an
    arXiv ``eprint`` is the paper's arXiv id, not a field."""
    out: dict[str, str] = {}
    archive = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    for name in STANDARD_FIELDS:
        if name not in fields:
            continue
        if name in ("eprint", "eprinttype", "eprintclass", "primaryclass") and archive in ("", "arxiv"):
            continue
        value = _authors(fields[name]) if name == "editor" else _text(fields[name])
        if not value:
            continue
        if name == "month":
            month, day = _month(value)
            if month is None:
                problems.append(f"month {value!r} is not a month: kept as written")
            elif day:
                out["day"] = day
            value = month or value
        elif name == "pages":
            value = _DASHES.sub("-", value)
        out[name] = value
    if archive and archive != "arxiv" and "eprint" in out:
        out["eprinttype"] = (fields.get("eprinttype") or fields.get("archiveprefix") or "").strip()
    if "location" in out:  # biblatex's name for address
        location = out.pop("location")
        out.setdefault("address", location)
    return out


def _fields(entry: Entry, macros: dict[str, str], problems: list[str]) -> dict[str, str]:
    """Lowercase field name -> resolved value, for the fields used; the first of duplicates wins."""
    fields: dict[str, str] = {}
    for f in entry.fields:
        name = f.key.strip().lower()
        if name not in _USED_FIELDS:
            continue
        if name in fields:
            problems.append(f"duplicate field {name!r}: the first one is used")
        else:
            try:
                fields[name] = _resolve(f.value, macros)
            except _Oversized as e:
                raise _Oversized(f"field {name!r} {e}") from None
    return fields


class _Oversized(Exception):
    """A value that @string macros expand beyond MAX_MACRO characters (``@string{m1 = m0 # m0}``
    doubling forty times would be terabytes)."""


_TOO_BIG = "\x00<an @string beyond MAX_MACRO>"  # told apart by identity, never by value


def _joined(parts: list[str]) -> str:
    if sum(map(len, parts)) > MAX_MACRO:
        raise _Oversized(f"expands to more than {MAX_MACRO:,} characters (@string macros); not read")
    return "".join(parts)


def _resolve(value: str, macros: dict[str, str]) -> str:
    """A raw value as text: enclosing braces or quotes removed, macros expanded, ``#`` parts joined.

    ``{Deep {MVTec} AD}`` -> ``Deep {MVTec} AD``; ``miccai # " 2022"`` -> ``<miccai's text> 2022``;
    ``may`` -> ``May``; an undefined macro stays as written."""
    if "#" not in value:
        return _resolve_part(value, macros)
    return _joined([_resolve_part(part, macros) for part in _concatenation_parts(value)])


def _resolve_part(part: str, macros: dict[str, str]) -> str:
    part = part.strip()
    if len(part) >= 2 and (part[0] + part[-1]) in ("{}", '""'):
        return part[1:-1]
    got = macros.get(part.lower(), part)
    if got is _TOO_BIG:
        raise _Oversized(f"uses @string {part!r}, which expands to more than {MAX_MACRO:,} characters; not read")
    return got


def _concatenation_parts(value: str) -> list[str]:
    """``"a" # b # {c # d}`` -> ``['"a" ', ' b ', ' {c # d}']``: split on ``#`` outside braces and quotes."""
    parts, start, depth, quoted = [], 0, 0, False
    for m in _VALUE_MARKS.finditer(value):
        mark = m.group()
        if mark == "{":
            depth += 1
        elif mark == "}":
            depth = max(depth - 1, 0)
        elif depth:
            continue
        elif mark == '"':
            quoted = not quoted
        elif not quoted:
            parts.append(value[start : m.start()])
            start = m.end()
    parts.append(value[start:])
    return parts


def _text(value: str | None) -> str | None:
    """Display text of a resolved value: mojibake repaired, LaTeX decoded, spaces collapsed."""
    if value is None:
        return None
    if not value.isascii():
        value = repair(value)
    return clean_spaces(_latex_to_text(value)) or None


# _text of the values that recur from entry to entry (venues, dataset and keyword lists).
_short_text = lru_cache(maxsize=4096)(_text)


# Text-mode symbols for LaTeX's specials (what adbib's own export writes for ^ ~ \ { }): decoded
# here, through placeholders, because pylatexenc gives ˆ for \textasciicircum and drops the braces.
_TEXT_SYMBOLS = {
    "textasciicircum": "^",
    "textasciitilde": "~",
    "textbackslash": "\\",
    "textbraceleft": "{",
    "textbraceright": "}",
}
_TEXT_SYMBOL = re.compile(r"\\(" + "|".join(_TEXT_SYMBOLS) + r")(?![A-Za-z])(?:\{\})?")
_PLACEHOLDER = {name: chr(0xE000 + i) for i, name in enumerate(_TEXT_SYMBOLS)}
_RESTORE = str.maketrans({_PLACEHOLDER[name]: text for name, text in _TEXT_SYMBOLS.items()})


def _latex_to_text(value: str) -> str:
    """Unicode text of a LaTeX value: its self-contained pieces decoded alone, the rest without
    pylatexenc unless other markup is left (then the whole value is decoded)."""
    if "\\text" in value:
        value, n = _TEXT_SYMBOL.subn(lambda m: _PLACEHOLDER[m[1]], value)
        if n:  # decoded once more without them (no recursion beyond that)
            return _latex_to_text(value).translate(_RESTORE)
    if "\\" not in value and "$" not in value:
        return _plain(value)
    pieces, start = [], 0
    for m in _SELF_CONTAINED.finditer(value):
        pieces += [value[start : m.start()], _decode(m[0])]
        start = m.end()
    pieces.append(value[start:])
    plain = pieces[::2]  # the text between the self-contained pieces
    if any(_NEEDS_DECODER.search(text) for text in plain):
        return _decode(value)
    pieces[::2] = [_plain(text) for text in plain]
    return "".join(pieces)


def _plain(text: str) -> str:
    """Text without macros or math: escaped specials, TeX's dash and quote ligatures, braces, ties."""
    if "\\" in text:
        text = _ESCAPED_SPECIAL.sub(r"\1", text)
    if "-" in text or "`" in text or "'" in text:
        text = _TEX_LIGATURES.sub(lambda m: _LIGATURE_TEXT[m[0]], text)
    return text.translate(_BRACES_AND_TIES)


@lru_cache(maxsize=4096)
def _decode(value: str) -> str:
    """pylatexenc's text of a LaTeX value; a bare ``%`` is a percent sign here, not a comment."""
    try:
        return _latex_to_unicode()(_BARE_PERCENT.sub(r"\\%", value))
    except RecursionError:  # braces nested thousands deep
        return value.translate(_BRACES_AND_TIES)


@cache
def _latex_to_unicode() -> Callable[[str], str]:
    """LatexNodes2Text.latex_to_text with one parsing context for all calls (without one, every
    call builds pylatexenc's default context anew: ≈30 µs)."""
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        get_default_latex_context_db,
    )
    from pylatexenc.latexwalker import get_default_latex_context_db as get_parsing_context

    _silence("pylatexenc")  # broken markup is decoded tolerantly
    context = get_default_latex_context_db()
    context.add_context_category("adbib-bibtex", prepend=True, macros=[MacroTextSpec("url", simplify_repl="%s")])
    decoder = LatexNodes2Text(latex_context=context, math_mode="text")
    return partial(decoder.latex_to_text, latex_context=get_parsing_context())


def _authors(value: str | None) -> str | None:
    """The author list decoded name by name; a wholly braced name keeps one pair of braces."""
    if value is None:
        return None
    if not value.isascii():
        value = repair(value)
    if not _LATEX_CHARS.search(value):
        return clean_spaces(value) or None
    from adbib.normalize.names import split_persons

    names = [_name(name) for name in split_persons(value)]
    return " and ".join(name for name in names if name) or None


@lru_cache(maxsize=16384)  # a function of the name alone, and names recur from entry to entry
def _name(name: str) -> str:
    if _braced_whole(name):
        inner = clean_spaces(_latex_to_text(name[1:-1]))
        return f"{{{inner}}}" if inner else ""
    return clean_spaces(_latex_to_text(name))


def _braced_whole(name: str) -> bool:
    """``{MONAI Consortium}``: yes; ``{\\"O}zt{\\"u}rk`` and ``{A} {B}``: no."""
    if not (name.startswith("{") and name.endswith("}")):
        return False
    depth = 0
    for i, char in enumerate(name):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i == len(name) - 1
    return False


def _venue(fields: dict[str, str]) -> str | None:
    """booktitle or journal; one that starts with the word arXiv (``arXiv preprint arXiv:…``) is ``arXiv``."""
    venue = _short_text(fields.get("booktitle")) or _short_text(fields.get("journal"))
    if venue and _ARXIV_VENUE.match(venue):
        return "arXiv"
    return venue


def _year(fields: dict[str, str], problems: list[str]) -> int | None:
    """``year`` when it is four digits; without a year, the year of a biblatex ``date``."""
    if "year" in fields:
        year = fields["year"].translate(_BRACES_AND_TIES).strip()
        if _YEAR.fullmatch(year):
            return int(year)
        problems.append(f"year {year!r} is not a year")
    elif "date" in fields:
        m = _DATE_YEAR.match(fields["date"].strip())
        if m:
            return int(m[1])
        problems.append(f"date {fields['date']!r} has no year")
    return None


def _items(value: str | None) -> list[str]:
    """``keywords``/``datasets``: the items between commas and semicolons."""
    text = _short_text(value)
    if not text:
        return []
    return [item for item in (part.strip() for part in _LIST_SEPARATOR.split(text)) if item]


def _links(fields: dict[str, str], problems: list[str]) -> list[LinkRecord]:
    """DOI, arXiv (eprint, journal, note, url), paper URL and code links, each role+URL once."""
    links: dict[tuple[str, str], LinkRecord] = {}

    def add(role: str, url: str, label: str) -> None:
        links.setdefault((role, url), LinkRecord(role=role, url=url, label=label))

    if "doi" in fields:
        doi = ids.normalize_doi(fields["doi"])
        if doi:
            add("doi", _DOI_URL + doi, "doi")
        else:
            problems.append(f"doi {fields['doi']!r} is not a DOI")
    for name in _arxiv_fields(fields, problems):
        arxiv = ids.normalize_arxiv(fields[name])
        if arxiv:
            add("arxiv", _ARXIV_ABS + arxiv, name)
    if "url" in fields:
        url = _URL_ESCAPE.sub(r"\1", fields["url"].strip())
        try:
            arxiv = ids.arxiv_from_url(url)
            if arxiv:
                add("arxiv", _ARXIV_ABS + arxiv, "url")
            else:
                url = ids.check_url(url)
                role = ids.link_role("Paper", url)
                doi = ids.normalize_doi(url) if role == "doi" else None
                if doi:
                    add("doi", _DOI_URL + doi, "url")
                else:
                    add(role, url, "url")
        except ids.BadLink as e:
            problems.append(f"url: {e}")
    for name in ("code", "github"):
        if name in fields:
            try:
                add("code", ids.check_url(_URL_ESCAPE.sub(r"\1", fields[name].strip())), name)
            except ids.BadLink as e:
                problems.append(f"{name}: {e}")
    m = _ADDENDUM_CODE.search(fields.get("addendum", ""))
    if m:  # where adbib's own export puts the code link
        try:
            add("code", ids.check_url(_URL_ESCAPE.sub(r"\1", m[1].strip())), "addendum")
        except ids.BadLink as e:
            problems.append(f"addendum: {e}")
    return list(links.values())


def _arxiv_fields(fields: dict[str, str], problems: list[str]) -> list[str]:
    """The fields that may hold an arXiv id: eprint (unless archivePrefix or eprinttype names
    another archive), arxivid (Mendeley), journal, booktitle, howpublished (``@misc``), note."""
    archive = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    names = []
    if "eprint" in fields and archive in ("", "arxiv"):
        names.append("eprint")
        if archive and not ids.normalize_arxiv(fields["eprint"]):
            problems.append(f"eprint {fields['eprint']!r} is not an arXiv id")
    candidates = ("arxivid", "journal", "booktitle", "howpublished", "note")
    return names + [name for name in candidates if name in fields]
