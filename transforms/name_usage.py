"""How a name is used across the corpus: like a person's, or like another kind of name's.

The model labels each mention from its sentence alone, and a small model calls many teams,
firms, awards and films people ("Manchester United", "Yukos", "Grammy", "Kill Bill") in most of
their mentions, so the label most mentions carry cannot fix them. The words around the mentions
can: "oil firm Yukos", "Yukos shares", "at Everton", "Manchester United manager", "it" rather
than "he" after it, are the places the same model, elsewhere in the corpus, puts organisations and
places. So each label gets a profile of the words around its mentions and the pronoun after them
(the model's own labels, counted over every mention), and a name labelled PERSON is compared with
them, naive-Bayes style: per mention, the summed log-likelihood ratio of its features, person
profile against each other label's. The name's own mentions are left out of the person profile,
or a frequent name would define "a person's context" by itself.

Measured on BBC in bench/person_names.py (the PERSON names it moves, and which of
them are people). No word list: the profiles come from the corpus and the model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

PERSON = "PERSON"
# Labels a name can have instead of a person's; numbers and dates are not names.
NAME_LABELS = ("PERSON", "ORG", "GPE", "NORP", "WORK_OF_ART", "FAC", "PRODUCT", "EVENT", "LOC", "LAW")

# A mention's features (flows/steps/entities.py builds them), each "<kind> <words>": the word
# before it (L), the one before that (L2), both (LL), the same after it (R, R2, RR), and the
# first pronoun after it (P: "he", "it", "they"). Every mention has one of each, empty words
# included, so the P features count the mentions.


@dataclass(frozen=True, slots=True)
class Usage:
    """``margin``: mean log-likelihood ratio per mention (the sum over its features), the person
    profile against the closest other label (``label``); below 0, the name's mentions look more
    like that label's."""

    margin: float
    label: str


@dataclass(frozen=True)
class Profiles:
    """Per label: its count of each feature (only the features the names to judge show are
    needed), its count of all features, and the number of distinct features over all labels."""

    counts: Mapping[str, Mapping[str, int]]
    totals: Mapping[str, int]
    vocabulary: int


def profiles_from(counts: Mapping[str, Mapping[str, int]]) -> Profiles:
    """Profiles from full per-label counts (what a caller holding every feature has)."""
    return Profiles(
        counts,
        {label: sum(c.values()) for label, c in counts.items()},
        len({f for c in counts.values() for f in c}),
    )


def person_usage(
    contexts: Mapping[str, Mapping[str, int]],
    profiles: Profiles,
    smoothing: float = 1.0,
    prior_mentions: float = 0.0,
) -> dict[str, Usage]:
    """Usage of each PERSON-labelled name in ``contexts`` (name id -> its mentions' feature
    counts, all of them counted in the PERSON profile). Add-``smoothing`` estimates over the
    union of features, so a word one label never shows next to it is unlikely, not impossible;
    ``prior_mentions`` mentions with no evidence join the average, so a rare name's margin stays
    near 0 unless its few mentions agree strongly."""
    counts, totals = profiles.counts, profiles.totals
    others = [label for label in totals if label != PERSON and totals[label] > 0]
    if PERSON not in totals or not others:
        return {}
    vocabulary = max(profiles.vocabulary, 1)
    out: dict[str, Usage] = {}
    person = counts.get(PERSON, {})
    for name_id, own in contexts.items():
        mentions = sum(k for feature, k in own.items() if feature.startswith("P "))
        if mentions == 0:
            continue
        person_total = totals[PERSON] - sum(own.values())
        sums = dict.fromkeys(others, 0.0)
        for feature, k in own.items():
            seen = person.get(feature, 0) - k
            p = math.log((seen + smoothing) / (person_total + smoothing * vocabulary))
            for label in others:
                q = counts.get(label, {}).get(feature, 0) + smoothing
                sums[label] += k * (p - math.log(q / (totals[label] + smoothing * vocabulary)))
        label = min(others, key=lambda lab: (sums[lab], lab))
        out[name_id] = Usage(round(sums[label] / (mentions + prior_mentions), 6), label)
    return out


def without_names(
    profiles: Profiles, contexts: Mapping[str, Mapping[str, int]], moved: Mapping[str, str]
) -> Profiles:
    """``profiles`` with the features of the ``moved`` names (name id -> label) counted under
    that label instead of PERSON."""
    counts = {label: dict(c) for label, c in profiles.counts.items()}
    totals = dict(profiles.totals)
    person = counts.setdefault(PERSON, {})
    for name_id, label in moved.items():
        target = counts.setdefault(label, {})
        for feature, k in contexts[name_id].items():
            person[feature] = person.get(feature, 0) - k
            target[feature] = target.get(feature, 0) + k
            totals[PERSON] -= k
            totals[label] = totals.get(label, 0) + k
    return Profiles(counts, totals, profiles.vocabulary)


def person_usage_cleaned(
    contexts: Mapping[str, Mapping[str, int]],
    profiles: Profiles,
    margin: float,
    smoothing: float = 1.0,
    prior_mentions: float = 0.0,
) -> dict[str, Usage]:
    """``person_usage`` in two passes. The person profile is built from the model's labels, so
    the teams and places it calls people ("Spurs", "Norwich") make their contexts look like a
    person's and shield one another. The names the first pass finds used like another label
    (margin at or below ``-margin``) leave the person profile for that label, and the others
    are judged again against it; a name moved once stays moved (BBC: 6 more names moved, all
    teams, places or firms; PolNeAR: none, bench/person_names.py)."""
    first = person_usage(contexts, profiles, smoothing, prior_mentions)
    moved = {name_id: u.label for name_id, u in first.items() if u.margin <= -margin}
    if not moved:
        return first
    rest = {name_id: c for name_id, c in contexts.items() if name_id not in moved}
    cleaned = without_names(profiles, contexts, moved)
    return {**first, **person_usage(rest, cleaned, smoothing, prior_mentions)}
