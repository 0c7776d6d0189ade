"""Sources and the warehouse folder given as paths or fsspec URLs, resolved to local paths.

Sources are listed, stat'ed and opened without following links out of their roots, and the
warehouse folder holds the writer lock (an flock) and the catalog: POSIX filesystem semantics
that object stores do not have. So these URLs must name a local filesystem (file://, or a
path); for s3:// or gs:// the answer is to mount the bucket (s3fs/gcsfuse) or sync the drop
folder to local disk, and the error says so instead of half-working. A warehouse's *data
files* can live on S3 (``--data-path s3://...``, warehouse/lake.py).
"""

from __future__ import annotations

import os
from pathlib import Path


class RemoteLocation(ValueError):
    pass


def local_path(location: str) -> Path:
    """``location`` (a path or an fsspec URL of a local filesystem) as a local Path."""
    if "://" not in location:
        return Path(location)
    from fsspec.core import split_protocol, strip_protocol

    protocol, _ = split_protocol(location)
    if protocol in ("file", "local"):
        return Path(strip_protocol(location))
    raise RemoteLocation(
        f"{location}: {protocol}:// is not a local filesystem. wirehouse reads and commits on POSIX "
        "paths: mount the bucket (e.g. s3fs, gcsfuse) or sync it to local disk, and pass that path."
    )


SOURCE_ROOTS = "WIREHOUSE_SOURCE_ROOTS"
WAREHOUSE_ROOTS = "WIREHOUSE_WAREHOUSE_ROOTS"


class OutsideAllowedRoots(PermissionError):
    pass


def check_allowed_roots(
    sources: list[Path], warehouse: Path, new_remote: bool, environ: dict[str, str] | None = None
) -> None:
    """Refuse a run whose sources or warehouse leave the roots its deployment allows.

    A deployment's parameters can be set by whoever can reach its Prefect API; the process
    that runs it (``wirehouse serve``, a worker's job variables) fixes the folders it may read
    (``WIREHOUSE_SOURCE_ROOTS``) and write (``WIREHOUSE_WAREHOUSE_ROOTS``), os.pathsep-separated.
    Paths are compared after resolving links, so a link inside a root cannot lead out of it.
    With warehouse roots set, a run may not create a warehouse with a remote catalog or data
    path either: the deployment owner's credentials would write wherever a caller chose.
    Unset, nothing is checked (the command line).
    """
    environ = os.environ if environ is None else environ
    for variable, paths in ((SOURCE_ROOTS, sources), (WAREHOUSE_ROOTS, [warehouse])):
        if not environ.get(variable):
            continue
        roots = [Path(r).resolve() for r in environ[variable].split(os.pathsep) if r]
        for path in paths:
            if not any(path.resolve().is_relative_to(root) for root in roots):
                raise OutsideAllowedRoots(
                    f"{path} is outside the folders this deployment allows ({variable}="
                    f"{environ[variable]}); ask its owner to add it there"
                )
    if new_remote and environ.get(WAREHOUSE_ROOTS):
        raise OutsideAllowedRoots(
            f"a run of this deployment may not choose a catalog or data path ({WAREHOUSE_ROOTS} is set); "
            "create the warehouse from the command line first"
        )
