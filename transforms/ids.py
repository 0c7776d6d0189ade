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


def record_key(
    input_format: str, external_id: str | None, url: str | None, title: str | None, text: str
) -> str:
    """What identifies a record inside its file, so an article keeps its id when its file changes.

    A one-article file (text, html) is its own key: an edit is a correction of the same article.
    A record of a multi-record file (JSON, JSONL, WARC) is known by its own id or URL; without
    one, by its content (an edited record without an id is then a new article, the old one gone).
    Its position is never the key: deleting one line must not renumber every record after it.
    """
    if input_format in ("text", "html"):
        return "file"
    if external_id or url:
        return f"id:{external_id or url}"
    return "content:" + stable_id(title, text)


class UniqueKeys:
    """Record keys of one file, in order, with '#2', '#3'... after a repeat, so two records
    with one id are two articles; one key at a time, for a file read as a stream."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, key: str) -> str:
        n = self._seen[key] = self._seen.get(key, 0) + 1
        return key if n == 1 else f"{key}#{n}"
