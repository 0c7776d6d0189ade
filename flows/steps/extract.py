"""Step 4, extract: NER, quotes and the text-only items (quantities, dates, keywords).

Only canonical articles are read: a duplicate never costs a model call. The rules are in
transforms (entities, quotes, quantities, mentioned_dates, keywords); this module runs the
model, checks every offset against the text, and stages the rows.
"""

from __future__ import annotations

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
from transforms.entities import mentions_from_doc
from transforms.ids import stable_id
from transforms.quotes import find_quotes
from transforms.records import Mention
from transforms.truecase import truecase_shouted
from warehouse.schemas import MENTIONS, QUOTES, TABLES, to_table

# Mention has slots (no __dict__), and dataclasses.asdict deep-copies every value.
MENTION_FIELDS = tuple(f.name for f in fields(Mention))


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
    batch_no: int,
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
    table = pa.concat_tables(
        pq.read_table(path, columns=["article_id", "text", "dedup_kind", "published_at", "language"])
        for path in articles_parts
    )
    table = table.filter(pc.equal(table["dedup_kind"], "canonical"))
    ids = table["article_id"].to_pylist()
    texts = table["text"].to_pylist()
    articles = list(
        zip(ids, texts, table["published_at"].to_pylist(), table["language"].to_pylist(), strict=True)
    )
    text_items = TextItems(helper, articles, config.keywords)
    quotes: list[dict] = []
    nlp = load_pipeline(config.spacy_model)
    rows: list[dict] = []
    cased = [truecase_shouted(t) for t in texts]
    docs = nlp.pipe(cased, batch_size=config.nlp_batch_size, n_process=config.n_process)
    labelled = progress(
        zip(ids, texts, cased, docs, strict=True), len(ids), f"NER batch {batch_no}", config.progress
    )
    for article_id, text, model_text, doc in labelled:
        found = mentions_from_doc(article_id, doc, text, aliases, cased=model_text)
        check_offsets(text, found)
        quotes.extend(item_row(article_id, "quote", vars(q)) for q in find_quotes(text, found))
        for m in found:
            row = {name: getattr(m, name) for name in MENTION_FIELDS}
            row["mention_id"] = stable_id(article_id, m.start_char, m.end_char, m.label)
            rows.append(row)
    wh.stage(run_id, MENTIONS, to_table(MENTIONS, rows), f"{batch_no:06d}")
    wh.stage(run_id, QUOTES, to_table(QUOTES, quotes), f"{batch_no:06d}")
    for name, items in text_items.tables().items():
        wh.stage(run_id, TABLES[name], items, f"{batch_no:06d}")
    return Extracted(mentions=len(rows))
