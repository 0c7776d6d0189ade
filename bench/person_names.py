"""Which names the corpus-wide rules take out of PERSON, and the PERSON names left at the top.

Reads an ingested warehouse, recomputes the redirects as the entity step does (mentions as
written), and prints every name moved with reason ``not_a_person`` (its usage margin from
transforms.name_usage, the label it takes, its articles), then the top PERSON entities of the
stored entities table, and the seconds the redirects took (median of --runs).

    .venv/bin/wirehouse ingest ../shared/corpora/bbc -w /tmp/bbc
    .venv/bin/python bench/person_names.py /tmp/bbc --top 50
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.reference_data import load_aliases, load_gazetteer  # noqa: E402
from flows.steps.entities import redirect_rows  # noqa: E402
from warehouse.catalog import connect_memory  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse")
    parser.add_argument("--top", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    aliases, gazetteer = load_aliases(), load_gazetteer()
    seconds = []
    for _ in range(args.runs):
        con = connect_memory(args.warehouse, empty=["entity_redirects"])
        start = time.perf_counter()
        rows = redirect_rows(con, aliases, gazetteer)
        seconds.append(time.perf_counter() - start)
    moved = {r["entity_id"]: r for r in rows if r["reason"] == "not_a_person"}
    articles = dict(
        con.execute(
            "select entity_id, count(distinct article_id) from mention_contexts group by 1"
        ).fetchall()
    )
    names = dict(con.execute("select entity_id, any_value(name) from mention_contexts group by 1").fetchall())
    print(f"names moved out of PERSON (not_a_person): {len(moved)}")
    for entity_id, r in sorted(moved.items(), key=lambda kv: (-articles[kv[0]], names[kv[0]])):
        target = f"{r['canonical_label']} {r['canonical_name']}"
        print(f"  {articles[entity_id]:4d}  {names[entity_id]} -> {target}")
    con.close()
    con = connect_memory(args.warehouse)
    top = con.execute(
        "select name, article_count from entities where label = 'PERSON' "
        "order by article_count desc, name limit $n",
        {"n": args.top},
    ).fetchall()
    print(f"\ntop {args.top} PERSON entities (stored), by articles:")
    print("  " + "; ".join(f"{i}. {name} {n}" for i, (name, n) in enumerate(top, 1)))
    print(f"\nredirects: {len(rows)} in {statistics.median(seconds):.2f} s (median of {args.runs})")


if __name__ == "__main__":
    main()
