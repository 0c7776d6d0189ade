"""Sources and the warehouse folder given as paths or fsspec URLs, resolved to local paths.

Sources are listed, stat'ed and opened without following links out of their roots, and the
warehouse folder holds the writer lock (an flock) and the catalog: POSIX filesystem semantics
that object stores do not have. So these URLs must name a local filesystem (file://, or a
path); for s3:// or gs:// the answer is to mount the bucket (s3fs/gcsfuse) or sync the drop
folder to local disk, and the error says so instead of half-working. A warehouse's *data
files* can live on S3 (``--data-path s3://...``, warehouse/lake.py).
"""

from __future__ import annotations

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
