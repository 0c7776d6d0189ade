"""How rows reach a reader: a table that fits, records when it would not, data never cut or
interpreted, machine-readable formats lossless."""

from __future__ import annotations

import io
import json

from rich.console import Console

from flows.cli_format import OutputFormat, chosen, emit, print_rows

TITLE = "Portmere council approves budget that keeps every library open"
RUN_ID = "20261130T224225326747Z-f99b28"


def rendered(columns, rows, width: int) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    print_rows(columns, rows, console=console)
    return console.export_text()


def test_a_table_that_fits_is_a_table_with_numbers_right_aligned():
    text = rendered(["title", "words"], [("City opens two new cycle lanes", 38), ("Grain", 145)], 80)
    lines = text.splitlines()
    assert lines[1] == "┃ title                          ┃ words ┃"
    assert lines[3] == "│ City opens two new cycle lanes │    38 │"
    assert lines[4] == "│ Grain                          │   145 │"


def test_a_table_wider_than_the_terminal_becomes_records_and_no_value_is_cut():
    columns = ["run_id", "status", "files_seen", "articles", "title"]
    rows = [(RUN_ID, "completed", 17, 13, TITLE)]
    text = rendered(columns, rows, 60)
    assert "…" not in text
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 60
    assert "-[ record 1 ]" in text
    assert f"run_id     {RUN_ID}" in text and "status     completed" in text
    # the long title wraps onto the next line instead of being cut
    words = " ".join(
        " ".join(line.split()[1:] if line.startswith("title") else line.split())
        for line in text.splitlines()[-2:]
    )
    assert words == TITLE


def test_markup_and_terminal_escapes_in_data_are_printed_as_text():
    text = rendered(["t"], [("[/quote] [link=https://evil.example]x[/link] \x1b]0;pwned\x07 \u202e",)], 80)
    assert "[/quote] [link=https://evil.example]x[/link] \\x1b]0;pwned\\x07 \\u202e" in text


def test_csv_escapes_controls_and_json_stays_lossless_and_terminal_safe():
    value = "a\x1bb\u202ec"
    out = io.StringIO()
    emit(["v", "sig"], [(value, b"\x01\xff")], "csv", out)
    assert out.getvalue() == "v,sig\na\\x1bb\\u202ec,01ff\n"
    out = io.StringIO()
    emit(["v"], [(value,)], "json", out)
    assert "\x1b" not in out.getvalue() and "\u202e" not in out.getvalue()
    assert json.loads(out.getvalue()) == [{"v": value}]


def test_auto_is_a_table_on_a_terminal_and_the_piped_default_elsewhere():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert chosen(OutputFormat.auto, "csv", Terminal()) == "table"
    assert chosen(OutputFormat.auto, "csv", io.StringIO()) == "csv"
    assert chosen(OutputFormat.json, "csv", Terminal()) == "json"
