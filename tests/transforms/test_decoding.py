import codecs

import pytest

from tests.conftest import EXAMPLES, corpus
from transforms.decoding import declared_charset, decode_bytes
from transforms.records import RejectError


def test_strict_utf8_wins():
    assert decode_bytes("Café costs £3 — “quoted”".encode()) == ("Café costs £3 — “quoted”", "utf-8")


def test_cp1252_example_keeps_pound_and_accent():
    text, encoding = decode_bytes((EXAMPLES / "text/market-late-opening-cp1252.txt").read_bytes())
    assert encoding == "cp1252"
    assert "£850" in text and "café" in text


def test_bbc_latin1_file_is_not_read_as_cp932():
    # charset-normalizer alone reads this file as cp932 and yields '｣15.8m'.
    text, encoding = decode_bytes((corpus("bbc") / "sport/199.txt").read_bytes())
    assert encoding == "cp1252"
    assert "a £15.8m signing from Parma" in text


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF16_LE + "Grain exports rise".encode("utf-16-le"), "utf-16-le (BOM)"),
        (codecs.BOM_UTF16_BE + "Grain exports rise".encode("utf-16-be"), "utf-16-be (BOM)"),
        ("Grain exports rise".encode("utf-16-le"), "utf-16-le"),
        ("Grain exports rise".encode("utf-16-be"), "utf-16-be"),
        (codecs.BOM_UTF8 + b"Grain exports rise", "utf-8 (BOM)"),
    ],
)
def test_utf16_and_boms(data, encoding):
    assert decode_bytes(data) == ("Grain exports rise", encoding)


def test_html_declared_charset_is_used():
    page = '<html><head><meta charset="windows-1251"></head><body>Новости</body></html>'
    assert declared_charset(page.encode("cp1251")) == "cp1251"
    text, encoding = decode_bytes(page.encode("cp1251"), html=True)
    assert encoding == "cp1251" and "Новости" in text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty_file"),
        (b"  \n\t\n", "empty_file"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00binary zip header", "binary_content"),
        (bytes(range(1, 32)) * 20, "binary_content"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xfd broken", "invalid_encoding"),
    ],
)
def test_bad_bytes_are_rejected_with_a_reason(data, reason):
    with pytest.raises(RejectError) as info:
        decode_bytes(data)
    assert info.value.reason == reason
