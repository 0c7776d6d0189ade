"""Every table's schema, defined once. Flows, writer, views and the data dictionary read it here.

Column names are a public contract (analysts' queries use them): add columns freely, rename only with a
migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")
STR_LIST = pa.list_(pa.string())


def col(name: str, type_: pa.DataType, doc: str, *, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": doc})


class WriteMode(StrEnum):
    """How a run changes a table at commit.

    APPEND: the run's rows are inserted; committed rows it supersedes are deleted first (same
    ``replace_key``, or rows of an article the run re-processed or removed). SNAPSHOT: the run's
    rows replace the whole table (corpus-wide figures such as entity counts).
    """

    APPEND = "append"
    SNAPSHOT = "snapshot"


@dataclass(frozen=True)
class Redirect:
    """Columns kept resolved through ``entity_redirects``: an article-level entity id becomes the
    corpus-wide one, its name (and label) follow. The values as the article alone gave them are
    stored too (``local_*``), so a redirect that later disappears can be undone."""

    id_column: str
    name_column: str
    label_column: str | None = None

    @staticmethod
    def local(column: str) -> str:
        return f"local_{column}"

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for c in (self.id_column, self.name_column, self.label_column) if c)


@dataclass(frozen=True)
class Overlay:
    """A column kept equal to another (snapshot) table's by key, e.g. articles.story_id."""

    column: str
    table: str
    key: str


@dataclass(frozen=True)
class TableSpec:
    """A table: its schema, its key, and what a run's commit does to it.

    The stored rows are exactly the live rows (no "newest row per key" left to readers). What a
    commit deletes beyond ``replace_key`` is declared here: ``follows_article`` (rows leave with
    their article's old version: a re-processed article's old mentions go), ``redirect`` and
    ``overlay`` (columns brought up to date from the snapshot tables at every commit).
    The writer stamps ``run_id`` (and the ``local_*`` columns of a redirect) into staged rows.
    """

    name: str
    doc: str
    key: tuple[str, ...]
    fields: tuple[pa.Field, ...]
    mode: WriteMode = WriteMode.APPEND
    replace_key: tuple[str, ...] = ()
    # DuckLake partition expressions. Undated articles fall in a null partition, so a date range
    # filter excludes them (no fake "undated" month that sorts after every real one).
    partition_by: tuple[str, ...] = ()
    follows_article: bool = False
    # rows leave when their article is removed (not when it is re-processed): LSH bands
    leaves_with_article: bool = False
    # rows of a file the run reads again, or finds missing, are replaced: rejects show the present
    cleared_by_reread: bool = False
    redirect: Redirect | None = None
    overlay: Overlay | None = None

    @property
    def schema(self) -> pa.Schema:
        return pa.schema(list(self.fields), metadata={"description": self.doc})

    @property
    def reads(self) -> tuple[str, ...]:
        """Tables this table's in-run view reads, which must have their views first."""
        needs = ["articles"] if self.follows_article or self.leaves_with_article else []
        needs += ["entity_redirects"] if self.redirect else []
        needs += [self.overlay.table] if self.overlay else []
        return tuple(needs)


RUN_ID = col("run_id", pa.string(), "Run that wrote the row (see runs).", nullable=False)

SOURCES = TableSpec(
    "sources",
    "One row per raw file path: what the newest run that saw it found.",
    key=("path", "sha256"),
    replace_key=("path",),
    fields=(
        col("path", pa.string(), "Absolute path of the raw file.", nullable=False),
        col("source_root", pa.string(), "The SOURCE folder the file was found under."),
        col("relative_path", pa.string(), "Path relative to source_root."),
        col("size", pa.int64(), "Size in bytes when read."),
        col("mtime_ns", pa.int64(), "Modification time (ns since epoch) when read."),
        col("sha256", pa.string(), "SHA-256 of the raw bytes; null when the file could not be read."),
        col(
            "format",
            pa.string(),
            "Loader chosen from the name: text, html, json, jsonl; null if unsupported.",
        ),
        col("gzipped", pa.bool_(), "Whether the file was gzip-compressed."),
        col("encoding", pa.string(), "Detected text encoding."),
        col(
            "status",
            pa.string(),
            "loaded | partial (some records rejected) | rejected | unreadable (retried next run) "
            "| ignored (not an article file, see note) | missing (gone from its source folder; run_id"
            " is the run that noticed, note says whether its articles were kept).",
            nullable=False,
        ),
        col("note", pa.string(), "Why an ignored file was ignored."),
        col("articles", pa.int32(), "Articles loaded from this file."),
        col("rejects", pa.int32(), "Rejects (file or records) from this file."),
        RUN_ID,
        col("seen_at", TS, "When this run read the file."),
    ),
)

REJECTS = TableSpec(
    "rejects",
    "A file or record that could not be processed, with the stage and a reason code.",
    key=("reject_id",),
    replace_key=("reject_id",),
    cleared_by_reread=True,
    fields=(
        col("reject_id", pa.string(), "Hash of path, content hash, record and reason.", nullable=False),
        col("path", pa.string(), "Raw file the input came from.", nullable=False),
        col("record_index", pa.int64(), "Line (JSONL, 0-based) or list index (JSON); null for a whole file."),
        col("stage", pa.string(), "Stage that rejected it: discover, load, clean.", nullable=False),
        col(
            "reason",
            pa.string(),
            "Stable reason code, e.g. empty_file, binary_content, invalid_json.",
            nullable=False,
        ),
        col("detail", pa.string(), "Human explanation for this input."),
        col("sha256", pa.string(), "SHA-256 of the raw file, when it could be read."),
        RUN_ID,
    ),
)

ARTICLES = TableSpec(
    "articles",
    "One row per loaded article, duplicates included (see canonical_id).",
    key=("article_id",),
    replace_key=("article_id",),
    partition_by=("year(published_at)", "month(published_at)"),
    overlay=Overlay("story_id", "story_members", "article_id"),
    fields=(
        col(
            "article_id",
            pa.string(),
            "Hash of source path and record_key: stable when a record moves inside its file.",
            nullable=False,
        ),
        col("source_path", pa.string(), "Raw file the article came from.", nullable=False),
        col("record_index", pa.int32(), "Position of the record inside its file (0 for one-article files)."),
        col(
            "record_key",
            pa.string(),
            "What identifies the record inside its file: 'file' for one-article files (an edit is a"
            " correction of the same article), else 'id:' plus the record's own id or URL, else"
            " 'content:' plus a hash of its text; '#2', '#3' follow a key seen earlier in the file.",
        ),
        col("external_id", pa.string(), "The input record's own id or URL, when it has one."),
        col("url", pa.string(), "Article URL, when the input gives one."),
        col("input_format", pa.string(), "text, html, json or jsonl."),
        col("encoding", pa.string(), "Detected encoding of the raw file."),
        col("title", pa.string(), "Headline; null when the input has none (never invented)."),
        col("title_source", pa.string(), "input (a field or HTML meta), first_line, or none."),
        col("lede", pa.string(), "First body paragraph."),
        col(
            "text", pa.string(), "Cleaned body; every offset in other tables points into it.", nullable=False
        ),
        col("authors", STR_LIST, "Author names as the input gives them."),
        col("published_at", TS, "Publication time (UTC)."),
        col(
            "published_at_source",
            pa.string(),
            "How published_at was found, strongest first: input_field, html_meta, dateline (a wire"
            " dateline at the very start; its year, when missing, from the file's modification time or"
            " the run's reference_date), date_line (a first line that is only a date), file_name, none."
            " Dates inside the story are never taken for the publication date.",
        ),
        col(
            "published_at_confidence",
            pa.string(),
            "high (the input, page metadata, a date line, a dateline with its year) or medium (a"
            " dateline whose year was inferred, a file name); null when undated.",
        ),
        col("published_at_raw", pa.string(), "The date string as the input gave it."),
        col("language", pa.string(), "ISO 639-1 language code."),
        col(
            "language_score",
            pa.float32(),
            "Detector confidence, when detected (null when given by the input).",
        ),
        col("word_count", pa.int32(), "Words in text."),
        col("sentence_count", pa.int32(), "Sentences in text."),
        col("char_count", pa.int32(), "Characters in text."),
        col("reading_time_min", pa.float32(), "Minutes to read at 230 words a minute."),
        col("tone", pa.float32(), "GDELT-style tone: positive minus negative words, percent of words."),
        col("tone_positive", pa.float32(), "Percent of words with positive valence (VADER lexicon)."),
        col("tone_negative", pa.float32(), "Percent of words with negative valence (VADER lexicon)."),
        col("captions", STR_LIST, "Image captions moved out of the body."),
        col("credits", STR_LIST, "Image and agency credit lines moved out of the body."),
        col("boilerplate", STR_LIST, "Share/subscribe and similar lines removed from the body."),
        col("description", pa.string(), "Summary from the input (meta description), when given."),
        col("site_name", pa.string(), "Publisher or site, when the input names it."),
        col("content_hash", pa.string(), "Hash of normalised title and text: the exact-duplicate key."),
        col("minhash", pa.binary(), "MinHash signature of the body (128 little-endian uint32)."),
        col("shingle_count", pa.int32(), "Shingles (word 6-grams) in the body, for containment estimates."),
        col(
            "minhash_scheme",
            pa.string(),
            "Shingling and hashing behind minhash (e.g. word6-ocrfold-oph128-seed1); signatures of "
            "different schemes are never compared (null: written before schemes were recorded).",
        ),
        col(
            "canonical_id",
            pa.string(),
            "article_id of the canonical copy; equals article_id when canonical.",
            nullable=False,
        ),
        col("dedup_kind", pa.string(), "canonical, or the kind of duplicate: exact or near.", nullable=False),
        col(
            "nlp_model",
            pa.string(),
            "spaCy model package that read this canonical article for entities and quotes; null when"
            " none did (see nlp_skipped).",
        ),
        col(
            "nlp_skipped",
            pa.string(),
            "Why no model read it: 'no model for de' (no model configured for its language, so no"
            " entities, quotes, amounts or dates rather than wrong ones), 'language unknown', or"
            " 'duplicate' (its canonical article is read instead).",
        ),
        col("story_id", pa.string(), "Story (see stories); kept equal to story_members at every commit."),
        RUN_ID,
        col("processed_at", TS, "When the run processed the article."),
    ),
)

DUPLICATES = TableSpec(
    "duplicates",
    "Every dedup decision: article_id is a duplicate of canonical_id.",
    key=("article_id",),
    replace_key=("article_id",),
    follows_article=True,
    fields=(
        col("article_id", pa.string(), "The duplicate article.", nullable=False),
        col("canonical_id", pa.string(), "The canonical article it duplicates.", nullable=False),
        col(
            "kind",
            pa.string(),
            "exact (same normalised title and text) or near (MinHash/LSH, verified).",
            nullable=False,
        ),
        col(
            "similarity",
            pa.float32(),
            "Score of the method against the canonical: 1.0 for exact, estimated Jaccard for jaccard"
            " and chain, the shorter body's share found in the longer for containment.",
        ),
        col(
            "method",
            pa.string(),
            "Why the two were joined: exact, jaccard (bodies' shingles similar), containment (the"
            " shorter body is mostly inside the longer: a trimmed copy or a reprint with added"
            " paragraphs), or chain (joined through another member of the cluster).",
        ),
        RUN_ID,
    ),
)

MENTIONS = TableSpec(
    "mentions",
    "One row per named-entity mention in a canonical article.",
    key=("article_id", "start_char", "end_char"),
    follows_article=True,
    redirect=Redirect("entity_id", "name", "label"),
    fields=(
        col("mention_id", pa.string(), "Hash of article, offsets and label.", nullable=False),
        col("article_id", pa.string(), "Article the mention is in.", nullable=False),
        col(
            "entity_id",
            pa.string(),
            "The entity mentioned (see entities): the corpus-wide id, entity_redirects applied.",
            nullable=False,
        ),
        col("text", pa.string(), "Surface text, exactly articles.text[start_char:end_char].", nullable=False),
        col("name", pa.string(), "Normalised name the mention resolved to."),
        col("label", pa.string(), "spaCy label: PERSON, ORG, GPE, LOC, NORP, ...", nullable=False),
        col("start_char", pa.int32(), "Start offset into articles.text.", nullable=False),
        col("end_char", pa.int32(), "End offset (exclusive) into articles.text.", nullable=False),
        col("sentence_index", pa.int32(), "0-based sentence of the article the mention is in."),
        col("local_entity_id", pa.string(), "The entity id from the article alone, before redirects."),
        col("local_name", pa.string(), "The name from the article alone, before redirects."),
        col("local_label", pa.string(), "The label the model gave, before redirects."),
        RUN_ID,
    ),
)

BANDS = TableSpec(
    "dedup_bands",
    "LSH band keys of each article's MinHash: the near-duplicate index later runs join against.",
    key=("article_id", "band"),
    replace_key=("article_id",),  # an article's bands are always written together
    leaves_with_article=True,
    fields=(
        col("article_id", pa.string(), "The article.", nullable=False),
        col("band", pa.int16(), "Band number (0-41).", nullable=False),
        col("band_key", pa.int64(), "Hash of the band's rows of the signature.", nullable=False),
        RUN_ID,
    ),
)

STORIES = TableSpec(
    "stories",
    "One row per story: articles about the same event, grouped. A run places its new articles in"
    " these stories or opens new ones; an id once issued never changes (see story_merges).",
    key=("story_id",),
    mode=WriteMode.SNAPSHOT,
    fields=(
        col(
            "story_id",
            pa.string(),
            "Hash of the first canonical article of the run that opened the story; kept for good.",
            nullable=False,
        ),
        col("headline", pa.string(), "Title (else lede) of the story's earliest article."),
        col("article_count", pa.int64(), "Articles in the story, duplicates included."),
        col("canonical_count", pa.int64(), "Distinct (canonical) articles in the story."),
        col("first_published", TS, "Earliest published_at in the story."),
        col("last_published", TS, "Latest published_at in the story."),
        col("top_entities", STR_LIST, "Up to 8 entity names mentioned by most of the story's articles."),
        col(
            "outlets",
            STR_LIST,
            "Where the story's articles (copies included) came from: each site's name, else the folder"
            " its file came in; sorted, distinct.",
        ),
        col("opened_at", TS, "When the run that issued this story id ran: the older id survives a merge."),
        RUN_ID,
    ),
)

STORY_MERGES = TableSpec(
    "story_merges",
    "Stories that joined an older one: a later run's articles showed they are one event. Follow"
    " merged_into (again, if it merged later) to find where an id you kept went.",
    key=("story_id",),
    fields=(
        col("story_id", pa.string(), "The story id that stopped being used.", nullable=False),
        col("merged_into", pa.string(), "The older story it joined.", nullable=False),
        col("merged_at", TS, "When the run that merged them ran."),
        RUN_ID,
    ),
)

STORY_TERMS = TableSpec(
    "story_terms",
    "Each placed canonical article's story terms (words, word pairs, entity ids) as 32-bit keys:"
    " the document frequencies a run weighs new articles with, and the index it finds candidate"
    " stories in, so a run's cost follows its new articles rather than the warehouse.",
    key=("article_id", "term_key"),
    replace_key=("article_id",),
    follows_article=True,
    fields=(
        col("article_id", pa.string(), "The canonical article.", nullable=False),
        col("term_key", pa.int32(), "transforms.stories.term_key of the term.", nullable=False),
        RUN_ID,
    ),
)

STORY_MEMBERS = TableSpec(
    "story_members",
    "article_id to story_id for every article; the articles view fills articles.story_id from it.",
    key=("article_id",),
    mode=WriteMode.SNAPSHOT,
    fields=(
        col("article_id", pa.string(), "The article (canonical or duplicate).", nullable=False),
        col("story_id", pa.string(), "Its story.", nullable=False),
        col(
            "similarity",
            pa.float64(),
            "How firmly it was placed: the mean cosine of its TF-IDF vector (title, lede, body,"
            " entities) to the story's other canonical articles; null in a story of one. A"
            " duplicate has its canonical's.",
        ),
        RUN_ID,
    ),
)


def _item_fields(*fields: pa.Field) -> tuple[pa.Field, ...]:
    """Columns every extracted-item table shares: its id, the article, the offsets, the run."""
    return (
        col("item_id", pa.string(), "Hash of article, offsets and kind of item.", nullable=False),
        col("article_id", pa.string(), "Article the item is in.", nullable=False),
        *fields,
        col("start_char", pa.int32(), "Start offset into articles.text."),
        col("end_char", pa.int32(), "End offset (exclusive) into articles.text."),
        RUN_ID,
    )


QUOTES = TableSpec(
    "quotes",
    "One row per direct quotation in a canonical article, with its speaker where the text says.",
    key=("item_id",),
    follows_article=True,
    redirect=Redirect("speaker_entity_id", "speaker"),
    fields=_item_fields(
        col(
            "text",
            pa.string(),
            "The quoted words (fragments split by 'he said' joined); start_char/end_char are inside the"
            " quotation marks.",
            nullable=False,
        ),
        col("speaker", pa.string(), "Who said it: a person's canonical name, a role, or null."),
        col(
            "speaker_entity_id",
            pa.string(),
            "The speaker's entity (see entities) when a person mention names them, entity_redirects applied.",
        ),
        col(
            "attribution",
            pa.string(),
            "Where the speaker was found: after or before the quote in its sentence, or continued (the"
            " next paragraph or sentence of the previous quote's speech).",
        ),
        col(
            "speaker_kind",
            pa.string(),
            "name (a person named in the attribution), organisation (a company, party, ministry or"
            " place named as the speaker), pronoun (he/she/it, resolved to the nearest person, or"
            " organisation for 'it', named before), description ('a spokesman', kept as written), or null.",
        ),
        col(
            "cue",
            pa.string(),
            "The speech verb or phrase of the attribution as written, lower-case ('said', 'told',"
            " 'according to', 'a déclaré', 'selon'); a continued quote keeps its speech's.",
        ),
        col(
            "local_speaker_entity_id",
            pa.string(),
            "speaker_entity_id from the article alone, before redirects.",
        ),
        col("local_speaker", pa.string(), "speaker from the article alone, before redirects."),
    ),
)

QUANTITIES = TableSpec(
    "quantities",
    "One row per count or amount in a canonical article, normalised to a number and a unit.",
    key=("item_id",),
    follows_article=True,
    fields=_item_fields(
        col("text", pa.string(), "The words as written, e.g. 'about 120 missiles'.", nullable=False),
        col(
            "value",
            pa.float64(),
            "The number, scales applied: '$56.2 billion' is 56200000000.",
            nullable=False,
        ),
        col("unit", pa.string(), "Currency code, unit (mile, km, percent) or the counted thing (troop)."),
        col(
            "kind",
            pa.string(),
            "money, percent, count, number (no unit), distance, area, volume, mass, duration, age, ...",
        ),
        col("qualifier", pa.string(), "about, at least, up to, more than, ... (null when exact)."),
    ),
)

DATES = TableSpec(
    "dates",
    "One row per date mentioned in a canonical article, resolved to a calendar date where possible.",
    key=("item_id",),
    follows_article=True,
    fields=_item_fields(
        col("text", pa.string(), "The words as written, e.g. 'yesterday', 'February 2022'.", nullable=False),
        col("resolved_date", pa.date32(), "The date (first day of the month or year at coarser precision)."),
        col("precision", pa.string(), "day, month or year."),
        col(
            "relative", pa.bool_(), "Resolved against the article's published_at (yesterday, Monday, May 3)."
        ),
        col(
            "unresolved_reason",
            pa.string(),
            "Why resolved_date is null: no_publication_date (relative, nothing to resolve against),"
            " vague_period ('in the coming days') or ambiguous_tense (a weekday in a clause that says"
            " nothing about past or future).",
        ),
        col(
            "rule",
            pa.string(),
            "What resolved it: absolute, relative_day, explicit_last/next/this, future_tense,"
            " past_tense, present_scheduled ('the vote is on Thursday') or nearest.",
        ),
    ),
)

KEYWORDS = TableSpec(
    "keywords",
    "Top keywords of each canonical article (YAKE, up to 10 one- and two-word phrases).",
    key=("item_id",),
    follows_article=True,
    fields=_item_fields(
        col("keyword", pa.string(), "The keyword or phrase.", nullable=False),
        col("score", pa.float64(), "YAKE score: lower is more relevant."),
        col("rank", pa.int16(), "1 for the most relevant keyword of the article."),
    ),
)

ENTITY_REDIRECTS = TableSpec(
    "entity_redirects",
    "Article-level entity ids that are another entity corpus-wide (surname, acronym, alias, label);"
    " rebuilt at every run and applied to mentions and quotes at its commit.",
    key=("entity_id",),
    mode=WriteMode.SNAPSHOT,
    fields=(
        col("entity_id", pa.string(), "The id a mention got from its own article.", nullable=False),
        col("canonical_entity_id", pa.string(), "The entity it is (see entities).", nullable=False),
        col("canonical_name", pa.string(), "That entity's name.", nullable=False),
        col("canonical_label", pa.string(), "That entity's label.", nullable=False),
        col(
            "reason",
            pa.string(),
            "alias (curated alias table), place (another name of the same place in the gazetteer,"
            " e.g. Royaume-Uni for United Kingdom), label (same name, model gave another label),"
            " plural, acronym (short form defined elsewhere), surname (the one dominant full name),"
            " not_a_person (labelled PERSON but used after 'the', 'a' or 'an', as the Lib Dems or an Oscar,"
            " or among words the corpus puts around other labels, as oil firm Yukos, or a full name"
            " never shortened where it is named again, as the band Franz Ferdinand).",
            nullable=False,
        ),
        RUN_ID,
    ),
)

ENTITIES = TableSpec(
    "entities",
    "One row per entity across the corpus; rebuilt from mentions at every run.",
    key=("entity_id",),
    mode=WriteMode.SNAPSHOT,
    fields=(
        col(
            "entity_id",
            pa.string(),
            "Hash of label and case-folded canonical name: stable across runs.",
            nullable=False,
        ),
        col("name", pa.string(), "Canonical name.", nullable=False),
        col("label", pa.string(), "spaCy label (PERSON, ORG, GPE, LOC, NORP, PRODUCT, ...).", nullable=False),
        col("aliases", STR_LIST, "Every surface text seen for the entity."),
        col("article_count", pa.int64(), "Canonical articles mentioning it."),
        col("mention_count", pa.int64(), "Mentions in total."),
        col(
            "first_seen",
            TS,
            "Earliest published_at of an article mentioning it; null when none is dated.",
        ),
        col("last_seen", TS, "Latest published_at of an article mentioning it; null when none is dated."),
        col("first_processed", TS, "When the first article mentioning it was processed (run time)."),
        col("last_processed", TS, "When the latest article mentioning it was processed (run time)."),
        col("country_code", pa.string(), "GPE/LOC only: ISO 3166-1 alpha-2 code, where unambiguous."),
        col("place_kind", pa.string(), "GPE/LOC only: country, admin1 (US state) or city."),
        col("latitude", pa.float64(), "Cities only, where one city is the clear referent (GeoNames)."),
        col("longitude", pa.float64(), "Cities only, as latitude."),
        col("geonameid", pa.int64(), "GeoNames id of the place, where one is certain."),
        RUN_ID,
    ),
)

ENTITY_PAIRS = TableSpec(
    "entity_pairs",
    "Two entities mentioned in the same canonical article (entity_a < entity_b), among each"
    " article's 100 most-mentioned entities (RunConfig.pair_entities_per_article); rebuilt every run.",
    key=("entity_a", "entity_b"),
    mode=WriteMode.SNAPSHOT,
    fields=(
        col("entity_a", pa.string(), "One entity (the smaller id).", nullable=False),
        col("entity_b", pa.string(), "The other entity.", nullable=False),
        col("article_count", pa.int64(), "Canonical articles mentioning both.", nullable=False),
        col("first_seen", TS, "Earliest published_at of such an article; null when none is dated."),
        col("last_seen", TS, "Latest published_at of such an article; null when none is dated."),
        col("first_processed", TS, "When the first such article was processed (run time)."),
        col("last_processed", TS, "When the latest such article was processed (run time)."),
        RUN_ID,
    ),
)

RUNS = TableSpec(
    "runs",
    "One row per flow run: parameters, versions, counts per stage, timings, status.",
    key=("run_id",),
    replace_key=("run_id",),
    fields=(
        col("run_id", pa.string(), "Run id (start time and a random suffix).", nullable=False),
        col(
            "run_seq",
            pa.int64(),
            "Commit order: 1 for the first run committed to this warehouse. Runs are ordered by it,"
            " never by a clock.",
        ),
        col("flow_run_id", pa.string(), "Prefect flow run id."),
        col("status", pa.string(), "completed or failed.", nullable=False),
        col("error", pa.string(), "Error message of a failed run."),
        col("started_at", TS, "Run start (UTC)."),
        col("finished_at", TS, "Run end (UTC)."),
        col("parameters", pa.string(), "Flow parameters as JSON."),
        col("versions", pa.string(), "Versions of wirehouse and key libraries as JSON."),
        col("files_seen", pa.int64(), "Files listed under the sources."),
        col("files_new", pa.int64(), "Files not in the manifest before."),
        col("files_changed", pa.int64(), "Files whose content changed since last seen."),
        col("files_unchanged", pa.int64(), "Files skipped as unchanged."),
        col("files_loaded", pa.int64(), "Files that yielded at least one article."),
        col("files_rejected", pa.int64(), "Files that yielded no article."),
        col("files_ignored", pa.int64(), "Files recorded but not loaded (README, checksums, other formats)."),
        col("files_missing", pa.int64(), "Files gone from their source folder since the last run."),
        col("records_rejected", pa.int64(), "Reject rows written (files and records)."),
        col("articles", pa.int64(), "Articles loaded."),
        col("canonical", pa.int64(), "Articles that were canonical."),
        col("duplicates", pa.int64(), "Articles marked duplicates."),
        col("repointed", pa.int64(), "Committed articles whose canonical changed because of this run."),
        col("mentions", pa.int64(), "Entity mentions extracted."),
        col("entities", pa.int64(), "Distinct entities in the warehouse after the run."),
        col("stories", pa.int64(), "Stories in the warehouse after the run."),
        col("seconds_discover", pa.float64(), "Seconds listing and fingerprinting."),
        col("seconds_load", pa.float64(), "Seconds reading and parsing files."),
        col("seconds_clean", pa.float64(), "Seconds cleaning."),
        col("seconds_dedup", pa.float64(), "Seconds deduplicating."),
        col("seconds_extract", pa.float64(), "Seconds in NER and metadata extraction."),
        col(
            "seconds_write",
            pa.float64(),
            "Seconds rebuilding entities, redirects, pairs and stories (the commit after it is not counted).",
        ),
        col("seconds_total", pa.float64(), "Wall seconds for the run."),
    ),
)

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        SOURCES,
        REJECTS,
        STORY_MEMBERS,
        ARTICLES,
        DUPLICATES,
        BANDS,
        ENTITY_REDIRECTS,
        MENTIONS,
        QUOTES,
        QUANTITIES,
        DATES,
        KEYWORDS,
        ENTITIES,
        ENTITY_PAIRS,
        STORY_TERMS,
        STORIES,
        STORY_MERGES,
        RUNS,
    )
}


def to_table(spec: TableSpec, rows: list[dict]) -> pa.Table:
    """Rows to an Arrow table with exactly the spec's schema (missing keys become null)."""
    names = spec.schema.names
    columns = {name: [row.get(name) for row in rows] for name in names}
    return pa.Table.from_pydict(columns, schema=spec.schema)


def validate(spec: TableSpec, table: pa.Table) -> None:
    """Refuse to commit a table whose schema, non-null columns or key uniqueness is wrong."""
    if not table.schema.equals(spec.schema, check_metadata=False):
        raise ValueError(f"{spec.name}: schema differs from warehouse.schemas")
    for field in spec.fields:
        if not field.nullable and table.column(field.name).null_count:
            raise ValueError(f"{spec.name}.{field.name}: {table.column(field.name).null_count} nulls")
    if spec.key and table.num_rows:
        keys = table.group_by(list(spec.key)).aggregate([])
        if keys.num_rows != table.num_rows:
            raise ValueError(f"{spec.name}: key {spec.key} is not unique in this run's rows")


def conform(spec: TableSpec, table: pa.Table) -> pa.Table:
    """Cast a query result (e.g. from DuckDB) to the spec's exact schema, column by column.

    A column the result lacks is null (``run_id``, stamped by the writer; a nullable column);
    ``validate`` still refuses nulls in a non-null column at staging.
    """
    names = set(table.column_names)
    arrays = [
        table.column(f.name).cast(f.type) if f.name in names else pa.nulls(table.num_rows, f.type)
        for f in spec.fields
    ]
    return pa.Table.from_arrays(arrays, schema=spec.schema)
