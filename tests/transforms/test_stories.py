"""Story clustering: the seeds are one story, average linkage does not chain, time decays."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from tests.conftest import seed_text
from transforms.clean import split_body
from transforms.ids import stable_id
from transforms.stories import (
    StoryInput,
    StoryParams,
    average_linkage,
    cluster_stories,
    mutual_nearest_boost,
    settle_story_ids,
    window_days,
)

STOP = frozenset("the a an and of to in on for is was it that with as by at from be has have said".split())


def seed(name: str) -> StoryInput:
    body = split_body(seed_text(name), given_title=None, input_format="text")
    return StoryInput(name, body.title, "\n\n".join(body.paragraphs), None)


OTHER = [
    StoryInput("storm", "Storm Ilse brings amber warning", "Gusts of 80 mph are expected on the west coast "
               "tonight as Storm Ilse arrives, forecasters warned, and ferries have been cancelled.", None),
    StoryInput("market", "Traders back late opening", "Stallholders at the covered market say Thursday late "
               "opening has brought new customers, with takings up by a quarter.", None),
    StoryInput("rail", "Rail strike called off", "A planned rail strike was called off after the operators "
               "made an improved pay offer to the drivers' union.", None),
]  # fmt: skip


def test_the_two_seed_articles_are_one_story_and_others_stay_apart():
    articles = [seed("a"), seed("b"), *OTHER]
    labels = cluster_stories(articles, STOP)
    assert labels == [0, 0, 2, 3, 4]


def test_average_linkage_does_not_chain_through_a_middle_article():
    # a~b and b~c are close, a and c share nothing: single link would make one story of three
    pairs = [(0, 1, 0.5), (1, 2, 0.45)]
    assert average_linkage(3, pairs, threshold=0.3) == [0, 0, 2]
    # with a and c also related, the average clears the threshold and all three join
    assert average_linkage(3, [*pairs, (0, 2, 0.2)], threshold=0.3) == [0, 0, 0]


def test_a_mutual_best_match_just_under_the_threshold_joins_and_a_one_sided_one_does_not():
    # b and c are each other's closest article; a's closest is b, but b has a closer one (c),
    # and so has d (its closest is c, whose closest is b)
    def boosted_pairs(count: int, pairs: list[tuple[int, int, float]], boost: float) -> list:
        rows = np.array([p[0] for p in pairs], dtype=np.int64)
        cols = np.array([p[1] for p in pairs], dtype=np.int64)
        sims = mutual_nearest_boost(count, rows, cols, np.array([p[2] for p in pairs], dtype=float), boost)
        return [(int(i), int(j), float(v)) for i, j, v in zip(rows, cols, sims, strict=True)]

    pairs = [(0, 1, 0.15), (1, 2, 0.16), (2, 3, 0.15)]
    boosted = boosted_pairs(4, pairs, 0.5)
    assert boosted == [(0, 1, 0.15), (1, 2, 0.16 * 1.5), (2, 3, 0.15)]
    assert average_linkage(4, pairs, 0.175) == [0, 1, 2, 3]
    assert average_linkage(4, boosted, 0.175) == [0, 1, 1, 3]
    # a tie for the best counts as mutual on both sides
    assert boosted_pairs(3, [(0, 1, 0.2), (0, 2, 0.2)], 1.0) == [(0, 1, 0.4), (0, 2, 0.4)]
    assert boosted_pairs(2, [], 0.5) == []


def test_the_result_does_not_depend_on_the_order_pairs_arrive_in():
    pairs = [(0, 1, 0.6), (2, 3, 0.7), (1, 2, 0.25), (0, 3, 0.1), (4, 5, 0.2)]
    assert average_linkage(6, pairs, 0.15) == average_linkage(6, list(reversed(pairs)), 0.15)


def test_reports_weeks_apart_are_less_alike_than_the_same_reports_a_day_apart():
    a, b = seed("a"), seed("b")
    day = [
        StoryInput("a", a.title, a.text, datetime(2024, 11, 18)),
        StoryInput("b", b.title, b.text, datetime(2024, 11, 19)),
    ]
    months = [day[0], StoryInput("b", b.title, b.text, datetime(2025, 2, 19))]
    assert cluster_stories([*day, *OTHER], STOP) == [0, 0, 2, 3, 4]
    assert cluster_stories([*months, *OTHER], STOP) == [0, 1, 2, 3, 4]


def test_a_new_story_takes_its_id_from_its_first_article_never_a_taken_one():
    ids, merges = settle_story_ids(["x", "y", "z"], [0, 1, 0], [None, None, None], {}, set())
    assert ids == [stable_id("story", "x"), stable_id("story", "y"), stable_id("story", "x")] and merges == []
    # an id issued before (its story since gone or merged) is never issued again
    again, _ = settle_story_ids(["x"], [0], [None], {}, {stable_id("story", "x")})
    assert again == [stable_id("story", "x", 2)]


def test_earlier_stories_keep_their_ids_and_a_merge_keeps_the_older():
    # a (story S, opened first) and b (story T) end in one cluster with new article n; c and d
    # (most of T) in another with new article m: T lands there and keeps its id, b moved to S
    ids, merges = settle_story_ids(
        ["a", "b", "n", "c", "d", "m"],
        [0, 0, 0, 3, 3, 3],
        ["S", "T", None, "T", "T", None],
        {"S": (1,), "T": (2,)},
        {"S", "T"},
    )
    assert ids == ["S", "S", "S", "T", "T", "T"] and merges == []
    # a tie lands in the first cluster holding it: there T meets the older S and is merged into it
    ids, merges = settle_story_ids(
        ["a", "b", "c"], [0, 0, 2], ["S", "T", "T"], {"S": (1,), "T": (2,)}, {"S", "T"}
    )
    assert ids[:2] == ["S", "S"] and ids[2] not in ("S", "T") and merges == [("T", "S")]


def test_a_story_whose_members_all_joined_an_older_one_is_recorded_as_merged():
    ids, merges = settle_story_ids(
        ["b1", "b2", "a", "n"], [0, 0, 0, 0], ["T", "T", "S", None], {"S": (1,), "T": (2,)}, {"S", "T"}
    )
    assert ids == ["S"] * 4 and merges == [("T", "S")]


def test_groups_start_items_in_clusters_already_formed():
    # 0 and 1 form a story; 2 is close to 0 only: on average it is too far from the story
    pairs = [(0, 2, 0.3)]
    assert average_linkage(3, pairs, 0.2) == [0, 1, 0]
    assert average_linkage(3, pairs, 0.2, groups=[0, 0, 2]) == [0, 0, 2]
    assert average_linkage(3, [*pairs, (1, 2, 0.2)], 0.2, groups=[0, 0, 2]) == [0, 0, 0]


def test_the_blocking_window_is_where_the_time_decay_alone_drops_below_the_pair_floor():
    p = StoryParams()
    # cosine 1 at window_days apart decays exactly to min_pair_similarity
    import math

    assert math.isclose(math.exp(-(window_days(p) - p.same_days) / p.decay_days), p.min_pair_similarity)


def test_member_similarity_is_the_mean_cosine_to_the_other_members():
    import numpy as np
    import scipy.sparse as sp

    from transforms.stories import member_similarity

    v = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0], [1.0, 0.0]])
    got = member_similarity(sp.csr_matrix(v), [0, 0, 0, 3])
    # row 0: (cos(0,1) + cos(0,2)) / 2 = (0.6 + 0.0) / 2; row 1: (0.6 + 0.8) / 2; row 2: (0 + 0.8) / 2
    assert got == [0.3, 0.7, 0.4, None]
