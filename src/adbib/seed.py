"""`adbib seed`: import every list of data/seed/ in the manifest's order (idempotent)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from adbib.backend import Target
from adbib.resources import repo_relative, seed_dir

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from adbib.importer.report import ImportReport


@dataclass(frozen=True)
class SeedSource:
    name: str
    list: str
    file: Path
    dialect: str
    origin: str
    revision: str
    sha256: str


def manifest(directory: Path | None = None) -> list[SeedSource]:
    directory = directory or seed_dir()
    with open(directory / "sources.toml", "rb") as f:
        data = tomllib.load(f)
    return [
        SeedSource(
            name=s["name"],
            list=s["list"],
            file=directory / s["file"],
            dialect=s["dialect"],
            origin=s["origin"],
            revision=str(s["revision"]),
            sha256=s["sha256"],
        )
        for s in data["source"]
    ]


def seed(engine: Engine, db_path: Target, progress: Callable[[int, int], None] | None = None) -> list[ImportReport]:
    """Import each seed list; a list already imported (same name, same content) is left alone."""
    from adbib.store import ingest

    return [
        ingest(
            engine,
            db_path,
            s.file,
            dialect=s.dialect,
            source_name=s.name,
            list_name=s.list,
            display_path=repo_relative(s.file),
            progress=progress,
        )
        for s in manifest()
    ]
