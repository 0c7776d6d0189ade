"""HTML pages: main text and metadata by trafilatura, after our own encoding detection."""

from __future__ import annotations

import trafilatura

from transforms.dates import parse_timestamp
from transforms.decoding import decode_bytes
from transforms.formats import HTML
from transforms.html_meta import page_title_and_authors
from transforms.records import LoadResult, RawArticle, RejectError
from transforms.text_stats import word_count

# Below this the extractor has found navigation or a footer, not an article: error pages,
# index pages and consent walls all land here.
MIN_ARTICLE_WORDS = 15


def _authors(value: str | None) -> list[str]:
    if not value:
        return []
    return [a.strip() for a in value.split(";") if a.strip()]


def load_html(path: str, data: bytes) -> LoadResult:
    """One article per page; a page with no extractable main text is rejected, not kept empty."""
    html, encoding = decode_bytes(data, html=True)
    if "<" not in html:
        raise RejectError("not_html", "the file has an HTML extension but holds no markup")
    try:
        doc = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception as exc:  # trafilatura/lxml raise many types on broken markup
        raise RejectError("malformed_html", f"{type(exc).__name__}: {exc}") from None
    text = (doc.text or "").strip() if doc is not None else ""
    words = word_count(text)
    if words < MIN_ARTICLE_WORDS:
        raise RejectError(
            "no_article_text",
            f"no main article text in the page ({words} words found, {MIN_ARTICLE_WORDS} needed)",
        )
    published = parse_timestamp(doc.date)
    title, _, authors = page_title_and_authors(html, doc.title, _authors(doc.author), doc.sitename, doc.url)
    article = RawArticle(
        source_path=path,
        record_index=0,
        text=text,
        input_format=HTML,
        encoding=encoding,
        title=title or None,
        authors=authors,
        published_at=published,
        published_at_source="html_meta" if published else "none",
        published_at_raw=doc.date,
        language=doc.language or None,
        url=doc.url or None,
        external_id=doc.url or None,
        description=doc.description or None,
        site_name=doc.sitename or None,
    )
    return LoadResult(articles=[article], encoding=encoding)
