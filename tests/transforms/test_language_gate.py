"""The language gate, French quotes and place names across languages (pure functions)."""

from __future__ import annotations

import pytest

from flows.reference_data import load_gazetteer
from tests.conftest import REPO
from transforms.entities import entity_id
from transforms.entity_resolution import LocalEntity, resolve_entities
from transforms.language_gate import nlp_gate, primary_language
from transforms.quotes_fr import find_quotes_fr
from transforms.records import Mention

MODELS = {"en": "en_model", "fr": "fr_model"}


@pytest.mark.parametrize(
    ("language", "kind", "expected"),
    [
        ("en", "canonical", ("en_model", None)),
        ("fr-FR", "canonical", ("fr_model", None)),
        ("de", "canonical", (None, "no model for de")),
        (None, "canonical", (None, "language unknown")),
        ("en", "exact", (None, "duplicate")),
    ],
)
def test_gate(language, kind, expected):
    assert nlp_gate(language, kind, MODELS) == expected


def test_primary_language():
    assert [primary_language(c) for c in ("en-GB", "EN_us", "", None)] == ["en", "en", None, None]


def person(text: str, name: str, start: int) -> Mention:
    return Mention("a", entity_id("PERSON", name), text, name, "PERSON", start, start + len(text), 0)


def test_french_quotes_before_after_and_by_pronoun():
    text = (
        "Selon Sophie Martin, « la réforme ne passera pas au Sénat ».\n"
        "« Nous attendrons la fin du mois », explique-t-elle.\n"
        "Le ministre a déclaré\u00a0: «\u00a0Il faut agir maintenant et sans attendre\u00a0»."
    )
    mentions = [person("Sophie Martin", "Sophie Martin", 6)]
    got = [(q.text, q.speaker, q.attribution, q.speaker_kind, q.cue) for q in find_quotes_fr(text, mentions)]
    assert got == [
        ("la réforme ne passera pas au Sénat", "Sophie Martin", "before", "name", "selon"),
        ("Nous attendrons la fin du mois", "Sophie Martin", "after", "pronoun", "explique"),
        ("Il faut agir maintenant et sans attendre", "Le ministre", "before", "description", "a déclaré"),
    ]
    for q in find_quotes_fr(text, mentions):
        assert text[q.start_char : q.end_char] == q.text


def test_place_names_in_other_languages_resolve_to_one_place():
    gazetteer = load_gazetteer()
    for other, english in (("Royaume-Uni", "United Kingdom"), ("Allemagne", "Germany"), ("Kiev", "Kyiv")):
        place = gazetteer.resolve(other)
        assert place is not None and place.name == english
        assert place.geonameid == gazetteer.resolve(english).geonameid
    assert gazetteer.resolve("Etats-Unis").country_code == "US"  # typed without its accent
    # GeoNames lists airport codes and neighbouring towns among alternate names: not used
    assert gazetteer.resolve("Sea") is None and gazetteer.resolve("Twickenham") is None


def test_places_redirect_to_the_gazetteer_name():
    places = load_gazetteer().place_id
    local = [
        LocalEntity(entity_id("LOC", "Royaume-Uni"), "Royaume-Uni", "LOC", 3, ()),
        LocalEntity(entity_id("GPE", "United Kingdom"), "United Kingdom", "GPE", 1, ()),
        LocalEntity(entity_id("LOC", "Paris"), "Paris", "LOC", 1, ()),
    ]
    redirects = resolve_entities(local, {}, places=places)
    assert [(r.canonical_name, r.canonical_label, r.reason) for r in redirects] == [
        ("United Kingdom", "GPE", "place")
    ]


def test_english_copy_full_of_foreign_names_reads_as_english():
    from flows.nlp import detect_language
    from flows.reference_data import stop_words
    from transforms.language_gate import reads_as_english

    english = (
        "Deutsche Boerse set to 'woo' LSE. Bosses of Deutsche Boerse and the London Stock Exchange "
        "are set to meet on Friday to discuss a takeover, according to reports in the German press. "
        "The German firm is said to be ready to make an offer for the exchange in the coming weeks."
    )
    german = (REPO / "tests" / "fixtures" / "languages" / "krankenhaus-de.txt").read_text(encoding="utf-8")
    assert reads_as_english(english, stop_words("en")) and not reads_as_english(german, stop_words("en"))
    assert detect_language(english)[0] == "en" and detect_language(german)[0] == "de"
