"""The writer: a run stages Parquet files privately, then commits them to every table at once.

Under the warehouse root, besides the DuckLake catalog and data (warehouse/lake.py)::

    _staging/<run_id>/<table>/part-*.parquet    a run's rows before commit (private to the run)
    _staging/<run_id>/_changes/part-*.parquet   files whose articles or rejects the run replaces
    search.duckdb                               the full-text index, rebuilt after each commit

The commit (one DuckLake transaction) deletes the committed rows the run supersedes, inserts
the staged rows, and brings redirected entity ids and story ids up to date, in every table: it
is the commit point. A run killed before it leaves a staging folder (and perhaps data files no
snapshot lists), both removed by the next run's recovery, which then redoes the work: the
sources manifest never recorded those files.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from warehouse import lake
from warehouse.changes import CHANGES, bind_staged, commit_statements
from warehouse.schemas import RUN_ID, TABLES, TableSpec, WriteMode, validate
from warehouse.verify import record_checksums


def new_run_id() -> str:
    """Start time plus a random suffix: unique, and readable. Runs are ordered by runs.run_seq."""
    now = datetime.now(UTC)
    return now.strftime("%Y%m%dT%H%M%S%fZ") + "-" + os.urandom(3).hex()


@dataclass
class Warehouse:
    """Paths and commit protocol of one warehouse root."""

    root: Path

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()

    @property
    def staging(self) -> Path:
        return self.root / "_staging"

    @property
    def catalog(self) -> Path:
        return lake.catalog_path(self.root)

    def exists(self) -> bool:
        return lake.exists(self.root)

    def init(self, location: lake.Location | None = None) -> list[str]:
        """Create the catalog and tables, or add what a newer release's schema has; returns changes.

        ``location`` puts a new warehouse's catalog on PostgreSQL and/or its data on S3; for an
        existing warehouse it must match what it was created with. Call while holding the writer
        lock. An old-format warehouse is refused with what to do.
        """
        if not self.exists() and (self.root / "_versions").exists():
            raise lake.WarehouseMissing(lake.missing_message(self.root))
        location = location or lake.Location()
        if self.exists():
            current = lake.Location.of(self.root)
            if location != lake.Location() and location != current:
                raise ValueError(
                    f"{self.root} keeps its catalog and data at {current}; it cannot move to {location}: "
                    "use a new warehouse folder"
                )
            location = current
        self.root.mkdir(parents=True, exist_ok=True)
        if not self.exists() and location != lake.Location():
            location.save(self.root)
        if not location.data_path:
            (self.root / lake.DATA_DIR).mkdir(exist_ok=True)
        self.staging.mkdir(exist_ok=True)
        con = duckdb.connect(":memory:", config=lake.DUCKDB_CONFIG)
        try:
            lake.attach(con, self.root, read_only=False)
            con.execute("begin")
            changed = lake.ensure_tables(con)
            if changed:
                lake.set_commit_message(con, "schema", {"schema": changed})
            con.execute("commit")
        finally:
            con.close()
        return changed

    # -- staging ---------------------------------------------------------------------------

    def run_dir(self, run_id: str) -> Path:
        return self.staging / run_id

    def scratch_path(self, run_id: str, name: str) -> Path:
        """A file for passing data between tasks of one run; discarded at commit."""
        path = self.run_dir(run_id) / "_scratch" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def stage(self, run_id: str, spec: TableSpec, table: pa.Table, part: str) -> list[Path]:
        """Stamp the run id (and a redirect's local columns), validate, and write one staged part.

        Row builders leave ``run_id`` and ``local_*`` out (or null): the writer owns them.
        """
        table = table.set_column(
            table.schema.get_field_index("run_id"), RUN_ID, pa.array([run_id] * table.num_rows, pa.string())
        )
        if spec.redirect:
            for column in spec.redirect.columns:
                index = table.schema.get_field_index(spec.redirect.local(column))
                local = pc.coalesce(table[spec.redirect.local(column)], table[column])
                table = table.set_column(index, spec.schema.field(index), local)
        validate(spec, table)
        if table.num_rows == 0 and spec.mode is not WriteMode.SNAPSHOT:
            return []  # (an empty snapshot is still written: it replaces the old one at commit)
        return [self._write_part(run_id, spec.name, table, part)]

    def stage_changes(self, run_id: str, table: pa.Table, part: str) -> None:
        """Record files whose committed articles and/or rejects this run replaces (warehouse.changes)."""
        if table.num_rows:
            self._write_part(run_id, "_changes", table.cast(CHANGES), part)

    def _write_part(self, run_id: str, name: str, table: pa.Table, part: str) -> Path:
        directory = self.run_dir(run_id) / name
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"part-{part}.parquet"
        tmp = directory / f".part-{part}.parquet.tmp"
        pq.write_table(table, tmp, compression="zstd", row_group_size=64_000)
        os.replace(tmp, path)
        return path

    def staged_files(self, run_id: str) -> dict[str, list[str]]:
        directory = self.run_dir(run_id)
        return {
            name: sorted(str(p) for p in (directory / name).glob("part-*.parquet"))
            for name in (*TABLES, "_changes")
        }

    # -- commit ------------------------------------------------------------------------------

    def commit(self, run_id: str, roots: list[str] | None = None) -> dict:
        """Apply every staged table of the run in one DuckLake transaction; returns row counts.

        ``roots`` are the run's source folders: discover rejects under them are re-listed by
        every run, so the committed ones there are replaced.
        """
        staged = self.staged_files(run_id)
        con = duckdb.connect(":memory:", config=lake.DUCKDB_CONFIG)
        try:
            lake.attach(con, self.root, read_only=False)
            bind_staged(con, staged, roots or [])
            con.execute("begin")
            counts = {}
            for label, sql in commit_statements(staged):
                result = con.execute(sql).fetchone()
                if result and label:
                    counts[label] = result[0]
            lake.set_commit_message(con, f"run {run_id}", {"run_id": run_id})
            con.execute("commit")
            snapshot = lake.current_snapshot(con)
            con.execute(f"use {lake.LAKE}")
            # after the commit point: a crash here only leaves files unrecorded until verify
            record_checksums(self.root, con)
        finally:
            con.close()
        shutil.rmtree(self.run_dir(run_id), ignore_errors=True)
        return {"run_id": run_id, "snapshot": snapshot, "changes": counts}

    def discard(self, run_id: str) -> None:
        shutil.rmtree(self.run_dir(run_id), ignore_errors=True)

    def recover(self) -> list[str]:
        """Delete what killed runs left behind: their staging, and data files no snapshot lists.

        Call only while holding the writer lock: a live run's staging looks the same as a dead one's.
        """
        actions = []
        if self.staging.exists():
            for run_dir in sorted(self.staging.iterdir()):
                shutil.rmtree(run_dir, ignore_errors=True)
                actions.append(f"discarded uncommitted run {run_dir.name}")
        if actions and self.exists():
            con = duckdb.connect(":memory:", config=lake.DUCKDB_CONFIG)
            try:
                lake.attach(con, self.root, read_only=False)
                removed = con.execute(
                    f"select count(*) from ducklake_delete_orphaned_files('{lake.LAKE}', cleanup_all => true)"
                ).fetchone()[0]
            finally:
                con.close()
            if removed:
                actions.append(f"deleted {removed} data files of uncommitted runs")
        for stray in self.root.glob(".search.duckdb.tmp-*"):
            stray.unlink(missing_ok=True)
        return actions
