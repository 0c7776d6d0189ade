"""Deterministic keys: every id is a hash of what identifies the thing, so re-runs are idempotent."""

from __future__ import annotations

import xxhash


def stable_id(*parts: object) -> str:
    """Hash the parts (joined by NUL, which cannot occur in paths or names) to 32 hex chars.

    128 bits keeps collisions negligible at any corpus size a single warehouse will hold, and
    xxh3 is fast enough to hash every record without showing up in a profile.
    """
    joined = "\x00".join("" if p is None else str(p) for p in parts)
    return xxhash.xxh3_128_hexdigest(joined.encode("utf-8", "surrogatepass"))
