import gzip
from datetime import UTC, datetime

import pytest

from tests.conftest import EXAMPLES
from transforms.load import load_file

LIMIT = 10_000_000


def load(rel: str, data: bytes | None = None):
    path = EXAMPLES / rel
    return load_file(str(path), path.read_bytes() if data is None else data, max_decompressed_bytes=LIMIT)


def only_reject(result):
    assert not result.articles
    assert len(result.rejects) == 1
    return result.rejects[0]


def test_text_file_is_one_article():
    result = load("seeds/atacms-authorization-a.txt")
    assert [a.record_index for a in result.articles] == [0]
    assert result.articles[0].text.startswith("Ukraine's conflict with Russia")
    assert result.articles[0].input_format == "text" and not result.rejects


def test_json_record_fields():
    (article,) = load("json/storm-warning.json").articles
    assert article.title == "Amber warning as Storm Ilse heads for the west coast"
    assert article.authors == ["Marta Lindqvist"]
    assert article.published_at == datetime(2025, 1, 20, 7, 45, tzinfo=UTC)
    assert article.published_at_source == "input_field"
    assert article.external_id == article.url == "https://coastwatch.example/2025/01/20/storm-warning"
    assert article.language == "en"
    assert article.text.startswith("The national weather service has issued an amber wind warning")


def test_jsonl_keeps_good_lines_and_rejects_bad_ones():
    result = load("json/wire-briefs.jsonl")
    assert [(a.record_index, a.external_id) for a in result.articles] == [
        (0, "wb-1001"),
        (1, "wb-1002"),
        (4, "wb-1005"),
    ]
    assert [(r.record_index, r.reason) for r in result.rejects] == [
        (2, "invalid_json"),
        (3, "no_article_text"),
    ]
    assert result.articles[0].authors == ["Sam Reyes"]


def test_ndjson_alternative_field_names():
    (article,) = load("json/morning-digest.ndjson").articles
    assert article.title == "City opens two new cycle lanes"
    assert article.authors == ["Priya Raman"]
    assert article.external_id == "digest-2025-03-06-1"
    assert article.published_at == datetime(2025, 3, 6, 7, 0, tzinfo=UTC)


def test_html_main_text_and_metadata():
    (article,) = load("html/council-budget.html").articles
    assert article.title == "Portmere council approves budget that keeps every library open"
    assert article.authors == ["Daniel Okafor"]
    assert article.published_at == datetime(2025, 2, 11, tzinfo=UTC)
    assert article.published_at_source == "html_meta"
    assert "More than 2,000 people wrote to us about the libraries" in article.text
    assert "40 new street lights in the Northfield district" in article.text
    for chrome in ("Most read", "Subscribe", "All rights reserved"):
        assert chrome not in article.text


def test_warc_keeps_html_responses_and_rejects_every_other_record():
    result = load("warc/portmere-crawl.warc.gz")
    (article,) = result.articles
    assert (article.record_index, article.input_format, article.title) == (
        2,
        "warc",
        "Island ferries to run later in summer",
    )
    assert article.external_id == article.url == "https://courier.example/news/2025/04/02/ferry-timetable"
    assert article.authors == ["Sofia Brandt"]
    assert "petition signed by more than 3,000 island residents" in article.text
    assert [(r.record_index, r.reason) for r in result.rejects] == [
        (0, "warc_not_response"),
        (1, "warc_not_response"),
        (3, "warc_not_response"),
        (4, "warc_not_html"),
        (5, "warc_not_response"),
        (6, "warc_http_status"),
        (7, "warc_not_response"),
    ]


def test_truncated_warc_keeps_the_records_before_the_damage():
    result = load("broken/truncated-crawl.warc.gz")
    assert [a.record_index for a in result.articles] == [2]
    assert result.rejects[-1].reason == "truncated_gzip" and result.rejects[-1].record_index == 4


def test_gzip_is_transparent():
    (article,) = load("text/harbour-bridge-closure-copy.md.gz").articles
    assert article.text.startswith("# Harbour bridge to close for")


@pytest.mark.parametrize(
    ("rel", "reason"),
    [
        ("broken/empty.txt", "empty_file"),
        ("broken/binary.md", "binary_content"),
        ("broken/no-article.html", "no_article_text"),
        ("broken/truncated.json", "invalid_json"),
        ("broken/truncated.txt.gz", "truncated_gzip"),
    ],
)
def test_broken_examples_are_rejected(rel, reason):
    reject = only_reject(load(rel))
    assert (reject.reason, reject.stage, reject.record_index) == (reason, "load", None)
    assert reject.detail


def test_broken_ndjson_rejects_every_line():
    result = load("broken/not-json-lines.ndjson")
    assert [(r.record_index, r.reason) for r in result.rejects] == [(0, "invalid_json"), (1, "invalid_json")]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("deep.json", b"[" * 200_000 + b"]" * 200_000, "json_too_deep"),
        ("number.json", b"42", "not_a_record"),
        ("empty-list.json", b"[]", "no_records"),
        ("bomb.txt.gz", gzip.compress(b"a" * (LIMIT + 1)), "decompressed_too_large"),
        ("fake.txt.gz", b"plain text, not gzip", "invalid_gzip"),
        ("notes.docx", b"PK\x03\x04", "unsupported_format"),
        ("page.html", b"just words and no markup at all", "not_html"),
        ("crawl.warc", b"this is not a crawl", "malformed_warc"),
        ("crawl.warc.gz", gzip.compress(b"HTTP/1.1 200 OK"), "malformed_warc"),
    ],
)
def test_hostile_inputs(name, data, reason):
    assert only_reject(load_file(name, data, max_decompressed_bytes=LIMIT)).reason == reason
