from datetime import UTC, datetime

from tests.conftest import SEEDS
from tests.factories import clean_article
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
    return clean_article(article_id, text, source_path=path, title=title, published_at=published)


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
    trimmed = article("trimmed", "a.txt", text=" ".join(words[: len(words) * 2 // 5]))
    out, dups, _ = decide([trimmed, full])
    assert (dups["trimmed"].canonical_id, dups["trimmed"].kind) == ("full", "near")
    # Jaccard alone (about 0.4 here) would have missed it; the method says why it was joined
    assert dups["trimmed"].method == "containment" and dups["trimmed"].similarity >= 0.9


def ocr(text: str, every: int) -> str:
    """The confusions OCR makes (m->rn, l->1, e->c, o->0, i->l, h->b), on every n-th confusable letter."""
    swaps = {"m": "rn", "l": "1", "e": "c", "o": "0", "i": "l", "h": "b"}
    out, seen = [], 0
    for ch in text:
        if ch in swaps:
            seen += 1
            if seen % every == 0:
                out.append(swaps[ch])
                continue
        out.append(ch)
    return "".join(out)


def test_ocr_noised_copy_is_a_near_duplicate():
    noisy = ocr(STORY, every=6)  # about one word in three has a wrong letter
    assert "rn" in noisy and "1" in noisy and "c0uncil" in noisy
    _, dups, _ = decide([article("clean", "a.txt"), article("scan", "b.txt", text=noisy)])
    assert (dups["scan"].canonical_id, dups["scan"].kind, dups["scan"].method) == ("clean", "near", "jaccard")
    assert dups["scan"].similarity >= 0.7
    # without the OCR folding, word shingles lose most of it
    plain = MinHasher(fold_ocr=False)
    hashes, owner = plain.shingle_hashes([normalised_for_hash(STORY), normalised_for_hash(noisy)])
    sigs, _ = plain.signatures(hashes, owner, 2)
    assert (sigs[0] == sigs[1]).mean() < 0.5


def test_reports_written_to_one_template_stay_apart():
    template = (
        "Northfield Savings Bank said its board declared a quarterly dividend of {} cents a share, "
        "payable on {} to shareholders of record on {}. The bank said the payment compares with {} cents "
        "a share in the previous quarter and reflects earnings of {} million dollars for the period, "
        "against {} million dollars a year earlier. The bank has {} branches in the county."
    )
    one = template.format("12", "April 24", "April 10", "11", "4.2", "3.9", "14")
    two = template.format("15", "July 2", "June 18", "12", "5.1", "4.4", "16")
    _, dups, _ = decide([article("q1", "a.txt", text=one), article("q2", "b.txt", text=two)])
    assert dups == {}


def test_method_says_why_each_member_joined():
    a = article("a", "a.txt", title="Council keeps libraries open")
    same = article("same", "b.txt", title="Council keeps libraries open")
    retitled = article("retitled", "c.txt", title="Libraries saved in budget vote")
    _, dups, _ = decide([a, same, retitled])
    assert {k: (d.kind, d.method) for k, d in dups.items()} == {
        "same": ("exact", "exact"),
        "retitled": ("near", "jaccard"),
    }


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
    assert repoints == [
        Repoint("old", "new", "exact", 1.0, "exact"),
        Repoint("old-dup", "new", "near", 1.0, "jaccard"),
    ]


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


LOCAL = [
    "Shares in the group's regional cable partner, which employs about 400 people at its call centre in "
    "the town, were little changed in afternoon trading on the local exchange.",
    "A spokeswoman for the partner said the results would not affect the planned opening of a second "
    "office on the business park next spring, and that hiring for the 60 new posts would go ahead.",
]
OWN = [
    "Media analysts in the city were divided on Monday over what last week's figures from the largest "
    "American entertainment groups mean for local advertisers and the small agencies that serve them.",
    "Several agency owners said that their clients had moved a growing share of their budgets to "
    "search advertising over the past year, and that they expected the shift to continue.",
    "One of them, who runs a firm of twelve people near the station, said the change had forced her "
    "to retrain staff and to drop two long-standing print contracts in the autumn.",
    "Others pointed out that television still takes the largest share of spending in the region, and "
    "that the figures say little about how small businesses choose where to advertise.",
    "The chamber of commerce plans to hold a breakfast meeting on the subject next month, with "
    "speakers from two agencies and the regional newspaper group.",
]


def bbc_paragraphs(name: str) -> list[str]:
    from tests.conftest import corpus

    raw = (corpus("bbc") / name).read_text(encoding="utf-8")
    return split_body(raw, given_title=None, input_format="text").paragraphs


def test_wire_story_with_local_paragraphs_is_a_duplicate_of_the_wire_story():
    wire = bbc_paragraphs("business/001.txt")[:2]  # a short wire item, printed inside a longer story
    reprint = [wire[0], LOCAL[0], wire[1], LOCAL[1], *OWN[2:]]
    _, dups, _ = decide(
        [
            article("wire", "a.txt", text="\n\n".join(wire), title="Ad sales boost Time Warner profit"),
            article(
                "local", "b.txt", text="\n\n".join(reprint), title="Time Warner profit up; local jobs safe"
            ),
        ]
    )
    # all of the wire text is in the local story, though it is under half of it: the shorter
    # wire item is the duplicate (the longer, more complete text is canonical), by containment
    assert (dups["wire"].canonical_id, dups["wire"].kind, dups["wire"].method) == (
        "local",
        "near",
        "containment",
    )
    assert dups["wire"].similarity >= 0.9


def test_article_that_quotes_one_paragraph_of_another_is_not_its_duplicate():
    wire = bbc_paragraphs("business/001.txt")
    quoting = [OWN[0], OWN[1], wire[1], *OWN[2:]]
    _, dups, _ = decide(
        [
            article("wire", "a.txt", text="\n\n".join(wire), title="Ad sales boost Time Warner profit"),
            article("quoting", "b.txt", text="\n\n".join(quoting), title="Agencies split on ad shift"),
        ]
    )
    assert dups == {}


def test_a_batch_shorter_than_one_shingle_in_all_is_hashed():
    # a drop folder holding one two-word brief: fewer words (and characters) than one shingle
    for hasher in (MinHasher(), MinHasher(unit="char", shingle=12)):
        hashes, owner = hasher.shingle_hashes(["strike off", ""])
        sigs, sizes = hasher.signatures(hashes, owner, 2)
        assert sizes.tolist() == [1, 0]
        again, _ = hasher.signatures(*hasher.shingle_hashes(["strike off"]), 1)
        assert (again[0] == sigs[0]).all()
