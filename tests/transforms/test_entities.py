from tests.conftest import seed_text
from transforms.clean import split_body
from transforms.entities import entity_id, mentions_from_doc, merge_person_names, normalise_name


def seed_mentions(nlp, name):
    body = split_body(seed_text(name), given_title=None, input_format="text")
    text = "\n\n".join(body.paragraphs)
    return text, mentions_from_doc(name, nlp(text))


def test_normalise_name():
    assert normalise_name("the United States", "GPE") == "United States"
    assert normalise_name("Biden's", "PERSON") == "Biden"
    assert normalise_name("President Joe Biden", "PERSON") == "Joe Biden"
    assert normalise_name("U.S.", "GPE") == "U.S."
    assert normalise_name("Zelenskyy’s", "PERSON") == "Zelenskyy"


def test_surname_merges_only_when_unambiguous():
    assert merge_person_names(["Joe Biden", "Biden", "Trump"]) == {"Biden": "Joe Biden"}
    assert merge_person_names(["Joe Biden", "Hunter Biden", "Biden"]) == {}


def test_seed_a_people_are_single_entities_with_valid_offsets(nlp):
    text, mentions = seed_mentions(nlp, "a")
    people = {m.name for m in mentions if m.label == "PERSON"}
    assert {"Joe Biden", "Volodymyr Zelenskyy", "Vladimir Putin", "Donald Trump"} <= people
    assert not {"Biden", "Zelenskyy", "Trump", "Putin"} & people
    # "Biden's administration" and "Trump has indicated" resolve to the full names
    biden = [m for m in mentions if m.name == "Joe Biden"]
    assert {m.text for m in biden} >= {"Joe Biden", "Biden"}
    assert all(text[m.start_char : m.end_char] == m.text for m in mentions)
    assert {"Ukraine", "Russia", "North Korea", "South Korea", "NATO"} <= {m.name for m in mentions}


def test_entity_ids_are_shared_across_articles(nlp):
    _, a = seed_mentions(nlp, "a")
    _, b = seed_mentions(nlp, "b")
    shared = {(m.name, m.entity_id) for m in a} & {(m.name, m.entity_id) for m in b}
    assert {
        ("Volodymyr Zelenskyy", entity_id("PERSON", "Volodymyr Zelenskyy")),
        ("NATO", entity_id("ORG", "NATO")),
    } <= shared
    assert "Serhii Kuzan" in {m.name for m in b if m.label == "PERSON"}
