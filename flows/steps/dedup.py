"""Step 3, deduplicate: exact and near-duplicate decisions over the whole run, then per batch.

The rule (exact content hash; MinHash LSH candidates verified by Jaccard or containment; chains
through clusters) is transforms.dedup; this module feeds it the run's keys and the committed
clusters they touch, and writes ``articles``, ``duplicates`` and ``dedup_bands``.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from flows.steps.base import RunContext, StepResult, as_task
from transforms.dedup import (
    Committed,
    DedupKey,
    Duplicate,
    NearDupParams,
    Repoint,
    apply_decisions,
    dedup_key,
    normalised_for_hash,
    resolve_duplicates,
)
from transforms.language_gate import nlp_gate
from transforms.minhash import MinHasher, band_keys
from transforms.records import CleanArticle
from warehouse.catalog import connect_memory
from warehouse.changes import native_table
from warehouse.schemas import ARTICLES, BANDS, DUPLICATES, conform, to_table


@dataclass
class DedupPlan(StepResult):
    """The run's decisions (duplicate article -> its canonical) and committed articles to re-point."""

    decisions: dict[str, Duplicate] = field(default_factory=dict)
    repoints: list[Repoint] = field(default_factory=list)
    repointed: int = 0


@dataclass
class DedupedBatch(StepResult):
    """The staged articles parts of a batch (the extract step reads them) and its counts."""

    articles_parts: list[str] = field(default_factory=list)
    canonical: int = 0
    duplicates: int = 0


def dedup_keys(articles: list[CleanArticle], hasher: MinHasher) -> list[DedupKey]:
    """MinHash signatures of the batch's bodies, computed together (vectorised) once at load."""
    if not articles:
        return []
    texts = [a.normalised_text or normalised_for_hash(a.text) for a in articles]
    hashes, owner = hasher.shingle_hashes(texts)
    signatures, sizes = hasher.signatures(hashes, owner, len(articles))
    return [dedup_key(a, sig, n) for a, sig, n in zip(articles, signatures, sizes, strict=True)]


@as_task("dedup", "plan-dedup")
def plan_dedup(ctx: RunContext, keys: list[DedupKey], replaced: list[str]) -> DedupPlan:
    """Decisions for the whole run at once, against the committed clusters it touches.

    Deciding over all of the run's keys together makes the result independent of batch size;
    re-pointing committed groups makes it independent of how the input was split into runs.
    ``replaced`` are files whose committed articles this run replaces (changed, emptied, or
    deleted with missing_files=remove): an article of theirs not loaded again is gone, and its
    duplicates re-point to the next canonical.
    """
    params = ctx.config.near_duplicates
    committed, gone = committed_members(ctx, keys, replaced, params.bands)
    decisions, repoints = resolve_duplicates(keys, committed, params, gone=gone)
    return DedupPlan(decisions=decisions, repoints=repoints, repointed=len(repoints))


_KEY_COLUMNS = (
    "article_id, content_hash, published_at, word_count, source_path, record_index, "
    "if(minhash_scheme = $scheme, minhash, null), shingle_count, canonical_id, dedup_kind"
)


def committed_members(
    ctx: RunContext, keys: list[DedupKey], replaced: list[str], bands: int
) -> tuple[list[Committed], frozenset[str]]:
    """Committed articles whose clusters this run touches, and the ids of committed articles it
    re-processes or removes; found by joins, never a full scan into memory.

    Touched: same content hash as a run article, a shared LSH band key, the old version of an
    article this run re-processes, or an article of a replaced file. Their whole clusters come
    along, so the run can re-decide them. Memory follows the run, not the warehouse. A signature
    made under another MinHash scheme (an older release) is not comparable: such articles match
    by exact hash only.
    """
    if not keys and not replaced:
        return [], frozenset()
    hasher = ctx.config.minhash.hasher()
    band_matrix = (
        band_keys(np.stack([k.minhash for k in keys]), bands) if keys else np.zeros((0, bands), np.int64)
    )
    con = connect_memory(ctx.wh.root)
    try:
        native_table(
            con,
            "run_keys",
            pa.table(
                {
                    "article_id": pa.array([k.article_id for k in keys], pa.string()),
                    "content_hash": pa.array([k.content_hash for k in keys], pa.string()),
                }
            ),
        )
        native_table(
            con,
            "run_bands",
            pa.table(
                {
                    "band": np.tile(np.arange(bands, dtype=np.int16), len(keys)),
                    "band_key": band_matrix.reshape(-1),
                }
            ),
        )
        native_table(con, "replaced_files", pa.table({"path": pa.array(replaced, pa.string())}))
        gone = {
            a
            for (a,) in con.execute(
                "select article_id from articles where source_path in (select path from replaced_files) "
                "union select article_id from articles semi join run_keys using (article_id)"
            ).fetchall()
        }
        rows = con.execute(
            f"""
            with touched as (
                select article_id from articles semi join run_keys using (content_hash)
                union select article_id from dedup_bands semi join run_bands using (band, band_key)
                union select article_id from articles semi join run_keys using (article_id)
                union select article_id from articles where source_path in (select path from replaced_files)),
            clusters as (select distinct canonical_id from articles semi join touched using (article_id))
            select {_KEY_COLUMNS} from articles
            where canonical_id in (select canonical_id from clusters)
               or article_id in (select canonical_id from clusters)
            """,
            {"scheme": hasher.scheme},
        ).fetchall()
    finally:
        con.close()
    empty = np.full(hasher.num_perm, 0xFFFFFFFF, dtype="<u4").tobytes()
    committed = [
        Committed(DedupKey(a, h, p, w or 0, s, i, sig or empty, n or 0), c, k)
        for a, h, p, w, s, i, sig, n, c, k in rows
        if a not in gone
    ]
    return committed, frozenset(gone)


@as_task("dedup", "repoint-committed")
def repoint(ctx: RunContext, repoints: list[Repoint]) -> DedupedBatch:
    """New versions of committed articles whose canonical changed; the staged part goes to extract.

    The new row (this run's run_id) hides the old one in the views, and with it the old
    mentions or duplicates row; a promoted article gets NER like any new canonical article.
    """
    wh, run_id = ctx.wh, ctx.run_id
    if not repoints:
        return DedupedBatch()
    con = connect_memory(wh.root)
    try:
        native_table(
            con,
            "changes",
            pa.table(
                {
                    "article_id": [r.article_id for r in repoints],
                    "new_canonical": [r.canonical_id for r in repoints],
                    "new_kind": [r.dedup_kind for r in repoints],
                }
            ),
        )
        table = con.execute(
            """
            select a.* replace (c.new_canonical as canonical_id, c.new_kind as dedup_kind,
                                now()::timestamptz as processed_at)
            from articles a join changes c using (article_id) order by article_id"""
        ).to_arrow_table()
    finally:
        con.close()
    table = conform(ARTICLES, table)
    gates = [
        nlp_gate(language, kind, ctx.config.models)
        for language, kind in zip(table["language"].to_pylist(), table["dedup_kind"].to_pylist(), strict=True)
    ]
    for i, column in enumerate(("nlp_model", "nlp_skipped")):
        index = table.schema.get_field_index(column)
        table = table.set_column(
            index, ARTICLES.schema.field(column), pa.array([g[i] for g in gates], pa.string())
        )
    paths = wh.stage(run_id, ARTICLES, table, "repoint")
    duplicates = [
        Duplicate(r.article_id, r.canonical_id, r.dedup_kind, r.similarity, r.method)
        for r in repoints
        if r.dedup_kind != "canonical"
    ]
    wh.stage(run_id, DUPLICATES, to_table(DUPLICATES, [asdict(d) for d in duplicates]), "repoint")
    return DedupedBatch(articles_parts=[str(p) for p in paths])


def scratch_chunks(scratch: str) -> Iterator[list[CleanArticle]]:
    """The chunks of cleaned articles the load step pickled into ``scratch``, one at a time."""
    with open(scratch, "rb") as fh:
        while True:
            try:
                yield pickle.load(fh)
            except EOFError:
                return


@as_task("dedup", "deduplicate")
def deduplicate(
    ctx: RunContext, batch_no: int, scratch: str, keys: list[DedupKey], decisions: dict[str, Duplicate]
) -> DedupedBatch:
    """Apply the run's decisions to one loaded batch, chunk by chunk; stage its articles (a part
    per chunk, so the extract step reads them a chunk at a time), duplicates and band keys."""
    wh, run_id = ctx.wh, ctx.run_id
    scheme = ctx.config.minhash.hasher().scheme
    key_of = {k.article_id: k for k in keys}
    result = DedupedBatch()
    now = datetime.now(UTC)
    for number, articles in enumerate(scratch_chunks(scratch)):
        articles = apply_decisions(articles, decisions)
        duplicates = [decisions[a.article_id] for a in articles if a.article_id in decisions]
        rows = [
            {
                **asdict(a),
                "minhash": key_of[a.article_id].signature,
                "shingle_count": key_of[a.article_id].shingles,
                "minhash_scheme": scheme,
                "processed_at": now,
                **dict(
                    zip(
                        ("nlp_model", "nlp_skipped"),
                        nlp_gate(a.language, a.dedup_kind, ctx.config.models),
                        strict=True,
                    )
                ),
            }
            for a in articles
        ]
        part = f"{batch_no:06d}-{number:04d}"
        result.articles_parts += [str(p) for p in wh.stage(run_id, ARTICLES, to_table(ARTICLES, rows), part)]
        wh.stage(run_id, DUPLICATES, to_table(DUPLICATES, [asdict(d) for d in duplicates]), part)
        result.canonical += len(articles) - len(duplicates)
        result.duplicates += len(duplicates)
    wh.stage(run_id, BANDS, band_table(keys, ctx.config.near_duplicates), f"{batch_no:06d}")
    Path(scratch).unlink(missing_ok=True)
    return result


def band_table(keys: list[DedupKey], params: NearDupParams) -> pa.Table:
    """The LSH band keys later runs join against to find this run's articles as candidates."""
    if not keys:
        return to_table(BANDS, [])
    bands = band_keys(np.stack([k.minhash for k in keys]), params.bands)
    n = len(keys) * params.bands
    return pa.Table.from_pydict(
        {
            "article_id": np.repeat([k.article_id for k in keys], params.bands).tolist(),
            "band": np.tile(np.arange(params.bands, dtype=np.int16), len(keys)),
            "band_key": bands.reshape(-1),
            "run_id": pa.nulls(n, pa.string()),
        },
        schema=BANDS.schema,
    )
