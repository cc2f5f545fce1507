"""Files written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TextIO

from adbib.errors import AdbibError


@contextmanager
def atomic_output(path: Path) -> Iterator[TextIO]:
    """Write to a temporary file beside ``path`` and rename it into place only on success."""
    path = Path(path)
    if path.is_dir():
        raise AdbibError(f"{path}: is a directory; give a file name to -o")
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise AdbibError(f"{directory}: no such directory")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise AdbibError(f"{path}: cannot write here ({e.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        try:
            os.replace(tmp, path)
        except OSError as e:
            raise AdbibError(f"{path}: cannot write here ({e.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
