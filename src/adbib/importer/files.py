"""A file about to be imported: its bytes read safely, its format detected, and whether it was
imported before — without the database layer (no sqlalchemy), so that an already-imported file
costs what reading it and one indexed SELECT cost.

:func:`import_files` is what ``adbib import`` calls: files imported before are reported as such
from a plain read connection; the write engine (sqlalchemy, migrations) is opened only for a
file that has something to write, and :func:`adbib.store.ingest` imports it.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adbib.importer.report import ImportReport
from adbib.limits import MAX_FILE_BYTES, MAX_LINE
from adbib.readers import DIALECTS, decode, detect, reader
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
) -> list[ImportReport]:
    """Import each file in its own transaction (:func:`adbib.store.ingest`); ``progress(name)``
    gives the context manager reporting one file's progress."""
    from contextlib import nullcontext

    engine = None
    reports = []
    for path in paths:
        try:
            data: bytes | None = _read_regular_file(Path(path))
        except ReaderError:
            data = None  # the import says what is wrong with the file
        seen = None if data is None else _seen(target, path, data, dialect, source_name, dry_run)
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
                )
            )
    return reports


def _seen(
    target: Target, path: Path, data: bytes, dialect: str | None, source_name: str | None, dry_run: bool
) -> ImportReport | None:
    """The report of a file whose bytes were imported before, else None.  Anything unusual (an
    unknown format, no database yet, a database to migrate) is left to the import, which says it."""
    explicit = dialect not in (None, "auto")
    try:
        if explicit:
            reader(dialect or "")  # an unknown --format is the import's error to report
        stored = imported_as(target, file_hash(data))
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
    if len(text) > MAX_LINE and (long := _long_line(text)):
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
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise ReaderError(f"{path}: is a directory, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise ReaderError(f"{path}: is {_file_kind(st.st_mode)}, not a regular file; adbib imports only files")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise ReaderError(f"{path}: is {_file_kind(st.st_mode)}, not a regular file; adbib imports only files")
            if st.st_size > MAX_FILE_BYTES:
                raise ReaderError(
                    f"{path}: {st.st_size:,} bytes; adbib imports files of at most {MAX_FILE_BYTES:,} bytes"
                )
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise ReaderError(f"{path}: {e.strerror or e}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ReaderError(f"{path}: more than {MAX_FILE_BYTES:,} bytes; adbib imports files of at most that")
    return data


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
