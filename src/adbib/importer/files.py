"""A file about to be imported: its bytes read safely, its format detected, and whether it was
imported before — without the database layer (no sqlalchemy), so that an already-imported file
costs what reading it and one indexed SELECT cost.

:func:`import_files` is what ``adbib import`` calls: files imported before are reported as such
from a plain read connection; the write engine (sqlalchemy, migrations) is opened only for a
file that has something to write, and :func:`adbib.store.ingest` imports it.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from adbib.importer.report import ImportReport
from adbib.limits import MAX_FILE_BYTES, MAX_LINE, MAX_STREAMED_FILE_BYTES
from adbib.readers import DIALECTS, _utf16, decode, detect, reader
from adbib.records import ReaderError

if TYPE_CHECKING:
    from adbib.backend import Target


def import_files(
    target: Target,
    paths: list[Path],
    *,
    dialect: str | None = None,
    source_name: str | None = None,
    list_name: str | None = None,
    dry_run: bool = False,
    progress: Callable[[str], Any] | None = None,
    columns: dict[str, str] | None = None,
    list_new: bool = True,
) -> list[ImportReport]:
    """Import each file in its own transaction (:func:`adbib.store.ingest`); ``progress(name)``
    gives the context manager reporting one file's progress; ``list_new`` False: the reports
    count their new entries, not list them (a report that prints their number only)."""
    from contextlib import nullcontext

    engine = None
    reports = []
    for path in paths:
        try:
            data: bytes | Hashed | None = open_input(Path(path), dialect, columns)
        except ReaderError:
            data = None  # the import says what is wrong with the file
        seen = None if data is None else _seen(target, path, _hash(data), dialect, source_name, dry_run)
        if seen is not None:
            reports.append(seen)
            continue
        if engine is None:
            from adbib.db import open_for_write

            engine = open_for_write(target)
        from adbib.store import ingest

        with progress(path.name) if progress else nullcontext() as bar:
            reports.append(
                ingest(
                    engine,
                    target,
                    path,
                    dialect=dialect,
                    source_name=source_name,
                    list_name=list_name,
                    dry_run=dry_run,
                    progress=bar,
                    columns=columns,
                    data=data,
                    list_new=list_new,
                )
            )
    return reports


def _hash(data: bytes | Hashed) -> str:
    return data.content_hash if isinstance(data, Hashed) else file_hash(data)


def _seen(
    target: Target, path: Path, content_hash: str, dialect: str | None, source_name: str | None, dry_run: bool
) -> ImportReport | None:
    """The report of a file whose bytes were imported before, else None.  Anything unusual (an
    unknown format, no database yet, a database to migrate) is left to the import, which says it."""
    explicit = dialect not in (None, "auto")
    try:
        if explicit:
            reader(dialect or "")  # an unknown --format is the import's error to report
        stored = imported_as(target, content_hash)
    except ReaderError:
        return None
    if stored is None:
        return None
    # the format it was imported as, unless given now: the file is not even decoded
    shown = (dialect or stored) if explicit else stored
    report = ImportReport(source=source_name or Path(path).stem, path=str(path), dialect=shown, dry_run=dry_run)
    report.already_imported = True
    return report


def already_imported(db_path: Target, content_hash: str) -> bool:
    return imported_as(db_path, content_hash) is not None


def imported_as(db_path: Target, content_hash: str) -> str | None:
    """The format a file with these bytes was imported as, or None (not imported, or no adbib
    database to read yet).  On a plain read connection: it must not queue for the write lock."""
    from adbib import backend
    from adbib.errors import AdbibError

    try:
        b = backend.of(db_path)
        if b.schema_state() != "current":
            return None
        con = b.connect()
    except AdbibError:
        return None
    try:
        row = con.execute("SELECT dialect FROM source WHERE content_hash = ?", (content_hash,)).fetchone()
        return None if row is None else str(row[0])
    finally:
        con.close()


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_file(path: Path, dialect: str | None = None, data: bytes | None = None) -> tuple[str, bytes, str]:
    """(dialect, bytes, text) of a file, the dialect detected unless given.  No database.
    ``data``: the file's bytes when the caller has read them already."""
    if data is None:
        data = _read_regular_file(Path(path))
    text = decode(data, str(path))
    if len(text) > MAX_LINE and (long := _long_line(text, MAX_LINE)):
        raise ReaderError(
            f"{path}: line {long[0]} has {long[1]:,} characters (at most {MAX_LINE:,}): not a bibliography"
        )
    if dialect in (None, "auto"):
        dialect = detect(text)
        if dialect is None:
            raise ReaderError(f"{path}: not a format adbib can read (known formats: {', '.join(DIALECTS)})")
    reader(dialect)  # an unknown --format fails here, before any work
    return dialect, data, text


def _read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES; anything else is one ReaderError.
    A FIFO, a device or a socket is refused before it is opened (reading one would hang, or never
    end: /dev/zero), and the opened file is checked again (it may have been swapped meanwhile)."""
    with _open_regular(path, MAX_FILE_BYTES) as f:
        data = _read(path, f, MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ReaderError(f"{path}: more than {MAX_FILE_BYTES:,} bytes; adbib imports files of at most that")
    return data


@contextmanager
def _open_regular(path: Path, limit: int) -> Iterator[BinaryIO]:
    """The regular file at ``path`` opened for reading, if it has at most ``limit`` bytes."""
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise ReaderError(f"{path}: is a directory, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise ReaderError(f"{path}: is {_file_kind(st.st_mode)}, not a regular file; adbib imports only files")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        f = os.fdopen(fd, "rb")
    except OSError as e:
        raise ReaderError(f"{path}: {e.strerror or e}") from None
    with f:
        try:
            st = os.fstat(f.fileno())
        except OSError as e:
            raise ReaderError(f"{path}: {e.strerror or e}") from None
        if not stat.S_ISREG(st.st_mode):
            raise ReaderError(f"{path}: is {_file_kind(st.st_mode)}, not a regular file; adbib imports only files")
        if st.st_size > limit:
            raise ReaderError(f"{path}: {st.st_size:,} bytes; adbib imports files of at most {limit:,} bytes")
        yield f


def _read(path: Path, f: BinaryIO, size: int) -> bytes:
    try:
        return f.read(size)
    except OSError as e:
        raise ReaderError(f"{path}: {e.strerror or e}") from None


def _file_kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "a special file"


def _long_line(text: str, limit: int = MAX_LINE) -> tuple[int, int] | None:
    """(1-based number, length) of the first line longer than ``limit``, if any.

    Without splitting the text into lines (a list as big as the file): a line of more than
    ``limit`` characters covers a whole window of ``limit // 2`` characters aligned on a multiple
    of it, so only the windows without a newline are looked at closely."""
    step = max(limit // 2, 1)
    for pos in range(0, len(text), step):
        if text.find("\n", pos, pos + step) != -1:
            continue
        start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        end = len(text) if end == -1 else end
        if end - start > limit:
            return text.count("\n", 0, start) + 1, end - start
    return None


# ---------------------------------------------------------------- a file read in pieces

# Dialects of curated lists, whose files are revisions of one list over time.  A .bib, a CSV or
# adbib's own markdown export is a source of its own, never taken for a list's next revision
# (an export of the whole database would otherwise look like every list at once).
LIST_DIALECTS = frozenset({"lgc", "diaoquesang-md", "diaoquesang-text", "medaierhhl", "generic", "rst"})

BLOCK = 1 << 20  # bytes read from a streamed file at a time
# Text kept from the start of a streamed file, for format detection and the title line: at
# least this many characters (the detectors that look at a file's head read its first 64 KiB).
HEAD = 65536
_MAX_HEAD = 4 * HEAD  # a head not complete by then (no line ends): the file is read whole instead


def streams(dialect: str) -> bool:
    """Whether a file read as ``dialect`` is read in pieces (:func:`open_input`): its reader
    reads pieces of text (``iter_read_pieces``), and no list recognition needs all of it."""
    if dialect not in DIALECTS or dialect in LIST_DIALECTS:
        return False
    return hasattr(reader(dialect), "iter_read_pieces")


def open_input(path: Path, dialect: str | None = None, columns: dict[str, str] | None = None) -> bytes | Hashed:
    """A file about to be imported: when its format may be read in pieces (given, or auto), its
    hash (:class:`Hashed`: enough to tell a file imported before), else its bytes
    (:func:`read_file`).  Raises ReaderError for a file that is not a regular file, or too big."""
    explicit = dialect not in (None, "auto")
    if columns is not None or (explicit and (dialect not in DIALECTS or not streams(dialect or ""))):
        return _read_regular_file(path)
    digest = hashlib.sha256()
    with _open_regular(path, MAX_STREAMED_FILE_BYTES) as f:
        while block := _read(path, f, BLOCK):
            digest.update(block)
    return Hashed(path, digest.hexdigest())


class Hashed:
    """A file of a format that may be read in pieces, hashed; :meth:`scan` reads it."""

    def __init__(self, path: Path, content_hash: str) -> None:
        self.path, self.content_hash = path, content_hash

    def scan(self) -> Streamed:
        """The pass over its bytes that :class:`Streamed` keeps the findings of; ReaderError for
        what the import refuses (empty, binary, a line too long: :func:`read_file`'s messages)."""
        got = _scan(self.path)
        if got.content_hash != self.content_hash:
            raise ReaderError(f"{self.path}: the file changed while it was being imported")
        return got


class Streamed:
    """A file whose text is read from disk piece by piece, as often as asked
    (:meth:`pieces`), memory not growing with its size: what one pass over its bytes found —
    the content hash, the encoding (the rules of :func:`adbib.readers.decode`), the number of
    lines, the longest-line check, the text's head and first non-blank line (the title line)."""

    def __init__(self, path: Path, content_hash: str, size: int, codec: str, skip: int) -> None:
        self.path, self.content_hash, self.size = path, content_hash, size
        self.codec, self.skip = codec, skip  # ``skip``: bytes of a UTF-8 byte-order mark not decoded
        self.newlines = 0
        self.head = ""  # the text's first lines, at least HEAD characters unless it is shorter
        self.whole = False  # the head is the whole text
        self.first_line: str | None = None  # the first line (str.splitlines) that is not blank
        self.bullets = False  # some line starts with -, * or + (a markdown list item may)

    def pieces(self) -> Iterator[str]:
        """The text, decoded piece by piece as it is read; ReaderError at the end when the file's
        bytes are not those the pass read (it changed meanwhile)."""
        digest = hashlib.sha256()
        decoder = codecs.getincrementaldecoder(self.codec)("replace" if self.codec == "cp1252" else "strict")
        bom = self.codec.startswith("utf-16")  # a U+FEFF left after the decoder's own BOM is dropped
        with _open_regular(self.path, MAX_STREAMED_FILE_BYTES) as f:
            skip = self.skip
            while block := _read(self.path, f, BLOCK):
                digest.update(block)
                if skip:
                    block, skip = block[skip:], max(skip - len(block), 0)
                try:
                    text = decoder.decode(block)
                except UnicodeDecodeError:
                    break  # the hash says it
                if bom and text:
                    text, bom = (text[1:] if text.startswith("\ufeff") else text), False
                if text:
                    yield text
            if digest.hexdigest() != self.content_hash:
                raise ReaderError(f"{self.path}: the file changed while it was being imported")
            try:
                rest = decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise ReaderError(f"{self.path}: the file changed while it was being imported") from None
            if rest:
                yield rest

    def lines(self) -> Iterator[str]:
        """:meth:`pieces` that end at line ends (:func:`whole_lines`)."""
        return whole_lines(self.pieces())

    def text(self) -> str:
        """All the text at once (for a message about the whole file): its head when it is bigger
        than the files read whole."""
        return self.head if not self.whole and self.size > MAX_FILE_BYTES else "".join(self.pieces())

    def dialect(self, dialect: str | None) -> str | None:
        """The format to read the file as, given ``dialect`` (None or auto: detected, as
        :func:`adbib.readers.detect` detects it in the whole text), when that format is read in
        pieces; None when the file is to be read whole (:func:`read_file`) instead."""
        if dialect not in (None, "auto"):
            return dialect if streams(dialect or "") else None
        from adbib.readers import bibtex, lgc

        if self.whole:
            got = detect(self.head)
            return got if got is not None and streams(got) else None
        head = self.head
        sure = (  # what detect() reads of a text is in its head
            len(head) >= HEAD
            and head.count("\n") >= 6  # the header and first lines of a CSV/TSV
            and len(head.lstrip()) >= 2048
            and len(head.lstrip("\ufeff \t\r\n")) >= 2048
        )
        # bibtex.detect(head) implies it of the whole text; the only detector ahead of it that
        # looks beyond the head is lgc's, which looks at lines alone (lgc.detect).
        if not sure or detect(head) != "bibtex" or not bibtex.detect(head):
            return None
        if not streams("bibtex") or (self.bullets and any(lgc.detect(piece) for piece in self.lines())):
            return None
        return "bibtex"


def whole_lines(pieces: Iterable[str]) -> Iterator[str]:
    """The text of ``pieces`` again, in pieces that end at a line end (``\\n``; the last one may
    not): a pattern that matches within one line finds the same in them as in the whole text."""
    carry = ""
    for piece in pieces:
        end = piece.rfind("\n") + 1
        if not end:
            carry += piece
            continue
        yield carry + piece[:end]
        carry = piece[end:]
    if carry:
        yield carry


def _scan(path: Path) -> Streamed:
    """One pass over the file's bytes: hash, encoding and what :class:`Streamed` keeps, the
    checks and messages of :func:`read_file` (a text that is not UTF-8 is read again as cp1252)."""
    digest = hashlib.sha256()
    with _open_regular(path, MAX_STREAMED_FILE_BYTES) as f:
        size = os.fstat(f.fileno()).st_size
        data = _read(path, f, max(BLOCK, 8192))  # the start that decides the encoding
        head = data[:8192]
        utf16 = _utf16(data)  # it reads data[:8192], and len(data) only when that is all of it
        if utf16 is not None:
            codec, skip = utf16, 0
        elif b"\x00" in head:
            codec, skip = "binary", 0
        else:
            codec, skip = "utf-8", 3 if data.startswith(b"\xef\xbb\xbf") else 0
        blank = True
        scan: _TextScan | None = _TextScan(codec)
        decoder = codecs.getincrementaldecoder("utf-8" if codec == "binary" else codec)()
        first = True
        while data:
            digest.update(data)
            if blank and data.strip():
                blank = False
            if scan is not None and codec != "binary":
                try:
                    scan.feed(decoder.decode(data[skip:] if first else data))
                except UnicodeDecodeError:
                    _not_decoded(path, codec)
                    scan = None
            first = False
            data = _read(path, f, BLOCK)
        if scan is not None and codec != "binary":
            try:
                scan.feed(decoder.decode(b"", final=True), final=True)
            except UnicodeDecodeError:
                _not_decoded(path, codec)
                scan = None
    if blank:
        raise ReaderError(f"{path}: the file is empty")
    if codec == "binary":
        raise ReaderError(f"{path}: binary file, not a bibliography")
    streamed = Streamed(path, digest.hexdigest(), size, codec if scan is not None else "cp1252", skip)
    if scan is None:  # not UTF-8: cp1252 is what such files usually are; repair happens per value later
        scan = _TextScan("cp1252")
        pieces = streamed.pieces()
        for text in pieces:
            scan.feed(text)
        scan.feed("", final=True)
    if codec.startswith("utf-16") and "\x00" in scan.start:  # UTF-32, or binary that starts like UTF-16
        raise ReaderError(f"{path}: binary file, not a bibliography")
    if scan.long is not None:
        line, length = scan.long
        raise ReaderError(f"{path}: line {line} has {length:,} characters (at most {MAX_LINE:,}): not a bibliography")
    streamed.newlines, streamed.head, streamed.whole = scan.newlines, scan.head, scan.whole
    streamed.first_line, streamed.bullets = scan.first_line or "", scan.bullets
    return streamed


def _not_decoded(path: Path, codec: str) -> None:
    """A text that does not decode: UTF-16 is refused (UTF-8 is read again as cp1252)."""
    if codec.startswith("utf-16"):
        raise ReaderError(f"{path}: looks like UTF-16 but does not decode as UTF-16")


class _TextScan:
    """What :class:`Streamed` keeps of a text fed to it piece by piece."""

    def __init__(self, codec: str) -> None:
        self.newlines = 0
        self.long: tuple[int, int] | None = None  # (line, length) of the first line over MAX_LINE
        self._counting = False  # that line has not ended yet
        self._carry = ""  # the line not ended yet
        self._head: list[str] = []
        self._head_size = 0
        self.head, self.whole = "", False
        self.first_line: str | None = None
        self.bullets = False
        self.start = ""  # the first 4,096 characters (a UTF-16 text's NUL check)
        self._bom = codec.startswith("utf-16")

    def feed(self, text: str, final: bool = False) -> None:
        if self._bom and text:  # decode() drops a U+FEFF left after the UTF-16 decoder's BOM
            self._bom = False
            if len(self.start) < 4096:
                self.start += text[: 4096 - len(self.start)]
            text = text[1:] if text.startswith("\ufeff") else text
        elif len(self.start) < 4096:
            self.start += text[: 4096 - len(self.start)]
        if self.long is not None:
            if self._counting:
                end = text.find("\n")
                self.long = (self.long[0], self.long[1] + (len(text) if end == -1 else end))
                self._counting = end == -1
            return
        text = self._carry + text
        end = len(text) if final else text.rfind("\n") + 1
        done, self._carry = text[:end], text[end:]
        if done:
            if len(done) > MAX_LINE and (long := _long_line(done, MAX_LINE)):
                self.long = (self.newlines + long[0], long[1])
                return
            self._lines(done)
        if len(self._carry) > MAX_LINE:
            self.long, self._counting, self._carry = (self.newlines + 1, len(self._carry)), True, ""
            return
        if final:
            self._end_head(whole=True)

    def _lines(self, done: str) -> None:
        """Complete lines (the last one may be the text's last, without a line end)."""
        self.newlines += done.count("\n")
        if done[0] in "-*+" or "\n-" in done or "\n*" in done or "\n+" in done:
            self.bullets = True
        if self.first_line is None:
            self.first_line = next((line for line in done.splitlines() if line.strip()), None)
        if not self.whole and not self.head:
            self._head.append(done)
            self._head_size += len(done)
            if self._head_size >= _MAX_HEAD or (self._head_size >= HEAD and self.newlines >= 6):
                self._end_head(whole=False)

    def _end_head(self, whole: bool) -> None:
        if not self.head:
            self.head, self.whole, self._head = "".join(self._head), whole, []


class WholeText:
    """A text read whole, with :class:`Streamed`'s interface."""

    def __init__(self, text: str) -> None:
        self._text = text
        self.newlines = text.count("\n")
        self.head, self.first_line = text, None

    def pieces(self) -> Iterator[str]:
        yield self._text

    def lines(self) -> Iterator[str]:
        yield self._text

    def text(self) -> str:
        return self._text
