from datetime import UTC, datetime

from transforms.dedup import content_hash, normalised_for_hash, resolve_exact
from transforms.records import CleanArticle


def article(article_id, path, text="Same text.", title="T", published=None) -> CleanArticle:
    return CleanArticle(
        article_id=article_id,
        source_path=path,
        record_index=0,
        input_format="text",
        encoding="utf-8",
        external_id=None,
        url=None,
        title=title,
        title_source="input",
        lede=text,
        text=text,
        authors=[],
        published_at=published,
        published_at_source="none",
        published_at_raw=None,
        language="en",
        language_score=None,
        word_count=2,
        sentence_count=1,
        char_count=len(text),
        reading_time_min=0.0,
        captions=[],
        credits=[],
        boilerplate=[],
        content_hash=content_hash(title, text),
    )


def test_normalisation_folds_case_space_punctuation_and_unicode():
    assert normalised_for_hash("The  “Quick”\nfox’s ＦＯＸ!") == normalised_for_hash('the "quick" fox s fox')


def test_title_is_part_of_the_exact_key():
    assert content_hash("A", "body") != content_hash("B", "body")
    assert content_hash("A", "body  text") == content_hash("a", "Body text")


def test_earliest_published_is_canonical_then_path():
    late = article("late", "a.txt", published=datetime(2025, 1, 2, tzinfo=UTC))
    early = article("early", "z.txt", published=datetime(2025, 1, 1, tzinfo=UTC))
    undated = article("undated", "0.txt")
    ordered, dups, added = resolve_exact([late, undated, early], {})
    assert [(a.article_id, a.canonical_id, a.dedup_kind) for a in ordered] == [
        ("early", "early", "canonical"),
        ("late", "early", "exact"),
        ("undated", "early", "exact"),
    ]
    assert [(d.article_id, d.canonical_id, d.kind, d.similarity) for d in dups] == [
        ("late", "early", "exact", 1.0),
        ("undated", "early", "exact", 1.0),
    ]
    assert added == {early.content_hash: "early"}


def test_warehouse_canonical_stays_canonical_across_runs():
    new = article("new", "a.txt")
    ordered, dups, added = resolve_exact([new], {new.content_hash: "old"})
    assert (ordered[0].canonical_id, ordered[0].dedup_kind, added) == ("old", "exact", {})
    again = article("old", "b.txt")
    ordered, dups, added = resolve_exact([again], {again.content_hash: "old"})
    assert (ordered[0].dedup_kind, dups) == ("canonical", [])
