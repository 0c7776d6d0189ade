"""Sources and warehouse given as paths or fsspec URLs, resolved to local paths.

The warehouse commits by renaming a symlink and hard-linking files, and the lock is an flock:
POSIX filesystem semantics that object stores do not have. So a URL must name a local
filesystem (file://, or a path); for s3:// or gs:// the answer is to mount the bucket
(s3fs/gcsfuse, with its consistency caveats) or sync the drop folder to local disk first, and
the error says so instead of half-working.
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
