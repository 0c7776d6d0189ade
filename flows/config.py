"""Every setting of a run, in one typed model: the CLI builds it, the flow takes it, `runs` keeps it.

Prefect shows a Pydantic flow parameter as one form and validates it before the run starts, so a
bad value fails before any work. Adding an option is one field here (and, for the CLI, one
option in flows/cli.py). Thresholds chosen on the dev sets live in the transforms' own
parameter classes (``NearDupParams``, ``StoryParams``, ``MinHasher``) and are fields here too,
so a user can set them for a run and `runs.parameters` records what was used.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flows.nlp import DEFAULT_MODEL
from transforms.clean import MAX_TEXT_CHARS
from transforms.dedup import NearDupParams
from transforms.minhash import MinHasher
from transforms.stories import StoryParams

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FRENCH_MODEL = "fr_core_news_sm"
# Files that live beside articles in drop folders and corpora but are not articles. They are
# recorded in `sources` with status 'ignored' (so nothing vanishes unseen), not loaded or rejected.
DEFAULT_EXCLUDE = ("README*", "LICENSE*", "LICENCE*", "MANIFEST*", "CHANGELOG*", "*.sha256", "*.md5")


class MinHashParams(BaseModel):
    """The MinHash scheme (see transforms.minhash.MinHasher). Changing it makes new signatures
    incomparable with committed ones: those articles then match by exact hash only."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    num_perm: int = 128
    shingle: int = Field(6, ge=1)
    seed: int = 1
    unit: str = "word"
    fold_ocr: bool = True

    def hasher(self) -> MinHasher:
        return MinHasher(**self.model_dump())


class RunConfig(BaseModel):
    """One ingest run's settings. ``sources`` empty means the bundled examples/."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: list[str] = Field(default_factory=list, description="Folders or files to ingest.")
    warehouse: str = Field("warehouse", description="Warehouse folder (DuckLake catalog and Parquet data).")
    catalog: str | None = Field(
        None,
        description="A new warehouse's DuckLake catalog on PostgreSQL (postgresql://USER@HOST:PORT/DB;"
        " password from PGPASSWORD); default: catalog.sqlite in the warehouse folder.",
    )
    data_path: str | None = Field(
        None,
        description="A new warehouse's data files on S3 (s3://BUCKET/PREFIX/; credentials from AWS_*"
        " variables); default: data/ in the warehouse folder.",
    )
    batch_size: int = Field(500, ge=1, description="Files per batch (bounds memory).")
    chunk_articles: int = Field(
        2_000,
        ge=1,
        description="Articles a task holds in memory at once: a batch (or one file of many records)"
        " with more is cleaned, deduplicated and read by NER in chunks of this many.",
    )
    models: dict[str, str] = Field(
        default_factory=lambda: {"en": DEFAULT_MODEL, "fr": FRENCH_MODEL},
        description="spaCy model package per ISO 639-1 language; articles in other languages get no"
        " entities, quotes, amounts or dates (articles.nlp_skipped says so). Loaded only when a run"
        " has articles in that language.",
    )
    n_process: int = Field(1, ge=1, description="spaCy worker processes for NER.")
    nlp_batch_size: int = Field(64, ge=1, description="Texts per spaCy batch.")
    max_file_bytes: int = Field(256 * 1024 * 1024, ge=1, description="Larger files are rejected unread.")
    max_decompressed_bytes: int = Field(512 * 1024 * 1024, ge=1, description="Gzip bomb limit.")
    read_timeout_s: float = Field(
        60.0,
        gt=0,
        description="Seconds one file's read may take; past it the file is rejected (read_timeout)"
        " and the run goes on (a hung mount must not hold the writer lock).",
    )
    max_text_chars: int = Field(MAX_TEXT_CHARS, ge=1, description="Longer texts are rejected.")
    # The date a dateline without a year ("SALVADOR, Feb 26 -") is read against; None: the
    # file's modification time, right for a drop folder of fresh news, wrong for an archive.
    reference_date: date | None = Field(None, description="Date undated datelines are read against.")
    lock_wait_seconds: float = Field(0.0, ge=0, description="Seconds to wait for another run's lock.")
    exclude: list[str] = Field(
        default_factory=lambda: list(DEFAULT_EXCLUDE),
        description="File name patterns recorded as ignored instead of loaded.",
    )
    allow_outside_links: bool = Field(
        False, description="Load files whose symbolic links point outside the source folders."
    )
    # An archive fed from a rotating inbox must not lose what it once read: "keep" is the default.
    # A retraction is a file deleted on purpose: "remove" takes its articles out of every table.
    missing_files: Literal["keep", "remove"] = Field(
        "keep",
        description="A source file gone since the last run: keep its articles (recorded as missing in"
        " sources), or remove them from every table.",
    )
    aliases: str | None = Field(None, description="CSV of extra entity aliases (alias,name,label).")
    keywords: bool = Field(True, description="Extract keywords.")
    progress: bool = Field(False, description="Show progress bars (the CLI turns them on).")
    text_helper: bool = Field(True, description="Run text-only extractors in a helper process.")
    minhash: MinHashParams = Field(default_factory=MinHashParams)
    near_duplicates: NearDupParams = Field(default_factory=NearDupParams)
    stories: StoryParams = Field(default_factory=StoryParams)
    pair_entities_per_article: int = Field(
        100, ge=2, description="entity_pairs: pairs among each article's this many most-mentioned entities."
    )
    # The lede and opening paragraphs tell which event a report is about; the rest adds cost
    # (dev sets, bench/notes/stories-grid.txt: 3,000-4,000 as good as the whole text).
    story_text_chars: int = Field(4000, ge=1, description="Characters of each body stories read.")

    @field_validator("models")
    @classmethod
    def _language_codes(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [code for code in value if not (code.isalpha() and code.islower() and len(code) in (2, 3))]
        if bad:
            raise ValueError(f"languages are ISO 639-1 codes such as en or fr, not {bad}")
        return value

    @field_validator("minhash")
    @classmethod
    def _valid_scheme(cls, value: MinHashParams) -> MinHashParams:
        value.hasher()  # MinHasher checks its own arguments
        return value

    def source_paths(self) -> list[Path]:
        from flows.locations import local_path

        return [local_path(s) for s in (self.sources or [str(EXAMPLES)])]

    def warehouse_path(self) -> Path:
        from flows.locations import local_path

        return local_path(self.warehouse)

    def location(self):
        """Where a new warehouse's catalog and data go (warehouse.lake.Location)."""
        from warehouse.lake import Location, postgres_dsn

        data = self.data_path
        if data and not data.endswith("/"):
            data += "/"
        return Location(postgres_dsn(self.catalog) if self.catalog else None, data)
