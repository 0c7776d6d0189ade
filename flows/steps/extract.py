"""Step 4, extract: NER, quotes and the text-only items (quantities, dates, keywords).

Only canonical articles are read: a duplicate never costs a model call. The rules are in
transforms (entities, quotes, quantities, mentioned_dates, keywords); this module runs the
model, checks every offset against the text, and stages the rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows.nlp import load_pipeline
from flows.progress import progress
from flows.steps.base import RunContext, StepResult, as_task
from flows.text_items import TextItems, item_row
from transforms.aliases import AliasTable
from transforms.entities import LEADING_THE, mentions_from_doc
from transforms.ids import stable_id
from transforms.quotes import Quote, find_quotes
from transforms.quotes_fr import find_quotes_fr
from transforms.records import Mention
from transforms.truecase import truecase_shouted
from warehouse.schemas import MENTIONS, QUOTES, TABLES, to_table

QuoteFinder = Callable[[str, Sequence[Mention]], list[Quote]]
# Mention has slots (no __dict__), and dataclasses.asdict deep-copies every value.
MENTION_FIELDS = tuple(f.name for f in fields(Mention))


# Per model language: how its labels map onto the English model's (OntoNotes) labels, so one
# person is PERSON in every language, and its quote grammar. WikiNER's MISC (nationalities,
# events, works) has no single OntoNotes label and is left out.
@dataclass(frozen=True)
class LanguageRules:
    label_map: dict[str, str] | None = None
    find_quotes: QuoteFinder = find_quotes
    leading_article: re.Pattern[str] = LEADING_THE


LANGUAGE_RULES: dict[str, LanguageRules] = {
    # lower-case articles only: "la Tunisie" is Tunisie, "Le Havre" and "La Rochelle" keep theirs
    "fr": LanguageRules(
        {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}, find_quotes_fr, re.compile(r"^(?:la|le|les|l['’])\s*")
    ),
}


@dataclass
class Extracted(StepResult):
    mentions: int = 0


def check_offsets(text: str, mentions: list) -> None:
    """Offsets are a contract with analysts: refuse to commit one that does not point at its text."""
    for m in mentions:
        if not (0 <= m.start_char < m.end_char <= len(text)) or text[m.start_char : m.end_char] != m.text:
            raise ValueError(
                f"mention {m.text!r} at {m.start_char}:{m.end_char} of {m.article_id} "
                "does not match the article text"
            )


@as_task("extract", "extract-entities")
def extract(
    ctx: RunContext,
    part: str,
    articles_parts: list[str],
    aliases: AliasTable,
    helper: ProcessPoolExecutor | None = None,
) -> Extracted:
    """NER and metadata on the batch's canonical articles only.

    The model reads a copy of each text with shouted lines recased (same offsets), so all-caps
    headlines keep their names; mentions take their surface text from the article itself.
    Quantities, dates and keywords need only the text: they go to ``helper`` first (when given)
    and run there while NER runs here (flows/text_items.py).
    """
    wh, run_id, config = ctx.wh, ctx.run_id, ctx.config
    if not articles_parts:
        return Extracted()
    columns = ["article_id", "text", "dedup_kind", "published_at", "language", "nlp_model"]
    table = pa.concat_tables(pq.read_table(path, columns=columns) for path in articles_parts)
    table = table.filter(pc.equal(table["dedup_kind"], "canonical"))
    ids = table["article_id"].to_pylist()
    texts = table["text"].to_pylist()
    articles = list(
        zip(ids, texts, table["published_at"].to_pylist(), table["language"].to_pylist(), strict=True)
    )
    text_items = TextItems(helper, articles, config.keywords)
    by_model: dict[str, list[int]] = {}
    for i, model in enumerate(table["nlp_model"].to_pylist()):
        if model is not None:  # the language gate (articles.nlp_skipped says why not)
            by_model.setdefault(model, []).append(i)
    rows: list[dict] = []
    quotes: list[dict] = []
    for model, members in by_model.items():
        nlp = load_pipeline(model)  # loaded on first use: a run with no French articles never loads French
        rules = LANGUAGE_RULES.get(nlp.lang, LanguageRules())
        cased = [truecase_shouted(texts[i]) for i in members]
        docs = nlp.pipe(cased, batch_size=config.nlp_batch_size, n_process=config.n_process)
        labelled = progress(
            zip(members, cased, docs, strict=True), len(members), f"NER part {part}", config.progress
        )
        for i, model_text, doc in labelled:
            article_id, text = ids[i], texts[i]
            found = mentions_from_doc(
                article_id,
                doc,
                text,
                aliases,
                cased=model_text,
                label_map=rules.label_map,
                leading_article=rules.leading_article,
            )
            check_offsets(text, found)
            quotes.extend(item_row(article_id, "quote", vars(q)) for q in rules.find_quotes(text, found))
            for m in found:
                row = {name: getattr(m, name) for name in MENTION_FIELDS}
                row["mention_id"] = stable_id(article_id, m.start_char, m.end_char, m.label)
                rows.append(row)
    wh.stage(run_id, MENTIONS, to_table(MENTIONS, rows), part)
    wh.stage(run_id, QUOTES, to_table(QUOTES, quotes), part)
    for name, items in text_items.tables().items():
        wh.stage(run_id, TABLES[name], items, part)
    return Extracted(mentions=len(rows))
