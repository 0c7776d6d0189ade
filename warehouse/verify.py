"""Is the warehouse intact? Schemas against the contract, data files against the catalog and
against checksums recorded at commit.

Parquet written by DuckDB carries no page checksums, and a flipped bit in a text column reads
back as different text without any error (62 of 200 single-bit flips did, issue 20). So every
data file's SHA-256 is recorded when a commit adds it (``checksums.json``, beside the catalog),
and ``verify`` compares. The quick part (schemas, every live file present with the size the
catalog recorded) runs before every ingest; the full part (every checksum) is
``wirehouse verify``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse import lake
from warehouse.schemas import TABLES

CHECKSUMS = "checksums.json"


class WarehouseDamaged(RuntimeError):
    """A table's schema or data files are not what the catalog and the contract say."""


@dataclass(frozen=True)
class Problem:
    table: str
    path: str | None
    what: str
    # a table or column a newer release added: the next ingest creates it (not damage)
    repairable: bool = False

    def __str__(self) -> str:
        return f"{self.table}: {self.path + ': ' if self.path else ''}{self.what}"


def live_files(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(table, path, size) of every data and delete file the current snapshot reads."""
    out = []
    for name in TABLES:
        rows = con.execute(
            "select data_file, data_file_size_bytes, delete_file, delete_file_size_bytes "
            f"from ducklake_list_files('{lake.LAKE}', '{name}')"
        ).fetchall()
        for data, data_size, delete, delete_size in rows:
            out.append((name, data, data_size))
            if delete:
                out.append((name, delete, delete_size))
    return out


def schema_problems(con: duckdb.DuckDBPyConnection) -> list[Problem]:
    """Tables or columns missing, or of another type than warehouse/schemas.py says."""
    problems = []
    stored: dict[str, dict[str, str]] = {}
    for table, column, type_ in con.execute(
        "select table_name, column_name, data_type from information_schema.columns where table_catalog = ?",
        [lake.LAKE],
    ).fetchall():
        stored.setdefault(table, {})[column] = type_
    for name, spec in TABLES.items():
        if name not in stored:
            problems.append(Problem(name, None, "table missing (the next ingest creates it)", True))
            continue
        for column, type_ in lake.spec_types(spec).items():
            got = stored[name].get(column)
            if got is None:
                problems.append(
                    Problem(name, None, f"column {column} missing (the next ingest adds it)", True)
                )
            elif got != type_:
                problems.append(Problem(name, None, f"column {column} is {got}, the contract says {type_}"))
    return problems


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load_checksums(root: Path) -> dict[str, list]:
    path = Path(root) / CHECKSUMS
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def record_checksums(root: Path, con: duckdb.DuckDBPyConnection | None = None) -> int:
    """Add the SHA-256 of live local data files not yet recorded; returns how many were added.

    Called after each commit (with the commit's connection): a file is hashed once, when the
    commit that wrote it is done.
    """
    root = Path(root).resolve()
    if lake.Location.of(root).data_path:
        return 0  # data on S3: the object store keeps its own checksums
    known = _load_checksums(root)
    own = con is None
    con = lake.connect(root, read_only=True) if own else con
    try:
        files = live_files(con)
    finally:
        if own:
            con.close()
    added = 0
    for _, path, size in files:
        relative = os.path.relpath(path, root)
        if relative not in known and os.path.exists(path):
            known[relative] = [size, _sha256(Path(path))]
            added += 1
    if added:
        tmp = root / f".{CHECKSUMS}.tmp"
        tmp.write_text(json.dumps(known, indent=0, sort_keys=True), encoding="utf-8")
        os.replace(tmp, root / CHECKSUMS)
    return added


def verify(root: Path, *, full: bool) -> tuple[list[Problem], int, int]:
    """(problems, files checked, bytes checked). Quick: schemas, files present with the catalog's
    sizes. Full: also every recorded checksum (a file without one is hashed and recorded)."""
    root = Path(root).resolve()
    con = lake.connect(root, read_only=True)
    try:
        problems = schema_problems(con)
        files = live_files(con)
    finally:
        con.close()
    return _check_files(root, problems, files, full)


def quick_problems(con: duckdb.DuckDBPyConnection, root: Path) -> list[Problem]:
    """``verify(full=False)``'s problems on a connection that has the warehouse attached."""
    return _check_files(Path(root).resolve(), schema_problems(con), live_files(con), False)[0]


def _check_files(
    root: Path, problems: list[Problem], files: list[tuple[str, str, int]], full: bool
) -> tuple[list[Problem], int, int]:
    if lake.Location.of(root).data_path:
        return problems, 0, 0
    known = _load_checksums(root) if full else {}
    checked = size_total = 0
    for table, path, size in files:
        relative = os.path.relpath(path, root)
        try:
            actual = os.stat(path).st_size
        except OSError:
            problems.append(Problem(table, relative, "data file missing"))
            continue
        checked += 1
        size_total += actual
        if size is not None and actual != size:
            problems.append(Problem(table, relative, f"{actual:,} bytes, the catalog recorded {size:,}"))
        elif full and relative in known and _sha256(Path(path)) != known[relative][1]:
            problems.append(Problem(table, relative, "contents changed since its commit (checksum differs)"))
    if full:
        record_checksums(root)
    return problems, checked, size_total


def damage_message(root: Path, problems: list[Problem]) -> str:
    problems = [p for p in problems if not p.repairable] or problems
    first = problems[0]
    more = (
        f" (and {len(problems) - 1} more: `wirehouse verify --warehouse {root}` lists them)"
        if len(problems) > 1
        else ""
    )
    return (
        f"the warehouse at {root} is damaged: {first}{more}. Restore the named files from a backup, or "
        "ingest the sources again into a new folder; nothing was written"
    )
