"""The adbib command line: parse options, call one library function, render.

Start-up cost matters (a query CLI runs many times a minute), so this module imports only typer
and adbib's light modules; commands import what they need when they run.  Commands that only read
open the database with the standard library's sqlite3 and never import sqlalchemy or alembic.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

import typer
from typer.core import TyperCommand

from adbib import formats as F
from adbib.errors import AdbibError, UsageError

if TYPE_CHECKING:  # types only: a command imports what it needs when it runs (start-up cost)
    import sqlite3

    from sqlalchemy.engine import Engine
    from typer._click.core import Command, Context
    from typer.core import TyperOption

    from adbib.backend import Target
    from adbib.query import Filters, Query

app = typer.Typer(
    name="adbib",
    help=(
        "A bibliographic database of anomaly-detection papers (industrial inspection and medical "
        "imaging), built from curated awesome-lists. Query it, browse it, export BibTeX, markdown, CSL-JSON, RIS, "
        "CSV or JSON, and import new lists, .bib and .csv files.\n\n"
        "The first command that reads an empty database seeds it from the shipped lists."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Sort(StrEnum):
    year = "year"
    title = "title"  # type: ignore[assignment]  # a member named like str.title: the CLI value --sort title
    venue = "venue"
    relevance = "relevance"


class _State:
    db: str | None = None


state = _State()

# --format: one vocabulary (adbib.formats), each command naming in its help the formats it takes
FORMAT_HELP = F.help_text(F.papers())
PAPER_FORMAT = typer.Option(
    "table", "--format", "-f", metavar="FORMAT", help=FORMAT_HELP, autocompletion=lambda: list(F.papers())
)
LISTING_FORMAT = typer.Option(
    "table", "--format", "-f", metavar="FORMAT", help=F.help_text(F.LISTING), autocompletion=lambda: list(F.LISTING)
)
STATS_FORMAT = typer.Option(
    "table", "--format", "-f", metavar="FORMAT", help=F.help_text(F.STATS), autocompletion=lambda: list(F.STATS)
)
QUIET = typer.Option(False, "--quiet", "-q", help="Print one summary line, nothing per entry.")
VERBOSE = typer.Option(False, "--verbose", "-v", help="Print one line per entry read (new, merged, skipped, failed).")


def _version(value: bool) -> None:
    if value:
        from adbib import __version__

        typer.echo(f"adbib {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    db: str | None = typer.Option(
        None,
        "--db",
        envvar="ADBIB_DB",
        show_envvar=True,
        help="SQLite database file, or a postgresql://user@host/dbname URL [default: adbib.db in your user data directory].",
    ),
    version: bool = typer.Option(
        False, "--version", is_eager=True, callback=_version, help="Print adbib's version and exit."
    ),
) -> None:
    state.db = db


def _level(quiet: bool, verbose: bool) -> str:
    if quiet and verbose:
        raise UsageError("--quiet and --verbose contradict each other; give one")
    return "quiet" if quiet else "verbose" if verbose else "normal"


def db_path() -> Target:
    if state.db is not None:
        from adbib.backend import target

        return target(state.db)
    from adbib.config import default_db_path

    return default_db_path()


@contextmanager
def user_errors() -> Iterator[None]:
    """A user mistake or a bad file: one line on stderr, a non-zero exit, no traceback."""
    from adbib.records import ReaderError
    from adbib.render import visible

    try:
        yield
        sys.stdout.flush()  # a full disk behind `>` is reported here, not at interpreter exit
    except AdbibError as e:
        typer.echo(f"adbib: {visible(str(e))}", err=True)
        raise typer.Exit(e.exit_code) from None
    except ReaderError as e:
        typer.echo(f"adbib: {visible(str(e))}", err=True)
        raise typer.Exit(1) from None
    except BrokenPipeError:
        sys.stderr.close()
        raise typer.Exit(0) from None
    except MemoryError:
        typer.echo("adbib: out of memory (the input is too large for this machine); nothing was written", err=True)
        raise typer.Exit(1) from None
    except OSError as e:
        _os_error(e)
    except Exception as e:
        # a damaged file surfaces as sqlite3.DatabaseError, or wrapped by sqlalchemy (.orig)
        import sqlite3

        cause = e if isinstance(e, sqlite3.DatabaseError) else getattr(e, "orig", None)
        if isinstance(cause, OSError):
            _os_error(cause)
        if type(cause or e).__module__.startswith("psycopg"):  # the PostgreSQL server refused a statement
            from adbib.backend import of

            typer.echo(f"adbib: {of(db_path()).translate(cause or e)}", err=True)
            raise typer.Exit(1) from None
        if not isinstance(cause, sqlite3.DatabaseError):
            raise
        if _too_complex(str(cause)):
            typer.echo(
                f"adbib: the query is too complex for SQLite ({cause}): use fewer terms or alternatives", err=True
            )
            raise typer.Exit(2) from None
        typer.echo(f"adbib: {db_path()}: cannot use the database ({cause})", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        typer.echo("adbib: interrupted; the database is unchanged by the unfinished step", err=True)
        raise typer.Exit(130) from None


def _too_complex(message: str) -> bool:
    """SQLite's words for a statement beyond its limits (not a damaged database)."""
    return any(
        m in message
        for m in (
            "Expression tree is too large",
            "too many SQL variables",
            "too many terms in compound SELECT",
            "string or blob too big",
        )
    )


def _os_error(e: OSError) -> None:
    """Any OSError that no layer turned into a message (standard output on a full disk, an I/O
    error): one line, exit 1."""
    import errno
    import os

    unflushed = _stdout_failed()
    on_stdout = unflushed or e.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO)
    where = f"{e.filename}: " if e.filename else ("standard output: " if on_stdout else "")
    text = e.strerror or (os.strerror(e.errno) if e.errno else str(e))
    typer.echo(f"adbib: {where}{text}", err=True)
    raise typer.Exit(1) from None


def _stdout_failed() -> bool:
    """Whether standard output cannot take what is buffered for it; if so, what is left is sent
    to /dev/null, so that Python's flush at exit does not print a second error."""
    import os

    try:
        sys.stdout.flush()
        return False
    except OSError:
        if sys.stdout is sys.__stdout__:
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, sys.__stdout__.fileno())  # the same stream: tested just above
            os.close(fd)
        return True


def note(message: str) -> None:
    from adbib.render import visible

    typer.echo(f"adbib: {visible(message)}", err=True)


def read_connection() -> sqlite3.Connection:
    """A read-only sqlite3 connection to a database at the current schema.

    A missing or empty database is seeded first and an older one migrated (after a backup):
    only then are sqlalchemy and alembic imported."""
    from adbib import dbread

    path = db_path()
    state_ = dbread.schema_state(path)
    if state_ in ("missing", "empty", "old"):
        from adbib import db as dbw

        if state_ == "old":
            note(f"upgrading {path} to the current schema (a backup copy is kept beside it)")
        engine = dbw.open_for_write(path)
        if state_ != "old":
            from adbib.seed import seed

            note(f"{path} is empty: seeding it from the shipped lists …")
            reports = seed(engine, path)
            created = sum(r.new for r in reports)
            note(f"seeded {created} papers from {len(reports)} lists")
        engine.dispose()
    return dbread.connect(path)


def write_engine() -> Engine:
    from adbib import db as dbw

    return dbw.open_for_write(db_path())


# ---------------------------------------------------------------- seed / stats


@app.command()
def seed(quiet: bool = QUIET, verbose: bool = VERBOSE) -> None:
    """Import every list shipped in data/seed/ (per its manifest). Idempotent: a second run changes nothing.

    Prints a table of what each list gave; --quiet one line, --verbose also every entry."""
    with user_errors():
        from adbib.seed import seed as run_seed

        level = _level(quiet, verbose)
        path = db_path()
        reports = run_seed(write_engine(), path)
        if level == "quiet":
            done = [r for r in reports if not r.already_imported]
            if done:
                typer.echo(f"Seeded {path}: {sum(r.new for r in done)} new papers from {len(done)} lists.")
            else:
                typer.echo(f"Nothing to do: every seed list is already in {path}.")
            return
        if level == "verbose":
            from adbib import render

            for r in reports:
                typer.echo(render.import_report(r, "verbose"), nl=False)
        rows: list[list[object]] = []
        for r in reports:
            if r.already_imported:
                rows.append([r.source, r.path, "already imported"])
            else:
                rows.append(
                    [
                        r.source,
                        r.path,
                        "imported",
                        r.entries,
                        r.new,
                        len(r.merged),
                        len(r.unchanged),
                        len(r.skipped),
                        len(r.failed),
                    ]
                )
        from adbib.render import _tabulate

        typer.echo(
            _tabulate(rows, ["source", "file", "status", "entries", "new", "merged", "unchanged", "skipped", "failed"]),
            nl=False,
        )
        if all(r.already_imported for r in reports):
            typer.echo(f"Nothing to do: every seed list is already in {path}.")
        else:
            typer.echo(f"Seeded {path}.")


@app.command()
def stats(fmt: str = STATS_FORMAT) -> None:
    """Counts of papers, authors, venues, datasets, links and sources; what each source contributed;
    papers per year, venue and category, with a bar chart of papers per year."""
    with user_errors():
        from adbib import render, rows

        F.check(fmt, F.STATS, "stats")
        data = rows.stats(read_connection())
        typer.echo(render.stats(data, fmt, render.terminal_width(sys.stdout)), nl=False)


# ---------------------------------------------------------------- query / show


def _filters(
    venue: list[str] | None,
    year: list[str] | None,
    author: list[str] | None,
    dataset: list[str] | None,
    category: list[str] | None,
    domain: list[str] | None,
    type_: list[str] | None,
    has_code: bool,
    text: list[str] | None,
    key: list[str] | None = None,
) -> Filters:
    from adbib.query import Filters

    return Filters(
        venue=venue or [],
        year=year or [],
        author=author or [],
        dataset=dataset or [],
        category=category or [],
        domain=domain or [],
        type=type_ or [],
        has_code=has_code,
        text=text or [],
        key=key or [],
    )


_QUERY_ARG = typer.Argument(
    None,
    metavar="QUERY...",
    help="Query: field:value terms (venue, year, author, dataset, category, domain, type, has, key, tag), "
    '"|" or OR for alternatives, a leading "-" or NOT to negate, quotes for spaces; bare words '
    "search titles, abstracts and summaries (diffus* for a prefix). One quoted argument or "
    "several. Example: 'venue:MICCAI dataset:BraTS diffusion'.",
    show_default=False,
)


class QueryCommand(TyperCommand):
    """A command taking a query: an argument such as ``-venue:arXiv`` or ``-gan`` (a negated
    term) is no option of the command, so it is handed to the query instead of click failing
    with "No such option: -v".  Exact option names (``-f``, ``--format``, ``--format=json``)
    stay options; after ``--`` everything is an argument anyway."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, protect_negated_terms(self, args))


def protect_negated_terms(command: Command, args: list[str]) -> list[str]:
    takes_value: dict[str, bool] = {}
    for param in command.params:
        if param.param_type_name == "option":
            for name in (*param.opts, *param.secondary_opts):
                option = cast("TyperOption", param)  # an option, by its param_type_name
                takes_value[name] = not (option.is_flag or option.count)
    out, value_next, rest = [], False, False
    for arg in args:
        if rest or value_next or arg == "--":
            rest = rest or (arg == "--" and not value_next)
            value_next = False
            out.append(arg)
        elif arg.split("=", 1)[0] in takes_value or arg.startswith("--") or len(arg) <= 2:
            value_next = takes_value.get(arg, False)
            out.append(arg)
        elif arg.startswith("-"):
            out.append(" " + arg)  # click reads a leading "-" only: the query parser ignores the space
        else:
            out.append(arg)
    return out


def _query_string(q: list[str] | None) -> str | None:
    return " ".join(q) if q else None


def _select(q: list[str] | None, filters: Filters) -> tuple[Query, sqlite3.Connection]:
    """The query spec, read with the database at hand (multi-word values), and the connection.

    Syntax errors come first, before a new user's empty database is seeded; then every note on
    how the query was read and every value that names nothing goes to stderr."""
    from adbib import hints
    from adbib import query as Q

    Q.build(_query_string(q), filters)
    con = read_connection()
    spec = Q.build(_query_string(q), filters, Q.known_values(con))
    for line in (*spec.notes, *hints.hints(con, spec)):
        note(line)
    return spec, con


# The filters shared by every command that selects papers (query, export): one definition each.
VENUE = typer.Option(
    None, "--venue", help="Venue by any alias (MIA = MedIA). Repeat for alternatives.", show_default=False
)
YEAR = typer.Option(None, "--year", help="A year or a range 2022-2024.", show_default=False)
AUTHOR = typer.Option(None, "--author", help="Family or full name, accents and case optional.", show_default=False)
DATASET = typer.Option(None, "--dataset", help="Dataset name, alias or family (BraTS).", show_default=False)
CATEGORY = typer.Option(None, "--category", help="Method category or alias (diffusion, vlm).", show_default=False)
DOMAIN = typer.Option(None, "--domain", help="industrial, medical or general.", show_default=False)
TYPE = typer.Option(None, "--type", help="conference, journal, workshop or preprint.", show_default=False)
HAS_CODE = typer.Option(False, "--has-code", help="Only papers with official code.")
TEXT = typer.Option(
    None, "--text", help="Words or a phrase searched in titles, abstracts, summaries.", show_default=False
)
SORT = typer.Option(None, "--sort", help="year (default), title, venue, or relevance (default when text is searched).")


@app.command(cls=QueryCommand)
def query(
    q: list[str] | None = _QUERY_ARG,
    venue: list[str] | None = VENUE,
    year: list[str] | None = YEAR,
    author: list[str] | None = AUTHOR,
    dataset: list[str] | None = DATASET,
    category: list[str] | None = CATEGORY,
    domain: list[str] | None = DOMAIN,
    type_: list[str] | None = TYPE,
    has_code: bool = HAS_CODE,
    text: list[str] | None = TEXT,
    sort: Sort | None = SORT,
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many papers."),
    fmt: str = PAPER_FORMAT,
) -> None:
    """Find papers. Example: adbib query "venue:MICCAI dataset:BraTS diffusion"."""
    with user_errors():
        from adbib import query as Q

        F.check(fmt, F.papers(), "query")
        spec, con = _select(q, _filters(venue, year, author, dataset, category, domain, type_, has_code, text))
        ids = Q.run(con, spec, sort.value if sort else None, limit)
        if not ids:
            note("no paper matches")
            return
        _emit_papers(con, ids, fmt, sys.stdout)


def _emit_papers(
    con: sqlite3.Connection,
    ids: Iterable[int],
    fmt: str,
    out: TextIO,
    keys: list[str] | None = None,
    **options: Any,
) -> int:
    """Write the papers of ``ids``; ``keys``: the citekey each is written under (``--aux``)."""
    from adbib import exporters, rows

    # only the related rows the format reads (a BibTeX entry needs no datasets, sources or tags)
    parts = {"table": ("authors",), "keys": ()}.get(fmt)
    papers = rows.papers(con, ids, parts=exporters.get(fmt).PARTS if parts is None else parts)
    if keys is not None:
        papers = (dict(p, citekey=key) for p, key in zip(papers, keys, strict=False))
    if fmt == "table":
        from adbib import render

        ids = list(ids)
        out.write(render.paper_table(papers, render.terminal_width(out)))
        return len(ids)
    if fmt == "keys":
        n = 0
        for p in papers:
            out.write(p["citekey"] + "\n")
            n += 1
        return n
    if fmt == "markdown":
        options["category_titles"] = dict(con.execute("SELECT name, title FROM category"))
    if fmt != "json":  # JSON escapes them itself
        from adbib.render import InertWriter

        # what an older adbib stored raw never reaches a file or terminal; the exporters only write()
        out = cast("TextIO", InertWriter(out))
    from adbib.render import BatchedWriter

    batched = BatchedWriter(out)  # one write of many entries, not a write (a system call) an entry
    written: int = exporters.get(fmt).write(papers, cast("TextIO", batched), **options)
    batched.flush()
    return written


@app.command()
def show(
    ref: str = typer.Argument(
        ..., help="Paper id, citekey or an alias of one (an old key, a .bib file's own key), DOI or arXiv id."
    ),
    fmt: str = typer.Option(
        "table",
        "--format",
        "-f",
        help="Output format: table (every field, readable), json (every field) or, as query gives them, "
        + ", ".join(f for f in F.papers() if f not in ("table", "json"))
        + ".",
    ),
) -> None:
    """Everything about one paper: fields, links, datasets (and where each was found), categories,
    relations, and provenance: each list, line and section it came from, and where sources disagree."""
    with user_errors():
        from adbib import render, rows

        F.check(fmt, F.papers(), "show")
        detail = rows.paper_detail(read_connection(), ref)
        if detail is None:
            raise AdbibError(f"no paper {ref!r} (try an id, a citekey, a DOI or an arXiv id)")
        if fmt == "json":
            typer.echo(render.json_text(detail), nl=False)
        elif fmt == "table":
            typer.echo(render.detail(detail), nl=False)
        else:
            con = read_connection()
            _emit_papers(con, [detail["id"]], fmt, sys.stdout)


# ---------------------------------------------------------------- browsing


_NONE = {"duplicates": "no probable duplicates"}


def _browse(kind: str, fmt: str, **kw: Any) -> None:
    with user_errors():
        from adbib import render, rows

        F.check(fmt, F.LISTING, kind)
        data = getattr(rows, kind)(read_connection(), **kw)
        if not data:  # an empty result always says so, on stderr; JSON still gets its []
            if fmt == "json":
                typer.echo("[]")
            note(_NONE.get(kind, f"no {kind}"))
            return
        typer.echo(render.listing(data, fmt, render.terminal_width(sys.stdout)), nl=False)


@app.command()
def venues(fmt: str = LISTING_FORMAT) -> None:
    """Venues with their type, full name, aliases and paper counts."""
    _browse("venues", fmt)


@app.command()
def datasets(fmt: str = LISTING_FORMAT) -> None:
    """Datasets grouped by family (BraTS 2017…2021 and BRATS17 are one family), with paper counts."""
    _browse("datasets", fmt)


@app.command()
def authors(
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the most prolific N."),
    fmt: str = LISTING_FORMAT,
) -> None:
    """Authors with their paper counts, most prolific first."""
    _browse("authors", fmt, limit=limit)


@app.command()
def categories(fmt: str = LISTING_FORMAT) -> None:
    """Method categories, the list headings filed under each, and paper counts."""
    _browse("categories", fmt)


# ---------------------------------------------------------------- export


@app.command(cls=QueryCommand)
def export(
    q: list[str] | None = _QUERY_ARG,
    fmt: str = typer.Option(
        ..., "--format", "-f", metavar="FORMAT", help=F.help_text(F.exports()), autocompletion=lambda: list(F.exports())
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Write to FILE instead of standard output: a regular file is replaced whole (keeping its mode), a FIFO or device written in place, a symlink followed; '-' is standard output.",
    ),
    unicode: bool = typer.Option(
        False, "--unicode", help="BibTeX: keep UTF-8 (for biber) instead of LaTeX-escaped ASCII."
    ),
    aux: Path | None = typer.Option(
        None,
        "--aux",
        help="Export exactly the papers a LaTeX document cites, under the keys it uses: "
        "its .aux file after a latex run (bibtex or biblatex). Keys it does not know are reported.",
        show_default=False,
    ),
    keys: str | None = typer.Option(
        None, "--keys", help="Only these citekeys (or aliases), comma-separated: k1,k2.", show_default=False
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many papers."),
    venue: list[str] | None = VENUE,
    year: list[str] | None = YEAR,
    author: list[str] | None = AUTHOR,
    dataset: list[str] | None = DATASET,
    category: list[str] | None = CATEGORY,
    domain: list[str] | None = DOMAIN,
    type_: list[str] | None = TYPE,
    has_code: bool = HAS_CODE,
    text: list[str] | None = TEXT,
    sort: Sort | None = SORT,
) -> None:
    """Export papers (all, those a query selects, or those a LaTeX document cites) as BibTeX,
    markdown, CSV, JSON, CSL-JSON, RIS or citekeys.

    Examples: adbib export --format bibtex "venue:MICCAI" -o related.bib;
    adbib export --format bibtex --aux main.aux -o refs.bib"""
    with user_errors():
        from adbib import query as Q

        F.check(fmt, F.exports(), "export")
        key_list = [k.strip() for k in (keys or "").split(",") if k.strip()]
        if keys is not None and not key_list:
            raise UsageError("--keys needs at least one citekey (k1,k2)")
        filters = _filters(venue, year, author, dataset, category, domain, type_, has_code, text, key_list)
        cited = None
        ids: Iterable[int]
        if aux is not None:
            if q or any(v for v in (venue, year, author, dataset, category, domain, type_, text, key_list)) or has_code:
                raise UsageError("--aux selects the papers the document cites: leave out the query and filters")
            con = read_connection()
            ids, cited = _cited(con, aux, limit)
        else:
            spec, con = _select(q, filters)
            ids = Q.iter_ids(con, spec, sort.value if sort else None, limit)  # streamed: memory flat in N
        options = {"unicode": unicode} if fmt == "bibtex" else {}
        if output is None:
            n = _emit_papers(con, ids, fmt, sys.stdout, cited, **options)
        else:
            from adbib.atomic import atomic_output

            with atomic_output(output) as out:
                n = _emit_papers(con, ids, fmt, out, cited, **options)
            note(f"wrote {n} papers to {output}")
        if n == 0:
            note("no paper matches")


def _cited(con: sqlite3.Connection, aux: Path, limit: int | None) -> tuple[list[int], list[str] | None]:
    """(paper ids, keys to write them under) for ``export --aux``; unknown keys reported on stderr."""
    from adbib import cite
    from adbib import query as Q

    keys = cite.aux_keys(aux)
    if cite.ALL in keys:  # \nocite{*}: every paper, under its own key
        return Q.run(con, Q.Query(), None, limit), None
    found = cite.resolve_keys(con, keys)
    if found.unknown:
        shown = ", ".join(map(cite.shown, found.unknown[:20])) + (" …" if len(found.unknown) > 20 else "")
        note(f"{len(found.unknown)} of {len(keys)} keys cited in {aux} are not in the database: {shown}")
    pairs = found.found[:limit] if limit else found.found
    return [pid for pid, _ in pairs], [key for _, key in pairs]


# ---------------------------------------------------------------- import / add / duplicates / merge


@app.command("import")
def import_(
    paths: list[Path] = typer.Argument(..., help="Files to import: list markdown/text, .bib, .csv."),
    fmt: str = typer.Option(
        "auto",
        "--format",
        "-f",
        # the names of adbib.readers.DIALECTS, written out (importing the readers costs ~60 ms at
        # start-up); tests/test_output.py checks that the two agree
        help="Input format: auto (detect), adbib-md, lgc, diaoquesang-md, diaoquesang-text, medaierhhl, csv, "
        "bibtex, table, rst, generic. csv is adbib's own export; bibtex a .bib, or a .md/.txt holding BibTeX; "
        "table any CSV/TSV with a header; rst any reStructuredText list; generic any markdown list (what "
        "auto falls back to).",
    ),
    columns: str | None = typer.Option(
        None,
        "--columns",
        help="For a CSV/TSV with unusual headers: FIELD=HEADER pairs, comma-separated, e.g. "
        "'title=Paper Name,venue=Where'. Fields: title, authors, year, venue, doi, arxiv, url, code, "
        "abstract, summary, datasets, categories, short_name. Implies --format table.",
    ),
    source: str | None = typer.Option(
        None,
        "--source",
        help="The list the file is a revision of [default: recognised, else a new list named after the file].",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the report, write nothing."),
    report: str = typer.Option("text", "--report", help="Report as text or json."),
    quiet: bool = QUIET,
    verbose: bool = typer.Option(
        False,
        "--verbose",
        "-v",
        help="List every entry read (new, merged, skipped too), not only those that need a look.",
    ),
) -> None:
    """Import files, each in one transaction: new papers added, known ones merged (the changes
    recorded with their provenance), papers a list no longer has reported, never deleted.

    A format given explicitly that finds no entry in a file is an error (exit 1): nothing of that
    file is written.

    The text report is a summary line per file and the entries that need a look (failed, with
    problems, no longer listed); --quiet keeps the summary line, --verbose lists every entry.

    A file is recognised as the next revision of a list imported before (from its title line,
    its own repository link, or its entries already known from that list); the report says so.
    --source names the list instead. A newer revision replaces that list's categories and
    corrects the values only its earlier revisions gave; other sources stay untouched.

    Exit status: 0 imported (or already imported); 3 imported, but some entries could not be
    read (listed as failed); 1 a file could not be imported (nothing of it written); 2 a bad
    option."""
    with user_errors():
        level = _level(quiet, verbose)
        if report not in ("text", "json"):
            raise UsageError(f"--report must be text or json, not {report!r}")
        column_map = None
        if columns is not None:
            from adbib.readers.table_csv import parse_columns

            if fmt not in ("auto", "table"):
                raise UsageError(f"--columns applies to --format table, not {fmt}")
            fmt, column_map = "table", parse_columns(columns)
        from adbib import render
        from adbib.importer.files import import_files
        from adbib.progress import Progress

        reports = import_files(
            db_path(),
            paths,
            dialect=fmt,
            source_name=source if len(paths) == 1 else None,
            list_name=source,
            dry_run=dry_run,
            progress=lambda name: Progress(f"importing {name}"),
            columns=column_map,
            list_new=report == "json" or level == "verbose",  # the other reports print their number only
        )
        if report == "json":
            typer.echo(render.json_text([r.to_dict() for r in reports]), nl=False)
        else:
            for r in reports:
                typer.echo(render.import_report(r, level), nl=False)
        if any(r.failed for r in reports):
            raise typer.Exit(3)  # imported, but some entries could not be read (see the report)


@app.command()
def add(
    title: str = typer.Option(..., "--title", help="The paper's title."),
    author: list[str] | None = typer.Option(
        None, "--author", help="An author, 'Given Family' or 'Family, Given' (repeat in order).", show_default=False
    ),
    venue: str | None = typer.Option(
        None, "--venue", help="Venue, any alias (MICCAI, MedIA, arXiv).", show_default=False
    ),
    year: int | None = typer.Option(None, "--year", help="Publication year.", show_default=False),
    arxiv: str | None = typer.Option(None, "--arxiv", help="arXiv id or URL.", show_default=False),
    doi: str | None = typer.Option(None, "--doi", help="DOI or doi.org URL.", show_default=False),
    code: list[str] | None = typer.Option(None, "--code", help="Official code URL.", show_default=False),
    dataset: list[str] | None = typer.Option(None, "--dataset", help="A dataset used (repeat).", show_default=False),
    category: list[str] | None = typer.Option(
        None, "--category", help="A method category (repeat).", show_default=False
    ),
    domain: str | None = typer.Option(None, "--domain", help="industrial, medical or general.", show_default=False),
) -> None:
    """Add one paper by hand, with the same normalization as an import. Refuses a duplicate."""
    with user_errors():
        from adbib.store import add_paper

        paper = add_paper(
            write_engine(),
            db_path(),
            title=title,
            authors=author or [],
            venue=venue,
            year=year,
            arxiv=arxiv,
            doi=doi,
            code=code or [],
            datasets=dataset or [],
            categories=category or [],
            domain=domain,
        )
        from adbib.render import visible

        typer.echo(visible(f"added {paper['citekey']}: {paper['title']}"))


@app.command()
def duplicates(fmt: str = LISTING_FORMAT) -> None:
    """Probable duplicates for review: close titles, or one arXiv id / DOI on two rows."""
    _browse("duplicates", fmt)


@app.command()
def merge(
    keep: str = typer.Argument(..., help="The paper that stays (id, citekey, DOI or arXiv id)."),
    other: str = typer.Argument(..., help="The paper merged into KEEP; its citekey stays valid as an alias."),
    force: bool = typer.Option(
        False, "--force", help="Merge even papers whose titles, authors or DOIs clearly differ."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change, merge nothing."),
) -> None:
    """Merge OTHER into KEEP: links, datasets, categories, relations and provenance move over,
    and OTHER's citekey becomes an alias of KEEP (adbib show OLDKEY still finds it).

    Shows what will change first; refuses papers whose titles or authors clearly differ (or
    whose DOIs differ) unless --force."""
    with user_errors():
        from adbib import mergeplan
        from adbib.rows import resolve

        engine = None if dry_run else write_engine()  # a read-only database says so first
        con = read_connection()
        ids: list[int] = []
        for ref in (keep, other):
            pid = resolve(con, ref)
            if pid is None:
                raise AdbibError(f"no paper {ref!r}")
            ids.append(pid)
        if ids[0] == ids[1]:
            raise AdbibError(f"{keep!r} and {other!r} are the same paper")
        merge_plan = mergeplan.plan(con, *ids)
        con.close()
        typer.echo(mergeplan.render(merge_plan), nl=False)
        mergeplan.refuse_unless_forced(merge_plan, force)
        if dry_run:
            typer.echo("dry run: nothing was merged")
            return
        from adbib.store import merge_papers

        assert engine is not None  # opened above unless a dry run, which has returned
        kept = merge_papers(engine, db_path(), keep, other, force=force)
        from adbib.render import visible

        typer.echo(visible(f"merged {other} into {kept['citekey']}: {kept['title']}"))


@app.command()
def enrich(
    q: str | None = _QUERY_ARG,
    limit: int | None = typer.Option(None, "--limit", min=1, help="Look up at most this many papers."),
) -> None:
    """Fill what papers lack (authors, venue, year, pages, volume, issue, publisher) from Crossref
    (by DOI) and arXiv (by arXiv id); only missing values are filled, recorded as the sources
    'crossref' and 'arxiv'. Responses are cached; requests are spaced out (1 s Crossref, 3 s arXiv).

    Example: adbib enrich "venue:MICCAI" """
    with user_errors():
        from adbib import enrich as E
        from adbib import query as Q

        con = read_connection()
        ids = Q.run(con, Q.build(q), None, limit)
        report = E.enrich(write_engine(), db_path(), con, ids)
        for f in report.filled:
            typer.echo(f"{f.citekey}: {', '.join(f.fields)} from {f.service}")
        for key, service in report.not_found:
            typer.echo(f"{key}: not found in {service}")
        typer.echo(
            f"{len(ids)} papers selected: {len({f.citekey for f in report.filled})} filled, "
            f"{report.complete} lack nothing, {report.no_identifier} have gaps but no DOI or arXiv id "
            f"({report.looked_up} lookups)"
        )


@app.command()
def rekey(
    ref: str = typer.Argument(..., help="The paper (id, citekey or alias, DOI or arXiv id)."),
    newkey: str = typer.Argument(..., help="Its new citekey; the old one stays valid as an alias."),
) -> None:
    """Give a paper a new citekey. The old key stays an alias: documents citing it still resolve
    (show, export --aux, key:)."""
    with user_errors():
        from adbib.store import rekey_paper

        done = rekey_paper(write_engine(), db_path(), ref, newkey)
        typer.echo(f"{done['old']} is now {done['citekey']}: {done['title']}")


# ---------------------------------------------------------------- curation and undo


def _plain(text: object) -> str:
    """A value for the terminal: control characters escaped (a title, a note, what a file said)."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in str(text))


@app.command()
def edit(
    ref: str = typer.Argument(..., help="The paper (id, citekey or alias, DOI or arXiv id)."),
    sets: list[str] | None = typer.Option(
        None,
        "--set",
        "-s",
        metavar="FIELD=VALUE",
        help="A field to set (repeat for several): title, year, venue, authors ('Given Family and Given "
        "Family'), doi, arxiv, domain (industrial, medical, general), abstract, links (space-separated "
        "ROLE:URL items, replacing the paper's links). An empty VALUE clears the field.",
    ),
    note_text: str | None = typer.Option(
        None, "--note", metavar="TEXT", help="Set the paper's note (empty: remove it)."
    ),
) -> None:
    """Correct a paper by hand. An edited field is a manual value: later imports never override it.
    Logged (adbib log) and undone by adbib undo."""
    with user_errors():
        from adbib.store import edit_paper, parse_sets

        done = edit_paper(write_engine(), db_path(), ref, parse_sets(sets or []), note_text)
        if not done["changes"]:
            note(f"{done['citekey']}: nothing changed (the values are the paper's already)")
            return
        typer.echo(f"edited {done['citekey']}: {_plain(done['title'])}")
        for name, old, new in done["changes"]:
            typer.echo(f"  {name}: {_plain(old)} -> {_plain(new)}")


@app.command()
def delete(
    ref: str = typer.Argument(..., help="The paper (id, citekey or alias, DOI or arXiv id)."),
    purge: bool = typer.Option(
        False, "--purge", help="Remove the paper and all its rows (provenance, links, tags) instead of hiding it."
    ),
) -> None:
    """Hide a paper from every listing (query, browse counts, stats, exports, duplicates). It is kept
    with its provenance, show still finds it, and later imports merge into it without bringing it
    back. adbib undo restores it."""
    with user_errors():
        from adbib.store import delete_paper

        done = delete_paper(write_engine(), db_path(), ref, purge)
        verb = "purged" if purge else "deleted"
        typer.echo(
            f"{verb} {done['citekey']}: {_plain(done['title'])} (operation {done['operation']}; "
            f"adbib undo {done['operation']} brings it back)"
        )


@app.command(cls=QueryCommand)
def tag(
    ref: str = typer.Argument(..., help="The paper (id, citekey or alias, DOI or arXiv id)."),
    changes: list[str] = typer.Argument(..., help="+NAME (or NAME) adds a tag, -NAME removes one."),
) -> None:
    """Add and remove tags: adbib tag wolleb2022diffusion +to-read -done. Find tagged papers with the
    query field tag: (adbib query tag:to-read); exports carry them (JSON, CSV)."""
    with user_errors():
        from adbib.store import tag_paper

        done = tag_paper(write_engine(), db_path(), ref, [c.lstrip(" ") for c in changes])
        tags = ", ".join(done["tags"]) or "(none)"
        if not done["done"]:
            note(f"{done['citekey']}: tags unchanged")
        typer.echo(f"{done['citekey']}: tags {tags}")


@app.command("note")
def note_(
    ref: str = typer.Argument(..., help="The paper (id, citekey or alias, DOI or arXiv id)."),
    text: str = typer.Argument(..., help="The note; an empty text removes it."),
) -> None:
    """Write a note on a paper (shown by show, exported in JSON and CSV)."""
    with user_errors():
        from adbib.store import note_paper

        done = note_paper(write_engine(), db_path(), ref, text)
        typer.echo(f"{done['citekey']}: " + (f"note {_plain(done['note'])}" if done["note"] else "note removed"))


@app.command()
def undo(
    operation: int | None = typer.Argument(
        None, help="The operation to revert (its number in adbib log); default: the last one."
    ),
) -> None:
    """Revert the last operation that wrote — an import, a merge, an edit, a delete, a tag — or the
    one named, exactly. Refused when a later operation changed the same rows (undo that one first)."""
    with user_errors():
        from adbib.store import undo_operation

        done = undo_operation(write_engine(), db_path(), operation)
        typer.echo(f"undid operation {done['id']} ({done['kind']}): {_plain(done['summary'])}")


@app.command("log")
def log_(
    limit: int | None = typer.Option(20, "--limit", "-n", help="Show the last N operations (0: all)."),
    fmt: str = LISTING_FORMAT,
) -> None:
    """The operation log, newest first: every command that wrote (imports, merges, edits, deletes,
    tags, notes, undos), with the number adbib undo takes."""
    with user_errors():
        from adbib import journal, render

        F.check(fmt, F.LISTING, "log")
        entries = journal.log(read_connection(), limit or None)
        if not entries:
            note("the log is empty: nothing was written yet")
            return
        if fmt == "table":
            for e in entries:
                state = f"  [undone by {e['undone_by']}]" if e["undone_by"] else ""
                typer.echo(f"{e['id']:>4}  {e['at'][:19]}  {e['kind']:<7} {_plain(e['summary'])}{state}")
        else:
            typer.echo(render.listing(entries, fmt), nl=False)


# ---------------------------------------------------------------- vocabulary

vocab_app = typer.Typer(
    help="Venues, datasets and categories that the vocabulary files (data/vocab/*.toml) do not know: "
    "list them, map one onto a known entry, or apply edited vocabulary files.",
    no_args_is_help=True,
)
app.add_typer(vocab_app, name="vocab")


@vocab_app.command("unknown")
def vocab_unknown(
    kind: str | None = typer.Option(None, "--kind", help="Only venue, dataset or category."),
    fmt: str = LISTING_FORMAT,
) -> None:
    """Values the sources gave that no vocabulary file names, with their paper counts (kept as
    written, cleaned; `adbib vocab map` folds one into a known entry)."""
    if kind is not None and kind not in ("venue", "dataset", "category"):
        with user_errors():
            raise UsageError(f"--kind must be venue, dataset or category, not {kind!r}")
    _browse("unknown_vocabulary", fmt, only=kind)


@vocab_app.command("map")
def vocab_map(
    kind: str = typer.Argument(..., help="venue, dataset or category."),
    value: str = typer.Argument(..., help="The stored value to fold (any of its spellings)."),
    target: str = typer.Argument(..., help="The entry it is (a short name, dataset name or category slug)."),
) -> None:
    """Fold VALUE into TARGET: its papers move over and its spellings become TARGET's aliases,
    so later imports resolve them to TARGET too."""
    with user_errors():
        from adbib.store import map_vocabulary

        done = map_vocabulary(write_engine(), db_path(), kind, value, target)
        typer.echo(f"mapped {done['kind']} {done['from']!r} onto {done['to']!r}")


@vocab_app.command("sync")
def vocab_sync() -> None:
    """Apply the vocabulary files (after editing data/vocab/*.toml): new entries and aliases
    stored, and stored unknown values that the files now name folded into them."""
    with user_errors():
        from adbib.store import apply_vocabulary

        apply_vocabulary(write_engine(), db_path())
        typer.echo("vocabulary applied")


@app.command()
def copy(
    src: str = typer.Argument(..., help="The database to copy: a SQLite file, or postgresql://user@host/dbname."),
    dst: str = typer.Argument(..., help="Where to: a SQLite file (created) or a PostgreSQL database (it must exist)."),
    replace: bool = typer.Option(
        False, "--replace", help="DST may hold rows: they are deleted first, in the copy's transaction."
    ),
) -> None:
    """Copy a whole database, every row with its id, between SQLite files and PostgreSQL (either way):
    start on a laptop, move to the team server.

    DST is created at the current schema by adbib's migrations and must be empty (or --replace);
    the copy is one transaction on DST, so a failure leaves DST as it was. An older SQLite SRC is
    migrated in a temporary copy (SRC is never written to); an older PostgreSQL SRC is refused.
    Prints the rows copied per table. --db is not used."""
    with user_errors():
        from adbib.copy import copy_database
        from adbib.render import _tabulate

        report = copy_database(src, dst, replace=replace)
        typer.echo(_tabulate(sorted(report.tables), ["table", "rows"]), nl=False)
        typer.echo(
            f"Copied {report.papers} papers ({report.rows} rows in {len(report.tables)} tables) "
            f"from {report.src} to {report.dst}."
        )


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (127.0.0.1: this machine only)."),
    port: int = typer.Option(8001, "--port", "-p", min=0, max=65535, help="Port to listen on."),
) -> None:
    """Browse the bibliography in a web page (Datasette): facets on venue, year, domain, dataset
    family and category, full-text search, canned queries. Needs the extra: pip install 'adbib[web]'.
    Ctrl-C stops it."""
    with user_errors():
        import importlib.util

        db = db_path()
        if not isinstance(db, Path):  # a postgresql:// URL
            raise AdbibError(
                f"adbib serve runs Datasette, which reads SQLite files only; copy the database to a file first "
                f"(adbib copy {db} FILE) and serve that"
            )
        if importlib.util.find_spec("datasette") is None:
            raise AdbibError("adbib serve needs Datasette: pip install 'adbib[web]'")
        import tempfile

        from adbib import web

        read_connection().close()  # a new database is seeded, an old one migrated, first
        with tempfile.TemporaryDirectory(prefix="adbib-serve-") as workdir:
            args = web.datasette_args(db.resolve(), Path(workdir), host, port)
            note(f"serving {db_path()} on http://{host}:{port}/{web.BROWSE}/papers (Ctrl-C stops)")
            import signal

            from datasette.cli import cli as datasette  # type: ignore[import-untyped]  # ships no type information

            def stop(signum: int, frame: object) -> None:  # uvicorn re-raises SIGTERM once it has shut down
                raise KeyboardInterrupt

            signal.signal(signal.SIGTERM, stop)
            with suppress(KeyboardInterrupt):
                datasette.main(args, prog_name="datasette", standalone_mode=False)
        note("stopped")


@app.command()
def completion(
    shell: str = typer.Argument(..., help="bash, zsh or fish."),
) -> None:
    """Print the shell completion script for adbib: commands, options and their values complete
    on TAB. Install: adbib completion bash >> ~/.bashrc (zsh: ~/.zshrc; fish:
    ~/.config/fish/completions/adbib.fish)."""
    with user_errors():
        if shell not in ("bash", "zsh", "fish"):
            raise UsageError(f"no completion for shell {shell!r} (use bash, zsh or fish)")
        from typer._completion_shared import get_completion_script

        typer.echo(get_completion_script(prog_name="adbib", complete_var=COMPLETE_VAR, shell=shell))


COMPLETE_VAR = "_ADBIB_COMPLETE"


def main() -> None:
    import os

    if COMPLETE_VAR in os.environ:  # a shell asking for completions (only then: start-up cost)
        from typer._completion_classes import completion_init  # where typer.completion imports it from

        completion_init()
    app(prog_name="adbib")


if __name__ == "__main__":
    main()
