"""The atomic writer: a run's Parquet files become visible together, or not at all.

Layout under the warehouse root::

    parquet/<table>/part-<run_id>-<n>.parquet   committed data (what views and readers see)
    _staging/<run_id>/<table>/...               a run's files before commit
    _staging/<run_id>/COMMIT.json               the commit point: once it exists the run is
                                                committed, and recovery rolls it forward
    _log/<run_id>.json                          one record per finished commit

A run killed before COMMIT.json is written leaves only staging files, which the next run
deletes (and redoes the work, since the sources manifest never recorded it). A run killed after
it is finished by the next run's recovery. Either way the tables are as before or after a run.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.schemas import TABLES, TableSpec, validate

SEED = "part-00000000-empty.parquet"


def _fsync_write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def new_run_id() -> str:
    """Sortable by time, so 'newest row wins' in the views is 'latest run wins'."""
    now = datetime.now(UTC)
    return now.strftime("%Y%m%dT%H%M%S%fZ") + "-" + os.urandom(3).hex()


@dataclass
class Warehouse:
    """Paths and commit protocol of one warehouse root."""

    root: Path

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()

    @property
    def parquet(self) -> Path:
        return self.root / "parquet"

    @property
    def staging(self) -> Path:
        return self.root / "_staging"

    @property
    def log(self) -> Path:
        return self.root / "_log"

    def table_dir(self, table: str) -> Path:
        return self.parquet / table

    def init(self) -> None:
        """Create the folders and an empty seed file per table, so every view has a schema."""
        for name, spec in TABLES.items():
            directory = self.table_dir(name)
            directory.mkdir(parents=True, exist_ok=True)
            seed = directory / SEED
            if not seed.exists():
                tmp = directory / (SEED + ".tmp")
                pq.write_table(spec.schema.empty_table(), tmp)
                os.replace(tmp, seed)
        self.staging.mkdir(exist_ok=True)
        self.log.mkdir(exist_ok=True)

    def committed_files(self, table: str) -> list[Path]:
        return sorted(self.table_dir(table).glob("*.parquet"))

    # -- staging ---------------------------------------------------------------------------

    def run_dir(self, run_id: str) -> Path:
        return self.staging / run_id

    def scratch_path(self, run_id: str, name: str) -> Path:
        """A file for passing data between tasks of one run; discarded at commit."""
        path = self.run_dir(run_id) / "_scratch" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def stage(self, run_id: str, spec: TableSpec, table: pa.Table, part: str) -> Path | None:
        """Validate and write one part file of a run into staging; None when there are no rows."""
        validate(spec, table)
        if table.num_rows == 0:
            return None
        directory = self.run_dir(run_id) / spec.name
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"part-{run_id}-{part}.parquet"
        pq.write_table(table, path, compression="zstd", row_group_size=64_000)
        return path

    def staged_files(self, run_id: str) -> dict[str, list[str]]:
        directory = self.run_dir(run_id)
        return {name: sorted(str(p) for p in (directory / name).glob("*.parquet")) for name in TABLES}

    # -- commit ------------------------------------------------------------------------------

    def commit(self, run_id: str) -> dict:
        """Publish every staged file of the run. Snapshot tables replace their old files."""
        staged = self.staged_files(run_id)
        moves = []
        removals = []
        for name, files in staged.items():
            if TABLES[name].mode == "snapshot" and files:
                removals += [str(p) for p in self.committed_files(name) if p.name != SEED]
            moves += [[src, str(self.table_dir(name) / Path(src).name)] for src in files]
        manifest = {
            "run_id": run_id,
            "moves": moves,
            "removals": removals,
            "committed_at": datetime.now(UTC).isoformat(),
        }
        for directory in {Path(src).parent for src, _ in moves}:
            _fsync_dir(directory)
        _fsync_write(self.run_dir(run_id) / "COMMIT.json", json.dumps(manifest, indent=1))
        self._apply(manifest)
        return manifest

    def _apply(self, manifest: dict) -> None:
        """Idempotent: re-applying a half-applied manifest finishes it."""
        for src, dst in manifest["moves"]:
            if os.path.exists(src):
                os.replace(src, dst)
            elif not os.path.exists(dst):
                raise RuntimeError(f"commit {manifest['run_id']}: {src} and {dst} are both missing")
        for path in manifest["removals"]:
            Path(path).unlink(missing_ok=True)
        for directory in {str(Path(dst).parent) for _, dst in manifest["moves"]}:
            _fsync_dir(Path(directory))
        _fsync_write(self.log / f"{manifest['run_id']}.json", json.dumps(manifest, indent=1))
        shutil.rmtree(self.run_dir(manifest["run_id"]), ignore_errors=True)

    def discard(self, run_id: str) -> None:
        shutil.rmtree(self.run_dir(run_id), ignore_errors=True)

    def recover(self) -> list[str]:
        """Finish committed runs and delete uncommitted ones left by a killed process.

        Call only while holding the writer lock: a live run's staging looks the same as a dead one's.
        """
        actions = []
        if not self.staging.exists():
            return actions
        for run_dir in sorted(self.staging.iterdir()):
            commit = run_dir / "COMMIT.json"
            if commit.exists():
                self._apply(json.loads(commit.read_text(encoding="utf-8")))
                actions.append(f"rolled forward committed run {run_dir.name}")
            else:
                shutil.rmtree(run_dir, ignore_errors=True)
                actions.append(f"discarded uncommitted run {run_dir.name}")
        for stray in self.parquet.glob("*/*.tmp"):
            stray.unlink(missing_ok=True)
        return actions


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
