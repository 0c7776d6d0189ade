import os
from pathlib import Path

import pytest

from flows.listing import FileEntry, Known, needs_work, walk_sources
from transforms.records import Reject


def test_walk_lists_files_and_turns_problems_into_rejects(tmp_path: Path):
    (tmp_path / "a.txt").write_text("one")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.json").write_text("{}")
    (tmp_path / ".hidden.txt").write_text("skip me")
    (tmp_path / "README.md").write_text("about this folder")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    os.symlink(tmp_path / "missing.txt", tmp_path / "dangling.txt")
    os.symlink(tmp_path / "loop1.txt", tmp_path / "loop2.txt")
    os.symlink(tmp_path / "loop2.txt", tmp_path / "loop1.txt")
    os.symlink(tmp_path / "sub", tmp_path / "sub-link")  # a directory link is not followed
    os.mkfifo(tmp_path / "pipe.txt")

    found = list(walk_sources([tmp_path]))
    entries = {e.relative: e.ignored for e in found if isinstance(e, FileEntry)}
    rejects = {Path(r.path).name: r.reason for r in found if isinstance(r, Reject)}
    assert entries == {
        "README.md": "name matches exclude pattern 'README*'",
        "a.txt": None,
        "notes.docx": "unsupported format (not .txt/.md/.html/.htm/.json/.jsonl/.ndjson/.warc, "
        "optionally .gz)",
        "sub/b.json": None,
    }
    assert rejects == {
        "dangling.txt": "broken_symlink",
        "loop1.txt": "symlink_loop",
        "loop2.txt": "symlink_loop",
        "pipe.txt": "not_a_regular_file",
    }


def test_non_utf8_file_name_is_storable(tmp_path: Path):
    name = b"caf\xe9.txt"
    with open(os.path.join(os.fsencode(tmp_path), name), "wb") as fh:
        fh.write(b"text")
    (entry,) = walk_sources([tmp_path])
    assert entry.relative == "caf\\xe9.txt"
    assert os.path.exists(entry.os_path)
    entry.path.encode("utf-8")  # storable in Parquet


def test_manifest_skip_rule():
    entry = FileEntry("/x", "/x", "/", "x", size=10, mtime_ns=5)
    assert needs_work(entry, None)
    assert not needs_work(entry, Known(10, 5, "h", "loaded"))
    assert needs_work(entry, Known(11, 5, "h", "loaded"))
    assert needs_work(entry, Known(10, 6, "h", "loaded"))
    assert needs_work(entry, Known(10, 5, None, "unreadable"))  # retried every run
    assert needs_work(entry, Known(10, 5, None, "ignored"))  # no longer excluded
    entry.ignored = "name matches exclude pattern '*.gz'"
    assert not needs_work(entry, Known(10, 5, None, "ignored"))


def test_locations_accept_local_urls_and_refuse_object_stores_with_a_way_out(tmp_path):
    from flows.locations import RemoteLocation, local_path

    assert local_path(f"file://{tmp_path}") == tmp_path
    assert local_path(str(tmp_path)) == tmp_path
    with pytest.raises(RemoteLocation, match="mount the bucket"):
        local_path("memory://drop/news")
