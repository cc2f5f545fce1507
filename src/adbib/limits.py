"""The bounds adbib puts on what a file may make it do (standard library only).

No real bibliography comes near them; they are there so that a hostile or broken file costs a
bounded amount of time and memory and gets a clear message instead.
"""

from __future__ import annotations

MAX_FILE_BYTES = 256 * 1024 * 1024  # an input file read whole (the largest real list is well under 1 MB)
# A file read from disk piece by piece (BibTeX): its memory does not grow with its size, and its
# time grows linearly; this only names a size no bibliography reaches (all of DBLP is ≈ 5 GB).
MAX_STREAMED_FILE_BYTES = 64 * 1024 * 1024 * 1024
MAX_LINE = 1_000_000  # characters on one line of an input file
MAX_MACRO = 100_000  # characters a BibTeX @string macro, or a value built of macros, may expand to
MAX_LONG_FIELD = 100_000  # characters of an abstract or an author list
MAX_FIELD = 4_000  # characters of any other value (title, venue, summary, URL, dataset, heading)
MAX_NAMES = 1_000  # authors kept per entry: the rest are "and others"
MAX_CITEKEY_PART = 32  # characters of each of the family-name and title-word parts of a citekey
MAX_QUERY = 10_000  # characters of a query (all terms and options together)
