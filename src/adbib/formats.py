"""The one ``--format`` vocabulary: which output formats exist, what each means, and which
commands take which.  Tables of names, so that a new exporter (``adbib.exporters.FORMATS``)
is at once a format of every command that lists papers, and every help text says the truth.

Standard library only: imported by the CLI at start-up.
"""

from __future__ import annotations

from adbib.errors import UsageError

# what a format means, for help texts (exporters not named here are described by their name)
MEANING: dict[str, str] = {
    "table": "aligned columns fitted to the terminal",
    "keys": "one citekey a line",
    "json": "JSON",
    "csv": "CSV",
    "markdown": "markdown",
    "bibtex": "BibTeX",
}

LISTING: tuple[str, ...] = ("table", "json", "csv", "markdown")  # venues, datasets, authors, …
STATS: tuple[str, ...] = ("table", "markdown", "json")


def papers() -> tuple[str, ...]:
    """Every format a command that lists papers accepts: table, keys and each exporter's."""
    from adbib.exporters import FORMATS

    return ("table", "keys", *FORMATS)


def exports() -> tuple[str, ...]:
    """``adbib export`` writes files: every paper format except the terminal table."""
    return tuple(f for f in papers() if f != "table")


def help_text(formats: tuple[str, ...], default: str | None = None) -> str:
    """'Output format: table (aligned columns …), json, … .' naming every accepted format."""
    named = [f"{f} ({MEANING[f]})" if f in ("table", "keys") and f in MEANING else f for f in formats]
    text = "Output format: " + ", ".join(named[:-1]) + " or " + named[-1] + "."
    return text + (f" [default: {default}]" if default else "")


def check(fmt: str, formats: tuple[str, ...], command: str) -> str:
    """The format if the command accepts it; else a UsageError naming the ones it does."""
    if fmt in formats:
        return fmt
    accepted = ", ".join(formats[:-1]) + " or " + formats[-1]
    if fmt in papers():
        raise UsageError(f"--format {fmt} lists papers; use {accepted} for {command}")
    raise UsageError(f"unknown --format {fmt!r} for {command} (use {accepted})")
