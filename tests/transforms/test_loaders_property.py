"""Property tests: random and mutated bytes never crash a loader or the cleaner.

Whatever the bytes, load_file returns articles or rejects (never raises, never returns
nothing), every reject has a stage and a reason, and cleaning an article either succeeds or
raises RejectError with a reason.
"""

from __future__ import annotations

import gzip

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLES
from transforms.clean import clean_article
from transforms.load import load_file
from transforms.records import RejectError

NAMES = [
    "a.txt",
    "a.md",
    "a.html",
    "a.htm",
    "a.json",
    "a.jsonl",
    "a.ndjson",
    "a.txt.gz",
    "a.json.gz",
    "a.warc",
    "a.warc.gz",
]
SAMPLES = [p.read_bytes() for p in sorted(EXAMPLES.rglob("*")) if p.is_file()]
LIMIT = 5_000_000


def check(name: str, data: bytes) -> None:
    result = load_file(name, data, max_decompressed_bytes=LIMIT)
    assert result.articles or result.rejects
    for reject in result.rejects:
        assert reject.stage == "load" and reject.reason and reject.reason.isidentifier()
    for raw in result.articles:
        try:
            article = clean_article(raw, "id", lambda text: (None, None))
        except RejectError as exc:
            assert exc.reason in ("empty_after_cleaning", "text_too_long")
        else:
            assert article.text and article.word_count >= 0


@st.composite
def mutated_sample(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(0, 8))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        else:
            del data[at:]
    return bytes(data)


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=4096))
def test_random_bytes(name, data):
    check(name, data)


@FAST
@given(name=st.sampled_from(NAMES), data=mutated_sample())
def test_mutated_examples(name, data):
    check(name, data)


@FAST
@given(name=st.sampled_from(["a.txt.gz", "a.json.gz", "a.jsonl.gz", "a.warc.gz"]), data=mutated_sample())
def test_mutated_gzip(name, data):
    compressed = bytearray(gzip.compress(data, mtime=0))
    if len(compressed) > 20:
        compressed[len(compressed) // 2] ^= 0xFF
    check(name, bytes(compressed))


@FAST
@given(text=st.text(max_size=2000), name=st.sampled_from(NAMES[:7]))
def test_any_unicode_text(text, name):
    check(name, text.encode("utf-8", "surrogatepass"))
