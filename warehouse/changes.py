"""What a run changes in each table, as SQL: used by the commit, and by the run's own reads.

One definition serves both. During a run, steps read "the warehouse as the commit will leave
it" (committed rows the run does not supersede, plus its staged rows, redirects and story ids
applied); the commit deletes exactly those superseded rows, inserts the staged ones and stores
the applied columns. The relations the SQL names:

    lake.<table>       committed rows (DuckLake)
    staged_<table>     the run's staged rows (empty when it staged none)
    _changes           files whose committed articles (articles=true) or rejects (rejects=true)
                       the run replaces: re-read with new content, emptied, deleted...
    _run_roots         the run's source folders (discover rejects under them are re-listed)
    gone_articles      committed articles the run re-processes or removes
    removed_articles   the ones among them it does not write again
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pyarrow as pa

from warehouse.lake import LAKE
from warehouse.schemas import TABLES, TableSpec, WriteMode

CHANGES = pa.schema([("path", pa.string()), ("articles", pa.bool_()), ("rejects", pa.bool_())])

GONE_ARTICLES_SQL = f"""
select article_id from {LAKE}.articles
where article_id in (select article_id from staged_articles)
   or source_path in (select path from _changes where articles)
"""
REMOVED_ARTICLES_SQL = (
    "select article_id from gone_articles where article_id not in (select article_id from staged_articles)"
)


def _quote(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def _glob_escape(path: str) -> str:
    return "".join(f"[{c}]" if c in "[*?" else c for c in path)


def bind_staged(
    con: duckdb.DuckDBPyConnection, staged: dict[str, Sequence[str]], roots: Sequence[str]
) -> None:
    """Temp views ``staged_<table>`` and ``_changes`` over a run's staged files, and ``_run_roots``."""
    for name, spec in [*TABLES.items(), ("_changes", None)]:
        schema = spec.schema if spec else CHANGES
        files = staged.get(name, [])
        if files:
            listing = "[" + ", ".join(_quote(_glob_escape(f)) for f in files) + "]"
            con.execute(
                f"create or replace temp view {_staged(name)} as "
                f"select * from read_parquet({listing}, union_by_name = true)"
            )
        else:
            native_table(con, _staged(name), schema.empty_table())
    native_table(
        con, "_run_roots", pa.table({"root": pa.array([r.rstrip("/") + "/" for r in roots], pa.string())})
    )


def native_table(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """A temp DuckDB table holding ``table``: a registered Arrow table cannot take every filter
    DuckDB pushes down (bloom filters from joins fail on it in DuckDB 1.5)."""
    con.register("_arrow_in", table)
    try:
        con.execute(f"create or replace temp table {name} as select * from _arrow_in")
    finally:
        con.unregister("_arrow_in")


def _staged(name: str) -> str:
    return "_changes" if name == "_changes" else f"staged_{name}"


def drop_condition(spec: TableSpec) -> str | None:
    """Which committed rows of an append table the run supersedes (columns unqualified)."""
    parts = [f"{k} in (select {k} from staged_{spec.name})" for k in spec.replace_key]
    if spec.name == "articles" or spec.follows_article:
        parts.append("article_id in (select article_id from gone_articles)")
    if spec.leaves_with_article:
        parts.append("article_id in (select article_id from removed_articles)")
    if spec.cleared_by_reread:
        parts.append("path in (select path from _changes where rejects)")
        parts.append(
            "(stage = 'discover' and exists (select 1 from _run_roots r where starts_with(path, r.root)))"
        )
    if len({k for k in spec.replace_key}) > 1:
        raise ValueError(f"{spec.name}: replace_key must be one column")
    return " or ".join(parts) or None


def _columns(spec: TableSpec, alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f'{prefix}"{f.name}"' for f in spec.fields)


def rows_sql(spec: TableSpec, staged: bool) -> str:
    """The table's rows after the run, before redirects and story ids are applied."""
    committed = f"select {_columns(spec)} from {LAKE}.{spec.name}"
    if spec.mode is WriteMode.SNAPSHOT:
        return f"select {_columns(spec)} from staged_{spec.name}" if staged else committed
    condition = drop_condition(spec)
    if condition:
        committed += f" where not coalesce({condition}, false)"
    return f"{committed} union all by name select {_columns(spec)} from staged_{spec.name}"


def resolved_expressions(spec: TableSpec, t: str, r: str, m: str) -> dict[str, str]:
    """Column -> expression for the columns kept up to date from the snapshot tables: ``t`` the
    table's alias, ``r`` entity_redirects', ``m`` the overlay table's."""
    exprs = {}
    if spec.redirect:
        rd = spec.redirect
        sources = {rd.id_column: "canonical_entity_id", rd.name_column: "canonical_name"}
        if rd.label_column:
            sources[rd.label_column] = "canonical_label"
        for column, canonical in sources.items():
            exprs[column] = f"coalesce({r}.{canonical}, {t}.{rd.local(column)})"
    if spec.overlay:
        exprs[spec.overlay.column] = f"{m}.{spec.overlay.column}"
    return exprs


def _joins(spec: TableSpec, t: str, redirects: str, members: str) -> str:
    joins = ""
    if spec.redirect:
        joins += (
            f" left join {redirects} r on r.entity_id = {t}.{spec.redirect.local(spec.redirect.id_column)}"
        )
    if spec.overlay:
        joins += f" left join {members} m on m.{spec.overlay.key} = {t}.{spec.overlay.key}"
    return joins


def view_sql(spec: TableSpec, staged: bool) -> str:
    """The in-run view of a table: rows after the run, redirects and story ids applied."""
    sql = rows_sql(spec, staged)
    exprs = resolved_expressions(spec, "t", "r", "m")
    if not exprs:
        return sql
    replaced = ", ".join(f"{e} as {c}" for c, e in exprs.items())
    overlay = spec.overlay.table if spec.overlay else ""
    return f"select t.* replace ({replaced}) from ({sql}) t{_joins(spec, 't', 'entity_redirects', overlay)}"


def _insert_sql(spec: TableSpec) -> str:
    select = f"select {_columns(spec)} from staged_{spec.name}"
    if spec.name == "runs":  # the commit order: runs are never ordered by a clock
        select = (
            f"select * replace ((select coalesce(max(run_seq), 0) + 1 from {LAKE}.runs) as run_seq) "
            f"from ({select})"
        )
    return f"insert into {LAKE}.{spec.name} by name {select}"


def commit_statements(staged: dict[str, Sequence[str]]) -> list[tuple[str, str]]:
    """(label, SQL) to run inside the commit transaction, in order. A label names the count a
    statement returns ("mentions -" deleted, "+" inserted, "~" updated); "" for none."""
    statements = [
        ("", f"create or replace temp table gone_articles as {GONE_ARTICLES_SQL}"),
        ("", f"create or replace temp table removed_articles as {REMOVED_ARTICLES_SQL}"),
    ]
    if not any(files for name, files in staged.items() if name != "runs"):
        # nothing but the runs row (an unchanged folder): no scan of any other table
        return [("runs +", _insert_sql(TABLES["runs"]))]
    for spec in TABLES.values():
        name = spec.name
        if spec.mode is WriteMode.SNAPSHOT:
            if staged.get(name):
                statements.append((f"{name} -", f"delete from {LAKE}.{name}"))
            else:
                continue
        elif condition := drop_condition(spec):
            statements.append((f"{name} -", f"delete from {LAKE}.{name} where coalesce({condition}, false)"))
        statements.append((f"{name} +", _insert_sql(spec)))
    for spec in TABLES.values():
        exprs = resolved_expressions(spec, "t", "r", "m")
        # only when a table it reads or itself changed: an UPDATE scans the whole table
        sources = [spec.name] + (["entity_redirects"] if spec.redirect else [])
        sources += [spec.overlay.table] if spec.overlay else []
        if not exprs or not any(staged.get(name) for name in sources):
            continue
        key = spec.key
        changed = " or ".join(f"t.{c} is distinct from {e}" for c, e in exprs.items())
        overlay = f"{LAKE}.{spec.overlay.table}" if spec.overlay else ""
        joins = _joins(spec, "t", f"{LAKE}.entity_redirects", overlay)
        keys = ", ".join("t." + k for k in key)
        values = ", ".join(f"{e} as {c}" for c, e in exprs.items())
        inner = f"select {keys}, {values} from {LAKE}.{spec.name} t{joins} where {changed}"
        sets = ", ".join(f"{c} = v.{c}" for c in exprs)
        match = " and ".join(f"{spec.name}.{k} = v.{k}" for k in key)
        statements.append(
            (f"{spec.name} ~", f"update {LAKE}.{spec.name} set {sets} from ({inner}) v where {match}")
        )
    return statements
