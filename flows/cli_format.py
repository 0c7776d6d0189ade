"""Rows as text in the format asked for, fitted to where they go.

On a terminal a result is a table; when the table is wider than the terminal it is shown as one
record per block (name: value, long values wrapped), like psql's expanded display, so no value is
ever cut. Piped, the default is machine-readable (CSV for rows, JSON for status), so
``wirehouse sql ... | head`` never draws a grid of empty cells.

Every value is data written by strangers: a '[/bold]' is printed as typed, an escape sequence or a
bidi override is shown escaped (table and CSV) or \\u-escaped (JSON, where that is lossless), bytes
as hex. Parquet carries values exactly.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.table import Column, Table
from rich.text import Text


class OutputFormat(StrEnum):
    auto = "auto"
    table = "table"
    csv = "csv"
    json = "json"


class ResultFormat(StrEnum):
    """`wirehouse sql` also writes Parquet: a result with its types, for pandas, polars or DuckDB."""

    auto = "auto"
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


class StatusFormat(StrEnum):
    auto = "auto"
    table = "table"
    json = "json"


FORMAT_HELP = "auto: a table on a terminal, {piped} when piped or redirected."

# C0/C1 controls (escape sequences that retitle or clear a terminal) and bidi overrides that
# reorder what a reader sees; tabs and newlines stay.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(value: str) -> str:
    """Data as a terminal should show it: control and bidi characters escaped, e.g. '\\x1b'."""
    return _UNPRINTABLE.sub(lambda m: ascii(m.group(0))[1:-1], value)


def plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return value.hex()  # a MinHash signature, not a Python bytes literal
    if isinstance(value, Decimal):
        return float(value)
    return value


def cell(value: object) -> Text:
    """A table cell: plain text (a '[/quote]' in an article is data, not markup), printable."""
    return Text("" if value is None else printable(str(plain(value))))


def chosen(format: StrEnum, piped: str, stream: IO[Any] | None = None) -> str:
    """The format to write: ``auto`` is a table on a terminal, ``piped`` anywhere else."""
    if format.value != "auto":
        return format.value
    stream = stream or sys.stdout
    return "table" if stream.isatty() else piped


def _numeric(values: list[object]) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(
        isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in present
    )


def _natural_width(columns: list[str], rows: list[tuple] | list[list]) -> int:
    """The width the table needs to show every value on one line."""
    widths = [Text(c).cell_len for c in columns]
    for row in rows:
        for i, value in enumerate(row):
            lines = cell(value).plain.split("\n")
            widths[i] = max(widths[i], max(Text(line).cell_len for line in lines))
    return sum(widths) + 3 * len(widths) + 1


def print_rows(
    columns: list[str], rows: list, *, title: str | None = None, console: Console | None = None
) -> None:
    """A table when it fits the console; else one block per record, values wrapped, never cut."""
    out = console or Console()
    numeric = [_numeric([row[i] for row in rows]) for i in range(len(columns))]
    if _natural_width(columns, rows) <= out.width:
        table = Table(
            *(
                Column(header=cell(c), overflow="fold", justify="right" if numeric[i] else "left")
                for i, c in enumerate(columns)
            ),
            title=printable(title) if title else None,
        )
        for row in rows:
            table.add_row(*(cell(v) for v in row))
        out.print(table)
        return
    if title:
        out.print(Text(printable(title), style="italic"))
    label_width = min(max((Text(c).cell_len for c in columns), default=1), max(out.width // 3, 8))
    for n, row in enumerate(rows, 1):
        out.print(Text(f"-[ record {n} ]".ljust(min(out.width, 40), "-"), style="dim"))
        grid = Table.grid(
            Column(width=label_width, overflow="fold", style="bold"),
            Column(overflow="fold"),
            padding=(0, 1),
        )
        for name, value in zip(columns, row, strict=True):
            grid.add_row(cell(name), cell(value))
        out.print(grid)
    if not rows:
        out.print(Text("(no rows)", style="dim"))


def json_text(value: Any) -> str:
    """JSON with C1 controls and bidi overrides \\u-escaped: lossless, and safe on a terminal
    (JSON already escapes C0 controls)."""
    text = json.dumps(value, ensure_ascii=False, indent=1, default=str)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def emit(columns: list[str], rows: list, format: str, stream: IO[str] | None = None) -> None:
    """CSV (a header row, then one row per result row) or JSON (a list of objects)."""
    stream = stream or sys.stdout
    if format == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow([printable(c) for c in columns])
        for row in rows:
            writer.writerow([_csv_value(v) for v in row])
    else:
        records = [{c: plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        stream.write(json_text(records) + "\n")


def _csv_value(value: object) -> object:
    value = plain(value)
    return printable(value) if isinstance(value, str) else value


def show(columns: list[str], rows: list, format: str, *, title: str | None = None) -> None:
    """Rows on stdout in a resolved format (table, csv or json)."""
    if format == "table":
        print_rows(columns, rows, title=title)
    else:
        emit(columns, rows, format)


def format_for_file(format: StrEnum, out: Path) -> str | None:
    """The format of ``--out FILE``: as given, or by the file's suffix under ``auto``."""
    if format.value != "auto":
        return format.value
    return {".parquet": "parquet", ".csv": "csv", ".json": "json"}.get(out.suffix.lower())
