"""Metadata quality: html_sample (title, author, date, main text) and Reuters-21578 dates.

1. ../shared/corpora/html_sample: each page goes through wirehouse's own loader and cleaner
   (load_file + clean_article, as in a run). Prints accuracy of title, author and date against
   expected.jsonl, and the share of pages where every required snippet is in the text and no
   forbidden one is ("with"/"without", trafilatura's own scoring rule), for wirehouse and, in
   the same run, for trafilatura.extract with its defaults.
2. Reuters-21578: each story is written as a plain-text file (headline, dateline, body: what a
   wire feed file holds), and the publication date is read from the text alone. Datelines give
   month and day but no year, so the run's reference date (--reference-date, as
   `wirehouse ingest --reference-date` takes it) supplies the year; the DATE field is the truth.

    .venv/bin/python bench/metadata.py
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import require, reuters_stories  # noqa: E402
from flows.nlp import detect_language  # noqa: E402
from flows.reference_data import load_tone_lexicon  # noqa: E402
from transforms.clean import clean_article  # noqa: E402
from transforms.load import load_file  # noqa: E402
from transforms.mentioned_dates import MONTHS  # noqa: E402
from transforms.records import RejectError  # noqa: E402

_SPACE = re.compile(r"\s+")
LIMIT = 512 * 1024 * 1024


def norm(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def snippets_ok(text: str, page: dict) -> tuple[bool, int, int, int, int]:
    body = norm(text)
    found = sum(norm(s) in body for s in page.get("with") or [])
    leaked = sum(norm(s) in body for s in page.get("without") or [])
    n_with, n_without = len(page.get("with") or []), len(page.get("without") or [])
    return found == n_with and leaked == 0, found, n_with, leaked, n_without


def author_ok(got: list[str], expected: str | list[str] | None) -> bool:
    if not expected:
        return not got
    names = expected if isinstance(expected, list) else re.split(r";|,| and ", expected)
    want = {norm(a).casefold() for a in names if a.strip()}
    have = {norm(a).casefold() for a in got}
    return bool(want) and want == have


def html_sample(lexicon) -> None:
    import trafilatura

    root = require("html_sample")
    pages = [json.loads(line) for line in (root / "expected.jsonl").read_text(encoding="utf-8").splitlines()]
    score = Counter()
    misses: dict[str, list[str]] = {"title": [], "author": [], "date": [], "text": []}
    for page in pages:
        path = root / page["file"]
        data = path.read_bytes()
        loaded = load_file(str(path), data, max_decompressed_bytes=LIMIT)
        article = None
        for raw in loaded.articles:
            try:
                article = clean_article(raw, "x", detect_language, tone_lexicon=lexicon)
            except RejectError:
                article = None
        # trafilatura on the same bytes, defaults, as its documentation shows it
        baseline = trafilatura.extract(data) or ""
        ok, *_ = snippets_ok(baseline, page)
        score["trafilatura_text"] += ok
        if article is None:
            for key in misses:
                misses[key].append(page["file"])
            continue
        full_text = "\n".join([article.text])
        ok, found, n_with, leaked, n_without = snippets_ok(full_text, page)
        score["text"] += ok
        score["with_found"] += found
        score["with_total"] += n_with
        score["without_leaked"] += leaked
        score["without_total"] += n_without
        if not ok:
            misses["text"].append(f"{page['file']} (with {found}/{n_with}, leaked {leaked}/{n_without})")
        if norm(article.title).casefold() == norm(page.get("title")).casefold():
            score["title"] += 1
        else:
            misses["title"].append(f"{page['file']}: {article.title!r} != {page.get('title')!r}")
        if author_ok(article.authors, page.get("author")):
            score["author"] += 1
        else:
            misses["author"].append(f"{page['file']}: {article.authors!r} != {page.get('author')!r}")
        got_date = article.published_at.date().isoformat() if article.published_at else None
        if got_date == page.get("date"):
            score["date"] += 1
        else:
            misses["date"].append(
                f"{page['file']}: {got_date} ({article.published_at_source}) != {page.get('date')}"
            )
    n = len(pages)
    print(f"html_sample: {n} pages")
    for key, target in (("title", 90), ("author", None), ("date", 90)):
        goal = f"   (target >= {target} %)" if target else ""
        print(f"  {key:8} {score[key]:3d}/{n}  {100 * score[key] / n:5.1f} %{goal}")
    print(
        f"  main text, pages passing (all 'with' found, no 'without'): wirehouse {score['text']}/{n} "
        f"({100 * score['text'] / n:.1f} %), trafilatura.extract defaults {score['trafilatura_text']}/{n} "
        f"({100 * score['trafilatura_text'] / n:.1f} %)"
    )
    print(
        f"  snippets: required found {score['with_found']}/{score['with_total']} "
        f"({100 * score['with_found'] / max(1, score['with_total']):.1f} %), forbidden absent "
        f"{score['without_total'] - score['without_leaked']}/{score['without_total']} "
        f"({100 * (1 - score['without_leaked'] / max(1, score['without_total'])):.1f} %)"
    )
    for key, items in misses.items():
        for item in items:
            print(f"    miss {key}: {item}")


_REUTERS_DATE = re.compile(r"(\d{1,2})-([A-Z]{3})-(\d{4})")
_MON = {m.upper(): i for m, i in MONTHS.items() if len(m) == 3}


def reuters(reference: date, lexicon, limit: int | None) -> None:
    stories = list(reuters_stories())[:limit]
    sources = Counter()
    correct = day_month = with_text = correct_with_text = 0
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for story in stories:
            m = _REUTERS_DATE.search(story["date"])
            truth = date(int(m.group(3)), _MON[m.group(2)], int(m.group(1)))
            text = "\n".join(x for x in (story["title"], f"{story['dateline']} {story['body']}".strip()) if x)
            path = Path(tmp) / f"reuters-{story['id']}.txt"
            path.write_text(text or "(empty)", encoding="utf-8")
            loaded = load_file(str(path), path.read_bytes(), max_decompressed_bytes=LIMIT)
            got = None
            for raw in loaded.articles:
                try:
                    article = clean_article(
                        raw, "x", lambda _t: (None, None), reference_date=reference, tone_lexicon=lexicon
                    )
                except RejectError:
                    continue
                sources[article.published_at_source] += 1
                got = article.published_at.date() if article.published_at else None
            if got is None and not loaded.articles:
                sources["rejected"] += 1
            correct += got == truth
            has_text = bool(story["dateline"] or story["body"])
            with_text += has_text
            correct_with_text += has_text and got == truth
            day_month += got is not None and (got.month, got.day) == (truth.month, truth.day)
    n = len(stories)
    print(f"\nReuters-21578: {n:,} stories as text files, reference date {reference} (for datelines' year)")
    print(
        f"  publication date correct (day):      {correct:,}/{n:,}  {100 * correct / n:.2f} %"
        "   (target >= 95 %)"
    )
    print(
        f"  of the {with_text:,} with a dateline or a body (the rest are a headline alone): "
        f"{correct_with_text:,}  {100 * correct_with_text / max(1, with_text):.2f} %"
    )
    print(f"  month and day correct (year aside):  {day_month:,}/{n:,}  {100 * day_month / n:.2f} %")
    print(f"  found by: {dict(sources.most_common())}")
    print(f"  {n / (time.perf_counter() - t0):,.0f} stories/s (write, load, clean)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reference-date", default="1987-12-31", type=date.fromisoformat)
    parser.add_argument("--limit", type=int, default=None, help="first N Reuters stories only")
    args = parser.parse_args()
    lexicon = load_tone_lexicon()
    html_sample(lexicon)
    reuters(args.reference_date, lexicon, args.limit)


if __name__ == "__main__":
    main()
