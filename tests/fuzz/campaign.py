"""A long fuzz campaign over every reader (not part of the pytest run).

    cd /work/main && PYTHONPATH=src .venv/bin/python tests/fuzz/campaign.py --cases 10000

For each dialect of ``adbib.readers.DIALECTS`` (the registry: a reader added there is fuzzed too;
one without texts of its own in the corpus starts from every text) and for the query parser
(``--dialect query-parser``, see queries.py): ``--cases`` texts, each either a real text of that
dialect (see corpus.py) put through 1–4 random mutations (mutations.py), or — one case in eight —
random text built from the syntax characters of every dialect.  Each text goes through
adbib's decoding of its bytes (UTF-8 and UTF-16), ``detect()``, the reader's ``read()`` and the
normalization of every record, as an import does.
Anything but ReaderError (or a line number outside the text) is a failure; the first
``--keep`` distinct failures (by exception type and place) are saved under ``--out`` with the seed
that replays them.  Cases slower than ``--slow`` seconds are reported, and a case that has used
``--timeout`` seconds of CPU is stopped and counted as a failure (a hang).  Both count CPU time, not
wall-clock time: on a shared machine a niced campaign waits for the CPU, and a case that waited is
not slow.

Exit status: 0 when no reader failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import traceback
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make tests/ importable for the fuzz package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from fuzz.corpus import check_read, corpus
from fuzz.mutations import ODD_CHARS, SYNTAX, mutate


def random_text(rng: random.Random) -> str:
    """Text from scratch: syntax characters, odd code points, words, line ends."""
    alphabet = (
        list(SYNTAX)
        + list(ODD_CHARS)
        + ["\n", " ", "a", "2023", "http://x.org/", "- ", "# ", "@article{", "* [", "**", "](", "•", "arXiv", "|"]
    )
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 400)))


def case(dialect: str, texts: dict[str, list[str]], seed: int) -> tuple[str, list[str]]:
    """The text of one case (replayable from ``dialect`` and ``seed``) and how it was made.

    A reader registered without texts of its own in the corpus (a reader added later, such as a
    generic one that reads any list) starts from any text of the corpus."""
    rng = random.Random(f"{dialect}:{seed}")
    if rng.randrange(8) == 0:
        return random_text(rng), ["random_text"]
    base = rng.choice(texts.get(dialect) or [t for ts in texts.values() for t in ts])
    donor = rng.choice([t for ts in texts.values() for t in ts])
    return mutate(base, rng, donor, rng.randrange(1, 5))


class Hang(Exception):
    """A case used more than --timeout seconds of CPU."""


def _alarm(signum, frame):
    raise Hang("still running after the time limit")


def where(exc: BaseException) -> str:
    """The innermost adbib frame of an exception: file:line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/adbib/" in f.filename]
    frame = frames[-1] if frames else traceback.extract_tb(exc.__traceback__)[-1]
    return f"{Path(frame.filename).name}:{frame.lineno}"


QUERY = "query-parser"  # the pseudo-dialect under which the query parser is fuzzed


def run(
    dialect: str,
    texts,
    cases: int,
    out: Path,
    keep: int,
    slow: float,
    timeout: float,
    con=None,
    first: int = 0,
    progress: int = 0,
) -> dict:
    from adbib.errors import UsageError
    from adbib.records import ReaderError
    from fuzz.queries import check_query, query_case, too_complex

    stats = {"cases": 0, "records": 0, "reader_errors": 0, "failures": {}, "slow": [], "seconds": 0.0}
    start = time.perf_counter()
    for seed in range(first, first + cases):
        if dialect == QUERY:
            text, how = query_case(random.Random(f"{dialect}:{seed}"))
        else:
            text, how = case(dialect, texts, seed)
        t0 = time.process_time()
        signal.setitimer(signal.ITIMER_PROF, timeout)  # CPU time of the process
        try:
            if dialect == QUERY:
                try:
                    stats["records"] += check_query(con, text)
                except sqlite3.OperationalError as e:
                    if not too_complex(e):
                        raise
                    stats["reader_errors"] += 1
            else:
                check_decode(text)
                stats["records"] += check_read(dialect, text)
        except (ReaderError, UsageError):
            stats["reader_errors"] += 1
        except Exception as e:
            key = f"{type(e).__name__} at {where(e)}"
            seen = stats["failures"].setdefault(key, {"count": 0, "seed": seed, "how": how, "message": str(e)[:200]})
            seen["count"] += 1
            if seen["count"] == 1 and len(stats["failures"]) <= keep:
                name = f"{dialect}-{seed}"
                (out / f"{name}.txt").write_text(text, encoding="utf-8", errors="surrogatepass")
                (out / f"{name}.traceback").write_text("".join(traceback.format_exception(e)), encoding="utf-8")
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        elapsed = time.process_time() - t0
        if elapsed > slow:
            stats["slow"].append((seed, round(elapsed, 2), how))
        stats["cases"] += 1
        if progress and stats["cases"] % progress == 0:
            n_fail = sum(f["count"] for f in stats["failures"].values())
            print(
                f"  … {dialect}: {stats['cases']} cases (seeds {first}–{seed}), {stats['reader_errors']} refused, "
                f"{n_fail} failures, {len(stats['slow'])} slow, {time.perf_counter() - start:.0f} s",
                flush=True,
            )
    stats["seconds"] = time.perf_counter() - start
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases per reader")
    parser.add_argument("--dialect", action="append", help="only these dialects (repeatable)")
    parser.add_argument(
        "--first",
        type=int,
        default=0,
        help="first seed (to split one campaign over processes: --first 0, --first 2500 …)",
    )
    parser.add_argument(
        "--progress", type=int, default=0, help="print a running count every N cases (0: only at the end)"
    )
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="where failing inputs go")
    parser.add_argument("--keep", type=int, default=20, help="distinct failures saved per reader")
    parser.add_argument("--slow", type=float, default=2.0, help="report cases that use more CPU than this (s)")
    parser.add_argument("--timeout", type=float, default=20.0, help="a case using more CPU than this is a hang (s)")
    args = parser.parse_args(argv)

    from adbib.db import open_for_write
    from adbib.dbread import connect
    from adbib.readers import DIALECTS
    from adbib.seed import seed

    tmp = tempfile.TemporaryDirectory()
    db = Path(tmp.name) / "seeded.db"
    engine = open_for_write(db)
    seed(engine, db)
    engine.dispose()
    texts = corpus(db)
    con = connect(db)  # the query parser's cases run on it
    args.out.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGPROF, _alarm)
    failed = False
    print(
        f"{'reader':18} {'cases':>7} {'records':>9} {'refused':>11} {'failures':>8} {'slow':>5} {'seconds':>8}"
        "   (refused: ReaderError, or UsageError / too complex for the query parser; records: papers selected)"
    )
    for dialect in args.dialect or [*DIALECTS, QUERY]:
        s = run(
            dialect, texts, args.cases, args.out, args.keep, args.slow, args.timeout, con, args.first, args.progress
        )
        n_fail = sum(f["count"] for f in s["failures"].values())
        print(
            f"{dialect:18} {s['cases']:>7} {s['records']:>9} {s['reader_errors']:>11} {n_fail:>8} "
            f"{len(s['slow']):>5} {s['seconds']:>8.1f}",
            flush=True,
        )
        for key, f in s["failures"].items():
            failed = True
            print(f"    {f['count']:>5} × {key}: {f['message']!r} (first: seed {f['seed']}, {'+'.join(f['how'])})")
        for seed_, secs, how in s["slow"][:5]:
            print(f"    slow: seed {seed_} took {secs} s ({'+'.join(how)})")
    con.close()
    tmp.cleanup()
    if not failed and not any(args.out.iterdir()):
        shutil.rmtree(args.out)
    return 1 if failed else 0


def check_decode(text: str) -> None:
    """The bytes of the text (UTF-8, and one case in four UTF-16) through adbib's decoding, as
    ``adbib import`` reads a file: only ReaderError may come out, and UTF-16 must give the text back."""
    from adbib.readers import decode
    from adbib.records import ReaderError

    data = text.encode("utf-8", errors="surrogatepass")
    with contextlib.suppress(ReaderError):
        decode(data)
    if "\x00" not in text and text.strip() and "\ufeff" not in text[:1] and hash(text) % 4 == 0:
        try:
            back = decode(text.encode("utf-16", errors="surrogatepass"))
        except ReaderError:
            return
        assert back == text, "UTF-16 with a BOM did not decode to the same text"


if __name__ == "__main__":
    sys.exit(main())
