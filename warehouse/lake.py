"""The table format: DuckLake, a catalog database plus Parquet data files (docs/decisions/0001).

Layout under the warehouse root::

    catalog.sqlite     the DuckLake catalog: tables, snapshots, which data files are live
    data/main/<table>/ Parquet data (and delete) files; paths in the catalog are relative

A run's changes to every table commit in one catalog transaction, so readers see all of a run
or none of it, and every run is a snapshot one can query later (time travel). The catalog is
SQLite rather than a DuckDB file because a DuckDB file admits one process at a time: with
SQLite an analyst can read while a run writes (and sees the previous snapshot).

With a ``lake.json`` in the folder (``--catalog``, ``--data-path``), the catalog is PostgreSQL
and/or the data is on S3; the folder then keeps only the lock, staging and the search index.

The extensions come from their PyPI packages, never from the network. The sqlite package ships
``sqlite.duckdb_extension`` whose entry point is ``sqlite_scanner``: DuckDB derives the entry
point from the file name, so it is loaded through a link with that name (postgres likewise).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import pyarrow as pa

from warehouse.schemas import TABLES, TableSpec

CATALOG_NAME = "catalog.sqlite"
LOCATION_NAME = "lake.json"
DATA_DIR = "data"
LAKE = "lake"
DUCKDB_CONFIG = {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}


class WarehouseMissing(FileNotFoundError):
    """No warehouse (or one in a format this release cannot read) at the given folder."""


def _package_extension(package: str, file_name: str) -> Path:
    module = __import__(package)
    path = Path(module.__file__).parent / "extensions" / f"v{duckdb.__version__}" / file_name
    if not path.exists():
        dist = package.replace("_", "-")
        raise RuntimeError(
            f"no {file_name} for DuckDB {duckdb.__version__}: install {dist}=={duckdb.__version__}"
        )
    return path


def _linked_extension(package: str, file_name: str, entry_name: str) -> Path:
    """A link named ``entry_name``.duckdb_extension to a packaged extension whose file name is not
    its entry point (sqlite -> sqlite_scanner, postgres -> postgres_scanner)."""
    source = _package_extension(package, file_name)
    folder = Path(tempfile.gettempdir()) / f"wirehouse-ext-{os.getuid()}-v{duckdb.__version__}"
    folder.mkdir(mode=0o700, exist_ok=True)
    link = folder / f"{entry_name}.duckdb_extension"
    if not (link.is_symlink() and os.readlink(link) == str(source)):
        tmp = folder / f".link-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        os.symlink(source, tmp)
        os.replace(tmp, link)
    return link


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def catalog_path(root: Path) -> Path:
    return Path(root) / CATALOG_NAME


def location_path(root: Path) -> Path:
    return Path(root) / LOCATION_NAME


@dataclass(frozen=True)
class Location:
    """Where a warehouse's catalog and data live when not in its folder (``lake.json``).

    ``catalog`` is a libpq connection string for PostgreSQL ("dbname=news host=db port=5432
    user=etl"); ``data_path`` an S3 URL ("s3://bucket/news/"). Credentials are never stored:
    PGPASSWORD (or ~/.pgpass) for PostgreSQL; AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    AWS_REGION and, for an S3-compatible server, AWS_ENDPOINT_URL for S3.
    """

    catalog: str | None = None
    data_path: str | None = None

    @staticmethod
    def of(root: Path) -> Location:
        path = location_path(root)
        if not path.exists():
            return Location()
        data = json.loads(path.read_text(encoding="utf-8"))
        return Location(data.get("catalog"), data.get("data_path"))

    def save(self, root: Path) -> None:
        tmp = location_path(root).with_suffix(".tmp")
        tmp.write_text(json.dumps({"catalog": self.catalog, "data_path": self.data_path}, indent=1), "utf-8")
        os.replace(tmp, location_path(root))


def postgres_dsn(url: str) -> str:
    """postgresql://user@host:port/db (or a libpq "key=value" string) as a libpq string."""
    if "://" not in url:
        return url
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"--catalog takes postgresql://USER@HOST:PORT/DATABASE, not {url!r}")
    if parsed.password:
        raise ValueError("put the catalog password in PGPASSWORD or ~/.pgpass, not in --catalog")
    parts = {
        "dbname": parsed.path.lstrip("/"),
        "host": parsed.hostname,
        "port": parsed.port,
        "user": parsed.username,
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v)


def _s3_secret_sql(data_path: str) -> str:
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    options = {
        "KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", ""),
        "SECRET": os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
        "REGION": os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "us-east-1")),
    }
    if endpoint:
        parsed = urlparse(endpoint)
        options["ENDPOINT"] = parsed.netloc or parsed.path
        options["USE_SSL"] = "true" if parsed.scheme == "https" else "false"
        options["URL_STYLE"] = "path"
    body = ", ".join(f"{k} {v if k == 'USE_SSL' else _quote(v)}" for k, v in options.items())
    return f"CREATE OR REPLACE SECRET wirehouse_s3 (TYPE s3, {body}, SCOPE {_quote(data_path)})"


def setup_statements(
    root: Path, *, read_only: bool, snapshot: int | None = None, alias: str = LAKE
) -> list[str]:
    """LOAD the extensions, create the S3 secret if the data is on S3, and ATTACH the warehouse
    at ``root`` wherever it now lies (data paths in the catalog are relative; the data path is
    given anew every time, so a copied or moved folder reads itself)."""
    root = Path(root).resolve()
    where = Location.of(root)
    loads = [_package_extension("duckdb_extension_ducklake", "ducklake.duckdb_extension")]
    statements = []
    if where.catalog:
        loads.append(
            _linked_extension("duckdb_extension_postgres", "postgres.duckdb_extension", "postgres_scanner")
        )
        catalog = "ducklake:postgres:" + where.catalog
    else:
        loads.append(
            _linked_extension("duckdb_extension_sqlite", "sqlite.duckdb_extension", "sqlite_scanner")
        )
        catalog = "ducklake:sqlite:" + str(catalog_path(root))
    data_path = where.data_path or str(root / DATA_DIR) + os.sep
    if data_path.startswith("s3://"):
        loads.append(_package_extension("duckdb_extension_httpfs", "httpfs.duckdb_extension"))
        statements.append(_s3_secret_sql(data_path))
    options = [
        f"DATA_PATH {_quote(data_path)}",
        "OVERRIDE_DATA_PATH true",
        # every row in Parquet, never inlined into the catalog: the files are the data
        "DATA_INLINING_ROW_LIMIT 0",
    ]
    if read_only:
        options.append("READ_ONLY")
    if snapshot is not None:
        options.append(f"SNAPSHOT_VERSION {int(snapshot)}")
    attach = f"ATTACH {_quote(catalog)} AS {alias} ({', '.join(options)})"
    return [f"LOAD {_quote(str(p))}" for p in loads] + statements + [attach]


def attach(
    con: duckdb.DuckDBPyConnection, root: Path, *, read_only: bool, snapshot: int | None = None
) -> None:
    for statement in setup_statements(root, read_only=read_only, snapshot=snapshot):
        con.execute(statement)


def exists(root: Path) -> bool:
    """A warehouse is there: a local catalog, or a lake.json naming a remote one."""
    return catalog_path(root).exists() or location_path(root).exists()


def connect(root: Path, *, read_only: bool = True, snapshot: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the warehouse attached as ``lake`` and in use, so ``articles``
    names the table. ``snapshot`` reads the warehouse as of that DuckLake snapshot."""
    root = Path(root)
    if not exists(root):
        raise WarehouseMissing(missing_message(root))
    con = duckdb.connect(":memory:", config=DUCKDB_CONFIG)
    try:
        attach(con, root, read_only=read_only, snapshot=snapshot)
        con.execute(f"use {LAKE}")
    except duckdb.Error:
        con.close()
        raise
    return con


def missing_message(root: Path) -> str:
    """What to do when ``root`` holds no readable warehouse."""
    if (Path(root) / "_versions").exists() or (Path(root) / "parquet").is_symlink():
        return (
            f"{root} is a warehouse in the old format (Parquet versions without a catalog), which this "
            "release does not read; ingest the sources again into a new folder with "
            "`wirehouse ingest SOURCE --warehouse NEW_FOLDER`"
        )
    return f"no warehouse at {root}; run `wirehouse ingest SOURCE --warehouse {root}` first"


def duckdb_types_of(con: duckdb.DuckDBPyConnection, spec: TableSpec) -> dict[str, str]:
    """Column -> DuckDB type of the spec's Arrow schema, as DuckDB itself maps it (slow: ~25 ms a
    table; ``spec_types`` is the fast equivalent, and a test keeps the two equal)."""
    con.register("_spec_empty", spec.schema.empty_table())
    try:
        rows = con.execute("describe select * from _spec_empty").fetchall()
    finally:
        con.unregister("_spec_empty")
    return {name: type_ for name, type_, *_ in rows}


_ARROW_TO_DUCKDB = {
    pa.string(): "VARCHAR",
    pa.int64(): "BIGINT",
    pa.int32(): "INTEGER",
    pa.int16(): "SMALLINT",
    pa.float32(): "FLOAT",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.binary(): "BLOB",
    pa.date32(): "DATE",
    pa.timestamp("us", tz="UTC"): "TIMESTAMP WITH TIME ZONE",
    pa.list_(pa.string()): "VARCHAR[]",
}


def spec_types(spec: TableSpec) -> dict[str, str]:
    """Column -> DuckDB type for the spec (what every ingest and verify check against)."""
    return {f.name: _ARROW_TO_DUCKDB[f.type] for f in spec.fields}


def ensure_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create missing tables and add missing columns (a newer release's schema); one transaction.

    Returns what changed. Columns are only ever added: a column a newer release dropped stays.
    """
    changed = []
    existing = {
        name: {
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_catalog = ? and table_name = ?",
                [LAKE, name],
            ).fetchall()
        }
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_catalog = ?", [LAKE]
        ).fetchall()
    }
    for name, spec in TABLES.items():
        types = spec_types(spec)
        if name not in existing:
            columns = ", ".join(f'"{c}" {t}' for c, t in types.items())
            con.execute(f"create table {LAKE}.{name} ({columns})")
            if spec.partition_by:
                con.execute(f"alter table {LAKE}.{name} set partitioned by ({', '.join(spec.partition_by)})")
            changed.append(f"created {name}")
            continue
        for column, type_ in types.items():
            if column not in existing[name]:
                con.execute(f'alter table {LAKE}.{name} add column "{column}" {type_}')
                changed.append(f"added {name}.{column}")
    return changed


def set_commit_message(con: duckdb.DuckDBPyConnection, message: str, info: dict) -> None:
    """Label the transaction's snapshot, so a run can be found among the snapshots later."""
    con.execute(
        f"call {LAKE}.set_commit_message('wirehouse', ?, extra_info => ?)", [message, json.dumps(info)]
    )


RUN_SNAPSHOTS_SQL = f"""
select snapshot_id, snapshot_time, json_extract_string(commit_extra_info, '$.run_id') as run_id
from {LAKE}.snapshots() where json_extract_string(commit_extra_info, '$.run_id') is not null
"""


def run_snapshot(con: duckdb.DuckDBPyConnection, run_id: str) -> int | None:
    """The snapshot a run committed (a unique prefix of the run id is enough)."""
    rows = con.execute(
        f"select snapshot_id, run_id from ({RUN_SNAPSHOTS_SQL}) where starts_with(run_id, ?)", [run_id]
    ).fetchall()
    exact = [s for s, r in rows if r == run_id]
    if exact:
        return exact[-1]
    if len({r for _, r in rows}) == 1:
        return rows[-1][0]
    return None


def current_snapshot(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute(f"select id from {LAKE}.current_snapshot()").fetchone()[0]
