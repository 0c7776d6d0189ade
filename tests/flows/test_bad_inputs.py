"""Every kind of bad input ends as a reject with its own reason, and the run goes on."""

from __future__ import annotations

import os

import pytest

from flows.ingest import RunConfig, ingest_articles
from flows.listing import FileEntry
from flows.steps.load import ReadProblem, read_file
from tests.fixtures.bad_inputs import make_bad_inputs
from tests.flows.helpers import query


@pytest.mark.usefixtures("prefect_harness")
def test_each_bad_input_gets_its_reason(tmp_path):
    expected = make_bad_inputs(tmp_path / "bad")
    summary = ingest_articles(RunConfig(sources=[str(tmp_path / "bad")], warehouse=str(tmp_path / "wh")))
    outcome: dict[str, set[str]] = {}
    for path, status in query(tmp_path / "wh", "select path, status from sources"):
        name = os.path.basename(path)
        outcome.setdefault(name, set()).add({"loaded": "article", "partial": "article"}.get(status, status))
    rejected = query(
        tmp_path / "wh",
        "select path, reason from rejects where path not in "
        "(select path from sources where status in ('loaded', 'partial'))",
    )
    for path, reason in rejected:
        outcome.setdefault(os.path.basename(path), set()).add(reason)
    got = {name: (kinds - {"rejected", "unreadable"}) for name, kinds in outcome.items()}
    assert got == {name: {reason} for name, reason in expected.items()}
    # the JSONL file keeps its two good lines and rejects the two bad ones
    rows = query(
        tmp_path / "wh",
        "select record_index, reason from rejects where path like '%some-bad-lines%' order by 1",
    )
    assert rows == [(1, "invalid_json"), (2, "no_article_text")]
    assert (
        summary["files_seen"]
        == summary["files_loaded"] + summary["files_rejected"] + summary["files_ignored"]
    )


def entry(path) -> FileEntry:
    st = os.stat(path)
    return FileEntry(str(path), str(path), str(path.parent), path.name, st.st_size, st.st_mtime_ns)


def test_file_that_vanishes_before_it_is_read(tmp_path):
    path = tmp_path / "gone.txt"
    path.write_text("soon gone")
    e = entry(path)
    path.unlink()
    with pytest.raises(ReadProblem) as info:
        read_file(e, 1 << 28)
    assert (info.value.reason, info.value.unreadable) == ("vanished", True)


def test_file_that_changes_while_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "growing.txt"
    path.write_text("first part")
    e = entry(path)
    real_stat = os.stat

    def stat_after_append(p, *args, **kwargs):
        if str(p) == str(path):
            with open(path, "a") as fh:
                fh.write(" and more")
        return real_stat(p, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat_after_append)
    with pytest.raises(ReadProblem) as info:
        read_file(e, 1 << 28)
    assert (info.value.reason, info.value.unreadable) == ("changed_while_reading", True)


def test_file_over_the_size_limit_is_not_read(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(ReadProblem) as info:
        read_file(entry(path), 1000)
    assert (info.value.reason, info.value.unreadable) == ("file_too_large", False)


def test_permission_denied_is_retried_next_run(tmp_path, monkeypatch):
    path = tmp_path / "locked.txt"
    path.write_text("secret")

    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("builtins.open", deny)
    with pytest.raises(ReadProblem) as info:
        read_file(entry(path), 1 << 28)
    assert (info.value.reason, info.value.unreadable) == ("permission_denied", True)
