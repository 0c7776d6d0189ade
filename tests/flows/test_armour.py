"""What a hostile folder or a bad day can do (issue 20): each case built at test time, none checked in."""

from __future__ import annotations

import gzip
import os
import signal
from pathlib import Path

import pytest

from flows.config import RunConfig
from flows.ingest import ingest_articles
from flows.listing import FileEntry, walk_sources
from flows.steps.load import ReadProblem, read_file, reference_date_for
from tests.flows.helpers import query
from transforms.decompress import MAX_GZIP_MEMBERS, gunzip_capped
from transforms.records import Reject, RejectError

STORY = "The harbour bridge in Portmere will close for three weeks of repairs, the council said on Tuesday.\n"


def entry(path: Path) -> FileEntry:
    st = os.stat(path)
    return FileEntry(str(path), str(path), str(path.parent), path.name, st.st_size, st.st_mtime_ns)


@pytest.mark.usefixtures("prefect_harness")
def test_file_names_with_different_invalid_bytes_stay_distinct(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    for i, raw in enumerate((b"\xff", b"\xfe", b"\xc3\x28")):
        name = os.path.join(os.fsencode(source), b"story-" + raw + b".txt")
        with open(name, "wb") as fh:
            fh.write(f"Story {i}\n\n{STORY}Item {i} of three.\n".encode())
    summary = ingest_articles(RunConfig(sources=[str(source)], warehouse=str(tmp_path / "wh")))
    assert (summary["files_seen"], summary["articles"]) == (3, 3)
    paths = sorted(p for (p,) in query(tmp_path / "wh", "select relative_path from sources"))
    assert paths == ["story-\\xc3(.txt", "story-\\xfe.txt", "story-\\xff.txt"]


@pytest.mark.usefixtures("prefect_harness")
def test_glob_characters_in_a_warehouse_path_are_data(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.txt").write_text("Bridge closes\n\n" + STORY)
    ingest_articles(RunConfig(sources=[str(source)], warehouse=str(tmp_path / "wh1")))
    # "wh[1]" as a glob matches "wh1": its manifest must not be read as this warehouse's
    summary = ingest_articles(RunConfig(sources=[str(source)], warehouse=str(tmp_path / "wh[1]")))
    assert (summary["files_new"], summary["articles"]) == (1, 1)
    assert query(tmp_path / "wh[1]", "select count(*) from articles") == [(1,)]


@pytest.mark.usefixtures("prefect_harness")
def test_overlapping_sources_with_a_broken_link_run_and_reject_once(tmp_path):
    source = tmp_path / "src"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "a.txt").write_text("Bridge closes\n\n" + STORY)
    (source / "sub" / "gone.txt").symlink_to(tmp_path / "missing.txt")
    summary = ingest_articles(
        RunConfig(sources=[str(source), str(source / "sub")], warehouse=str(tmp_path / "wh"))
    )
    assert (summary["files_seen"], summary["articles"], summary["records_rejected"]) == (1, 1, 1)
    assert query(tmp_path / "wh", "select reason from rejects") == [("broken_symlink",)]


def test_links_that_leave_the_source_folder_are_rejected_unless_allowed(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n")
    source = tmp_path / "src"
    source.mkdir()
    (source / "inside.txt").write_text("Bridge closes\n\n" + STORY)
    (source / "link-in.txt").symlink_to(source / "inside.txt")
    (source / "link-out.txt").symlink_to(outside)
    found = list(walk_sources([source]))
    rejects = [(Path(r.path).name, r.reason, r.detail) for r in found if isinstance(r, Reject)]
    assert rejects == [
        (
            "link-out.txt",
            "symlink_outside_source",
            f"symbolic link points outside the source folders, to {outside}",
        )
    ]
    assert sorted(Path(e.path).name for e in found if isinstance(e, FileEntry)) == [
        "inside.txt",
        "link-in.txt",
    ]
    allowed = list(walk_sources([source], allow_outside_links=True))
    assert all(isinstance(e, FileEntry) for e in allowed) and len(allowed) == 3


def test_a_file_swapped_for_a_fifo_after_listing_is_rejected_without_blocking(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(STORY)
    listed = entry(path)
    path.unlink()
    os.mkfifo(path)
    signal.alarm(20)  # a blocking open would hang the suite: fail it instead
    try:
        with pytest.raises(ReadProblem) as info:
            read_file(listed, 1 << 20)
    finally:
        signal.alarm(0)
    assert info.value.reason == "not_a_regular_file"


def test_a_file_time_past_year_9999_falls_back_to_today():
    far = FileEntry("/x.txt", "/x.txt", "/", "x.txt", 10, 2**62)
    assert reference_date_for(far, None) is not None  # no OverflowError, every run
    assert str(reference_date_for(far, RunConfig(reference_date="2013-01-01").reference_date)) == "2013-01-01"


def test_gzip_of_many_empty_members_is_capped_and_linear():
    empty = gzip.compress(b"")
    assert gunzip_capped(empty * 1000 + gzip.compress(b"news"), 1 << 20) == b"news"
    with pytest.raises(RejectError) as info:
        gunzip_capped(empty * (MAX_GZIP_MEMBERS + 1), 1 << 20)
    assert info.value.reason == "too_many_gzip_members"


@pytest.mark.usefixtures("prefect_harness")
def test_a_read_that_hangs_is_rejected_after_the_time_limit_and_the_run_goes_on(tmp_path, monkeypatch):
    """A hung mount blocks read() in the kernel; here a read that never returns stands in for it."""
    import threading
    import time

    import flows.steps.load as load

    source = tmp_path / "in"
    source.mkdir()
    for name in ("a.txt", "hung.txt", "c.txt"):
        (source / name).write_text(f"{name} {STORY}" * 3)
    released = threading.Event()
    real = load._read_whole

    def read(entry, max_file_bytes):
        if entry.relative == "hung.txt":
            released.wait(120)  # blocks like a read on a dead NFS server
        return real(entry, max_file_bytes)

    monkeypatch.setattr(load, "_read_whole", read)
    started = time.monotonic()
    try:
        summary = ingest_articles(
            RunConfig(sources=[str(source)], warehouse=str(tmp_path / "w"), read_timeout_s=1.0)
        )
    finally:
        released.set()
    assert time.monotonic() - started < 60
    assert (summary["status"], summary["articles"]) == ("completed", 2)
    assert query(tmp_path / "w", "select parse_filename(path), reason from rejects") == [
        ("hung.txt", "read_timeout")
    ]
    assert query(tmp_path / "w", "select status from sources where relative_path = 'hung.txt'") == [
        ("unreadable",)
    ]


def test_a_deployment_run_stays_under_its_roots(tmp_path):
    """What `wirehouse serve` fixes (or a worker's job variables): a run started through the API
    with other parameters reads and writes nowhere else, links included."""
    from flows.locations import OutsideAllowedRoots, check_allowed_roots

    inbox, store, elsewhere = tmp_path / "inbox", tmp_path / "store", tmp_path / "elsewhere"
    for folder in (inbox, store, elsewhere):
        folder.mkdir()
    (inbox / "escape").symlink_to(elsewhere)
    env = {"WIREHOUSE_SOURCE_ROOTS": str(inbox), "WIREHOUSE_WAREHOUSE_ROOTS": str(store)}
    check_allowed_roots([inbox / "day1"], store / "w", False, env)  # inside: fine
    for sources, warehouse in (
        ([Path("/etc")], store / "w"),
        ([inbox / "escape"], store / "w"),  # a link inside the root leads out
        ([inbox], elsewhere / "w"),
        ([inbox], inbox / "w"),  # a warehouse written into the drop folder
    ):
        with pytest.raises(OutsideAllowedRoots, match="outside the folders this deployment allows"):
            check_allowed_roots(sources, warehouse, False, env)
    with pytest.raises(OutsideAllowedRoots, match="may not choose a catalog or data path"):
        check_allowed_roots([inbox], store / "w", True, env)
    check_allowed_roots([Path("/etc")], elsewhere, True, {})  # the command line: no roots


@pytest.mark.usefixtures("prefect_harness")
def test_the_flow_refuses_a_source_outside_its_roots_before_writing(tmp_path, monkeypatch):
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text(STORY)
    monkeypatch.setenv("WIREHOUSE_SOURCE_ROOTS", str(tmp_path / "allowed"))
    with pytest.raises(PermissionError, match="outside the folders this deployment allows"):
        ingest_articles(RunConfig(sources=[str(source)], warehouse=str(tmp_path / "w")))
    assert not (tmp_path / "w").exists()


@pytest.mark.usefixtures("prefect_harness")
def test_one_file_of_many_records_is_held_a_chunk_at_a_time(tmp_path, monkeypatch):
    """Memory per task is bounded by chunk_articles, not by the records of one file: the load
    step pickles chunks of at most that many articles, and NER reads one chunk per task."""
    import json
    import pickle

    import flows.steps.extract as extract_step
    import flows.steps.load as load_step

    source = tmp_path / "in"
    source.mkdir()
    with (source / "feed.jsonl").open("w") as out:
        for i in range(7):
            text = f"Story {i}: the council of town number {i} met on Tuesday about bridge {i * 7919}. " * 3
            out.write(json.dumps({"id": f"s{i}", "title": f"Story {i}", "text": text}) + "\n")
    dumped, read = [], []
    real_dump = pickle.dump

    def dump(obj, fh, *args, **kwargs):
        dumped.append(len(obj))
        return real_dump(obj, fh, *args, **kwargs)

    real_read = extract_step.pq.read_table

    def read_table(path, *args, **kwargs):
        table = real_read(path, *args, **kwargs)
        read.append(table.num_rows)
        return table

    monkeypatch.setattr(load_step.pickle, "dump", dump)
    monkeypatch.setattr(extract_step.pq, "read_table", read_table)
    summary = ingest_articles(
        RunConfig(sources=[str(source)], warehouse=str(tmp_path / "w"), chunk_articles=3)
    )
    assert summary["articles"] == 7
    assert dumped == [3, 3, 1] and read == [3, 3, 1]
