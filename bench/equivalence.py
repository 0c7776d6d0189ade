"""Are two versions of the pipeline the same on real input? Build warehouses, compare them row for row.

A refactor that must not change behaviour (issue 14) is checked by building the same warehouses
with the old and the new code and comparing every table through its view:

    # with the old code checked out at /tmp/base (git worktree add /tmp/base <commit>)
    (cd /tmp/base && ../../work/main/.venv/bin/python /work/main/bench/equivalence.py build /tmp/eq-old)
    .venv/bin/python bench/equivalence.py build /tmp/eq-new
    .venv/bin/python bench/equivalence.py compare /tmp/eq-old /tmp/eq-new

`build` ingests examples/ twice (the second run must change nothing), a copy of examples/ with
one file edited and one file added between two runs (re-pointing, snapshots rebuilt), and the
BBC corpus when ../shared/corpora is present. Columns that differ between any two runs by
nature (run ids, clocks, timings, package versions, parameters) are left out of the comparison.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

VOLATILE = {
    "run_id",
    "flow_run_id",
    "processed_at",
    "seen_at",
    "started_at",
    "finished_at",
    "parameters",
    "versions",
    # entities and pairs: first_seen / last_seen fall back to processed_at for undated articles
    "first_seen",
    "last_seen",
}


def build(out: Path) -> None:
    """Warehouses from the code importable here (run it from the tree to measure)."""
    sys.path.insert(0, str(Path.cwd()))
    from flows.ingest import EXAMPLES, ingest_articles, prefect_api

    try:  # the flow takes one RunConfig since issue 14; keyword parameters before
        from flows.config import RunConfig

        def run(**parameters: object) -> None:
            ingest_articles(RunConfig(**parameters))
    except ImportError:

        def run(**parameters: object) -> None:
            ingest_articles(**parameters)

    out.mkdir(parents=True, exist_ok=True)
    # Article ids derive from paths and undated datelines from file times: both builds read
    # copies at one fixed place with fixed times, so they see the same input.
    fixed = Path(tempfile.gettempdir()) / "wirehouse-equivalence-src"
    shutil.rmtree(fixed, ignore_errors=True)
    examples, edited = fixed / "examples", fixed / "edited"
    for copy in (examples, edited):
        shutil.copytree(EXAMPLES, copy)
        _fix_times(copy)
    first = sorted(edited.rglob("*.txt"))[0]
    with prefect_api(None):
        for _ in range(2):
            run(sources=[str(examples)], warehouse=str(out / "examples"))
        run(sources=[str(edited)], warehouse=str(out / "edited"))
        text = first.read_text(encoding="utf-8") + "\nA line added in a correction.\n"
        first.write_text(text, encoding="utf-8")
        (edited / "copy-of-first.txt").write_text(text, encoding="utf-8")
        _fix_times(edited, 1_700_086_400)
        run(sources=[str(edited)], warehouse=str(out / "edited"))
        bbc = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "bbc"
        if bbc.exists():
            run(sources=[str(bbc)], warehouse=str(out / "bbc"))


def _fix_times(folder: Path, seconds: int = 1_700_000_000) -> None:
    for path in folder.rglob("*"):
        os.utime(path, ns=(seconds * 10**9, seconds * 10**9))


def _connect(db: Path):
    """A warehouse folder's tables: DuckLake (catalog.sqlite) or the old news.duckdb views."""
    if (db.parent / "catalog.sqlite").exists():
        from warehouse.catalog import open_readonly

        return open_readonly(db.parent)
    return duckdb.connect(str(db), read_only=True)


def _rows(db: Path, table: str, columns: list[str]) -> list[tuple]:
    con = _connect(db)
    try:
        cols = ", ".join(f'"{c}"' for c in columns)
        return con.execute(f"select {cols} from {table} order by all").fetchall()
    finally:
        con.close()


def _columns(db: Path, table: str) -> list[str]:
    con = _connect(db)
    try:
        return [r[0] for r in con.execute(f"describe {table}").fetchall()]
    finally:
        con.close()


def _tables(db: Path) -> list[str]:
    if (db.parent / "catalog.sqlite").exists():
        from warehouse.schemas import TABLES

        return list(TABLES)
    con = duckdb.connect(str(db), read_only=True)
    try:
        views = con.execute("select view_name from duckdb_views() where not internal").fetchall()
        return [r[0] for r in views]
    finally:
        con.close()


def compare(old: Path, new: Path, ignore: set[str]) -> int:
    """Print one line per table; return the number of tables that differ."""
    differing = 0
    for name in sorted(
        p.name for p in old.iterdir() if (p / "news.duckdb").exists() or (p / "catalog.sqlite").exists()
    ):
        a, b = old / name / "news.duckdb", new / name / "news.duckdb"
        for table in sorted(set(_tables(a)) | set(_tables(b))):
            cols_a, cols_b = _columns(a, table), _columns(b, table)
            only = sorted(set(cols_a) ^ set(cols_b))
            shared = [c for c in cols_a if c in cols_b and c not in VOLATILE and not c.startswith("seconds_")]
            shared = [c for c in shared if f"{table}.{c}" not in ignore]
            rows_a, rows_b = _rows(a, table, shared), _rows(b, table, shared)
            same = rows_a == rows_b
            differing += not same
            extra = f"; columns in one only: {only}" if only else ""
            verdict = "same" if same else "DIFFERENT"
            print(f"{name:>9} {table:<18} {len(rows_a):>7} / {len(rows_b):<7} rows  {verdict}{extra}")
            if not same:
                seen_a, seen_b = {repr(r) for r in rows_a}, {repr(r) for r in rows_b}
                missing = sorted(seen_a - seen_b)[:3]
                added = sorted(seen_b - seen_a)[:3]
                print(f"          old only: {missing}\n          new only: {added}")
    return differing


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the warehouses with the code in the current directory")
    b.add_argument("out", type=Path)
    c = sub.add_parser("compare", help="compare two folders made by build, table by table")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    c.add_argument("--ignore", nargs="*", default=[], help="table.column pairs expected to differ")
    args = parser.parse_args()
    if args.command == "build":
        build(args.out)
    else:
        sys.exit(1 if compare(args.old, args.new, set(args.ignore)) else 0)


if __name__ == "__main__":
    main()
