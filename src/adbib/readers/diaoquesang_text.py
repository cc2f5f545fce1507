"""Reader for the diaoquesang list saved as plain text from its rendered GitHub page
(dialect ``diaoquesang-text``).  Shares its scaffolding with :mod:`adbib.readers.diaoquesang`.

One entry looks like this::

      • *[NeurIPS 2022] A Unified Model for Multi-class Anomaly Detection :octocat:

        You, Zhiyuan and Cui, Lei and Shen, Yujun and Yang, Kai and Lu, Xin and Zheng, Yu and …

    📋 Abstract (Click to Expand) Despite the rapid advance of unsupervised anomaly detection, …

* a leading ``*`` marks a non-medical paper, ``[VENUE YEAR]`` gives venue and year;
* rendering dropped every URL: a trailing ``:octocat:`` only says that a code link existed, so it is
  cut from the title and no link is recorded;
* the author line is the next non-empty line (with or without a blank line before it) when it is
  indented and not a bullet, the abstract the ``📋 Abstract (Click to Expand)`` line after it;
* sections are numbered lines at the left margin, ``7. Diffusion-Based Approaches``.

The page chrome (Skip to content, Folders and files, About, Releases…) and the Tips legend bullets
(``• *: Papers for Non-Medical …``) are not papers.
"""

from __future__ import annotations

import re

from adbib.readers.diaoquesang import _next_line, _paper, _scan, _section_title
from adbib.records import PaperRecord, ParseFailure, ParseResult

_HEADING = re.compile(r"\d+\.\s+\S.*")
_BULLET = re.compile(r"\s*•")
_ENTRY_START = re.compile(r"\s*•\s+\*?\[")  # an entry, or a broken attempt at one, starts so
_ENTRY = re.compile(
    r"\s*•\s+(?P<star>\*)?\[(?P<tag>[^\[\]]+)\]\s*(?P<title>.*?)(?::octocat:)?"  # title stripped later: no \s* (quadratic)
)
_ABSTRACT = re.compile(r"📋\s*Abstract \(Click to Expand\)\s*(?P<abstract>.*)")
_DETECT = re.compile(r"^\s*•\s+\*?\[[^\[\]\n]+\s(?:19|20)\d\d\]\s", re.M)


def detect(text: str) -> bool:
    """True when a ``• [VENUE YEAR] Title`` bullet appears (first 64 KiB)."""
    return _DETECT.search(text, 0, 65536) is not None


def read(text: str) -> ParseResult:
    return _scan(text, _heading, _entry)


def _heading(line: str) -> tuple[int, str] | None:
    return (1, _section_title(line)) if _HEADING.fullmatch(line.rstrip()) else None


def _entry(lines: list[str], i: int) -> tuple[PaperRecord | ParseFailure, int] | None:
    line = lines[i].rstrip()
    if not _ENTRY_START.match(line):
        return None
    m = _ENTRY.fullmatch(line)
    if m is None or not m["title"].strip():
        return ParseFailure(i + 1, "entry without a [VENUE YEAR] tag and a title", line), i + 1
    authors, end = _next_line(lines, i + 1, _authors)
    abstract, end = _next_line(lines, end, _abstract)
    record = _paper(
        lines,
        i,
        end,
        star=bool(m["star"]),
        tag=m["tag"],
        title=m["title"].strip(),
        authors=authors,
        abstract=abstract,
        links=[],
        problems=[],
    )
    return record, end


def _authors(line: str) -> str | None:
    """The author list: indented text that is not a bullet."""
    return line.strip() if line[:1].isspace() and not _BULLET.match(line) else None


def _abstract(line: str) -> str | None:
    m = _ABSTRACT.fullmatch(line)
    return m["abstract"] if m else None
