"""Quotes, quantities, dates, tone and publication dates: exact rows on the seed articles."""

from datetime import date, datetime

from flows.reference_data import load_aliases, load_tone_lexicon
from tests.conftest import seed_text
from transforms.clean import date_in_file_name, split_body
from transforms.entities import entity_id, mentions_from_doc
from transforms.mentioned_dates import find_dates, stated_publication_date
from transforms.quantities import find_quantities
from transforms.quotes import find_quotes
from transforms.tone import article_tone
from transforms.truecase import truecase_shouted


def seed(name):
    body = split_body(seed_text(name), given_title=None, input_format="text")
    return "\n\n".join(body.paragraphs)


def test_seed_a_zelenskyy_quotes_are_attributed(nlp):
    text = seed("a")
    mentions = mentions_from_doc("a", nlp(truecase_shouted(text)), text, load_aliases())
    quotes = find_quotes(text, mentions)
    zelenskyy = entity_id("PERSON", "Volodymyr Zelenskyy")
    assert [(q.text, q.speaker, q.speaker_entity_id, q.attribution, q.cue) for q in quotes] == [
        (
            "Strikes are not made with words",
            "Volodymyr Zelenskyy",
            zelenskyy,
            "after",
            "noted",
        ),  # "… ,” he noted
        (
            "Such things are not announced. The missiles will speak for themselves.",
            "Volodymyr Zelenskyy",
            zelenskyy,
            "before",  # He emphasized, “…”
            "emphasized",
        ),
    ]
    # offsets are the quoted words, inside the marks (a straight one opens the first, a curly one
    # closes the second), so text[start_char:end_char] is what was said
    assert (text[quotes[0].start_char - 1], text[quotes[1].end_char]) == ('"', "”")
    assert text[quotes[1].start_char : quotes[1].end_char] == quotes[1].text


def test_quotes_split_by_said_roles_and_short_scare_quotes(nlp):
    text = (
        '"We will fight on to the end," said Mr Ebbers. The plan was called "significant". '
        'Anna Smith told reporters: "It is over," she said. "We go home now and rest."'
    )
    quotes = find_quotes(text, mentions_from_doc("x", nlp(text), text, {}))
    assert [(q.text, q.speaker, q.attribution, q.cue) for q in quotes] == [
        ("We will fight on to the end", "Ebbers", "after", "said"),
        ("It is over, We go home now and rest.", "Anna Smith", "after", "said"),
    ]
    # the cue is the speech verb as written: inverted, "according to", before the quote
    text = (
        'The rules are clear, according to Ms Lee. Mr Howard told the Today programme: "We have had '
        'three policy positions in three months." "That is not true at all," replied Tony Blair.'
    )
    quotes = find_quotes(text, mentions_from_doc("x", nlp(text), text, {}))
    assert [(q.speaker, q.cue, q.attribution) for q in quotes] == [
        ("Howard", "told", "before"),
        ("Tony Blair", "replied", "after"),
    ]
    # a company that speaks is an organisation, never forced onto a person
    text = '"We will not lower prices this year," Tesco said in a statement.'
    quotes = find_quotes(text, mentions_from_doc("x", nlp(text), text, {}))
    assert [(q.speaker, q.speaker_kind, q.cue) for q in quotes] == [("Tesco", "organisation", "said")]


def test_each_paragraph_of_speech_with_its_own_attribution_is_its_own_quote(nlp):
    # PolNeAR-style copy: a new paragraph that opens a quote is a new utterance, even when the
    # text between reads like an attribution ("…” \n\nHe continued, “…”); one utterance split by
    # its attribution inside a paragraph stays one quote

    def quotes_of(text: str) -> list:
        return find_quotes(text, mentions_from_doc("x", nlp(text), text, {}))

    text = (
        "Lindsey Graham said, “How many of you believe we lose elections because we are too soft? I believe"
        " we lose because they think we do not like them.”\n\nHe continued, “It is not about turning out"
        " more voters.”\n\n“Culberson is now part of the problem,” Maria Espinoza said. “Fourteen years in"
        " Congress is long enough.”"
    )
    quotes = quotes_of(text)
    assert [(q.text[:24], q.speaker, q.attribution, q.cue) for q in quotes] == [
        ("How many of you believe ", "Lindsey Graham", "before", "said"),
        ("It is not about turning ", "Lindsey Graham", "before", "continued"),
        ("Culberson is now part of", "Maria Espinoza", "after", "said"),
    ]
    assert quotes[2].text.endswith("Fourteen years in Congress is long enough.")
    # BBC style: the next paragraph goes on after the attribution; same speaker, same cue
    text = (
        "“It was about getting used to the surface,” Roger Federer said.\n\n“The conditions are much"
        " quicker than Doha, but I could have served better.”"
    )
    assert [(q.text[:24], q.speaker, q.attribution, q.cue) for q in quotes_of(text)] == [
        ("It was about getting use", "Roger Federer", "after", "said"),
        ("The conditions are much ", "Roger Federer", "continued", "said"),
    ]


def test_seed_quantities():
    got = {
        (q.text, q.value, q.unit, q.kind, q.qualifier) for q in find_quantities(seed("a") + "\n" + seed("b"))
    }
    assert {
        ("about 120 missiles", 120, "missile", "count", "about"),
        ("approximately 12,000 troops", 12000, "troop", "count", "approximately"),
        ("over $56.2 billion", 56_200_000_000, "USD", "money", "over"),
        ("up to 190 miles", 190, "mi", "distance", "up to"),
        ("at least eight people", 8, "person", "count", "at least"),
        ("12,000 North Korean troops", 12000, "troop", "count", None),
    } <= got
    assert not any(q.text.startswith(("17", "2024", "2022")) for q in find_quantities(seed("a")))


def test_quantity_kinds_and_dates_are_not_amounts():
    got = [(q.text, q.value, q.unit, q.kind) for q in find_quantities(
        "Profit rose 5.2 pct to 339,000 dlrs on March 3, 1987, after a £15.8m signing; 40% of 2,000 voters."
    )]  # fmt: skip
    assert got == [
        ("5.2 pct", 5.2, "percent", "percent"),
        ("339,000 dlrs", 339000, "USD", "money"),
        ("£15.8m", 15_800_000, "GBP", "money"),
        ("40%", 40, "percent", "percent"),
        ("2,000 voters", 2000, "voter", "count"),
    ]


def test_seed_dates_and_publication_date():
    text_a = seed("a")
    # "This move, revealed on November 17, 2024" dates the event, not the article
    assert stated_publication_date(text_a, None) == (None, None)
    rows = [
        (d.text, d.resolved_date, d.precision, d.relative) for d in find_dates(text_a, date(2024, 11, 17))
    ]
    assert rows == [
        ("November 17, 2024", date(2024, 11, 17), "day", False),
        ("mid-August", date(2024, 8, 1), "month", True),
        ("February 2022", date(2022, 2, 1), "month", False),
    ]


def test_seed_b_yesterday_resolves_only_with_a_publication_date():
    text_b = seed("b")
    assert stated_publication_date(text_b, None) == (None, None)
    (unresolved,) = [d for d in find_dates(text_b, None) if d.text == "yesterday"]
    assert (unresolved.resolved_date, unresolved.unresolved_reason) == (None, "no_publication_date")
    (resolved,) = [d for d in find_dates(text_b, datetime(2024, 11, 18, 9, 30)) if d.text == "yesterday"]
    assert (resolved.resolved_date, resolved.precision, resolved.relative) == (
        date(2024, 11, 17),
        "day",
        True,
    )
    vague = [
        (d.text, d.unresolved_reason)
        for d in find_dates(text_b, date(2024, 11, 18))
        if d.resolved_date is None
    ]
    assert vague == [("in the coming days", "vague_period"), ("the coming months", "vague_period")]


def test_relative_weekdays_look_back_and_datelines_take_the_reference_year():
    sunday = date(2024, 11, 17)
    got = {
        d.text: d.resolved_date
        for d in find_dates("He spoke on Tuesday, and last Sunday; next Friday he flies.", sunday)
    }
    assert got == {
        "on Tuesday": date(2024, 11, 12),
        "last Sunday": date(2024, 11, 10),
        "next Friday": date(2024, 11, 22),
    }
    assert stated_publication_date("SALVADOR, Feb 26 - Showers continued", date(1987, 12, 31)) == (
        datetime(1987, 2, 26),
        "dateline",
    )
    assert stated_publication_date("CLAYMONT, Del., March 4 - Phoenix Steel", date(1988, 1, 2)) == (
        datetime(1987, 3, 4),
        "dateline",
    )
    assert date_in_file_name("/drop/2024/2024-11-17-atacms.html") == datetime(2024, 11, 17)
    assert date_in_file_name("/drop/story-99.txt") is None
    assert not find_dates("May said she would march on.", sunday)


def test_tone_counts_lexicon_words():
    lexicon = load_tone_lexicon()
    tone = article_tone("The attack killed civilians. Talks were a great success.", lexicon)
    # killed, attack: negative; great, success: positive (VADER's lexicon); 9 words
    assert (tone.positive, tone.negative, tone.tone) == (round(200 / 9, 3), round(200 / 9, 3), 0.0)


def test_html_title_suffix_kicker_and_jsonld_authors():
    from transforms.html_meta import headline, jsonld_authors, parse_tree, strip_site_suffix

    assert strip_site_suffix(
        "Losing face: masks stolen | The Japan Times", ["japantimes.co.jp", "japantimes"]
    ) == ("Losing face: masks stolen")
    assert strip_site_suffix("Amazon Liable - California Globe", ["California Globe"]) == "Amazon Liable"
    assert strip_site_suffix("Dortmund - Gladbach live sehen!", ["computerbild.de"]) == (
        "Dortmund - Gladbach live sehen!"  # a dash inside a headline is not a site suffix
    )
    assert strip_site_suffix("武汉的声音：有英勇的你-新华网", []) == "武汉的声音：有英勇的你"
    tree = parse_tree(
        "<html><body><h1>Interne Unterlagen im Netz Daten von Rheinmetall gehackt</h1>"
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": '
        '[{"name": "By Leah C. Stokes"}, {"@type": "Person", "name": "Ally Mutnick"}]}</script></body></html>'
    )
    assert headline(tree, "Daten von Rheinmetall gehackt - Interne Unterlagen im Netz") == (
        "Daten von Rheinmetall gehackt"
    )
    assert jsonld_authors(tree) == ["Leah C. Stokes", "Ally Mutnick"]


def test_cleaning_keeps_printed_quotes_and_drops_calls_to_action():
    text = (
        "Ms Montoya-Lewis said: “I’m honoured.” She starts this fall.\n"
        "Get The Times of Israel's Daily Edition by email and never miss our top stories Free Sign Up\n"
        "We want to hear what you think about this article. Submit a letter to the editor.\n"
        "(Credit: Clayton Aldern / Grist)\n"
        "The court has nine justices."
    )
    body = split_body(text, given_title=None, input_format="html")
    assert body.paragraphs == [
        "Ms Montoya-Lewis said: “I’m honoured.” She starts this fall.",
        "The court has nine justices.",
    ]
    assert body.credits == ["(Credit: Clayton Aldern / Grist)"]


def test_cjk_words_and_sentences_are_counted():
    from transforms.text_stats import sentence_count, word_count

    assert word_count("子どもへの体罰。") == 7 and sentence_count("子どもへの体罰。法律ができる。") == 2
    assert word_count("It's 3.5 km, said Anna.") == 5


def test_byline_becomes_authors_when_the_input_has_none():
    body = split_body(
        "Storm hits coast\nBy Helen Marsh and Ravi Dhillon, Reuters\n"
        "The storm hit the coast on Monday.\nMore rain.",
        given_title=None,
        input_format="text",
    )
    assert (body.title, body.authors) == ("Storm hits coast", ["Helen Marsh", "Ravi Dhillon"])
    assert body.paragraphs == ["The storm hit the coast on Monday.", "More rain."]
    assert split_body("By the time he arrived, the roads were closed.\nNo one came.", given_title=None,
                      input_format="text").authors == []  # fmt: skip


def test_keywords_rank_names_and_topics_of_seed_a():
    from flows.reference_data import stop_words
    from transforms.keywords import find_keywords

    text = seed("a")
    got = find_keywords(text, stop_words("en"))
    assert [k.rank for k in got] == list(range(1, 11))
    assert {"Ukraine", "Russia", "Joe Biden", "North Korea"} <= {k.keyword for k in got}
    assert all(k.start_char is None or text[k.start_char :].startswith(k.keyword) for k in got)
    assert not {"said", "the"} & {k.keyword.lower() for k in got}


def test_bbc_pronoun_speaker_is_the_person_named_before_not_the_last_one_mentioned(nlp):
    from tests.conftest import corpus

    raw = (corpus("bbc") / "politics" / "034.txt").read_text(encoding="utf-8")
    text = "\n\n".join(split_body(raw, given_title=None, input_format="text").paragraphs)
    quotes = find_quotes(text, mentions_from_doc("x", nlp(truecase_shouted(text)), text, load_aliases()))
    (u_turns,) = [q for q in quotes if "three policy positions" in q.text]
    # "Mr Howard told BBC Radio 4's Today programme ... He said: ..." - not Tony Blair
    assert (u_turns.speaker, u_turns.speaker_kind) == ("Michael Howard", "pronoun")
