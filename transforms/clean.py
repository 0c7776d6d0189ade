"""Cleaning: repaired Unicode, tidy whitespace, boilerplate out (and kept), title and lede found.

The cleaned ``text`` is the article body: every character offset stored in the warehouse
(mentions, quotes, dates) points into it, so it is built once here and never changed later.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import ftfy

from transforms.dedup import content_hash, normalised_for_hash
from transforms.formats import TEXT
from transforms.mentioned_dates import publication_confidence, stated_publication_date
from transforms.records import CleanArticle, RawArticle, RejectError
from transforms.text_stats import reading_time_minutes, sentence_count, word_count
from transforms.tone import article_tone

LanguageDetector = Callable[[str], tuple[str | None, float | None]]

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_TERMINAL = re.compile(r"[.!?:;\"”’)\]]$")
_CREDIT = re.compile(
    r"""^(?:
        (?:image|photo|picture|photograph|video|illustration)s?\s+(?:is|are|was|were)\s+
            (?:in\s+the\s+public\s+domain|courtesy|by|from|licensed|used|provided|supplied)\b
      | (?:image|photo|picture|photograph|illustration)s?(?:\s+credits?)?\s*[:|—–]\s*\S
      | \(?(?:credits?|photo\s+credit|image\s+source)\s*:\s*\S
      | ©\s*\S | copyright\s+(?:©\s*)?(?:\d{4}|the\b)
      | \(?(?:reuters|ap|afp|getty\s+images|epa|pa\s+media|shutterstock|ap\s+photo)\)?\.?$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_IMAGE_CREDIT = re.compile(r"\b(image|photo|picture|photograph|illustration|getty|shutterstock)", re.I)
_CAPTION_PREFIX = re.compile(r"^(?:caption|pictured|above|top|main image)\s*[:—–-]\s*", re.I)
_CAPTION_CUE = re.compile(
    r"\b(pictured|photographed|file photo|is seen|are seen|poses|posing|showcasing)\b", re.I
)
_BOILERPLATE = re.compile(
    r"^(?:share\s+(?:this|on|via)|subscribe|sign\s+up|follow\s+us|click\s+here|read\s+more|"
    r"advertisement|related\s*:|more\s*:|see\s+also\s*:|newsletter)\b"
    # calls to action inside the article body: newsletters, letters to the editor, follow us
    r"|^get\s+(?:the\s+)?.{0,60}\b(?:newsletter|daily\s+edition|by\s+email)\b"
    r"|\bfree\s+sign\s+up$|\bsign\s+up\s+(?:for|to)\s+(?:our|the)\b.{0,40}\bnewsletter"
    r"|^we\s+want\s+to\s+hear\s+what\s+you\s+think\b|\bsubmit\s+a\s+letter\s+to\s+the\s+editor\b"
    r"|\bsuscr[ií]b\w*\s+(?:aqu[ií]\s+)?a\s+nuestra\s+newsletter|\babonnez-vous\s+[àa]\s+(?:notre|la)\s+newsletter"
    r"|\bnewsletter\s+(?:abonnieren|bestellen)\b",
    re.IGNORECASE,
)
_ONE_SENTENCE = re.compile(r"^[^.!?]+[.!?][\"”’)]*$")
_FILE_NAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_/]?([01]\d)[-_/]?([0-3]\d)(?!\d)")
MAX_TEXT_CHARS = 1_000_000
MAX_TITLE_WORDS = 20
MAX_TITLE_CHARS = 200
MAX_CAPTION_WORDS = 40
MAX_BOILERPLATE_WORDS = 30


def normalise_text(text: str) -> str:
    """ftfy (mojibake and NFC), one space between words, newlines normalised, edges trimmed."""
    # Keep what the publisher wrote: curly quotes and full-width CJK punctuation are text, not
    # damage (dedup folds them anyway, see normalised_for_hash).
    text = ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False, fix_character_width=False)
    text = _ZERO_WIDTH.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(lines).strip()


def split_paragraphs(text: str) -> list[str]:
    """Lines are paragraphs, except a hard-wrapped line, which joins the lower-case line after it."""
    paragraphs: list[str] = []
    current = ""
    for line in text.split("\n"):
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
            continue
        if current and not _TERMINAL.search(current) and line[:1].islower():
            current = f"{current} {line}"
        else:
            if current:
                paragraphs.append(current)
            current = line
    if current:
        paragraphs.append(current)
    return paragraphs


def _words(text: str) -> int:
    return len(text.split())


def is_credit(line: str) -> bool:
    return _words(line) <= MAX_BOILERPLATE_WORDS and bool(_CREDIT.match(line))


def is_boilerplate(line: str) -> bool:
    return _words(line) <= MAX_BOILERPLATE_WORDS and bool(_BOILERPLATE.search(line))


def looks_like_title(line: str) -> bool:
    """A headline is one short line that does not end like a sentence or a clause."""
    if "\n" in line or len(line) > MAX_TITLE_CHARS or _words(line) > MAX_TITLE_WORDS:
        return False
    return not line.endswith((".", ",", ";", ":")) or line.endswith("...")


def _is_caption(para: str, *, has_image_credit: bool) -> bool:
    if _CAPTION_PREFIX.match(para):
        return True
    if _words(para) > MAX_CAPTION_WORDS or not _ONE_SENTENCE.match(para):
        return False
    return has_image_credit or bool(_CAPTION_CUE.search(para))


@dataclass(slots=True)
class Body:
    """The parts a raw text splits into."""

    title: str | None
    title_source: str
    paragraphs: list[str]
    captions: list[str]
    credits: list[str]
    boilerplate: list[str]
    authors: list[str] = field(default_factory=list)


_NAME = r"[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|da|del|bin|al))*"
_BYLINE = re.compile(
    rf"^(?:by|from)\s+(?P<names>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)"
    r"(?:\s*[,|—–-]\s*(?:[A-Z][\w.]*\s*){1,4})?\.?$",
    re.IGNORECASE,
)
MAX_BYLINE_WORDS = 14


def byline_authors(para: str) -> list[str]:
    """Authors named by a byline paragraph ("By Jane Doe and John Roe, Reuters"), else []."""
    if _words(para) > MAX_BYLINE_WORDS:
        return []
    m = _BYLINE.match(para)
    if not m or para[:2].lower() not in ("by", "fr"):
        return []
    names = [n.strip() for n in re.split(r"\s*(?:,|\band\b|&)\s*", m.group("names")) if n.strip()]
    names = [n for n in names if n[0].isupper()]
    # "By Jane Doe and John Roe, Reuters": a one-word item after full names is the outlet
    full = [n for n in names if " " in n]
    return full or names[:1]


def split_body(raw_text: str, *, given_title: str | None, input_format: str) -> Body:
    """Separate title, captions, credits and boilerplate lines from the body paragraphs."""
    text = normalise_text(raw_text)
    paragraphs = split_paragraphs(text)
    if input_format == TEXT:
        paragraphs = [_MD_HEADING.sub("", p) for p in paragraphs]
    credits = [p for p in paragraphs if is_credit(p)]
    boilerplate = [p for p in paragraphs if not is_credit(p) and is_boilerplate(p)]
    removed = set(credits) | set(boilerplate)
    paragraphs = [p for p in paragraphs if p not in removed]

    title = normalise_text(given_title) if given_title else None
    title_source = "input" if title else "none"
    if title and paragraphs and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]  # HTML extractors often repeat the headline as the first line
    elif not title and len(paragraphs) > 1 and looks_like_title(paragraphs[0]):
        title, title_source, paragraphs = paragraphs[0], "first_line", paragraphs[1:]

    authors: list[str] = []
    for i, para in enumerate(paragraphs[:3]):
        authors = byline_authors(para)
        if authors and len(paragraphs) > 1:
            paragraphs = paragraphs[:i] + paragraphs[i + 1 :]
            break
    has_image_credit = any(_IMAGE_CREDIT.search(c) for c in credits)
    captions: list[str] = []
    if len(paragraphs) > 1 and _is_caption(paragraphs[0], has_image_credit=has_image_credit):
        captions.append(_CAPTION_PREFIX.sub("", paragraphs[0]))
        paragraphs = paragraphs[1:]
    return Body(title, title_source, paragraphs, captions, credits, boilerplate, authors)


def date_in_file_name(path: str) -> datetime | None:
    """A date in the file's name or folders ("2024-11-17-story.html", ".../20241117/..."), else None."""
    for m in reversed(list(_FILE_NAME_DATE.finditer(path))):
        try:
            return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    return None


def clean_article(
    raw: RawArticle,
    article_id: str,
    detect_language: LanguageDetector,
    *,
    max_chars: int = MAX_TEXT_CHARS,
    reference_date: date | None = None,
    tone_lexicon: Mapping[str, float] | None = None,
) -> CleanArticle:
    """Return the cleaned article; RejectError when nothing is left or the text is too long.

    The length cap protects NER (spaCy refuses texts over its max_length, 1,000,000 characters
    by default) and memory: a 200 MB single-line file is a reject, not a crashed run.
    Without a date from the input, the publication date is read from the very start of the text
    (a wire dateline or a date line; see transforms.mentioned_dates), then from the file name.
    ``reference_date`` (the run's, or the file's modification time) gives a dateline without a
    year ("SALVADOR, Feb 26 -") its year, and no stated date may fall after it.
    """
    if len(raw.text) > 2 * max_chars:
        raise RejectError(
            "text_too_long",
            f"{len(raw.text):,} characters before cleaning; the limit is {max_chars:,} (max_text_chars)",
        )
    body = split_body(raw.text, given_title=raw.title, input_format=raw.input_format)
    if not body.paragraphs:
        raise RejectError("empty_after_cleaning", "nothing of the body was left after removing boilerplate")
    text = "\n\n".join(body.paragraphs)
    if len(text) > max_chars:
        raise RejectError(
            "text_too_long", f"{len(text):,} characters; the limit is {max_chars:,} (max_text_chars)"
        )
    language, score = (raw.language, None) if raw.language else detect_language(text)
    published, published_source, published_raw = (
        raw.published_at,
        raw.published_at_source,
        raw.published_at_raw,
    )
    if published is None:
        stated, how = stated_publication_date(text, reference_date)
        if stated is None:
            stated, how = date_in_file_name(raw.source_path), "file_name"
        if stated is not None:
            published, published_source = stated.replace(tzinfo=UTC), how
    late = reference_date and published and published.date() > reference_date + timedelta(days=1)
    if late and published_source == "file_name":
        published, published_source = None, "none"  # a file name dated after the file was written
    tone = article_tone(text, tone_lexicon) if tone_lexicon else None
    normalised = normalised_for_hash(text)
    words = word_count(text)
    return CleanArticle(
        article_id=article_id,
        source_path=raw.source_path,
        record_index=raw.record_index,
        input_format=raw.input_format,
        encoding=raw.encoding,
        external_id=raw.external_id,
        url=raw.url,
        title=body.title,
        title_source=body.title_source,
        lede=body.paragraphs[0],
        text=text,
        authors=raw.authors or body.authors,
        published_at=published,
        published_at_source=published_source,
        published_at_raw=published_raw,
        published_at_confidence=publication_confidence(published_source, text),
        language=language,
        language_score=score,
        word_count=words,
        sentence_count=sentence_count(text),
        char_count=len(text),
        reading_time_min=reading_time_minutes(words),
        captions=body.captions,
        credits=body.credits,
        boilerplate=body.boilerplate,
        content_hash=content_hash(body.title, text, normalised),
        normalised_text=normalised,
        description=raw.description,
        site_name=raw.site_name,
        tone=tone.tone if tone else None,
        tone_positive=tone.positive if tone else None,
        tone_negative=tone.negative if tone else None,
    )
