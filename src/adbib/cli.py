"""The adbib command line: parse options, call one library function, render.

Start-up cost matters (a query CLI runs many times a minute), so this module imports only typer
and adbib's light modules; commands import what they need when they run.  Commands that only read
open the database with the standard library's sqlite3 and never import sqlalchemy or alembic.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Iterator, List, Optional

import typer

from adbib.errors import AdbibError, UsageError

app = typer.Typer(
    name="adbib",
    help=(
        "A bibliographic database of anomaly-detection papers (industrial inspection and medical "
        "imaging), built from curated awesome-lists. Query it, browse it, export BibTeX, markdown, "
        "CSV or JSON, and import new lists, .bib and .csv files.\n\n"
        "The first command that reads an empty database seeds it from the shipped lists."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Fmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    bibtex = "bibtex"
    keys = "keys"


class ExportFmt(str, Enum):
    bibtex = "bibtex"
    markdown = "markdown"
    csv = "csv"
    json = "json"


class Sort(str, Enum):
    year = "year"
    title = "title"
    venue = "venue"
    relevance = "relevance"


class _State:
    db: Path | None = None


state = _State()

FORMAT_HELP = "Output format: table, json, csv, markdown, bibtex or keys (one citekey a line)."


@app.callback()
def _main(
    db: Optional[Path] = typer.Option(
        None, "--db", envvar="ADBIB_DB", show_envvar=True,
        help="SQLite database file [default: adbib.db in your user data directory].",
    ),
) -> None:
    state.db = db


def db_path() -> Path:
    if state.db is not None:
        return state.db.expanduser()
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
        if not isinstance(cause, sqlite3.DatabaseError):
            raise
        if _too_complex(str(cause)):
            typer.echo(f"adbib: the query is too complex for SQLite ({cause}): use fewer terms or alternatives", err=True)
            raise typer.Exit(2) from None
        typer.echo(f"adbib: {db_path()}: cannot use the database ({cause})", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        typer.echo("adbib: interrupted; the database is unchanged by the unfinished step", err=True)
        raise typer.Exit(130) from None


def _too_complex(message: str) -> bool:
    """SQLite's words for a statement beyond its limits (not a damaged database)."""
    return any(m in message for m in ("Expression tree is too large", "too many SQL variables",
                                      "too many terms in compound SELECT", "string or blob too big"))


def _os_error(e: OSError) -> None:
    """Any OSError that no layer turned into a message (standard output on a full disk, an I/O
    error): one line, exit 1."""
    import os

    import errno

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
            os.dup2(fd, sys.stdout.fileno())
            os.close(fd)
        return True


def note(message: str) -> None:
    from adbib.render import visible

    typer.echo(f"adbib: {visible(message)}", err=True)


def read_connection():
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
            created = sum(len(r.created) for r in reports)
            note(f"seeded {created} papers from {len(reports)} lists")
        engine.dispose()
    return dbread.connect(path)


def write_engine():
    from adbib import db as dbw

    return dbw.open_for_write(db_path())


# ---------------------------------------------------------------- seed / stats


@app.command()
def seed() -> None:
    """Import every list shipped in data/seed/ (per its manifest). Idempotent: a second run changes nothing."""
    with user_errors():
        from adbib.seed import seed as run_seed

        path = db_path()
        reports = run_seed(write_engine(), path)
        rows = []
        for r in reports:
            if r.already_imported:
                rows.append([r.source, r.path, "already imported"])
            else:
                rows.append([r.source, r.path, "imported", r.entries, len(r.created), len(r.merged),
                             len(r.unchanged), len(r.skipped), len(r.failed)])
        from tabulate import tabulate

        typer.echo(tabulate(rows, headers=["source", "file", "status", "entries", "new", "merged",
                                           "unchanged", "skipped", "failed"]))
        if all(r.already_imported for r in reports):
            typer.echo(f"Nothing to do: every seed list is already in {path}.")
        else:
            typer.echo(f"Seeded {path}.")


@app.command()
def stats(fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help=FORMAT_HELP)) -> None:
    """Counts of papers, authors, venues, datasets, links and sources; what each source contributed;
    papers per year, venue and category, with a bar chart of papers per year."""
    with user_errors():
        from adbib import render, rows

        data = rows.stats(read_connection())
        typer.echo(render.stats(data, fmt.value), nl=False)


# ---------------------------------------------------------------- query / show


def _filters(venue, year, author, dataset, category, domain, type_, has_code, text):
    from adbib.query import Filters

    return Filters(
        venue=venue or [], year=year or [], author=author or [], dataset=dataset or [],
        category=category or [], domain=domain or [], type=type_ or [], has_code=has_code, text=text or [],
    )


_QUERY_ARG = typer.Argument(
    None,
    metavar="QUERY",
    help='Query: field:value terms (venue, year, author, dataset, category, domain, type, has), '
    '"|" for alternatives, a leading "-" to negate, quotes for spaces; bare words search titles, '
    'abstracts and summaries. Example: \'venue:MICCAI dataset:BraTS diffusion\'.',
)
_O = dict(show_default=False)
# The filters shared by every command that selects papers (query, export): one definition each.
VENUE = typer.Option(None, "--venue", help="Venue by any alias (MIA = MedIA). Repeat for alternatives.", **_O)
YEAR = typer.Option(None, "--year", help="A year or a range 2022-2024.", **_O)
AUTHOR = typer.Option(None, "--author", help="Family or full name, accents and case optional.", **_O)
DATASET = typer.Option(None, "--dataset", help="Dataset name, alias or family (BraTS).", **_O)
CATEGORY = typer.Option(None, "--category", help="Method category or alias (diffusion, vlm).", **_O)
DOMAIN = typer.Option(None, "--domain", help="industrial, medical or general.", **_O)
TYPE = typer.Option(None, "--type", help="conference, journal, workshop or preprint.", **_O)
HAS_CODE = typer.Option(False, "--has-code", help="Only papers with official code.")
TEXT = typer.Option(None, "--text", help="Words or a phrase searched in titles, abstracts, summaries.", **_O)
SORT = typer.Option(None, "--sort", help="year (default), title, venue, or relevance (default when text is searched).")


@app.command()
def query(
    q: Optional[str] = _QUERY_ARG,
    venue: Optional[List[str]] = VENUE,
    year: Optional[List[str]] = YEAR,
    author: Optional[List[str]] = AUTHOR,
    dataset: Optional[List[str]] = DATASET,
    category: Optional[List[str]] = CATEGORY,
    domain: Optional[List[str]] = DOMAIN,
    type_: Optional[List[str]] = TYPE,
    has_code: bool = HAS_CODE,
    text: Optional[List[str]] = TEXT,
    sort: Optional[Sort] = SORT,
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="At most this many papers."),
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help=FORMAT_HELP),
) -> None:
    """Find papers. Example: adbib query "venue:MICCAI dataset:BraTS diffusion"."""
    with user_errors():
        from adbib import query as Q

        spec = Q.build(q, _filters(venue, year, author, dataset, category, domain, type_, has_code, text))
        con = read_connection()
        ids = Q.run(con, spec, sort.value if sort else None, limit)
        if not ids:
            note("no paper matches")
            return
        _emit_papers(con, ids, fmt.value, sys.stdout)


def _emit_papers(con, ids, fmt: str, out, **options) -> int:
    from adbib import rows

    papers = rows.papers(con, ids)
    if fmt == "table":
        from adbib import render

        out.write(render.paper_table(papers))
        return len(ids)
    if fmt == "keys":
        n = 0
        for p in papers:
            out.write(p["citekey"] + "\n")
            n += 1
        return n
    from adbib import exporters

    if fmt == "markdown":
        options["category_titles"] = dict(con.execute("SELECT name, title FROM category"))
    if fmt != "json":  # JSON escapes them itself
        from adbib.render import InertWriter

        out = InertWriter(out)  # what an older adbib stored raw never reaches a file or terminal
    return exporters.get(fmt).write(papers, out, **options)


@app.command()
def show(
    ref: str = typer.Argument(..., help="Paper id, citekey (or an old merged citekey), DOI or arXiv id."),
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help="table (readable text) or json."),
) -> None:
    """Everything about one paper: fields, links, datasets (and where each was found), categories,
    relations, and provenance: each list, line and section it came from, and where sources disagree."""
    with user_errors():
        from adbib import render, rows

        detail = rows.paper_detail(read_connection(), ref)
        if detail is None:
            raise AdbibError(f"no paper {ref!r} (try an id, a citekey, a DOI or an arXiv id)")
        if fmt == Fmt.json:
            typer.echo(render.json_text(detail), nl=False)
        elif fmt == Fmt.table:
            typer.echo(render.detail(detail), nl=False)
        else:
            con = read_connection()
            _emit_papers(con, [detail["id"]], fmt.value, sys.stdout)


# ---------------------------------------------------------------- browsing


def _browse(kind: str, fmt: Fmt, **kw) -> None:
    with user_errors():
        from adbib import render, rows

        if fmt in (Fmt.bibtex, Fmt.keys):
            raise UsageError(f"--format {fmt.value} lists papers; use table, json, csv or markdown for {kind}")
        data = getattr(rows, kind)(read_connection(), **kw)
        typer.echo(render.listing(data, fmt.value), nl=False)


@app.command()
def venues(fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help=FORMAT_HELP)) -> None:
    """Venues with their type, full name, aliases and paper counts."""
    _browse("venues", fmt)


@app.command()
def datasets(fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help=FORMAT_HELP)) -> None:
    """Datasets grouped by family (BraTS 2017…2021 and BRATS17 are one family), with paper counts."""
    _browse("datasets", fmt)


@app.command()
def authors(
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Only the most prolific N."),
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help=FORMAT_HELP),
) -> None:
    """Authors with their paper counts, most prolific first."""
    _browse("authors", fmt, limit=limit)


@app.command()
def categories(fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help=FORMAT_HELP)) -> None:
    """Method categories, the list headings filed under each, and paper counts."""
    _browse("categories", fmt)


# ---------------------------------------------------------------- export


@app.command()
def export(
    q: Optional[str] = _QUERY_ARG,
    fmt: ExportFmt = typer.Option(..., "--format", "-f", help="bibtex, markdown, csv or json."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to FILE instead of standard output: a regular file is replaced whole (keeping its mode), a FIFO or device written in place, a symlink followed; '-' is standard output."),
    unicode: bool = typer.Option(False, "--unicode", help="BibTeX: keep UTF-8 (for biber) instead of LaTeX-escaped ASCII."),
    venue: Optional[List[str]] = VENUE,
    year: Optional[List[str]] = YEAR,
    author: Optional[List[str]] = AUTHOR,
    dataset: Optional[List[str]] = DATASET,
    category: Optional[List[str]] = CATEGORY,
    domain: Optional[List[str]] = DOMAIN,
    type_: Optional[List[str]] = TYPE,
    has_code: bool = HAS_CODE,
    text: Optional[List[str]] = TEXT,
    sort: Optional[Sort] = SORT,
) -> None:
    """Export papers (all, or those a query selects) as BibTeX, markdown, CSV or JSON.

    Example: adbib export --format bibtex "venue:MICCAI" -o related.bib"""
    with user_errors():
        from adbib import query as Q

        spec = Q.build(q, _filters(venue, year, author, dataset, category, domain, type_, has_code, text))
        con = read_connection()
        ids = Q.iter_ids(con, spec, sort.value if sort else None)  # streamed: memory flat in N
        options = {"unicode": unicode} if fmt == ExportFmt.bibtex else {}
        if output is None:
            n = _emit_papers(con, ids, fmt.value, sys.stdout, **options)
        else:
            from adbib.atomic import atomic_output

            with atomic_output(output) as out:
                n = _emit_papers(con, ids, fmt.value, out, **options)
            note(f"wrote {n} papers to {output}")
        if n == 0:
            note("no paper matches")


# ---------------------------------------------------------------- import / add / duplicates / merge


@app.command("import")
def import_(
    paths: List[Path] = typer.Argument(..., help="Files to import: list markdown/text, .bib, .csv."),
    fmt: str = typer.Option(
        "auto", "--format", "-f",
        help="Input format: auto (detect), lgc, diaoquesang-md, diaoquesang-text, medaierhhl, adbib-md, csv, bibtex.",
    ),
    source: Optional[str] = typer.Option(None, "--source", help="Source name [default: the file name]. Files with the same source name are revisions of one list."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the report, write nothing."),
    report: str = typer.Option("text", "--report", help="Report as text or json."),
) -> None:
    """Import files, each in one transaction: new papers added, known ones merged (the changes
    recorded with their provenance), papers a list no longer has reported, never deleted."""
    with user_errors():
        if report not in ("text", "json"):
            raise UsageError(f"--report must be text or json, not {report!r}")
        from adbib import render
        from adbib.progress import Progress
        from adbib.store import ingest

        engine = write_engine()
        reports = []
        for path in paths:
            with Progress(f"importing {path.name}") as progress:
                reports.append(
                    ingest(engine, db_path(), path, dialect=fmt, source_name=source if len(paths) == 1 else None,
                           list_name=source, dry_run=dry_run, progress=progress)
                )
        if report == "json":
            typer.echo(render.json_text([r.to_dict() for r in reports]), nl=False)
        else:
            for r in reports:
                typer.echo(render.import_report(r), nl=False)
        if any(r.failed for r in reports):
            raise typer.Exit(1)


@app.command()
def add(
    title: str = typer.Option(..., "--title", help="The paper's title."),
    author: Optional[List[str]] = typer.Option(None, "--author", help="An author, 'Given Family' or 'Family, Given' (repeat in order).", **_O),
    venue: Optional[str] = typer.Option(None, "--venue", help="Venue, any alias (MICCAI, MedIA, arXiv).", **_O),
    year: Optional[int] = typer.Option(None, "--year", help="Publication year.", **_O),
    arxiv: Optional[str] = typer.Option(None, "--arxiv", help="arXiv id or URL.", **_O),
    doi: Optional[str] = typer.Option(None, "--doi", help="DOI or doi.org URL.", **_O),
    code: Optional[List[str]] = typer.Option(None, "--code", help="Official code URL.", **_O),
    dataset: Optional[List[str]] = typer.Option(None, "--dataset", help="A dataset used (repeat).", **_O),
    category: Optional[List[str]] = typer.Option(None, "--category", help="A method category (repeat).", **_O),
    domain: Optional[str] = typer.Option(None, "--domain", help="industrial, medical or general.", **_O),
) -> None:
    """Add one paper by hand, with the same normalization as an import. Refuses a duplicate."""
    with user_errors():
        from adbib.store import add_paper

        paper = add_paper(
            write_engine(), db_path(), title=title, authors=author or [], venue=venue, year=year,
            arxiv=arxiv, doi=doi, code=code or [], datasets=dataset or [], categories=category or [], domain=domain,
        )
        from adbib.render import visible

        typer.echo(visible(f"added {paper['citekey']}: {paper['title']}"))


@app.command()
def duplicates(fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help=FORMAT_HELP)) -> None:
    """Probable duplicates for review: close titles, or one arXiv id / DOI on two rows."""
    _browse("duplicates", fmt)


@app.command()
def merge(
    keep: str = typer.Argument(..., help="The paper that stays (id, citekey, DOI or arXiv id)."),
    other: str = typer.Argument(..., help="The paper merged into KEEP; its citekey stays valid as an alias."),
) -> None:
    """Merge OTHER into KEEP: links, datasets, categories, relations and provenance move over,
    and OTHER's citekey becomes an alias of KEEP (adbib show OLDKEY still finds it)."""
    with user_errors():
        from adbib.store import merge_papers

        kept = merge_papers(write_engine(), db_path(), keep, other)
        from adbib.render import visible

        typer.echo(visible(f"merged {other} into {kept['citekey']}: {kept['title']}"))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
