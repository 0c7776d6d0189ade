"""Story clustering: the seeds are one story, average linkage does not chain, time decays."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import seed_text
from transforms.clean import split_body
from transforms.stories import StoryInput, average_linkage, cluster_stories, story_ids

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


def test_story_id_comes_from_the_first_article_of_the_story():
    ids = story_ids(["x", "y", "z"], {"x": 0, "y": 1, "z": 0})
    assert ids["x"] == ids["z"] != ids["y"]


def test_member_similarity_is_the_mean_cosine_to_the_other_members():
    import numpy as np
    import scipy.sparse as sp

    from transforms.stories import member_similarity

    v = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0], [1.0, 0.0]])
    got = member_similarity(sp.csr_matrix(v), [0, 0, 0, 3])
    # row 0: (cos(0,1) + cos(0,2)) / 2 = (0.6 + 0.0) / 2; row 1: (0.6 + 0.8) / 2; row 2: (0 + 0.8) / 2
    assert got == [0.3, 0.7, 0.4, None]
