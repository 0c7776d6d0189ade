from collections import defaultdict

import pytest

from flows.reference_data import load_aliases, load_gazetteer
from tests.conftest import seed_text
from transforms.acronyms import find_acronyms
from transforms.aliases import AliasError, parse_aliases
from transforms.clean import split_body
from transforms.entities import entity_id, mentions_from_doc, merge_person_names, normalise_name
from transforms.entity_resolution import LocalEntity, resolve_entities
from transforms.places import Gazetteer
from transforms.truecase import truecase_shouted


def seed_mentions(nlp, name, aliases=None):
    body = split_body(seed_text(name), given_title=None, input_format="text")
    text = "\n\n".join(body.paragraphs)
    return text, mentions_from_doc(name, nlp(truecase_shouted(text)), text, aliases or load_aliases())


def resolved_seed_entities(nlp):
    """What the warehouse ends with for the two seeds: mentions, then corpus-wide resolution."""
    mentions = [m for name in ("a", "b") for m in seed_mentions(nlp, name)[1]]
    by_id = defaultdict(list)
    for m in mentions:
        by_id[m.entity_id].append(m)
    local = [
        LocalEntity(
            i,
            ms[0].name,
            ms[0].label,
            len({m.article_id for m in ms}),
            tuple(sorted({m.text for m in ms if m.text.isupper() and m.text != m.name.upper()})),
        )
        for i, ms in by_id.items()
    ]
    redirect = {r.entity_id: r for r in resolve_entities(local, load_aliases())}
    final = defaultdict(set)  # (name, label) -> articles
    ids = {}
    for m in mentions:
        r = redirect.get(m.entity_id)
        key = (r.canonical_name, r.canonical_label) if r else (m.name, m.label)
        final[key].add(m.article_id)
        ids.setdefault(key, set()).add(r.canonical_entity_id if r else m.entity_id)
    return final, ids


def test_normalise_name():
    assert normalise_name("the United States", "GPE") == "United States"
    assert normalise_name("Biden's", "PERSON") == "Biden"
    assert normalise_name("President Joe Biden", "PERSON") == "Joe Biden"
    assert normalise_name("U.S.", "GPE") == "U.S."
    assert normalise_name("Zelenskyy’s", "PERSON") == "Zelenskyy"


def test_surname_merges_only_when_unambiguous():
    assert merge_person_names(["Joe Biden", "Biden", "Trump"]) == {"Biden": "Joe Biden"}
    assert merge_person_names(["Joe Biden", "Hunter Biden", "Biden"]) == {}


def test_seed_people_are_exactly_five_single_entities(nlp):
    final, ids = resolved_seed_entities(nlp)
    people = {name: arts for (name, label), arts in final.items() if label == "PERSON"}
    assert people == {
        "Joe Biden": {"a", "b"},  # seed b says only "President Biden": joined corpus-wide
        "Volodymyr Zelenskyy": {"a", "b"},
        "Vladimir Putin": {"a", "b"},
        "Donald Trump": {"a", "b"},
        "Serhii Kuzan": {"b"},
    }
    # one id per entity across both articles
    assert all(len(ids[(n, "PERSON")]) == 1 for n in people)
    assert ids[("Joe Biden", "PERSON")] == {entity_id("PERSON", "Joe Biden")}


def test_seed_places_resolve_to_country_codes(nlp):
    final, _ = resolved_seed_entities(nlp)
    gazetteer = load_gazetteer()
    places = {name: gazetteer.resolve(name) for (name, label) in final if label == "GPE"}
    codes = {name: p.country_code for name, p in places.items() if p}
    assert {
        "Ukraine": "UA",
        "Russia": "RU",
        "North Korea": "KP",
        "South Korea": "KR",
        "Sumy": "UA",
        "United States": "US",
    }.items() <= codes.items()
    assert (places["Sumy"].latitude, places["Sumy"].longitude) == (50.91741, 34.79906)
    assert ("Sumy", "GPE") in final  # the model says ORG; "the northern city of Sumy" says place
    assert "U.S." not in {n for n, _ in final}  # the alias table makes it United States


def test_seed_nato_and_atacms_linked_to_its_expansion(nlp):
    final, ids = resolved_seed_entities(nlp)
    assert final[("NATO", "ORG")] == {"a", "b"}
    assert final[("Army Tactical Missile System", "PRODUCT")] == {"a", "b"}
    assert len(ids[("Army Tactical Missile System", "PRODUCT")]) == 1
    _, b = seed_mentions(nlp, "b")
    atacms = [m for m in b if m.text == "ATACMS"]
    assert len(atacms) == 2  # the definition's short form and the later "inclusion of ATACMS"
    assert {m.name for m in atacms} == {"Army Tactical Missile System"}
    assert not {n for n, _ in final} & {"Biden", "Zelenskyy", "Strikes", "Centre", "ATACMS"}


def test_seed_b_repairs_spans(nlp):
    text, b = seed_mentions(nlp, "b")
    orgs = {m.text for m in b if m.label == "ORG"}
    assert "Ukrainian Security and Co-operation Centre" in orgs
    assert all(text[m.start_char : m.end_char] == m.text for m in b)
    assert not any(m.text.lower().startswith("the ") for m in b)


def test_find_acronyms():
    text = "the Army Tactical Missile System (ATACMS) and gross domestic product (GDP) at the FBI"
    (d,) = find_acronyms(text)
    assert (d.short, d.long) == ("ATACMS", "Army Tactical Missile System")
    assert text[d.long_start : d.long_end] == d.long and text[d.short_start : d.short_end] == "ATACMS"
    (d,) = find_acronyms("the Federal Bureau of Investigation (FBI) said")
    assert d.long == "Federal Bureau of Investigation"


def test_truecase_recases_shouted_lines_only_and_keeps_length():
    text = (
        "CRICKET - LEICESTERSHIRE TAKE OVER AT TOP\nLONDON 1996-08-30\n"
        "Leicestershire beat Somerset in London."
    )
    out = truecase_shouted(text)
    assert out.splitlines()[0] == "Cricket - Leicestershire take over at top"
    assert out.splitlines()[1] == "London 1996-08-30"
    assert out.splitlines()[2] == text.splitlines()[2] and len(out) == len(text)


def test_all_caps_headline_names_are_found(nlp):
    text = (
        "ZELENSKYY MEETS NATO ALLIES IN KYIV\nUkraine's president Volodymyr Zelenskyy met NATO allies "
        "in Kyiv on Monday. Zelenskyy said the talks went well."
    )
    mentions = mentions_from_doc("x", nlp(truecase_shouted(text)), text, load_aliases())
    in_headline = {(m.text, m.name, m.label) for m in mentions if m.end_char <= text.index("\n")}
    assert in_headline == {
        ("ZELENSKYY", "Volodymyr Zelenskyy", "PERSON"),
        ("NATO", "NATO", "ORG"),
        ("KYIV", "Kyiv", "GPE"),
    }
    assert not {e.text for e in nlp(text).ents} & {"ZELENSKYY", "KYIV"}  # the raw headline loses them


def test_resolution_rules():
    ents = [
        LocalEntity("1", "Joe Biden", "PERSON", 9),
        LocalEntity("2", "Biden", "PERSON", 3),
        LocalEntity("3", "Hunter Biden", "PERSON", 1),
        LocalEntity("4", "Army Tactical Missile System", "PRODUCT", 2, ("ATACMS",)),
        LocalEntity("5", "ATACMS", "ORG", 4),
        LocalEntity("6", "Tony Blair", "ORG", 1),
        LocalEntity("7", "Tony Blair", "PERSON", 5),
        LocalEntity("8", "Smith", "PERSON", 5),
        LocalEntity("9", "Anna Smith", "PERSON", 2),
        LocalEntity("10", "John Smith", "PERSON", 2),
        LocalEntity("11", "Washington", "GPE", 5),
        LocalEntity("12", "Washington", "PERSON", 1),
        LocalEntity("13", "U.S.", "GPE", 7),
    ]
    got = {
        r.entity_id: (r.canonical_name, r.canonical_label, r.reason)
        for r in resolve_entities(ents, load_aliases())
    }
    assert got == {
        "2": ("Joe Biden", "PERSON", "surname"),  # 9 articles against Hunter's 1: dominant
        "5": ("Army Tactical Missile System", "PRODUCT", "acronym"),
        "6": ("Tony Blair", "PERSON", "label"),
        "13": ("United States", "GPE", "alias"),
    }  # two Smiths of equal weight, and Washington's two senses, stay apart


def test_gazetteer_decides_only_when_unambiguous():
    g = Gazetteer.from_geonames(
        [{"name": "Georgia", "iso": "GE", "geonameid": 1}],
        [
            {
                "name": "Sumy",
                "countrycode": "UA",
                "latitude": 50.9,
                "longitude": 34.8,
                "population": 256000,
                "geonameid": 2,
            },
            {
                "name": "Springfield",
                "countrycode": "US",
                "latitude": 39.8,
                "longitude": -89.6,
                "population": 114000,
                "geonameid": 3,
            },
            {
                "name": "Springfield",
                "countrycode": "US",
                "latitude": 37.2,
                "longitude": -93.3,
                "population": 169000,
                "geonameid": 4,
            },
            {
                "name": "Perth",
                "countrycode": "AU",
                "latitude": -31.9,
                "longitude": 115.9,
                "population": 1900000,
                "geonameid": 5,
            },
            {
                "name": "Perth",
                "countrycode": "GB",
                "latitude": 56.4,
                "longitude": -3.4,
                "population": 47000,
                "geonameid": 6,
            },
            {
                "name": "Richmond",
                "countrycode": "US",
                "latitude": 37.5,
                "longitude": -77.5,
                "population": 226000,
                "geonameid": 7,
            },
            {
                "name": "Richmond",
                "countrycode": "CA",
                "latitude": 49.2,
                "longitude": -123.1,
                "population": 198000,
                "geonameid": 8,
            },
        ],
        [{"name": "Georgia", "geonameid": 9}],
    )
    assert g.resolve("Georgia").country_code == "GE"  # a country name is the country
    sumy = g.resolve("sumy")
    assert (sumy.country_code, sumy.kind, sumy.latitude) == ("UA", "city", 50.9)
    springfield = g.resolve("Springfield")
    assert (springfield.country_code, springfield.latitude) == ("US", None)  # which one is unknown
    assert g.resolve("Perth").latitude == -31.9  # 40 times the other Perth
    assert g.resolve("Richmond") is None and g.resolve("Atlantis") is None


def test_alias_table_parses_and_reports_bad_rows():
    table = parse_aliases(
        [
            ("base", "# c\nalias,name,label\nUS,United States,GPE\n"),
            ("mine", "alias,name,label\nUS,USA,GPE\n"),
        ]
    )
    assert table == {"US": ("USA", "GPE")}  # the user's row wins
    with pytest.raises(AliasError, match="mine: row 2"):
        parse_aliases([("mine", "alias,name,label\nUS,United States,COUNTRY\n")])
    with pytest.raises(AliasError, match="header"):
        parse_aliases([("mine", "a,b\n")])


def test_party_names_are_not_surnames_and_singular_and_plural_join():
    got = {
        r.entity_id: (r.canonical_name, r.canonical_label, r.reason)
        for r in resolve_entities(
            [
                LocalEntity("a", "ofNew Labour", "PERSON", 1),  # a typo the model took for a name
                LocalEntity("b", "Labour", "PERSON", 29),
                LocalEntity("c", "Labour", "ORG", 143),
                LocalEntity("d", "Lib Dem", "PERSON", 36),
                LocalEntity("e", "Lib Dems", "PERSON", 51),
                LocalEntity("f", "Tories", "ORG", 40),
                LocalEntity("g", "Tory", "NORP", 120),
                LocalEntity("h", "William", "PERSON", 3),
                LocalEntity("i", "Williams", "PERSON", 9),
            ],
            {},
        )
    }
    assert got == {
        "b": ("Labour", "ORG", "label"),  # a party in five times as many articles: never "ofNew Labour"
        "d": ("Lib Dems", "PERSON", "plural"),
        "f": ("Tory", "NORP", "plural"),
    }


def test_a_function_word_glued_to_a_name_is_never_a_name(nlp):
    from tests.conftest import corpus

    raw = (corpus("bbc") / "politics" / "099.txt").read_text(encoding="utf-8")
    text = "\n\n".join(split_body(raw, given_title=None, input_format="text").paragraphs)
    assert "ofNew Labour" in text  # the model reads this typo as a PERSON
    names = {m.name for m in mentions_from_doc("x", nlp(text), text, {})}
    assert "Tony Blair" in names and not any(n.startswith("ofNew") for n in names)


def test_a_person_used_with_an_article_is_not_a_person_unless_shaped_like_one():
    from transforms.entity_resolution import LocalEntity, resolve_entities

    local = [
        LocalEntity("1", "Lib Dems", "PERSON", 40, determiner_share=0.86),  # "the Lib Dems"
        LocalEntity("2", "Oscar", "PERSON", 60, determiner_share=0.35),  # "an Oscar"
        LocalEntity("3", "Oscar", "WORK_OF_ART", 3),
        LocalEntity("4", "Clinton", "PERSON", 10, determiner_share=0.5),  # "the Clinton campaign"
        LocalEntity("5", "Bill Clinton", "PERSON", 30),
        LocalEntity("6", "Bush", "PERSON", 20, determiner_share=0.19),  # "the Bush administration"
        LocalEntity("7", "Premiership Fulham", "PERSON", 1),  # a one-off span: no first name "premiership"
        LocalEntity("8", "Premiership", "PERSON", 20, determiner_share=0.85),
    ]
    got = {r.entity_id: (r.canonical_name, r.canonical_label, r.reason) for r in resolve_entities(local, {})}
    assert got["1"] == ("Lib Dems", "ORG", "not_a_person")
    assert got["2"] == ("Oscar", "WORK_OF_ART", "not_a_person")
    assert got["8"] == ("Premiership", "ORG", "not_a_person")
    assert got["4"] == ("Bill Clinton", "PERSON", "surname")  # a surname of a person in the corpus
    assert "6" not in got


def test_a_one_word_person_that_is_a_known_place_is_a_place_unless_shaped_like_a_person():
    from flows.reference_data import load_gazetteer
    from transforms.entity_resolution import LocalEntity, resolve_entities

    places = load_gazetteer().place_id
    local = [
        LocalEntity("1", "Glasgow", "PERSON", 18),  # the rugby side, tagged PERSON ...
        LocalEntity("1g", "Glasgow", "GPE", 9),  # ... and the city elsewhere
        LocalEntity("1r", "Glasgow Rangers", "PERSON", 2),  # a first name "Glasgow" does not save it
        LocalEntity("2", "Howard", "PERSON", 12),  # a city in the US, and Michael Howard's surname
        LocalEntity("2g", "Howard", "GPE", 1),
        LocalEntity("3", "Michael Howard", "PERSON", 94),
        LocalEntity("4", "Charlotte", "PERSON", 4),  # a US city, never labelled a place here
        LocalEntity("6", "Madonna", "PERSON", 5),  # no place of that name
        LocalEntity("7", "Lyon", "PERSON", 2),  # too few articles to overrule the model
        LocalEntity("7g", "Lyon", "GPE", 5),
    ]
    got = {
        r.entity_id: (r.canonical_name, r.canonical_label, r.reason)
        for r in resolve_entities(local, {}, places=places)
    }
    assert got["1"] == ("Glasgow", "GPE", "not_a_person")
    assert got["2"] == ("Michael Howard", "PERSON", "surname")
    assert "4" not in got and "6" not in got and "3" not in got
    assert got.get("7", ("", "", ""))[2] != "not_a_person"


def test_a_name_used_where_the_corpus_puts_firms_is_not_a_person():
    from collections import Counter

    from transforms.name_usage import person_usage, profiles_from

    def mentions(n: int, before: str, after: str, pronoun: str) -> Counter:
        b1, b2 = (before.split() + [""])[:2][::-1] if " " in before else (before, "")
        a1, a2 = (after.split() + [""])[:2]
        return Counter(
            {
                f"L {b1}": n, f"L2 {b2}": n, f"LL {b2} {b1}": n,
                f"R {a1}": n, f"R2 {a2}": n, f"RR {a1} {a2}": n, f"P {pronoun}": n,
            }
        )  # fmt: skip

    # the model's labels over the corpus: people are "mr X said ... he", firms "oil firm X shares ... it"
    person = mentions(40, "mr", "said .", "he") + mentions(10, "oil firm", "said .", "he")
    org = mentions(30, "oil firm", "shares fell", "it") + mentions(10, "of", "said .", "it")
    yukos = mentions(8, "oil firm", "shares fell", "it")  # labelled PERSON by the model
    blair = mentions(10, "mr", "said .", "he")
    profiles = profiles_from({"PERSON": person + yukos + blair, "ORG": org})
    usage = person_usage({"yukos": yukos, "blair": blair}, profiles)
    assert usage["yukos"].label == "ORG" and usage["yukos"].margin < -3
    assert usage["blair"].margin > 3
    # its own mentions are left out of the person profile: counted in, a frequent mislabelled
    # name would make "oil firm ... shares" look like a person's context
    many = mentions(500, "oil firm", "shares fell", "it")
    assert person_usage({"x": many}, profiles_from({"PERSON": person + many, "ORG": org}))["x"].margin < -3
    # a rare name's few odd mentions weigh less with the prior
    shrunk = person_usage({"yukos": yukos}, profiles, prior_mentions=8)
    assert shrunk["yukos"].margin == pytest.approx(usage["yukos"].margin / 2)


def test_teams_the_model_calls_people_stop_shielding_one_another_in_a_second_pass():
    from collections import Counter

    from transforms.name_usage import person_usage, person_usage_cleaned, profiles_from, without_names

    # "at X ... it": a club's context; the model labels two clubs PERSON, so the person profile
    # holds their "at" mentions, and the weaker club (a few "he" by chance) looks like a person
    contexts = {
        "club": {"L at": 12, "P it": 12},
        "other club": {"L at": 3, "P it": 1, "P he": 3},
        "person": {"L said": 20, "P he": 20},
    }
    person: Counter = Counter({"L said": 30, "P he": 30})  # the corpus's other people
    for c in contexts.values():
        person.update(c)
    org = {"L at": 20, "P it": 20, "L said": 2, "P he": 1}
    profiles = profiles_from({"PERSON": dict(person), "ORG": org})
    first = person_usage(contexts, profiles)
    assert first["club"].margin < -5 and first["other club"].margin > 0
    second = person_usage_cleaned(contexts, profiles, margin=0.3)
    assert second["club"] == first["club"]  # moved once, stays moved
    assert (second["other club"].label, second["other club"].margin < -1) == ("ORG", True)
    assert second["person"].margin > first["person"].margin > 3
    # the moved name's counts change sides, nothing else
    cleaned = without_names(profiles, contexts, {"club": "ORG"})
    assert cleaned.counts["PERSON"]["L at"] == 3 and cleaned.counts["ORG"]["L at"] == 32
    assert cleaned.totals["PERSON"] == profiles.totals["PERSON"] - 24
    assert cleaned.totals["ORG"] == profiles.totals["ORG"] + 24


def test_a_person_used_like_a_team_or_firm_takes_that_label_unless_its_first_name_is_a_persons():
    local = [
        LocalEntity("y", "Yukos", "PERSON", 27, person_margin=-1.6, usage_label="ORG"),
        LocalEntity("mu", "Manchester United", "PERSON", 42, person_margin=-0.6, usage_label="ORG"),
        LocalEntity("mg", "Manchester United", "GPE", 7),  # the model's other reading joins it
        LocalEntity("b", "Blackburn", "PERSON", 11, person_margin=-0.8, usage_label="GPE"),  # "at Blackburn"
        LocalEntity("tb", "Tony Blackburn", "PERSON", 2, person_margin=2.0, usage_label="ORG"),
        LocalEntity("hp", "Harry Potter", "PERSON", 18, person_margin=-0.8, usage_label="GPE"),
        LocalEntity("hk", "Harry Kewell", "PERSON", 3),  # two other Harrys: "Harry" is a first name
        LocalEntity("hr", "Harry Redknapp", "PERSON", 5),
        LocalEntity("bs", "BBC Sport", "PERSON", 4, person_margin=-0.8, usage_label="ORG"),
        LocalEntity("bw", "BBC Sport Wales", "PERSON", 2),  # one other: "BBC" is not a first name
        LocalEntity("ep", "Elvis", "PERSON", 4, person_margin=-0.2, usage_label="ORG"),  # within the margin
        LocalEntity("bo", "Bolton", "PERSON", 10, person_margin=-0.1, usage_label="GPE"),  # ... but no
        LocalEntity("jb", "John Bolton", "PERSON", 1),  # surname of a person for a club used like a place
        LocalEntity("bl", "Blair", "PERSON", 30, person_margin=2.5, usage_label="ORG"),
        LocalEntity("tb2", "Tony Blair", "PERSON", 150),
    ]
    got = {r.entity_id: (r.canonical_name, r.canonical_label, r.reason) for r in resolve_entities(local, {})}
    assert got == {
        "y": ("Yukos", "ORG", "not_a_person"),
        "mu": ("Manchester United", "ORG", "not_a_person"),
        "mg": ("Manchester United", "ORG", "label"),
        "b": ("Blackburn", "GPE", "not_a_person"),  # never Tony Blackburn's surname
        "bs": ("BBC Sport", "ORG", "not_a_person"),
        "bl": ("Tony Blair", "PERSON", "surname"),
    }


def test_a_full_name_never_shortened_where_it_is_named_again_is_not_a_persons():
    local = [
        # a band: named twice in 4 articles, never "Ferdinand" alone; its neighbours read like a
        # person's ("Franz Ferdinand won", ", who"), so only this evidence moves it
        LocalEntity("ff", "Franz Ferdinand", "PERSON", 16, person_margin=1.4, usage_label="ORG",
                    repeated_articles=4, shortened_articles=0),
        LocalEntity("mh", "Michael Howard", "PERSON", 94, repeated_articles=52, shortened_articles=44),
        # one shortened article is enough to be a person
        LocalEntity("tj", "Tessa Jowell", "PERSON", 9, repeated_articles=5, shortened_articles=1),
        # too few articles to tell
        LocalEntity("pn", "Peña Nieto", "PERSON", 3, repeated_articles=3, shortened_articles=0),
        # named in full in a standfirst and a byline, but "Bill" is a first name
        LocalEntity("bt", "Bill Thompson", "PERSON", 7, person_margin=0.6, usage_label="ORG",
                    repeated_articles=7, shortened_articles=0),
        LocalEntity("bg", "Bill Gates", "PERSON", 11, repeated_articles=3, shortened_articles=3),
        LocalEntity("bc", "Bill Clinton", "PERSON", 9, repeated_articles=4, shortened_articles=4),
    ]  # fmt: skip
    got = {r.entity_id: (r.canonical_name, r.canonical_label, r.reason) for r in resolve_entities(local, {})}
    assert got == {"ff": ("Franz Ferdinand", "ORG", "not_a_person")}


def test_a_word_of_a_name_is_not_its_acronym_but_a_surname_in_capitals_still_is():
    local = [
        # one article's "Indiana GOP" took that article's bare "GOP" mentions as its surname
        LocalEntity("ig", "Indiana GOP", "PERSON", 1, ("GOP",)),
        LocalEntity("g", "GOP", "ORG", 253),
        LocalEntity("a", "Army Tactical Missile System", "PRODUCT", 2, ("ATACMS",)),
        LocalEntity("at", "ATACMS", "ORG", 4),
        LocalEntity("dt", "Donald Trump", "PERSON", 500, ("TRUMP",)),  # "TRUMP:" in transcripts
        LocalEntity("t", "TRUMP", "PERSON", 54),
    ]
    got = {r.entity_id: (r.canonical_name, r.canonical_label, r.reason) for r in resolve_entities(local, {})}
    assert got == {
        "at": ("Army Tactical Missile System", "PRODUCT", "acronym"),
        "t": ("Donald Trump", "PERSON", "acronym"),
    }  # and the party stays the party
