"""Dump what reading and normalizing gives for some files, to diff two checkouts byte for byte.

For each file: the dialect, then ``repr()`` of every failure, skip and NormalizedPaper, and the
file's revision signature, read exactly as ``store.ingest`` reads it (a BibTeX file in chunks of
``store.CHUNK`` with the file's title line, a list whole with its signature's title).  A fast path
in a reader or the normalizer must leave this output unchanged::

    git stash; .venv/bin/python benchmarks/normalized_dump.py /tmp/before.txt FILES...; git stash pop
    .venv/bin/python benchmarks/normalized_dump.py /tmp/after.txt FILES...
    cmp /tmp/before.txt /tmp/after.txt

FILES: the lists in shared/lists/ and shared/seeds/, data/seed/, tests/fixtures/*.bib and the
synthetic .bib and .md of benchmarks/generate.py.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from adbib.importer.files import read_file
from adbib.importer.revisions import entry_repos, list_title, signature, signature_of
from adbib.normalize import normalize_record
from adbib.readers import reader
from adbib.records import ReaderError
from adbib.store import CHUNK, LIST_DIALECTS


def dump(path: Path, out: TextIO) -> None:
    try:
        dialect, _, text = read_file(path)
    except ReaderError as e:
        print(f"FILE {path} ERR {e}", file=out)
        return
    print(f"FILE {path} {dialect}", file=out)
    mod = reader(dialect)
    if dialect not in LIST_DIALECTS and hasattr(mod, "iter_read"):
        title, repos = list_title(text), set()
        for part in mod.iter_read(text, CHUNK):
            repos |= entry_repos(part.records)
            lines(out, part.failures, part.skipped, (normalize_record(r, title) for r in part.records))
        print(f"SIG {signature_of(text, repos)!r}", file=out)
        return
    try:
        parsed = mod.read(text)
    except ReaderError as e:
        print(f"ERR {e}", file=out)
        return
    sig = signature(text, parsed.records)
    lines(out, parsed.failures, parsed.skipped, (normalize_record(r, sig.title) for r in parsed.records))
    print(f"SIG {sig!r}", file=out)


def lines(out: TextIO, failures: Iterable[object], skipped: Iterable[object], papers: Iterable[object]) -> None:
    for failure in failures:
        print(f"FAIL {failure!r}", file=out)
    for skip in skipped:
        print(f"SKIP {skip!r}", file=out)
    for paper in papers:
        print(repr(paper), file=out)


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        sys.exit(__doc__)
    with open(argv[0], "w", encoding="utf-8") as out:
        for name in argv[1:]:
            dump(Path(name), out)


if __name__ == "__main__":
    main(sys.argv[1:])
