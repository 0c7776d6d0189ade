"""Reading the warehouse: analysts' connections, a run's own view of it, and the search index.

``open_readonly`` attaches the DuckLake catalog read-only and makes it the default database,
so ``select * from articles`` reads the table (exact live rows, nothing left to a view) as of
the latest commit, or as of any earlier run. ``connect_memory`` is a run's view: the committed
tables with the run's staged changes applied (warehouse/changes.py). The full-text index lives
in ``search.duckdb`` beside the catalog: DuckDB's fts indexes a native table, not a DuckLake one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import duckdb

from warehouse import lake
from warehouse.changes import GONE_ARTICLES_SQL, REMOVED_ARTICLES_SQL, bind_staged, native_table, view_sql
from warehouse.lake import DUCKDB_CONFIG, WarehouseMissing
from warehouse.schemas import TABLES, TableSpec

SEARCH_DB = "search.duckdb"
# Present while search.duckdb may be behind the tables: written before a commit that changes
# articles, removed once the index is rebuilt. Any run that finds it rebuilds the index.
SEARCH_STALE = ".search-stale"

__all__ = ["DUCKDB_CONFIG", "SEARCH_DB", "WarehouseMissing", "connect_memory", "open_readonly"]


def view_order() -> list[TableSpec]:
    """Every table after the tables its in-run view reads (``TableSpec.reads``)."""
    ordered: dict[str, TableSpec] = {}

    def visit(spec: TableSpec, path: tuple[str, ...] = ()) -> None:
        if spec.name in path:
            raise ValueError(f"views read each other in a cycle: {' -> '.join((*path, spec.name))}")
        for name in spec.reads:
            visit(TABLES[name], (*path, spec.name))
        ordered.setdefault(spec.name, spec)

    for spec in TABLES.values():
        visit(spec)
    return list(ordered.values())


def connect_memory(
    root: Path, extra: dict[str, Sequence[str]] | None = None, empty: Sequence[str] = ()
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose views show the warehouse as committing the ``extra`` (staged)
    files would leave it. Tables named in ``empty`` read as empty (e.g. entity_redirects, to see
    mentions as their articles wrote them)."""
    con = duckdb.connect(":memory:", config=DUCKDB_CONFIG)
    lake.attach(con, Path(root), read_only=True)
    extra = extra or {}
    bind_staged(con, extra, [])
    con.execute(f"create temp view gone_articles as {GONE_ARTICLES_SQL}")
    con.execute(f"create temp view removed_articles as {REMOVED_ARTICLES_SQL}")
    for spec in view_order():
        if spec.name in empty:
            native_table(con, spec.name, spec.schema.empty_table())
        else:
            con.execute(f"create temp view {spec.name} as {view_sql(spec, bool(extra.get(spec.name)))}")
    return con


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load DuckDB's full-text-search extension from its PyPI package: never a download."""
    import duckdb_extension_fts

    path = (
        Path(duckdb_extension_fts.__file__).parent
        / "extensions"
        / f"v{duckdb.__version__}"
        / "fts.duckdb_extension"
    )
    if not path.exists():
        raise RuntimeError(
            f"no fts extension for DuckDB {duckdb.__version__} at {path}: install "
            f"duckdb-extension-fts=={duckdb.__version__}"
        )
    con.execute(f"load '{path}'")


def build_search_index(root: Path) -> int:
    """Write search.duckdb (a BM25 index over canonical articles' titles and text) atomically.

    Rebuilt whole after each commit (an fts index does not follow table changes); it records
    the snapshot it was built from, so a reader can tell when it is behind. Returns that snapshot.
    """
    root = Path(root)
    target = root / SEARCH_DB
    tmp = root / f".{SEARCH_DB}.tmp-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(tmp), config=DUCKDB_CONFIG)
        try:
            lake.attach(con, root, read_only=True)
            snapshot = lake.current_snapshot(con)
            load_fts(con)
            con.execute(f"""
                create table article_search as
                select article_id, coalesce(title, '') as title, text
                from {lake.LAKE}.articles where dedup_kind = 'canonical'""")
            con.execute(
                "pragma create_fts_index('article_search', 'article_id', 'title', 'text', overwrite = 1)"
            )
            con.execute("create table search_meta as select ?::bigint as snapshot_id", [snapshot])
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return snapshot


def refresh_search_index(root: Path) -> str:
    """Rebuild search.duckdb when it is missing or marked stale; returns '' or what went wrong
    (the caller's run is already committed: report it, never undo the run)."""
    flag = Path(root) / SEARCH_STALE
    if not flag.exists() and (Path(root) / SEARCH_DB).exists():
        return ""
    try:
        build_search_index(root)
    except Exception as exc:
        return f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
    flag.unlink(missing_ok=True)
    return ""


def open_readonly(
    root: Path, *, snapshot: int | None = None, search: bool = False
) -> duckdb.DuckDBPyConnection:
    """The warehouse for queries, as of ``snapshot`` (default: the latest commit).

    With ``search``, search.duckdb is attached as ``search`` for ``fts_main_article_search``
    and ``article_search``. A missing warehouse raises WarehouseMissing, whose
    message says what to do.
    """
    con = lake.connect(Path(root), read_only=True, snapshot=snapshot)
    if search:
        path = Path(root) / SEARCH_DB
        if not path.exists():
            con.close()
            raise WarehouseMissing(
                f"no search index at {path}; run `wirehouse ingest SOURCE --warehouse {root}` to build it"
            )
        load_fts(con)
        con.execute(f"attach {lake._quote(str(path))} as search (read_only)")
        # fts macros name their tables without a catalog: search must be the default one, and
        # the warehouse tables are found through the search path
        con.execute("use search")
        con.execute(f"set search_path = 'search.main,{lake.LAKE}.main'")
    return con
