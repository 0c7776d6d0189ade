"""Corpus-wide entity resolution: which article-level entities are the same entity.

Mentions are written once, with ids from their own article (``transforms.entities``). What one
article cannot know ("Biden" alone in an article is the Joe Biden of the rest of the corpus; an
article's "ATACMS" is another's "Army Tactical Missile System") is decided here over every entity
in the warehouse, and kept as redirects from local ids to canonical ones. Redirects are rebuilt at
each run from the whole set, so the answer does not depend on the order articles arrived in, and
a new alias in the alias table reaches old articles too.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from transforms.aliases import AliasTable
from transforms.entities import entity_id

PLACE_LABELS = ("GPE", "LOC")


@dataclass(frozen=True)
class LocalEntity:
    entity_id: str
    name: str
    label: str
    article_count: int
    acronyms: tuple[str, ...] = ()
    determiner_share: float = 0.0  # share of its mentions right after "the", "a" or "an"
    # how its mentions' neighbouring words compare with other labels' (transforms.name_usage):
    # below 0, more like ``usage_label``'s; None when not measured (not a PERSON, or too rare)
    person_margin: float | None = None
    usage_label: str | None = None
    # articles that name it twice or more, and those where one of them is shorter ("Howard",
    # "Ms Jowell" for Michael Howard, Tessa Jowell): news names a person again by surname
    repeated_articles: int = 0
    shortened_articles: int = 0


@dataclass(frozen=True)
class Redirect:
    entity_id: str
    canonical_entity_id: str
    canonical_name: str
    canonical_label: str
    reason: str


@dataclass(frozen=True)
class ResolutionParams:
    # A bare surname joins the full name that has this many times more articles than the next.
    surname_dominance: float = 5.0
    # A single word labelled two ways takes the label it has in this many times more articles.
    # (only with enough articles to know: a Washington in 5 articles may still be a person)
    label_dominance: float = 4.0
    label_min_articles: int = 20
    # A "person" whose mentions follow "the", "a" or "an" this often is not one ("the Lib Dems",
    # "an Oscar", "the Premiership", "a Briton"): the model's label loses to the grammar.
    determiner_share: float = 0.25
    determiner_min_articles: int = 3
    # A "person" whose mentions' neighbours ("oil firm Yukos", "at Everton", "Manchester United
    # manager") are, on average, this much more like another label's (log-likelihood ratio per
    # mention, transforms.name_usage) takes that label, unless its first word is the first name
    # of other full names. Chosen on BBC: bench/person_names.py lists what it moves.
    usage_margin: float = 0.3
    # ... averaged as if it had this many more mentions with no evidence, so a name seen in three
    # articles needs more than a few odd neighbours (results tables, "a Lo Cicero try") to move
    usage_prior_mentions: float = 5.0
    usage_first_names: int = 2  # full names that make a first word a first name
    # A full "person" name repeated in this many articles and never shortened in any ("Franz
    # Ferdinand", a band, where a person would be "Ferdinand" or "Mr Ferdinand" the second time)
    # is not a person's, unless its first word is a first name as above ("Bill Thompson", named
    # in full in a columnist's standfirst and byline). bench/person_names.py lists what it moves.
    unshortened_articles: int = 4


def _singular_name(name: str) -> str:
    """The name with its last word singular: "Lib Dems" -> "lib dem", "Tories" -> "tory"."""
    head, _, last = name.casefold().rpartition(" ")
    if last.endswith("ies") and len(last) > 4:
        last = last[:-3] + "y"
    elif last.endswith("s") and not last.endswith("ss") and len(last) > 3:
        last = last[:-1]
    return f"{head} {last}".strip()


def _is_acronym(name: str) -> bool:
    return " " not in name and sum(c.isupper() for c in name) >= 2 and name.upper() == name


def resolve_entities(
    entities: Iterable[LocalEntity],
    aliases: AliasTable,
    params: ResolutionParams = ResolutionParams(),
    places: Callable[[str], tuple[int, str] | None] | None = None,
) -> list[Redirect]:
    """Redirects for every local entity that is another one, by alias, place, label, acronym or
    surname. ``places`` gives a place name's gazetteer id and own name (None: not a known place)."""
    # In id order: ties below (two spellings of one name with one label) must not depend on the
    # order a query happened to return the rows in.
    ents = {e.entity_id: e for e in sorted(entities, key=lambda e: e.entity_id)}
    target: dict[str, tuple[str, str, str]] = {}  # id -> (name, label, reason)

    for e in ents.values():  # 1. the curated alias table
        if e.name in aliases and aliases[e.name] != (e.name, e.label):
            name, label = aliases[e.name]
            target[e.entity_id] = (name, label, "alias")

    if places is not None:  # 1b. one place under several names or labels ("Royaume-Uni", "Kiev")
        by_place: dict[int, list[LocalEntity]] = defaultdict(list)
        gazetteer_name: dict[int, str] = {}
        for e in ents.values():
            found = places(e.name) if e.entity_id not in target and e.label in PLACE_LABELS else None
            if found is not None:
                by_place[found[0]].append(e)
                gazetteer_name[found[0]] = found[1]
        for place_id, group in by_place.items():
            if len(group) < 2:
                continue
            # the gazetteer's own (English) name as the model labelled it most, else the most used
            best = max(
                group,
                key=lambda e: (
                    e.name.casefold() == gazetteer_name[place_id].casefold(),
                    e.label == "GPE",
                    e.article_count,
                    e.name,
                ),
            )
            for e in group:
                if e is not best:
                    target[e.entity_id] = (best.name, best.label, "place")

    # 1c. "people" used with an article ("the Lib Dems", "an Oscar"), unless the name is shaped
    # like the corpus's people: a first name of a full name ("Ryan Jones", "James") or a surname
    # of one ("the Clinton campaign" is still Clinton)
    other_labels: dict[str, Counter[str]] = defaultdict(Counter)
    first_names: Counter[str] = Counter()  # first word -> full names that start with it
    surnames: set[str] = set()
    full_names: set[str] = set()
    for e in ents.values():
        if e.label != "PERSON":
            other_labels[e.name.casefold()][e.label] += e.article_count
        elif " " in e.name and e.article_count >= 2 and e.determiner_share < params.determiner_share:
            # a full name seen in two articles, itself not used with an article (one-off spans such
            # as "Briton Karl Keska" or "Premiership Fulham" would make any word a first name)
            words = e.name.casefold().split()
            first_names[words[0]] += 1
            surnames.add(words[-1])
            full_names.add(e.entity_id)
    for e in ents.values():
        words = e.name.casefold().split()
        if e.entity_id in target or e.label != "PERSON" or e.article_count < params.determiner_min_articles:
            continue
        seen = other_labels.get(e.name.casefold())
        person_shaped = words[0] in first_names or (len(words) == 1 and words[0] in surnames)
        # two other full names start with its first word (Gary McKendry: Gary Neville, Gary Speed;
        # one is not enough: "BBC Sport Wales", "Xbox 2"); a bare surname gets no pass here ("at
        # Blackburn" is the club, whoever Tony Blackburn is)
        others = first_names[words[0]] - (e.entity_id in full_names)
        first_name = len(words) > 1 and others >= params.usage_first_names
        corpus_label = seen.most_common(1)[0][0] if seen else "ORG"  # its label elsewhere, if any
        if e.determiner_share >= params.determiner_share and not person_shaped:
            target[e.entity_id] = (e.name, corpus_label, "not_a_person")
        elif (
            e.person_margin is not None
            and e.usage_label is not None
            and e.person_margin <= -params.usage_margin
            and not first_name
        ):
            target[e.entity_id] = (e.name, e.usage_label, "not_a_person")
        elif (
            len(words) > 1
            and e.repeated_articles >= params.unshortened_articles
            and e.shortened_articles == 0
            and not first_name
        ):
            target[e.entity_id] = (e.name, e.usage_label or corpus_label, "not_a_person")
        # ... nor is a one-word "person" that the gazetteer knows as a place, that the corpus
        # also labels a place, and that is no one's surname ("Glasgow", the rugby side; a first
        # name does not count here: "Glasgow Rangers" is tagged PERSON too)
        elif (
            len(words) == 1
            and words[0] not in surnames
            and seen is not None
            and (seen["GPE"] or seen["LOC"])
            and places is not None
            and places(e.name) is not None
        ):
            target[e.entity_id] = (e.name, "GPE" if seen["GPE"] >= seen["LOC"] else "LOC", "not_a_person")

    # 2. one name, several labels; a "person" relabelled above counts with its new label
    by_name: dict[str, list[tuple[LocalEntity, str, str]]] = defaultdict(list)
    for e in ents.values():
        if e.entity_id not in target:
            by_name[e.name.casefold()].append((e, e.name, e.label))
        elif target[e.entity_id][2] == "not_a_person":
            name, label, _ = target[e.entity_id]
            by_name[name.casefold()].append((e, name, label))
    for group in by_name.values():
        labels = {label for _, _, label in group}
        single_word = " " not in group[0][1] and not _is_acronym(group[0][1])
        # A single word may truly be two things ("Washington", "Jordan"); only the model's
        # demonym confusion ("Ukrainian" as NORP and GPE) is merged for it.
        best, best_name, best_label = max(group, key=lambda g: (g[0].article_count, g[2]))
        rest = sum(e.article_count for e, _, _ in group) - best.article_count
        # a single word with one reading in most articles ("Labour" a party in 143, a person in 29)
        dominant = params.label_dominance * rest <= best.article_count >= params.label_min_articles
        if len(labels) > 1 and (not single_word or "NORP" in labels or dominant):
            for e, _, _ in group:
                if e is not best and e.entity_id not in target:
                    target[e.entity_id] = (best_name, best_label, "label")

    by_singular: dict[str, list[LocalEntity]] = defaultdict(list)  # 2b. "Lib Dem" / "Lib Dems"
    for e in ents.values():
        if e.entity_id not in target:
            by_singular[_singular_name(e.name)].append(e)
    for group in by_singular.values():
        if len({e.name for e in group}) < 2:
            continue
        if all(e.label == "PERSON" and " " not in e.name for e in group):
            continue  # "William" and "Williams" are two people
        best = max(group, key=lambda e: (e.article_count, e.name, e.label))
        for e in group:
            if e is not best:
                target[e.entity_id] = (best.name, best.label, "plural")

    def final(e: LocalEntity) -> tuple[str, str]:
        name, label, _ = target.get(e.entity_id, (e.name, e.label, ""))
        return name, label

    expansions: dict[str, set[tuple[str, str]]] = defaultdict(set)  # 3. acronyms defined anywhere
    for e in ents.values():
        for short in e.acronyms:
            # a short form that is a word of the name is that name's head, not its acronym
            # ("GOP" in "Indiana GOP", "PAC" in "Hillary PAC"; "TRUMP" for "Donald Trump" stays)
            if short not in e.name.split() + final(e)[0].split():
                expansions[short].add(final(e))
    for e in ents.values():
        if e.entity_id in target or not _is_acronym(e.name):
            continue
        found = expansions.get(e.name, set())
        if len(found) == 1:
            name, label = next(iter(found))
            if (name, label) != (e.name, e.label):
                target[e.entity_id] = (name, label, "acronym")

    full_by_surname: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # 4. surnames
    for e in ents.values():
        name, label = final(e)
        # a full name is person-shaped: capitalised words, the first not a function word
        if label == "PERSON" and " " in name and name[:1].isupper():
            full_by_surname[name.rsplit(" ", 1)[1]][name] += e.article_count
    other_labels: dict[str, int] = defaultdict(int)  # articles where the bare word is not a person
    for e in ents.values():
        if e.label != "PERSON" and " " not in e.name:
            other_labels[e.name] += e.article_count
    for e in ents.values():
        if e.entity_id in target or e.label != "PERSON" or " " in e.name:
            continue
        if other_labels.get(e.name, 0) > e.article_count:
            continue  # "Labour" is a party in most articles: not the surname of whoever
        if e.person_margin is not None and e.person_margin < 0:
            continue  # used more like a place's or a club's ("Bolton boss Sam Allardyce")
        ranked = sorted(full_by_surname.get(e.name, {}).items(), key=lambda kv: (-kv[1], kv[0]))
        if ranked and (len(ranked) == 1 or ranked[0][1] >= params.surname_dominance * ranked[1][1]):
            target[e.entity_id] = (ranked[0][0], "PERSON", "surname")

    redirects = []
    for local_id, (name, label, reason) in sorted(target.items()):
        canonical = entity_id(label, name)
        if canonical != local_id:
            redirects.append(Redirect(local_id, canonical, name, label, reason))
    return redirects
