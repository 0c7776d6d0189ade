"""The atomic writer: a run's Parquet files become visible together, or not at all.

Layout under the warehouse root::

    parquet -> _versions/<run_id>                a symlink: what views and readers see
    _versions/<run_id>/<table>/part-*.parquet    one complete version of every table; files
                                                 shared with earlier versions are hard links
    _staging/<run_id>/<table>/*.parquet          a run's files before commit
    _log/<run_id>.json                           one record per finished commit

A commit builds the next version beside the current one (hard links for the files it keeps,
renames for the run's new files) and then swaps the ``parquet`` symlink with one atomic
rename: that swap is the commit point. A reader resolves the symlink once when it opens a
table, so it sees the whole of one version, never half a run. A run killed before the swap
leaves a staging folder and perhaps a half-built version, both deleted by the next run's
recovery (which then redoes the work: the sources manifest never recorded those files).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from warehouse.schemas import RUN_ID, TABLES, TableSpec, WriteMode, validate

SEED = "part-00000000-empty.parquet"
INITIAL_VERSION = "00000000T000000000000Z-init"
# Versions kept besides the current one, so a reader that listed files just before a commit
# can still open them.
KEEP_OLD_VERSIONS = 2


def new_run_id() -> str:
    """Sortable by time, so 'newest row wins' in the views is 'latest run wins'."""
    now = datetime.now(UTC)
    return now.strftime("%Y%m%dT%H%M%S%fZ") + "-" + os.urandom(3).hex()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    def versions(self) -> Path:
        return self.root / "_versions"

    @property
    def staging(self) -> Path:
        return self.root / "_staging"

    @property
    def log(self) -> Path:
        return self.root / "_log"

    def table_dir(self, table: str) -> Path:
        return self.parquet / table

    def current_version(self) -> str:
        return os.readlink(self.parquet).rsplit("/", 1)[-1]

    def init(self) -> None:
        """Create the first (empty) version, with a seed file per table so every view has a schema."""
        for directory in (self.versions, self.staging, self.log):
            directory.mkdir(parents=True, exist_ok=True)
        if not self.parquet.is_symlink():
            building = self.versions / f"{INITIAL_VERSION}.tmp"
            shutil.rmtree(building, ignore_errors=True)
            for name in TABLES:
                self._seed(building / name)
            shutil.rmtree(self.versions / INITIAL_VERSION, ignore_errors=True)
            os.rename(building, self.versions / INITIAL_VERSION)
            self._swap(INITIAL_VERSION)
        for name in TABLES:  # a table added by a newer wirehouse starts empty
            self._seed(self.table_dir(name))

    @staticmethod
    def _seed(directory: Path) -> None:
        """An empty Parquet file with the table's schema, so its view has columns before any data."""
        spec = TABLES[directory.name]
        directory = directory / spec.part_dir("undated")
        directory.mkdir(parents=True, exist_ok=True)
        seed = directory / SEED
        if not seed.exists():
            pq.write_table(spec.schema.empty_table(), directory / (SEED + ".tmp"))
            os.replace(directory / (SEED + ".tmp"), seed)

    def committed_files(self, table: str) -> list[Path]:
        return sorted(self.table_dir(table).rglob("*.parquet"))

    # -- staging ---------------------------------------------------------------------------

    def run_dir(self, run_id: str) -> Path:
        return self.staging / run_id

    def scratch_path(self, run_id: str, name: str) -> Path:
        """A file for passing data between tasks of one run; discarded at commit."""
        path = self.run_dir(run_id) / "_scratch" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def stage(self, run_id: str, spec: TableSpec, table: pa.Table, part: str) -> list[Path]:
        """Stamp the run id, validate and write a run's rows into staging: one file, or one per
        month partition. Row builders leave ``run_id`` out (or null): the writer owns it."""
        table = table.set_column(
            table.schema.get_field_index("run_id"), RUN_ID, pa.array([run_id] * table.num_rows, pa.string())
        )
        validate(spec, table)
        if table.num_rows == 0 and spec.mode is not WriteMode.SNAPSHOT:
            return []  # (an empty snapshot is still written: it replaces the old one at commit)
        groups = [(None, table)]
        if spec.month_partition_of:
            months = pc.fill_null(pc.strftime(table[spec.month_partition_of], format="%Y-%m"), "undated")
            groups = [(m, table.filter(pc.equal(months, m))) for m in sorted(set(months.to_pylist()))]
        paths = []
        for month, rows in groups:
            directory = self.run_dir(run_id) / spec.name / spec.part_dir(month)
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / f"part-{run_id}-{part}.parquet"
            pq.write_table(rows, path, compression="zstd", row_group_size=64_000)
            paths.append(path)
        return paths

    def staged_files(self, run_id: str) -> dict[str, list[str]]:
        directory = self.run_dir(run_id)
        return {name: sorted(str(p) for p in (directory / name).rglob("*.parquet")) for name in TABLES}

    # -- commit ------------------------------------------------------------------------------

    def commit(self, run_id: str) -> dict:
        """Publish every staged file of the run as a new version; snapshot tables replace theirs."""
        staged = self.staged_files(run_id)
        building = self.versions / f"{run_id}.tmp"
        shutil.rmtree(building, ignore_errors=True)
        added, removed = {}, {}
        for name, spec in TABLES.items():
            target = building / name
            target.mkdir(parents=True)
            replace = spec.mode is WriteMode.SNAPSHOT and bool(staged[name])
            for old in self.committed_files(name):
                relative = old.relative_to(self.table_dir(name))
                if replace and old.name != SEED:
                    removed.setdefault(name, []).append(str(relative))
                    continue
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                os.link(old, target / relative)
            for new in staged[name]:
                relative = Path(new).relative_to(self.run_dir(run_id) / name)
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                os.replace(new, target / relative)
                added.setdefault(name, []).append(str(relative))
            for directory in {target, *(p.parent for p in target.rglob("*.parquet"))}:
                _fsync_dir(directory)
        os.rename(building, self.versions / run_id)
        _fsync_dir(self.versions)
        self._swap(run_id)  # the commit point
        record = {
            "run_id": run_id,
            "added": added,
            "removed": removed,
            "committed_at": datetime.now(UTC).isoformat(),
        }
        tmp = self.log / f"{run_id}.json.tmp"
        tmp.write_text(json.dumps(record, indent=1), encoding="utf-8")
        os.replace(tmp, self.log / f"{run_id}.json")
        shutil.rmtree(self.run_dir(run_id), ignore_errors=True)
        self._collect_garbage()
        return record

    def _swap(self, version: str) -> None:
        link = self.root / f".parquet.{os.getpid()}.tmp"
        link.unlink(missing_ok=True)
        os.symlink(f"_versions/{version}", link)
        os.replace(link, self.parquet)
        _fsync_dir(self.root)

    def _collect_garbage(self) -> None:
        """Drop versions older than the last few, and any newer than current (never committed)."""
        current = self.current_version()
        names = sorted(p.name for p in self.versions.iterdir())
        older = [n for n in names if n < current and not n.endswith(".tmp")]
        doomed = older[: max(0, len(older) - KEEP_OLD_VERSIONS)]
        doomed += [n for n in names if n > current or n.endswith(".tmp")]
        for name in doomed:
            shutil.rmtree(self.versions / name, ignore_errors=True)

    def discard(self, run_id: str) -> None:
        shutil.rmtree(self.run_dir(run_id), ignore_errors=True)
        shutil.rmtree(self.versions / f"{run_id}.tmp", ignore_errors=True)

    def recover(self) -> list[str]:
        """Delete what killed runs left behind: their staging and any half-built version.

        Call only while holding the writer lock: a live run's staging looks the same as a dead one's.
        """
        actions = []
        if self.staging.exists():
            for run_dir in sorted(self.staging.iterdir()):
                shutil.rmtree(run_dir, ignore_errors=True)
                actions.append(f"discarded uncommitted run {run_dir.name}")
        for stray in self.root.glob(".parquet.*.tmp"):
            stray.unlink(missing_ok=True)
        if self.parquet.is_symlink():
            self._collect_garbage()
        return actions
