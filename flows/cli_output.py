"""How the CLI prints data: as text, never as terminal markup or control sequences.

Article text, titles and SQL results are data written by strangers: a '[/bold]' is printed as
typed, an escape sequence or a bidi override is shown escaped, bytes as hex.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from rich.text import Text


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


# C0/C1 controls (escape sequences that retitle or clear a terminal) and bidi overrides that
# reorder what a reader sees; tabs and newlines stay.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(value: str) -> str:
    """Data as a terminal should show it: control and bidi characters escaped, e.g. '\\x1b'."""
    return _UNPRINTABLE.sub(lambda m: ascii(m.group(0))[1:-1], value)


def cell(value: object) -> Text:
    """A table cell: plain text (a '[/quote]' in an article is data, not markup), printable."""
    return Text("" if value is None else printable(str(plain(value))))


def plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return value.hex()  # a MinHash signature, not a Python bytes literal
    if isinstance(value, Decimal):
        return float(value)
    return value


def emit(columns: list[str], rows: list, format: OutputFormat) -> None:
    """CSV (a header row, then one row per result row) or JSON (a list of objects) on stdout."""
    if format is OutputFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[plain(v) for v in row] for row in rows])
    else:
        records = [{c: plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        json.dump(records, sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
