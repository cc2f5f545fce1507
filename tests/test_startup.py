"""What a read command imports: a cold start pays only for what the command uses.

Each command runs in a fresh interpreter (the way a shell runs it) and reports the modules it
imported; none of the modules listed for it may be among them.  The costs they stand for, measured
with ``python -X importtime``: sqlalchemy + sqlmodel + alembic ≈ 0.8 s; tabulate ≈ 40 ms (it loads
wcwidth and importlib.metadata); the vocabulary modules of adbib.normalize with their TOML files;
bibtexparser and pylatexenc, which only the BibTeX export needs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

WRITE_STACK = ("sqlalchemy", "sqlmodel", "alembic")
TABLES = ("tabulate", "wcwidth", "importlib.metadata")
VOCABULARIES = (
    "adbib.normalize.venues",
    "adbib.normalize.datasets",
    "adbib.normalize.categories",
    "adbib.normalize.names",
    "adbib.normalize.vocab",
    "tomllib",
)
BIBTEX = ("bibtexparser", "pylatexenc")
ALL = WRITE_STACK + TABLES + VOCABULARIES + BIBTEX

# SQLite only: what a cold SQLite command imports; a PostgreSQL target imports psycopg by design.
pytestmark = pytest.mark.sqlite_only


def imported(args: list[str]) -> set[str]:
    """The modules `adbib ARGS` imports (the command must succeed)."""
    code = (
        "import sys\n"
        f"sys.argv = ['adbib', *{args!r}]\n"
        "from adbib.cli import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    return set(proc.stderr.split())


def among(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.parametrize(
    ("args", "forbidden"),
    [
        (["--help"], ALL),
        (["query", "--help"], ALL),
        (["stats"], ALL),  # the seeded database's tables are plain text: no tabulate
        (["stats", "-f", "json"], ALL),
        (["show", "1"], ALL),
        (["show", "pinaya2022fast", "-f", "json"], ALL),
        (["query", "venue:MICCAI", "dataset:BraTS", "diffusion", "-f", "json"], ALL),
        (["query", "venue:MICCAI", "-f", "keys"], ALL),
        (["query", "venue:MICCAI"], ALL),  # the table of the seeded titles: plain text too
        (["export", "-f", "csv", "venue:MICCAI"], ALL),
        (["export", "-f", "bibtex", "venue:MICCAI"], WRITE_STACK + TABLES),
    ],
)
def test_a_read_command_imports_only_what_it_uses(seeded_db, args, forbidden):
    modules = imported(["--db", str(seeded_db), *args])
    assert "adbib.cli" in modules
    assert among(modules, forbidden) == []


def test_the_bibtex_export_of_non_ascii_names_loads_the_latex_encoder(seeded_db):
    modules = imported(["--db", str(seeded_db), "export", "-f", "bibtex"])
    assert "pylatexenc.latexencode" in modules  # the seeded lists have Görnitz, Müller, …


def test_importing_a_file_imported_before_needs_no_database_layer(seeded_db, tmp_path):
    """An already-imported file is recognised by its hash on a plain read connection: no
    sqlalchemy, no migrations, no readers of the file's entries."""
    bib = tmp_path / "one.bib"
    bib.write_text("@article{doe2024tiny,\n  author = {Doe, Jane},\n  title = {A Tiny Paper},\n  year = {2024}\n}\n")
    first = imported(["--db", str(seeded_db), "import", str(bib)])
    assert "sqlalchemy" in first and "adbib.store" in first
    again = imported(["--db", str(seeded_db), "import", str(bib)])
    assert among(again, WRITE_STACK + TABLES + VOCABULARIES + ("bibtexparser", "adbib.store")) == []


def test_a_file_imported_before_is_reported_in_the_format_it_was_imported_as(seeded_db, tmp_path):
    """The file is not decoded again: the report takes the format from the source row."""
    bib = tmp_path / "one.bib"
    bib.write_text("@article{doe2024tiny,\n  author = {Doe, Jane},\n  title = {A Tiny Paper},\n  year = {2024}\n}\n")
    for expected in ("imported 1 entries", "already imported"):
        proc = subprocess.run(
            [sys.executable, "-m", "adbib", "--db", str(seeded_db), "import", str(bib)],
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(f"{bib} (bibtex, source one): {expected}")
