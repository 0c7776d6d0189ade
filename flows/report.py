"""`wirehouse report`: one self-contained HTML page of charts about the warehouse.

Queries run read-only against the warehouse tables; charts are inline SVG, so the page opens offline in
any browser and can be mailed as one file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path

from flows.steps.stories import OUTLET_SQL
from flows.svg import cut as _cut
from flows.svg import hbar, lines, stacked_columns, timeline
from flows.time_axis import Axis, after, axis_for
from warehouse.catalog import open_readonly

CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
     max-width:780px;color:#222}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:2.2rem}
.meta{color:#666} .chart text.lbl{font-size:12px;fill:#333} .chart text.val{font-size:11px;fill:#555}
.chart .axis{stroke:#999} .empty{color:#888;font-style:italic}
.kpis{display:flex;gap:1rem;flex-wrap:wrap} .kpi{background:#f3f5f8;padding:.6rem 1rem;border-radius:6px}
.kpi b{display:block;font-size:1.3rem}
h3{font-size:1rem;margin:1.4rem 0 .3rem} table{border-collapse:collapse;margin:.6rem 0}
td,th{padding:.15rem .6rem;text-align:left;border-bottom:1px solid #e3e6ea}
"""


# Articles per language and how many a model read (the language gate, transforms/language_gate.py).
LANGUAGES_SQL = """
select coalesce(language, 'unknown') as language,
       count(*) filter (where dedup_kind = 'canonical') as canonical,
       count(nlp_model) as analysed,
       coalesce(string_agg(distinct nlp_skipped, '; ') filter (
           where dedup_kind = 'canonical' and nlp_skipped is not null), '') as not_analysed
from articles group by 1 order by canonical desc, 1
"""


def languages(con) -> list[tuple]:
    """LANGUAGES_SQL's rows; none for a warehouse written before the language gate."""
    columns = {row[0] for row in con.execute("describe articles").fetchall()}
    return con.execute(LANGUAGES_SQL).fetchall() if "nlp_model" in columns else []


def _binned(con, sql: str, params: list) -> tuple[Axis | None, list[tuple]]:
    """The rows of ``sql`` (whose first column is a timestamp ``ts``) with ``ts`` truncated, in
    DuckDB, to the unit of the axis that spans them."""
    lo, hi = con.execute(f"select min(ts), max(ts) from ({sql})", params).fetchone()
    if lo is None:
        return None, []
    axis = axis_for([lo, hi])
    rows = con.execute(
        f"select date_trunc('{axis.unit}', ts at time zone 'UTC') as bin, * exclude (ts) from ({sql})",
        params,
    ).fetchall()
    return axis, rows


def _undated_note(n: int, what: str = "article", since: str = "") -> str:
    """The count of undated items a time chart leaves out, named beside it."""
    if not n:
        return f'<p class="meta">Every {what}{since} is dated.</p>'
    plural = what if n == 1 else what + "s"
    return f'<p class="meta">Not shown: {n:,} {plural}{since} with no publication date.</p>'


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _day(at) -> str:
    return at.strftime("%Y-%m-%d") if at is not None else "undated"


def volume_section(con) -> tuple[str, str]:
    """Articles per time bin on a real time axis, stacked by outlet (the 7 biggest, then "other")."""
    axis, rows = _binned(
        con,
        f"select a.published_at as ts, coalesce({OUTLET_SQL}, '(no outlet)') as outlet "
        "from articles a where a.published_at is not null",
        [],
    )
    undated = con.execute("select count(*) from articles where published_at is null").fetchone()[0]
    if axis is None:
        return "Articles over time, by outlet", _undated_note(undated)
    by_outlet: dict[str, list[float]] = {}
    for at, outlet in rows:
        by_outlet.setdefault(outlet, [0.0] * len(axis.starts))[axis.index(at)] += 1
    if len(by_outlet) > 7:  # keep the legend readable
        ranked = sorted(by_outlet, key=lambda name: (-sum(by_outlet[name]), name))
        other = [sum(v) for v in zip(*(by_outlet[name] for name in ranked[7:]), strict=True)]
        by_outlet = {name: by_outlet[name] for name in ranked[:7]} | {"other": other}
    chart = stacked_columns(axis.labels(), by_outlet, title="Articles over time", ticks=axis.ticks())
    return f"Articles per {axis.unit}, by outlet", chart + _undated_note(undated)


def entity_trend_section(con, top: list[tuple]) -> tuple[str, str]:
    """Articles mentioning each of the five top entities per time bin, dated articles only."""
    ids = [entity_id for entity_id, *_ in top[:5]]
    mentioning = """select distinct a.published_at as ts, e.name, a.article_id
                    from mentions m join articles a using (article_id) join entities e using (entity_id)
                    where list_contains(?, e.entity_id)"""
    axis, rows = _binned(con, mentioning + " and a.published_at is not null", [ids])
    undated = con.execute(
        f"select count(distinct article_id) from ({mentioning}) where ts is null", [ids]
    ).fetchone()[0]
    heading = "Top entities over time (articles mentioning them)"
    if axis is None or len(axis.starts) < 2:
        what = (
            "None of the articles that mention them is dated"
            if axis is None
            else f"All dated articles that mention them fall in one {axis.unit}"
        )
        return heading, (
            f'<p class="meta">{what}: see the totals below.</p>'
            + _undated_note(undated, "article", " mentioning them")
        )
    counts: dict[str, list[float]] = {name: [0.0] * len(axis.starts) for _, name, *_ in top[:5]}
    for at, name, _ in rows:
        counts[name][axis.index(at)] += 1
    chart = lines(axis.labels(), counts, title="Top entities over time", ticks=axis.ticks())
    return f"{heading}, per {axis.unit}", chart + _undated_note(undated, "article", " mentioning them")


def top_entities_section(top: list[tuple]) -> tuple[str, str]:
    """The most-mentioned entities, with first and last seen by publication time."""
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{escape(label)}</td><td>{articles:,}</td>"
        f"<td>{_day(first)}</td><td>{_day(last)}</td></tr>"
        for _, name, label, articles, first, last in top
    )
    return "Most-mentioned entities", (
        hbar([(f"{n} ({lbl})", c) for _, n, lbl, c, *_ in top], title="Top entities")
        + "<table><tr><th>entity</th><th>label</th><th>articles</th><th>first seen</th>"
        f"<th>last seen</th></tr>{rows}</table>"
        '<p class="meta">First and last seen: publication dates of the articles mentioning it '
        "(entities.first_seen, last_seen; when they were processed: first_processed, "
        "last_processed).</p>"
    )


def story_timelines(con, limit: int = 5) -> str:
    """For each of the largest stories with two or more articles: its outlets over time, a dot
    per article (hollow for a copy), undated members counted beside."""
    stories = con.execute(
        """select story_id, headline, article_count from stories where article_count > 1
           order by canonical_count desc, article_count desc, headline limit ?""",
        [limit],
    ).fetchall()
    parts = []
    for story_id, headline, count in stories:
        members = con.execute(
            f"""select a.published_at, coalesce({OUTLET_SQL}, '(no outlet)'), a.dedup_kind,
                       coalesce(a.title, left(a.lede, 80))
                from articles a where a.story_id = ? order by a.published_at, a.article_id""",
            [story_id],
        ).fetchall()
        dated = [m for m in members if m[0] is not None]
        title = f"<h3>{escape(_cut(headline or '(untitled)', 100))} ({_plural(count, 'article')})</h3>"
        if not dated:
            parts.append(title + _undated_note(len(members)))
            continue
        axis = axis_for([m[0] for m in dated])
        lo, hi = axis.starts[0], after(axis.starts[-1], axis.unit)
        span = (hi - lo).total_seconds()

        def place(at, lo=lo, span=span) -> float:
            return (at.astimezone(UTC).replace(tzinfo=None) - lo.replace(tzinfo=None)).total_seconds() / span

        lanes: dict[str, list[tuple[float, str, bool]]] = {}
        for at, outlet, kind, what in dated:
            tip = f"{outlet}, {at:%Y-%m-%d %H:%M}: {what or ''}{' (copy)' if kind != 'canonical' else ''}"
            lanes.setdefault(outlet, []).append((place(at), tip, kind == "canonical"))
        ticks = [(place(axis.starts[i]), axis.labels()[i]) for i in axis.ticks(5)]
        parts.append(
            title
            + timeline(lanes, ticks, title=f"Outlets over time: {headline or ''}")
            + (_undated_note(len(members) - len(dated)) if len(members) > len(dated) else "")
        )
    if not parts:
        return '<p class="meta">No story has more than one article yet.</p>'
    return (
        '<p class="meta">A dot per article at its publication time, a row per outlet; hollow: a '
        "duplicate copy.</p>" + "".join(parts)
    )


def build_report(warehouse: Path) -> str:
    con = open_readonly(warehouse)
    try:
        q = lambda sql, *p: con.execute(sql, list(p)).fetchall()  # noqa: E731
        (articles, canonical, sources, rejects, runs) = q("""
            select (select count(*) from articles),
                   (select count(*) from articles where dedup_kind = 'canonical'),
                   (select count(*) from sources), (select count(*) from rejects),
                   (select count(*) from runs)""")[0]
        kinds = q("select dedup_kind, count(*) from articles group by 1 order by 2 desc")
        stories = q("""select headline, canonical_count, article_count - canonical_count from stories
                       order by article_count desc, canonical_count desc, headline limit 10""")
        reasons = q("select reason, count(*) from rejects group by 1 order by 2 desc, 1")
        top = q(
            "select entity_id, name, label, article_count, first_seen, last_seen from entities "
            "order by article_count desc, mention_count desc, name limit 12"
        )
        last_run = q("select run_id from runs order by run_seq desc limit 1")
        last_run = last_run[0][0] if last_run else None
        missing = q("select path, note from sources where status = 'missing' order by path")
        by_language = languages(con)
        volume = volume_section(con)
        trend = entity_trend_section(con, top)
        timelines = story_timelines(con)
    finally:
        con.close()

    duplicate_rate = 100.0 * (articles - canonical) / articles if articles else 0.0
    sections = [
        volume,
        trend,
        top_entities_section(top),
        (
            "Largest stories: distinct articles and copies",
            stacked_columns(
                [f"#{i + 1}" for i in range(len(stories))],
                {
                    "distinct articles": [float(c) for _, c, _ in stories],
                    "duplicate copies": [float(d) for _, _, d in stories],
                },
                title="Largest stories",
            )
            + "<ol>"
            + "".join(
                f"<li>{escape(_cut(h or '(untitled)', 120))} — {_plural(c, 'article')}, "
                f"{_plural(d, 'copy').replace('copys', 'copies')}</li>"
                for h, c, d in stories
            )
            + "</ol>",
        ),
        ("Largest stories: their outlets over time", timelines),
        (
            f"Duplicates: {duplicate_rate:.1f} % of articles",
            hbar([(k, n) for k, n in kinds], title="Dedup kinds"),
        ),
        ("Rejects by reason", hbar([(r, n) for r, n in reasons], title="Rejects by reason")),
        (
            f"Source files missing: {len(missing):,}",
            "<p class='meta'>Files gone from their source folder since a run read them.</p><ul>"
            + "".join(f"<li>{escape(p)} — {escape(n or '')}</li>" for p, n in missing[:50])
            + "</ul>"
            if missing
            else "<p class='meta'>None: every file the warehouse read is still there.</p>",
        ),
        (
            "Languages: articles a model read",
            "<table><tr><th>language</th><th>articles</th><th>analysed</th><th>why not</th></tr>"
            + "".join(
                f"<tr><td>{escape(lang)}</td><td>{n:,}</td><td>{a:,}</td><td>{escape(why)}</td></tr>"
                for lang, n, a, why in by_language
            )
            + "</table>",
        ),
    ]
    kpis = [
        ("articles", articles),
        ("canonical", canonical),
        ("source files", sources),
        ("rejects", rejects),
        ("missing files", len(missing)),
        ("runs", runs),
    ]
    body = "".join(f"<h2>{escape(t)}</h2>{chart}" for t, chart in sections)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>wirehouse report: {escape(str(warehouse))}</title><style>{CSS}</style></head><body>"
        f"<h1>wirehouse report</h1><p class='meta'>{escape(str(warehouse.resolve()))} · last run "
        f"{escape(str(last_run))} · generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC</p>"
        "<div class='kpis'>"
        + "".join(f"<div class='kpi'><b>{v:,}</b>{escape(k)}</div>" for k, v in kpis)
        + f"</div>{body}</body></html>\n"
    )


def write_report(warehouse: Path, out: Path) -> Path:
    out.write_text(build_report(warehouse), encoding="utf-8")
    return out
