"""DuckDB over the Parquet tables: the views analysts query, and the news.duckdb file holding them.

news.duckdb holds only views (no data), so it is rebuilt from scratch after every commit into a
temporary file and renamed into place: an analyst with the old file open keeps a consistent
view and is never blocked by the writer.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import duckdb

from warehouse.schemas import TABLES, TableSpec, WriteMode

DB_NAME = "news.duckdb"
DUCKDB_CONFIG = {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}


def _quote(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def glob_escape(path: str) -> str:
    """A path as a DuckDB glob that matches only itself: "wh[1]" would also match "wh1"."""
    return "".join(f"[{c}]" if c in "[*?" else c for c in path)


def table_glob(root: Path, table: str) -> str:
    # Resolve the root but not the `parquet` symlink: views must follow it to each new version.
    pattern = "*/*.parquet" if TABLES[table].partition_key else "*.parquet"
    return glob_escape(str(root.resolve() / "parquet" / table)) + "/" + pattern


def source_sql(spec: TableSpec, files: Sequence[str]) -> str:
    """The SELECT behind a table's view, over the given Parquet files or globs.

    Append tables keep the newest row per ``latest_by`` key (run ids sort by time), so a file
    that changed replaces its old articles.
    """
    listing = "[" + ", ".join(_quote(f) for f in files) + "]"
    hive = (
        f", hive_partitioning = true, hive_types = {{'{spec.partition_key}': 'VARCHAR'}}"
        if spec.partition_key
        else ""
    )
    base = f"read_parquet({listing}, union_by_name = true{hive})"
    if spec.latest_by:
        keys = ", ".join(spec.latest_by)
        return (
            f"select * from {base} qualify row_number() over (partition by {keys} order by run_id desc) = 1"
        )
    return f"select * from {base}"


def view_sql(spec: TableSpec, files: Sequence[str]) -> str:
    """``source_sql`` plus what the spec declares: an overlay column, entity redirects, and
    rows shown only beside their article's current version."""
    sql = source_sql(spec, files)
    if spec.overlay:
        o = spec.overlay
        sql = (
            f"select t.* replace (m.{o.column} as {o.column}) from ({sql}) t "
            f"left join {o.table} m using ({o.key})"
        )
    if spec.redirect:
        r = spec.redirect
        replaced = [
            f"coalesce(r.canonical_entity_id, t.{r.id_column}) as {r.id_column}",
            f"coalesce(r.canonical_name, t.{r.name_column}) as {r.name_column}",
        ]
        if r.label_column:
            replaced.append(f"coalesce(r.canonical_label, t.{r.label_column}) as {r.label_column}")
        kept = f", t.{r.id_column} as {r.keep_as}" if r.keep_as else ""
        sql = (
            f"select t.* replace ({', '.join(replaced)}){kept} from ({sql}) t "
            f"left join entity_redirects r on t.{r.id_column} = r.entity_id"
        )
    if spec.follows_article:
        sql = (
            f"select t.* from ({sql}) t semi join articles a "
            "on t.article_id = a.article_id and t.run_id = a.run_id"
        )
    return sql


def view_order() -> list[TableSpec]:
    """Every table after the tables its view reads (``TableSpec.reads``)."""
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


def create_views(
    con: duckdb.DuckDBPyConnection, files: dict[str, Sequence[str]], *, temp: bool = False
) -> None:
    """Create one view per table; ``files`` maps table name to its Parquet files or globs."""
    kind = "temp view" if temp else "view"
    for spec in view_order():
        name = spec.name
        if not files[name]:
            con.register(f"_empty_{name}", spec.schema.empty_table())
            con.execute(f"create or replace {kind} {name} as select * from _empty_{name}")
            continue
        con.execute(f"create or replace {kind} {name} as {view_sql(spec, files[name])}")


def connect_memory(
    root: Path, extra: dict[str, Sequence[str]] | None = None, empty: Sequence[str] = ()
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with views over the committed tables plus any ``extra`` (staged) files.

    For a snapshot table, staged files replace the committed ones, as the commit will. Tables
    named in ``empty`` read as empty (e.g. entity_redirects, to see mentions as written).
    """
    con = duckdb.connect(":memory:", config=DUCKDB_CONFIG)
    extra = extra or {}
    files: dict[str, list[str]] = {}
    for name, spec in TABLES.items():
        staged = [glob_escape(f) for f in extra.get(name, [])]
        committed = [] if (spec.mode is WriteMode.SNAPSHOT and staged) else [table_glob(root, name)]
        files[name] = [] if name in empty else committed + staged
    create_views(con, files, temp=True)
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


def build_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """A BM25 index over canonical articles' titles and text (fts indexes tables, not views).

    Rebuilt whole at each commit, since an fts index does not follow table changes.
    """
    load_fts(con)
    con.execute("""
        create or replace table article_search as
        select article_id, coalesce(title, '') as title, text from articles where dedup_kind = 'canonical'""")
    con.execute("pragma create_fts_index('article_search', 'article_id', 'title', 'text', overwrite = 1)")


def build_catalog(root: Path) -> Path:
    """Write news.duckdb (views over the Parquet globs) atomically and return its path."""
    target = root / DB_NAME
    tmp = root / f".{DB_NAME}.tmp-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp), config=DUCKDB_CONFIG)
    try:
        files = {name: [table_glob(root, name)] for name in TABLES}
        create_views(con, files)
        build_search_index(con)
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(tmp, target)
    Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return target


def open_readonly(root: Path) -> duckdb.DuckDBPyConnection:
    """Open news.duckdb for queries; a clear error when no run has built it yet."""
    path = root / DB_NAME
    if not path.exists():
        raise FileNotFoundError(
            f"no warehouse database at {path}; run `wirehouse ingest --warehouse {root}` first"
        )
    return duckdb.connect(str(path), read_only=True, config=DUCKDB_CONFIG)
