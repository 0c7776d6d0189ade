from tests.conftest import REPO
from warehouse.catalog import connect_memory
from warehouse.dictionary import EXAMPLES, render_dictionary
from warehouse.schemas import TABLES
from warehouse.store import Warehouse


def test_committed_dictionary_matches_the_schemas():
    committed = (REPO / "warehouse" / "README.md").read_text(encoding="utf-8")
    assert committed == render_dictionary(), (
        "warehouse/README.md is stale: run `.venv/bin/python -m warehouse.dictionary > warehouse/README.md`"
    )


def test_every_column_is_described():
    missing = [
        f"{t.name}.{f.name}"
        for t in TABLES.values()
        for f in t.fields
        if not (f.metadata or {}).get(b"description")
    ]
    assert missing == []


def test_example_queries_run_against_the_views(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    wh.init()
    con = connect_memory(wh.root)
    try:
        for _, sql in EXAMPLES:
            con.execute(sql).fetchall()
    finally:
        con.close()
