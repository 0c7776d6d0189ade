"""Story clustering: different articles about the same event, grouped.

Two canonical articles are linked when they share enough *distinctive* named entities (seen in
few articles of the corpus, so "UK" or "Tony Blair" in a national corpus does not link
everything), with a high enough share of their entity sets, and were published within a week
of each other when both dates are known. Stories are the connected components of those links.
Duplicates join their canonical article's story; every canonical article has a story, alone if
nothing links it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from transforms.ids import stable_id


@dataclass(frozen=True)
class StoryParams:
    """Link rule; chosen so the two seed articles (one event, two outlets) share a story while
    BBC articles on different events in one topic do not chain together (see README)."""

    min_shared: int = 3
    min_jaccard: float = 0.25
    max_days: float = 7.0
    # an entity in more than this share of canonical articles (and more than max_df_floor
    # articles) is too common to say two articles tell one story
    max_df_share: float = 0.02
    max_df_floor: int = 20


def story_ids(article_order: list[str], links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Map each article id to its story id; ``article_order`` lists canonical ids, earliest first.

    A story's id is derived from its earliest article, so it is stable while that article
    stays the story's first.
    """
    rank = {a: i for i, a in enumerate(article_order)}
    parent = {a: a for a in article_order}

    def find(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in links:
        if a in parent and b in parent:
            ra, rb = find(a), find(b)
            if ra != rb:
                first, second = (ra, rb) if rank[ra] < rank[rb] else (rb, ra)
                parent[second] = first
    members = defaultdict(list)
    for a in article_order:
        members[find(a)].append(a)
    return {a: stable_id("story", root) for root, group in members.items() for a in group}
