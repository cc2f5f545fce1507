"""Where ``-o FILE`` writes, and how: only onto what it should.

* ``-`` is standard output.
* A regular file (or a new name) is written whole or not at all: a temporary file beside it is
  renamed into place on success.  An existing file keeps its permission bits (and owner, where
  that can be set); a new one gets ``0666`` less the user's umask, as ``cp`` or ``>`` would.  A
  file with more than one hard link is refused: replacing it would silently cut it off from its
  other names.
* A FIFO or a character device (``/dev/stdout``, a terminal, ``/dev/null``, a pipe from
  ``>(…)``) is written in place, never replaced: replacing ``/dev/null`` would put a regular file
  where the device was.
* Anything else (a directory, a block device, a socket) is refused with one line.
* A symbolic link is followed, as ``cp`` follows one: what it points to is written (and replaced,
  when that is a regular file); the link itself stays a link.  A dangling link creates the file
  it points to.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from adbib.errors import AdbibError


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_output(path: Path) -> Iterator[TextIO]:
    """A text stream onto ``path`` (see the module docstring for what each kind of file gets)."""
    path = Path(path)
    if str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    try:
        st: os.stat_result | None = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise AdbibError(f"{path}: cannot write here ({e.strerror})") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise AdbibError(f"{path}: is a directory; give a file name to -o")
    if st is not None and (stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode)):
        with _writing(path), open(path, "w", encoding="utf-8", newline="") as out:
            yield out
        return
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise AdbibError(f"{path}: not a regular file, FIFO or character device; adbib writes only to those")
    if st is not None and st.st_nlink > 1:
        raise AdbibError(
            f"{path}: has {st.st_nlink} hard links, and replacing it would cut it off from the others; "
            "write to another file and copy it over"
        )
    target = Path(os.path.realpath(path))  # a symlink's target (also a dangling one's)
    directory = target.parent
    if not directory.is_dir():
        raise AdbibError(f"{directory if path.is_symlink() else path.parent}: no such directory")
    with _writing(path):
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        except OSError as e:
            raise AdbibError(f"{path}: cannot write here ({e.strerror})") from None
        try:
            if st is None:
                os.fchmod(fd, 0o666 & ~_umask())
            else:
                os.fchmod(fd, stat.S_IMODE(st.st_mode))
                # not ours to give away: the new file is the user's, as with cp
                with contextlib.suppress(OSError):
                    os.fchown(fd, st.st_uid, st.st_gid)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                yield out
                out.flush()
                os.fsync(out.fileno())
            try:
                os.replace(tmp, target)
            except OSError as e:
                raise AdbibError(f"{path}: cannot write here ({e.strerror})") from None
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """An OSError while the output is written (a full disk, a closed pipe's reader gone, an I/O
    error) becomes one line naming the file."""
    try:
        yield
    except AdbibError:
        raise
    except BrokenPipeError:
        raise
    except OSError as e:
        raise AdbibError(f"{path}: cannot write ({e.strerror or e})") from None
