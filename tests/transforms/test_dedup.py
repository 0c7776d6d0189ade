from datetime import UTC, datetime

from tests.conftest import SEEDS
from transforms.clean import split_body
from transforms.dedup import (
    Committed,
    NearDupParams,
    Repoint,
    apply_decisions,
    content_hash,
    dedup_key,
    normalised_for_hash,
    resolve_duplicates,
)
from transforms.minhash import MinHasher
from transforms.records import CleanArticle

MH = MinHasher()
STORY = (
    "Portmere city council approved a budget on Tuesday night that keeps all six branch libraries open, "
    "reversing a proposal from January that would have closed two of them. Councillors voted 9 to 4 for "
    "the plan, which takes money from the parking revenue fund to cover the running costs of the libraries "
    "for the next financial year. Council leader Helen Marsh said the vote showed that residents had been "
    "heard. More than two thousand people wrote to the council about the libraries, she said, more letters "
    "than it received about any other item in the budget."
)


def article(article_id, path, text=STORY, title="T", published=None) -> CleanArticle:
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
        word_count=len(text.split()),
        sentence_count=1,
        char_count=len(text),
        reading_time_min=0.0,
        captions=[],
        credits=[],
        boilerplate=[],
        content_hash=content_hash(title, text),
    )


def keys_of(articles):
    hashes, owner = MH.shingle_hashes([normalised_for_hash(a.text) for a in articles])
    sigs, sizes = MH.signatures(hashes, owner, len(articles))
    return [dedup_key(a, s, n) for a, s, n in zip(articles, sigs, sizes, strict=True)]


def decide(articles, committed=()):
    duplicates, repoints = resolve_duplicates(keys_of(articles), committed)
    return apply_decisions(articles, duplicates), duplicates, repoints


def committed(a, canonical_id, kind):
    (key,) = keys_of([a])
    return Committed(key, canonical_id, kind)


def test_normalisation_folds_case_space_punctuation_and_unicode():
    assert normalised_for_hash("The  “Quick”\nfox’s ＦＯＸ!") == normalised_for_hash('the "quick" fox s fox')


def test_title_is_part_of_the_exact_key():
    assert content_hash("A", "body") != content_hash("B", "body")
    assert content_hash("A", "body  text") == content_hash("a", "Body text")


def test_earliest_published_is_canonical_then_path():
    late = article("late", "a.txt", published=datetime(2025, 1, 2, tzinfo=UTC))
    early = article("early", "z.txt", published=datetime(2025, 1, 1, tzinfo=UTC))
    undated = article("undated", "0.txt")
    other = article("other", "b.txt", text="Different text entirely, about a storm on the west coast.")
    out, dups, repoints = decide([late, undated, early, other])
    assert sorted((a.article_id, a.canonical_id, a.dedup_kind) for a in out) == [
        ("early", "early", "canonical"),
        ("late", "early", "exact"),
        ("other", "other", "canonical"),
        ("undated", "early", "exact"),
    ]
    assert repoints == []


def test_new_headline_same_body_is_a_near_duplicate_with_similarity_one():
    a = article("a", "a.txt", title="Council keeps libraries open")
    b = article("b", "b.txt", title="Libraries saved in budget vote")
    out, dups, _ = decide([a, b])
    assert (dups["b"].canonical_id, dups["b"].kind, dups["b"].similarity) == ("a", "near", 1.0)


def test_trimmed_copy_is_caught_by_containment_and_the_longer_is_canonical():
    full = article("full", "z.txt")
    words = STORY.split()
    trimmed = article("trimmed", "a.txt", text=" ".join(words[: len(words) * 3 // 5]))
    out, dups, _ = decide([trimmed, full])
    assert dups["trimmed"].canonical_id == "full" and dups["trimmed"].kind == "near"
    assert dups["trimmed"].similarity < 0.8  # Jaccard alone would have missed it


def test_same_story_told_differently_is_not_a_duplicate():
    seeds = []
    for name in ("a", "b"):
        body = split_body(
            (SEEDS / f"atacms-authorization-{name}.txt").read_text(), given_title=None, input_format="text"
        )
        seeds.append(article(name, f"{name}.txt", text="\n\n".join(body.paragraphs), title=None))
    out, dups, _ = decide(seeds)
    assert dups == {}


def test_decision_does_not_depend_on_input_order():
    items = [article(str(i), f"{9 - i}.txt") for i in range(6)]
    first, _, _ = decide(items)
    again, _, _ = decide(list(reversed([article(str(i), f"{9 - i}.txt") for i in range(6)])))
    assert {a.article_id for a in first if a.dedup_kind == "canonical"} == {"5"}
    assert {a.article_id for a in again if a.dedup_kind == "canonical"} == {"5"}


def test_committed_canonical_keeps_its_place_when_it_sorts_first():
    old = article("old", "a.txt")
    out, dups, repoints = decide([article("new", "b.txt")], [committed(old, "old", "canonical")])
    assert (out[0].canonical_id, out[0].dedup_kind, repoints) == ("old", "exact", [])


def test_new_article_that_sorts_first_takes_over_the_committed_cluster():
    old = article("old", "m.txt")
    old_dup = article("old-dup", "z.txt", title="Other headline")
    out, dups, repoints = decide(
        [article("new", "a.txt")], [committed(old, "old", "canonical"), committed(old_dup, "old", "near")]
    )
    assert (out[0].canonical_id, out[0].dedup_kind, dups) == ("new", "canonical", {})
    assert repoints == [Repoint("old", "new", "exact", 1.0), Repoint("old-dup", "new", "near", 1.0)]


def test_short_texts_need_more_than_containment():
    params = NearDupParams()
    a = article("a", "a.txt", text="Rail strike called off.")
    b = article("b", "b.txt", text="Rail strike called off after a pay offer from the operators association.")
    _, dups, _ = decide([a, b])
    assert dups == {} and params.min_shingles > 3


def test_content_hash_from_a_normalised_body_equals_the_joined_form():
    for title, text in [
        ("Storm!", '"Gusts" of 80 mph'),
        (None, "Body only"),
        ("", "  x  "),
        ("Café", "\u0301e"),
    ]:
        joined = normalised_for_hash(f"{title or ''}\n{text}")
        assert content_hash(title, text) == content_hash(title, text, normalised_for_hash(text))
        assert content_hash(title, text) == content_hash(None, joined)
