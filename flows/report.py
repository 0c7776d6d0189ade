"""`wirehouse report`: one self-contained HTML page of charts about the warehouse.

Queries run read-only against the warehouse tables; charts are inline SVG, so the page opens offline in
any browser and can be mailed as one file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path

from flows.svg import cut as _cut
from flows.svg import hbar, lines, stacked_columns
from warehouse.catalog import open_readonly

# Debian chromium, headless and offline: without the background-networking flags it tries to
# reach Google's hosts at every start.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
     max-width:780px;color:#222}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:2.2rem}
.meta{color:#666} .chart text.lbl{font-size:12px;fill:#333} .chart text.val{font-size:11px;fill:#555}
.chart .axis{stroke:#999} .empty{color:#888;font-style:italic}
.kpis{display:flex;gap:1rem;flex-wrap:wrap} .kpi{background:#f3f5f8;padding:.6rem 1rem;border-radius:6px}
.kpi b{display:block;font-size:1.3rem}
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


def _source_of(path: str, site: str | None) -> str:
    if site:
        return site
    parts = Path(path).parts
    return parts[-2] if len(parts) > 1 else "(root)"


def build_report(warehouse: Path) -> str:
    con = open_readonly(warehouse)
    try:
        q = lambda sql, *p: con.execute(sql, list(p)).fetchall()  # noqa: E731
        (articles, canonical, sources, rejects, runs) = q("""
            select (select count(*) from articles),
                   (select count(*) from articles where dedup_kind = 'canonical'),
                   (select count(*) from sources), (select count(*) from rejects),
                   (select count(*) from runs)""")[0]
        per_day = q("""select strftime(published_at, '%Y-%m-%d') as day, source_path, site_name, count(*)
                       from articles where published_at is not null group by all order by day""")
        undated = q("select count(*) from articles where published_at is null")[0][0]
        kinds = q("select dedup_kind, count(*) from articles group by 1 order by 2 desc")
        stories = q("""select headline, canonical_count, article_count - canonical_count from stories
                       order by article_count desc, canonical_count desc, headline limit 10""")
        reasons = q("select reason, count(*) from rejects group by 1 order by 2 desc, 1")
        top = q(
            "select entity_id, name, label, article_count from entities order by article_count desc, "
            "mention_count desc, name limit 12"
        )
        # dated articles only: an undated article has no month (not the month it was ingested)
        months = q("""select strftime(a.published_at, '%Y-%m') as month,
                             e.name, count(distinct m.article_id)
                      from mentions m join articles a using (article_id) join entities e using (entity_id)
                      where a.published_at is not null
                        and e.entity_id in (select entity_id from entities order by article_count desc,
                                            mention_count desc, name limit 5)
                      group by all order by month""")
        last_run = q("select run_id from runs order by run_seq desc limit 1")
        last_run = last_run[0][0] if last_run else None
        missing = q("select path, note from sources where status = 'missing' order by path")
        by_language = languages(con)
    finally:
        con.close()

    days = sorted({d for d, *_ in per_day})
    by_source: dict[str, list[float]] = {}
    for day, path, site, n in per_day:
        by_source.setdefault(_source_of(path, site), [0.0] * len(days))[days.index(day)] += n
    if len(by_source) > 7:  # keep the legend readable: the 7 biggest sources, the rest as "other"
        ranked = sorted(by_source, key=lambda s: -sum(by_source[s]))
        other = [sum(v) for v in zip(*(by_source[s] for s in ranked[7:]), strict=True)]
        by_source = {s: by_source[s] for s in ranked[:7]} | {"other": other}
    month_axis = sorted({m for m, *_ in months})
    entity_lines: dict[str, list[float]] = {}
    for month, name, n in months:
        entity_lines.setdefault(name, [0.0] * len(month_axis))[month_axis.index(month)] = n
    duplicate_rate = 100.0 * (articles - canonical) / articles if articles else 0.0

    sections = [
        (
            "Articles per day, by source",
            stacked_columns(days, by_source, title="Articles per day by source")
            + (
                f'<p class="meta">{undated:,} articles have no publication date and are not shown.</p>'
                if undated
                else ""
            ),
        ),
        (
            "Top entities over time (articles mentioning them per month)",
            lines(month_axis, entity_lines, title="Top entities over time")
            if len(month_axis) > 1
            else '<p class="meta">All dated articles fall in one month: see the totals below.</p>',
        ),
        (
            "Most-mentioned entities",
            hbar([(f"{n} ({lbl})", c) for _, n, lbl, c in top], title="Top entities"),
        ),
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
                f"<li>{escape(_cut(h or '(untitled)', 120))} — {c} articles, {d} copies</li>"
                for h, c, d in stories
            )
            + "</ol>",
        ),
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
