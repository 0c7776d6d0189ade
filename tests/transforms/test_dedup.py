from datetime import UTC, datetime

from transforms.dedup import (
    Committed,
    DedupKey,
    Repoint,
    apply_decisions,
    content_hash,
    normalised_for_hash,
    resolve_exact,
)
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


def decide(articles, committed=()):
    duplicates, repoints = resolve_exact([DedupKey.of(a) for a in articles], committed)
    return apply_decisions(articles, duplicates), duplicates, repoints


def test_earliest_published_is_canonical_then_path():
    late = article("late", "a.txt", published=datetime(2025, 1, 2, tzinfo=UTC))
    early = article("early", "z.txt", published=datetime(2025, 1, 1, tzinfo=UTC))
    undated = article("undated", "0.txt")
    other = article("other", "b.txt", text="Different text.")
    out, dups, repoints = decide([late, undated, early, other])
    assert sorted((a.article_id, a.canonical_id, a.dedup_kind) for a in out) == [
        ("early", "early", "canonical"),
        ("late", "early", "exact"),
        ("other", "other", "canonical"),
        ("undated", "early", "exact"),
    ]
    assert sorted((d.article_id, d.canonical_id, d.kind, d.similarity) for d in dups.values()) == [
        ("late", "early", "exact", 1.0),
        ("undated", "early", "exact", 1.0),
    ]
    assert repoints == []


def test_decision_does_not_depend_on_input_order():
    items = [article(str(i), f"{9 - i}.txt") for i in range(6)]
    first, _, _ = decide(items)
    assert {a.article_id for a in first if a.dedup_kind == "canonical"} == {"5"}
    again, _, _ = decide(list(reversed([article(str(i), f"{9 - i}.txt") for i in range(6)])))
    assert {a.article_id for a in again if a.dedup_kind == "canonical"} == {"5"}


def test_committed_canonical_keeps_its_place_when_it_sorts_first():
    old = article("old", "a.txt")
    new = article("new", "b.txt")
    out, dups, repoints = decide([new], [Committed(DedupKey.of(old), "old", "canonical")])
    assert (out[0].canonical_id, out[0].dedup_kind, repoints) == ("old", "exact", [])


def test_new_article_that_sorts_first_takes_over_the_committed_group():
    old = article("old", "m.txt")
    old_dup = article("old-dup", "z.txt")
    new = article("new", "a.txt")
    committed = [
        Committed(DedupKey.of(old), "old", "canonical"),
        Committed(DedupKey.of(old_dup), "old", "exact"),
    ]
    out, dups, repoints = decide([new], committed)
    assert (out[0].canonical_id, out[0].dedup_kind, dups) == ("new", "canonical", {})
    assert repoints == [Repoint("old", "new", "exact"), Repoint("old-dup", "new", "exact")]
